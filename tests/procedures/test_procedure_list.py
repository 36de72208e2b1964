"""The case's procedure list: find a procedure by its parquet number however it is written."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import AccessLog
from procedures.models import Filing, FilingMode, LegalBasis, Outcome, Stage
from procedures.procedure_list import COUNT_CAP, PAGE_SIZE, parquet_search_key
from tests.factories import CourtOfAppealFactory, ParquetFactory, VictimFactory
from tests.procedures.factories import DeadlineFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedures(case):
    douai = CourtOfAppealFactory()
    valenciennes = ParquetFactory(name="Parquet de Valenciennes", court_of_appeal=douai)
    paris = ParquetFactory(name="Parquet de Paris")
    return {
        "wanted": ProcedureFactory(case=case, parquet=valenciennes, parquet_reference="24/123.456"),
        "instruction": ProcedureFactory(
            case=case, parquet=paris, parquet_reference="23 999 001", stage=Stage.INSTRUCTION
        ),
        "classee": ProcedureFactory(
            case=case, parquet=paris, parquet_reference="22-555-777", outcome=Outcome.CLASSEMENT
        ),
    }


def _references(response):
    return [procedure.parquet_reference for procedure in response.context["page"].rows]


def test_the_search_key_keeps_only_letters_and_digits():
    assert parquet_search_key("24/123.456") == parquet_search_key("24 123 456") == "24123456"
    assert parquet_search_key("junalco 24-12") == "JUNALCO2412"


@pytest.mark.parametrize("typed", ["24/123.456", "24 123 456", "24123456", "24-123-456", "123 456", " 24.123456 "])
def test_it_finds_a_procedure_by_its_number_written_any_way(client, owner, case, procedures, typed):
    client.force_login(owner)
    response = client.get(reverse("case_procedure_list", args=[case.pk]), {"numero": typed})
    assert response.status_code == 200
    assert _references(response) == ["24/123.456"]


def test_it_filters_by_parquet_court_stage_and_outcome(client, owner, case, procedures):
    client.force_login(owner)
    url = reverse("case_procedure_list", args=[case.pk])
    wanted = procedures["wanted"]
    assert _references(client.get(url, {"parquet": wanted.parquet_id})) == ["24/123.456"]
    assert _references(client.get(url, {"cour": wanted.parquet.court_of_appeal_id})) == ["24/123.456"]
    assert _references(client.get(url, {"stade": Stage.INSTRUCTION})) == ["23 999 001"]
    assert _references(client.get(url, {"issue": Outcome.CLASSEMENT})) == ["22-555-777"]


def test_it_filters_by_filing_open_deadline_and_victim(client, owner, case, procedures, association):
    Filing.objects.create(
        procedure=procedures["wanted"],
        association=association,
        mode=FilingMode.INTERVENTION,
        legal_basis=LegalBasis.ART_2_3,
    )
    DeadlineFactory(procedure=procedures["instruction"])
    victim = VictimFactory(case=case, pseudonym="V-042")
    procedures["classee"].victims.add(victim)
    client.force_login(owner)
    url = reverse("case_procedure_list", args=[case.pk])
    assert _references(client.get(url, {"constitution": "on"})) == ["24/123.456"]
    assert _references(client.get(url, {"delai": "on"})) == ["23 999 001"]
    assert _references(client.get(url, {"victime": "v-042"})) == ["22-555-777"]


def test_it_sorts_by_parquet_number(client, owner, case, procedures):
    client.force_login(owner)
    response = client.get(reverse("case_procedure_list", args=[case.pk]), {"tri": "-numero"})
    assert _references(response) == ["24/123.456", "23 999 001", "22-555-777"]


def test_a_bad_filter_is_a_form_error_not_a_500(client, owner, case, procedures):
    client.force_login(owner)
    response = client.get(reverse("case_procedure_list", args=[case.pk]), {"stade": "nope", "page": "x"})
    assert response.status_code == 400
    assert response.context["form"].errors["stade"]


def test_staff_reads_the_list_and_the_read_is_logged(client, colleague, case, procedures):
    client.force_login(colleague)
    assert client.get(reverse("case_procedure_list", args=[case.pk])).status_code == 200
    assert AccessLog.objects.filter(user=colleague, object_type="case", object_id=case.pk, action="view").exists()


def test_an_outsider_gets_404(client, outsider, case, procedures):
    client.force_login(outsider)
    assert client.get(reverse("case_procedure_list", args=[case.pk])).status_code == 404
    assert client.get(reverse("case_procedure_list", args=[999999])).status_code == 404


def test_pages_hold_fifty_rows_and_the_selection_is_counted_once_with_a_bound(client, owner, case):
    parquet = ParquetFactory()
    ProcedureFactory.create_batch(PAGE_SIZE + 5, case=case, parquet=parquet, opened_on=date(2024, 1, 2))
    client.force_login(owner)
    url = reverse("case_procedure_list", args=[case.pk])
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        page_one = client.get(url)
    with CaptureQueriesContext(connection) as again:
        client.get(url)
    with CaptureQueriesContext(connection) as second:
        page_two = client.get(url, {"page": 2})
    assert len(page_one.context["page"].rows) == PAGE_SIZE and page_one.context["page"].has_next
    assert len(page_two.context["page"].rows) == 5 and not page_two.context["page"].has_next
    assert page_one.context["page"].total == page_two.context["page"].total == PAGE_SIZE + 5
    counts = [query["sql"] for query in first.captured_queries if "COUNT(" in query["sql"].upper()]
    # One count, of at most COUNT_CAP + 1 rows; then the cache (page 1 again) or the last page tells it.
    assert len(counts) == 1 and f"LIMIT {COUNT_CAP + 1}" in counts[0]
    assert len(again) == len(second) == len(first) - 1
    assert "Appliquer aux 55 procédures du filtre" in page_one.content.decode()
