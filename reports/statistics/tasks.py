"""Celery entry points of statistics: thin, they take ids (or nothing) and call a service."""

from celery import shared_task

from . import compute, services


@shared_task(name="reports.compute_statistics")
def compute_statistics(run_id: int) -> str | None:
    """On demand (the admins' button): the run row asked for. A second delivery does nothing."""
    run = compute.statistics_compute(run_id=run_id)
    return run.status if run else None


# A run that found another one computing is skipped; after an import it is asked again, so that
# the import's rows are counted (at most 30 tries, 20 s apart: a full rebuild at reference scale).
RETRY_SECONDS = 20
MAX_TRIES = 30


@shared_task(name="reports.compute_statistics_after_import")
def compute_statistics_after_import(run_id: int, attempt: int = 1) -> str | None:
    from .models import RunStatus

    run = compute.statistics_compute(run_id=run_id)
    if run is not None and run.status == RunStatus.SKIPPED and attempt < MAX_TRIES:
        again = compute.statistics_run_request()
        compute_statistics_after_import.apply_async((again.pk, attempt + 1), countdown=RETRY_SECONDS)
    return run.status if run else None


@shared_task(name="reports.compute_statistics_nightly")
def compute_statistics_nightly() -> str | None:
    """Every night (celery beat): the day's changes only."""
    run = compute.statistics_compute(full=False)
    return run.status if run else None


@shared_task(name="reports.render_statistics_report")
def render_statistics_report(report_id: int) -> None:
    services.statistics_report_render(report_id=report_id)
