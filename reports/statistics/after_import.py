"""Figures current within a minute of an applied import, without an admin clicking « Recalculer »:
the import's signal queues an incremental run once the import's rows are committed."""

from django.db import connection, transaction

from .models import RunMode, RunStatus, StatisticsRun
from .services import statistics_run_enqueue
from .sql import CHANGE


def statistics_refresh_after_import(*, job_id: int | None = None) -> StatisticsRun:
    """Two imports finishing together share one queued run: it has not started, so it will read
    both imports' rows. A run already going may have missed them: a new one is queued. Also
    queued when procedures are grouped as duplicates (linking), with no job."""
    with transaction.atomic():
        queued = (
            StatisticsRun.objects.select_for_update(skip_locked=True)
            .filter(status=RunStatus.QUEUED, mode=RunMode.INCREMENTAL, requested_by=None)
            .order_by("pk")
            .first()
        )
        if queued is not None:
            return queued
        run = statistics_run_enqueue(user=None, task="reports.compute_statistics_after_import")
    return run


def on_import_applied(sender, *, job_id: int, **kwargs) -> None:
    transaction.on_commit(lambda: statistics_refresh_after_import(job_id=job_id))


def on_procedures_grouped(sender, *, procedure_ids, **kwargs) -> None:
    """A duplicate pair judged the same, or the judgement withdrawn: their fact rows change (the
    later one leaves the figures, or comes back) at the next incremental run."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {CHANGE} (procedure_id) SELECT unnest(%s::bigint[])",
            [list(procedure_ids)],
        )
    transaction.on_commit(statistics_refresh_after_import)
