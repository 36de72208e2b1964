# ruff: noqa: S608 - statements built from the constants of sql.py, values go as parameters
"""The statistics job. Everything is computed by PostgreSQL; Python only sends statements.

Full rebuild: one fact row per procedure (sql.facts_select), written into a new table that takes
the place of the old one; then every association's unfiltered figures and the histograms of days
their medians come from, in independent parts (sql.parts_sql). The two halves of the facts,
and the parts, run side by side in PostgreSQL's parallel workers (see session.side_by_side).

Incremental: the procedures named by the change log (written by triggers) are « claimed »; their
old fact rows are subtracted from the figures and their new ones added. Sums and histograms move
by the difference; distinct victims and suspects by « members now » minus « members before »,
counted over the people of the changed procedures only (their other procedures read through the
link tables and the unchanged facts). The work is proportional to what changed, never to the
whole base: a thousand changed procedures among a million cost what a thousand cost.

Safe to run twice or concurrently: a session advisory lock admits one run at a time (another
finds it taken and is recorded as « skipped »); the refresh is one REPEATABLE READ transaction,
so every statement sees the same base, and a change committed meanwhile stays in the log for the
next run; figures and histograms have unique keys, so a doubled row cannot be written."""

import logging
import time

from django.db import connection, transaction
from django.utils import timezone

from .models import RunMode, RunStatus, StatisticsRun
from .session import settings, side_by_side, tune
from .sql import (
    CHANGE,
    FACT,
    FACT_COLUMNS,
    FIGURE,
    FIGURE_MEASURES,
    GROUPED,
    HISTOGRAM,
    PART_COLUMNS,
    PEOPLE_COLUMNS,
    category_bit_sql,
    facts_select,
    grouped_sql,
    histogram_sql,
    offence_bits_sql,
    part_figures_sql,
    parts_sql,
    percentiles_sql,
    sums_measures,
)

logger = logging.getLogger(__name__)

# pg_try_advisory_lock key: « STAT » in ASCII. Only this job takes it.
LOCK_KEY = 0x53544154

# The new facts of a full rebuild, before they replace the old ones. A table of its own, not a
# temporary one: the parts read it in parallel workers, which cannot read temporary tables.
REBUILT = "reports_statistics_rebuilt"

FIGURE_COLUMNS = ", ".join(("association_id", "dimension", "key", *FIGURE_MEASURES))


def statistics_run_request(*, user=None, full: bool = False) -> StatisticsRun:
    """A run asked for (admin button, command, beat); the task claims it by id."""
    return StatisticsRun.objects.create(mode=RunMode.FULL if full else RunMode.INCREMENTAL, requested_by=user)


def statistics_compute(*, full: bool = False, run_id: int | None = None) -> StatisticsRun | None:
    """Run the job. With run_id, only a run still queued is done (a task delivered twice does it
    once). Returns the run, or None when the run was already claimed."""
    if run_id is None:
        run = statistics_run_request(full=full)
    else:
        run = StatisticsRun.objects.filter(pk=run_id).first()
        if run is None:
            return None
        full = run.mode == RunMode.FULL
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        locked = cursor.fetchone()[0]
    try:
        if not locked:
            StatisticsRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
                status=RunStatus.SKIPPED, finished_at=timezone.now(), seconds=time.perf_counter() - started
            )
            run.refresh_from_db()
            return run
        if not StatisticsRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(status=RunStatus.RUNNING):
            return None
        nested = connection.in_atomic_block  # inside a caller's transaction (tests): its isolation
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    if not nested:
                        _repeatable_read(cursor)
                    _tune(cursor)
                    if not full and _facts_lost(cursor):
                        logger.warning(
                            "Statistiques : tables dérivées vides (arrêt brutal ?), reconstruction complète."
                        )
                        full = True
                    procedures = _rebuild(cursor) if full else _refresh(cursor)
                    cursor.execute(f"SELECT count(*) FROM {FIGURE}")
                    figures = cursor.fetchone()[0]
                StatisticsRun.objects.filter(pk=run.pk).update(
                    status=RunStatus.DONE,
                    finished_at=timezone.now(),
                    procedures=procedures,
                    figures=figures,
                    seconds=time.perf_counter() - started,
                )
        except BaseException:
            StatisticsRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(status=RunStatus.QUEUED)
            raise
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    run.refresh_from_db()
    logger.info("Statistiques : %s (%s), %.2f s", run.get_mode_display(), run.get_status_display(), run.seconds or 0)
    return run


