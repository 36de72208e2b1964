"""« Mes délais » and the team view at the reference scale (issue 17, part 4): the Coco.gg case of
the demo (23,051 procedures, loaded by `seed_demo` through the real import) with one open deadline
per procedure, as after a decision in each. Prints, for page 1 and the last page of each list:
HTML size, rows, DOM elements (rough: opening tags), query count and server time (median of 5).

Run against a demo database (never the test one):
  DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/h4_demo .venv/bin/python benchmarks/bench_deadlines.py
"""

import os
import re
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from cases.models import Case, Membership, Role  # noqa: E402
from procedures.models import Deadline, DeadlineStatus, Procedure  # noqa: E402
from procedures.services import deadline_compute  # noqa: E402


def reference_case() -> Case:
    counts = {case: case.procedures.count() for case in Case.objects.all()}
    case = max(counts, key=counts.get)
    print(f"case {case.reference}: {counts[case]} procedures")
    return case


def one_open_deadline_per_procedure(case: Case) -> list:
    """An appeal deadline per procedure (art. 498), computed by the engine, owners round-robin."""
    lawyers = list(
        Membership.objects.filter(association=case.association, role=Role.LAWYER)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    have = set(case.deadlines.filter(rule="appeal_correctionnel").values_list("procedure_id", flat=True))
    rows, cache = [], {}
    start = date(2026, 11, 1)
    for index, procedure in enumerate(
        Procedure.objects.filter(case=case).exclude(pk__in=have).select_related("parquet").order_by("pk")
    ):
        trigger = start + timedelta(days=index % 60)
        key = (procedure.parquet_id, trigger)
        if key not in cache:
            cache[key] = deadline_compute(procedure, "appeal_correctionnel", trigger)
        computation = cache[key]
        explanation = {**computation.to_dict(), "why": "Jugement contradictoire du tribunal correctionnel"}
        rows.append(
            Deadline(
                case=case,
                procedure=procedure,
                association=case.association,
                rule="appeal_correctionnel",
                party=computation.party,
                rule_version=computation.version_label[:300],
                explanation=explanation,
                trigger_date=trigger,
                computed_due_on=computation.due_on,
                due_on=computation.due_on,
                status=DeadlineStatus.OPEN,
                owner_id=lawyers[index % len(lawyers)],
            )
        )
    Deadline.objects.bulk_create(rows, batch_size=2000)
    print(f"deadlines added: {len(rows)}; open in the case: {case.deadlines.filter(status='open').count()}")
    return lawyers


def verified_client(user_id) -> Client:
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cases.mfa.services import mark_verified

    user = get_user_model().objects.get(pk=user_id)
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    session = client.session
    mark_verified(session=session, device=device)
    session.save()
    return client


def measure(client, url: str) -> None:
    times, response, queries = [], None, 0
    for _ in range(5):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    html = response.content.decode()
    rows = html.count('<tr class="deadline')
    elements = len(re.findall(r"<[a-zA-Z]", html))
    print(
        f"{url:40} {response.status_code} {len(html) / 1024:7.1f} KiB rows={rows:3} elements={elements:5} "
        f"queries={queries:3} median={statistics.median(times) * 1000:7.1f} ms"
    )


def main():
    case = reference_case()
    lawyers = one_open_deadline_per_procedure(case)
    owner = verified_client(lawyers[0])
    pages = max(1, -(-case.deadlines.filter(owner_id=lawyers[0], status="open").count() // 50))
    team_pages = max(1, -(-case.deadlines.filter(status__in=["open", "missed"]).count() // 50))
    for url in (
        reverse("deadline_list"),
        reverse("deadline_list") + f"?page={pages}",
        reverse("deadline_team"),
        reverse("deadline_team") + f"?page={team_pages}",
        reverse("deadline_team") + f"?responsable={lawyers[0]}",
        reverse("home"),
    ):
        measure(owner, url)


if __name__ == "__main__":
    main()
