"""The Celery application: JSON only, late acknowledgement, time limits.

Tasks take ids, call a service and are safe to run twice (DESIGN.md, cross-cutting rules).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("coco_affaires")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping", ignore_result=False)
def ping() -> str:
    """Round trip used by /healthz and by the test that proves a real worker answers."""
    return "pong"


# Connected here so that every `celery -A config worker` has them: memory limits
# (config/worker_limits.py), the request id in task headers and worker logs, and workers logging
# through LOGGING (config/request_context.py).
from . import request_context, worker_limits  # noqa: E402, F401