def _repeatable_read(cursor) -> None:
    """One snapshot for the whole refresh (taken after the lock): the facts subtracted, the link
    tables read and the facts added all describe the same state of the base."""
    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def _tune(cursor) -> None:
    tune(cursor)
    # Derived data, rebuilt from the base at will: losing the last run to a crash costs nothing.
    cursor.execute("SET LOCAL synchronous_commit = off")


def _facts_lost(cursor) -> bool:
    """Facts and histograms are UNLOGGED tables (see migration 0004): a crash of PostgreSQL empties
    them while the figures stay. Subtracting from facts that are gone would corrupt the figures."""
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {FIGURE}) AND NOT EXISTS (SELECT 1 FROM {FACT})")
    return cursor.fetchone()[0]


def _rebuild(cursor) -> int:
    cursor.execute(f"DELETE FROM {CHANGE}")
    # TRUNCATE, not DELETE: dead rows by the hundred thousand would otherwise wait for vacuum.
    # The facts are not emptied: new ones are written aside and take their place at the end.
    cursor.execute(f"TRUNCATE {HISTOGRAM}")
    cursor.execute(f"DELETE FROM {FIGURE}")
    cursor.execute("SELECT min(id), max(id) FROM procedures_procedure")
    low, high = cursor.fetchone()
    if low is None:
        cursor.execute(f"TRUNCATE {FACT}")
        return 0
    middle = (low + high) // 2
    offence_bits = _offence_bits(cursor)
    with side_by_side(cursor):
        # The facts of each half of the procedures, in two workers at once. Within a half, rows
        # come out in id order from ordered index scans joined by merge: no hash table of half a
        # million wide rows (the planner's choice, 40 % slower).
        with settings(cursor, enable_hashjoin="off", enable_hashagg="off"):
            halves = " UNION ALL ".join(
                f"SELECT * FROM ({facts_select(ids=ids, offence_bits=offence_bits)}) AS h{index}"
                for index, ids in enumerate(((low, middle), (middle + 1, high)))
            )
            procedures = _create_like(cursor, FACT, REBUILT, halves, FACT_COLUMNS)
        filtered = ", ".join(column for column in FACT_COLUMNS.split(", ") if column not in PEOPLE_COLUMNS)
        # A sample of 7,500 rows, not 30,000: estimates good enough for the grouped reads, at a
        # fifth of the cost (0.26 s → 0.05 s at a million procedures).
        with settings(cursor, default_statistics_target="25"):
            cursor.execute(f"ANALYZE {REBUILT} ({filtered})")
        # Sums, distinct people and histograms: independent parts over the new facts, run side by side.
        cursor.execute(
            f"CREATE TEMPORARY TABLE statistics_parts ({PART_COLUMNS}) ON COMMIT DROP AS {parts_sql(REBUILT)}"
        )
    cursor.execute(
        f"INSERT INTO {FIGURE} ({FIGURE_COLUMNS}) SELECT p.* FROM ({part_figures_sql('statistics_parts')}) AS p "
        "JOIN cases_association a ON a.id = p.association_id"
    )
    _load_without_indexes(
        cursor,
        HISTOGRAM,
        f"INSERT INTO {HISTOGRAM} (association_id, dimension, key, days, count, kind) "
        "SELECT p.association_id, p.dimension, p.key, p.days, p.count, p.kind "
        "FROM statistics_parts p JOIN cases_association a ON a.id = p.association_id WHERE p.kind IS NOT NULL",
    )
    # The days of each figure in order straight from the unique index just built: sorting them
    # again (by text keys) cost more than the rest of the computation.
    with settings(cursor, enable_sort="off"):
        _update_percentiles(cursor, HISTOGRAM)
    cursor.execute("DROP TABLE statistics_parts")
    _replace(cursor, FACT, REBUILT)
    return procedures


def _offence_bits(cursor) -> str | None:
    cursor.execute("SELECT id, categories FROM cases_offence")
    return offence_bits_sql(cursor.fetchall())


def _create_like(cursor, table: str, new: str, select: str, names: str) -> int:
    """CREATE TABLE new AS the rows of `select` (columns `names`), with the columns of `table` in
    its order and types and its persistence; none of its constraints yet (see _replace). Returns
    the number of rows."""
    cursor.execute(
        "SELECT quote_ident(attname), format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        [table],
    )
    columns = ", ".join(f"s.{name}::{kind}" for name, kind in cursor.fetchall())
    cursor.execute("SELECT relpersistence = 'u' FROM pg_class WHERE oid = %s::regclass", [table])
    unlogged = "UNLOGGED " if cursor.fetchone()[0] else ""
    cursor.execute(f"CREATE {unlogged}TABLE {new} AS SELECT {columns} FROM ({select}) AS s ({names})")
    return cursor.rowcount


