"""Writing, chunk by chunk: the upserts of procedures, their victims, suspects, offences and
timeline steps, each chunk in one transaction with the job's progress, so that an interrupted job
resumes after its last committed chunk. The run: read and validate the whole file, resolve its
persons (persons.py) in a prelude, then plan (planning.py) and, unless a dry run, write every
chunk."""

from __future__ import annotations

import json
import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

import pghistory
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Case

from ..models import Event, EventKind, ImportJob, ImportStatus, Outcome, Procedure, Stage
from ..models.imports import REJECTED_ROWS_KEPT
from .persons import CasePersons
from .planning import SAMPLES_KEPT, Planned, Planner, Totals, short_years
from .reading import read_source
from .signals import import_persons_written
from .sql import JobTakenOver, insert_select, job_update, quiet_trigger_guards, raw_cursor, through_table
from .validation import Catalogue, Rejection, Row, validate_rows

CHUNK_SIZE = 2000
# Chunks written at once, each by a thread with its own connection: the database's work per row
# (history triggers, foreign keys) dominates, and runs in parallel on several cores.
WRITE_THREADS = getattr(settings, "IMPORT_WRITE_THREADS", 2)
# The procedure's many-to-many relations the file may set, and their field in sql.Existing.
RELATION_IDS = {"victims": "victim_ids", "suspects": "suspect_ids", "offences": "offence_ids"}


