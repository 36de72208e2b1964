"""The background work of procedures as rows (imports, morning reminders, a referral's deadlines):
what the health page counts and what the sweeper sends again.

A message can be lost (the broker restarted with nothing on disk) or its worker killed; the rows
stay. The sweeper sends a task again for a row left queued past its grace period, or running without a
heartbeat past its kind's staleness. Every task claims or re-checks its row, so a message
delivered twice does the work once."""

import logging
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from config.jobs import JobKind, dispatch, queued_grace

from .models import ImportJob, ImportStatus, TaskRun, TaskRunKind, TaskRunStatus
from .models.imports import STALE_AFTER as IMPORT_STALE_AFTER

logger = logging.getLogger(__name__)
PARIS = ZoneInfo("Europe/Paris")

TASKS = {
    TaskRunKind.REMINDERS: "procedures.send_deadline_reminders",
    TaskRunKind.REFERRAL_DEADLINES: "procedures.open_referral_deadlines",
}
# A task run's worker writes its heartbeat when it starts and ends; past this it is presumed dead.
TASK_RUN_STALE_AFTER = timedelta(minutes=30)
# The morning reminders are sent by celery beat at 07:00 (Paris); a day without a run by then
# (beat down, message lost) is sent by the sweeper.
REMINDERS_AT = time(7, 5)

KINDS = [
    JobKind(
        "imports",
        "Imports",
        "imports",
        lambda: ImportJob.objects.filter(status=ImportStatus.QUEUED),
        "created_at",
    ),
    JobKind(
        "reminders",
        "Rappels de délais",
        "default",
        lambda: TaskRun.objects.filter(kind=TaskRunKind.REMINDERS, status=TaskRunStatus.QUEUED),
        "created_at",
    ),
    JobKind(
        "referral_deadlines",
        "Délais des signalements",
        "default",
        lambda: TaskRun.objects.filter(kind=TaskRunKind.REFERRAL_DEADLINES, status=TaskRunStatus.QUEUED),
        "created_at",
    ),
]


def task_run_queue(*, kind: str, key: str, arguments: list) -> TaskRun:
    """The row of work to come, sent to the workers once the caller's transaction commits."""
    run, _created = TaskRun.objects.get_or_create(kind=kind, key=key, defaults={"arguments": {"args": arguments}})
    transaction.on_commit(lambda: _send(run.pk, kind, arguments))
    return run


def task_run_start(*, kind: str, key: str, arguments: list) -> TaskRun:
    """The task begins: its row (made now if the work was not queued through task_run_queue, as
    beat's reminders are) is running, one more attempt."""
    now = timezone.now()
    run, _created = TaskRun.objects.get_or_create(kind=kind, key=key, defaults={"arguments": {"args": arguments}})
    TaskRun.objects.filter(pk=run.pk).update(
        status=TaskRunStatus.RUNNING, attempt=F("attempt") + 1, heartbeat_at=now, error=""
    )
    run.refresh_from_db()
    return run


def task_run_finish(run: TaskRun, *, result: dict | None = None) -> None:
    now = timezone.now()
    TaskRun.objects.filter(pk=run.pk).update(
        status=TaskRunStatus.DONE, result=result or {}, finished_at=now, heartbeat_at=now
    )


def task_run_release(run: TaskRun, *, reason: str) -> None:
    """Not finished (an e-mail server down, the database restarting): back to the queue, with why."""
    TaskRun.objects.filter(pk=run.pk).update(status=TaskRunStatus.QUEUED, error=reason[:2000], heartbeat_at=None)


def _send(run_id: int, kind: str, arguments: list) -> None:
    TaskRun.objects.filter(pk=run_id).update(sent_at=timezone.now())
    dispatch(TASKS[kind], arguments)


def sweep(*, now=None) -> dict:
    now = now or timezone.now()
    grace = queued_grace()
    resent = []
    waiting = Q(status=TaskRunStatus.QUEUED) & (Q(sent_at__isnull=True) | Q(sent_at__lt=now - grace))
    stale = Q(status=TaskRunStatus.RUNNING) & Q(heartbeat_at__lt=now - TASK_RUN_STALE_AFTER)
    for run in TaskRun.objects.filter(waiting | stale).filter(created_at__lt=now - grace):
        # Conditional: two sweepers never both send it.
        if TaskRun.objects.filter(pk=run.pk, status=run.status, heartbeat_at=run.heartbeat_at).update(
            status=TaskRunStatus.QUEUED, sent_at=now
        ):
            dispatch(TASKS[run.kind], run.arguments.get("args", []))
            resent.append(f"{run.kind}:{run.key}")
    resent += _reminders_of_today(now)
    resent += _imports(now, grace)
    if resent:
        logger.warning("Tâches de fond renvoyées aux workers : %s", resent)
    return {"resent": resent}


def _reminders_of_today(now) -> list[str]:
    local = timezone.localtime(now, PARIS)
    if local.time() < REMINDERS_AT:
        return []
    day = local.date().isoformat()
    _run, created = TaskRun.objects.get_or_create(
        kind=TaskRunKind.REMINDERS, key=day, defaults={"arguments": {"args": [day]}, "sent_at": now}
    )
    if not created:
        return []  # beat's run (or the sweeper's) is on record: the rows above take care of it
    dispatch(TASKS[TaskRunKind.REMINDERS], [day])
    return [f"reminders:{day}"]


def _imports(now, grace) -> list[str]:
    lost = ImportJob.objects.filter(
        Q(status=ImportStatus.QUEUED, created_at__lt=now - grace)
        & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - grace))
    ) | ImportJob.objects.filter(status=ImportStatus.RUNNING, heartbeat_at__lt=now - IMPORT_STALE_AFTER)
    resent = []
    for job in lost:
        # Back to queued (its dead run's token no longer writes: JobTakenOver), the heartbeat of a
        # queued job recording when it was last sent: once per grace period at most.
        if not ImportJob.objects.filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at).update(
            status=ImportStatus.QUEUED, heartbeat_at=now
        ):
            continue
        dispatch("procedures.run_import", [job.pk])
        resent.append(f"import:{job.pk}")
    return resent
