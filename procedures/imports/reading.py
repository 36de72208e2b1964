"""Reading an uploaded file: its format and encoding, its rows (bounded, see limits.py), its
header mapped to the import's fields. The format itself is described in procedures/imports/__init__.py."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from django.utils.translation import gettext as _

from ..models import ImportFormat
from . import limits
from .limits import ImportFileError
from .xlsx import inspect_xlsx, xlsx_rows

# A physical line of a CSV longer than this is not a row of procedures.
MAX_LINE_CHARS = 1_000_000
MINOR_SUFFIX = "*"
LIST_SEPARATOR = "|"
# First characters that make a spreadsheet read a cell as a formula (OWASP « CSV Injection »): the
# CSV export prefixes such text with `'` (exports.escape_formula) and the CSV import removes it.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Canonical header (used by the export, so that an export re-imports) and accepted aliases, written
# as normalised by _normalise (lower case, no accents, `_` between words).
COLUMNS = {
    "parquet": "parquet",
    "parquet_reference": "numero_parquet",
    "opened_on": "ouverte_le",
    "offences": "infractions",
    "platform": "plateforme",
    "victims": "victimes",
    "stage": "stade",
    "outcome": "issue",
}
FIELD_ALIASES = {
    "parquet": ("parquet", "code_parquet", "parquet_code", "nom_parquet", "prosecution_office"),
    "parquet_reference": (
        "numero_parquet",
        "numero_de_parquet",
        "n_parquet",
        "n_de_parquet",
        "no_parquet",
        "no_de_parquet",
        "num_parquet",
        "reference_parquet",
        "ref_parquet",
        "parquet_reference",
        "parquet_ref",
        "parquet_number",
        "reference",
        "numero",
    ),
    "opened_on": (
        "ouverte_le",
        "ouvert_le",
        "date_ouverture",
        "date_d_ouverture",
        "ouverture",
        "opened_on",
        "opened",
        "opening_date",
        "date_opened",
    ),
    "offences": ("infractions", "infraction", "qualifications", "qualification", "offences", "offenses", "offence"),
    "platform": ("plateforme", "platform", "site"),
    "victims": ("victimes", "victime", "victims", "victim"),
    "stage": ("stade", "stage"),
    "outcome": ("issue", "suite", "suite_donnee", "outcome"),
}
REQUIRED_FIELDS = ("parquet", "parquet_reference")
FIELD_LABELS = {
    "parquet": "parquet",
    "parquet_reference": "numéro de parquet",
    "opened_on": "ouverte le",
    "offences": "infractions",
    "platform": "plateforme",
    "victims": "victimes",
    "stage": "stade",
    "outcome": "issue",
}

_ALIAS_TO_FIELD = {alias: name for name, aliases in FIELD_ALIASES.items() for alias in aliases}


@lru_cache(maxsize=20000)
def _normalise(text: str) -> str:
    """Lower case, accents and punctuation dropped: « N° de Parquet » → « n_de_parquet »."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


def _text(value) -> str:
    """A cell as text: XLSX numbers without a spurious « .0 », dates in French form."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


# --- Reading the file --------------------------------------------------------------------------


@dataclass
class SourceFile:
    format: str
    encoding: str
    delimiter: str
    headers: list[str]
    columns: dict[str, int]  # field name → column index
    ignored_columns: list[str]
    rows: list[tuple[int, list]]  # (line number in the file, cells), blank rows left out


def detect_format(data: bytes, name: str = "") -> str:
    """CSV or XLSX, from the content (an XLSX is a zip); the name only breaks ties."""
    if data[:4] == b"PK\x03\x04":
        return ImportFormat.XLSX
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(
            _("Le format Excel 97-2003 (.xls) n'est pas lu : enregistrez le classeur en XLSX ou en CSV.")
        )
    if name.lower().endswith(".xlsx"):
        raise ImportFileError(_("Le fichier porte l'extension .xlsx mais n'est pas un classeur Excel lisible."))
    return ImportFormat.CSV


def decode_text(data: bytes) -> tuple[str, str]:
    """UTF-8 (BOM or not), else Windows-1252, the two encodings Excel writes in France."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise ImportFileError(_("Le fichier n'est pas un texte CSV lisible (contenu binaire)."))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("Encodage du fichier non reconnu : enregistrez-le en CSV UTF-8 ou Windows-1252.")
        ) from error


