"""The statistics job: idempotent, safe when run concurrently, incremental equal to a rebuild."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections

from procedures.models import Decision, Filing, FilingMode, FilingStatus, LegalBasis, Outcome, Procedure
from reports.statistics.compute import statistics_compute
from reports.statistics.figures import StatisticsFilter, compute_rows
from reports.statistics.models import RunStatus, StatisticsCell, StatisticsChange, StatisticsFigure
from tests.factories import ParquetFactory, VictimFactory

from .conftest import close, expected, raw_rows


def snapshot() -> list[tuple]:
    """Every cell and stored figure, arrays sorted (their order carries no meaning)."""
    cells = []
    for cell in StatisticsCell.objects.order_by("association", "parquet", "platform", "month", "category"):
        cells.append(
            (
                cell.association_id,
                cell.parquet_id,
                cell.platform_id,
                cell.month,
                cell.category,
                cell.procedures,
                cell.convictions,
                cell.filings,
                tuple(sorted(cell.outcomes.items())),
                tuple(sorted(cell.stages.items())),
                tuple(sorted(cell.victims)),
                tuple(sorted(cell.minor_victims)),
                tuple(sorted(cell.suspects)),
                tuple(sorted(cell.decision_days)),
                tuple(sorted(cell.judgment_days)),
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
    return [cells, figures]


@pytest.mark.django_db
def test_running_the_job_twice_changes_nothing(dataset):
    before = snapshot()
    assert statistics_compute(full=True).status == RunStatus.DONE
    assert snapshot() == before
    assert statistics_compute(full=False).slices == 0
    assert snapshot() == before


@pytest.mark.django_db
def test_a_change_marks_only_the_slices_it_touches(dataset):
    procedure = Procedure.objects.filter(association=dataset.association, opened_on__isnull=False).first()
    procedure.outcome = Outcome.CONVICTION
    procedure.save()
    month = procedure.opened_on.replace(day=1)
    assert list(StatisticsChange.objects.values_list("association_id", "parquet_id", "month").distinct()) == [
        (dataset.association.pk, procedure.parquet_id, month)
    ]


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
    assert 0 < run.slices < 100
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
    assert not StatisticsCell.objects.filter(platform=dataset.other_platform).exists()
    assert compute_rows(StatisticsFilter(dataset.association.pk))[("total", "")]["procedures"] == 600


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
    assert "0 tranches" in out.getvalue()
    assert connection.in_atomic_block  # the test's transaction, untouched by the job's own
