"""Exports of procedures and deadlines as CSV (`;`, UTF-8 with BOM, which Excel opens with its
accents) or XLSX. The procedure columns are the import's (procedures/imports/reading.py, COLUMNS), so an
export re-imports into its case and changes nothing.

Formula injection (OWASP « CSV Injection »): a text cell starting with `=`, `+`, `-`, `@`, tab or
CR would run as a formula in the spreadsheet. In CSV every cell is quoted and such text is prefixed
with `'` (the import removes it again: imports.unescape_formula); in XLSX text is always a string
cell (never a formula), marked « quote prefix » when dangerous so that editing it keeps it text.
Numbers and dates are not text: they stay unescaped, and typed in XLSX (a number -2 is no formula).
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import translation

from cases.identifiers import stored_identifiers
from cases.models import Offence, Suspect

from .imports import COLUMNS, FORMULA_TRIGGERS, LIST_SEPARATOR, MINOR_SUFFIX
from .imports.suspects import format_suspect
from .models import Deadline, DeadlineStatus, Outcome, Procedure, Stage

CASE_COLUMN = "affaire"
PROCEDURE_HEADERS = [
    CASE_COLUMN,
    *(
        COLUMNS[name]
        for name in (
            "parquet",
            "parquet_reference",
            "opened_on",
            "offences",
            "platform",
            "victims",
            "suspects",
            "stage",
            "outcome",
        )
    ),
]
DEADLINE_HEADERS = [
    CASE_COLUMN,
    COLUMNS["parquet"],
    COLUMNS["parquet_reference"],
    "delai",
    "point_de_depart",
    "echeance",
    "echeance_calculee",
    "statut",
    "responsable",
    "accompli_le",
    "motif_modification",
]
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _french(choices) -> dict[str, str]:
    with translation.override("fr"):
        return {value: str(label) for value, label in choices.choices}


def offence_keys() -> dict[int, str]:
    """How the import will find each offence again: its NATINF, else its article when no other
    offence shares it, else its label."""
    offences = list(Offence.objects.values_list("pk", "natinf", "article", "label"))
    articles = Counter(article for _pk, _natinf, article, _label in offences)
    return {
        pk: str(natinf) if natinf else article if articles[article] == 1 else label
        for pk, natinf, article, label in offences
    }


def suspect_cells(procedure_ids) -> dict[int, list[str]]:
    """Each procedure's suspects as the import reads them (« Nom [courriel:…] »), by name. Each
    suspect's identifiers are decrypted once, however many procedures name it. Two queries."""
    links = list(
        Procedure.suspects.through.objects.filter(procedure_id__in=procedure_ids).values_list(
            "procedure_id", "suspect_id"
        )
    )
    suspects = {
        pk: (name, format_suspect(name, stored_identifiers(identifiers)), pk)
        for pk, name, identifiers in Suspect.objects.filter(pk__in={suspect for _p, suspect in links}).values_list(
            "pk", "name", "identifiers"
        )
    }
    cells = defaultdict(list)
    for procedure_id, suspect_id in sorted(links, key=lambda link: (link[0], suspects[link[1]][0], link[1])):
        cells[procedure_id].append(suspects[suspect_id][1])
    return cells


