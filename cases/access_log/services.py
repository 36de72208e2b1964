"""Retention of the access log: rows older than ACCESS_LOG_RETENTION_MONTHS are deleted.

CNIL, recommandation « journalisation » (2021): keep access logs 6 months to 1 year, long enough to
detect and investigate misuse, no longer (RGPD art. 5.1.e). The table refuses DELETE (trigger
`access_log_append_only`): the purge alone ignores that trigger, in its own transactions, and
writes a PURGE row saying how many rows went and up to which instant."""

from dataclasses import dataclass
from datetime import datetime

import pgtrigger
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ..models import AccessAction, AccessLog
from ..services import access_log_write

# The URI pgtrigger gives the Protect trigger of cases/models/access.py: "<app>.<Model>:<name>".
APPEND_ONLY_TRIGGER = "cases.AccessLog:access_log_append_only"
PURGE_BATCH = 20_000
# Two purges at once (beat and a manual run) queue on this lock instead of racing.
_PURGE_LOCK = 0x6163_6365_7373  # "access"


@dataclass(frozen=True)
class AccessLogPurge:
    cutoff: datetime
    count: int
    dry_run: bool = False


def access_log_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - relativedelta(months=settings.ACCESS_LOG_RETENTION_MONTHS)


def access_log_purge(*, dry_run: bool = False, now: datetime | None = None, user=None) -> AccessLogPurge:
    """Delete the rows older than the retention period, in batches; safe to run twice (the second
    run finds nothing to delete). Returns how many rows were (or, dry run, would be) deleted."""
    cutoff = access_log_cutoff(now)
    expired = AccessLog.objects.filter(at__lt=cutoff)
    if dry_run:
        return AccessLogPurge(cutoff=cutoff, count=expired.count(), dry_run=True)
    total = 0
    table = AccessLog._meta.db_table
    while True:
        with transaction.atomic(), pgtrigger.ignore(APPEND_ONLY_TRIGGER), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PURGE_LOCK])
            cursor.execute(
                f'DELETE FROM "{table}" WHERE id IN (SELECT id FROM "{table}" WHERE at < %s ORDER BY id LIMIT %s)',  # noqa: S608 - table name from the model
                [cutoff, PURGE_BATCH],
            )
            deleted = cursor.rowcount
        total += deleted
        if deleted < PURGE_BATCH:
            break
    access_log_write(
        user=user,
        association_id=None,
        action=AccessAction.PURGE,
        object_type=AccessLog._meta.model_name,
        object_id=0,
        details={"purged": total, "before": cutoff.isoformat(), "months": settings.ACCESS_LOG_RETENTION_MONTHS},
    )
    return AccessLogPurge(cutoff=cutoff, count=total)
