"""Celery entry points of `cases`: thin, they call a service. Safe to run twice."""

from celery import shared_task

from .access_log.services import access_log_purge


@shared_task(name="cases.purge_access_log")
def purge_access_log() -> int:
    """Every night (celery beat): access-log rows past ACCESS_LOG_RETENTION_MONTHS are deleted."""
    return access_log_purge().count
