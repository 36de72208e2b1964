"""A generated dataset (generate_dataset, imported like a real file, then decisions, filings and
suspects added by SQL) and an independent computation of every figure, in Python, from the rows."""

import io
import statistics
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection

from cases.models import Platform, Role
from procedures.exports import write_csv
from procedures.imports import import_job_create, import_job_execute
from procedures.management.commands.generate_dataset import HEADERS, generate
from procedures.models import Decision, Filing, Procedure
from reports.statistics.compute import statistics_compute
from reports.statistics.sql import JUDGMENT_KINDS
from reports.statistics.synthetic import enrich
from tests.factories import CaseFactory, MembershipFactory, PlatformFactory, UserFactory


def import_generated(case, *, prefix: str = "", **sizes) -> None:
    buffer = io.StringIO()
    platform = case.platform.name if case.platform else ""
    # Columns: parquet, reference, opened_on, offences, platform, victims, stage, outcome.
    rows = [[r[0], prefix + r[1], r[2], r[3], platform, *r[5:]] for r in generate(minors=0.6, **sizes)]
    write_csv(buffer, HEADERS, rows, bom=False)
    job = import_job_create(user=None, case=case, data=buffer.getvalue().encode(), name="jeu.csv", dry_run=False)
    job = import_job_execute(job.pk)
    assert job.status == "done", job.error
    assert job.rejected_count == 0, job.rejected_rows[:3]
    with connection.cursor() as cursor:
        enrich(cursor, case_id=case.pk)


@dataclass
class Dataset:
    association: object
    other_association: object
    coco: Platform
    other_platform: Platform
    cases: list = field(default_factory=list)


@pytest.fixture
def dataset(association, other_association):
    """Association A: a Coco.gg case (600 procedures, 10 parquets, 40 victims) and a case on another
    platform (150 procedures); association B: 120 procedures of its own (never in A's figures)."""
    if not Platform.objects.filter(name="Coco.gg").exists():
        # A transactional test (worker, browser, concurrent runs) starts from a flushed database:
        # reload the reference data the migrations had loaded.
        call_command("load_reference_data", stdout=io.StringIO())
    coco = Platform.objects.get(name="Coco.gg")
    other = PlatformFactory(name="autre-plateforme.example")
    first = CaseFactory(association=association, reference="A-COCO", platform=coco)
    second = CaseFactory(association=association, reference="A-AUTRE", platform=other)
    outside = CaseFactory(association=other_association, reference="B-COCO", platform=coco)
    import_generated(first, procedures=600, parquets=10, victims=40, seed=11)
    import_generated(second, procedures=150, parquets=6, victims=12, seed=12, prefix="X")
    import_generated(outside, procedures=120, parquets=5, victims=9, seed=13)
    statistics_compute(full=True)
    return Dataset(association, other_association, coco, other, [first, second])


# The roles under the names these tests read best with (the users come from tests/conftest.py).
@pytest.fixture
def lawyer(owner):
    return owner


@pytest.fixture
def admin(association_admin):
    return association_admin


@pytest.fixture
def staff(colleague):
    return colleague


@pytest.fixture
def other_admin(other_association):
    return MembershipFactory(
        user=UserFactory(username="stats-other-admin"), association=other_association, role=Role.ADMIN
    ).user


# --- The independent computation: plain Python over the rows -------------------------------------


@dataclass
class Row:
    id: int
    parquet: int
    court: int
    platform: int | None
    opened_on: date | None
    stage: str
    outcome: str
    categories: set
    victims: set
    minors: set
    suspects: set
    filings: int
    decision_days: int | None
    judgment_days: int | None

    @property
    def month(self) -> str:
        return self.opened_on.strftime("%Y-%m") if self.opened_on else ""


