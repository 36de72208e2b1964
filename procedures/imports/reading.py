"""Reading an uploaded file of procedures: the table (tabular.py) and its header mapped to the
import's fields. The format itself is described in procedures/imports/__init__.py."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..models import ImportFormat
from . import limits
from .limits import ImportFileError
from .tabular import (
    cell_text,
    csv_header,
    decode_text,
    detect_format,
    normalise_header,
    read_table,
)
from .xlsx import inspect_xlsx, xlsx_rows

MINOR_SUFFIX = "*"
LIST_SEPARATOR = "|"

# Canonical header (used by the export, so that an export re-imports) and accepted aliases, written
# as normalised by tabular.normalise_header (lower case, no accents, `_` between words).
COLUMNS = {
    "parquet": "parquet",
    "parquet_reference": "numero_parquet",
    "opened_on": "ouverte_le",
    "offences": "infractions",
    "platform": "plateforme",
    "victims": "victimes",
    "suspects": "mis_en_cause",
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
    "suspects": ("mis_en_cause", "mis_en_causes", "suspects", "suspect", "auteur", "auteurs"),
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
    "suspects": "mis en cause",
    "stage": "stade",
    "outcome": "issue",
}

_ALIAS_TO_FIELD = {alias: name for name, aliases in FIELD_ALIASES.items() for alias in aliases}


@dataclass
class SourceFile:
    format: str
    encoding: str
    delimiter: str
    headers: list[str]
    columns: dict[str, int]  # field name → column index
    ignored_columns: list[str]
    rows: list[tuple[int, list]]  # (line number in the file, cells), blank rows left out


def read_source(data: bytes, name: str = "") -> SourceFile:
    """Parse the file and map its header; raises ImportFileError with a sentence."""
    table = read_table(data, name)
    columns, ignored = map_headers(table.headers)
    return SourceFile(table.format, table.encoding, table.delimiter, table.headers, columns, ignored, table.rows)


def map_headers(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ignored = []
    for index, header in enumerate(headers):
        name = _ALIAS_TO_FIELD.get(normalise_header(header))
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
            map_headers([cell_text(cell) for cell in header])
    else:
        text, _encoding = decode_text(data)
        header = csv_header(text)
        if not header:
            raise ImportFileError(_("Le fichier ne contient aucune ligne."))
        map_headers(header)
        rows = data.count(b"\n") + (not data.endswith(b"\n"))
    if rows - 1 <= limits.SYNC_MAX_ROWS:
        # A small file is read whole now, so that whatever is wrong with it is said on the form.
        read_source(data, name)
    return Inspection(file_format, max(rows - 1, 0))
