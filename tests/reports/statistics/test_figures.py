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


def test_people_are_counted_once_per_figure_whatever_their_ids():
    """The distinct counts over fact rows written by hand, with ids in one word, one block, many
    blocks, up to the top of bigint: every figure, and the parts of a rebuild (split by block)
    adding up to it, against sets of ids counted in Python."""
    import random

    from django.db import connection

    from reports.statistics.sql import BLOCK_SHIFT, CATEGORIES, FACT, people_sql

    rng = random.Random(7)
    # The same bit of every word of two blocks, then ids far apart.
    ids = [1 + 64 * word for word in range(16)] + [2, 63, 64, 511, 4095, 4096, 10**6, 2**40 + 7, 2**62 + 1, 2**63 - 1]
    courts = {1: 10, 2: 10, 3: 20}
    facts = []
    for number in range(200):
        victims = rng.sample(ids, rng.randint(0, 4))
        parquet = rng.choice(list(courts))
        facts.append(
            {
                "procedure_id": number + 1,
                "parquet_id": parquet,
                "court_of_appeal_id": courts[parquet],
                "platform_id": rng.choice([None, 5]),
                "month": rng.choice([None, date(2024, 1, 1), date(2024, 6, 1)]),
                "outcome": rng.choice(["pending", "conviction"]),
                "stage": rng.choice(["investigation", "trial"]),
                "categories": rng.sample(["rape", "drugs", "procuring"], rng.randint(0, 2)),
                "victims": victims,
                "minor_victims": [v for v in victims if v % 2],
                "suspects": rng.sample(ids, rng.randint(0, 3)),
            }
        )
    for fact in facts:
        fact["category_bits"] = sum(1 << CATEGORIES.index(name) for name in fact["categories"])
    keys = {
        "total": lambda f: [""],
        "parquet": lambda f: [str(f["parquet_id"])],
        "court_of_appeal": lambda f: [str(f["court_of_appeal_id"])],
        "platform": lambda f: [str(f["platform_id"] or "")],
        "month": lambda f: [f["month"].strftime("%Y-%m") if f["month"] else ""],
        "outcome": lambda f: [f["outcome"]],
        "stage": lambda f: [f["stage"]],
        "category": lambda f: f["categories"],
    }
    expected = defaultdict(lambda: [set(), set(), set()])
    for fact in facts:
        for dimension, key in keys.items():
            for value in key(fact):
                people = expected[(dimension, value)]
                people[0].update(fact["victims"])
                people[1].update(fact["minor_victims"])
                people[2].update(fact["suspects"])
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE hand_facts (LIKE {FACT})")
        for fact in facts:
            cursor.execute(
                "INSERT INTO hand_facts (association_id, filings, procedure_id, parquet_id, court_of_appeal_id, "
                "platform_id, month, outcome, stage, category_bits, victims, minor_victims, suspects) "
                "VALUES (1, 0, %(procedure_id)s, %(parquet_id)s, %(court_of_appeal_id)s, %(platform_id)s, %(month)s, "
                "%(outcome)s, %(stage)s, %(category_bits)s, %(victims)s, %(minor_victims)s, %(suspects)s)",
                fact,
            )

        def counted(kind, item_where="TRUE"):
            cursor.execute(people_sql("hand_facts", kind, item_where=item_where))
            return {(dimension, key): counts for _association, dimension, key, *counts in cursor.fetchall()}

        for kind, columns in (("victims", (0, 1)), ("suspects", (2,))):
            whole = counted(kind)
            want = {
                figure: [len(people[c]) for c in columns]
                for figure, people in expected.items()
                if any(people[c] for c in columns)
            }
            assert {figure: [counts[c] for c in columns] for figure, counts in whole.items()} == want, kind
            parts = [counted(kind, f"mod(item >> {BLOCK_SHIFT}, 2) = {part}") for part in (0, 1)]
            assert all(parts), "both parts hold people"
            for figure, counts in whole.items():
                assert [sum(part.get(figure, [0, 0, 0])[c] for part in parts) for c in range(3)] == counts


def test_an_offence_category_outside_the_list_is_refused():
    """The facts hold a procedure's categories as bits of a bigint, one per known category: an
    unknown one would be counted nowhere, so the base refuses it."""
    from django.db import IntegrityError, transaction

    from cases.models import Offence, OffenceCategory
    from reports.statistics.sql import CATEGORIES

    assert set(CATEGORIES) == set(OffenceCategory.values)  # append a new category to CATEGORIES
    assert len(CATEGORIES) == len(set(CATEGORIES)) < 64
    offence = Offence.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Offence.objects.filter(pk=offence.pk).update(categories=["rape", "not-a-category"])
    Offence.objects.filter(pk=offence.pk).update(categories=["rape", "drugs"])
