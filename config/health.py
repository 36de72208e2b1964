"""/healthz: database, broker, workers, read replica and queues (depth, oldest waiting job), for
monitoring.
No secrets, no URLs, no personal data."""

import logging
from contextlib import suppress

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu.exceptions import ChannelError

from .celery import app as celery_app
from .db_router import replica_state
from .jobs import oldest_waiting

logger = logging.getLogger(__name__)


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "down", reported by class only
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def _broker() -> dict:
    if celery_app.conf.task_always_eager:
        return {"ok": True, "mode": "eager"}
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "mode": "broker", "error": type(error).__name__}
    return {"ok": True, "mode": "broker"}


def _workers(broker_ok: bool) -> dict:
    if celery_app.conf.task_always_eager:
        return {"ok": True, "mode": "eager", "count": 0}
    if not broker_ok:
        return {"ok": False, "count": 0}
    try:
        replies = celery_app.control.ping(timeout=1.0) or []
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "count": 0, "error": type(error).__name__}
    return {"ok": bool(replies), "count": len(replies)}


def broker_depths() -> dict[str, int | None]:
    """Messages waiting in the broker per queue (None: the broker did not answer)."""
    names = list(settings.WORKER_QUEUES)
    if celery_app.conf.task_always_eager:
        return dict.fromkeys(names, 0)
    depths = dict.fromkeys(names)
    # A dead broker leaves the depths unknown (None); _broker() reports why.
    with suppress(Exception), celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        channel = conn.default_channel
        for name in names:
            try:
                depths[name] = channel.queue_declare(queue=name, passive=True).message_count
            except ChannelError:  # never declared: no worker started on it yet, nothing sent
                depths[name] = 0
    return depths


def queue_states(broker_ok: bool = True) -> dict[str, dict]:
    """Per queue: the broker's messages, the rows waiting and the age of the oldest (config/jobs.py).
    The rows tell what the broker may have lost: a row waiting with no message is sent again."""
    states = oldest_waiting()
    depths = broker_depths() if broker_ok else dict.fromkeys(states)
    for name, state in states.items():
        state["messages"] = depths.get(name)
    return states


def _queues(broker_ok: bool) -> dict:
    try:
        return queue_states(broker_ok)
    except Exception as error:  # noqa: BLE001
        return {"error": type(error).__name__}


@never_cache
@require_GET
def healthz(request):
    database = _database()
    broker = _broker()
    workers = _workers(broker["ok"])
    replica = replica_state() if database["ok"] else {}
    # A replica that cannot serve is no outage (its reads fall back to the primary) but is reported.
    healthy = database["ok"] and broker["ok"] and workers["ok"] and replica.get("ok", True)
    body = {
        "status": "ok" if healthy else "degraded",
        "database": database,
        "broker": broker,
        "workers": workers,
        "replica": replica,
        "queues": _queues(broker["ok"]) if database["ok"] else {},
    }
    # 503 only when the database is down: the site cannot serve anything without it.
    return JsonResponse(body, status=200 if database["ok"] else 503)


QUEUE_LABELS = {
    "default": _("Rappels et tâches courantes"),
    "dossiers": _("Dossiers PDF"),
    "statistics": _("Statistiques"),
    "imports": _("Imports"),
}
# A job waiting longer than this is shown as late on the admins' home page.
LATE_AFTER_SECONDS = 10 * 60


def _duration_label(seconds: int) -> str:
    if seconds < 60:
        return _("%(n)s s") % {"n": seconds}
    if seconds < 3600:
        return _("%(n)s min") % {"n": seconds // 60}
    return _("%(h)s h %(m)02d") % {"h": seconds // 3600, "m": seconds % 3600 // 60}


def queues_panel(request, membership) -> str:
    """The admins' home panel: each queue's waiting jobs and the longest wait (no personal data)."""
    try:
        states = queue_states(_broker()["ok"])
    except Exception:
        logger.exception("État des files illisible")
        return render_to_string("config/_queues_panel.html", {"error": True}, request=request)
    queues = [
        {
            "label": QUEUE_LABELS.get(name, name),
            **state,
            "oldest_label": _duration_label(state["oldest_seconds"] or 0),
            "late": (state["oldest_seconds"] or 0) > LATE_AFTER_SECONDS,
        }
        for name, state in states.items()
    ]
    return render_to_string("config/_queues_panel.html", {"queues": queues}, request=request)
