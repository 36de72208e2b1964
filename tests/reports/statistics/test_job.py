"""The statistics job: idempotent, safe when run concurrently, incremental equal to a rebuild."""

import random
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction

from cases.models import Parquet
from procedures.models import Decision, Filing, FilingMode, FilingStatus, LegalBasis, Outcome, Procedure
from reports.statistics.compute import statistics_compute
from reports.statistics.figures import StatisticsFilter, compute_rows
from reports.statistics.models import (
    RunStatus,
    StatisticsChange,
    StatisticsFact,
    StatisticsFigure,
    StatisticsHistogram,
)
from tests.factories import ParquetFactory, VictimFactory

from .conftest import close, expected, raw_rows


def snapshot() -> list[list[tuple]]:
    """Every fact row, stored figure and histogram count, arrays sorted (their order means nothing)."""
    facts = []
    for fact in StatisticsFact.objects.order_by("procedure_id"):
        facts.append(
            (
                fact.procedure_id,
                fact.association_id,
                fact.parquet_id,
                fact.court_of_appeal_id,
                fact.platform_id,
                fact.month,
                fact.stage,
                fact.outcome,
                fact.category_bits,
                fact.filings,
                fact.decision_days,
                fact.judgment_days,
                tuple(sorted(fact.victims)),
                tuple(sorted(fact.minor_victims)),
                tuple(sorted(fact.suspects)),
            )
        )
    histograms = list(
        StatisticsHistogram.objects.order_by("association", "dimension", "key", "kind", "days").values_list(
            "association", "dimension", "key", "kind", "days", "count"
        )
    )
    figures = list(
        StatisticsFigure.objects.order_by("association", "dimension", "key").values_list(
            "association",
            "dimension",
            "key",
            "procedures",
            "victims",
            "minor_victims",
            "suspects",
            "filings",
            "convictions",
            "decision_median",
            "decision_p90",
            "judgment_median",
            "judgment_p90",
        )
    )
    return [facts, figures, histograms]


@pytest.mark.django_db
def test_running_the_job_twice_changes_nothing(dataset):
    before = snapshot()
    assert statistics_compute(full=True).status == RunStatus.DONE
    assert snapshot() == before
    assert statistics_compute(full=False).procedures == 0
    assert snapshot() == before


@pytest.mark.django_db
def test_offences_far_apart_are_read_row_by_row_with_the_same_facts(dataset, monkeypatch):
    """The offences' category bits go with the query as an array subscripted by offence id;
    when their ids span too much for an array, the facts read the offences' categories row by
    row instead, and come out the same."""
    from reports.statistics import sql

    assert sql.offence_bits_sql([(5, ["rape"]), (8, ["drugs", "rape", "rape"]), (9, [])]) == (
        f"('[5:9]={{{1 << 2},0,0,{(1 << 2) | (1 << 6)},0}}'::int8[])"
    )
    assert sql.offence_bits_sql([]) is None
    before = snapshot()
    monkeypatch.setattr(sql, "OFFENCE_BITS_SPAN", 0)
    assert sql.offence_bits_sql([(5, ["rape"])]) is None
    assert statistics_compute(full=True).status == RunStatus.DONE
    assert snapshot() == before


@pytest.mark.django_db
def test_a_change_marks_only_the_procedure_it_touches(dataset):
    procedure = Procedure.objects.filter(association=dataset.association, opened_on__isnull=False).first()
    procedure.outcome = Outcome.CONVICTION
    procedure.save()
    assert set(StatisticsChange.objects.values_list("procedure_id", flat=True)) == {procedure.pk}


