"""Celery entry points of dossiers: thin, they take ids and call a service. Safe to run twice:
each step is claimed by a conditional UPDATE on the dossier's (or chunk's) row."""

from celery import shared_task
from django.conf import settings

from . import services
from .retention import dossiers_expire_revealed

# A dossier's time limit is also checked between steps (workflow.Run.check_time); the soft limit
# stops a step that hangs inside WeasyPrint, the hard one a worker that ignores it.
SOFT_TIME_LIMIT = getattr(settings, "DOSSIER_TIME_LIMIT", 300)
TIME_LIMIT = SOFT_TIME_LIMIT + 30


@shared_task(name="reports.render_dossier", soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def render_dossier(dossier_id: int) -> None:
    services.dossier_render(dossier_id=dossier_id)


@shared_task(name="reports.render_dossier_chunk", soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def render_dossier_chunk(chunk_id: int) -> None:
    services.dossier_chunk_render(chunk_id=chunk_id)


@shared_task(name="reports.requeue_stale_dossiers")
def requeue_stale_dossiers() -> dict:
    """Every minute (celery beat): dossiers whose worker died are taken up again."""
    return services.dossiers_requeue_stale()


@shared_task(name="reports.expire_revealed_dossiers")
def expire_revealed_dossiers() -> int:
    """Every hour (celery beat): revealed-identity dossiers past their retention lose their file."""
    return dossiers_expire_revealed()
