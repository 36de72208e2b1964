"""Background work as rows, across the apps: each app's `jobs` module (BACKGROUND_JOBS) lists its
kinds of job (which queue runs them, which rows are waiting) and sweeps its own rows.

The rows are the source of truth, not the broker: a message lost with Redis, or a worker killed
mid-task, leaves a row queued or running that the sweeper (every minute, celery beat) sends again.
The health page reads the same rows for the age of the oldest waiting job of each queue."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app, shared_task
from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.module_loading import import_module
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What kombu and redis-py raise when the broker is down or restarting.
BROKER_ERRORS = (KombuOperationalError, RedisError, ConnectionError, OSError)

# A row queued longer than this without being taken lost its message: it is sent again. Longer
# than a busy queue's normal wait would be wasteful; duplicates are harmless (claims).
QUEUED_GRACE = timedelta(minutes=5)


def queued_grace() -> timedelta:
    return timedelta(seconds=getattr(settings, "JOBS_QUEUED_GRACE", QUEUED_GRACE.total_seconds()))


def dispatch(task_name: str, args: list, *, countdown: int | None = None) -> bool:
    """Send a task by name, its row already committed. A broker that does not answer is logged,
    not raised: the request that asked for the work has succeeded, and the sweeper sends the row's
    task once the broker is back. Without a broker (demo), the task runs here, now."""
    app = current_app
    if app.conf.task_always_eager:
        if task_name not in app.tasks:
            app.loader.import_default_modules()  # what a worker does at start: every app's tasks
        app.tasks[task_name].apply(args=args)
        return True
    try:
        app.send_task(task_name, args=args, countdown=countdown)
    except BROKER_ERRORS as error:
        logger.warning("Courtier injoignable, %s attendra le balayage : %s", task_name, type(error).__name__)
        return False
    return True


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    queue: str
    waiting: Callable  # () -> QuerySet of the rows not yet taken by a worker
    since: str  # the field giving when a waiting row was asked for


def job_modules() -> list:
    return [import_module(path) for path in getattr(settings, "BACKGROUND_JOBS", [])]


def job_kinds() -> list[JobKind]:
    return [kind for module in job_modules() for kind in module.KINDS]


def jobs_sweep(*, now=None) -> dict:
    """Each app's sweeper in turn; one failing does not stop the others."""
    now = now or timezone.now()
    report = {}
    for module in job_modules():
        try:
            report[module.__name__] = module.sweep(now=now)
        except Exception:  # logged; the next minute tries again
            logger.exception("Balayage des tâches de fond de %s en échec", module.__name__)
            report[module.__name__] = {"error": True}
    return report


def oldest_waiting(*, now=None) -> dict[str, dict]:
    """Per queue: rows waiting and the age in seconds of the oldest (None when none waits)."""
    now = now or timezone.now()
    queues = {name: {"waiting": 0, "oldest_seconds": None} for name in settings.WORKER_QUEUES}
    for kind in job_kinds():
        figures = kind.waiting().aggregate(count=Count("pk"), oldest=Min(kind.since))
        state = queues.setdefault(kind.queue, {"waiting": 0, "oldest_seconds": None})
        state["waiting"] += figures["count"]
        if figures["oldest"] is not None:
            age = max(0, round((now - figures["oldest"]).total_seconds()))
            state["oldest_seconds"] = max(age, state["oldest_seconds"] or 0)
    return queues


@shared_task(name="config.sweep_jobs")
def sweep_jobs() -> dict:
    """Every minute (celery beat)."""
    return jobs_sweep()
