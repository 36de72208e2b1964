"""The memory ceiling of a worker's processes, from the queues it consumes (WORKER_QUEUES).

Two guards. A process whose task goes past the ceiling gets MemoryError on its next allocation
(RLIMIT_DATA: the heap and private mappings, not the shared libraries) — the task fails with its
reason (a dossier says « mémoire épuisée ») and the host keeps its memory. A process that ended a
task above three quarters of the ceiling is replaced before the next one (Celery's
worker_max_memory_per_child), so fragmentation never accumulates into the ceiling.

Only real workers (`celery worker`) are limited: the embedded test worker and the web processes
never receive these signals."""

import logging
import resource

from celery.signals import celeryd_init, worker_process_init
from django.conf import settings

logger = logging.getLogger(__name__)

_ceiling_bytes: int | None = None


def worker_queues(options: dict) -> list[str]:
    """The queues named by -Q (a comma-separated string or a list), else every queue."""
    queues = options.get("queues") or []
    if isinstance(queues, str):
        queues = queues.split(",")
    names = [name.strip() for name in queues if name and name.strip()]
    return names or list(settings.WORKER_QUEUES)


def memory_ceiling_mb(queues: list[str]) -> int | None:
    """The largest ceiling among the worker's queues: one process may run any of their tasks."""
    ceilings = [settings.WORKER_QUEUES[name]["memory_mb"] for name in queues if name in settings.WORKER_QUEUES]
    ceilings = [ceiling for ceiling in ceilings if ceiling]
    return max(ceilings) if ceilings else None


@celeryd_init.connect
def _plan_limits(sender=None, conf=None, options=None, **kwargs):
    global _ceiling_bytes
    ceiling = memory_ceiling_mb(worker_queues(options or {}))
    if not ceiling:
        return
    _ceiling_bytes = ceiling * 1024 * 1024
    if not (options or {}).get("max_memory_per_child") and conf is not None:
        conf.worker_max_memory_per_child = ceiling * 1024 * 3 // 4  # in KiB
    logger.info("Plafond mémoire par processus : %s Mo", ceiling)


@worker_process_init.connect
def _apply_limits(**kwargs):
    if _ceiling_bytes is None:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = _ceiling_bytes if hard == resource.RLIM_INFINITY else min(_ceiling_bytes, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
