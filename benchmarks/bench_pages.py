"""Page weight and speed at the reference scale: the Coco.gg-sized case (23,051 procedures, 70
parquets, 480 victims, loaded by procedures/reference_case.py through the import path), every main
page requested as the owning association's lawyer, staff and admin.

Per page: server time p50/p95 over --runs requests (test client, so no network), HTML size, DOM
nodes (start tags counted with html.parser), query count. Targets (issue 17): the case page under
300 KB, 3,000 DOM nodes and 300 ms.

Run from the project root: .venv/bin/python benchmarks/bench_pages.py [--runs 5] [--procedures N]
[--database-size 1000000]. It works in the benchmark database (bin/bench) and keeps its association
and case between runs, so a second run does not re-import them. --database-size fills the database
up to that many procedures with another association's case (bulk SQL, reports/statistics/synthetic.py)
so the lists and statistics are measured among a million rows, as the issue asks."""

import argparse
import os
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from cases.mfa.policy import mfa_required  # noqa: E402
from cases.mfa.services import mark_verified  # noqa: E402
from cases.models import Association, Membership, Role  # noqa: E402
from procedures.models import Procedure  # noqa: E402
from procedures.reference_case import REFERENCE_PROCEDURES, reference_case_load  # noqa: E402
from reports.statistics.synthetic import bulk_load  # noqa: E402

TARGET_BYTES, TARGET_NODES, TARGET_MS = 300_000, 3_000, 300


class _Nodes(HTMLParser):
    count = 0

    def handle_starttag(self, tag, attrs):
        self.count += 1

    def handle_startendtag(self, tag, attrs):
        self.count += 1


def dom_nodes(html: str) -> int:
    parser = _Nodes()
    parser.feed(html)
    return parser.count


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    if mfa_required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="bench", confirmed=True
        )
        session = client.session
        mark_verified(session=session, device=device)
        session.save()
    return client


def fill_database(size: int) -> None:
    """Another association's case holding the procedures the reference case does not, so that the
    database counts `size` procedures; loaded once, kept between runs."""
    missing = size - Procedure.objects.count()
    if missing <= 0:
        return
    from cases.models import Case

    filler_association, _ = Association.objects.get_or_create(
        short_name="BENCH-FILL", defaults={"name": "Benchmark remplissage"}
    )
    # A run stopped during the load leaves the case (the load itself is one transaction): reuse it.
    filler, _ = Case.objects.get_or_create(
        association=filler_association, reference=f"FILL-{size}", defaults={"title": "Remplissage"}
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # history triggers off for the bulk load
        bulk_load(
            cursor,
            association_id=filler_association.pk,
            case_id=filler.pk,
            procedures=missing,
            victims=5000,
            parquets=160,
        )
        cursor.execute("SET session_replication_role = DEFAULT")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"database filled with {missing} procedures in {time.perf_counter() - started:.0f} s")


def measure(client, url, runs, headers=None):
    client.get(url, headers=headers or {})  # warm-up
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, headers=headers or {})
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    html = response.content.decode("utf-8", "replace")
    p95 = timings[min(len(timings) - 1, round(len(timings) * 0.95) - 1)]
    return response.status_code, timings[len(timings) // 2], p95, len(response.content), dom_nodes(html), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--procedures", type=int, default=REFERENCE_PROCEDURES)
    parser.add_argument("--database-size", type=int, default=0, help="fill the database up to N procedures")
    options = parser.parse_args()

    association, _ = Association.objects.get_or_create(short_name="BENCH-PAGES", defaults={"name": "Benchmark pages"})
    users = {}
    for role in (Role.LAWYER, Role.STAFF, Role.ADMIN):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-pages-{role}")
        Membership.objects.update_or_create(user=user, association=association, defaults={"role": role})
        users[role] = user
    started = time.perf_counter()
    result = reference_case_load(association=association, user=users[Role.LAWYER], procedures=options.procedures)
    print(
        f"reference case: {result.procedures} procedures ({'imported' if result.created else 'already loaded'}) "
        f"in {time.perf_counter() - started:.1f} s; {Procedure.objects.count()} procedures in the database"
    )
    fill_database(options.database_size)
    case = result.case
    procedure = Procedure.objects.filter(case=case).order_by("pk").first()
    pages = [
        ("home", reverse("home"), None),
        ("case list", reverse("case_list"), None),
        ("case detail", reverse("case_detail", args=[case.pk]), None),
        ("procedure list", reverse("case_procedure_list", args=[case.pk]) + "?page=40", None),
        ("number search", reverse("case_procedure_list", args=[case.pk]) + f"?q={procedure.parquet_reference}", None),
        ("global search", reverse("global_search") + f"?q={procedure.parquet_reference}", None),
        ("victims fragment", reverse("case_victims", args=[case.pk]) + "?page=2", {"X-Section": "1"}),
        ("timeline fragment", reverse("case_timeline", args=[case.pk]) + "?page=50", {"X-Section": "1"}),
        ("history fragment", reverse("case_history", args=[case.pk]), {"X-Section": "1"}),
        ("prescription fragment", reverse("case_prescription", args=[case.pk]), {"X-Section": "1"}),
        ("procedure detail", reverse("procedure_detail", args=[procedure.pk]), None),
        ("deadlines list", reverse("deadline_list"), None),
        ("statistics dashboard", reverse("statistics_dashboard"), None),
        ("dossier request", reverse("dossier_request", args=[case.pk]), None),
    ]
    print(f"{'role':<7} {'page':<22} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'KB':>8} {'nodes':>7} {'queries':>7}")
    case_page = {}
    for role, user in users.items():
        client = signed_in(user)
        for label, url, headers in pages:
            status, p50, p95, size, nodes, queries = measure(client, url, options.runs, headers)
            print(
                f"{role:<7} {label:<22} {status:>6} {p50:>8.0f} {p95:>8.0f} {size / 1000:>8.1f} {nodes:>7} {queries:>7}"
            )
            if label == "case detail" and status == 200:
                case_page[role] = (p50, size, nodes, queries)
    worst_ms = max(value[0] for value in case_page.values())
    worst_bytes = max(value[1] for value in case_page.values())
    worst_nodes = max(value[2] for value in case_page.values())

    def verdict(value, target):
        return "OK" if value < target else "ABOVE"

    print(
        f"case page at {result.procedures} procedures ({Procedure.objects.count()} in the database), worst role: "
        f"{worst_bytes / 1000:.0f} KB (target < {TARGET_BYTES // 1000} KB: {verdict(worst_bytes, TARGET_BYTES)}), "
        f"{worst_nodes} DOM nodes (target < {TARGET_NODES:,}: {verdict(worst_nodes, TARGET_NODES)}), "
        f"p50 {worst_ms:.0f} ms (target < {TARGET_MS} ms: {verdict(worst_ms, TARGET_MS)})"
    )


if __name__ == "__main__":
    main()
