# ruff: noqa: S608 - every statement is built from constants of this module, values go as parameters
"""The SQL of the statistics job: the triggers that record which slices changed, and the query
that computes the cells of a set of slices from the procedures, entirely inside PostgreSQL.

Table names are written out: these statements run in migrations too, where models are frozen."""

from procedures.models import DecisionKind, Outcome, Stage

CELL = "reports_statistics_cell"
CHANGE = "reports_statistics_change"
NO_MONTH = "DATE '0001-01-01'"  # stands for « date of opening unknown » in equality joins

# A judgment on the merits: what « from filing to judgment » measures (art. 464 and 231 CPP).
JUDGMENT_KINDS = (DecisionKind.JUDGMENT_CORRECTIONNEL, DecisionKind.VERDICT_ASSISES)

_MARK_FROM_PROCEDURES = f"""
    INSERT INTO {CHANGE} (association_id, parquet_id, month)
    SELECT DISTINCT p.association_id, p.parquet_id, date_trunc('month', p.opened_on)::date
    FROM procedures_procedure p WHERE %s;"""

TRIGGERS = {
    # table: (function body for INSERT/DELETE rows in `changed`, events)
    "procedures_procedure": f"""
        INSERT INTO {CHANGE} (association_id, parquet_id, month)
        SELECT DISTINCT association_id, parquet_id, date_trunc('month', opened_on)::date FROM changed;""",
    "procedures_procedure_victims": _MARK_FROM_PROCEDURES % "p.id IN (SELECT procedure_id FROM changed)",
    "procedures_procedure_offences": _MARK_FROM_PROCEDURES % "p.id IN (SELECT procedure_id FROM changed)",
    "procedures_procedure_suspects": _MARK_FROM_PROCEDURES % "p.id IN (SELECT procedure_id FROM changed)",
    "procedures_filing": _MARK_FROM_PROCEDURES % "p.id IN (SELECT procedure_id FROM changed)",
    "procedures_decision": _MARK_FROM_PROCEDURES % "p.id IN (SELECT procedure_id FROM changed)",
}
# Reference rows whose change moves figures: only UPDATE matters (deleting them is protected).
UPDATE_TRIGGERS = {
    "cases_victim": _MARK_FROM_PROCEDURES
    % """p.id IN (SELECT pv.procedure_id FROM procedures_procedure_victims pv WHERE pv.victim_id IN (
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.minor_at_facts IS DISTINCT FROM o.minor_at_facts))""",
    "cases_case": _MARK_FROM_PROCEDURES
    % """p.case_id IN (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.platform_id IS DISTINCT FROM o.platform_id)""",
    "cases_parquet": _MARK_FROM_PROCEDURES
    % """p.parquet_id IN (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.court_of_appeal_id IS DISTINCT FROM o.court_of_appeal_id)""",
    "cases_offence": _MARK_FROM_PROCEDURES
    % """p.id IN (SELECT po.procedure_id FROM procedures_procedure_offences po WHERE po.offence_id IN (
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.categories IS DISTINCT FROM o.categories))""",
}


def _function_sql(table: str, body: str, *, both_ways: bool) -> str:
    function = f"reports_statistics_mark_{table}"
    if not both_ways:
        return f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {body.strip()}
  RETURN NULL;
END $$;"""
    return f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    WITH changed AS (SELECT * FROM new_rows) {body.strip()}
  END IF;
  IF TG_OP <> 'INSERT' THEN
    WITH changed AS (SELECT * FROM old_rows) {body.strip()}
  END IF;
  RETURN NULL;
END $$;"""


def create_functions_sql() -> str:
    """The trigger functions alone (CREATE OR REPLACE), for a migration that changes their bodies.

    The change table is an append-only log without a unique key: with one, two transactions
    marking the same slice (the parallel chunks of an import) waited for each other on the index
    entry, which serialised the import's writers. The job claims the log and de-duplicates it."""
    return "\n".join(
        [_function_sql(table, body, both_ways=True) for table, body in TRIGGERS.items()]
        + [_function_sql(table, body, both_ways=False) for table, body in UPDATE_TRIGGERS.items()]
    )


