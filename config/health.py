"""/healthz: database, broker and worker status, for monitoring. No secrets, no URLs."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app


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


@never_cache
@require_GET
def healthz(request):
    database = _database()
    broker = _broker()
    workers = _workers(broker["ok"])
    healthy = database["ok"] and broker["ok"] and workers["ok"]
    body = {
        "status": "ok" if healthy else "degraded",
        "database": database,
        "broker": broker,
        "workers": workers,
    }
    # 503 only when the database is down: the site cannot serve anything without it.
    return JsonResponse(body, status=200 if database["ok"] else 503)