def _replace(cursor, table: str, new: str) -> None:
    """Put `new` (made by _create_like) in the place of `table`: its NOT NULL and CHECK
    constraints first (one scan of the new rows), then the old table dropped, the new one renamed,
    and the keys and indexes of the old one built on it (one sort each). Cheaper than copying a
    million rows into the old table (2.4 s). Filtered readers go on reading the old facts (with
    the old figures) until the DROP; those that come meanwhile wait for the commit, then PostgreSQL
    looks the name up again and they read the new table."""
    cursor.execute(
        "SELECT format('ALTER COLUMN %%I SET NOT NULL', attname) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped AND attnotnull "
        "UNION ALL SELECT format('ADD CONSTRAINT %%I %%s', conname, pg_get_constraintdef(oid)) "
        "FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c'",
        [table, table],
    )
    checks = [row[0] for row in cursor.fetchall()]
    if checks:
        cursor.execute(f"ALTER TABLE {new} {', '.join(checks)}")
    keys, indexes = _keys_and_indexes(cursor, table)
    cursor.execute(f"DROP TABLE {table}")
    cursor.execute(f"ALTER TABLE {new} RENAME TO {table}")
    for _drop, create in indexes + keys:
        cursor.execute(create)


def _load_without_indexes(cursor, table: str, statement: str) -> int:
    """Run an INSERT into an emptied table with its indexes and keys dropped, then build them
    again: one sort per index instead of an index insertion per row (at a million fact rows,
    keeping the primary key and four indexes up to date cost 6.8 s, building them afterwards 1 s).
    Only for the rebuild, which holds the table locked since its TRUNCATE."""
    keys, indexes = _keys_and_indexes(cursor, table)
    for drop, _create in keys + indexes:
        cursor.execute(drop)
    cursor.execute(statement)
    rows = cursor.rowcount
    for _drop, create in indexes + keys:
        cursor.execute(create)
    return rows


