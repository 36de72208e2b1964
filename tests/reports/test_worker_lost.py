"""A pool process that dies while rendering (killed, or aborted past its memory ceiling) hands its
dossier, or its chunk, back at once for the re-delivered message of the same task, instead of
waiting DOSSIER_STALE_AFTER for the sweeper; after the last attempt the dossier fails with its
reason. Only the row still held by that task is touched. The worker side (RenderRequest, in the
main process) is exercised by tests/ops/test_faults.py with a real worker past its ceiling."""

import pytest
from billiard.einfo import ExceptionInfo
from billiard.exceptions import WorkerLostError
from celery.contrib.testing.mocks import TaskMessage
from django.utils import timezone

from reports import services, tasks
from reports.models import Dossier, DossierChunk, DossierStatus

pytestmark = pytest.mark.django_db


def ask(user, case):
    return services.dossier_request(user=user, case=case, recipient="Me Dupont", sections=["cover", "summary"])


def held_by(dossier, task_id, attempt):
    Dossier.objects.filter(pk=dossier.pk).update(
        status=DossierStatus.RENDERING, attempt=attempt, task_id=task_id, heartbeat_at=timezone.now()
    )


def test_the_dossier_of_a_lost_process_is_queued_again_for_the_same_task(owner, case, media_root):
    dossier = ask(owner, case)
    held_by(dossier, "tache-1", attempt=1)  # a fresh heartbeat: the sweeper would wait minutes
    assert services.dossier_worker_lost(dossier_id=dossier.pk, task_id="tache-1") == "queued"
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.QUEUED
    # The re-delivered message (same task id) takes it up and finishes it.
    services.dossier_render(dossier_id=dossier.pk, parallel=False, task_id="tache-1")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DONE and dossier.attempt == 2


def test_a_dossier_another_task_holds_is_left_alone(owner, case):
    dossier = ask(owner, case)
    held_by(dossier, "tache-2", attempt=1)
    assert services.dossier_worker_lost(dossier_id=dossier.pk, task_id="tache-1") == ""
    assert services.dossier_worker_lost(dossier_id=dossier.pk, task_id="") == ""
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RENDERING and dossier.task_id == "tache-2"


def test_after_the_last_attempt_the_dossier_fails_with_its_reason(owner, case, settings):
    settings.DOSSIER_MAX_ATTEMPTS = 3
    dossier = ask(owner, case)
    held_by(dossier, "tache-1", attempt=3)
    assert services.dossier_worker_lost(dossier_id=dossier.pk, task_id="tache-1") == "failed"
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FAILED
    assert "interrompu 3 fois" in dossier.error and "mémoire" in dossier.error


def test_a_lost_chunk_is_queued_again_then_after_its_last_attempt_fails_its_dossier(owner, case, settings):
    settings.DOSSIER_MAX_ATTEMPTS = 2
    dossier = ask(owner, case)
    held_by(dossier, "tache-dossier", attempt=1)
    chunk = DossierChunk.objects.create(
        dossier=dossier, index=0, spec={}, status=DossierStatus.RENDERING, attempt=1, task_id="tache-partie"
    )
    assert services.dossier_chunk_worker_lost(chunk_id=chunk.pk, task_id="tache-partie") == "queued"
    chunk.refresh_from_db()
    assert chunk.status == DossierStatus.QUEUED
    DossierChunk.objects.filter(pk=chunk.pk).update(status=DossierStatus.RENDERING, attempt=2)
    assert services.dossier_chunk_worker_lost(chunk_id=chunk.pk, task_id="tache-partie") == "failed"
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FAILED and "interrompu 2 fois" in dossier.error


def test_the_worker_s_request_hands_the_dossier_back_only_for_a_lost_process(owner, case, monkeypatch):
    dossier = ask(owner, case)
    held_by(dossier, "tache-1", attempt=1)
    handed_back = []
    monkeypatch.setattr(tasks.Request, "on_failure", lambda self, *args, **kwargs: None)  # Celery's own part
    monkeypatch.setattr(services, "dossier_worker_lost", lambda **kwargs: handed_back.append(kwargs))

    def fail_with(error):
        message = TaskMessage("reports.render_dossier", id="tache-1", args=[dossier.pk])
        request = tasks.RenderRequest(message, app=tasks.render_dossier.app, task=tasks.render_dossier)
        try:
            raise error
        except type(error):
            request.on_failure(ExceptionInfo())

    fail_with(ValueError("une erreur de rendu"))
    assert handed_back == []
    fail_with(WorkerLostError("Worker exited prematurely: signal 6 (SIGABRT) Job: 0."))
    assert handed_back == [{"dossier_id": dossier.pk, "task_id": "tache-1"}]
