"""Writes of statistics: asking for a run of the job, publishing an aggregate, asking for and
rendering a PDF report. Follow-up work is queued with transaction.on_commit."""

import hashlib
import logging
import time

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.actors import Actor
from cases.models import AccessAction
from cases.services import access_log_record
from config.db_router import replica_reads
from config.jobs import dispatch

from . import figures, publication, svg
from .compute import statistics_run_request
from .models import PublishedStatistics, ReportStatus, StatisticsReport, StatisticsRun

logger = logging.getLogger(__name__)


def statistics_run_enqueue(*, user=None, full: bool = False, task: str = "reports.compute_statistics") -> StatisticsRun:
    """The run's row, then its task by name once committed (the sweeper sends it again if lost)."""
    with transaction.atomic():
        run = statistics_run_request(user=user, full=full)
        transaction.on_commit(lambda: dispatch(task, [run.pk]))
    return run


def statistics_publish(*, actor: Actor, membership, title: str, period: publication.Period):
    """Publish the masked cross-association table of a closed period; returns (publication,
    created). A period already published returns its release unchanged: publishing it again with
    the figures of the day would give two tables to subtract (attack (a) of the issue). A period
    overlapping a published one (a year and one of its quarters) is refused for the same reason."""
    existing = PublishedStatistics.objects.filter(period=period.key).first()
    if existing is not None:
        return existing, False
    overlapping = (
        PublishedStatistics.objects.exclude(period="")
        .filter(month_from__lte=period.month_to, month_to__gte=period.month_from)
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            _("%(period)s est déjà publié : une période qui le recoupe ne peut plus l'être.")
            % {"period": publication.Period.parse(overlapping.period).label}
        )
    data = publication.build(period)
    published = PublishedStatistics(
        published_by=actor.user,
        association=membership.association,
        title=title,
        period=period.key,
        month_from=period.month_from,
        month_to=period.month_to,
        threshold=data["threshold"],
        figures=data,
    )
    try:
        with transaction.atomic():
            published.full_clean()
            published.save()
            access_log_record(actor=actor, action=AccessAction.EXPORT, obj=published)
    except (IntegrityError, ValidationError):
        # Another admin published the same period meanwhile: theirs is the release.
        existing = PublishedStatistics.objects.filter(period=period.key).first()
        if existing is None:
            raise ValidationError(_("Une publication couvre déjà tout ou partie de cette période.")) from None
        return existing, False
    logger.info("Statistiques publiées n° %s (%s) par l'utilisateur %s", published.pk, period.key, actor.user.pk)
    return published, True


def statistics_report_request(*, user, membership, platform=None, month_from=None, month_to=None):
    with transaction.atomic():
        report = StatisticsReport(
            association=membership.association,
            requested_by=user,
            platform=platform,
            month_from=month_from,
            month_to=month_to,
        )
        report.full_clean()
        report.save()
        transaction.on_commit(lambda: dispatch("reports.render_statistics_report", [report.pk]))
    return report


def report_html(report: StatisticsReport) -> str:
    flt = figures.StatisticsFilter(
        association_id=report.association_id,
        platform_id=report.platform_id,
        month_from=report.month_from,
        month_to=report.month_to,
    )
    with replica_reads():
        data = figures.figures_for(flt)
    charts = {
        "month": svg.line([(item["label"], item["procedures"]) for item in data.by["month"]], title="Par mois"),
        "parquet": svg.bars([(item["label"], item["procedures"]) for item in data.by["parquet"]], title="Parquets"),
        "category": svg.bars(
            [(item["label"], item["procedures"]) for item in data.by["category"]], title="Infractions"
        ),
        "outcome": svg.bars([(item["label"], item["procedures"]) for item in data.by["outcome"]], title="Issues"),
    }
    return render_to_string(
        "reports/statistics/pdf/report.html",
        {"report": report, "figures": data, "charts": charts, "generated_at": timezone.now()},
    )


def statistics_report_render(*, report_id: int) -> StatisticsReport | None:
    """The task's body: claim the queued report (a second delivery does nothing), render, store."""
    from reports.archival import with_id_tree
    from reports.pdf import render_html

    claimed = StatisticsReport.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RENDERING, attempt=F("attempt") + 1, started_at=timezone.now()
    )
    if not claimed:
        return None
    report = StatisticsReport.objects.select_related("association", "platform").get(pk=report_id)
    started = time.perf_counter()
    try:
        document = render_html(report_html(report))
        document.pdf = with_id_tree(document.pdf)
    except Exception as error:  # any failure is shown on the report's page, with its kind
        logger.exception("Rapport statistique %s : échec", report_id)
        StatisticsReport.objects.filter(pk=report_id, attempt=report.attempt).update(
            status=ReportStatus.FAILED,
            error=_("Le rendu a échoué (%(kind)s) : redemandez le rapport.") % {"kind": type(error).__name__},
            finished_at=timezone.now(),
        )
        return None
    report.file.save(f"rapport-{report.pk}.pdf", ContentFile(document.pdf), save=False)
    StatisticsReport.objects.filter(pk=report_id, attempt=report.attempt, status=ReportStatus.RENDERING).update(
        status=ReportStatus.DONE,
        file=report.file.name,
        sha256=hashlib.sha256(document.pdf).hexdigest(),
        pages=document.pages,
        size=len(document.pdf),
        finished_at=timezone.now(),
    )
    logger.info("Rapport statistique %s rendu en %.2f s", report_id, time.perf_counter() - started)
    report.refresh_from_db()
    return report
