"""The case's procedure list at the reference scale (23,051 procedures): server time, HTML size,
DOM nodes and query count of the first page, a deep page, each sort and the parquet-number search
written three ways, as the owning association's lawyer.

Run from the project root: .venv/bin/python benchmarks/bench_procedure_list.py [--runs 5]"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pages import TARGET_BYTES, TARGET_MS, measure, signed_in
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from cases.models import Association, Membership, Role
from procedures.models import Procedure, SavedFilter
from procedures.reference_case import reference_case_load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    association, _ = Association.objects.get_or_create(short_name="BENCH-PAGES", defaults={"name": "Benchmark pages"})
    user, _ = get_user_model().objects.get_or_create(username=f"bench-pages-{Role.LAWYER}")
    Membership.objects.update_or_create(user=user, association=association, defaults={"role": Role.LAWYER})
    case = reference_case_load(association=association, user=user).case
    # What autovacuum does within a minute of an import (it may be off on a development machine):
    # without statistics PostgreSQL believes the case holds 8 rows and sorts all 23,051.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE procedures_procedure")
    saved, _ = SavedFilter.objects.update_or_create(
        owner=user, case=case, name="bench: enquêtes", defaults={"params": {"stade": "enquete"}}
    )
    sample = Procedure.objects.filter(case=case).order_by("-pk").first().parquet_reference
    digits = "".join(character for character in sample if character.isalnum())
    url = reverse("case_procedure_list", args=[case.pk])
    client = signed_in(user)
    print(f"{Procedure.objects.filter(case=case).count()} procedures in the case; sample number {sample!r}")
    print(f"{'variant':<34} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'KB':>7} {'nodes':>6} {'queries':>7}")
    variants = [
        ("first page", ""),
        ("page 400 (offset 19,950)", "?page=400"),
        ("sort by number desc", "?tri=-numero"),
        ("sort by stage", "?tri=stade"),
        ("sort by last change", "?tri=-modification"),
        ("search as written", f"?numero={sample}"),
        ("search letters+digits", f"?numero={digits}"),
        ("search last 6 characters", f"?numero={digits[-6:]}"),
        ("open deadline + filing", "?delai=on&constitution=on"),
        ("victim V-001", "?victime=V-001"),
        ("saved filter, page 3", f"?filtre={saved.pk}&page=3"),
    ]
    worst_p50 = worst_size = 0
    for label, query in variants:
        status, p50, p95, size, nodes, queries = measure(client, url + query, options.runs)
        worst_p50, worst_size = max(worst_p50, p50), max(worst_size, size)
        print(f"{label:<34} {status:>6} {p50:>8.0f} {p95:>8.0f} {size / 1000:>7.1f} {nodes:>6} {queries:>7}")
    verdict = "OK" if worst_p50 < TARGET_MS and worst_size < TARGET_BYTES else "OVER"
    print(
        f"procedure list: worst p50 {worst_p50:.0f} ms (target < {TARGET_MS}), "
        f"largest page {worst_size / 1000:.1f} KB (target < {TARGET_BYTES // 1000}): {verdict}"
    )


if __name__ == "__main__":
    main()
