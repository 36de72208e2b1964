"""Celery entry point of imports: thin, takes a job id, safe to run twice.

Workers must import this module: it is listed in CELERY_IMPORTS, since autodiscovery only looks at
each app's own `tasks.py`. The task keeps its explicit name (« procedures.run_import »), which the
routes, the sweeper (procedures/jobs.py) and any message already queued use."""

from celery import shared_task
from django.db import InterfaceError, OperationalError, close_old_connections, transaction

from config.jobs import dispatch

from ..models import ImportJob, ImportStatus
from ..models.imports import STALE_AFTER
from .jobs import DatabaseUnavailable, import_job_claim, import_job_run

# A database restarting (or failing over) is waited for this long, in steps of DATABASE_RETRY_SECONDS.
DATABASE_RETRY_SECONDS = 5
DATABASE_RETRIES = 120


@shared_task(name="procedures.run_import", bind=True, max_retries=DATABASE_RETRIES, acks_late=True)
def run_import(self, job_id: int, resumed_token: str | None = None) -> dict | None:
    """Claims the job (queued → running, or running with a stale heartbeat: its worker died) and
    runs it to the end. A re-delivered message for a job another worker is running right now waits
    until that job either finishes or goes stale; one already finished does nothing. When the
    database goes away mid-run, the task comes back and resumes its own run after the last chunk."""
    try:
        token = import_job_claim(job_id, resumed_token=resumed_token)
        if token is None:
            job = ImportJob.objects.filter(pk=job_id).first()
            if job is not None and job.status == ImportStatus.RUNNING:
                raise self.retry(countdown=int(STALE_AFTER.total_seconds()) + 10)
            return None
        return import_job_run(job_id, token).progress_dict()
    except DatabaseUnavailable as lost:
        close_old_connections()
        raise self.retry(args=[job_id, lost.token], countdown=DATABASE_RETRY_SECONDS) from lost
    except (OperationalError, InterfaceError) as error:
        # Still down when claiming: keep the token this chain of retries already holds.
        close_old_connections()
        raise self.retry(args=[job_id, resumed_token], countdown=DATABASE_RETRY_SECONDS) from error


def queue_import(job: ImportJob) -> None:
    """Send the job to the workers once the transaction that created it has committed."""
    transaction.on_commit(lambda: dispatch("procedures.run_import", [job.pk]))