def _changes(dataset):
    procedures = Procedure.objects.filter(association=dataset.association, opened_on__isnull=False).order_by("pk")
    moved = procedures[0]
    moved.parquet = ParquetFactory()  # another parquet and another court of appeal
    moved.opened_on = moved.opened_on - timedelta(days=400)
    moved.outcome = Outcome.CONVICTION
    moved.save()
    with_victim = procedures[1]
    with_victim.victims.add(
        VictimFactory(case=with_victim.case, pseudonym="V-NOUVELLE", birth_date=None, age_at_facts=12)
    )
    filed = procedures[2]
    Filing.objects.create(
        procedure=filed,
        association=dataset.association,
        mode=FilingMode.HEARING,
        legal_basis=LegalBasis.ART_2_3,
        status=FilingStatus.FILED,
        filed_on=filed.opened_on + timedelta(days=3),
    )
    Decision.objects.filter(procedure__in=procedures[3:6]).delete()
    victim = procedures.filter(victims__isnull=False).first().victims.first()
    victim.age_at_facts = 30 if victim.minor_at_facts else 10
    victim.birth_date = None
    victim.save()
    procedures[6].offences.clear()


@pytest.mark.django_db
def test_an_incremental_refresh_equals_a_full_rebuild(dataset):
    _changes(dataset)
    run = statistics_compute(full=False)
    assert run.status == RunStatus.DONE
    assert 0 < run.procedures < 100
    incremental = snapshot()
    statistics_compute(full=True)
    assert snapshot() == incremental
    rows = raw_rows(dataset.association.pk)
    assert close(compute_rows(StatisticsFilter(dataset.association.pk))[("total", "")], expected(rows))


@pytest.mark.django_db
def test_deleting_procedures_removes_their_figures(dataset):
    case = dataset.cases[1]
    Decision.objects.filter(procedure__case=case).delete()
    Filing.objects.filter(procedure__case=case).delete()
    for through in (Procedure.victims.through, Procedure.offences.through, Procedure.suspects.through):
        through.objects.filter(procedure__case=case).delete()
    case.timeline.all().delete()
    case.procedures.all().delete()
    statistics_compute(full=False)
    assert not StatisticsFact.objects.filter(platform=dataset.other_platform).exists()
    assert not StatisticsFigure.objects.filter(dimension="platform", key=str(dataset.other_platform.pk)).exists()
    assert compute_rows(StatisticsFilter(dataset.association.pk))[("total", "")]["procedures"] == 600


@pytest.mark.django_db
def test_a_full_rebuild_with_no_procedure_left_empties_everything(dataset):
    statistics_compute(full=True)
    Decision.objects.all().delete()
    Filing.objects.all().delete()
    for through in (Procedure.victims.through, Procedure.offences.through, Procedure.suspects.through):
        through.objects.all().delete()
    for case in dataset.cases:
        case.timeline.all().delete()
    Procedure.objects.all().delete()
    assert statistics_compute(full=True).procedures == 0
    assert not StatisticsFact.objects.exists()
    assert not StatisticsFigure.objects.exists()
    assert not StatisticsHistogram.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_full_runs_never_double_a_figure(dataset):
    before = snapshot()
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(statistics_compute(full=True).status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) in (["done", "done"], ["done", "skipped"])
    assert snapshot() == before
    total = compute_rows(StatisticsFilter(dataset.association.pk))[("total", "")]
    assert total["procedures"] == 750


@pytest.mark.django_db(transaction=True)
def test_a_run_finds_the_lock_taken_and_does_nothing(dataset):
    from reports.statistics.compute import LOCK_KEY

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            assert statistics_compute(full=True).status == RunStatus.SKIPPED
            cursor.execute("ROLLBACK")
    finally:
        other.close()
    assert statistics_compute(full=True).status == RunStatus.DONE


@pytest.mark.django_db
def test_the_command_rebuilds_and_says_so(dataset):
    out = StringIO()
    call_command("compute_statistics", "--full", stdout=out)
    assert "Reconstruction complète" in out.getvalue()
    out = StringIO()
    call_command("compute_statistics", stdout=out)
    assert "0 procédures" in out.getvalue()
    assert connection.in_atomic_block  # the test's transaction, untouched by the job's own


