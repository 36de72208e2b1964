"""A suspect's identifiers (accounts, e-mails, phones, IPs, national identifiers): one reading,
cases.identifiers.parse_identifiers, for the form, the API and the import."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases.identifiers import identifier_key, parse_identifiers
from cases.models import Suspect
from tests.factories import SuspectFactory

pytestmark = pytest.mark.django_db


def test_kinds_are_read_in_english_or_french_and_stored_in_english():
    identifiers, errors = parse_identifiers(
        "account:kiwi75\ncompte:kiwi76\nCourriel : k@example.fr\nmail:l@example.fr\ntel:06 00 00 00 01\n"
        "téléphone:+33 6 00 00 00 02\nTELEPHONE:0600000003\nip:2001:db8::1\nid:185057800608436\n"
        "identifiant:X-12\nnational:Y-13\nemail:m@example.fr\nphone:07 00 00 00 04"
    )

    assert errors == []
    assert [kind for kind, _value in identifiers] == [
        "account",
        "account",
        "email",
        "email",
        "phone",
        "phone",
        "phone",
        "ip",
        "national",
        "national",
        "national",
        "email",
        "phone",
    ]
    assert identifiers[2] == ("email", "k@example.fr")


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("j.fm@example.fr", "email"),
        ("192.0.2.15", "ip"),
        ("203.0.113.200", "ip"),  # ten digits and dots: an address, not a phone
        ("2001:db8::1", "ip"),
        ("fe80::1", "ip"),
        ("+33 6 12 34 56 78", "phone"),
        ("(01) 23.45.67-89", "phone"),
        ("0612345", "account"),  # seven digits only
        ("julien@home", "account"),  # no dot after the « @ »
        ("Julien_75", "account"),
        ("https://plateforme.example/u/julien", "account"),
    ],
)
def test_a_bare_value_is_recognised(value, kind):
    assert parse_identifiers(value) == ([(kind, value)], [])


def test_each_error_names_its_line_without_repeating_the_value():
    identifiers, errors = parse_identifiers(
        "compte:ok\n\nskype:zorro75\ncourriel:pas-un-courriel\nip:300.1.2.3\ntel:1234\ncourriel:\ncompte:a;b"
    )

    assert identifiers == [("account", "ok")]
    assert errors == [
        "ligne 3 : type d'identifiant inconnu « skype » (types admis : compte, courriel, téléphone, ip, identifiant)",
        "ligne 4 : adresse de courriel invalide (attendu : nom@domaine.fr)",
        "ligne 5 : adresse IP invalide (attendu : IPv4 ou IPv6, ex. 192.0.2.1)",
        "ligne 6 : numéro de téléphone invalide (au moins 8 chiffres ; espaces, + . - ( ) admis)",
        "ligne 7 : valeur manquante après « courriel: »",
        "ligne 8 : les caractères [ ] ; | ne peuvent figurer dans un identifiant",
    ]
    assert not any(secret in " ".join(errors) for secret in ("zorro75", "pas-un-courriel", "300.1"))


def test_the_same_identifier_written_twice_is_kept_once():
    identifiers, _errors = parse_identifiers("+33 6 12 34 56 78\n06.12.34.56.78\nJ@Example.fr\nj@example.fr")

    assert identifiers == [("phone", "+33 6 12 34 56 78"), ("email", "J@Example.fr")]
    assert identifier_key("ip", "2001:DB8:0::1") == identifier_key("ip", "2001:db8::1")


def test_the_stored_list_leaves_out_blank_and_malformed_lines(case):
    suspect = SuspectFactory(
        case=case, identifiers="email:a@example.fr\n\nnimportequoi\nfax:0100000000\nip:2001:db8::1"
    )

    assert suspect.identifier_list() == [("email", "a@example.fr"), ("ip", "2001:db8::1")]
    assert SuspectFactory(case=case).identifier_list() == []


# --- The form -------------------------------------------------------------------------------------


def test_the_suspect_form_stores_the_canonical_lines(client, owner, case):
    client.force_login(owner)

    response = client.post(
        reverse("suspect_add", args=[case.pk]),
        {
            "name": "Julien Fictif-Martin",
            "status": "unknown",
            "identifiers": "courriel:j.fm@example.fr\n\n06 00 00 00 01",
        },
    )

    assert response.status_code == 302
    suspect = Suspect.objects.get(case=case)
    assert suspect.identifiers == "email:j.fm@example.fr\nphone:06 00 00 00 01"
    assert suspect.identifier_list() == [("email", "j.fm@example.fr"), ("phone", "06 00 00 00 01")]


def test_the_suspect_form_refuses_a_bad_line_on_its_field(client, owner, case):
    suspect = SuspectFactory(case=case, name="M-1", identifiers="account:m1")
    client.force_login(owner)

    response = client.post(
        reverse("suspect_update", args=[case.pk, suspect.pk]),
        {"name": "M-1", "status": "unknown", "identifiers": "compte:m1\nskype:m1"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["identifiers"] == [
        "ligne 2 : type d'identifiant inconnu « skype » (types admis : compte, courriel, téléphone, ip, identifiant)"
    ]
    suspect.refresh_from_db()
    assert suspect.identifiers == "account:m1"


# --- The API --------------------------------------------------------------------------------------


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def test_the_api_stores_and_gives_back_the_canonical_lines(api, case):
    created = api.post(
        "/api/v1/suspects/",
        {"case": case.pk, "name": "Kiwi75", "identifiers": "tel:+33 6 00 00 00 01\n198.51.100.7\ncompte:kiwi75"},
        format="json",
    )

    assert created.status_code == 201, created.json()
    assert created.json()["identifiers"] == "phone:+33 6 00 00 00 01\nip:198.51.100.7\naccount:kiwi75"
    bare = api.post("/api/v1/suspects/", {"case": case.pk, "name": "Sans"}, format="json")
    assert bare.status_code == 201 and bare.json()["identifiers"] == ""
    assert api.get(f"/api/v1/suspects/{bare.json()['id']}/").json()["identifiers"] == ""


@pytest.mark.parametrize(
    ("identifiers", "message"),
    [
        ("compte:kiwi75\ncourriel:pas-valide", "ligne 2 : adresse de courriel invalide"),
        ("ip:256.0.0.1", "ligne 1 : adresse IP invalide"),
        ("[crochet]", "ligne 1 : les caractères [ ] ; | ne peuvent figurer dans un identifiant"),
    ],
)
def test_the_api_refuses_a_bad_line_with_a_400_on_the_field(api, case, identifiers, message):
    response = api.post(
        "/api/v1/suspects/", {"case": case.pk, "name": "Kiwi75", "identifiers": identifiers}, format="json"
    )

    assert response.status_code == 400
    assert message in str(response.json())
    assert "identifiers" in str(response.json())
    assert not Suspect.objects.exists()


@pytest.mark.parametrize("identifiers", [["compte:x"], {"kind": "email"}, 12, "x" * 100_000])
def test_odd_identifiers_in_the_api_are_a_400_never_a_500(api, case, identifiers):
    response = api.post(
        "/api/v1/suspects/", {"case": case.pk, "name": "Kiwi75", "identifiers": identifiers}, format="json"
    )

    assert response.status_code in {201, 400}
    if response.status_code == 201:
        assert Suspect.objects.get().identifier_list()
