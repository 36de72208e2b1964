"""Statements the import sends as they are, for speed: arrays bound server-side (binary), an
INSERT … SELECT FROM unnest() filling every column, the history triggers' guard set once per
transaction, and the job's updates conditional on the run that holds it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import psycopg
from django.db import connection
from django.utils import timezone

from ..models import ImportJob, ImportStatus, Procedure


@dataclass(slots=True)
class Existing:
    id: int
    case_id: int
    parquet_reference: str
    opened_on: date | None
    stage: str
    outcome: str
    victim_ids: frozenset
    offence_ids: frozenset
    suspect_ids: frozenset


def through_table(relation: str):
    through = Procedure._meta.get_field(relation).remote_field.through
    source = through._meta.get_field("procedure").column
    target = next(f.column for f in through._meta.concrete_fields if f.column not in {source, "id"})
    return through._meta.db_table, source, target


def fetch_existing(association_id: int, keys: list[tuple[int, str]]) -> dict[tuple[int, str], Existing]:
    if not keys:
        return {}
    procedure_table = Procedure._meta.db_table
    victims_table, victims_source, victims_target = through_table("victims")
    offences_table, offences_source, offences_target = through_table("offences")
    suspects_table, suspects_source, suspects_target = through_table("suspects")
    sql = f"""
        SELECT p.id, p.case_id, p.parquet_id, p.normalised_reference, p.parquet_reference, p.opened_on, p.stage,
               p.outcome,
               ARRAY(SELECT t.{victims_target} FROM {victims_table} t WHERE t.{victims_source} = p.id),
               ARRAY(SELECT t.{offences_target} FROM {offences_table} t WHERE t.{offences_source} = p.id),
               ARRAY(SELECT t.{suspects_target} FROM {suspects_table} t WHERE t.{suspects_source} = p.id)
        FROM {procedure_table} p
        JOIN unnest(%s::bigint[], %s::text[]) AS k(parquet_id, reference)
          ON p.parquet_id = k.parquet_id AND p.normalised_reference = k.reference
        WHERE p.association_id = %s
    """  # noqa: S608 - table and column names come from the models' metadata, values are parameters
    with raw_cursor() as cursor:
        cursor.execute(sql, [[key[0] for key in keys], [key[1] for key in keys], association_id], binary=True)
        return {
            (parquet_id, reference): Existing(
                pk,
                case_id,
                raw,
                opened_on,
                stage,
                outcome,
                frozenset(victims),
                frozenset(offences),
                frozenset(suspects),
            )
            for pk, case_id, parquet_id, reference, raw, opened_on, stage, outcome, victims, offences, suspects in cursor
        }


def job_update(job: ImportJob, token: str, **values) -> None:
    """Write to the job only while this run holds it (its claim token)."""
    values.setdefault("heartbeat_at", timezone.now())
    updated = ImportJob.objects.filter(pk=job.pk, claim_token=token, status=ImportStatus.RUNNING).update(**values)
    if not updated:
        raise JobTakenOver


def quiet_trigger_guards() -> None:
    """Define, for this transaction, the setting the history triggers look up on every row.

    pgtrigger's guard reads `pgtrigger.ignore` inside an EXCEPTION block: when the setting was
    never defined, every row raises and catches an error, which made each history row cost about
    0.25 ms (10 s for 23,051 procedures and their timeline steps). An empty list ignores no trigger;
    pghistory's own setting (context) is defined by pghistory.context() around the run."""
    with connection.cursor() as cursor:
        # Not a SELECT: pghistory.context() prefixes this statement with its own settings, which
        # then hold for the rest of the transaction, raw cursors included.
        cursor.execute("SET LOCAL pgtrigger.ignore = '{}'")
        # A chunk's commit need not wait for the WAL flush: after a crash, a lost chunk is lost
        # with its entry in chunks_done (same transaction), and « Reprendre » writes it again.
        cursor.execute("SET LOCAL synchronous_commit = off")


def raw_cursor():
    """A cursor with server-side binding on Django's connection, inside the same transaction:
    arrays go to PostgreSQL in binary instead of being quoted in Python. The history context
    (pghistory) and the trigger guard are transaction-local settings, already set at the start of
    the chunk's transaction by quiet_trigger_guards through Django's cursor."""
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


_ARRAY_TYPES = {"BigAutoField": "bigint", "ForeignKey": "bigint", "DateField": "date", "BooleanField": "boolean"}


def insert_select(model, *, arrays: dict[str, list], constants: dict, expressions: dict | None = None):
    """`INSERT INTO table (every column) SELECT … FROM unnest(arrays)`: the given arrays, the given
    constants, `now()` for auto_now fields, and each other field's default, so that a field added to
    the model later is still filled."""
    expressions = expressions or {}
    columns, selects, params = [], [], []
    for model_field in model._meta.concrete_fields:
        column = model_field.column
        if model_field.primary_key and column not in arrays:
            continue
        columns.append(column)
        if column in arrays:
            selects.append(f"t.{column}")
        elif column in expressions:
            selects.append(expressions[column])
        elif getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            selects.append("now()")
        else:
            value = constants[column] if column in constants else model_field.get_default()
            selects.append(f"%s::{model_field.cast_db_type(connection)}")
            params.append(model_field.get_db_prep_save(value, connection))
    unnest = ", ".join(f"%s::{array_type(model, column)}[]" for column in arrays)
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - names from model metadata
        f"SELECT {', '.join(selects)} FROM unnest({unnest}) AS t({', '.join(arrays)})"
    )
    return sql, [*params, *arrays.values()]


def array_type(model, column: str) -> str:
    model_field = next(f for f in model._meta.concrete_fields if f.column == column)
    return _ARRAY_TYPES.get(model_field.get_internal_type(), "text")


class JobTakenOver(Exception):
    """Another run took the job over; this one stops without writing its chunk."""