@pytest.mark.django_db
def test_rounds_of_random_changes_refreshed_incrementally_end_where_a_rebuild_does(dataset):
    """Victims and suspects in several procedures are what makes incremental distinct counts
    hard: a person leaves a figure only when no other procedure keeps them in it."""
    rng = random.Random(2024)
    parquets = list(Parquet.objects.filter(pk__in=Procedure.objects.values("parquet")))
    for _round in range(4):
        procedures = list(Procedure.objects.filter(association=dataset.association).order_by("pk"))
        for procedure in rng.sample(procedures, 25):
            action = rng.choice(["outcome", "parquet", "date", "victim", "unlink", "suspect", "decision"])
            if action == "outcome":
                procedure.outcome = rng.choice([Outcome.CONVICTION, Outcome.PENDING, Outcome.CLASSEMENT])
                procedure.save()
            elif action == "parquet":
                procedure.parquet = rng.choice(parquets)
                procedure.save()
            elif action == "date" and procedure.opened_on:
                procedure.opened_on -= timedelta(days=rng.randint(20, 400))
                procedure.save()
            elif action == "victim":
                victims = list(procedure.case.victims.all())
                procedure.victims.add(rng.choice(victims))
            elif action == "unlink":
                linked = list(procedure.victims.all())
                if linked:
                    procedure.victims.remove(rng.choice(linked))
            elif action == "suspect":
                suspects = list(procedure.case.suspects.all())
                if suspects:
                    procedure.suspects.add(rng.choice(suspects))
            else:
                Decision.objects.filter(procedure=procedure).delete()
        assert statistics_compute(full=False).status == RunStatus.DONE
    incremental = snapshot()
    statistics_compute(full=True)
    assert snapshot() == incremental


@pytest.mark.django_db
def test_facts_emptied_by_a_crash_make_the_next_run_a_full_rebuild(dataset):
    # Facts and histograms are UNLOGGED: PostgreSQL empties them after a crash, figures stay.
    before = snapshot()
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'reports_statistics_fact'")
        assert cursor.fetchone()[0] == "u"
        cursor.execute("TRUNCATE reports_statistics_fact, reports_statistics_histogram")
    run = statistics_compute(full=False)
    assert run.procedures == 870
    assert snapshot() == before


@pytest.mark.django_db
def test_a_full_rebuild_builds_again_the_keys_and_indexes_it_drops(dataset):
    # The facts are written into a new table that replaces the old one: same columns in the same
    # order, types, NOT NULL, CHECK, persistence (UNLOGGED), keys and indexes.
    def definitions():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT attrelid::regclass::text, attnum, attname, format_type(atttypid, atttypmod), attnotnull "
                "FROM pg_attribute WHERE attrelid IN ('reports_statistics_fact'::regclass, "
                "'reports_statistics_histogram'::regclass) AND attnum > 0 AND NOT attisdropped ORDER BY 1, 2"
            )
            columns = cursor.fetchall()
            cursor.execute(
                "SELECT relname, relpersistence FROM pg_class "
                "WHERE relname IN ('reports_statistics_fact', 'reports_statistics_histogram') ORDER BY 1"
            )
            persistence = cursor.fetchall()
            cursor.execute(
                "SELECT indrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid IN ('reports_statistics_fact'::regclass, 'reports_statistics_histogram'::regclass) "
                "ORDER BY 1, 2"
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid IN ('reports_statistics_fact'::regclass, 'reports_statistics_histogram'::regclass) "
                "ORDER BY 1"
            )
            return indexes, cursor.fetchall(), columns, persistence

    before = definitions()
    assert any("PRIMARY KEY" in definition for _name, definition in before[1])
    assert any("statistics_histogram_unique" in name for name, _definition in before[1])
    assert any("CHECK ((filings >= 0))" in definition for _name, definition in before[1])
    assert before[3] == [("reports_statistics_fact", "u"), ("reports_statistics_histogram", "u")]
    assert statistics_compute(full=True).status == RunStatus.DONE
    assert definitions() == before
    # The keys hold again: a second fact row for a procedure is refused.
    fact = StatisticsFact.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatisticsFact.objects.create(
            procedure_id=fact.procedure_id,
            association_id=fact.association_id,
            parquet_id=fact.parquet_id,
            court_of_appeal_id=fact.court_of_appeal_id,
            stage=fact.stage,
            outcome=fact.outcome,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        StatisticsFact.objects.filter(pk=fact.pk).update(filings=-1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('reports_statistics_rebuilt')")
        assert cursor.fetchone()[0] is None  # nothing left aside
