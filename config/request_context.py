"""The request id: one per HTTP request, on every log line written while it runs, including the
lines of the Celery tasks it queued, so that a page and the work it started can be read together.

It travels in a context variable (set by config.request_log.RequestLogMiddleware), in a header of
each task message queued meanwhile, and back into the context variable in the worker for the time
of that task. The id is ours or a proxy's opaque token: it never names a person."""

import logging
import logging.config
import re
import uuid
from contextvars import ContextVar

from celery import current_task
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

# A proxy's X-Request-ID is kept when it is a short opaque token, so logs on both sides match;
# anything else (spaces, quotes, a line break that would forge a log line) is replaced.
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
# The name of the task message header that carries it.
TASK_HEADER = "coco_request_id"

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Tokens of the task contexts the worker set, to restore what was there before (eager tasks run
# inside the request that queued them).
_task_tokens: dict[str, object] = {}


def request_id_from_header(value: str | None) -> str:
    """The incoming X-Request-ID when it is safe, else a new random id."""
    return value if value and SAFE_REQUEST_ID.match(value) else uuid.uuid4().hex


class RequestContextFilter(logging.Filter):
    """Puts the current request id, and in a worker the task's id and name, on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.get()
        task = current_task
        if task and getattr(task, "request", None) is not None and task.request.id:
            record.task_id = task.request.id
            record.task_name = task.name
        return True


@before_task_publish.connect
def _put_request_id_in_task_headers(sender=None, headers=None, **kwargs):
    current = request_id.get()
    if current and headers is not None:
        headers.setdefault(TASK_HEADER, current)


def _task_request_id(task) -> str | None:
    value = getattr(task.request, TASK_HEADER, None) or (task.request.headers or {}).get(TASK_HEADER)
    return value if value and SAFE_REQUEST_ID.match(str(value)) else None


@task_prerun.connect
def _set_request_id_for_task(sender=None, task_id=None, task=None, **kwargs):
    if task is None or task_id is None:
        return
    value = _task_request_id(task)
    # An eager task (no broker) runs inside the request: it keeps the request's id.
    if value is None and task.request.is_eager:
        return
    _task_tokens[task_id] = request_id.set(value)


@task_postrun.connect
def _clear_request_id_after_task(sender=None, task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        request_id.reset(token)


@setup_logging.connect
def _worker_logging_from_django_settings(**kwargs):
    """Celery workers log like the web processes (LOGGING, LOG_FORMAT, LOG_LEVEL) instead of
    installing their own handler: connecting this signal is what stops Celery configuring logging."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
