"""Import speed: the Coco.gg-sized file (23,051 procedures, 70 parquets, 480 victims) imported into
PostgreSQL twice, end to end (file read, validation, victims, procedures, offences, timeline steps,
history triggers), then the same file again (re-import: nothing to write).

Target (issue « API: import/export »): at least 10,000 rows/s for the first import, and the
re-import at least as fast. Peak memory is the process's peak RSS.

Run from the project root: .venv/bin/python benchmarks/bench_import.py [--procedures N]
It creates its own association and case, and deletes them (with their history rows) afterwards.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from cases.models import Association, Case, Platform, Victim  # noqa: E402
from procedures.imports import import_job_create, import_job_execute  # noqa: E402
from procedures.models import Event, ImportJob, Procedure  # noqa: E402

TARGET_ROWS_PER_SECOND = 10_000
LATENCY_REQUESTS = 40


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed_import(case: Case, path: Path) -> tuple[ImportJob, float]:
    started = time.perf_counter()
    job = import_job_create(user=None, case=case, data=path.read_bytes(), name=path.name, dry_run=False)
    job = import_job_execute(job.pk)
    return job, time.perf_counter() - started


def api_latencies(association: Association) -> list[str]:
    """p50/p95 of the API's list endpoints with the whole dataset loaded, as a lawyer of the
    association (session auth through the test client; includes the query count per request)."""
    from django.contrib.auth import get_user_model
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from cases.models import Membership, Role

    user = get_user_model().objects.create_user(username=f"bench-import-{os.getpid()}")
    Membership.objects.create(user=user, association=association, role=Role.LAWYER)
    client = APIClient()
    client.force_authenticate(user)
    lines = []
    for label, url in (
        ("case list", "/api/v1/cases/"),
        ("procedure list, page 1", "/api/v1/procedures/"),
        ("procedure list, page 200", "/api/v1/procedures/?page=200"),
        ("procedure list, filtered", "/api/v1/procedures/?stage=jugement&ordering=-opened_on"),
    ):
        client.get(url)  # warm-up
        timings = []
        for _ in range(LATENCY_REQUESTS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        p50, p95 = timings[len(timings) // 2], timings[int(len(timings) * 0.95) - 1]
        lines.append(f"{label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {len(queries)} queries")
    user.delete()
    return lines


def cleanup(association: Association, case: Case) -> None:
    """Everything the benchmark wrote, history rows included. Table names come from the models."""
    procedures = Procedure._meta.db_table
    jobs = list(ImportJob.objects.filter(case=case))
    with transaction.atomic(), connection.cursor() as cursor:
        # The history triggers' guard reads this setting on every row (see procedures/imports/sql.py).
        cursor.execute("SET LOCAL pgtrigger.ignore = '{}'")
        cursor.execute(f"DELETE FROM {Event._meta.db_table} WHERE case_id = %s", [case.pk])  # noqa: S608
        for through in (Procedure.victims.through, Procedure.offences.through):
            cursor.execute(
                f"DELETE FROM {through._meta.db_table} WHERE procedure_id IN "  # noqa: S608
                f"(SELECT id FROM {procedures} WHERE case_id = %s)",
                [case.pk],
            )
        cursor.execute(f"DELETE FROM {procedures} WHERE case_id = %s", [case.pk])  # noqa: S608
        cursor.execute(f"DELETE FROM {Victim._meta.db_table} WHERE case_id = %s", [case.pk])  # noqa: S608
        ImportJob.objects.filter(case=case).delete()
        Case.objects.filter(pk=case.pk).delete()
        association.delete()
        for name in ("procedures.ProcedureEvent", "procedures.EventEvent", "cases.VictimEvent"):
            apps.get_model(name).objects.filter(case_id=case.pk).delete()
        apps.get_model("cases.CaseEvent").objects.filter(pgh_obj_id=case.pk).delete()
        apps.get_model("pghistory.Context").objects.filter(metadata__case=case.pk).delete()
    for job in jobs:
        job.file.storage.delete(job.file.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=23051)
    parser.add_argument("--seed", type=int, default=2024)
    options = parser.parse_args()

    association = Association.objects.create(
        short_name=f"BENCH-IMPORT-{os.getpid()}", name=f"Benchmark import {os.getpid()}"
    )
    case = Case.objects.create(
        association=association,
        reference="BENCH-IMPORT",
        title="Benchmark import — Coco.gg",
        platform=Platform.objects.filter(name__iexact="Coco.gg").first(),
    )
    try:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "coco.csv"
            started = time.perf_counter()
            call_command(
                "generate_dataset",
                "--procedures",
                str(options.procedures),
                "--seed",
                str(options.seed),
                "--out",
                str(path),
            )
            print(
                f"dataset: {options.procedures} rows, {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s"
            )

            first, first_seconds = timed_import(case, path)
            first_rate = first.total_rows / first_seconds
            print(
                f"import: {first.total_rows} rows in {first_seconds:.2f} s = {first_rate:,.0f} rows/s "
                f"({first.created_count} created, {first.rejected_count} rejected, "
                f"{first.victims_created_count} victims created); peak RSS {peak_rss_mib():.0f} MiB"
            )
            assert first.status == "done" and first.created_count == options.procedures, first.error
            assert Event.objects.filter(case=case).count() == options.procedures

            again, again_seconds = timed_import(case, path)
            again_rate = again.total_rows / again_seconds
            print(
                f"re-import: {again.total_rows} rows in {again_seconds:.2f} s = {again_rate:,.0f} rows/s "
                f"({again.unchanged_count} unchanged, {again.created_count + again.updated_count} written); "
                f"peak RSS {peak_rss_mib():.0f} MiB"
            )
            assert again.status == "done" and again.unchanged_count == options.procedures, again.error
            latencies = api_latencies(association)
            for line in latencies:
                print(f"API {line}")
    finally:
        cleanup(association, case)

    def verdict(rate):
        return "OK" if rate >= TARGET_ROWS_PER_SECOND else "BELOW"

    print(
        f"import: {first.total_rows} rows in {first_seconds:.2f} s = {first_rate:,.0f} rows/s "
        f"(target ≥ {TARGET_ROWS_PER_SECOND:,}: {verdict(first_rate)}, ratio {first_rate / TARGET_ROWS_PER_SECOND:.2f}); "
        f"re-import: {again_seconds:.2f} s = {again_rate:,.0f} rows/s "
        f"(target ≥ {TARGET_ROWS_PER_SECOND:,} and ≥ first: "
        f"{'OK' if again_rate >= max(first_rate, TARGET_ROWS_PER_SECOND) else 'BELOW'}, "
        f"ratio {again_rate / TARGET_ROWS_PER_SECOND:.2f}); peak RSS {peak_rss_mib():.0f} MiB; "
        f"API with {options.procedures} procedures loaded: " + "; ".join(latencies)
    )


if __name__ == "__main__":
    main()
