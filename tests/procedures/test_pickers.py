"""Pickers on a small case: the search endpoints (tenancy, any spelling of a parquet number, only
pseudonyms), the widget past its threshold (only the selection and a text box), and the forms
that accept ticked ids or typed numbers and pseudonyms, never another case's."""

import json

import pytest
from django.urls import reverse

from cases import pickers
from cases.models import AccessLog, Role
from procedures.models import Procedure, Referral, ReferralKind
from tests.factories import CaseFactory, MembershipFactory, ParquetFactory, SuspectFactory, UserFactory, VictimFactory
from tests.procedures.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paris(db):
    return ParquetFactory(name="Parquet de Paris")


@pytest.fixture
def lyon(db):
    return ParquetFactory(name="Parquet de Lyon")


@pytest.fixture
def procedures(case, paris, lyon):
    return [
        ProcedureFactory(case=case, parquet=paris, parquet_reference="24/123.456"),
        ProcedureFactory(case=case, parquet=paris, parquet_reference="24/123.999"),
        ProcedureFactory(case=case, parquet=lyon, parquet_reference="23 777 001"),
    ]


@pytest.fixture
def foreign_procedure(other_association, paris):
    """The same number in another association's case: never found, never accepted."""
    return ProcedureFactory(
        case=CaseFactory(association=other_association), parquet=paris, parquet_reference="24123456"
    )


@pytest.fixture
def victims(case):
    return [VictimFactory(case=case, pseudonym=f"V-{n:03d}", first_name="Camille", last_name="Secret") for n in (1, 2)]


@pytest.fixture
def small_threshold(monkeypatch):
    """The widget's behaviour for a large set, shown on a small case."""
    monkeypatch.setattr(pickers, "MAX_RENDERED_CHOICES", 2)


def choices(client, name, case, q):
    response = client.get(reverse(name, args=[case.pk]), {"q": q})
    assert response.status_code == 200, response.content
    return json.loads(response.content)


REFERRAL = {"kind": ReferralKind.ARTICLE_40, "author": "Ministre", "recipient": "Procureur", "sent_on": "2024-05-06"}


@pytest.mark.parametrize("spelling", ["24/123.456", "24 123 456", "24123456", "24-123", " 24/123 "])
def test_the_procedure_search_finds_a_number_written_any_way(
    client, owner, case, procedures, foreign_procedure, spelling
):
    client.force_login(owner)
    found = choices(client, "case_procedure_choices", case, spelling)
    ids = [row["id"] for row in found["results"]]
    assert procedures[0].pk in ids
    assert foreign_procedure.pk not in ids
    assert procedures[2].pk not in ids
    assert found["results"][0]["label"] == "Parquet de Paris n° 24/123.456"


def test_the_procedure_search_finds_by_parquet_name_and_by_name_and_number(client, owner, case, procedures):
    client.force_login(owner)
    assert {row["id"] for row in choices(client, "case_procedure_choices", case, "lyon")["results"]} == {
        procedures[2].pk
    }
    found = choices(client, "case_procedure_choices", case, "Paris 24/123.9")["results"]
    assert [row["id"] for row in found] == [procedures[1].pk]


def test_the_search_returns_at_most_twenty_and_says_more_matched(client, owner, case, paris):
    for n in range(25):
        ProcedureFactory(case=case, parquet=paris, parquet_reference=f"25/{n:04d}")
    client.force_login(owner)
    found = choices(client, "case_procedure_choices", case, "25")
    assert len(found["results"]) == 20 and found["more"] is True


def test_the_victim_search_answers_pseudonyms_only_and_logs_the_read(client, owner, case, victims):
    client.force_login(owner)
    before = AccessLog.objects.count()
    response = client.get(reverse("case_victim_choices", args=[case.pk]), {"q": "002"})
    assert json.loads(response.content) == {"results": [{"id": victims[1].pk, "label": "V-002"}], "more": False}
    assert b"Camille" not in response.content and b"Secret" not in response.content
    assert AccessLog.objects.count() == before + 1
    assert AccessLog.objects.order_by("-pk").values_list("case_id", flat=True)[0] == case.pk


