"""Every figure against an independent computation in Python on the generated rows."""

from collections import defaultdict
from datetime import date

import pytest

from reports.statistics.figures import StatisticsFilter, compute_rows, figures_for, stored_rows

from .conftest import close, expected, raw_rows

pytestmark = pytest.mark.django_db


def _groups(rows, key):
    groups = defaultdict(list)
    for row in rows:
        for value in key(row):
            groups[value].append(row)
    return groups


def check(result: dict, rows, *, categories_filter=None) -> None:
    assert close(result[("total", "")], expected(rows)), (result[("total", "")], expected(rows))
    by = {
        "parquet": lambda r: [str(r.parquet)],
        "court_of_appeal": lambda r: [str(r.court)],
        "platform": lambda r: [str(r.platform) if r.platform else ""],
        "month": lambda r: [r.month],
        "category": lambda r: [c for c in r.categories if categories_filter in (None, c)],
    }
    for dimension, key in by.items():
        groups = _groups(rows, key)
        got = {k: v for (d, k), v in result.items() if d == dimension and v["procedures"]}
        assert set(got) == set(groups), dimension
        for value, members in groups.items():
            assert close(got[value], expected(members)), (dimension, value, got[value], expected(members))
    for dimension, attribute in (("outcome", "outcome"), ("stage", "stage")):
        counts = defaultdict(int)
        for row in rows:
            counts[getattr(row, attribute)] += 1
        got = {k: v["procedures"] for (d, k), v in result.items() if d == dimension}
        assert got == dict(counts)


def test_every_figure_equals_an_independent_computation(dataset):
    rows = raw_rows(dataset.association.pk)
    assert len(rows) == 750
    assert sum(1 for r in rows if r.decision_days is not None) > 50
    assert sum(1 for r in rows if r.judgment_days is not None) > 5
    check(compute_rows(StatisticsFilter(dataset.association.pk)), rows)


def test_the_stored_figures_are_those_computed_from_the_facts(dataset):
    stored = stored_rows(dataset.association.pk)
    computed = compute_rows(StatisticsFilter(dataset.association.pk))
    assert set(stored) == set(computed)
    for key, value in computed.items():
        assert close(stored[key], value), key


@pytest.mark.parametrize(
    "options",
    [
        {"month_from": date(2022, 3, 1), "month_to": date(2023, 8, 1)},
        {"category": "procuring"},
        {"platform": "coco"},
        {"court": True, "category": "sexual_offence_minor", "month_from": date(2023, 1, 1)},
    ],
)
def test_filtered_figures_equal_an_independent_computation(dataset, options):
    rows = raw_rows(dataset.association.pk)
    flt = {"association_id": dataset.association.pk}
    if "month_from" in options:
        flt["month_from"] = options["month_from"]
        rows = [r for r in rows if r.opened_on and r.opened_on >= options["month_from"]]
    if "month_to" in options:
        flt["month_to"] = options["month_to"]
        rows = [r for r in rows if r.opened_on and r.opened_on < date(2023, 9, 1)]
    if "category" in options:
        flt["category"] = options["category"]
        rows = [r for r in rows if options["category"] in r.categories]
    if "platform" in options:
        flt["platform_id"] = dataset.coco.pk
        rows = [r for r in rows if r.platform == dataset.coco.pk]
    if options.get("court"):
        court = rows[0].court
        flt["court_of_appeal_id"] = court
        rows = [r for r in rows if r.court == court]
    assert rows
    check(compute_rows(StatisticsFilter(**flt)), rows, categories_filter=options.get("category"))


def test_another_associations_procedures_never_count(dataset):
    mine = figures_for(StatisticsFilter(dataset.association.pk)).totals
    theirs = figures_for(StatisticsFilter(dataset.other_association.pk)).totals
    assert mine["procedures"] == 750
    assert theirs["procedures"] == 120
    everyone = compute_rows(StatisticsFilter(None))[("total", "")]
    assert everyone["procedures"] == 870
    assert everyone["victims"] == mine["victims"] + theirs["victims"]  # victims belong to one case


def test_the_headline_counts_parquets_with_procedures(dataset):
    rows = raw_rows(dataset.association.pk)
    totals = figures_for(StatisticsFilter(dataset.association.pk)).totals
    assert totals["parquets"] == len({r.parquet for r in rows})


def test_filtered_figures_are_kept_until_the_job_runs_again(dataset):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from procedures.models import Procedure
    from reports.statistics.compute import statistics_compute

    procedure = Procedure.objects.filter(association=dataset.association).first()
    flt = StatisticsFilter(dataset.association.pk, parquet_id=procedure.parquet_id)
    before = figures_for(flt).totals["procedures"]
    assert before == len([r for r in raw_rows(dataset.association.pk) if r.parquet == procedure.parquet_id])
    with CaptureQueriesContext(connection) as queries:
        assert figures_for(flt).totals["procedures"] == before
    assert not any("reports_statistics_fact" in query["sql"] for query in queries.captured_queries)
    # Another association asking the same filter gets its own figures, never these.
    theirs = StatisticsFilter(dataset.other_association.pk, parquet_id=procedure.parquet_id)
    assert figures_for(theirs).totals["procedures"] == len(
        [r for r in raw_rows(dataset.other_association.pk) if r.parquet == procedure.parquet_id]
    )
    other = Procedure.objects.filter(association=dataset.association).exclude(parquet=procedure.parquet_id).first()
    Procedure.objects.filter(pk=procedure.pk).update(parquet=other.parquet_id)
    assert figures_for(flt).totals["procedures"] == before  # the facts have not moved yet
    statistics_compute()
    assert figures_for(flt).totals["procedures"] == before - 1