def create_triggers_sql() -> str:
    """Statement-level triggers with transition tables: one INSERT … SELECT per statement, so an
    import of 23,051 rows costs a few statements, not a trigger call per row."""
    parts = [create_functions_sql()]
    for table in TRIGGERS:
        function = f"reports_statistics_mark_{table}"
        parts.append(
            f"""
CREATE TRIGGER statistics_mark_insert AFTER INSERT ON {table}
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER statistics_mark_update AFTER UPDATE ON {table}
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER statistics_mark_delete AFTER DELETE ON {table}
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();"""
        )
    for table in UPDATE_TRIGGERS:
        function = f"reports_statistics_mark_{table}"
        parts.append(
            f"""
CREATE TRIGGER statistics_mark_update AFTER UPDATE ON {table}
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();"""
        )
    return "\n".join(parts)


def drop_triggers_sql() -> str:
    parts = []
    for table in TRIGGERS:
        for event in ("insert", "update", "delete"):
            parts.append(f"DROP TRIGGER IF EXISTS statistics_mark_{event} ON {table};")
        parts.append(f"DROP FUNCTION IF EXISTS reports_statistics_mark_{table}();")
    for table in UPDATE_TRIGGERS:
        parts.append(f"DROP TRIGGER IF EXISTS statistics_mark_update ON {table};")
        parts.append(f"DROP FUNCTION IF EXISTS reports_statistics_mark_{table}();")
    return "\n".join(parts)


def _counts_by(column: str, values) -> str:
    """jsonb {value: count} without the zeros, in one pass over the rows."""
    pairs = ", ".join(f"'{value}', nullif(count(*) FILTER (WHERE {column} = '{value}'), 0)" for value in values)
    return f"jsonb_strip_nulls(jsonb_build_object({pairs}))"


