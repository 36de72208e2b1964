"""Planning a chunk: for each valid row, what is stored for its procedure (one query for the
chunk) and so what the import would do with it: create it, update some of its fields, or leave it
unchanged (no write, no history row: the same file imported twice changes nothing). The dry run
stops here; the apply hands the plan to writing.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cases.models import Case

from ..models.imports import REJECTED_ROWS_KEPT
from .persons import CasePersons
from .reading import FIELD_LABELS
from .sql import Existing, fetch_existing
from .validation import Catalogue, Row

SAMPLES_KEPT = 50


@dataclass
class Totals:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejected_rows: list = field(default_factory=list)
    samples: dict = field(default_factory=lambda: {"create": [], "update": [], "unchanged": []})

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejected_rows) < REJECTED_ROWS_KEPT:
            self.rejected_rows.append({"line": line, "reason": reason})

    def sample(self, kind: str, row: Row, catalogue: Catalogue, changes=()) -> None:
        if len(self.samples[kind]) < SAMPLES_KEPT:
            entry = {"line": row.line, "parquet": catalogue.parquet_names[row.parquet_id], "reference": row.reference}
            if changes:
                entry["changes"] = [FIELD_LABELS.get(name, name) for name in changes]
            self.samples[kind].append(entry)


@dataclass(slots=True)
class Planned:
    row: Row
    victim_ids: frozenset | None
    suspect_ids: frozenset | None
    existing: Existing | None = None
    changes: tuple = ()


def short_years(rows) -> dict:
    """How many opening dates had a two-digit year, and one example of how it was read."""
    short = [row for row in rows if row.short_year_text]
    if not short:
        return {}
    return {"count": len(short), "written": short[0].short_year_text, "read": f"{short[0].opened_on:%d/%m/%Y}"}


class Planner:
    """What each row of a chunk would do, against what is stored."""

    def __init__(self, case: Case, catalogue: Catalogue, persons: CasePersons):
        self.case = case
        self.catalogue = catalogue
        self.persons = persons
        self._case_references: dict[int, str] = {}

    def _case_reference(self, case_id: int) -> str:
        if case_id not in self._case_references:
            self._case_references[case_id] = Case.objects.filter(pk=case_id).values_list("reference", flat=True).first()
        return self._case_references[case_id]

    def plan(self, rows: list[Row], totals: Totals) -> list[Planned]:
        """What each valid row would do; unchanged rows are counted here and go no further."""
        existing = fetch_existing(self.case.association_id, [row.key for row in rows])
        planned = []
        for row in rows:
            victim_ids = self.persons.victim_ids(row)
            suspect_ids = self.persons.suspect_ids(row)
            current = existing.get(row.key)
            if current is None:
                planned.append(Planned(row, victim_ids, suspect_ids))
                totals.created += 1
                totals.sample("create", row, self.catalogue)
                continue
            if current.case_id != self.case.pk:
                reference = self._case_reference(current.case_id)
                totals.reject(
                    row.line,
                    _("ce numéro est déjà enregistré pour ce parquet dans l'affaire %(case)s") % {"case": reference},
                )
                continue
            changes = tuple(
                name
                for name, new, old in (
                    ("parquet_reference", row.reference, current.parquet_reference),
                    ("opened_on", row.opened_on if row.has_opened_on else current.opened_on, current.opened_on),
                    ("stage", row.stage or current.stage, current.stage),
                    ("outcome", row.outcome or current.outcome, current.outcome),
                    ("victims", current.victim_ids if victim_ids is None else victim_ids, current.victim_ids),
                    ("suspects", current.suspect_ids if suspect_ids is None else suspect_ids, current.suspect_ids),
                    (
                        "offences",
                        row.offence_ids if row.offence_ids is not None else current.offence_ids,
                        current.offence_ids,
                    ),
                )
                if new != old
            )
            if not changes:
                totals.unchanged += 1
                totals.sample("unchanged", row, self.catalogue)
                continue
            planned.append(Planned(row, victim_ids, suspect_ids, current, changes))
            totals.updated += 1
            totals.sample("update", row, self.catalogue, changes)
        return planned
