"""Import speed: the Coco.gg-sized file (23,051 procedures, 70 parquets, 480 victims, about 2,500
suspects named in 60 % of the procedures) imported into PostgreSQL, end to end (file read,
validation, victims and suspects, procedures, offences, timeline steps, history triggers), then the
same file again (re-import: nothing to write); and the same file without its « mis en cause »
column, into a second case, for comparison.

The statistics refresh an applied import queues (the import_applied receiver of
reports/statistics) is a worker's work in production: without a broker it would run inside the
timed import. The receiver is disconnected while imports are timed; the refresh is timed apart.
Likewise linking's receiver of import_persons_written (persons and candidates of the suspects and
victims an import wrote, a linking worker's task): disconnected while timed, then timed apart.

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

from cases.models import Association, Case, Platform, Suspect, Victim  # noqa: E402
from procedures.imports import import_job_create, import_job_execute  # noqa: E402
from procedures.imports.signals import import_applied, import_persons_written  # noqa: E402
from procedures.models import Event, ImportJob, Procedure  # noqa: E402
from reports.statistics import compute  # noqa: E402
from reports.statistics.models import RunStatus  # noqa: E402

TARGET_ROWS_PER_SECOND = 10_000
LINKING_UID = "linking_import_persons"
LINKING_RECEIVER = None  # linking's receiver, when installed (set by main)
LATENCY_REQUESTS = 40


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed_import(case: Case, path: Path) -> tuple[ImportJob, float]:
    started = time.perf_counter()
    job = import_job_create(user=None, case=case, data=path.read_bytes(), name=path.name, dry_run=False)
    job = import_job_execute(job.pk)
    return job, time.perf_counter() - started


def timed_persons_arrival(job: ImportJob) -> float:
    """What linking's worker does with the persons an import wrote (its task runs here, eager
    without a broker): the signal sent again to linking's receiver alone, once reconnected."""
    if LINKING_RECEIVER is None:
        return 0.0
    import_persons_written.connect(LINKING_RECEIVER, dispatch_uid=LINKING_UID)
    try:
        started = time.perf_counter()
        import_persons_written.send(sender=ImportJob, job_id=job.pk, case_id=job.case_id, **job.persons_written)
        return time.perf_counter() - started
    finally:
        import_persons_written.disconnect(dispatch_uid=LINKING_UID)


def timed_statistics_refresh() -> tuple[float, str]:
    """What the statistics worker does after an applied import: an incremental run."""
    started = time.perf_counter()
    run = compute.statistics_compute(run_id=compute.statistics_run_request().pk)
    seconds = time.perf_counter() - started
    assert run is not None and run.status == RunStatus.DONE, run and run.status
    return seconds, run.status


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
        for through in (Procedure.victims.through, Procedure.offences.through, Procedure.suspects.through):
            cursor.execute(
                f"DELETE FROM {through._meta.db_table} WHERE procedure_id IN "  # noqa: S608
                f"(SELECT id FROM {procedures} WHERE case_id = %s)",
                [case.pk],
            )
        cursor.execute(f"DELETE FROM {procedures} WHERE case_id = %s", [case.pk])  # noqa: S608
        cursor.execute(f"DELETE FROM {Victim._meta.db_table} WHERE case_id = %s", [case.pk])  # noqa: S608
        ImportJob.objects.filter(case=case).delete()
        # Through the ORM: whatever follows a suspect (linking's persons) goes with it.
        Suspect.objects.filter(case=case).delete()
        Case.objects.filter(pk=case.pk).delete()
        association.delete()
        for name in ("procedures.ProcedureEvent", "procedures.EventEvent", "cases.VictimEvent", "cases.SuspectEvent"):
            apps.get_model(name).objects.filter(case_id=case.pk).delete()
        apps.get_model("cases.CaseEvent").objects.filter(pgh_obj_id=case.pk).delete()
        apps.get_model("pghistory.Context").objects.filter(metadata__case=case.pk).delete()
    for job in jobs:
        job.file.storage.delete(job.file.name)


