# ruff: noqa: S608 - statements built from constants of this module, values go as parameters
"""Synthetic data for the statistics tests and benchmark, written with SQL in PostgreSQL.

generate_dataset writes what an import file can carry (parquet, date, offences, victims, stage,
outcome); `enrich` adds what it cannot: decisions, civil-party filings and suspects, derived
deterministically from each procedure's id. `bulk_load` writes a whole dataset of the same shape
as generate_dataset with INSERT … SELECT generate_series, for sizes (a million procedures) that an
import would take minutes to load. Every value is fictitious."""

from procedures.management.commands.generate_dataset import (
    CATEGORY_WEIGHTS,
    END,
    OFFENCES_PER_PROCEDURE,
    STAGE_OUTCOMES,
    START,
    VICTIMS_PER_PROCEDURE,
)
from procedures.models import DecisionKind, FilingStatus, Outcome, Stage

DECIDED = [value for value in Outcome.values if value not in (Outcome.PENDING, Outcome.POURSUITES)]
TRIAL_STAGES = [Stage.JUGEMENT, Stage.APPEL, Stage.CASSATION, Stage.EXECUTION]


def enrich(cursor, *, case_id: int) -> None:
    """Decisions for every procedure with a final outcome, a filing for half of those at trial
    stages, and suspects for two procedures in three, all functions of the procedure's id."""
    decided = ", ".join(f"'{value}'" for value in DECIDED)
    trial = ", ".join(f"'{value}'" for value in TRIAL_STAGES)
    cursor.execute(
        f"""
        INSERT INTO procedures_decision (kind, order_kind, decided_on, outcome, prevenu_character,
                                         association_presence, notified_on, prevenu_served_on,
                                         prevenu_outside_metropole, summary, created_at, procedure_id)
        SELECT CASE WHEN outcome IN ('conviction', 'acquittal') THEN '{DecisionKind.JUDGMENT_CORRECTIONNEL}'
                    WHEN outcome = 'non_lieu' THEN '{DecisionKind.INSTRUCTION_ORDER}'
                    ELSE '{DecisionKind.PROSECUTOR_DECISION}' END,
               CASE WHEN outcome = 'non_lieu' THEN 'non_lieu' ELSE '' END,
               opened_on + 20 + (id * 7919 %% 900)::int, outcome, 'contradictoire', 'present', NULL, NULL, false, '',
               now(), id
        FROM procedures_procedure
        WHERE case_id = %(case)s AND opened_on IS NOT NULL AND outcome IN ({decided})
        """,
        {"case": case_id},
    )
    cursor.execute(
        f"""
        INSERT INTO procedures_filing (mode, legal_basis, eligibility_snapshot, override_reason, status, filed_on,
                                       created_at, updated_at, association_id, procedure_id)
        SELECT 'art418', '2-3', '{{}}'::jsonb, '', '{FilingStatus.FILED}', opened_on + 5 + (id * 104729 %% 300)::int,
               now(), now(), association_id, id
        FROM procedures_procedure
        WHERE case_id = %(case)s AND opened_on IS NOT NULL AND stage IN ({trial}) AND id %% 2 = 0
        """,
        {"case": case_id},
    )
    cursor.execute(
        """
        WITH procs AS (SELECT id FROM procedures_procedure WHERE case_id = %(case)s),
        made AS (
            INSERT INTO cases_suspect (name, age_at_facts, status, pre_trial_detention, notes, created_at, case_id)
            SELECT 'M-' || g, NULL, 'unknown', false, '', now(), %(case)s
            FROM generate_series(1, greatest(1, (SELECT count(*) FROM procs) / 8)::int) AS g
            RETURNING id
        ), numbered AS (SELECT array_agg(id ORDER BY id) AS ids FROM made)
        INSERT INTO procedures_procedure_suspects (procedure_id, suspect_id)
        SELECT procs.id, numbered.ids[1 + (procs.id * 31 + k * 17) %% array_length(numbered.ids, 1)]
        FROM procs, numbered, generate_series(1, 2) AS k
        WHERE procs.id %% 3 <> 0 AND (k = 1 OR procs.id %% 5 = 0)
        ON CONFLICT DO NOTHING
        """,
        {"case": case_id},
    )


def _cdf_values(pairs) -> str:
    total = sum(weight for _value, weight in pairs)
    running, rows = 0.0, []
    for value, weight in pairs:
        running += weight
        rows.append(f"({value}, {running / total!r})")
    return ", ".join(rows)


