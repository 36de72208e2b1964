"""Settings of the PostgreSQL session for the statistics' big grouped statements: the job's and
the filtered reads'. Every setting is SET LOCAL: it ends with the transaction."""

from contextlib import contextmanager


def tune(cursor, *, work_mem: str = "256MB") -> None:
    # The planner misjudges rows built by unnest by orders of magnitude; JIT then compiles for
    # seconds a query that runs in less. Hash aggregates of a million rows want memory.
    cursor.execute("SET LOCAL jit = off")
    cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])


@contextmanager
def settings(cursor, **values: str):
    """SET LOCAL for the statements of the block, then back to what was set before."""
    before = {}
    for name, value in values.items():
        cursor.execute("SELECT current_setting(%s)", [name])
        before[name] = cursor.fetchone()[0]
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    try:
        yield
    finally:
        for name, value in before.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def side_by_side(cursor):
    """Let PostgreSQL run the branches of a UNION ALL in its parallel workers, each branch whole
    in one process (a Parallel Append of non-partial plans): the branches are independent parts
    of a computation, and a machine with two cores does two at once. Table scans are kept whole
    (no Gather inside a branch, which would keep the branch out of the Parallel Append); the
    costs of starting workers and passing rows are made nil so the planner takes that plan for
    statements of seconds. Only CREATE TABLE … AS may run in parallel workers (INSERT … SELECT may
    not), and its source may not be a temporary table."""
    return settings(
        cursor,
        parallel_setup_cost="0",
        parallel_tuple_cost="0",
        min_parallel_table_scan_size="100GB",
        min_parallel_index_scan_size="100GB",
    )
