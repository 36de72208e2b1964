"""Two spellings of the same thing have one normal form; different things keep different ones."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linking import normalise


@pytest.mark.parametrize(
    ("spellings", "expected"),
    [
        (["Hélène", "HELENE", " hélène "], "helene"),
        (["Jean-Pierre", "jean pierre", "JEAN  PIERRE"], "jean pierre"),
        (["Zoë", "ZOE"], "zoe"),
        (["J.", "j"], "j"),
    ],
)
def test_given_names(spellings, expected):
    assert {normalise.given_name(text) for text in spellings} == {expected}


@pytest.mark.parametrize(
    ("spellings", "expected"),
    [
        (["Le Goff", "LEGOFF", "le-goff"], "legoff"),
        (["Martin-Dupont", "MARTIN DUPONT", "martin dupont"], "martindupont"),
        (["d'Artagnan", "D’ARTAGNAN", "Dartagnan"], "dartagnan"),
        (["Lefèvre", "LEFEVRE"], "lefevre"),
        (["Œillet", "oeillet"], "oeillet"),
    ],
)
def test_surnames_compact(spellings, expected):
    assert {normalise.surname(text) for text in spellings} == {expected}


def test_the_surname_core_drops_leading_particles_only():
    assert normalise.surname_core("de La Fontaine") == "fontaine"
    assert normalise.surname_core("Ledoux") == "ledoux"
    assert normalise.surname_core("De") == "de"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DUPONT J.", ("j", "DUPONT")),
        ("Jean Dupont", ("jean", "Dupont")),
        ("Dupont, Jean", ("jean", "Dupont")),
        ("LE GOFF Marie-Anne", ("marie anne", "LE GOFF")),
        ("Dupont", ("", "Dupont")),
    ],
)
def test_a_name_in_one_field_is_split(text, expected):
    assert normalise.split_full_name(text) == expected


@pytest.mark.parametrize(
    "text", ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "+33 (0)6 12-34-56-78", "0033612345678"]
)
def test_french_phone_numbers_in_e164(text):
    assert normalise.phone(text) == "+33612345678"


def test_a_foreign_number_keeps_its_country_and_garbage_keeps_its_digits():
    assert normalise.phone("+32 470 12 34 56") == "+32470123456"
    assert normalise.phone("n° 12-34") == "1234"
    assert normalise.phone("") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jean.Dupont+coco@GMail.com", "jeandupont@gmail.com"),
        ("jean.dupont@googlemail.com", "jeandupont@gmail.com"),
        ("Jean.Dupont@Orange.fr", "jean.dupont@orange.fr"),
        ("jean+x@laposte.net", "jean@laposte.net"),
    ],
)
def test_emails_canonical(text, expected):
    assert normalise.email(text) == expected


def test_ip_addresses_canonical():
    assert normalise.ip_address("2001:DB8:0:0::1") == "2001:db8::1"
    assert normalise.ip_address("::ffff:192.0.2.1") == "192.0.2.1"
    assert normalise.ip_address(" 192.0.2.1 ") == "192.0.2.1"
    assert normalise.ip_address("pas une IP") == "pas une ip"


def test_platform_accounts_ignore_case_accents_and_separators():
    assert {normalise.account(text) for text in ["Léo_75", "leo_75", "LEO 75", "léo-75"]} == {"leo75"}


@pytest.mark.parametrize("text", ["19151111", "1915-11-11", "11/11/1915", "11.11.1915", date(1915, 11, 11)])
def test_birth_dates_iso(text):
    assert normalise.birth_date(text) == "1915-11-11"


def test_a_mistyped_birth_date_keeps_its_digits_and_nonsense_is_empty():
    assert normalise.birth_date("19151311") == "19151311"
    assert normalise.birth_date("inconnue") == ""


@given(st.text())
def test_normal_forms_are_idempotent(text):
    for function in (normalise.given_name, normalise.place, normalise.account, normalise.fold):
        once = function(text)
        assert function(once) == once
    assert normalise.surname(normalise.surname(text)) == normalise.surname(text)


def test_a_code_with_digits_is_one_pseudonym_not_a_given_name_and_a_surname():
    assert normalise.split_full_name("Mis en examen M-3") == ("", "Mis en examen M-3")