class Importer:
    """Runs a job's rows through plan (dry run) or plan-and-write (apply), chunk by chunk."""

    def __init__(self, job: ImportJob, *, chunk_size: int = CHUNK_SIZE, on_progress=None):
        self.job = job
        self.case = job.case
        self.chunk_size = chunk_size
        self.on_progress = on_progress
        self.catalogue = Catalogue(self.case)
        self.persons = CasePersons(self.case.pk)
        self.planner = Planner(self.case, self.catalogue, self.persons)
        self._lock = threading.Lock()
        self.victim_rejections: dict[int, str] = {}
        with translation.override(settings.LANGUAGE_CODE):
            self._title_template = _("Procédure ouverte au %(parquet)s (n° %(reference)s)")

    def write(self, planned: list[Planned], totals: Totals) -> None:
        """Upsert the chunk's procedures, then their victims, offences and timeline steps: a few
        statements per chunk, fed with arrays (server-side binding, binary), no model instances."""
        procedure_fields = {"parquet_reference", "opened_on", "stage", "outcome"}
        upserts = [item for item in planned if item.existing is None or procedure_fields & set(item.changes)]
        values = []
        for item in upserts:
            row, current = item.row, item.existing
            values.append(
                (
                    row.parquet_id,
                    row.reference,
                    row.normalised_reference,
                    row.opened_on if row.has_opened_on or current is None else current.opened_on,
                    row.stage or (current.stage if current else Stage.ENQUETE),
                    row.outcome or (current.outcome if current else Outcome.PENDING),
                )
            )
        ids: dict[tuple[int, str], int] = {}
        with raw_cursor() as cursor:
            if values:
                columns = ("parquet_id", "parquet_reference", "normalised_reference", "opened_on", "stage", "outcome")
                sql, params = insert_select(
                    Procedure,
                    arrays=dict(zip(columns, (list(column) for column in zip(*values, strict=True)), strict=True)),
                    constants={"case_id": self.case.pk, "association_id": self.case.association_id},
                )
                # Only a procedure of this case is ever updated (the plan rejected the others; the
                # condition also holds against a concurrent write).
                sql += (
                    " ON CONFLICT (association_id, parquet_id, normalised_reference) DO UPDATE SET "
                    + ", ".join(
                        f"{name} = EXCLUDED.{name}"
                        for name in (*columns[1:], "updated_at")
                        if name != "normalised_reference"
                    )
                    + f" WHERE {Procedure._meta.db_table}.case_id = EXCLUDED.case_id"
                    " RETURNING id, parquet_id, normalised_reference"
                )
                cursor.execute(sql, params, binary=True)
                ids = {(parquet_id, reference): pk for pk, parquet_id, reference in cursor.fetchall()}
            for item in planned:
                if item.existing is not None:
                    ids.setdefault(item.row.key, item.existing.id)
            lost = [item for item in planned if item.row.key not in ids]
            if lost:
                # Recorded meanwhile in another case of the association (the upsert leaves it alone).
                for item in lost:
                    totals.created -= item.existing is None
                    totals.updated -= item.existing is not None
                    totals.reject(
                        item.row.line, _("ce numéro vient d'être enregistré pour ce parquet dans une autre affaire")
                    )
                planned = [item for item in planned if item.row.key in ids]
                kept = [index for index, item in enumerate(upserts) if item.row.key in ids]
                upserts, values = [upserts[i] for i in kept], [values[i] for i in kept]
            for relation in RELATION_IDS:
                self._write_relations(cursor, planned, ids, relation)
            self._write_events(cursor, upserts, values, ids)

    def _write_relations(self, cursor, planned: list[Planned], ids: dict, relation: str) -> None:
        """Set the procedure's victims, suspects or offences to the file's list: add what is
        missing, remove what is no longer there (two statements for the whole chunk)."""
        table, source, target = through_table(relation)
        added: tuple[list, list] = ([], [])
        removed: tuple[list, list] = ([], [])
        for item in planned:
            wanted = item.row.offence_ids if relation == "offences" else getattr(item, RELATION_IDS[relation])
            if wanted is None:
                continue
            current = frozenset() if item.existing is None else getattr(item.existing, RELATION_IDS[relation])
            pk = ids[item.row.key]
            for other in wanted - current:
                added[0].append(pk)
                added[1].append(other)
            for other in current - wanted:
                removed[0].append(pk)
                removed[1].append(other)
        if removed[0]:
            cursor.execute(
                f"DELETE FROM {table} WHERE ({source}, {target}) IN "  # noqa: S608 - names from model metadata
                "(SELECT * FROM unnest(%s::bigint[], %s::bigint[]))",
                list(removed),
                binary=True,
            )
        if added[0]:
            cursor.execute(
                f"INSERT INTO {table} ({source}, {target}) "  # noqa: S608 - names from model metadata
                "SELECT * FROM unnest(%s::bigint[], %s::bigint[]) ON CONFLICT DO NOTHING",
                list(added),
                binary=True,
            )

    def _event_title(self, parquet_id: int, reference: str) -> str:
        title = self._title_template % {"parquet": self.catalogue.parquet_names[parquet_id], "reference": reference}
        return title[: Event._meta.get_field("title").max_length]

    def _write_events(self, cursor, upserts: list[Planned], values: list[tuple], ids: dict) -> None:
        """The timeline step « procédure ouverte » of each procedure (as procedure_create writes it),
        one per procedure thanks to the (source_model, source_id) constraint; moved when the opening
        date or the number changes, removed when the date is erased."""
        source_model = Procedure._meta.model_name
        new, moved, cleared = ([], [], []), ([], [], []), []
        for item, (parquet_id, reference, normalised, opened_on, _stage, _outcome) in zip(upserts, values, strict=True):
            pk = ids[(parquet_id, normalised)]
            if opened_on is None:
                if item.existing is not None and item.existing.opened_on is not None:
                    cleared.append(pk)
                continue
            title = self._event_title(parquet_id, reference)
            target = new if item.existing is None else moved
            target[0].append(pk)
            target[1].append(opened_on)
            target[2].append(title)
        table = Event._meta.db_table
        if moved[0]:
            cursor.execute(
                f"UPDATE {table} AS e SET occurred_on = k.occurred_on, title = k.title "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::date[], %s::text[]) AS k(source_id, occurred_on, title) "
                "WHERE e.source_model = %s AND e.source_id = k.source_id "
                "AND (e.occurred_on, e.title) IS DISTINCT FROM (k.occurred_on, k.title)",
                [*moved, source_model],
                binary=True,
            )
            # A procedure that had no opening date had no step yet.
            for index in range(3):
                new[index].extend(moved[index])
        if cleared:
            cursor.execute(
                f"DELETE FROM {table} WHERE source_model = %s AND source_id = ANY(%s::bigint[])",  # noqa: S608
                [source_model, cleared],
                binary=True,
            )
        if new[0]:
            sql, params = insert_select(
                Event,
                arrays={"procedure_id": new[0], "occurred_on": new[1], "title": new[2]},
                constants={
                    "case_id": self.case.pk,
                    "kind": EventKind.PROCEDURE_OPENED,
                    "source_model": source_model,
                    # Registering a procedure is not an act of art. 9-2: it interrupts nothing.
                    "interrupts_prescription": False,
                    "suspends_prescription": False,
                },
                expressions={"source_id": "t.procedure_id"},
            )
            cursor.execute(sql + " ON CONFLICT DO NOTHING", params, binary=True)

    # The run ----------------------------------------------------------------------------------

    def run(self, token: str) -> None:
        """Validate the whole file, resolve its victims, then plan (and write) chunk by chunk,
        skipping the chunks an earlier run already committed. Chunks are written by
        WRITE_THREADS threads, each with its own connection and transaction."""
        job = self.job
        with job.file.open("rb") as handle:
            data = handle.read()
        source = read_source(data, job.original_name)
        items = validate_rows(source, self.catalogue)
        write = not job.dry_run
        size = job.chunk_size if write and job.chunk_size else self.chunk_size
        chunks = [items[offset : offset + size] for offset in range(0, len(items), size)]
        done = set(job.chunks_done or []) if write else set()
        previous = (job.report or {}).get("samples") if write and done else None
        self.samples = previous or {"create": [], "update": [], "unchanged": []}
        report = {
            "format": source.format,
            "encoding": source.encoding,
            "delimiter": source.delimiter,
            "columns": {name: source.headers[index] for name, index in source.columns.items()},
            "ignored_columns": source.ignored_columns,
            "samples": self.samples,
            "short_years": short_years([item for item in items if isinstance(item, Row)]),
        }
        self.metadata = {"import_job": job.pk, "user": job.uploaded_by_id, "case": self.case.pk}
        with translation.override(settings.LANGUAGE_CODE), pghistory.context(**self.metadata):
            self._prelude([item for item in items if isinstance(item, Row)], token, len(items), size, report)
            pending = [index for index in range(len(chunks)) if index not in done]
            if not write or WRITE_THREADS <= 1 or len(pending) <= 1 or connection.in_atomic_block:
                # Inside an outer transaction (tests), chunks cannot commit on their own connections.
                for index in pending:
                    self.chunk(index, chunks[index], token)
            else:
                self._run_threads(pending, chunks, token)
        job_update(job, token, report=report)

    def _run_threads(self, pending: list[int], chunks: list, token: str) -> None:
        def work(index):
            try:
                with translation.override(settings.LANGUAGE_CODE), pghistory.context(**self.metadata):
                    self.chunk(index, chunks[index], token)
            finally:
                connection.close()  # this thread's own connection

        with ThreadPoolExecutor(max_workers=WRITE_THREADS, thread_name_prefix=f"import-{self.job.pk}") as pool:
            futures = [pool.submit(work, index) for index in pending]
            wait(futures, return_when=FIRST_EXCEPTION)
            for future in futures:
                future.cancel()
        errors = [future.exception() for future in futures if future.done() and not future.cancelled()]
        errors = [error for error in errors if error is not None]
        if errors:
            raise next((error for error in errors if isinstance(error, JobTakenOver)), errors[0])

    def _prelude(self, rows: list[Row], token: str, total: int, size: int, report: dict) -> None:
        """Victims and suspects of the whole file at once (a chunk then needs no lock on the case),
        in one transaction with the job's size, report and counts. Once it has committed, and
        before any chunk, an applied import sends import_persons_written."""
        job = self.job
        write = not job.dry_run
        self.persons.load_victims()
        with transaction.atomic():
            if write:
                # The victims service locks the case row the same way: two imports (or a lawyer
                # adding a victim) never create the same pseudonym twice.
                Case.objects.select_for_update().filter(pk=self.case.pk).values_list("pk").first()
                quiet_trigger_guards()
            self.victim_rejections, victims_created = self.persons.resolve_victims(rows, write=write)
            kept = [row for row in rows if row.line not in self.victim_rejections]
            suspects_created, suspects_completed = self.persons.resolve_suspects(kept, write=write)
            values = {"total_rows": total, "chunk_size": size, "report": report}
            if write:
                values.update(
                    victims_created_count=F("victims_created_count") + len(victims_created),
                    suspects_created_count=F("suspects_created_count") + len(suspects_created),
                    suspects_completed_count=F("suspects_completed_count") + len(suspects_completed),
                )
                # Kept with the job, so that a resumed run sends them again (at least once).
                written = job.persons_written or {}
                persons = {
                    "suspect_ids": sorted({*written.get("suspect_ids", ()), *suspects_created, *suspects_completed}),
                    "victim_ids": sorted({*written.get("victim_ids", ()), *victims_created}),
                }
                values["persons_written"] = job.persons_written = persons
            else:
                values.update(
                    victims_created_count=len(victims_created),
                    suspects_created_count=len(suspects_created),
                    suspects_completed_count=len(suspects_completed),
                    processed_rows=0,
                    created_count=0,
                    updated_count=0,
                    unchanged_count=0,
                    rejected_count=0,
                    rejected_rows=[],
                    chunks_done=[],
                )
            job_update(job, token, **values)
            if write:
                transaction.on_commit(
                    lambda: import_persons_written.send(
                        sender=ImportJob, job_id=job.pk, case_id=self.case.pk, **persons
                    )
                )

    def chunk(self, index: int, items: list, token: str) -> None:
        totals = Totals()
        rows = []
        for item in items:
            if isinstance(item, Rejection):
                totals.reject(item.line, item.reason)
            elif item.line in self.victim_rejections:
                totals.reject(item.line, self.victim_rejections[item.line])
            else:
                rows.append(item)
        if self.job.dry_run:
            self.planner.plan(rows, totals)
            self._record_chunk(index, len(items), totals, token)
        else:
            with transaction.atomic():
                quiet_trigger_guards()
                planned = self.planner.plan(rows, totals)
                if planned:
                    self.write(planned, totals)
                self._record_chunk(index, len(items), totals, token)
        with self._lock:
            for kind, entries in totals.samples.items():
                room = SAMPLES_KEPT - len(self.samples[kind])
                self.samples[kind].extend(entries[: max(room, 0)])
            for name in ("created", "updated", "unchanged", "rejected"):
                field_name = f"{name}_count"
                setattr(self.job, field_name, getattr(self.job, field_name) + getattr(totals, name))
            self.job.processed_rows += len(items)
            if self.on_progress:
                self.on_progress(self.job)

    def _record_chunk(self, index: int, size: int, totals: Totals, token: str) -> None:
        """The chunk's counts and rejected lines, added to the job in the chunk's transaction, only
        if this run still holds the job and the chunk was not recorded already."""
        table = ImportJob._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {table} SET
                    processed_rows = processed_rows + %s,
                    created_count = created_count + %s,
                    updated_count = updated_count + %s,
                    unchanged_count = unchanged_count + %s,
                    rejected_count = rejected_count + %s,
                    rejected_rows = (
                        SELECT COALESCE(jsonb_agg(kept.entry ORDER BY (kept.entry ->> 'line')::int), '[]'::jsonb)
                        FROM (
                            SELECT entry FROM jsonb_array_elements(rejected_rows || %s::jsonb) AS entry
                            ORDER BY (entry ->> 'line')::int LIMIT %s
                        ) AS kept
                    ),
                    chunks_done = chunks_done || %s::jsonb,
                    heartbeat_at = %s
                WHERE id = %s AND claim_token = %s AND status = %s AND NOT (chunks_done @> %s::jsonb)
                """,  # noqa: S608 - the table name comes from the model's metadata
                [
                    size,
                    totals.created,
                    totals.updated,
                    totals.unchanged,
                    totals.rejected,
                    json.dumps(totals.rejected_rows),
                    REJECTED_ROWS_KEPT,
                    json.dumps([index]),
                    timezone.now(),
                    self.job.pk,
                    token,
                    ImportStatus.RUNNING,
                    json.dumps([index]),
                ],
            )
            if cursor.rowcount != 1:
                raise JobTakenOver