def import_twice(case: Case, path: Path, label: str, procedures: int) -> dict:
    first, first_seconds = timed_import(case, path)
    print(
        f"import{label}: {first.total_rows} rows in {first_seconds:.2f} s = {first.total_rows / first_seconds:,.0f} rows/s "
        f"({first.created_count} created, {first.rejected_count} rejected, {first.victims_created_count} victims and "
        f"{first.suspects_created_count} suspects created); peak RSS {peak_rss_mib():.0f} MiB"
    )
    assert first.status == "done" and first.created_count == procedures, first.error
    assert Event.objects.filter(case=case).count() == procedures
    arrival_seconds = timed_persons_arrival(first)
    print(f"linking arrival of the import's persons{label} (the worker's, timed apart): {arrival_seconds:.2f} s")
    refresh_seconds, _status = timed_statistics_refresh()
    print(f"statistics refresh after the import{label} (the worker's, timed apart): {refresh_seconds:.2f} s")

    again, again_seconds = timed_import(case, path)
    print(
        f"re-import{label}: {again.total_rows} rows in {again_seconds:.2f} s = "
        f"{again.total_rows / again_seconds:,.0f} rows/s ({again.unchanged_count} unchanged, "
        f"{again.created_count + again.updated_count} written, {again.suspects_created_count} suspects created, "
        f"{again.suspects_completed_count} completed); peak RSS {peak_rss_mib():.0f} MiB"
    )
    assert again.status == "done" and again.unchanged_count == procedures, again.error
    assert again.suspects_created_count == again.suspects_completed_count == 0
    return {
        "rate": first.total_rows / first_seconds,
        "seconds": first_seconds,
        "rows": first.total_rows,
        "again_rate": again.total_rows / again_seconds,
        "again_seconds": again_seconds,
        "refresh_seconds": refresh_seconds,
        "arrival_seconds": arrival_seconds,
        "suspects": first.suspects_created_count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=23051)
    parser.add_argument("--seed", type=int, default=2024)
    options = parser.parse_args()

    # The statistics refresh is the statistics worker's: not part of the import's time.
    disconnected = import_applied.disconnect(dispatch_uid="statistics_after_import")
    global LINKING_RECEIVER
    try:
        from linking.receivers import on_import_persons_written
    except ImportError:
        on_import_persons_written = None
    if import_persons_written.disconnect(dispatch_uid=LINKING_UID):
        LINKING_RECEIVER = on_import_persons_written
    print(
        f"statistics receiver disconnected during the imports: {disconnected}; "
        f"linking's import_persons_written receiver disconnected: {LINKING_RECEIVER is not None}; "
        f"other receivers left: {len(import_persons_written.receivers)}"
    )
    # One association each: a procedure's number is unique within its association.
    associations = {
        label: Association.objects.create(
            short_name=f"BENCH-IMPORT{label}-{os.getpid()}", name=f"Benchmark import{label} {os.getpid()}"
        )
        for label in ("", "-SANS-MEC")
    }
    platform = Platform.objects.filter(name__iexact="Coco.gg").first()
    cases = {
        label: Case.objects.create(
            association=association,
            reference=f"BENCH-IMPORT{label}",
            title="Benchmark import — Coco.gg",
            platform=platform,
        )
        for label, association in associations.items()
    }
    results = {}
    try:
        with tempfile.TemporaryDirectory() as directory:
            paths = {"": Path(directory) / "coco.csv", "-SANS-MEC": Path(directory) / "coco-sans-mec.csv"}
            for label, path in paths.items():
                started = time.perf_counter()
                extra = ["--sans-mis-en-cause"] if label else []
                call_command(
                    "generate_dataset",
                    "--procedures",
                    str(options.procedures),
                    "--seed",
                    str(options.seed),
                    *extra,
                    "--out",
                    str(path),
                )
                print(
                    f"dataset{label}: {options.procedures} rows, {path.stat().st_size / 1e6:.1f} MB "
                    f"in {time.perf_counter() - started:.1f} s"
                )
            results["with"] = import_twice(cases[""], paths[""], " (with suspects)", options.procedures)
            # Measured with one Coco.gg-sized case loaded, as before the second case.
            latencies = api_latencies(associations[""])
            for line in latencies:
                print(f"API {line}")
            results["without"] = import_twice(
                cases["-SANS-MEC"], paths["-SANS-MEC"], " (without suspects)", options.procedures
            )
    finally:
        for label, case in cases.items():
            cleanup(associations[label], case)
        if disconnected:
            from reports.statistics.after_import import on_import_applied

            import_applied.connect(on_import_applied, dispatch_uid="statistics_after_import")
        if LINKING_RECEIVER is not None:
            import_persons_written.connect(LINKING_RECEIVER, dispatch_uid=LINKING_UID)

    def verdict(rate):
        return "OK" if rate >= TARGET_ROWS_PER_SECOND else "BELOW"

    first, plain = results["with"], results["without"]
    print(
        f"import: {first['rows']} rows in {first['seconds']:.2f} s = {first['rate']:,.0f} rows/s with suspects "
        f"({first['suspects']} created), {plain['rate']:,.0f} rows/s without "
        f"(target ≥ {TARGET_ROWS_PER_SECOND:,}: {verdict(first['rate'])}, ratio {first['rate'] / TARGET_ROWS_PER_SECOND:.2f}); "
        f"re-import: {first['again_seconds']:.2f} s = {first['again_rate']:,.0f} rows/s "
        f"(target ≥ {TARGET_ROWS_PER_SECOND:,} and ≥ first: "
        f"{'OK' if first['again_rate'] >= max(first['rate'], TARGET_ROWS_PER_SECOND) else 'BELOW'}, "
        f"ratio {first['again_rate'] / TARGET_ROWS_PER_SECOND:.2f}); "
        f"statistics refresh (worker, not in the import's time): {first['refresh_seconds']:.2f} s after the import, "
        f"{plain['refresh_seconds']:.2f} s after the one without suspects; linking arrival of its persons "
        f"(worker, not in the import's time): {first['arrival_seconds']:.2f} s; peak RSS {peak_rss_mib():.0f} MiB; "
        f"API with {options.procedures} procedures loaded: " + "; ".join(latencies)
    )


if __name__ == "__main__":
    main()
