"""Import jobs: recorded on upload, claimed by one worker at a time (a conditional UPDATE), run
to the end, applied after a dry run, resumed after a failure."""

from __future__ import annotations

import logging
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from cases.selectors import case_access

from ..models import ImportJob, ImportStatus
from ..models.imports import STALE_AFTER
from . import limits
from .limits import ImportFileError
from .reading import inspect_source
from .signals import import_applied
from .sql import JobTakenOver
from .writing import CHUNK_SIZE, Importer

logger = logging.getLogger(__name__)


def import_job_runs_in_background(job: ImportJob) -> bool:
    """Whether the job is left to the workers: always when it writes, for a dry run when the file is
    large (its estimated rows above SYNC_MAX_ROWS); a small dry run is done during the upload."""
    return not job.dry_run or job.total_rows > limits.SYNC_MAX_ROWS


def import_job_create(*, user, case: Case, data: bytes, name: str, dry_run: bool = True) -> ImportJob:
    """Record an upload as a job (queued). ValidationError on the file when it cannot be read."""
    if user is not None and not case_access(user, case).can_change:
        raise PermissionDenied
    name = (name or "import.csv").replace("\\", "/").rsplit("/", 1)[-1][:200] or "import.csv"
    try:
        inspection = inspect_source(data, name)
    except ImportFileError as error:
        raise ValidationError({"file": str(error)}, code="invalid") from error
    return ImportJob.objects.create(
        association_id=case.association_id,
        case=case,
        uploaded_by=user,
        file=ContentFile(data, name=name),
        original_name=name,
        format=inspection.format,
        dry_run=dry_run,
        # An estimate until the run counts them: it decides whether the dry run is done at once.
        total_rows=inspection.rows,
    )


def import_job_apply(*, user, job: ImportJob) -> ImportJob:
    """A new (queued) job writing the file a finished dry run has shown."""
    if user is not None and not case_access(user, job.case).can_change:
        raise PermissionDenied
    if not job.dry_run or job.status != ImportStatus.DONE:
        raise ValidationError(_("Seule une simulation terminée peut être appliquée."), code="invalid")
    return ImportJob.objects.create(
        association_id=job.association_id,
        case_id=job.case_id,
        uploaded_by=user,
        source_job=job,
        file=job.file.name,
        original_name=job.original_name,
        format=job.format,
        dry_run=False,
        total_rows=job.total_rows,
    )


def import_job_resume(*, user, job: ImportJob) -> ImportJob:
    """Put a failed import back in the queue: it resumes after its last committed chunk."""
    if user is not None and not case_access(user, job.case).can_change:
        raise PermissionDenied
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.FAILED).update(
        status=ImportStatus.QUEUED, error="", finished_at=None
    )
    if not updated:
        raise ValidationError(_("Seul un import en échec peut être repris."), code="invalid")
    job.refresh_from_db()
    return job


def import_job_claim(job_id: int, *, resumed_token: str | None = None) -> str | None:
    """Take the job: queued, or running but abandoned (no progress for STALE_AFTER: its worker
    died), or running under `resumed_token` (this task's own run, cut off by the database). One
    conditional UPDATE, so two workers never both get it; returns this run's token (None when the
    job is not to be taken), which every later write of the run is conditional on."""
    now = timezone.now()
    claimable = Q(status=ImportStatus.QUEUED) | Q(status=ImportStatus.RUNNING) & (
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - STALE_AFTER)
    )
    if resumed_token:
        claimable |= Q(status=ImportStatus.RUNNING, claim_token=resumed_token)
    token = uuid.uuid4().hex
    updated = (
        ImportJob.objects.filter(pk=job_id)
        .filter(claimable)
        .update(status=ImportStatus.RUNNING, heartbeat_at=now, error="", claim_token=token)
    )
    return token if updated else None


def import_job_run(job_id: int, token: str, *, chunk_size: int = CHUNK_SIZE, on_progress=None) -> ImportJob:
    """Run a claimed job to the end; its row says how it went (done, or failed and why)."""
    job = ImportJob.objects.select_related("case").get(pk=job_id)
    if job.started_at is None:
        job.started_at = timezone.now()
        ImportJob.objects.filter(pk=job.pk).update(started_at=job.started_at)
    try:
        Importer(job, chunk_size=chunk_size, on_progress=on_progress).run(token)
    except JobTakenOver:
        job.refresh_from_db()
        return job
    except ImportFileError as error:
        _finish(job, token, ImportStatus.FAILED, str(error))
        return job
    except (OperationalError, InterfaceError) as error:
        # The database went away (restart, failover): nothing can be written now, not even the
        # failure. The task tries again; the committed chunks stay and the run resumes after them.
        raise DatabaseUnavailable(token) from error
    except Exception as error:
        logger.exception("Import %s failed", job.pk)
        job.refresh_from_db()
        _finish(
            job,
            token,
            ImportStatus.FAILED,
            _("L'import s'est arrêté (%(error)s) après %(rows)s lignes ; il peut être repris.")
            % {"error": f"{error.__class__.__name__}: {error}"[:300], "rows": job.processed_rows},
        )
        return job
    _finish(job, token, ImportStatus.DONE, "")
    if not job.dry_run and job.status == ImportStatus.DONE:
        _refresh_planner_statistics(job)
        import_applied.send(sender=ImportJob, job_id=job.pk)
    return job


# Tables an import fills; past this many rows the planner's estimates for the case are refreshed.
ANALYZED_TABLES = (
    "procedures_procedure",
    "procedures_procedure_victims",
    "procedures_procedure_offences",
    "procedures_procedure_suspects",
    "procedures_event",
    "cases_suspect",
)
ANALYZE_AFTER_ROWS = 1000


def _refresh_planner_statistics(job: ImportJob) -> None:
    """Until autovacuum's next pass PostgreSQL believes the case still holds the handful of rows
    it had, and plans the lists of a 23,051-procedure case as if it held eight (nested loops,
    seconds). The suspects' tables too: the statistics refresh queued after an import joins them
    (distinct suspects per figure), and planned on never-analysed tables it took 17 minutes instead
    of 2 seconds on the Coco.gg-sized file. ANALYZE samples a fixed number of rows: a fraction of a
    second even at 1M."""
    if (job.total_rows or 0) < ANALYZE_AFTER_ROWS:
        return
    with connection.cursor() as cursor:
        for table in ANALYZED_TABLES:
            cursor.execute(f"ANALYZE {table}")


def import_job_execute(job_id: int, **options) -> ImportJob | None:
    """Claim then run; None when the job was not claimable (done, or running elsewhere)."""
    token = import_job_claim(job_id)
    if token is None:
        return None
    return import_job_run(job_id, token, **options)


class DatabaseUnavailable(Exception):
    """The run's connection was lost; `token` lets the retried task take its own run back."""

    def __init__(self, token: str):
        super().__init__(token)
        self.token = token


def _finish(job: ImportJob, token: str, status: str, error: str) -> None:
    ImportJob.objects.filter(pk=job.pk, claim_token=token, status=ImportStatus.RUNNING).update(
        status=status, error=error, finished_at=timezone.now()
    )
    job.refresh_from_db()
