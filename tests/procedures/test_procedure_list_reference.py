"""The case's procedure list at the reference scale (23,051 procedures), loaded once for the
module through procedures/reference_case.py: one page of 50 rows, the same queries on every page,
a parquet number found however it is written."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Role
from procedures.models import Procedure, SavedFilter
from procedures.procedure_list import PAGE_SIZE
from procedures.reference_case import reference_case_load
from tests.factories import AssociationFactory, MembershipFactory, UserFactory
from tests.procedures.test_case_summary_reference import dom_nodes

MAX_BYTES, MAX_NODES, MAX_QUERIES = 120_000, 1_500, 20
assert MAX_BYTES < 300_000  # issue 17: every list page under 300 KB


@pytest.fixture(scope="module")
def reference(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_reference_data", verbosity=0)
        association = AssociationFactory(short_name="REF-L", name="Association de référence (liste)")
        lawyer = MembershipFactory(
            user=UserFactory(username="ref-list-lawyer"), association=association, role=Role.LAWYER
        )
        result = reference_case_load(association=association, user=lawyer.user)
        yield {"case": result.case, "lawyer": lawyer.user}
        transaction.set_rollback(True)


def _get(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    # The selection's bounded count runs once a minute per filter (cached): not a page's cost.
    return response, len([query for query in queries.captured_queries if "COUNT(" not in query["sql"].upper()])


def test_every_page_and_sort_is_fifty_rows_with_the_same_queries(db, client, reference):
    client.force_login(reference["lawyer"])
    url = reverse("case_procedure_list", args=[reference["case"].pk])
    client.get(url)  # the session's first request may write it; the pages are compared after
    counts = set()
    for params in ({}, {"page": 300}, {"tri": "-numero"}, {"tri": "stade", "page": 2}, {"tri": "-modification"}):
        response, queries = _get(client, url, params)
        assert response.status_code == 200
        assert len(response.context["page"].rows) == PAGE_SIZE
        assert len(response.content) < MAX_BYTES
        assert dom_nodes(response.content.decode()) < MAX_NODES
        assert queries <= MAX_QUERIES
        counts.add(queries)
    assert len(counts) == 1


def test_a_parquet_number_is_found_among_23051_in_any_spelling(db, client, reference):
    procedure = Procedure.objects.filter(case=reference["case"]).order_by("-pk").first()
    key = "".join(character for character in procedure.parquet_reference if character.isalnum())
    client.force_login(reference["lawyer"])
    url = reverse("case_procedure_list", args=[reference["case"].pk])
    for typed in (procedure.parquet_reference, key, " ".join(key), "/".join([key[:2], key[2:]])):
        response, queries = _get(client, url, {"numero": typed})
        assert procedure in response.context["page"].rows
        assert queries <= MAX_QUERIES


def test_a_saved_filter_and_the_bulk_form_stay_light_at_reference_scale(db, client, reference):
    case, lawyer = reference["case"], reference["lawyer"]
    client.force_login(lawyer)
    url = reverse("case_procedure_list", args=[case.pk])
    response, queries = _get(client, url, {})
    assert queries <= MAX_QUERIES
    assert "Appliquer aux 23\u202f051 procédures du filtre" in response.content.decode()
    assert response.context["page"].total == Procedure.objects.filter(case=case).count() == 23_051
    saved = SavedFilter.objects.create(owner=lawyer, case=case, name="Enquêtes", params={"stade": "enquete"})
    response, saved_queries = _get(client, url, {"filtre": saved.pk, "page": 3})
    assert response.status_code == 200 and len(response.context["page"].rows) == PAGE_SIZE
    assert all(procedure.stage == "enquete" for procedure in response.context["page"].rows)
    assert len(response.content) < MAX_BYTES and saved_queries <= MAX_QUERIES + 1


def test_a_bulk_export_of_ticked_rows_reads_only_them(db, client, reference):
    case, lawyer = reference["case"], reference["lawyer"]
    ids = list(Procedure.objects.filter(case=case).order_by("pk").values_list("pk", flat=True)[:3])
    client.force_login(lawyer)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("procedure_bulk", args=[case.pk]), {"action": "exporter", "ids": ids})
        body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200 and body.count("\r\n") == 4  # header + 3 rows
    assert len(queries) <= MAX_QUERIES
