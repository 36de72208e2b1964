"""Gunicorn's settings for the web processes, the same for `make run` and production
(deploy/coco-web.service): `gunicorn -c config/gunicorn.py config.wsgi`.

Every value comes from the environment, with defaults for a 2-core machine that also runs
PostgreSQL, Redis and the Celery workers. Requests are logged as JSON lines by Django itself, so
gunicorn's own access log stays off unless GUNICORN_ACCESS_LOG names a file (or "-", stdout)."""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Always explicit: without it gunicorn would listen on every interface when PORT is set.
bind = os.environ.get("GUNICORN_BIND", "").strip() or "127.0.0.1:8000"

# Threads, because a request mostly waits on PostgreSQL; one process per core plus one, so a
# slow page (a large export) never holds every request behind it.
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", len(os.sched_getaffinity(0)) + 1)
threads = _int("GUNICORN_THREADS", 4)

# Past this a worker is killed and restarted (a runaway request); dossiers and imports run on
# Celery, so no page has a reason to take a minute.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# A process is replaced after this many requests, so a slow leak never grows for days.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "").strip() or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The TLS proxy's addresses, whose X-Forwarded-Proto is believed; empty (nobody) without a proxy.
# The same variable lets config/wsgi.py take the client's address from X-Forwarded-For.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "").strip()

# Heartbeat files in memory, not on a disk that may stall them (gunicorn makes them with mkstemp),
# and no control socket in a home directory the service user does not have.
SHARED_MEMORY = "/dev/shm"  # noqa: S108 - gunicorn's own private mkstemp files
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None
control_socket_disable = True
proc_name = "coco-web"
