"""The parquet field: the town typed rather than a list of 168 parquets. A typed name resolves to
one active parquet or gives a sentence naming the candidates; a posted id still works; the search
endpoint answers reference data only, to signed-in users."""

import json

import pytest
from django.urls import reverse

from cases.models import Parquet
from cases.parquet_picker import ParquetField, parquet_matches
from procedures.models import Procedure, Referral, ReferralKind, Stage
from tests.factories import ParquetFactory
from tests.procedures.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def parquets(db):
    """The official list the migrations load (168 parquets), and a closed one."""
    named = {
        "paris": "Parquet de Paris",
        "mans": "Parquet du Mans",
        "saint_brieuc": "Parquet de Saint-Brieuc",
        "saint_omer": "Parquet de Saint-Omer",
        "evry": "Parquet d'Évry-Courcouronnes",
    }
    found = {key: Parquet.objects.get(name=name) for key, name in named.items()}
    found["old"] = ParquetFactory(code="TJT-OLD", name="Parquet de Vieilleville", active=False)
    return found


def field(**kwargs):
    return ParquetField(Parquet.objects.filter(active=True), **kwargs)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Parquet de Paris", "paris"),
        ("paris", "paris"),
        ("  PARIS ", "paris"),
        ("Mans", "mans"),
        ("parquet du mans", "mans"),
        ("Saint-Omer", "saint_omer"),
        ("Évry", "evry"),
        ("evry courcouronnes", "evry"),
        ("saint omer", "saint_omer"),
    ],
)
def test_a_typed_name_designates_one_parquet(parquets, typed, expected):
    assert field().clean(typed) == parquets[expected]


def test_a_posted_id_is_still_accepted(parquets):
    assert field().clean(str(parquets["paris"].pk)) == parquets["paris"]


def test_an_ambiguous_or_unknown_name_is_a_sentence(parquets):
    with pytest.raises(Exception) as ambiguous:
        field().clean("Saint")
    assert "« Saint » désigne plusieurs parquets (Parquet de Saint-Brieuc, Parquet de Saint-Denis" in str(
        ambiguous.value
    )
    with pytest.raises(Exception) as unknown:
        field().clean("Atlantide")
    assert "Aucun parquet ne correspond à « Atlantide »" in str(unknown.value)
    # A closed parquet is not offered, whatever is typed.
    assert parquet_matches(Parquet.objects.filter(active=True), "Vieilleville") == []


def test_the_procedure_form_is_a_text_box_showing_the_current_parquet(client, owner, case, parquets):
    procedure = ProcedureFactory(case=case, parquet=parquets["mans"])
    client.force_login(owner)
    html = client.get(reverse("procedure_update", args=[procedure.pk])).content.decode()
    assert 'name="parquet" value="Parquet du Mans"' in html
    assert '<select name="parquet"' not in html
    assert 'data-picker-single data-picker-url="/parquets/choix/"' in html


def test_a_procedure_is_created_with_a_typed_town(client, owner, case, parquets):
    client.force_login(owner)
    data = {"parquet": "mans", "parquet_reference": "24/1", "stage": Stage.ENQUETE, "outcome": "pending"}
    response = client.post(reverse("procedure_create", args=[case.pk]), data)
    assert response.status_code == 302
    assert Procedure.objects.get(case=case).parquet == parquets["mans"]


def test_an_ambiguous_town_keeps_what_was_typed_and_writes_nothing(client, owner, case, parquets):
    client.force_login(owner)
    data = {"parquet": "Saint", "parquet_reference": "24/1", "stage": Stage.ENQUETE, "outcome": "pending"}
    response = client.post(reverse("procedure_create", args=[case.pk]), data)
    assert response.status_code == 200
    assert "plusieurs parquets" in str(response.context["form"].errors["parquet"])
    assert 'name="parquet" value="Saint"' in response.content.decode()
    assert not Procedure.objects.exists()


def test_a_referral_s_recipient_parquet_is_typed_too(client, owner, case, parquets):
    client.force_login(owner)
    response = client.post(
        reverse("referral_add", args=[case.pk]),
        {
            "kind": ReferralKind.PLAINTE_SIMPLE,
            "author": "ACPE",
            "recipient": "Procureur de la République",
            "recipient_parquet": "Parquet de Paris",
            "sent_on": "2024-06-01",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Referral.objects.get(case=case).recipient_parquet == parquets["paris"]


def test_the_search_answers_parquets_by_town_to_the_signed_in_only(client, owner, parquets):
    url = reverse("parquet_choices")
    assert client.get(url, {"q": "mans"}).status_code == 302  # to the sign-in page
    client.force_login(owner)
    found = json.loads(client.get(url, {"q": "saint o"}).content)
    assert [row["value"] for row in found["results"]] == ["Parquet de Saint-Omer"]
    assert found["results"][0]["label"].startswith("Parquet de Saint-Omer (")
    found = json.loads(client.get(url, {"q": "paris"}).content)
    assert found["results"][0]["value"] == "Parquet de Paris"
    assert json.loads(client.get(url, {"q": "Vieilleville"}).content)["results"] == []
    assert json.loads(client.get(url, {"q": "\x00" * 5}).content)["results"]
