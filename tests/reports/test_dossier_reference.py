"""The whole-case dossier at the reference scale (23,051 procedures, 70 parquets, 480 victims),
rendered through the in-process path (`render_dossier`'s): summaries in the body, the full lists
as annexes in bounded chunks written to storage. Bounds, not times (benchmarks/bench_dossier.py
--reference measures seconds and memory)."""

import io
import json
import re

import pikepdf
import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Role
from procedures.models import Procedure
from procedures.reference_case import reference_case_load
from reports import services
from reports.estimate import default_sections, dossier_estimate
from reports.models import ANNEX_SECTIONS, DossierStatus
from reports.workflow import rows_per_chunk
from tests.factories import AssociationFactory, MembershipFactory, UserFactory
from tests.reports.conftest import outline, read_pdf, toc
from tests.reports.test_archival import assert_table_headers_resolve


@pytest.fixture(scope="module")
def reference(django_db_setup, django_db_blocker):
    """Built once, inside a transaction rolled back at the end of the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_reference_data", verbosity=0)
        association = AssociationFactory(short_name="REF-D", name="Association de référence")
        lawyer = MembershipFactory(user=UserFactory(username="ref-d-lawyer"), association=association, role=Role.LAWYER)
        result = reference_case_load(association=association, user=lawyer.user)
        yield {"case": result.case, "lawyer": lawyer.user}
        transaction.set_rollback(True)


def test_the_request_form_estimates_the_whole_case_dossier(db, client, reference, django_assert_max_num_queries):
    client.force_login(reference["lawyer"])
    with django_assert_max_num_queries(40):
        response = client.get(reverse("dossier_request", args=[reference["case"].pk]))
    page = response.content.decode()
    estimate = dossier_estimate(reference["case"])
    assert estimate.large and 300 < estimate.pages < 1500
    assert estimate.text.replace("\u202f", "") in page.replace("\u202f", "")
    ticked = set(re.findall(r'value="(\w+)"[^>]*checked', page))
    assert set(ANNEX_SECTIONS) <= ticked, "a large case's default has its full lists as annexes"


def test_the_whole_reference_dossier_completes_in_bounded_chunks(db, reference, media_root):
    case = reference["case"]
    sections = default_sections(case)
    assert set(ANNEX_SECTIONS) <= set(sections)
    dossier = services.dossier_request(user=reference["lawyer"], case=case, recipient="Greffe", sections=sections)
    with CaptureQueriesContext(connection) as queries:
        services.dossier_render(dossier_id=dossier.pk, parallel=False)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DONE, dossier.error

    chunks = list(dossier.chunks.order_by("index"))
    # Bounded chunks: none past its share of rows, none holding more than a few dozen pages, a
    # plan that names its rows by keys (no more than a chunk's ids in one spec).
    assert len(chunks) >= 20
    sliced = [chunk for chunk in chunks if {block["section"] for block in chunk.spec["blocks"]} <= set(ANNEX_SECTIONS)]
    assert len(sliced) >= 20 and all(chunk.weight <= rows_per_chunk() * 1.2 for chunk in sliced)
    assert max(chunk.pages for chunk in chunks) <= 40
    assert max(len(json.dumps(chunk.spec)) for chunk in chunks) < 30_000
    assert not any(chunk.file for chunk in chunks), "chunk files are deleted once merged"
    # A constant number of queries per chunk, whatever the number of procedures.
    assert len(queries) <= 30 * len(chunks) + 100, len(queries)
    # No read names more than one chunk's rows (the plan's own INSERT carries every chunk's keys).
    assert max(len(query["sql"]) for query in queries if not query["sql"].startswith("INSERT")) < 20_000

    reader, data = read_pdf(dossier)
    assert len(reader.pages) == dossier.pages and 300 < dossier.pages < 2000
    assert len(data) < 30 * 1024 * 1024
    estimate = dossier_estimate(case, sections)
    assert dossier.pages / 1.5 <= estimate.pages <= dossier.pages * 1.5
    bookmarks = outline(reader)
    pages = {title: page for depth, title, page in bookmarks if depth == 0}
    for title in (
        "Procédures et parquets successifs",
        "Chronologie",
        "Prescription de l’action publique",
        "Annexe 1 — Liste des procédures",
        "Annexe 2 — Chronologie complète",
    ):
        assert title in pages, title
    summary = reader.pages[pages["Procédures et parquets successifs"]].extract_text()
    assert "23 051 procédures ouvertes par 70 parquets" in summary.replace("\u202f", " ")
    assert pages["Annexe 2 — Chronologie complète"] - pages["Annexe 1 — Liste des procédures"] > 200
    printed = toc(reader)
    # Cells keep their headers across the 40-odd pieces assembled: identifiers stay unique.
    assert assert_table_headers_resolve(pikepdf.open(io.BytesIO(data))) > 1000
    assert len(printed) >= 10 and list(printed.values()) == sorted(printed.values()), printed
    # The annex names each procedure: one of them, found on the page of its parquet's bookmark.
    first = (
        Procedure.objects.filter(case=case).order_by("parquet__name", "parquet_reference").select_related("parquet")[0]
    )
    parquet_page = next(
        page for depth, title, page in bookmarks if depth == 1 and title == first.parquet.name.replace("'", "’")
    )
    assert first.parquet_reference in reader.pages[parquet_page].extract_text()
    prescription = " ".join(reader.pages[pages["Prescription de l’action publique"]].extract_text().split())
    assert "acte" in prescription and "mineures aux faits" in prescription
