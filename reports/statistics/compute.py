"""The statistics job: writes the cells of the slices that changed (or of everything), then the
default figures of the associations they belong to. Everything is computed by PostgreSQL; Python
only receives the aggregated figures (a few hundred rows per association).

Safe to run twice or concurrently: the whole run is one transaction holding an advisory lock
(a second run finds it taken and stops, marked « skipped »), cells are deleted then inserted in
that transaction, and a unique constraint on each slice forbids a doubled row in any case."""

import logging
import time

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from cases.models import Association

from . import figures
from .models import RunMode, RunStatus, StatisticsCell, StatisticsFigure, StatisticsRun
from .sql import CELL, CHANGE, NO_MONTH, cells_statements

logger = logging.getLogger(__name__)

# pg_try_advisory_xact_lock key: « STAT » in ASCII. Only this job takes it.
LOCK_KEY = 0x53544154


def statistics_run_request(*, user=None, full: bool = False) -> StatisticsRun:
    """A run asked for (admin button, command, beat); the task claims it by id."""
    return StatisticsRun.objects.create(mode=RunMode.FULL if full else RunMode.INCREMENTAL, requested_by=user)


def statistics_compute(*, full: bool = False, run_id: int | None = None) -> StatisticsRun | None:
    """Run the job. With run_id, only a run still queued is done (a task delivered twice does it
    once). Returns the run, or None when the run was already claimed."""
    if run_id is None:
        run = statistics_run_request(full=full)
    else:
        run = StatisticsRun.objects.filter(pk=run_id).first()
        if run is None:
            return None
        full = run.mode == RunMode.FULL
    started = time.perf_counter()
    with transaction.atomic():
        if not StatisticsRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(status=RunStatus.RUNNING):
            return None
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
            if not cursor.fetchone()[0]:
                locked = False
            else:
                locked = True
                slices, associations = _refresh_cells(cursor, full=full)
                cells = _refresh_figures(associations)
        now = timezone.now()
        seconds = time.perf_counter() - started
        if locked:
            StatisticsRun.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE, finished_at=now, slices=slices, cells=cells, seconds=seconds
            )
        else:
            StatisticsRun.objects.filter(pk=run.pk).update(status=RunStatus.SKIPPED, finished_at=now, seconds=seconds)
    run.refresh_from_db()
    logger.info("Statistiques : %s (%s), %.2f s", run.get_mode_display(), run.get_status_display(), seconds)
    return run


def _refresh_cells(cursor, *, full: bool) -> tuple[int, list[int]]:
    """Rewrite the cells; returns the number of slices refreshed and the associations touched."""
    if full:
        cursor.execute(f"DELETE FROM {CHANGE}")  # noqa: S608 - constant table names
        cursor.execute(f"SELECT DISTINCT association_id FROM {CELL}")  # noqa: S608
        before = {row[0] for row in cursor.fetchall()}
        cursor.execute(f"DELETE FROM {CELL}")  # noqa: S608
        _insert_cells(cursor, sliced=False)
        cursor.execute(f"SELECT DISTINCT association_id FROM {CELL}")  # noqa: S608
        after = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT association_id, parquet_id, month FROM {CELL}) AS s"  # noqa: S608
        )
        slices = cursor.fetchone()[0]
        # Associations with no procedure left keep no stale figures either.
        stale = set(StatisticsFigure.objects.values_list("association_id", flat=True).distinct())
        return slices, sorted(before | after | stale)
    cursor.execute(
        "CREATE TEMPORARY TABLE statistics_slice (association_id bigint, parquet_id bigint, month date) ON COMMIT DROP"
    )
    # Claimed by deleting them: a change written meanwhile by another transaction stays for the next run.
    cursor.execute(
        f"WITH claimed AS (DELETE FROM {CHANGE} RETURNING association_id, parquet_id, month) "  # noqa: S608
        "INSERT INTO statistics_slice SELECT DISTINCT association_id, parquet_id, month FROM claimed"
    )
    slices = cursor.rowcount
    if not slices:
        cursor.execute("DROP TABLE statistics_slice")
        return 0, []
    cursor.execute("ANALYZE statistics_slice")
    cursor.execute(
        f"DELETE FROM {CELL} c USING statistics_slice s WHERE c.association_id = s.association_id "  # noqa: S608
        f"AND c.parquet_id = s.parquet_id AND coalesce(c.month, {NO_MONTH}) = coalesce(s.month, {NO_MONTH})"
    )
    _insert_cells(cursor, sliced=True)
    cursor.execute("SELECT DISTINCT association_id FROM statistics_slice")
    touched = sorted(row[0] for row in cursor.fetchall())
    cursor.execute("DROP TABLE statistics_slice")
    return slices, touched


def _insert_cells(cursor, *, sliced: bool) -> None:
    # The planner misjudges rows built by unnest and arrays by orders of magnitude; JIT then
    # compiles for seconds a query that runs in less (and hash aggregates need the memory).
    try:
        # Temporary tables beyond temp_buffers go to disk; only settable before the session's first one.
        with transaction.atomic(), connection.cursor() as inner:
            inner.execute("SET LOCAL temp_buffers = '512MB'")
    except DatabaseError:
        pass
    cursor.execute("SET LOCAL jit = off")
    cursor.execute("SET LOCAL work_mem = '256MB'")
    for statement in cells_statements(sliced=sliced):
        cursor.execute(statement)


def _refresh_figures(association_ids: list[int]) -> int:
    """The default (unfiltered) figures of each association touched, from its cells."""
    existing = set(Association.objects.filter(pk__in=association_ids).values_list("pk", flat=True))
    StatisticsFigure.objects.filter(association_id__in=association_ids).delete()
    rows = []
    for association_id in association_ids:
        if association_id not in existing:
            continue
        for (dimension, key), measures in figures.compute_rows(figures.StatisticsFilter(association_id)).items():
            rows.append(StatisticsFigure(association_id=association_id, dimension=dimension, key=key, **measures))
    StatisticsFigure.objects.bulk_create(rows, batch_size=2000)
    return StatisticsCell.objects.filter(association_id__in=association_ids).count()
