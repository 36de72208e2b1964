"""Dossiers of one procedure or one hearing, asked in one click from the procedure page and the
home panel; failed dossiers show their reason and are « relancés »."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import AccessLog, ShareAccess
from procedures import services as procedure_services
from procedures.models import HearingStatus
from reports import services, workflow
from reports.models import PROCEDURE_SECTIONS, Dossier, DossierScope, DossierStatus
from tests.factories import CaseFactory
from tests.reports.conftest import REAL_LAST_NAME, build_rich_case, read_pdf

pytestmark = pytest.mark.django_db


def render(dossier) -> Dossier:
    services.dossier_render(dossier_id=dossier.pk, parallel=False)
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def hearing(owner, rich_case):
    procedure = rich_case.procedures.get(parquet_reference="24/999")
    return procedure_services.hearing_record(
        user=owner,
        procedure=procedure,
        starts_at=timezone.now() + timedelta(days=5),
        court="Tribunal correctionnel de Paris, 17e chambre",
        purpose="Audience de jugement",
        status=HearingStatus.SCHEDULED,
    )


def test_a_hearing_dossier_is_one_click_for_staff_and_covers_its_procedure_only(client, colleague, hearing):
    client.force_login(colleague)
    response = client.post(reverse("hearing_dossier_request", args=[hearing.pk]))
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dossier_detail", args=[dossier.pk])
    assert dossier.scope == DossierScope.HEARING and dossier.hearing == hearing
    assert dossier.procedure == hearing.procedure and dossier.sections == PROCEDURE_SECTIONS
    assert dossier.recipient.startswith("Audience du ") and not dossier.reveal_identities
    assert AccessLog.objects.filter(
        action="print", object_type="dossier", object_id=dossier.pk, user=colleague
    ).exists()

    dossier = render(dossier)
    assert dossier.status == DossierStatus.DONE, dossier.error
    reader, data = read_pdf(dossier)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Dossier d’audience" in text and "17e chambre" in text and "24/999" in text
    # The first parquet's procedure (before the transfer) is another procedure: not listed.
    assert "24/123.45" not in text.split("Procédures et parquets successifs", 2)[-1].split("Constitutions")[0]
    # Pseudonymised: the identity of the victims is nowhere, not even in the metadata.
    assert REAL_LAST_NAME not in text and REAL_LAST_NAME.encode() not in data


def test_a_procedure_dossier_is_one_click_from_the_procedure_page(client, owner, rich_case, media_root):
    procedure = rich_case.procedures.get(parquet_reference="24/999")
    client.force_login(owner)
    page = client.get(reverse("procedure_detail", args=[procedure.pk])).content.decode()
    assert reverse("procedure_dossier_request", args=[procedure.pk]) in page
    response = client.post(reverse("procedure_dossier_request", args=[procedure.pk]))
    assert response.status_code == 302
    dossier = render(Dossier.objects.get())
    assert dossier.scope == DossierScope.PROCEDURE and dossier.hearing is None
    assert dossier.status == DossierStatus.DONE, dossier.error
    reader, _data = read_pdf(dossier)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Dossier de la procédure 24/999" in text and REAL_LAST_NAME not in text


def test_the_home_panel_offers_the_hearing_dossier(client, colleague, hearing):
    client.force_login(colleague)
    page = client.get(reverse("home")).content.decode()
    assert reverse("hearing_dossier_request", args=[hearing.pk]) in page


def test_an_outsider_gets_404_and_a_read_only_share_403(client, owner, outsider, hearing, other_association):
    procedure = hearing.procedure
    client.force_login(outsider)
    assert client.post(reverse("hearing_dossier_request", args=[hearing.pk])).status_code == 404
    assert client.post(reverse("procedure_dossier_request", args=[procedure.pk])).status_code == 404
    assert client.post(reverse("hearing_dossier_request", args=[987654])).status_code == 404
    case_services.case_share(user=owner, case=procedure.case, association=other_association, access=ShareAccess.READ)
    assert client.post(reverse("hearing_dossier_request", args=[hearing.pk])).status_code == 403
    assert not Dossier.objects.exists()


def test_a_share_for_printing_prints_the_hearing_dossier_for_the_partner(
    client, owner, staff_of_partner, hearing, other_association
):
    case_services.case_share(
        user=owner, case=hearing.procedure.case, association=other_association, access=ShareAccess.READ_PRINT
    )
    client.force_login(staff_of_partner)
    assert client.post(reverse("hearing_dossier_request", args=[hearing.pk])).status_code == 302
    assert Dossier.objects.get().association == other_association


def test_the_service_refuses_a_procedure_of_another_case(owner, association, rich_case):
    other = CaseFactory(association=association, reference="ACPE-T-002", lead_lawyer=owner)
    procedure = rich_case.procedures.first()
    with pytest.raises(ValidationError) as error:
        services.dossier_request(
            user=owner, case=other, recipient="Greffe", scope=DossierScope.PROCEDURE, procedure=procedure
        )
    assert "procedure" in error.value.message_dict


def test_a_failed_dossier_shows_its_reason_and_relancer_queues_it_again(
    client, colleague, case, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.DOSSIER_TIME_LIMIT = -1
    dossier = render(services.dossier_request(user=colleague, case=case, recipient="Greffe", sections=["summary"]))
    assert dossier.status == DossierStatus.FAILED and "durée maximale" in dossier.error
    client.force_login(colleague)
    page = client.get(reverse("dossier_detail", args=[dossier.pk])).content.decode()
    assert "durée maximale" in page and reverse("dossier_retry", args=[dossier.pk]) in page

    queued = []
    monkeypatch.setattr(workflow, "enqueue", queued.append)
    monkeypatch.setattr(services, "enqueue", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dossier_retry", args=[dossier.pk]))
    assert response.status_code == 302 and queued == [dossier.pk]
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.QUEUED and dossier.error == "" and dossier.attempt == 0
    settings.DOSSIER_TIME_LIMIT = 300
    assert render(dossier).status == DossierStatus.DONE
    # Only a failed dossier can be relancé.
    client.post(reverse("dossier_retry", args=[dossier.pk]))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DONE


def test_an_outsider_cannot_relancer(client, colleague, outsider, case, settings):
    settings.DOSSIER_TIME_LIMIT = -1
    dossier = render(services.dossier_request(user=colleague, case=case, recipient="Greffe", sections=["summary"]))
    client.force_login(outsider)
    assert client.post(reverse("dossier_retry", args=[dossier.pk])).status_code == 404


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_relancer_is_rendered_by_the_worker_on_the_real_broker(celery_worker, client, owner, association, media_root):
    import time

    case = CaseFactory(association=association, reference="ACPE-T-W01", lead_lawyer=owner)
    build_rich_case(owner, case)
    hearing = case.procedures.get(parquet_reference="24/999").hearings.get()
    dossier = services.dossier_request(
        user=owner, case=case, recipient="Greffe", scope=DossierScope.HEARING, hearing=hearing
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        dossier.refresh_from_db()
        if dossier.is_finished:
            break
        time.sleep(0.2)
    assert dossier.status == DossierStatus.DONE, dossier.error
    # A failure (as a worker killed past its attempts leaves it), then « Relancer ».
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.FAILED, error="Interrompu.", file="", sha256="")
    client.force_login(owner)
    assert client.post(reverse("dossier_retry", args=[dossier.pk])).status_code == 302
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        dossier.refresh_from_db()
        if dossier.is_finished:
            break
        time.sleep(0.2)
    assert dossier.status == DossierStatus.DONE and dossier.scope == DossierScope.HEARING, dossier.error