def bulk_load(cursor, *, association_id: int, case_id: int, procedures: int, victims: int, parquets: int, minors=0.6):
    """The generate_dataset shape (Zipf-like parquets, dates skewed to the end, the same stage,
    outcome, victim and offence weights), written in a few statements. Triggers are left to the
    caller (a benchmark disables them with session_replication_role and rebuilds in full)."""
    cursor.execute("SELECT setseed(0.2024)")
    cursor.execute(
        "CREATE TEMPORARY TABLE bench_parquet AS SELECT id, row_number() OVER (ORDER BY code) AS rank "
        "FROM cases_parquet WHERE kind = 'tj' ORDER BY code LIMIT %s",
        [parquets],
    )
    cursor.execute(
        "CREATE TEMPORARY TABLE bench_parquet_cdf AS SELECT id, sum(1 / power(rank, 0.8)) OVER (ORDER BY rank) "
        "/ sum(1 / power(rank, 0.8)) OVER () AS upper FROM bench_parquet"
    )
    outcomes = _cdf_values([(f"'{stage}', '{outcome}'", weight) for stage, outcome, weight in STAGE_OUTCOMES])
    cursor.execute(f"CREATE TEMPORARY TABLE bench_outcome_cdf (stage, outcome, upper) AS VALUES {outcomes}")
    cursor.execute("SELECT id, categories FROM cases_offence ORDER BY id")
    offence_weights = [
        (str(pk), max((CATEGORY_WEIGHTS.get(c, 0.1) for c in categories), default=0.1))
        for pk, categories in cursor.fetchall()
    ]
    cursor.execute(f"CREATE TEMPORARY TABLE bench_offence_cdf (id, upper) AS VALUES {_cdf_values(offence_weights)}")
    span = (END - START).days
    cursor.execute(
        f"""
        INSERT INTO procedures_procedure (parquet_reference, normalised_reference, opened_on, stage, outcome,
            classement_reason, investigating_service, investigating_judge, suspect_detained, notes, created_at,
            updated_at, association_id, case_id, parquet_id, transferred_from_id)
        SELECT 'B' || g, 'B' || g, DATE '{START.isoformat()}' + floor({span} * power(r.u3, 0.7))::int,
               so.stage, so.outcome, '', '', '', false, '', now(), now(), %(association)s, %(case)s, pq.id, NULL
        FROM generate_series(1, %(procedures)s) AS g
        CROSS JOIN LATERAL (SELECT random() + g * 0 AS u1, random() + g * 0 AS u2, random() + g * 0 AS u3) AS r
        CROSS JOIN LATERAL (SELECT id FROM bench_parquet_cdf WHERE upper >= r.u1 ORDER BY upper LIMIT 1) AS pq
        CROSS JOIN LATERAL (SELECT stage, outcome FROM bench_outcome_cdf WHERE upper >= r.u2 ORDER BY upper LIMIT 1) AS so
        """,
        {"association": association_id, "case": case_id, "procedures": procedures},
    )
    cursor.execute(
        """
        INSERT INTO cases_victim (pseudonym, facts_date, minor_at_facts, deceased, consent_by, notes, created_at, case_id)
        SELECT 'V-' || lpad(g::text, 5, '0'), NULL, random() < %(minors)s, false, '', '', now(), %(case)s
        FROM generate_series(1, %(victims)s) AS g
        """,
        {"case": case_id, "victims": victims, "minors": minors},
    )
    counts = _cdf_values([(str(count), weight) for count, weight in VICTIMS_PER_PROCEDURE])
    cursor.execute(
        f"""
        WITH ids AS (SELECT array_agg(id ORDER BY id) AS ids FROM cases_victim WHERE case_id = %(case)s),
        counts (n, upper) AS (VALUES {counts})
        INSERT INTO procedures_procedure_victims (procedure_id, victim_id)
        SELECT p.id, ids.ids[1 + floor(random() * array_length(ids.ids, 1))::int]
        FROM procedures_procedure p CROSS JOIN ids
        CROSS JOIN LATERAL (SELECT random() + p.id * 0 AS u) AS r
        CROSS JOIN LATERAL (SELECT n FROM counts WHERE upper >= r.u ORDER BY upper LIMIT 1) AS c
        CROSS JOIN LATERAL generate_series(1, c.n) AS k
        WHERE p.case_id = %(case)s
        ON CONFLICT DO NOTHING
        """,
        {"case": case_id},
    )
    counts = _cdf_values([(str(count), weight) for count, weight in OFFENCES_PER_PROCEDURE])
    cursor.execute(
        f"""
        WITH counts (n, upper) AS (VALUES {counts})
        INSERT INTO procedures_procedure_offences (procedure_id, offence_id)
        SELECT p.id, o.id
        FROM procedures_procedure p
        CROSS JOIN LATERAL (SELECT random() + p.id * 0 AS u) AS r
        CROSS JOIN LATERAL (SELECT n FROM counts WHERE upper >= r.u ORDER BY upper LIMIT 1) AS c
        CROSS JOIN LATERAL generate_series(1, c.n) AS k
        CROSS JOIN LATERAL (SELECT random() + k * 0 AS u) AS r2
        CROSS JOIN LATERAL (SELECT id FROM bench_offence_cdf WHERE upper >= r2.u ORDER BY upper LIMIT 1) AS o
        WHERE p.case_id = %(case)s
        ON CONFLICT DO NOTHING
        """,
        {"case": case_id},
    )
    enrich(cursor, case_id=case_id)
    for table in ("bench_parquet", "bench_parquet_cdf", "bench_outcome_cdf", "bench_offence_cdf"):
        cursor.execute(f"DROP TABLE {table}")