def procedure_rows(procedures: QuerySet[Procedure]) -> Iterator[list]:
    """One row per procedure, in the import's columns (after the case reference). Six queries."""
    ids = procedures.values("pk")
    victims = defaultdict(list)
    through = Procedure.victims.through.objects.filter(procedure_id__in=ids)
    for procedure_id, pseudonym, minor in through.values_list(
        "procedure_id", "victim__pseudonym", "victim__minor_at_facts"
    ).order_by("victim__pseudonym"):
        victims[procedure_id].append(pseudonym + (MINOR_SUFFIX if minor else ""))
    keys = offence_keys()
    offences = defaultdict(list)
    for procedure_id, offence_id in (
        Procedure.offences.through.objects.filter(procedure_id__in=ids)
        .values_list("procedure_id", "offence_id")
        .order_by("offence_id")
    ):
        offences[procedure_id].append(keys[offence_id])
    suspects = suspect_cells(ids)
    stages, outcomes = _french(Stage), _french(Outcome)
    rows = procedures.order_by("case__reference", "parquet__name", "normalised_reference", "pk").values_list(
        "pk",
        "case__reference",
        "parquet__name",
        "parquet_reference",
        "opened_on",
        "case__platform__name",
        "stage",
        "outcome",
    )
    for pk, case_reference, parquet, reference, opened_on, platform, stage, outcome in rows.iterator(chunk_size=5000):
        yield [
            case_reference,
            parquet,
            reference,
            opened_on,
            LIST_SEPARATOR.join(offences[pk]),
            platform or "",
            LIST_SEPARATOR.join(victims[pk]),
            LIST_SEPARATOR.join(suspects[pk]),
            stages.get(stage, stage),
            outcomes.get(outcome, outcome),
        ]


def deadline_rows(deadlines: QuerySet[Deadline]) -> Iterator[list]:
    statuses = _french(DeadlineStatus)
    rules = dict(Deadline._meta.get_field("rule").choices)
    deadlines = deadlines.select_related("case", "procedure__parquet", "owner").order_by("due_on", "pk")
    for deadline in deadlines.iterator(chunk_size=2000):
        procedure = deadline.procedure
        owner = deadline.owner
        yield [
            deadline.case.reference,
            procedure.parquet.name if procedure else "",
            procedure.parquet_reference if procedure else "",
            str(rules.get(deadline.rule, deadline.rule)),
            deadline.trigger_date,
            deadline.due_on,
            deadline.computed_due_on,
            statuses.get(deadline.status, deadline.status),
            (owner.get_full_name() or owner.username) if owner else "",
            deadline.completed_on,
            deadline.override_reason,
        ]


def _dangerous(text: str) -> bool:
    # Text that already starts with `'` before a trigger is escaped too, so that the import's
    # unescape_formula (drop one `'`) gives every text back exactly.
    return text.lstrip("'").startswith(FORMULA_TRIGGERS)


def escape_formula(text: str) -> str:
    """Text made inert for a spreadsheet (OWASP CSV Injection: prefix with a single quote)."""
    return "'" + text if _dangerous(text) else text


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if _is_number(value):
        return str(value)  # digits, sign and point only: never a formula
    return escape_formula(str(value))


class _Echo:
    def write(self, value):
        return value


def csv_lines(headers: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The CSV as text pieces, for a streamed response (the first piece starts with the BOM)."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    yield "\ufeff" + writer.writerow(headers)
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])


def write_csv(handle, headers: list[str], rows: Iterable[list], *, bom: bool = True) -> int:
    """Write to a text handle (opened with newline=""); returns the number of data rows."""
    # Every cell quoted (OWASP CSV Injection): a separator or line break inside text can't start a cell.
    writer = csv.writer(handle, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    if bom:
        handle.write("\ufeff")
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow([_cell(value) for value in row])
        count += 1
    return count


def write_xlsx(handle, headers: list[str], rows: Iterable[list], *, title: str = "Procédures") -> int:
    """Write a one-sheet workbook (dates as date cells) to a binary handle; returns the row count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(headers)
    count = 0
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD/MM/YYYY"
                cells.append(cell)
            elif value is None or _is_number(value):
                cells.append("" if value is None else value)
            else:
                # openpyxl turns text starting with "=" into a formula: force a string cell, kept
                # exact (no `'` in the value), quote-prefixed when dangerous (OWASP CSV Injection).
                text = str(value)
                cell = WriteOnlyCell(sheet, value=text)
                cell.data_type = "s"
                if _dangerous(text):
                    cell.quotePrefix = True
                cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(handle)
    return count


def xlsx_bytes(headers: list[str], rows: Iterable[list], *, title: str) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, headers, rows, title=title)
    return buffer.getvalue()
