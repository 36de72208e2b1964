"""The header's search: cases, procedures by parquet number in any spelling, victims by pseudonym,
only inside the cases the user sees."""

import pytest
from django.urls import reverse

from cases.models import AccessLog
from tests.factories import CaseFactory, VictimFactory
from tests.procedures.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(case, other_association):
    foreign = CaseFactory(association=other_association, reference="AUTRE-001", title="Affaire étrangère")
    return {
        "procedure": ProcedureFactory(case=case, parquet_reference="24/123.456"),
        "foreign_procedure": ProcedureFactory(case=foreign, parquet_reference="24 123 456 99"),
        "victim": VictimFactory(case=case, pseudonym="V-777", first_name="Secret", last_name="Identité"),
        "foreign_victim": VictimFactory(case=foreign, pseudonym="V-778"),
    }


@pytest.mark.parametrize("typed", ["24/123.456", "24 123 456", "24123456", "24-123"])
def test_it_finds_the_procedure_by_any_spelling_of_its_number(client, owner, data, typed):
    client.force_login(owner)
    results = client.get(reverse("global_search"), {"q": typed}).context["results"]
    assert results.procedures == [data["procedure"]]


def test_it_finds_cases_and_victims_by_pseudonym_never_their_identity(client, colleague, case, data):
    client.force_login(colleague)
    response = client.get(reverse("global_search"), {"q": "V-77"})
    assert response.context["results"].victims == [data["victim"]]
    html = response.content.decode()
    assert "V-777" in html and "Secret" not in html and "Identité" not in html
    assert client.get(reverse("global_search"), {"q": "ACPE-T"}).context["results"].cases == [case]


def test_an_outsider_finds_nothing_of_another_association(client, outsider, data):
    client.force_login(outsider)
    results = client.get(reverse("global_search"), {"q": "24123456"}).context["results"]
    assert results.procedures == [data["foreign_procedure"]]
    results = client.get(reverse("global_search"), {"q": "ACPE"}).context["results"]
    assert results.cases == [] and results.victims == []


def test_results_showing_case_data_are_logged_and_a_short_query_searches_nothing(client, owner, case, data):
    client.force_login(owner)
    response = client.get(reverse("global_search"), {"q": "x"})
    assert response.status_code == 200 and response.context["results"].cases == []
    client.get(reverse("global_search"), {"q": "24123456"})
    assert AccessLog.objects.filter(user=owner, case_id=case.pk, action="view").exists()


def test_the_header_holds_a_labelled_search_form(client, owner, data):
    client.force_login(owner)
    html = client.get(reverse("global_search")).content.decode()
    assert 'for="header-search-q"' in html and 'id="header-search-q"' in html


def test_more_procedures_than_shown_lead_once_to_the_list_of_their_case(client, owner, case):
    from procedures.global_search import PER_KIND

    for n in range(PER_KIND + 3):
        ProcedureFactory(case=case, parquet_reference=f"25/900.{n:03d}")
    client.force_login(owner)
    html = client.get(reverse("global_search"), {"q": "25/900"}).content.decode()
    link = reverse("case_procedure_list", args=[case.pk]) + "?numero=25/900"
    assert html.count(link) == 1
    assert (
        f"toutes celles de l&#x27;affaire {case.reference}" in html
        or f"toutes celles de l'affaire {case.reference}" in html
    )