def _keys_and_indexes(cursor, table: str) -> tuple[list, list]:
    """([(drop, add) of each primary key and unique constraint], [(drop, create) of each other
    index]) of a table, read from the catalog: a new index is handled with no code change."""
    cursor.execute(
        "SELECT format('ALTER TABLE %%I DROP CONSTRAINT %%I', %s, conname), "
        "format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', %s, conname, pg_get_constraintdef(oid)) "
        "FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u')",
        [table, table, table],
    )
    keys = cursor.fetchall()
    cursor.execute(
        "SELECT format('DROP INDEX %%s', indexrelid::regclass), pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = %s::regclass AND indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    )
    return keys, cursor.fetchall()


def _refresh(cursor) -> int:
    cursor.execute(
        "CREATE TEMPORARY TABLE statistics_claim ON COMMIT DROP AS "
        f"WITH claimed AS (DELETE FROM {CHANGE} RETURNING procedure_id) SELECT DISTINCT procedure_id AS id FROM claimed"
    )
    procedures = cursor.rowcount
    if not procedures:
        cursor.execute("DROP TABLE statistics_claim")
        return 0
    cursor.execute("CREATE UNIQUE INDEX ON statistics_claim (id)")
    cursor.execute("ANALYZE statistics_claim")
    # The changed procedures' facts: as last counted (sign −1), as they are now (sign +1).
    cursor.execute(f"CREATE TEMPORARY TABLE statistics_new (LIKE {FACT}) ON COMMIT DROP")
    offence_bits = _offence_bits(cursor)
    cursor.execute(
        f"INSERT INTO statistics_new ({FACT_COLUMNS}) {facts_select(claimed=True, offence_bits=offence_bits)}"
    )
    cursor.execute(
        "CREATE TEMPORARY TABLE statistics_delta ON COMMIT DROP AS "
        f"SELECT f.*, -1 AS sign FROM {FACT} f JOIN statistics_claim k ON k.id = f.procedure_id "
        "UNION ALL SELECT n.*, 1 FROM statistics_new n"
    )
    cursor.execute("ANALYZE statistics_delta")
    # Sums move by the difference of the changed rows.
    cursor.execute(
        "CREATE TEMPORARY TABLE statistics_move ON COMMIT DROP AS "
        f"SELECT * FROM ({grouped_sql('statistics_delta', sums_measures('sign'))}) AS s "
        "(association_id, dimension, key, procedures, filings, convictions)"
    )
    cursor.execute(
        "ALTER TABLE statistics_move ADD COLUMN victims bigint DEFAULT 0, ADD COLUMN minor_victims bigint DEFAULT 0, "
        "ADD COLUMN suspects bigint DEFAULT 0"
    )
    _distinct_moves(cursor)
    # UPDATE then INSERT, not INSERT … ON CONFLICT: the proposed row of an upsert must pass the
    # checks (counts ≥ 0) before the conflict is found, and a move is often negative.
    cursor.execute(
        "CREATE TEMPORARY TABLE statistics_moves ON COMMIT DROP AS "
        "SELECT m.association_id, m.dimension, m.key, sum(m.procedures) AS procedures, sum(m.filings) AS filings, "
        "sum(m.convictions) AS convictions, sum(m.victims) AS victims, sum(m.minor_victims) AS minor_victims, "
        "sum(m.suspects) AS suspects "
        "FROM statistics_move m JOIN cases_association a ON a.id = m.association_id "
        "GROUP BY m.association_id, m.dimension, m.key"
    )
    cursor.execute(
        f"""
UPDATE {FIGURE} f SET procedures = f.procedures + m.procedures, filings = f.filings + m.filings,
    convictions = f.convictions + m.convictions, victims = f.victims + m.victims,
    minor_victims = f.minor_victims + m.minor_victims, suspects = f.suspects + m.suspects
FROM statistics_moves m
WHERE f.association_id = m.association_id AND f.dimension = m.dimension AND f.key = m.key"""
    )
    cursor.execute(
        f"""
INSERT INTO {FIGURE} ({FIGURE_COLUMNS})
SELECT m.* FROM statistics_moves m
WHERE NOT EXISTS (SELECT 1 FROM {FIGURE} f
                  WHERE f.association_id = m.association_id AND f.dimension = m.dimension AND f.key = m.key)"""
    )
    cursor.execute(f"DELETE FROM {FIGURE} WHERE procedures = 0")
    # Histograms move by the difference too; only the figures whose histogram moved get new percentiles.
    cursor.execute(
        "CREATE TEMPORARY TABLE statistics_days ON COMMIT DROP AS "
        "SELECT association_id, dimension, key, days, sum(count)::bigint AS count, kind FROM ("
        f"{histogram_sql('statistics_delta', sign='sign')}) AS h (association_id, dimension, key, days, count, kind) "
        "GROUP BY association_id, dimension, key, days, kind HAVING sum(count) <> 0"
    )
    cursor.execute(
        f"""
UPDATE {HISTOGRAM} h SET count = h.count + d.count FROM statistics_days d
WHERE h.association_id = d.association_id AND h.dimension = d.dimension AND h.key = d.key AND h.kind = d.kind
  AND h.days = d.days"""
    )
    cursor.execute(
        f"""
INSERT INTO {HISTOGRAM} (association_id, dimension, key, days, count, kind)
SELECT d.association_id, d.dimension, d.key, d.days, d.count, d.kind
FROM statistics_days d JOIN cases_association a ON a.id = d.association_id
WHERE NOT EXISTS (SELECT 1 FROM {HISTOGRAM} h WHERE h.association_id = d.association_id AND h.dimension = d.dimension
                  AND h.key = d.key AND h.kind = d.kind AND h.days = d.days)"""
    )
    cursor.execute(f"DELETE FROM {HISTOGRAM} WHERE count = 0")
    cursor.execute(
        f"""
CREATE TEMPORARY TABLE statistics_moved_days ON COMMIT DROP AS
SELECT h.* FROM {HISTOGRAM} h
JOIN (SELECT DISTINCT association_id, dimension, key FROM statistics_days) AS t USING (association_id, dimension, key)"""
    )
    _update_percentiles(cursor, "statistics_moved_days", moved="statistics_days")
    cursor.execute(f"DELETE FROM {FACT} f USING statistics_claim k WHERE f.procedure_id = k.id")
    cursor.execute(f"INSERT INTO {FACT} SELECT * FROM statistics_new")
    for table in (
        "statistics_moved_days",
        "statistics_days",
        "statistics_moves",
        "statistics_move",
        "statistics_delta",
        "statistics_new",
        "statistics_claim",
    ):
        cursor.execute(f"DROP TABLE {table}")
    return procedures


def _distinct_moves(cursor) -> None:
    """Distinct victims and suspects of each figure, moved by the people of the changed
    procedures only. A person counts in a figure before (after) the change if one of their
    procedures was (is) in it. For a changed procedure's person and figure, only two cases move a
    count: in the figure through the old facts and not the new ones (−1), or the reverse (+1) —
    and even then not if another, unchanged procedure of theirs keeps them in it. That check is one
    EXISTS per such pair, stopped at the first procedure found: never a scan of everyone."""
    links = {
        "victims": ("procedures_procedure_victims", "victim_id"),
        "suspects": ("procedures_procedure_suspects", "suspect_id"),
    }
    in_figure = (
        "CASE p.dimension "
        + " ".join(f"WHEN '{name}' THEN {key} = p.key" for name, _column, key in GROUPED)
        + f" WHEN 'category' THEN f.category_bits & {category_bit_sql('p.key')} <> 0 ELSE true END"
    )
    for kind, (table, column) in links.items():
        minor = "item = ANY(d.minor_victims)" if kind == "victims" else "false"
        items = f"(SELECT d.*, item, {minor} AS minor FROM statistics_delta d CROSS JOIN LATERAL unnest(d.{kind}) AS item) AS i"
        # In the figure after (m0, m2 for a minor) and before (m1, m3) the change.
        presence = [
            (f"bool_or({condition})", "bool_or({})")
            for condition in ("sign > 0", "sign < 0", "sign > 0 AND minor", "sign < 0 AND minor")
        ]
        cursor.execute(
            "CREATE TEMPORARY TABLE statistics_pairs ON COMMIT DROP AS "
            "SELECT association_id, dimension, key, item, m0::int - m1::int AS move, m2::int - m3::int AS minor_move "
            f"FROM ({grouped_sql(items, presence, extra='item')}) AS p"
        )
        kept = (
            f"EXISTS (SELECT 1 FROM {table} l JOIN {FACT} f ON f.procedure_id = l.procedure_id "
            f"WHERE l.{column} = p.item AND f.association_id = p.association_id AND ({in_figure}) {{extra}} "
            "AND NOT EXISTS (SELECT 1 FROM statistics_claim k WHERE k.id = l.procedure_id))"
        )
        moves = f"coalesce(sum(p.move) FILTER (WHERE p.move <> 0 AND NOT {kept.format(extra='')}), 0)"
        if kind == "victims":
            minor_kept = kept.format(extra="AND p.item = ANY(f.minor_victims)")
            moves += f", coalesce(sum(p.minor_move) FILTER (WHERE p.minor_move <> 0 AND NOT {minor_kept}), 0)"
        names = "victims, minor_victims" if kind == "victims" else "suspects"
        cursor.execute(
            f"INSERT INTO statistics_move (association_id, dimension, key, procedures, filings, convictions, {names}) "
            f"SELECT p.association_id, p.dimension, p.key, 0, 0, 0, {moves} FROM statistics_pairs p "
            "WHERE p.move <> 0 OR p.minor_move <> 0 GROUP BY p.association_id, p.dimension, p.key"
        )
        cursor.execute("DROP TABLE statistics_pairs")


def _update_percentiles(cursor, histograms: str, *, moved: str | None = None) -> None:
    """Medians and 90th percentiles of the figures whose histogram is in `histograms` (and, in
    an incremental run, of those whose histogram `moved` and is now empty: none any more)."""
    pivot = ", ".join(
        f"max({name}) FILTER (WHERE kind = '{kind}') AS {kind}_{name}"
        for kind in ("decision", "judgment")
        for name in ("median", "p90")
    )
    scope = (
        f"(SELECT DISTINCT association_id, dimension, key FROM {moved}) AS t LEFT JOIN p USING (association_id, dimension, key)"
        if moved
        else "p"
    )
    assignments = ", ".join(
        f"{kind}_{name} = x.{kind}_{name}" for kind in ("decision", "judgment") for name in ("median", "p90")
    )
    cursor.execute(
        f"""
WITH p AS (
    SELECT association_id, dimension, key, {pivot}
    FROM ({percentiles_sql(histograms)}) AS q GROUP BY association_id, dimension, key
)
UPDATE {FIGURE} f SET {assignments}
FROM (SELECT * FROM {scope}) AS x
WHERE f.association_id = x.association_id AND f.dimension = x.dimension AND f.key = x.key"""
    )
