"""One reader of tables for every file a user gives the product: a CSV (UTF-8 with or without BOM,
or Windows-1252, the two encodings Excel writes in France; `;`, `,` or tab separated) or an XLSX
workbook (its first sheet, through xlsx.py and its limits). It gives the header as written and the
rows holding a value with their line numbers; what the columns mean is the caller's: the procedure
import (reading.py) and linking's `match_persons` command read their files through read_table."""

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
from .xlsx import xlsx_rows

# A physical line of a CSV longer than this is not a row of a table.
MAX_LINE_CHARS = 1_000_000
# First characters that make a spreadsheet read a cell as a formula (OWASP « CSV Injection »): the
# CSV export prefixes such text with `'` (exports.escape_formula) and the CSV reader removes it.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@lru_cache(maxsize=20000)
def normalise_header(text: str) -> str:
    """Lower case, accents and punctuation dropped: « N° de Parquet » → « n_de_parquet »."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


def cell_text(value) -> str:
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


@dataclass
class Table:
    format: str
    encoding: str  # "" for a workbook
    delimiter: str  # "" for a workbook
    headers: list[str]  # the first row holding a value, each cell as text
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


def sniff_delimiter(first_line: str) -> str:
    counts = dict.fromkeys((";", ",", "\t"), 0)
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ";"


def first_line(text: str) -> str:
    """The first non-blank line, without splitting the whole text into lines."""
    for line in io.StringIO(text):
        if line.strip():
            return line.rstrip("\r\n")
    return ""


def csv_header(text: str) -> list[str]:
    """The header of a CSV text, read from its first line only (the quick look at an upload)."""
    line = first_line(text)
    if not line:
        return []
    return [cell.strip() for cell in next(csv.reader([line], delimiter=sniff_delimiter(line)))]


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
        if any(cell_text(cell) for cell in cells):
            if len(kept) > limits.MAX_ROWS:
                raise limits.too_many_rows()
            kept.append((line, cells))
    return kept


def read_table(data: bytes, name: str = "") -> Table:
    """The file's header and rows (limits.py bounds them); raises ImportFileError with a sentence."""
    if not data:
        raise ImportFileError(_("Le fichier est vide."))
    file_format = detect_format(data, name)
    if file_format == ImportFormat.XLSX:
        encoding, delimiter, rows = "", "", _capped(xlsx_rows(data))
    else:
        text, encoding = decode_text(data)
        delimiter = sniff_delimiter(first_line(text))
        rows = _capped(_csv_rows(text, delimiter))
    if not rows:
        raise ImportFileError(_("Le fichier ne contient aucune ligne."))
    (_line, header_cells), rows = rows[0], rows[1:]
    return Table(file_format, encoding, delimiter, [cell_text(cell) for cell in header_cells], rows)