def test_the_suspect_search_finds_by_name(client, owner, case):
    suspect = SuspectFactory(case=case, name="M-Pseudo")
    SuspectFactory(case=case, name="Autre")
    client.force_login(owner)
    assert choices(client, "case_suspect_choices", case, "pseu")["results"] == [{"id": suspect.pk, "label": "M-Pseudo"}]


@pytest.mark.parametrize("name", ["case_procedure_choices", "case_victim_choices", "case_suspect_choices"])
def test_an_outsider_gets_404_and_a_member_who_may_not_change_gets_403(client, outsider, case, association, name):
    client.force_login(outsider)
    assert client.get(reverse(name, args=[case.pk]), {"q": "V"}).status_code == 404
    reader = MembershipFactory(user=UserFactory(), association=association, role=Role.STAFF).user
    client.force_login(reader)
    assert client.get(reverse(name, args=[case.pk]), {"q": "V"}).status_code == 403


def test_a_search_text_postgresql_would_refuse_is_an_empty_answer_not_an_error(client, owner, case, procedures):
    client.force_login(owner)
    for name in ("case_procedure_choices", "case_victim_choices"):
        response = client.get(reverse(name, args=[case.pk]), {"q": "\x00" + "9" * 500})
        assert response.status_code == 200


def test_past_the_threshold_the_form_renders_the_selection_and_a_text_box_only(
    client, owner, case, procedures, small_threshold
):
    referral = Referral.objects.create(case=case, **{**REFERRAL, "sent_on": "2024-05-06"})
    referral.procedures.set([procedures[2]])
    client.force_login(owner)
    html = client.get(reverse("referral_update", args=[referral.pk])).content.decode()
    assert html.count('type="checkbox"') == 1
    assert f'value="{procedures[2].pk}" id="id_procedures_{procedures[2].pk}" checked' in html
    assert 'name="procedures_texte"' in html and 'role="combobox"' in html
    assert "Parquet de Paris n° 24/123.456" not in html
    assert '<script src="/static/js/picker.js"' in html


def test_under_the_threshold_every_choice_is_a_box(client, owner, case, procedures):
    client.force_login(owner)
    html = client.get(reverse("referral_add", args=[case.pk])).content.decode()
    assert html.count('type="checkbox" name="procedures"') == 3
    assert 'name="procedures_texte"' not in html


