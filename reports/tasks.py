"""Celery entry points of dossiers: thin, they take ids and call a service. Safe to run twice:
each step is claimed by a conditional UPDATE on the dossier's (or chunk's) row."""

import logging

from billiard.exceptions import WorkerLostError
from celery import Task, shared_task
from celery.worker.request import Request
from django.conf import settings

from . import services
from .retention import dossiers_expire_revealed

# A dossier's time limit is also checked between steps (workflow.Run.check_time); the soft limit
# stops a step that hangs inside WeasyPrint, the hard one a worker that ignores it.
SOFT_TIME_LIMIT = getattr(settings, "DOSSIER_TIME_LIMIT", 300)
TIME_LIMIT = SOFT_TIME_LIMIT + 30


logger = logging.getLogger(__name__)


class RenderRequest(Request):
    """In the worker's main process: when the pool process rendering a dossier (or a chunk) dies
    (killed, or aborted past its memory ceiling), its row is handed back at once, before the
    message is re-delivered (acks_late, reject_on_worker_lost): the retry, or the failure after
    the last attempt, comes in seconds instead of after DOSSIER_STALE_AFTER without a heartbeat."""

    def on_failure(self, exc_info, send_failed_event=True, return_ok=False):
        error = exc_info.exception
        error = getattr(error, "exc", error)  # billiard wraps it (ExceptionWithTraceback)
        if isinstance(error, WorkerLostError):
            try:
                self.task.worker_lost(self.id, *self.args)
            except Exception:  # the sweeper's stale check remains the safety net
                logger.exception("Reprise immédiate du dossier impossible (tâche %s)", self.id)
        return super().on_failure(exc_info, send_failed_event=send_failed_event, return_ok=return_ok)


class RenderTask(Task):
    Request = RenderRequest

    def worker_lost(self, task_id: str, *args) -> None:
        raise NotImplementedError


class RenderDossier(RenderTask):
    def worker_lost(self, task_id: str, dossier_id: int, *args) -> None:
        services.dossier_worker_lost(dossier_id=dossier_id, task_id=task_id)


class RenderChunk(RenderTask):
    def worker_lost(self, task_id: str, chunk_id: int, *args) -> None:
        services.dossier_chunk_worker_lost(chunk_id=chunk_id, task_id=task_id)


@shared_task(
    name="reports.render_dossier",
    base=RenderDossier,
    bind=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def render_dossier(self, dossier_id: int) -> None:
    services.dossier_render(dossier_id=dossier_id, task_id=self.request.id or "")


@shared_task(
    name="reports.render_dossier_chunk",
    base=RenderChunk,
    bind=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def render_dossier_chunk(self, chunk_id: int) -> None:
    services.dossier_chunk_render(chunk_id=chunk_id, task_id=self.request.id or "")


@shared_task(name="reports.requeue_stale_dossiers")
def requeue_stale_dossiers() -> dict:
    """Every minute (celery beat): dossiers whose worker died are taken up again."""
    return services.dossiers_requeue_stale()


@shared_task(name="reports.expire_revealed_dossiers")
def expire_revealed_dossiers() -> int:
    """Every hour (celery beat): revealed-identity dossiers past their retention lose their file."""
    return dossiers_expire_revealed()
