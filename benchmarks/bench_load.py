"""Load: 50 people at once on the reference case, served as in production, while dossiers render.

    .venv/bin/python benchmarks/bench_load.py [--users 50] [--seconds 60] [--dossiers 20]
                                              [--wait 1 3] [--warm-up 6]
                                              [--web-workers N] [--web-threads N]

The demo data with the reference-scale case (23,051 procedures, `manage.py seed_demo`) in its own
database (BENCH_LOAD_DATABASE_URL, default coco_bench_load; seeded once, kept between runs), its
own Redis databases (BENCH_LOAD_BROKER_URL, default /14, and BENCH_LOAD_CACHE_URL, default /15,
emptied at each run), production settings (DEBUG off, keys of this benchmark only). gunicorn with
config/gunicorn.py and one Celery worker for the four queues, as `make run` starts them, on
loopback ports only, the worker at the lower priority of deploy/coco-worker@.service. Every URL is
first requested --warm-up times (not counted: a long-running server has loaded its templates);
then --dossiers dossiers of the association's other cases are asked through the product's service
and render on the worker during the run.

locust (headless, as a subprocess: benchmarks/locustfile_load.py) plays --users members of ACPE
(lawyers, staff, admins in proportions 2:2:1, each with a signed-in session whose second factor is
passed as in benchmarks/bench_pages.py, and a personal API token) for --seconds seconds, with
--wait seconds of thought between two requests. The API throttle is raised for the run: the
virtual users share three accounts, whose hourly quota would otherwise be the thing measured.

Prints requests/s, p50/p95 and errors per page, the dossiers finished during the run, and on its
last line the figures against the targets: no error, p95 < 500 ms for pages, p95 < 100 ms for the
API list endpoints."""

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
DATABASE_URL = os.environ.get("BENCH_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coco_bench_load")
BROKER_URL = os.environ.get("BENCH_LOAD_BROKER_URL", "redis://127.0.0.1:6379/14")
CACHE_URL = os.environ.get("BENCH_LOAD_CACHE_URL", "redis://127.0.0.1:6379/15")
WORK = Path(tempfile.gettempdir()) / "coco-bench-load"

TARGET_PAGE_P95_MS = 500
TARGET_API_P95_MS = 100

# This benchmark's own keys: its database holds fictional demo data only, and it must decrypt
# between runs what an earlier run encrypted. Never the development keys, which DEBUG=0 refuses.
BENCH_SECRET_KEY = "bench-load-only-never-a-real-secret-key-0123456789"  # noqa: S105
BENCH_FIELD_ENCRYPTION_KEY = "YmVuY2gtbG9hZC1vbmx5LW5ldmVyLWEtcmVhbC1rZXk="


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(port: int) -> dict:
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DEBUG", "SECURE_", "GUNICORN_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": BENCH_FIELD_ENCRYPTION_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": DATABASE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_RESULT_BACKEND": BROKER_URL,
        "CACHE_URL": CACHE_URL,
        "STATIC_ROOT": str(WORK / "static"),
        "MEDIA_ROOT": str(WORK / "media"),
        # As behind the TLS proxy of deploy/: its header says HTTPS, from its address only.
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "API_THROTTLE_USER_RATE": "1000000/hour",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
    }