def test_typed_numbers_link_the_procedures_without_javascript(client, owner, case, procedures, small_threshold):
    client.force_login(owner)
    response = client.post(
        reverse("referral_add", args=[case.pk]),
        {**REFERRAL, "procedures": [procedures[2].pk], "procedures_texte": "24 123 456\nParquet de Paris n° 24123999"},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert set(Referral.objects.get().procedures.all()) == set(procedures)


def test_an_unknown_typed_number_is_a_field_error_that_keeps_the_text(client, owner, case, procedures, small_threshold):
    client.force_login(owner)
    response = client.post(
        reverse("referral_add", args=[case.pk]), {**REFERRAL, "procedures_texte": "24/123.456, 99/999"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["procedures"]
    assert errors == ["Aucune procédure de l'affaire n'a le numéro de parquet « 99/999 »."]
    assert "24/123.456, 99/999</textarea>" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_number_at_two_parquets_asks_for_the_parquet(client, owner, case, procedures, lyon, small_threshold):
    ProcedureFactory(case=case, parquet=lyon, parquet_reference="24-123-456")
    client.force_login(owner)
    response = client.post(reverse("referral_add", args=[case.pk]), {**REFERRAL, "procedures_texte": "24123456"})
    assert "plusieurs parquets (Parquet de Lyon, Parquet de Paris)" in response.context["form"].errors["procedures"][0]
    response = client.post(reverse("referral_add", args=[case.pk]), {**REFERRAL, "procedures_texte": "Lyon 24123456"})
    assert response.status_code == 302
    assert Referral.objects.get().procedures.get().parquet == lyon


def test_another_case_s_procedure_id_is_refused(client, owner, case, procedures, foreign_procedure):
    client.force_login(owner)
    response = client.post(reverse("referral_add", args=[case.pk]), {**REFERRAL, "procedures": [foreign_procedure.pk]})
    assert response.status_code == 200
    assert "procedures" in response.context["form"].errors
    assert not Referral.objects.exists()
    # The refused id is not shown back with the foreign procedure's label.
    assert "24123456" not in response.content.decode()


def test_a_bad_id_is_a_field_error_not_a_500(client, owner, case, procedures, small_threshold):
    client.force_login(owner)
    response = client.post(reverse("referral_add", args=[case.pk]), {**REFERRAL, "procedures": ["²", "abc"]})
    assert response.status_code == 200
    assert "procedures" in response.context["form"].errors


def test_the_procedure_form_takes_typed_pseudonyms_and_refuses_another_case_s_victim(
    client, owner, case, victims, paris, small_threshold
):
    stranger = VictimFactory(case=CaseFactory(association=case.association), pseudonym="V-009")
    client.force_login(owner)
    data = {"parquet": paris.pk, "parquet_reference": "24/1", "stage": "enquete", "outcome": "pending"}
    response = client.post(reverse("procedure_create", args=[case.pk]), {**data, "victims": [stranger.pk]})
    assert response.status_code == 200 and "victims" in response.context["form"].errors
    response = client.post(reverse("procedure_create", args=[case.pk]), {**data, "victims_texte": "v-001; V-009"})
    assert response.context["form"].errors["victims"] == ["Aucune victime de l'affaire n'a le pseudonyme « V-009 »."]
    response = client.post(reverse("procedure_create", args=[case.pk]), {**data, "victims_texte": "v-001\r\nV-002"})
    assert response.status_code == 302
    assert set(Procedure.objects.get(case=case).victims.all()) == set(victims)


def test_unticking_every_box_on_edit_unlinks_the_procedures(client, owner, case, procedures, small_threshold):
    referral = Referral.objects.create(case=case, **REFERRAL)
    referral.procedures.set(procedures)
    client.force_login(owner)
    response = client.post(reverse("referral_update", args=[referral.pk]), REFERRAL)
    assert response.status_code == 302
    assert not referral.procedures.exists()


def test_a_selection_too_large_to_show_is_one_keep_box_that_adds_to_it(
    client, owner, case, procedures, paris, small_threshold
):
    referral = Referral.objects.create(case=case, **REFERRAL)
    referral.procedures.set(procedures)
    extra = ProcedureFactory(case=case, parquet=paris, parquet_reference="25/1")
    client.force_login(owner)
    url = reverse("referral_update", args=[referral.pk])
    html = client.get(url).content.decode()
    assert "Conserver les 3 procédures déjà liées" in html
    assert 'name="procedures_conserver" value="1" id="id_procedures_conserver" checked' in html
    assert html.count('type="checkbox" name="procedures"') == 0
    keep = {"procedures_conserver_affiche": "1", "procedures_conserver": "1"}
    response = client.post(url, {**REFERRAL, **keep, "procedures_texte": "25/1"})
    assert response.status_code == 302
    assert set(referral.procedures.all()) == {*procedures, extra}


def test_unticking_the_keep_box_unlinks_the_large_selection(client, owner, case, procedures, small_threshold):
    referral = Referral.objects.create(case=case, **REFERRAL)
    referral.procedures.set(procedures)
    client.force_login(owner)
    url = reverse("referral_update", args=[referral.pk])
    response = client.post(url, {**REFERRAL, "procedures_conserver_affiche": "1", "procedures_texte": "99/9"})
    assert response.status_code == 200
    assert 'id="id_procedures_conserver">' in response.content.decode()  # shown again, unticked
    response = client.post(url, {**REFERRAL, "procedures_conserver_affiche": "1", "procedures": [procedures[0].pk]})
    assert response.status_code == 302
    assert list(referral.procedures.all()) == [procedures[0]]


def test_every_picker_label_names_an_input_even_with_nothing_to_choose(client, owner, case):
    client.force_login(owner)
    html = client.get(reverse("procedure_create", args=[case.pk])).content.decode()
    for name in ("victims", "suspects"):
        assert f'<label for="id_{name}_recherche">' in html
        assert f'id="id_{name}_recherche"' in html
    assert "data-picker-empty" in html
