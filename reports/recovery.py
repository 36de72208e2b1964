"""Dossiers whose worker is gone. A pool process that dies (killed, or aborted past its memory
ceiling) hands its row back at once from the worker's main process (tasks.RenderRequest); a worker
that vanished whole is found by the periodic sweep, its heartbeat older than DOSSIER_STALE_AFTER.
Either way the dossier is queued again with its finished chunks kept, or failed after
DOSSIER_MAX_ATTEMPTS attempts, by conditional UPDATEs that leave a row someone else moved."""

import logging

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Dossier, DossierChunk, DossierPhase, DossierStatus
from .workflow import Run, _delete_chunk_files, enqueue, interrupted_message, max_attempts, stale_after

logger = logging.getLogger(__name__)


def _take_back(dossier: Dossier, held, now) -> str:
    """A dossier whose worker is gone (`held`: its row while still in that worker's hands): failed
    after its last attempt, else queued again with its finished chunks kept. Returns "failed",
    "queued" or "" (someone else moved it first)."""
    if dossier.attempt >= max_attempts():
        if held.update(
            status=DossierStatus.FAILED,
            phase=DossierPhase.NONE,
            error=interrupted_message(dossier.attempt),
            finished_at=now,
            duration=now - Coalesce(F("started_at"), now),
        ):
            _delete_chunk_files(dossier)
            return "failed"
        return ""
    if held.update(status=DossierStatus.QUEUED, phase=DossierPhase.NONE, heartbeat_at=now):
        dossier.chunks.filter(status=DossierStatus.RENDERING).update(status=DossierStatus.QUEUED)
        return "queued"
    return ""


def dossier_worker_lost(*, dossier_id: int, task_id: str) -> str:
    """The process rendering the dossier for task `task_id` died (killed, or past its memory
    ceiling): at once, rather than after DOSSIER_STALE_AFTER without a heartbeat, the dossier is
    queued again for the task's re-delivered message, or failed after its last attempt. Does
    nothing if the dossier is no longer that task's."""
    if not task_id:
        return ""
    dossier = Dossier.objects.filter(pk=dossier_id, status=DossierStatus.RENDERING, task_id=task_id).first()
    if dossier is None:
        return ""
    held = Dossier.objects.filter(
        pk=dossier.pk, status=DossierStatus.RENDERING, attempt=dossier.attempt, task_id=task_id
    )
    outcome = _take_back(dossier, held, timezone.now())
    if outcome:
        logger.warning("Dossier %s : processus du worker perdu, %s", dossier_id, outcome)
    return outcome


def dossier_chunk_worker_lost(*, chunk_id: int, task_id: str) -> str:
    """The same for one chunk: queued again for the re-delivered message, or, after its last
    attempt, its dossier fails."""
    if not task_id:
        return ""
    chunk = DossierChunk.objects.filter(pk=chunk_id, status=DossierStatus.RENDERING, task_id=task_id).first()
    if chunk is None:
        return ""
    held = DossierChunk.objects.filter(pk=chunk.pk, status=DossierStatus.RENDERING, attempt=chunk.attempt)
    if chunk.attempt < max_attempts():
        return "queued" if held.update(status=DossierStatus.QUEUED) else ""
    if not held.update(status=DossierStatus.FAILED):
        return ""
    dossier = Dossier.objects.get(pk=chunk.dossier_id)
    Run(dossier).fail(interrupted_message(chunk.attempt))
    logger.warning("Dossier %s : partie %s perdue %s fois, abandon", chunk.dossier_id, chunk_id, chunk.attempt)
    return "failed"


def dossiers_requeue_stale(*, now=None) -> dict:
    """The periodic job: a dossier `rendering` whose worker has not been heard of for
    DOSSIER_STALE_AFTER seconds is queued again (its finished chunks are kept), or failed after
    DOSSIER_MAX_ATTEMPTS attempts; a dossier still `queued` that long (message lost with the
    broker) is sent again. Claims make any duplicate harmless."""
    now = now or timezone.now()
    cutoff = now - stale_after()
    requeued, failed, resent = [], [], []
    for dossier in Dossier.objects.filter(status=DossierStatus.RENDERING, heartbeat_at__lt=cutoff):
        stale = Dossier.objects.filter(
            pk=dossier.pk, status=DossierStatus.RENDERING, attempt=dossier.attempt, heartbeat_at__lt=cutoff
        )
        outcome = _take_back(dossier, stale, now)
        if outcome == "failed":
            failed.append(dossier.pk)
        elif outcome == "queued":
            requeued.append(dossier.pk)
    lost = Dossier.objects.filter(status=DossierStatus.QUEUED, created_at__lt=cutoff).filter(
        heartbeat_at__isnull=True
    ) | Dossier.objects.filter(status=DossierStatus.QUEUED, heartbeat_at__lt=cutoff)
    for pk in lost.values_list("pk", flat=True):
        if Dossier.objects.filter(pk=pk, status=DossierStatus.QUEUED).update(heartbeat_at=now):
            resent.append(pk)
    for pk in requeued + resent:
        enqueue(pk)
    if requeued or failed or resent:
        logger.warning("Dossiers relancés %s, abandonnés %s, renvoyés %s", requeued, failed, resent)
    return {"requeued": requeued, "failed": failed, "resent": resent}
