"""The filing form proposes the article the eligibility analysis retains, shows every error in one
pass (field and cross-field), and opens on an error summary linked to each field."""

from datetime import date

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from cases.models import CaseOffence
from procedures import services
from procedures.models import Filing, Stage
from tests.factories import OffenceFactory, ParquetFactory, VictimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure(owner, case):
    """227-23 against a minor: art. 2-3 applies for the factory's child-protection association."""
    offence = OffenceFactory(label="Images pédopornographiques (test)", article="227-23")
    CaseOffence.objects.create(case=case, offence=offence)
    victim = VictimFactory(case=case, pseudonym="V-001")
    return services.procedure_create(
        user=owner,
        case=case,
        parquet=ParquetFactory(code="TJT-FF", name="Parquet de test"),
        parquet_reference="24/999.01",
        opened_on=date(2024, 4, 26),
        stage=Stage.INSTRUCTION,
        victims=[victim],
        offences=[offence],
    )


def test_the_retained_legal_basis_is_preselected(client, owner, procedure):
    client.force_login(owner)

    response = client.get(reverse("filing_add", args=[procedure.pk]))

    assert response.context["form"]["legal_basis"].value() == "2-3"
    assert '<option value="2-3" selected>' in response.content.decode()


def test_without_an_applicable_article_none_is_proposed(client, owner, case):
    procedure = services.procedure_create(
        user=owner, case=case, parquet=ParquetFactory(code="TJT-F2"), parquet_reference="X-1"
    )
    client.force_login(owner)

    response = client.get(reverse("filing_add", args=[procedure.pk]))

    assert response.context["form"]["legal_basis"].value() == "none"


def test_field_and_cross_field_errors_come_together_in_one_pass(client, owner, procedure):
    client.force_login(owner)

    # Filed without its date (a field rule) and on an article the analysis does not retain, with no
    # reason (the service's cross-field rule): both at once.
    response = client.post(
        reverse("filing_add", args=[procedure.pk]), {"mode": "art87", "legal_basis": "2-2", "status": "filed"}
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"filed_on", "legal_basis"}
    assert not Filing.objects.exists()


def test_errors_open_on_a_focusable_summary_linking_to_each_field(client, owner, procedure):
    client.force_login(owner)

    response = client.post(
        reverse("filing_add", args=[procedure.pk]), {"mode": "", "legal_basis": "2-2", "status": "filed"}
    )

    html = response.content.decode()
    assert 'id="error-summary"' in html and 'tabindex="-1"' in html and 'role="alert"' in html
    assert html.index('id="error-summary"') < html.index('name="mode"')
    for field in ("id_mode", "id_filed_on", "id_legal_basis"):
        assert f'href="#{field}"' in html
    assert "js/error_summary.js" in html and finders.find("js/error_summary.js")
    assert "<script>" not in html


def test_a_valid_filing_is_still_saved(client, owner, procedure):
    client.force_login(owner)

    response = client.post(
        reverse("filing_add", args=[procedure.pk]),
        {"mode": "art87", "legal_basis": "2-3", "status": "filed", "filed_on": "2025-05-15"},
    )

    assert response.status_code == 302
    assert Filing.objects.get().legal_basis == "2-3"


def test_other_record_forms_show_the_same_summary(client, owner, case):
    client.force_login(owner)

    response = client.post(reverse("procedure_create", args=[case.pk]), {"parquet_reference": ""})

    assert 'id="error-summary"' in response.content.decode()


def test_an_empty_post_is_a_400_with_field_errors_not_a_500(client, owner, procedure):
    client.force_login(owner)

    response = client.post(reverse("filing_add", args=[procedure.pk]), {})

    assert response.status_code == 400
    assert "mode" in response.context["form"].errors


def test_editing_a_draft_shows_every_error_in_one_pass_too(client, owner, procedure):
    draft = services.filing_submit(
        user=owner, procedure=procedure, mode="art87", legal_basis="2-3", status="draft", filed_on=None
    )
    client.force_login(owner)

    response = client.post(
        reverse("filing_update", args=[draft.pk]), {"mode": "art87", "legal_basis": "2-2", "status": "filed"}
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"filed_on", "legal_basis"}
    draft.refresh_from_db()
    assert draft.legal_basis == "2-3" and draft.status == "draft"