def manage(environment: dict, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [str(VENV_BIN / "python"), "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} a échoué :\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def start(command: list[str], environment: dict, log: Path) -> subprocess.Popen:
    with open(log, "wb") as output:
        return subprocess.Popen(  # noqa: S603 - the project's own gunicorn and celery
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen, timeout: float = 60) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def wait_for(condition, *, seconds: float, what: str, log: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if condition():
            return
        time.sleep(0.5)
    sys.exit(f"{what} n'a pas démarré :\n{log.read_text(errors='replace')[-3000:]}")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our loopback server
            return response.status == 200
    except OSError:
        return False


def prepare(users: int) -> dict:
    """Sessions, tokens, ids."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cases.mfa.policy import mfa_required
    from cases.mfa.services import mark_verified
    from cases.middleware import ACTIVE_ASSOCIATION_SESSION_KEY
    from cases.models import ApiToken, Association, Case
    from cases.services import api_token_create
    from procedures.models import Procedure
    from procedures.reference_case import REFERENCE_CASE_REFERENCE

    association = Association.objects.get(short_name="ACPE")
    case = Case.objects.get(association=association, reference=REFERENCE_CASE_REFERENCE)
    accounts = {"lawyer": "avocate.acpe", "staff": "salarie.acpe", "admin": "admin.acpe"}
    ApiToken.objects.filter(name="bench-load").delete()
    roles = {}
    for role, username in accounts.items():
        user = get_user_model().objects.get(username=username)
        sessions = []
        for _ in range(users):
            client = Client()
            client.force_login(user)
            session = client.session
            # Acting for ACPE, whose case it is (the lawyer is also a member of another association).
            session[ACTIVE_ASSOCIATION_SESSION_KEY] = association.pk
            if mfa_required(user):
                device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
                    user=user, name="bench-load", confirmed=True
                )
                mark_verified(session=session, device=device)
            session.save()
            sessions.append(client.cookies["sessionid"].value)
        _token, key = api_token_create(user=user, association=association, name="bench-load")
        roles[role] = {"sessions": sessions, "token": key}
    procedures = list(Procedure.objects.filter(case=case).order_by("?").values_list("pk", flat=True)[:500])
    count = Procedure.objects.filter(case=case).count()
    return {
        "case": case.pk,
        "procedure_count": count,
        "procedures": procedures,
        "procedure_pages": max(1, count // 50),
        "api_procedure_pages": max(1, count // 50),
        "roles": roles,
    }


def ask_dossiers(count: int) -> list[int]:
    """The other cases of the association, every section ticked as the request page has them: a
    whole dossier of the reference case alone would take the worker far longer than the run."""
    from django.contrib.auth import get_user_model

    from cases.models import Case
    from procedures.reference_case import REFERENCE_CASE_REFERENCE
    from reports.models import SECTION_ORDER
    from reports.services import dossier_request

    staff = get_user_model().objects.get(username="salarie.acpe")
    others = list(
        Case.objects.filter(association__short_name="ACPE").exclude(reference=REFERENCE_CASE_REFERENCE).order_by("pk")
    )
    return [
        dossier_request(
            user=staff, case=others[index % len(others)], recipient="Banc de charge", sections=SECTION_ORDER
        ).pk
        for index in range(count)
    ]


def warm_up(base: str, plan: dict, rounds: int) -> int:
    """Every page and endpoint of the run, `rounds` times, before it: each gunicorn process loads
    its templates, URL patterns and serializers on its first requests (up to 0.8 s once), which a
    server that runs for days has long done. Not counted in the figures; returns the requests made."""
    case = plan["case"]
    pages = ["/", f"/affaires/{case}/", f"/affaires/{case}/procedures/?page=2", "/delais/"]
    pages += [f"/procedures/{procedure}/" for procedure in plan["procedures"][:2]]
    api = [f"/api/v1/procedures/?case={case}&page=2", f"/api/v1/deadlines/?case={case}", "/api/v1/cases/"]
    requests = []
    for role in ("lawyer", "staff"):
        cookie = {"Cookie": f"sessionid={plan['roles'][role]['sessions'][0]}"}
        requests += [(url, cookie) for url in pages]
    requests.append(("/statistiques/", {"Cookie": f"sessionid={plan['roles']['admin']['sessions'][0]}"}))
    requests += [(url, {"Authorization": f"Bearer {plan['roles']['lawyer']['token']}"}) for url in api]
    made = 0
    for _ in range(rounds):
        for url, headers in requests:
            request = urllib.request.Request(base + url, headers={**headers, "X-Forwarded-Proto": "https"})  # noqa: S310
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our loopback server
                response.read()
            made += 1
    return made


def dossier_states(ids: list[int]) -> dict:
    from django.db.models import Count

    from reports.models import Dossier

    rows = Dossier.objects.filter(pk__in=ids).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def read_failures(prefix: Path) -> list[dict]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--dossiers", type=int, default=20)
    parser.add_argument("--wait", type=float, nargs=2, default=[1.0, 3.0], metavar=("MIN", "MAX"))
    parser.add_argument("--warm-up", type=int, default=6, help="rounds of every URL before the run (0: none)")
    parser.add_argument("--web-workers", type=int, help="gunicorn processes (default: config/gunicorn.py's)")
    parser.add_argument("--web-threads", type=int, help="threads per gunicorn process")
    options = parser.parse_args()

    WORK.mkdir(exist_ok=True)
    port = free_port()
    environment = production_environment(port)
    if options.web_workers:
        environment["GUNICORN_WORKERS"] = str(options.web_workers)
    if options.web_threads:
        environment["GUNICORN_THREADS"] = str(options.web_threads)
    # Seeding runs its tasks inline (no broker): nothing of it is left queued for the run.
    seeding = {**environment, "CELERY_BROKER_URL": "", "CELERY_RESULT_BACKEND": ""}
    started = time.perf_counter()
    manage(seeding, "ensure_database")
    manage(seeding, "migrate", "--noinput", "-v0")
    manage(seeding, "seed_demo", "--force")
    manage(seeding, "collectstatic", "--noinput", "-v0")
    # As autovacuum leaves a production database within minutes of a large import: visibility map
    # set (index-only scans of the deep pages) and planner statistics.
    import psycopg

    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")
    print(f"database {DATABASE_URL.rsplit('/', 1)[-1]} ready in {time.perf_counter() - started:.0f} s", flush=True)

    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import redis

    for url in (BROKER_URL, CACHE_URL):
        redis.Redis.from_url(url).flushdb()

    logs = WORK / "logs"
    logs.mkdir(exist_ok=True)
    processes = []
    try:
        worker_log = logs / "worker.log"
        worker = start(
            [
                # At the priority deploy/coco-worker@.service gives it (Nice=10).
                "nice",
                "-n",
                "10",
                str(VENV_BIN / "celery"),
                "-A",
                "config",
                "worker",
                "-Q",
                "default,dossiers,statistics,imports",
                "--concurrency=2",
                "--loglevel=INFO",
                f"--hostname=bench-load-{os.getpid()}@%h",
            ],
            environment,
            worker_log,
        )
        processes.append(worker)
        web_log = logs / "gunicorn.log"
        web = start(
            [str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
            environment,
            web_log,
        )
        processes.append(web)
        from config.celery import app

        wait_for(
            lambda: bool(app.control.ping(timeout=1.0)),
            seconds=90,
            what="Le worker",
            log=worker_log,
            process=worker,
        )
        wait_for(
            lambda: answers(f"http://127.0.0.1:{port}/healthz"), seconds=90, what="gunicorn", log=web_log, process=web
        )
        gunicorn_config = {
            "workers": environment.get("GUNICORN_WORKERS", f"{len(os.sched_getaffinity(0)) + 1} (default)"),
            "threads": environment.get("GUNICORN_THREADS", "4 (default)"),
        }
        print(
            f"gunicorn on 127.0.0.1:{port}: {gunicorn_config['workers']} processes × {gunicorn_config['threads']} threads; worker: 2 processes, 4 queues",
            flush=True,
        )

        plan = prepare(options.users)
        warmed = warm_up(f"http://127.0.0.1:{port}", plan, rounds=options.warm_up)
        print(f"warm-up: {warmed} requests, not counted", flush=True)
        plan["dossiers"] = ask_dossiers(options.dossiers)
        plan["wait"] = options.wait
        plan_path = WORK / "plan.json"
        plan_path.write_text(json.dumps(plan))
        print(
            f"reference case: {plan['procedure_count']} procedures; {len(plan['dossiers'])} dossiers queued; "
            f"{options.users} users for {options.seconds} s, {options.wait[0]:g}–{options.wait[1]:g} s between requests",
            flush=True,
        )

        prefix = WORK / "locust"
        for old in WORK.glob("locust_*.csv"):
            old.unlink()
        locust_started = time.perf_counter()
        locust = subprocess.run(  # noqa: S603 - the venv's locust on our own locustfile
            [
                str(VENV_BIN / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "locustfile_load.py"),
                "--headless",
                "--users",
                str(options.users),
                "--spawn-rate",
                str(max(1, options.users // 5)),
                "--run-time",
                f"{options.seconds}s",
                "--stop-timeout",
                "10",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env={**os.environ, "BENCH_LOAD_PLAN": str(plan_path)},
            capture_output=True,
            text=True,
            timeout=options.seconds + 120,
        )
        elapsed = time.perf_counter() - locust_started
        if locust.returncode != 0 or not Path(f"{prefix}_stats.csv").exists():
            sys.exit(f"locust a échoué ({locust.returncode}) :\n{locust.stdout[-3000:]}\n{locust.stderr[-3000:]}")
        states = dossier_states(plan["dossiers"])
    finally:
        for process in reversed(processes):
            stop(process)

    report(read_stats(prefix), read_failures(prefix), states, options, plan, elapsed)


def report(stats, failures, states, options, plan, elapsed) -> None:
    rows = [row for row in stats if row["Name"] != "Aggregated"]
    total = next(row for row in stats if row["Name"] == "Aggregated")
    print(f"\n{'page':<22} {'requests':>8} {'errors':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for row in sorted(rows, key=lambda row: row["Name"]):
        print(
            f"{row['Name']:<22} {row['Request Count']:>8} {row['Failure Count']:>7} {float(row['Requests/s']):>7.1f} "
            f"{row['50%']:>7} {row['95%']:>7} {float(row['Max Response Time']):>7.0f}"
        )
    for failure in failures:
        print(f"  error: {failure['Name']}: {failure['Error']} × {failure['Occurrences']}")
    done = states.get("done", 0)
    print(
        f"dossiers: {len(plan['dossiers'])} asked, {done} done, {states.get('failed', 0)} failed, "
        f"{sum(states.values()) - done - states.get('failed', 0)} still queued or rendering at the end"
    )

    def worst(kind):
        chosen = [row for row in rows if row["Name"].startswith("API") == (kind == "api")]
        row = max(chosen, key=lambda row: float(row["95%"]))
        return row["Name"], float(row["95%"])

    page_name, page_p95 = worst("pages")
    api_name, api_p95 = worst("api")
    errors = int(total["Failure Count"])

    def verdict(ok):
        return "OK" if ok else "ABOVE"

    print(
        f"load: {options.users} users for {elapsed:.0f} s on {plan['procedure_count']} procedures, "
        f"{int(total['Request Count'])} requests = {float(total['Requests/s']):.1f} req/s, "
        f"{errors} errors (target 0: {verdict(errors == 0)}); "
        f"pages p95 worst {page_p95:.0f} ms ({page_name}) = {page_p95 / TARGET_PAGE_P95_MS:.2f}× the target "
        f"< {TARGET_PAGE_P95_MS} ms: {verdict(page_p95 < TARGET_PAGE_P95_MS)}; "
        f"API list p95 worst {api_p95:.0f} ms ({api_name}) = {api_p95 / TARGET_API_P95_MS:.2f}× the target "
        f"< {TARGET_API_P95_MS} ms: {verdict(api_p95 < TARGET_API_P95_MS)}; "
        f"dossiers {states.get('done', 0)}/{len(plan['dossiers'])} done during the run"
    )


if __name__ == "__main__":
    main()
