"""Bulk actions of a case's procedure list: assign the open deadlines, export, request procedure
dossiers; each for those the role allows, never outside the case."""

import pytest
from django.urls import reverse

from cases.models import AccessLog, CaseShare, Role, ShareAccess
from procedures.models import Deadline, DeadlineStatus, Stage
from reports.models import Dossier, DossierScope
from reports.procedure_dossiers import MAX_PROCEDURE_DOSSIERS
from tests.factories import CaseFactory, MembershipFactory, ParquetFactory, UserFactory
from tests.procedures.factories import DeadlineFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def parquet(db):
    return ParquetFactory(name="Parquet de Valenciennes")


@pytest.fixture
def procedures(case, parquet):
    return [
        ProcedureFactory(case=case, parquet=parquet, parquet_reference="24/001"),
        ProcedureFactory(case=case, parquet=parquet, parquet_reference="=1+1", stage=Stage.INSTRUCTION),
        ProcedureFactory(case=case, parquet=parquet, parquet_reference="24/003", stage=Stage.INSTRUCTION),
    ]


@pytest.fixture
def other_lawyer(association):
    return MembershipFactory(
        user=UserFactory(username="seconde", first_name="Claire", last_name="Seconde"),
        association=association,
        role=Role.LAWYER,
    ).user


def _bulk(client, case, **data):
    return client.post(reverse("procedure_bulk", args=[case.pk]), data)


def test_a_lawyer_assigns_the_open_deadlines_of_the_ticked_procedures(client, owner, case, procedures, other_lawyer):
    first, second, third = procedures
    open_one = DeadlineFactory(procedure=first, owner=owner)
    closed = DeadlineFactory(procedure=first, owner=owner, status=DeadlineStatus.DONE, rule="appeal_civil_party")
    untouched = DeadlineFactory(procedure=third, owner=owner)
    client.force_login(owner)
    response = _bulk(client, case, action="attribuer", ids=[first.pk, second.pk], responsable=other_lawyer.pk)
    assert response.status_code == 302
    open_one.refresh_from_db(), closed.refresh_from_db(), untouched.refresh_from_db()
    assert open_one.owner == other_lawyer
    assert closed.owner == owner and untouched.owner == owner


def test_assigning_to_someone_who_is_not_a_lawyer_of_the_association_is_a_form_error(
    client, owner, colleague, case, procedures, outsider
):
    deadline = DeadlineFactory(procedure=procedures[0], owner=owner)
    client.force_login(owner)
    for responsable in (colleague.pk, outsider.pk, ""):
        response = _bulk(client, case, action="attribuer", ids=[procedures[0].pk], responsable=responsable)
        assert response.status_code == 400
    assert "avocat" in " ".join(response.context["bulk_errors"])
    deadline.refresh_from_db()
    assert deadline.owner == owner


def test_staff_may_not_assign(client, colleague, owner, case, procedures):
    client.force_login(colleague)
    response = _bulk(client, case, action="attribuer", ids=[procedures[0].pk], responsable=owner.pk)
    assert response.status_code == 403


def test_ids_of_another_case_are_refused_and_nothing_is_done(client, owner, case, procedures, association, parquet):
    elsewhere = ProcedureFactory(case=CaseFactory(association=association, reference="AUTRE-1"), parquet=parquet)
    deadline = DeadlineFactory(procedure=procedures[0], owner=None)
    client.force_login(owner)
    response = _bulk(client, case, action="attribuer", ids=[procedures[0].pk, elsewhere.pk], responsable=owner.pk)
    assert response.status_code == 400
    assert "n'appartient pas à cette affaire" in " ".join(response.context["bulk_errors"])
    deadline.refresh_from_db()
    assert deadline.owner is None
    assert _bulk(client, case, action="exporter", ids=["abc"]).status_code == 400
    assert _bulk(client, case, action="exporter").status_code == 400  # nothing ticked
    assert _bulk(client, case, action="inconnue", ids=[procedures[0].pk]).status_code == 400