def raw_rows(association_id: int) -> list[Row]:
    procedures = Procedure.objects.filter(association_id=association_id)
    rows = {}
    for pk, parquet, court, platform, opened_on, stage, outcome in procedures.values_list(
        "pk", "parquet_id", "parquet__court_of_appeal_id", "case__platform_id", "opened_on", "stage", "outcome"
    ):
        rows[pk] = Row(
            pk, parquet, court, platform, opened_on, stage, outcome, set(), set(), set(), set(), 0, None, None
        )
    for pk, categories in Procedure.offences.through.objects.filter(procedure__in=procedures).values_list(
        "procedure_id", "offence__categories"
    ):
        rows[pk].categories.update(categories)
    for pk, victim, minor in Procedure.victims.through.objects.filter(procedure__in=procedures).values_list(
        "procedure_id", "victim_id", "victim__minor_at_facts"
    ):
        rows[pk].victims.add(victim)
        if minor:
            rows[pk].minors.add(victim)
    for pk, suspect in Procedure.suspects.through.objects.filter(procedure__in=procedures).values_list(
        "procedure_id", "suspect_id"
    ):
        rows[pk].suspects.add(suspect)
    first_filed = {}
    for pk, filed_on in Filing.objects.filter(procedure__in=procedures, filed_on__isnull=False).values_list(
        "procedure_id", "filed_on"
    ):
        rows[pk].filings += 1
        first_filed[pk] = min(filed_on, first_filed.get(pk, filed_on))
    decisions = {}
    for pk, kind, decided_on in Decision.objects.filter(procedure__in=procedures).values_list(
        "procedure_id", "kind", "decided_on"
    ):
        decisions.setdefault(pk, []).append((kind, decided_on))
    for pk, items in decisions.items():
        row = rows[pk]
        first = min(day for _kind, day in items)
        if row.opened_on and first >= row.opened_on:
            row.decision_days = (first - row.opened_on).days
        if pk in first_filed:
            judgments = [day for kind, day in items if kind in JUDGMENT_KINDS and day >= first_filed[pk]]
            if judgments:
                row.judgment_days = (min(judgments) - first_filed[pk]).days
    return list(rows.values())


def quantiles(values):
    if not values:
        return None, None
    if len(values) == 1:
        return float(values[0]), float(values[0])
    return statistics.median(values), statistics.quantiles(values, n=10, method="inclusive")[-1]


def expected(rows: list[Row]) -> dict:
    decision = quantiles([r.decision_days for r in rows if r.decision_days is not None])
    judgment = quantiles([r.judgment_days for r in rows if r.judgment_days is not None])
    return {
        "procedures": len(rows),
        "victims": len(set().union(*(r.victims for r in rows))),
        "minor_victims": len(set().union(*(r.minors for r in rows))),
        "suspects": len(set().union(*(r.suspects for r in rows))),
        "filings": sum(r.filings for r in rows),
        "convictions": sum(1 for r in rows if r.outcome == "conviction"),
        "decision_median": decision[0],
        "decision_p90": decision[1],
        "judgment_median": judgment[0],
        "judgment_p90": judgment[1],
    }


def close(measures: dict, wanted: dict) -> bool:
    for name, value in wanted.items():
        got = measures.get(name)
        if value is None or got is None:
            if value != got:
                return False
        elif abs(got - value) > 1e-9:
            return False
    return True


# --- The solver, run on a stored release against the fact rows ---------------------------


def release_failures(figures: dict) -> list:
    """Run the interval audit on a stored release, for the public and every association, from the
    fact rows (what each association knows of its own figures): empty when nothing is narrowed."""
    from reports.statistics.audit import failures
    from reports.statistics.models import StatisticsFact
    from reports.statistics.publication import Period, threshold
    from reports.statistics.suppression import protections, with_margins

    table = figures["table"]
    period = Period.parse(figures["period"])
    months = {f"{month:%m/%Y}": index for index, month in enumerate(period.months)}
    names = {name: index for index, name in enumerate(table["rows"])}
    height, width = len(names) + 1, len(months) + 1
    people: dict = {}
    counts: dict = {}
    facts = StatisticsFact.objects.filter(month__range=(period.month_from, period.month_to)).values_list(
        "association_id", "court_of_appeal__name", "month", "victims"
    )
    for association, court, month, victims in facts:
        i, j = names[court], months[f"{month:%m/%Y}"]
        for owner in (None, association):
            for cell in ((i, j), (i, width - 1), (height - 1, j), (height - 1, width - 1)):
                counts.setdefault(owner, {}).setdefault(cell, 0)
                counts[owner][cell] += 1
                people.setdefault(owner, {}).setdefault(cell, set()).update(victims)

    def grid(owner, measure):
        return [[measure(owner, (i, j)) for j in range(width)] for i in range(height)]

    def count(owner, cell):
        return counts.get(owner, {}).get(cell, 0)

    def distinct(owner, cell):
        return len(people.get(owner, {}).get(cell, ()))

    values = grid(None, count)
    assert values == with_margins([row[:-1] for row in values[:-1]])
    associations = [owner for owner in counts if owner is not None]
    owns = {a: grid(a, count) for a in associations}
    needed = protections(values, grid(None, distinct), owns, {a: grid(a, distinct) for a in associations}, threshold())
    published = table["values"]
    masked = {(i, j) for i, row in enumerate(published) for j, value in enumerate(row) if value is None}
    assert all(published[i][j] in (None, values[i][j]) for i in range(height) for j in range(width))
    return failures(values, masked, needed, owns)