def unescape_formula(text: str) -> str:
    """Undo exports.escape_formula: one `'` dropped before (more quotes and) a formula trigger.
    Also reads « '=… » typed by hand as the text marker it is in Excel."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def _sniff_delimiter(first_line: str) -> str:
    counts = dict.fromkeys((";", ",", "\t"), 0)
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ";"


def _first_line(text: str) -> str:
    """The first non-blank line, without splitting the whole text into lines."""
    for line in io.StringIO(text):
        if line.strip():
            return line.rstrip("\r\n")
    return ""


def _bounded_lines(text: str):
    """The text's physical lines, refusing one longer than MAX_LINE_CHARS: the csv module builds a
    whole row before it can be looked at, and a line of millions of separators is millions of cells."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise ImportFileError(
                _(
                    "Ligne %(line)s anormalement longue (plus de %(max)s caractères) : le fichier n'est pas un CSV attendu."
                )
                % {"line": number, "max": MAX_LINE_CHARS}
            )
        yield line


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list]]:
    reader = csv.reader(_bounded_lines(text), delimiter=delimiter)
    line = 1
    try:
        for cells in reader:
            if len(cells) > limits.MAX_COLUMNS:
                if any(cell.strip() for cell in cells[limits.MAX_COLUMNS :]):
                    raise ImportFileError(
                        _(
                            "Ligne %(line)s : une valeur au-delà des %(max)s premières colonnes lues : "
                            "retirez les colonnes inutiles."
                        )
                        % {"line": line, "max": limits.MAX_COLUMNS}
                    )
                cells = cells[: limits.MAX_COLUMNS]
            yield line, [unescape_formula(cell) for cell in cells]
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(
            _("Le CSV est mal formé vers la ligne %(line)s : %(error)s") % {"line": reader.line_num, "error": error}
        ) from error


def _capped(rows: Iterator[tuple[int, list]]) -> list[tuple[int, list]]:
    """The rows holding a value, refusing the file past MAX_ROWS of them (the header apart)."""
    kept = []
    for line, cells in rows:
        if any(_text(cell) for cell in cells):
            if len(kept) > limits.MAX_ROWS:
                raise limits.too_many_rows()
            kept.append((line, cells))
    return kept


def read_source(data: bytes, name: str = "") -> SourceFile:
    """Parse the file and map its header; raises ImportFileError with a sentence."""
    if not data:
        raise ImportFileError(_("Le fichier est vide."))
    file_format = detect_format(data, name)
    if file_format == ImportFormat.XLSX:
        encoding, delimiter, rows = "", "", _capped(xlsx_rows(data))
    else:
        text, encoding = decode_text(data)
        delimiter = _sniff_delimiter(_first_line(text))
        rows = _capped(_csv_rows(text, delimiter))
    if not rows:
        raise ImportFileError(_("Le fichier ne contient aucune ligne."))
    (_line, header_cells), rows = rows[0], rows[1:]
    headers = [_text(cell) for cell in header_cells]
    columns, ignored = map_headers(headers)
    return SourceFile(file_format, encoding, delimiter, headers, columns, ignored, rows)


def map_headers(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ignored = []
    for index, header in enumerate(headers):
        name = _ALIAS_TO_FIELD.get(_normalise(header))
        if name is None:
            if header:
                ignored.append(header)
            continue
        if name in columns:
            raise ImportFileError(
                _("Les colonnes « %(first)s » et « %(second)s » désignent toutes deux : %(field)s.")
                % {"first": headers[columns[name]], "second": header, "field": FIELD_LABELS[name]}
            )
        columns[name] = index
    missing = [FIELD_LABELS[name] for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        raise ImportFileError(
            _("Colonne obligatoire introuvable : %(missing)s (en-têtes lus : %(headers)s).")
            % {"missing": ", ".join(missing), "headers": ", ".join(h for h in headers if h) or "—"}
        )
    return columns, ignored


@dataclass
class Inspection:
    format: str
    rows: int  # data rows, as far as a quick look can tell (blank lines of a CSV included)


def inspect_source(data: bytes, name: str) -> Inspection:
    """A quick look at the file, so that an upload is refused at once with a sentence: its size,
    its format, for a workbook the checks of xlsx.inspect_xlsx, its header's required columns; and
    about how many rows it has, which decides whether its dry run is done at once or as a job."""
    if len(data) > limits.MAX_FILE_BYTES:
        raise ImportFileError(
            _("Fichier trop volumineux (%(size)s Mo, %(max)s Mo au plus).")
            % {"size": len(data) // limits.MIB, "max": limits.MAX_FILE_BYTES // limits.MIB}
        )
    if not data:
        raise ImportFileError(_("Le fichier est vide."))
    file_format = detect_format(data, name)
    if file_format == ImportFormat.XLSX:
        rows = inspect_xlsx(data).rows
        if rows - 1 > limits.SYNC_MAX_ROWS:
            reader = xlsx_rows(data, inspected=True)
            try:
                header = next((cells for _line, cells in reader), None)
            finally:
                reader.close()
            if header is None:
                raise ImportFileError(_("Le fichier ne contient aucune ligne."))
            map_headers([_text(cell) for cell in header])
    else:
        text, _encoding = decode_text(data)
        first_line = _first_line(text)
        if not first_line:
            raise ImportFileError(_("Le fichier ne contient aucune ligne."))
        header = next(csv.reader([first_line], delimiter=_sniff_delimiter(first_line)))
        map_headers([cell.strip() for cell in header])
        rows = data.count(b"\n") + (not data.endswith(b"\n"))
    if rows - 1 <= limits.SYNC_MAX_ROWS:
        # A small file is read whole now, so that whatever is wrong with it is said on the form.
        read_source(data, name)
    return Inspection(file_format, max(rows - 1, 0))
