"""Saved filters of a case's procedure list: one user's named searches on one case, re-applied
through the list's own filter form, invisible and unusable for anyone else."""

import pytest
from django.urls import reverse

from cases.models import Role
from procedures.models import SavedFilter, Stage
from tests.factories import CaseFactory, MembershipFactory, ParquetFactory, UserFactory
from tests.procedures.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedures(case):
    parquet = ParquetFactory(name="Parquet de Valenciennes")
    return {
        "enquete": ProcedureFactory(case=case, parquet=parquet, parquet_reference="24/001"),
        "instruction": ProcedureFactory(
            case=case, parquet=parquet, parquet_reference="24/002", stage=Stage.INSTRUCTION
        ),
    }


def _save(client, case, name, query):
    return client.post(reverse("procedure_saved_filter_create", args=[case.pk]), {"name": name, "filtre_query": query})


def _rows(response):
    return [procedure.parquet_reference for procedure in response.context["page"].rows]


def test_a_lawyer_saves_a_filter_and_its_link_applies_it(client, owner, case, procedures):
    client.force_login(owner)
    response = _save(client, case, "  Instructions  ", "stade=instruction&page=3")
    saved = SavedFilter.objects.get(owner=owner, case=case)
    assert saved.name == "Instructions" and saved.params == {"stade": "instruction"}
    assert response.status_code == 302 and response["Location"].endswith(f"?filtre={saved.pk}")
    listing = client.get(reverse("case_procedure_list", args=[case.pk]))
    assert f"?filtre={saved.pk}" in listing.content.decode()
    applied = client.get(reverse("case_procedure_list", args=[case.pk]), {"filtre": saved.pk})
    assert applied.status_code == 200 and _rows(applied) == ["24/002"]
    assert applied.context["saved"] == saved


def test_a_filter_with_a_bad_value_or_no_name_is_refused_with_a_message(client, owner, case, procedures):
    client.force_login(owner)
    bad = _save(client, case, "Mauvais", "stade=nope")
    assert bad.status_code == 400 and "Stade" in " ".join(bad.context["save_errors"])
    assert _save(client, case, "   ", "stade=instruction").status_code == 400
    assert _save(client, case, "Rien", "").status_code == 400
    assert not SavedFilter.objects.exists()


def test_the_same_name_twice_is_refused(client, owner, case, procedures):
    client.force_login(owner)
    _save(client, case, "Instructions", "stade=instruction")
    again = _save(client, case, "Instructions", "stade=jugement")
    assert again.status_code == 400
    assert "déjà un filtre de ce nom" in " ".join(again.context["save_errors"])


def test_stored_params_are_checked_again_when_applied(client, owner, case, procedures):
    saved = SavedFilter.objects.create(
        owner=owner, case=case, name="Falsifié", params={"stade": "nope", "inconnu": "x", "tri": ["a"]}
    )
    client.force_login(owner)
    response = client.get(reverse("case_procedure_list", args=[case.pk]), {"filtre": saved.pk})
    assert response.status_code == 400
    assert response.context["form"].errors["stade"]


def test_another_user_neither_sees_nor_uses_nor_deletes_my_filter(client, owner, case, procedures, association):
    saved = SavedFilter.objects.create(owner=owner, case=case, name="Mes instructions", params={"stade": "instruction"})
    other_lawyer = MembershipFactory(user=UserFactory(username="autre"), association=association, role=Role.LAWYER)
    client.force_login(other_lawyer.user)
    url = reverse("case_procedure_list", args=[case.pk])
    assert "Mes instructions" not in client.get(url).content.decode()
    assert client.get(url, {"filtre": saved.pk}).status_code == 404
    deleted = client.post(reverse("procedure_saved_filter_delete", args=[case.pk]), {"filtre": saved.pk})
    assert deleted.status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()


def test_a_filter_belongs_to_its_case(client, owner, case, procedures, association):
    saved = SavedFilter.objects.create(owner=owner, case=case, name="Instructions", params={"stade": "instruction"})
    other_case = CaseFactory(association=association, reference="ACPE-T-002")
    client.force_login(owner)
    assert client.get(reverse("case_procedure_list", args=[other_case.pk]), {"filtre": saved.pk}).status_code == 404


def test_the_owner_deletes_a_filter(client, owner, case, procedures):
    saved = SavedFilter.objects.create(owner=owner, case=case, name="Instructions", params={"stade": "instruction"})
    client.force_login(owner)
    response = client.post(reverse("procedure_saved_filter_delete", args=[case.pk]), {"filtre": saved.pk})
    assert response.status_code == 302
    assert not SavedFilter.objects.exists()
    assert client.post(reverse("procedure_saved_filter_delete", args=[case.pk]), {"filtre": "x"}).status_code == 400


def test_an_outsider_cannot_save_on_a_case_they_do_not_see(client, outsider, case, procedures):
    client.force_login(outsider)
    assert _save(client, case, "Intrus", "stade=instruction").status_code == 404
    assert not SavedFilter.objects.exists()
