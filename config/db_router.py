"""Read replica (DATABASE_REPLICA_URL): the statistics pages, the statistics API and the exports
read from a PostgreSQL streaming replica; every write and every other read goes to the primary.

Only reads inside `replica_reads()` may go to the replica, so a lawyer's own pages always read
what they just wrote. A block reads from the replica only while it is usable: it answers, it is
still a standby, and it is at most DATABASE_REPLICA_MAX_LAG seconds behind the primary; otherwise
the block reads from the primary, and a warning is logged once. The verdict is kept CHECK_EVERY
seconds per process, so requests do not each probe the replica. UNLOGGED tables are not
replicated: their reads stay on the primary (PRIMARY_ONLY).
"""

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
# Tables a replica does not have: UNLOGGED ones are never replicated (the statistics' derived fact
# rows and histograms, rebuilt at will by the job). Their reads stay on the primary in any block.
PRIMARY_ONLY = frozenset({"statistics.StatisticsFact", "statistics.StatisticsHistogram"})
# Seconds a verdict on the replica is kept, per process.
CHECK_EVERY = 5.0


class _Block:
    """One replica_reads() block: the database its reads go to, chosen at its first read and kept
    to its end, so that a page's reads never switch database halfway (a verdict that changes, a
    streamed export's server-side cursor)."""

    __slots__ = ("alias",)

    def __init__(self) -> None:
        self.alias: str | None = None


_block: ContextVar[_Block | None] = ContextVar("replica_reads", default=None)


@contextmanager
def replica_reads():
    """Reads inside go to the replica when it is usable, else to the primary. A nested block is
    part of the outer one."""
    if _block.get() is not None:
        yield
        return
    token = _block.set(_Block())
    try:
        yield
    finally:
        _block.reset(token)


def replica_iterable(iterable: Iterable) -> Iterator:
    """`iterable` read inside one replica_reads() block, piece by piece: for a streamed response,
    whose rows are read after the view has returned (and left its own block)."""
    block = _Block()
    iterator = iter(iterable)
    try:
        while True:
            token = _block.set(block)
            try:
                item = next(iterator)
            except StopIteration:
                return
            finally:
                _block.reset(token)
            yield item
    finally:
        # A client that stops reading: the rows' server-side cursor is closed on the same database.
        if close := getattr(iterator, "close", None):
            token = _block.set(block)
            try:
                close()
            finally:
                _block.reset(token)


class ReplicaRouter:
    """DATABASE_ROUTERS. The aliases are arguments only for tests that route between databases of
    their own."""

    def __init__(self, primary: str = DEFAULT_DB_ALIAS, replica: str = REPLICA) -> None:
        self.primary = primary
        self.replica = replica

    def db_for_read(self, model, **hints) -> str:
        block = _block.get()
        # Inside a transaction of the primary (a service that reads what it then writes), reads stay
        # in that transaction.
        if block is None or model._meta.label in PRIMARY_ONLY or connections[self.primary].in_atomic_block:
            return self.primary
        if block.alias is None:
            block.alias = self.replica if replica_usable(self.replica, self.primary) else self.primary
        return block.alias

    def db_for_write(self, model, **hints) -> str:
        return self.primary

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == self.primary


# --- Is the replica usable? -----------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    usable: bool
    reason: str  # why not: a state of the servers, never data
    checked_at: float


_verdicts: dict[str, Verdict] = {}


def forget_verdicts() -> None:
    """The next block probes the replica again (tests)."""
    _verdicts.clear()


def lag_problem(*, in_recovery: bool, caught_up: bool | None, lag_seconds: float | None, max_lag: float) -> str:
    """Why a replica in this state may not serve reads, or "" if it may.

    caught_up: it has replayed all the WAL the primary had flushed a moment before; then it is
    current however long ago its last replayed transaction was (an idle primary writes none).
    Otherwise its lag is the age of the last transaction it replayed: an overestimate after an idle
    spell, which errs towards the primary. A walreceiver that lost the primary is no excuse: its
    replica falls behind the primary's flushed WAL as soon as the primary writes."""
    if not in_recovery:
        return "n'est pas un serveur en attente (promu, ou le primaire lui-même)"
    if caught_up:
        return ""
    if lag_seconds is None:
        return "aucune transaction rejouée depuis son démarrage"
    if lag_seconds > max_lag:
        return f"retard de {lag_seconds:.0f} s (maximum {max_lag:g} s)"
    return ""


def probe(replica: str, primary: str) -> str:
    """Asks the servers: "" if the replica may serve reads, else why not."""
    with connections[primary].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
        (flushed,) = cursor.fetchone()
    try:
        with connections[replica].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn, "
                "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8",
                [flushed],
            )
            in_recovery, caught_up, lag_seconds = cursor.fetchone()
    except DatabaseError as error:
        _close(replica)
        return f"connexion impossible ({type(error).__name__})"
    return lag_problem(
        in_recovery=in_recovery,
        caught_up=caught_up,
        lag_seconds=lag_seconds,
        max_lag=settings.DATABASE_REPLICA_MAX_LAG,
    )


def _close(alias: str) -> None:
    with suppress(DatabaseError):
        connections[alias].close()


def _connected(alias: str) -> bool:
    """The replica still answers (a kept verdict may be a few seconds old): the connection the
    block needs anyway, opened now, or a dead one noticed."""
    connection = connections[alias]
    try:
        if connection.connection is not None and not connection.is_usable():
            _close(alias)
        connection.ensure_connection()
    except DatabaseError:
        _close(alias)
        return False
    return True


def replica_usable(replica: str = REPLICA, primary: str = DEFAULT_DB_ALIAS) -> bool:
    if replica not in connections.settings:
        return False  # no DATABASE_REPLICA_URL
    now = time.monotonic()
    kept = _verdicts.get(replica)
    if kept is None or now - kept.checked_at >= CHECK_EVERY:
        reason = probe(replica, primary)
    elif kept.usable and not _connected(replica):
        reason = "connexion impossible"
    else:
        return kept.usable
    verdict = Verdict(usable=not reason, reason=reason, checked_at=now)
    was_usable = kept is None or kept.usable
    if was_usable and not verdict.usable:
        logger.warning("Réplique « %s » inutilisable (%s) : ses lectures passent au primaire.", replica, reason)
    elif kept is not None and not kept.usable and verdict.usable:
        logger.info("Réplique « %s » de nouveau utilisée.", replica)
    _verdicts[replica] = verdict
    return verdict.usable


def replica_state() -> dict:
    """For /healthz: whether a replica is configured and, asked now, whether it may serve reads
    and why not (a state of the servers, never data)."""
    from django.db import router

    replica_router = next((each for each in router.routers if isinstance(each, ReplicaRouter)), None)
    if replica_router is None or replica_router.replica not in connections.settings:
        return {"configured": False}
    try:
        reason = probe(replica_router.replica, replica_router.primary)
    except DatabaseError as error:  # the primary itself: /healthz reports it as the database
        reason = f"primaire injoignable ({type(error).__name__})"
    return {"configured": True, "ok": not reason, "reason": reason or None}
