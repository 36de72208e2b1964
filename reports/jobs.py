"""The background work of reports as rows (dossiers and their chunks, statistics runs, statistics
reports): what the health page counts and what the sweeper sends again (see config/jobs.py)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from config.jobs import JobKind, dispatch, queued_grace

from .models import Dossier, DossierChunk, DossierStatus
from .recovery import dossiers_requeue_stale
from .statistics.compute import LOCK_KEY
from .statistics.models import ReportStatus, RunStatus, StatisticsReport, StatisticsRun

logger = logging.getLogger(__name__)

# A report still rendering past its task's hard time limit lost its worker: sent again, this many times.
REPORT_ATTEMPTS = 3

KINDS = [
    JobKind(
        "dossiers", "Dossiers", "dossiers", lambda: Dossier.objects.filter(status=DossierStatus.QUEUED), "created_at"
    ),
    JobKind(
        "dossier_chunks",
        "Parties de dossiers",
        "dossiers",
        lambda: DossierChunk.objects.filter(status=DossierStatus.QUEUED, dossier__status=DossierStatus.RENDERING),
        "dossier__started_at",
    ),
    JobKind(
        "statistics_reports",
        "Rapports statistiques",
        "dossiers",
        lambda: StatisticsReport.objects.filter(status=ReportStatus.QUEUED),
        "created_at",
    ),
    JobKind(
        "statistics_runs",
        "Calculs des statistiques",
        "statistics",
        lambda: StatisticsRun.objects.filter(status=RunStatus.QUEUED),
        "requested_at",
    ),
]


def sweep(*, now=None) -> dict:
    now = now or timezone.now()
    return {
        "dossiers": dossiers_requeue_stale(now=now),
        "statistics_runs": _statistics_runs(now),
        "statistics_reports": _statistics_reports(now),
    }


def _statistics_runs(now) -> list[int]:
    """A run left `running` by a dead worker holds no advisory lock any more (its connection
    closed): if the lock is free, such runs go back to the queue. A queued run is sent again only
    when none runs, oldest first, one at a time: a run that found the lock taken would be skipped."""
    orphans = StatisticsRun.objects.filter(status=RunStatus.RUNNING, requested_at__lt=now - queued_grace())
    if orphans.exists():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            free = cursor.fetchone()[0]
            if free:
                try:
                    orphans.update(status=RunStatus.QUEUED)
                finally:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    if StatisticsRun.objects.filter(status=RunStatus.RUNNING).exists():
        return []
    oldest = (
        StatisticsRun.objects.filter(status=RunStatus.QUEUED, requested_at__lt=now - queued_grace())
        .order_by("requested_at")
        .first()
    )
    if oldest is None:
        return []
    dispatch("reports.compute_statistics", [oldest.pk])
    return [oldest.pk]


def _statistics_reports(now) -> list[int]:
    limit = settings.WORKER_QUEUES["dossiers"]["time_limit"]
    dead = Q(status=ReportStatus.RENDERING, started_at__lt=now - timedelta(seconds=limit) - queued_grace())
    lost = Q(status=ReportStatus.QUEUED, created_at__lt=now - queued_grace()) & (
        Q(started_at__isnull=True) | Q(started_at__lt=now - queued_grace())
    )
    resent = []
    for report in StatisticsReport.objects.filter(dead | lost):
        mine = StatisticsReport.objects.filter(pk=report.pk, status=report.status, started_at=report.started_at)
        if report.status == ReportStatus.RENDERING and report.attempt >= REPORT_ATTEMPTS:
            mine.update(
                status=ReportStatus.FAILED,
                error="Le rendu a été interrompu plusieurs fois (worker arrêté) : redemandez le rapport.",
                finished_at=now,
            )
            continue
        # started_at of a queued report records when it was last sent: once per grace period.
        if mine.update(status=ReportStatus.QUEUED, started_at=now):
            dispatch("reports.render_statistics_report", [report.pk])
            resent.append(report.pk)
    return resent
