"""Pickers at the reference scale (23,051 procedures, 480 victims), loaded once for the module:
no form that links procedures or victims renders more than 200 choices, and the search endpoints
find a number written any way without ever answering from another association's case."""

import json
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from cases.models import Role
from cases.pickers import MAX_RENDERED_CHOICES
from procedures.models import Procedure, Referral, ReferralKind
from procedures.reference_case import reference_case_load
from tests.factories import AssociationFactory, CaseFactory, MembershipFactory, UserFactory
from tests.procedures.factories import ProcedureFactory

MAX_BYTES = 300_000
REFERRAL = {"kind": ReferralKind.ARTICLE_40, "author": "Ministre", "recipient": "Procureur", "sent_on": "2024-05-06"}


@pytest.fixture(scope="module")
def reference(django_db_setup, django_db_blocker):
    """Built once, inside a transaction rolled back at the end of the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_reference_data", verbosity=0)
        association = AssociationFactory(short_name="REF-P", name="Association de référence")
        lawyer = MembershipFactory(user=UserFactory(username="ref-picker"), association=association, role=Role.LAWYER)
        case = reference_case_load(association=association, user=lawyer.user).case
        procedures = list(Procedure.objects.filter(case=case).select_related("parquet").order_by("pk")[:3])
        referral = Referral.objects.create(case=case, **REFERRAL)
        referral.procedures.set(procedures)
        # Another association's case holding the same number at the same parquet.
        other = CaseFactory(association=AssociationFactory(short_name="AUTRE"))
        twin = ProcedureFactory(
            case=other, parquet=procedures[0].parquet, parquet_reference=procedures[0].parquet_reference
        )
        yield {
            "case": case,
            "lawyer": lawyer.user,
            "procedures": procedures,
            "referral": referral,
            "twin": twin,
            "victim": case.victims.order_by("pseudonym").first(),
        }
        transaction.set_rollback(True)


def form_urls(reference):
    case, procedure = reference["case"], reference["procedures"][0]
    return {
        "referral_add": reverse("referral_add", args=[case.pk]),
        "referral_update": reverse("referral_update", args=[reference["referral"].pk]),
        "procedure_create": reverse("procedure_create", args=[case.pk]),
        "procedure_update": reverse("procedure_update", args=[procedure.pk]),
        "procedure_transfer": reverse("procedure_transfer", args=[procedure.pk]),
        "hearing_add": reverse("hearing_add", args=[procedure.pk]),
        "decision_add": reverse("decision_add", args=[procedure.pk]),
        "filing_add": reverse("filing_add", args=[procedure.pk]),
        "event_add": reverse("event_add", args=[procedure.pk]),
    }


def field_choices(html: str, name: str) -> int:
    """Checkboxes named after the field, or options of its <select>."""
    boxes = len(re.findall(rf'<input type="checkbox" name="{name}"', html))
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    return boxes + (select.group(0).count("<option") if select else 0)


@pytest.mark.parametrize(
    "page",
    [
        "referral_add",
        "referral_update",
        "procedure_create",
        "procedure_update",
        "procedure_transfer",
        "hearing_add",
        "decision_add",
        "filing_add",
        "event_add",
    ],
)
def test_no_form_renders_the_case_s_procedures_or_victims(db, client, reference, page, django_assert_max_num_queries):
    client.force_login(reference["lawyer"])
    with django_assert_max_num_queries(30):
        response = client.get(form_urls(reference)[page])
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) < MAX_BYTES, len(response.content)
    for name in ("procedures", "victims", "suspects"):
        assert field_choices(html, name) <= MAX_RENDERED_CHOICES, name
    # Checkboxes of the whole form (the case's procedures or victims would be thousands).
    assert html.count('<input type="checkbox"') <= MAX_RENDERED_CHOICES
    # Every choice of the page, lists included: the 168 parquets as a list would be most of them.
    choices = html.count("<option") + html.count('type="checkbox"') + html.count('type="radio"')
    assert choices <= MAX_RENDERED_CHOICES, choices
    if page.startswith("referral"):
        assert 'name="procedures_texte"' in html
    if page.startswith("procedure_") and page != "procedure_transfer":
        assert 'name="victims_texte"' in html


def test_the_referral_being_edited_shows_its_procedures_ticked(db, client, reference):
    client.force_login(reference["lawyer"])
    html = client.get(form_urls(reference)["referral_update"]).content.decode()
    assert html.count('<input type="checkbox" name="procedures"') == 3
    for procedure in reference["procedures"]:
        assert f'value="{procedure.pk}" id="id_procedures_{procedure.pk}" checked' in html


def test_the_procedure_search_finds_a_variant_of_a_number_and_nothing_of_another_association(db, client, reference):
    client.force_login(reference["lawyer"])
    procedure = reference["procedures"][0]
    variant = " ".join(re.sub(r"[^0-9A-Za-z]", "", procedure.parquet_reference))
    response = client.get(reverse("case_procedure_choices", args=[reference["case"].pk]), {"q": variant})
    found = json.loads(response.content)
    ids = [row["id"] for row in found["results"]]
    assert procedure.pk in ids
    assert reference["twin"].pk not in ids
    assert len(found["results"]) <= 20
    assert len(response.content) < 5_000


def test_the_victim_search_answers_twenty_pseudonyms_at_most(db, client, reference):
    client.force_login(reference["lawyer"])
    found = json.loads(client.get(reverse("case_victim_choices", args=[reference["case"].pk]), {"q": "V"}).content)
    assert len(found["results"]) == 20 and found["more"] is True
    assert all(set(row) == {"id", "label"} for row in found["results"])


def test_the_referral_form_posts_ticked_ids_and_typed_numbers(db, client, reference):
    client.force_login(reference["lawyer"])
    first, second, third = reference["procedures"]
    typed = f"{second.parquet}  n° {second.parquet_reference.replace('/', ' ')}\n{third.parquet} n° {third.parquet_reference}"
    response = client.post(
        reverse("referral_add", args=[reference["case"].pk]),
        {**REFERRAL, "reference": "PICKER-1", "procedures": [first.pk], "procedures_texte": typed},
    )
    assert response.status_code == 302, response.context["form"].errors
    referral = Referral.objects.get(case=reference["case"], reference="PICKER-1")
    assert set(referral.procedures.all()) == {first, second, third}


def test_another_association_s_procedure_id_is_refused_at_the_reference_scale(db, client, reference):
    client.force_login(reference["lawyer"])
    response = client.post(
        reverse("referral_add", args=[reference["case"].pk]),
        {**REFERRAL, "reference": "PICKER-2", "procedures": [reference["twin"].pk]},
    )
    assert response.status_code == 200
    assert "procedures" in response.context["form"].errors
    assert not Referral.objects.filter(reference="PICKER-2").exists()


def test_a_referral_linked_to_every_procedure_shows_one_keep_box(db, client, reference):
    case = reference["case"]
    referral = Referral.objects.create(case=case, **{**REFERRAL, "reference": "TOUTES"})
    referral.procedures.set(list(Procedure.objects.filter(case=case).values_list("pk", flat=True)))
    client.force_login(reference["lawyer"])
    response = client.get(reverse("referral_update", args=[referral.pk]))
    html = response.content.decode()
    assert len(response.content) < MAX_BYTES
    assert html.count('<input type="checkbox"') <= MAX_RENDERED_CHOICES
    assert re.search(r"Conserver les 23\W051 procédures déjà liées", html)
    assert 'id="id_procedures_conserver" checked' in html