def cells_statements(*, sliced: bool) -> list[str]:
    """Statements that INSERT the cells of every procedure (sliced=False) or of the slices listed
    in the temporary table statistics_slice. Narrow temporary tables first (one row per procedure,
    one per procedure × category), then hash aggregates per cell: sorting wide rows is what made
    a first single-statement version forty times slower at a million procedures."""
    slice_join = (
        f"""JOIN statistics_slice s ON s.association_id = p.association_id AND s.parquet_id = p.parquet_id
            AND coalesce(s.month, {NO_MONTH}) = coalesce(date_trunc('month', p.opened_on)::date, {NO_MONTH})"""
        if sliced
        else ""
    )
    judgments = ", ".join(f"'{kind}'" for kind in JUDGMENT_KINDS)
    key = "association_id, parquet_id, platform_id, month, category"
    return [
        f"""
CREATE TEMPORARY TABLE statistics_procedure ON COMMIT DROP AS
SELECT p.id, p.association_id, p.parquet_id, q.court_of_appeal_id, coalesce(c.platform_id, 0) AS platform_id,
       coalesce(date_trunc('month', p.opened_on)::date, {NO_MONTH}) AS month, p.opened_on, p.stage, p.outcome
FROM procedures_procedure p
JOIN cases_case c ON c.id = p.case_id
JOIN cases_parquet q ON q.id = p.parquet_id
{slice_join}""",
        "CREATE UNIQUE INDEX ON statistics_procedure (id)",
        "ANALYZE statistics_procedure",
        # Filings and decisions per procedure: durations measured from the first of each.
        f"""
CREATE TEMPORARY TABLE statistics_fact ON COMMIT DROP AS
WITH fil AS (
    SELECT f.procedure_id, count(*) AS filings, min(f.filed_on) AS first_filed
    FROM procedures_filing f JOIN statistics_procedure sp ON sp.id = f.procedure_id
    WHERE f.filed_on IS NOT NULL GROUP BY f.procedure_id
), dec AS (
    SELECT d.procedure_id, min(d.decided_on) AS first_decision
    FROM procedures_decision d JOIN statistics_procedure sp ON sp.id = d.procedure_id GROUP BY d.procedure_id
), jud AS (
    SELECT fil.procedure_id, min(d.decided_on) - fil.first_filed AS judgment_days
    FROM fil JOIN procedures_decision d ON d.procedure_id = fil.procedure_id
    WHERE d.kind IN ({judgments}) AND d.decided_on >= fil.first_filed GROUP BY fil.procedure_id, fil.first_filed
)
SELECT sp.id, fil.filings, CASE WHEN dec.first_decision >= sp.opened_on THEN dec.first_decision - sp.opened_on END
       AS decision_days, jud.judgment_days
FROM statistics_procedure sp
LEFT JOIN fil ON fil.procedure_id = sp.id
LEFT JOIN dec ON dec.procedure_id = sp.id
LEFT JOIN jud ON jud.procedure_id = sp.id
WHERE fil.procedure_id IS NOT NULL OR dec.procedure_id IS NOT NULL""",
        # One row per procedure and cell layer: '' (every procedure) and each of its categories.
        """
CREATE TEMPORARY TABLE statistics_layer ON COMMIT DROP AS
SELECT sp.id, '' AS category FROM statistics_procedure sp
UNION ALL
SELECT DISTINCT po.procedure_id, category
FROM procedures_procedure_offences po
JOIN statistics_procedure sp ON sp.id = po.procedure_id
JOIN cases_offence o ON o.id = po.offence_id
CROSS JOIN LATERAL unnest(o.categories) AS category""",
        "ANALYZE statistics_layer",
        f"""
CREATE TEMPORARY TABLE statistics_main ON COMMIT DROP AS
SELECT sp.association_id, sp.parquet_id, sp.platform_id, sp.month, l.category,
       min(sp.court_of_appeal_id) AS court_of_appeal_id, count(*) AS procedures,
       count(*) FILTER (WHERE sp.outcome = '{Outcome.CONVICTION}') AS convictions,
       coalesce(sum(f.filings), 0) AS filings,
       {_counts_by("sp.outcome", Outcome.values)} AS outcomes,
       {_counts_by("sp.stage", Stage.values)} AS stages,
       coalesce(array_agg(f.decision_days) FILTER (WHERE f.decision_days IS NOT NULL), '{{}}') AS decision_days,
       coalesce(array_agg(f.judgment_days) FILTER (WHERE f.judgment_days IS NOT NULL), '{{}}') AS judgment_days
FROM statistics_layer l
JOIN statistics_procedure sp ON sp.id = l.id
LEFT JOIN statistics_fact f ON f.id = l.id
GROUP BY sp.association_id, sp.parquet_id, sp.platform_id, sp.month, l.category""",
        f"""
CREATE TEMPORARY TABLE statistics_victims ON COMMIT DROP AS
SELECT {key}, array_agg(victim_id) AS victims,
       coalesce(array_agg(victim_id) FILTER (WHERE minor), '{{}}') AS minor_victims
FROM (
    SELECT DISTINCT sp.association_id, sp.parquet_id, sp.platform_id, sp.month, l.category, pv.victim_id,
           coalesce(v.minor_at_facts, false) AS minor
    FROM statistics_layer l
    JOIN statistics_procedure sp ON sp.id = l.id
    JOIN procedures_procedure_victims pv ON pv.procedure_id = l.id
    JOIN cases_victim v ON v.id = pv.victim_id
) AS pairs
GROUP BY {key}""",
        f"""
CREATE TEMPORARY TABLE statistics_suspects ON COMMIT DROP AS
SELECT {key}, array_agg(suspect_id) AS suspects
FROM (
    SELECT DISTINCT sp.association_id, sp.parquet_id, sp.platform_id, sp.month, l.category, ps.suspect_id
    FROM statistics_layer l
    JOIN statistics_procedure sp ON sp.id = l.id
    JOIN procedures_procedure_suspects ps ON ps.procedure_id = l.id
) AS pairs
GROUP BY {key}""",
        f"""
INSERT INTO {CELL} (association_id, parquet_id, court_of_appeal_id, platform_id, month, category, procedures,
    convictions, filings, outcomes, stages, victims, minor_victims, suspects, decision_days, judgment_days)
SELECT m.association_id, m.parquet_id, m.court_of_appeal_id, nullif(m.platform_id, 0), nullif(m.month, {NO_MONTH}),
       m.category, m.procedures, m.convictions, m.filings, m.outcomes, m.stages,
       coalesce(v.victims, '{{}}'), coalesce(v.minor_victims, '{{}}'), coalesce(s.suspects, '{{}}'),
       m.decision_days, m.judgment_days
FROM statistics_main m
LEFT JOIN statistics_victims v USING ({key})
LEFT JOIN statistics_suspects s USING ({key})""",
        *(
            f"DROP TABLE {table}"
            for table in (
                "statistics_suspects",
                "statistics_victims",
                "statistics_main",
                "statistics_layer",
                "statistics_fact",
                "statistics_procedure",
            )
        ),
    ]