def test_the_scope_may_be_the_whole_page_or_every_procedure_of_the_filter(
    client, owner, case, procedures, other_lawyer
):
    deadlines = [DeadlineFactory(procedure=procedure, owner=owner) for procedure in procedures]
    client.force_login(owner)
    _bulk(
        client,
        case,
        action="attribuer",
        portee="filtre",
        filtre_query="stade=instruction",
        responsable=other_lawyer.pk,
    )
    assert [Deadline.objects.get(pk=d.pk).owner for d in deadlines] == [owner, other_lawyer, other_lawyer]
    _bulk(
        client,
        case,
        action="attribuer",
        portee="page",
        page_ids=[procedure.pk for procedure in procedures],
        responsable=other_lawyer.pk,
    )
    assert all(Deadline.objects.get(pk=d.pk).owner == other_lawyer for d in deadlines)
    assert _bulk(client, case, action="exporter", portee="filtre", filtre_query="stade=nope").status_code == 400


def test_staff_exports_the_selection_as_csv_for_a_spreadsheet_and_the_export_is_logged(
    client, colleague, case, procedures
):
    client.force_login(colleague)
    response = _bulk(client, case, action="exporter", ids=[procedures[0].pk, procedures[1].pk])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff") and "\r\n" in body and '";"' in body
    assert "24/001" in body and "24/003" not in body
    assert '"\'=1+1"' in body  # a formula is made inert
    assert AccessLog.objects.filter(user=colleague, object_type="case", object_id=case.pk, action="export").exists()


def test_staff_requests_one_dossier_per_selected_procedure(client, colleague, case, procedures):
    client.force_login(colleague)
    url = reverse("procedure_dossiers_request", args=[case.pk])
    response = client.post(url, {"ids": [procedures[0].pk, procedures[2].pk]})
    assert response.status_code == 302
    dossiers = Dossier.objects.filter(case=case).order_by("procedure_id")
    assert [(d.scope, d.procedure_id) for d in dossiers] == [
        (DossierScope.PROCEDURE, procedures[0].pk),
        (DossierScope.PROCEDURE, procedures[2].pk),
    ]
    assert AccessLog.objects.filter(user=colleague, action="print").count() == 2


def test_more_dossiers_than_the_cap_are_refused_with_a_message(client, owner, case, parquet):
    many = ProcedureFactory.create_batch(MAX_PROCEDURE_DOSSIERS + 1, case=case, parquet=parquet)
    client.force_login(owner)
    response = client.post(
        reverse("procedure_dossiers_request", args=[case.pk]), {"portee": "page", "page_ids": [p.pk for p in many]}
    )
    assert response.status_code == 400
    assert "Au plus 20 dossiers" in " ".join(response.context["bulk_errors"])
    assert not Dossier.objects.exists()


def test_a_reader_through_a_read_only_share_may_export_but_not_print_nor_assign(
    client, owner, case, procedures, other_association, outsider
):
    CaseShare.objects.create(case=case, association=other_association, granted_by=owner, access=ShareAccess.READ)
    client.force_login(outsider)
    assert _bulk(client, case, action="exporter", ids=[procedures[0].pk]).status_code == 200
    assert _bulk(client, case, action="attribuer", ids=[procedures[0].pk], responsable=owner.pk).status_code == 403
    dossiers = client.post(reverse("procedure_dossiers_request", args=[case.pk]), {"ids": [procedures[0].pk]})
    assert dossiers.status_code == 403
    assert not Dossier.objects.exists()


def test_an_outsider_gets_404_on_every_bulk_action(client, outsider, case, procedures):
    client.force_login(outsider)
    assert _bulk(client, case, action="exporter", ids=[procedures[0].pk]).status_code == 404
    assert (
        client.post(reverse("procedure_dossiers_request", args=[case.pk]), {"ids": [procedures[0].pk]}).status_code
        == 404
    )


def test_the_list_shows_the_bulk_form_by_role(client, owner, colleague, case, procedures):
    client.force_login(owner)
    page = client.get(reverse("case_procedure_list", args=[case.pk])).content.decode()
    assert 'name="ids"' in page and "Attribuer les délais en cours" in page and "Demander les dossiers" in page
    client.force_login(colleague)
    page = client.get(reverse("case_procedure_list", args=[case.pk])).content.decode()
    assert "Attribuer les délais en cours" not in page and "Exporter (CSV)" in page
