"""Celery entry point of imports: thin, takes a job id, safe to run twice.

Workers must import this module: it is listed in CELERY_IMPORTS (or imported by procedures/tasks.py),
since autodiscovery only looks at `tasks.py`."""

from celery import shared_task
from django.db import transaction

from .imports import import_job_claim, import_job_run
from .models import ImportJob, ImportStatus
from .models.imports import STALE_AFTER


@shared_task(name="procedures.run_import", bind=True, max_retries=5, acks_late=True)
def run_import(self, job_id: int) -> dict | None:
    """Claims the job (queued → running, or running with a stale heartbeat: its worker died) and
    runs it to the end. A re-delivered message for a job another worker is running right now waits
    until that job either finishes or goes stale; one already finished does nothing."""
    token = import_job_claim(job_id)
    if token is None:
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is not None and job.status == ImportStatus.RUNNING:
            raise self.retry(countdown=int(STALE_AFTER.total_seconds()) + 10)
        return None
    return import_job_run(job_id, token).progress_dict()


def queue_import(job: ImportJob) -> None:
    """Send the job to the workers once the transaction that created it has committed."""
    transaction.on_commit(lambda: run_import.delay(job.pk))
