"""The procedures API: each endpoint's happy path, tenancy (404 across associations, 403 for
staff), If-Match on concurrent edits, service errors as 400/409, and constant query counts."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from cases import services as case_services
from cases.models import AccessLog, CaseShare, Role
from procedures import services
from procedures.models import Deadline, Decision, Event, Filing, Hearing, Procedure, Referral
from tests.factories import (
    AssociationFactory,
    CaseFactory,
    MembershipFactory,
    OffenceFactory,
    ParquetFactory,
    UserFactory,
    VictimFactory,
)
from tests.procedures.factories import DeadlineFactory, ProcedureFactory

PARIS = ZoneInfo("Europe/Paris")


pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


@pytest.fixture
def procedure(owner, case, parquet):
    return services.procedure_create(
        user=owner,
        case=case,
        parquet=parquet,
        parquet_reference="23 000 000 42",
        opened_on=date(2023, 6, 1),
        stage="jugement",
    )


@pytest.fixture
def eligible_procedure(owner, case, parquet):
    """A child-protection association (declared 1986), a 14-year-old victim, art. 225-7 CP."""
    association = case.association
    association.purposes = ["child_protection", "procuring"]
    association.declared_on = date(1986, 1, 1)
    association.save()
    case.offences.add(OffenceFactory(article="225-7", label="Proxénétisme aggravé (mineur)"))
    case_services.victim_add(user=owner, case=case, age_at_facts=14)
    return services.procedure_create(
        user=owner, case=case, parquet=parquet, parquet_reference="23 000 000 43", stage="jugement"
    )


@pytest.fixture
def filing(owner, eligible_procedure):
    return services.filing_submit(
        user=owner,
        procedure=eligible_procedure,
        mode="art418",
        legal_basis="2-3",
        status="filed",
        filed_on=date(2024, 4, 23),
    )


@pytest.fixture
def judgment(owner, procedure):
    return services.decision_record(
        user=owner,
        procedure=procedure,
        kind="judgment_correctionnel",
        decided_on=date(2024, 4, 30),
        outcome="conviction",
    )


@pytest.fixture
def second_lawyer(association):
    return MembershipFactory(user=UserFactory(username="second"), association=association, role=Role.LAWYER).user


# --- Procedures ----------------------------------------------------------------------------------


def test_anonymous_requests_are_refused(api, procedure):
    assert api.get(f"{API}/procedures/").status_code in (401, 403)
    assert api.get(f"{API}/cases/{procedure.case_id}/timeline/").status_code in (401, 403)


def test_a_lawyer_creates_a_procedure_with_its_victims_by_pseudonym_and_an_etag(api, owner, case, parquet):
    victim = VictimFactory(case=case, pseudonym="V-001")
    offence = OffenceFactory()
    as_user(api, owner)
    created = api.post(
        f"{API}/procedures/",
        {
            "case": case.pk,
            "parquet": parquet.pk,
            "parquet_reference": "23 000 000 42",
            "opened_on": "2023-06-01",
            "stage": "jugement",
            "victims": [victim.pk],
            "offences": [offence.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["victims"] == [{"id": victim.pk, "pseudonym": "V-001"}]
    assert body["offences"] == [offence.pk]
    assert body["parquet"]["name"] == "Parquet de Valenciennes"
    assert body["transferred_from"] is None and body["transferred_to"] is None
    detail = api.get(f"{API}/procedures/{body['id']}/")
    assert detail.status_code == 200 and detail["ETag"] == created["ETag"]
    assert AccessLog.objects.filter(object_type="procedure", object_id=body["id"], case_id=case.pk).exists()
    assert Event.objects.filter(case=case, kind="procedure_opened").count() == 1


def test_a_duplicate_parquet_reference_is_a_409(api, owner, case, parquet, procedure):
    as_user(api, owner)
    response = api.post(
        f"{API}/procedures/",
        {"case": case.pk, "parquet": parquet.pk, "parquet_reference": " 23 000  000 42"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "unique"
    assert Procedure.objects.count() == 1


def test_a_victim_of_another_associations_case_cannot_be_attached(api, owner, case, parquet, other_association):
    foreign_victim = VictimFactory(case=CaseFactory(association=other_association))
    as_user(api, owner)
    response = api.post(
        f"{API}/procedures/",
        {"case": case.pk, "parquet": parquet.pk, "parquet_reference": "1", "victims": [foreign_victim.pk]},
        format="json",
    )
    assert response.status_code == 400 and "victims" in response.json()["errors"]
    assert not Procedure.objects.exists()


def test_procedures_are_filtered_by_stage_court_of_appeal_and_date_and_searched_by_reference(
    api, owner, case, procedure
):
    other = ProcedureFactory(case=case, parquet_reference="JUNALCO 23 340", opened_on=date(2023, 12, 1))
    as_user(api, owner)

    def ids(**params):
        return [row["id"] for row in api.get(f"{API}/procedures/", params).json()["results"]]

    assert ids() == [procedure.pk, other.pk]
    assert ids(stage="jugement") == [procedure.pk]
    assert ids(court_of_appeal=other.parquet.court_of_appeal_id) == [other.pk]
    assert ids(opened_after="2023-07-01") == [other.pk]
    assert ids(opened_before="2023-07-01") == [procedure.pk]
    assert ids(search="junalco") == [other.pk]
    assert ids(case=case.pk, ordering="-opened_on") == [other.pk, procedure.pk]


def test_a_procedure_is_updated_only_with_the_etag_it_was_read_with(api, owner, procedure):
    as_user(api, owner)
    etag = api.get(f"{API}/procedures/{procedure.pk}/")["ETag"]
    payload = {"stage": "appel", "investigating_judge": "Mme X"}
    assert api.patch(f"{API}/procedures/{procedure.pk}/", payload, format="json").status_code == 428
    updated = api.patch(f"{API}/procedures/{procedure.pk}/", payload, format="json", HTTP_IF_MATCH=etag)
    assert updated.status_code == 200 and updated.json()["stage"] == "appel"
    assert updated["ETag"] == api.get(f"{API}/procedures/{procedure.pk}/")["ETag"] != etag
    stale = api.patch(f"{API}/procedures/{procedure.pk}/", {"stage": "cassation"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    procedure.refresh_from_db()
    assert procedure.stage == "appel"


def test_a_transfer_opens_the_receiving_parquets_procedure_linked_to_the_first(api, owner, procedure):
    junalco = ParquetFactory(name="JUNALCO")
    as_user(api, owner)
    response = api.post(
        f"{API}/procedures/{procedure.pk}/transfer/",
        {"parquet": junalco.pk, "parquet_reference": "JUNALCO 24 120", "transferred_on": "2024-06-25"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    successor = response.json()
    assert successor["transferred_from"] == {
        "id": procedure.pk,
        "parquet": procedure.parquet_id,
        "parquet_name": "Parquet de Valenciennes",
        "parquet_reference": "23 000 000 42",
    }
    first = api.get(f"{API}/procedures/{procedure.pk}/").json()
    assert first["outcome"] == "transferred" and first["transferred_to"] == successor["id"]
    same_parquet = api.post(
        f"{API}/procedures/{procedure.pk}/transfer/",
        {"parquet": procedure.parquet_id, "parquet_reference": "X", "transferred_on": "2024-06-25"},
        format="json",
    )
    assert same_parquet.status_code in (400, 409)


def test_the_eligibility_endpoint_explains_which_article_lets_the_association_file(api, owner, eligible_procedure):
    as_user(api, owner)
    response = api.get(f"{API}/procedures/{eligible_procedure.pk}/eligibility/")
    assert response.status_code == 200
    body = response.json()
    assert "2-3" in body["applicable_articles"]
    article = next(row for row in body["assessments"] if row["article"] == "2-3")
    assert article["applies"] == "yes" and article["conditions"]


# --- Referrals -----------------------------------------------------------------------------------


def test_a_referral_is_recorded_listed_by_kind_and_updated_with_if_match(api, owner, case, procedure):
    as_user(api, owner)
    created = api.post(
        f"{API}/referrals/",
        {
            "case": case.pk,
            "kind": "article_40",
            "author": "Gérald Darmanin, ministre de l'Intérieur",
            "recipient": "Procureur de la République",
            "sent_on": "2024-05-06",
            "procedures": [procedure.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    referral = created.json()
    assert referral["procedures"] == [procedure.pk] and referral["awaiting_answer"] is True
    api.post(
        f"{API}/referrals/",
        {
            "case": case.pk,
            "kind": "other",
            "author": "Fabien Roussel",
            "recipient": "Ministre",
            "sent_on": "2024-04-26",
        },
        format="json",
    )
    listed = api.get(f"{API}/referrals/", {"kind": "article_40", "case": case.pk}).json()["results"]
    assert [row["id"] for row in listed] == [referral["id"]]
    answered = api.patch(
        f"{API}/referrals/{referral['id']}/",
        {"answer": "investigation", "answer_received_on": "2024-06-01"},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert answered.status_code == 200 and answered.json()["awaiting_answer"] is False
    too_early = api.patch(
        f"{API}/referrals/{referral['id']}/",
        {"acknowledged_on": "2024-05-01"},
        format="json",
        HTTP_IF_MATCH=answered["ETag"],
    )
    assert too_early.status_code == 400 and "acknowledged_on" in too_early.json()["errors"]


def test_a_referral_cannot_name_a_procedure_of_another_case(api, owner, case, association):
    elsewhere = ProcedureFactory(case=CaseFactory(association=association))
    as_user(api, owner)
    response = api.post(
        f"{API}/referrals/",
        {
            "case": case.pk,
            "kind": "pharos",
            "author": "ACPE",
            "recipient": "Pharos",
            "sent_on": "2024-05-06",
            "procedures": [elsewhere.pk],
        },
        format="json",
    )
    assert response.status_code == 400 and "procedures" in response.json()["errors"]
    assert not Referral.objects.exists()


# --- Filings -------------------------------------------------------------------------------------


def test_a_filing_returns_the_eligibility_snapshot_it_was_filed_with(api, owner, eligible_procedure):
    as_user(api, owner)
    created = api.post(
        f"{API}/filings/",
        {
            "procedure": eligible_procedure.pk,
            "mode": "art418",
            "legal_basis": "2-3",
            "status": "filed",
            "filed_on": "2024-04-23",
            "damages_claimed": "5000.00",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert "2-3" in body["eligibility_snapshot"]["applicable_articles"]
    assert body["eligibility_snapshot"]["computed_at"]
    assert body["association"] == eligible_procedure.association_id and body["case"] == eligible_procedure.case_id
    assert api.get(f"{API}/filings/{body['id']}/")["ETag"] == created["ETag"]
    listed = api.get(f"{API}/filings/", {"procedure": eligible_procedure.pk}).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]


def test_a_filing_with_no_applicable_article_and_no_reason_is_a_400_on_override_reason(api, owner, procedure):
    as_user(api, owner)
    payload = {"procedure": procedure.pk, "mode": "art87", "legal_basis": "none", "status": "draft"}
    refused = api.post(f"{API}/filings/", payload, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid" and "override_reason" in refused.json()["errors"]
    assert not Filing.objects.exists()
    accepted = api.post(f"{API}/filings/", {**payload, "override_reason": "Qualification à venir"}, format="json")
    assert accepted.status_code == 201 and accepted.json()["eligibility_snapshot"]["applicable_articles"] == []


def test_two_lawyers_editing_the_same_filing_do_not_overwrite_each_other(api, owner, second_lawyer, filing):
    url = f"{API}/filings/{filing.pk}/"
    first, second = as_user(APIClient(), owner), as_user(APIClient(), second_lawyer)
    read = first.get(url)
    etag = read["ETag"]
    assert second.get(url)["ETag"] == etag

    saved = first.patch(url, {"damages_claimed": "5000.00"}, format="json", HTTP_IF_MATCH=etag)
    assert saved.status_code == 200 and saved["ETag"] != etag
    assert saved["ETag"] == first.get(url)["ETag"]

    lost = second.patch(url, {"damages_claimed": "1.00"}, format="json", HTTP_IF_MATCH=etag)
    assert lost.status_code == 412 and lost.json()["code"] == "precondition_failed"
    filing.refresh_from_db()
    assert str(filing.damages_claimed) == "5000.00"

    assert second.patch(url, {"damages_claimed": "1.00"}, format="json").status_code == 428
    retried = second.patch(url, {"status": "admitted"}, format="json", HTTP_IF_MATCH=second.get(url)["ETag"])
    assert retried.status_code == 200 and retried.json()["damages_claimed"] == "5000.00"


# --- Hearings and decisions ----------------------------------------------------------------------


@time_machine.travel(datetime(2024, 4, 1, 9, tzinfo=PARIS), tick=False)
def test_a_hearing_is_scheduled_and_then_postponed_with_if_match(api, owner, procedure):
    as_user(api, owner)
    created = api.post(
        f"{API}/hearings/",
        {
            "procedure": procedure.pk,
            "starts_at": "2024-04-23T13:30:00+02:00",
            "court": "Tribunal correctionnel de Valenciennes",
            "purpose": "Procès de 12 hommes",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    hearing = created.json()
    assert hearing["status"] == "scheduled" and hearing["case"] == procedure.case_id
    assert Deadline.objects.filter(procedure=procedure, rule="letter_420_1").exists()
    postponed = api.patch(
        f"{API}/hearings/{hearing['id']}/", {"status": "postponed"}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert postponed.status_code == 200 and postponed.json()["status"] == "postponed"
    assert [row["id"] for row in api.get(f"{API}/hearings/", {"status": "postponed"}).json()["results"]] == [
        hearing["id"]
    ]


def test_a_put_replaces_a_hearing_but_never_moves_it_to_another_procedure(api, owner, case, procedure):
    hearing = services.hearing_record(
        user=owner,
        procedure=procedure,
        starts_at=datetime(2024, 4, 23, 13, 30, tzinfo=PARIS),
        court="Tribunal correctionnel",
        status="held",
    )
    other = ProcedureFactory(case=case)
    as_user(api, owner)
    url = f"{API}/hearings/{hearing.pk}/"
    etag = api.get(url)["ETag"]
    moved = api.patch(url, {"procedure": other.pk}, format="json", HTTP_IF_MATCH=etag)
    assert moved.status_code == 400 and "procedure" in moved.json()["errors"]
    replaced = api.put(
        url,
        {
            "procedure": procedure.pk,
            "starts_at": "2024-04-23T13:30:00+02:00",
            "court": "Tribunal correctionnel de Valenciennes",
            "status": "held",
            "purpose": "Procès de 12 hommes",
        },
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert replaced.status_code == 200, replaced.json()
    hearing.refresh_from_db()
    assert (hearing.procedure_id, hearing.court) == (procedure.pk, "Tribunal correctionnel de Valenciennes")


@time_machine.travel(datetime(2024, 5, 1, 9, tzinfo=PARIS), tick=False)
def test_a_past_hearing_sent_as_scheduled_is_a_400_on_starts_at(api, owner, procedure):
    as_user(api, owner)
    response = api.post(
        f"{API}/hearings/",
        {"procedure": procedure.pk, "starts_at": "2024-04-23T13:30:00+02:00", "court": "TC Valenciennes"},
        format="json",
    )
    assert response.status_code == 400 and "starts_at" in response.json()["errors"]
    assert not Hearing.objects.exists()


def test_a_judgment_recorded_through_the_api_opens_the_appeal_deadline(api, owner, procedure):
    as_user(api, owner)
    created = api.post(
        f"{API}/decisions/",
        {
            "procedure": procedure.pk,
            "kind": "judgment_correctionnel",
            "decided_on": "2024-04-30",
            "outcome": "conviction",
            "summary": "11 prévenus condamnés sur 12.",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    # Art. 498: ten days from the judgment of Tuesday 30 April 2024.
    assert [(d["rule"], d["due_on"], d["owner"]) for d in body["deadlines"] if d["party"] == "association"] == [
        ("appeal_correctionnel", "2024-05-10", owner.pk)
    ]
    # The procureur's and the procureur général's periods come as information, without an owner.
    assert {(d["rule"], d["party"], d["owner"]) for d in body["deadlines"] if d["party"] != "association"} == {
        ("appeal_procureur", "ministere_public", None),
        ("appeal_procureur_general", "ministere_public", None),
    }
    assert all(d["explanation"]["steps"] for d in body["deadlines"])
    assert api.get(f"{API}/decisions/{body['id']}/").json()["deadlines"] == body["deadlines"]
    assert api.get(f"{API}/procedures/{procedure.pk}/").json()["outcome"] == "conviction"
    listed = api.get(f"{API}/decisions/", {"case": procedure.case_id, "kind": "judgment_correctionnel"})
    assert [row["id"] for row in listed.json()["results"]] == [body["id"]]


def test_a_decision_before_the_procedure_opened_is_a_400_on_decided_on(api, owner, procedure):
    as_user(api, owner)
    response = api.post(
        f"{API}/decisions/",
        {"procedure": procedure.pk, "kind": "judgment_correctionnel", "decided_on": "2023-01-15"},
        format="json",
    )
    assert response.status_code == 400
    assert "decided_on" in response.json()["errors"]
    assert not Decision.objects.exists() and not Deadline.objects.exists()


def test_decisions_are_completed_by_patch_only_with_if_match_and_never_replaced(api, owner, outsider, judgment):
    as_user(api, owner)
    assert api.put(f"{API}/decisions/{judgment.pk}/", {"summary": "x"}, format="json").status_code == 405
    assert api.patch(f"{API}/decisions/{judgment.pk}/", {"summary": "x"}, format="json").status_code == 428
    as_user(api, outsider)
    assert api.patch(f"{API}/decisions/{judgment.pk}/", {"summary": "x"}, format="json").status_code == 404


# --- Timeline steps ------------------------------------------------------------------------------


def test_the_steps_list_needs_a_case_and_comes_in_date_order(api, owner, case, procedure, judgment):
    referral = services.referral_record(
        user=owner, case=case, kind="article_40", author="Ministre", recipient="Procureur", sent_on=date(2024, 5, 6)
    )
    as_user(api, owner)
    missing = api.get(f"{API}/events/")
    assert missing.status_code == 400 and "case" in missing.json()["errors"]
    steps = api.get(f"{API}/events/", {"case": case.pk}).json()["results"]
    assert [(s["kind"], s["occurred_on"]) for s in steps] == [
        ("procedure_opened", "2023-06-01"),
        ("decision", "2024-04-30"),
        ("referral", "2024-05-06"),
    ]
    assert steps[2]["source_model"] == "referral" and steps[2]["source_id"] == referral.pk
    assert steps[0]["parquet_name"] == "Parquet de Valenciennes" and steps[2]["parquet_name"] is None
    of_procedure = api.get(f"{API}/events/", {"case": case.pk, "procedure": procedure.pk}).json()["results"]
    assert [s["kind"] for s in of_procedure] == ["procedure_opened", "decision"]
    assert api.get(f"{API}/events/{steps[0]['id']}/").json()["title"] == steps[0]["title"]
    found = api.get(f"{API}/events/", {"case": case.pk, "search": "ministre"}).json()["results"]
    assert [s["id"] for s in found] == [steps[2]["id"]]


def test_an_art_175_notice_recorded_as_a_step_opens_its_deadlines(api, owner, case, procedure):
    as_user(api, owner)
    created = api.post(
        f"{API}/events/",
        {
            "case": case.pk,
            "procedure": procedure.pk,
            "kind": "avis_175",
            "occurred_on": "2024-09-02",
            "title": "Avis de fin d'information",
            "interrupts_prescription": True,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert set(Deadline.objects.filter(procedure=procedure).values_list("rule", flat=True)) == {"art175_intent"}
    declared = api.post(
        f"{API}/events/",
        {
            "case": case.pk,
            "procedure": procedure.pk,
            "kind": "declaration_175",
            "occurred_on": "2024-09-10",
            "title": "Déclaration d'intention (art. 175 III)",
        },
        format="json",
    )
    assert declared.status_code == 201, declared.json()
    assert set(Deadline.objects.filter(procedure=procedure).values_list("rule", flat=True)) == {
        "art175_intent",
        "art175_requests",
    }
    faked = api.post(
        f"{API}/events/",
        {"case": case.pk, "kind": "decision", "occurred_on": "2024-09-02", "title": "Jugement"},
        format="json",
    )
    assert faked.status_code == 400 and "kind" in faked.json()["errors"]


def test_a_step_cannot_name_a_procedure_of_another_case(api, owner, case, association):
    elsewhere = ProcedureFactory(case=CaseFactory(association=association))
    as_user(api, owner)
    response = api.post(
        f"{API}/events/",
        {"case": case.pk, "procedure": elsewhere.pk, "kind": "other", "occurred_on": "2024-09-02", "title": "x"},
        format="json",
    )
    assert response.status_code == 400 and "procedure" in response.json()["errors"]


def test_the_case_timeline_lists_every_step_in_order_and_is_logged_as_a_read(api, owner, case, procedure, judgment):
    services.event_record(
        user=owner, case=case, kind="other", occurred_on=date(2024, 6, 25), title="Fermeture du site Coco.gg"
    )
    as_user(api, owner)
    response = api.get(f"{API}/cases/{case.pk}/timeline/")
    assert response.status_code == 200
    assert [s["title"] for s in response.json()["results"]][-1] == "Fermeture du site Coco.gg"
    assert [s["kind"] for s in response.json()["results"]] == ["procedure_opened", "decision", "other"]
    only = api.get(f"{API}/cases/{case.pk}/timeline/", {"kind": "decision"}).json()["results"]
    assert [s["kind"] for s in only] == ["decision"]
    assert AccessLog.objects.filter(object_type="case", object_id=case.pk, action="view").count() == 2


# --- Deadlines -----------------------------------------------------------------------------------


@pytest.fixture
def deadlines(owner, second_lawyer, procedure):
    return {
        "open": DeadlineFactory(
            procedure=procedure, owner=owner, trigger_date=date(2025, 6, 1), due_on=date(2025, 6, 11)
        ),
        "missed": DeadlineFactory(
            procedure=procedure, owner=owner, trigger_date=date(2025, 5, 1), due_on=date(2025, 5, 12), status="missed"
        ),
        "done": DeadlineFactory(
            procedure=procedure, owner=owner, trigger_date=date(2025, 4, 1), due_on=date(2025, 4, 11), status="done"
        ),
        "theirs": DeadlineFactory(
            procedure=procedure, owner=second_lawyer, trigger_date=date(2025, 7, 1), due_on=date(2025, 7, 11)
        ),
    }


def test_my_deadlines_are_my_open_and_missed_ones_and_all_shows_every_one(api, owner, second_lawyer, deadlines):
    as_user(api, owner)

    def ids(**params):
        return {row["id"] for row in api.get(f"{API}/deadlines/", params).json()["results"]}

    assert ids() == {deadlines["open"].pk, deadlines["missed"].pk}
    assert ids(all=1) == {d.pk for d in deadlines.values()}
    assert ids(all=1, status="done") == {deadlines["done"].pk}
    assert ids(all=1, owner=second_lawyer.pk) == {deadlines["theirs"].pk}
    assert ids(all=1, due_before="2025-05-31") == {deadlines["missed"].pk, deadlines["done"].pk}
    assert ids(all=1, due_after="2025-06-01", procedure=deadlines["open"].procedure_id) == {
        deadlines["open"].pk,
        deadlines["theirs"].pk,
    }
    assert ids(status="missed") == {deadlines["missed"].pk}
    detail = api.get(f"{API}/deadlines/{deadlines['theirs'].pk}/").json()
    assert detail["rule"] == "appeal_correctionnel" and detail["case_reference"] == "ACPE-T-001"


def test_a_deadline_is_overridden_only_with_a_reason_then_completed_or_cancelled(api, owner, deadlines):
    as_user(api, owner)
    url = f"{API}/deadlines/{deadlines['open'].pk}"
    no_reason = api.post(f"{url}/override/", {"due_on": "2025-06-20", "reason": ""}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    moved = api.post(
        f"{url}/override/", {"due_on": "2025-06-20", "reason": "Signification reçue le 10 juin"}, format="json"
    )
    assert moved.status_code == 200, moved.json()
    assert moved.json()["due_on"] == "2025-06-20" and moved.json()["is_overridden"] is True
    assert moved.json()["computed_due_on"] == "2025-06-11"
    done = api.post(f"{url}/complete/", {"completed_on": "2025-06-15"}, format="json")
    assert done.json()["status"] == "done" and done.json()["completed_on"] == "2025-06-15"
    cancel_url = f"{API}/deadlines/{deadlines['missed'].pk}/cancel/"
    assert api.post(cancel_url, {}, format="json").status_code == 400
    cancelled = api.post(cancel_url, {"reason": "Appel déjà interjeté par le parquet"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["notes"] == "Appel déjà interjeté par le parquet"


def test_a_case_shared_read_only_shows_its_procedures_but_not_its_deadlines_and_refuses_writes(
    api, owner, outsider, case, other_association, procedure, deadlines, filing
):
    CaseShare.objects.create(case=case, association=other_association, access="read", granted_by=owner)
    as_user(api, outsider)
    assert api.get(f"{API}/procedures/{procedure.pk}/").status_code == 200
    assert api.get(f"{API}/deadlines/{deadlines['open'].pk}/").status_code == 404
    assert api.get(f"{API}/deadlines/", {"all": 1}).json()["results"] == []
    etag = api.get(f"{API}/filings/{filing.pk}/")["ETag"]
    assert (
        api.patch(f"{API}/filings/{filing.pk}/", {"status": "admitted"}, format="json", HTTP_IF_MATCH=etag).status_code
        == 403
    )
    refused = api.post(
        f"{API}/events/", {"case": case.pk, "kind": "other", "occurred_on": "2024-09-02", "title": "x"}, format="json"
    )
    assert refused.status_code == 403


# --- Tenancy -------------------------------------------------------------------------------------


@pytest.fixture
def records(owner, case, procedure, judgment, filing, deadlines):
    referral = services.referral_record(
        user=owner, case=case, kind="article_40", author="Ministre", recipient="Procureur", sent_on=date(2024, 5, 6)
    )
    hearing = services.hearing_record(
        user=owner,
        procedure=procedure,
        starts_at=datetime(2024, 4, 23, 13, 30, tzinfo=PARIS),
        court="Tribunal correctionnel de Valenciennes",
        status="held",
    )
    return {
        "procedures": procedure,
        "referrals": referral,
        "filings": filing,
        "hearings": hearing,
        "decisions": judgment,
        "events": Event.objects.filter(case=case).first(),
        "deadlines": deadlines["open"],
    }


def test_an_outsider_gets_404_on_every_detail_url_and_empty_lists(api, outsider, case, records):
    as_user(api, outsider)
    for prefix, record in records.items():
        url = f"{API}/{prefix}/{record.pk}/"
        assert api.get(url).status_code == 404, url
        if prefix in ("procedures", "referrals", "filings", "hearings"):
            assert api.patch(url, {"notes": "x"}, format="json", HTTP_IF_MATCH="*").status_code == 404, url
        assert api.get(f"{API}/{prefix}/", {"case": case.pk, "all": 1}).json()["results"] == [], prefix
    procedure, deadline = records["procedures"], records["deadlines"]
    assert api.get(f"{API}/procedures/{procedure.pk}/eligibility/").status_code == 404
    assert api.post(f"{API}/procedures/{procedure.pk}/transfer/", {}, format="json").status_code == 404
    for verb in ("complete", "override", "cancel"):
        assert api.post(f"{API}/deadlines/{deadline.pk}/{verb}/", {}, format="json").status_code == 404, verb
    assert api.get(f"{API}/cases/{case.pk}/timeline/").status_code == 404
    writes = {
        "procedures": {"case": case.pk, "parquet": procedure.parquet_id, "parquet_reference": "X"},
        "referrals": {"case": case.pk, "kind": "other", "author": "x", "recipient": "y", "sent_on": "2024-05-06"},
        "filings": {"procedure": procedure.pk, "mode": "art87", "legal_basis": "2-3"},
        "hearings": {"procedure": procedure.pk, "starts_at": "2030-01-01T10:00:00+01:00", "court": "TC"},
        "decisions": {"procedure": procedure.pk, "kind": "cassation", "decided_on": "2024-06-01"},
        "events": {"case": case.pk, "kind": "other", "occurred_on": "2024-09-02", "title": "x"},
    }
    for prefix, payload in writes.items():
        assert api.post(f"{API}/{prefix}/", payload, format="json").status_code == 404, prefix


def test_staff_read_but_get_403_on_every_write(api, colleague, case, records):
    as_user(api, colleague)
    procedure = records["procedures"]
    for prefix in ("procedures", "referrals", "filings", "hearings"):
        url = f"{API}/{prefix}/{records[prefix].pk}/"
        etag = api.get(url)["ETag"]
        assert api.patch(url, {"notes": "x"}, format="json", HTTP_IF_MATCH=etag).status_code == 403, prefix
    writes = {
        "procedures": {"case": case.pk, "parquet": procedure.parquet_id, "parquet_reference": "X"},
        "referrals": {"case": case.pk, "kind": "other", "author": "x", "recipient": "y", "sent_on": "2024-05-06"},
        "filings": {"procedure": procedure.pk, "mode": "art87", "legal_basis": "2-3"},
        "hearings": {"procedure": procedure.pk, "starts_at": "2030-01-01T10:00:00+01:00", "court": "TC"},
        "decisions": {"procedure": procedure.pk, "kind": "cassation", "decided_on": "2024-06-01"},
        "events": {"case": case.pk, "kind": "other", "occurred_on": "2024-09-02", "title": "x"},
    }
    for prefix, payload in writes.items():
        assert api.post(f"{API}/{prefix}/", payload, format="json").status_code == 403, prefix
    transfer = {"parquet": ParquetFactory().pk, "parquet_reference": "Y", "transferred_on": "2024-06-25"}
    assert api.post(f"{API}/procedures/{procedure.pk}/transfer/", transfer, format="json").status_code == 403
    deadline_url = f"{API}/deadlines/{records['deadlines'].pk}"
    assert api.post(f"{deadline_url}/complete/", {}, format="json").status_code == 403
    assert (
        api.post(f"{deadline_url}/override/", {"due_on": "2025-07-01", "reason": "r"}, format="json").status_code == 403
    )
    assert api.post(f"{deadline_url}/cancel/", {"reason": "r"}, format="json").status_code == 403
    assert Procedure.objects.count() == 2 and Referral.objects.count() == 1


def test_a_token_for_another_association_sees_none_of_the_first_associations_records(api, owner, case, records):
    second = AssociationFactory(short_name="SECONDE")
    MembershipFactory(user=owner, association=second, role=Role.LAWYER)
    their_procedure = ProcedureFactory(case=CaseFactory(association=second, reference="SEC-1"))
    _token, key = case_services.api_token_create(user=owner, association=second, name="script")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    listed = api.get(f"{API}/procedures/").json()["results"]
    assert [row["id"] for row in listed] == [their_procedure.pk]
    for prefix, record in records.items():
        assert api.get(f"{API}/{prefix}/{record.pk}/").status_code == 404, prefix
    assert api.get(f"{API}/deadlines/").json()["results"] == []
    assert api.get(f"{API}/cases/{case.pk}/timeline/").status_code == 404
    refused = api.post(
        f"{API}/procedures/",
        {"case": case.pk, "parquet": their_procedure.parquet_id, "parquet_reference": "Z"},
        format="json",
    )
    assert refused.status_code == 404


# --- Query counts --------------------------------------------------------------------------------


@pytest.fixture
def many_records(owner, case):
    """55 of each record, with victims, offences, procedures and transfers to load."""
    victims = [VictimFactory(case=case) for _ in range(2)]
    offence = OffenceFactory()
    procedures = []
    for number in range(55):
        procedure = ProcedureFactory(case=case, transferred_from=procedures[-1] if procedures else None)
        procedure.victims.set(victims)
        procedure.suspects.set([])
        procedure.offences.set([offence])
        procedures.append(procedure)
        Event.objects.create(
            case=case, procedure=procedure, kind="other", occurred_on=date(2024, 1, 1), title=f"Étape {number}"
        )
    Referral.objects.bulk_create(
        Referral(case=case, kind="other", author="a", recipient="b", sent_on=date(2024, 1, 1)) for _ in range(55)
    )
    for referral in Referral.objects.all():
        referral.procedures.set(procedures[:2])
    Filing.objects.bulk_create(
        Filing(procedure=p, association=case.association, mode="art87", legal_basis="2-3") for p in procedures
    )
    Hearing.objects.bulk_create(
        Hearing(procedure=p, starts_at=datetime(2024, 4, 23, 13, 30, tzinfo=PARIS), court="TC", status="held")
        for p in procedures
    )
    for p in procedures:
        services.decision_record(user=owner, procedure=p, kind="judgment_correctionnel", decided_on=date(2024, 4, 30))
    for p in procedures:
        DeadlineFactory(procedure=p, owner=owner)
    return procedures


# Each page: its count, its ids (cases.pagination.DeferredJoinPaginator), its rows, their prefetches.
LISTS = [
    ("/procedures/", {}, 7),
    ("/referrals/", {}, 5),
    ("/filings/", {}, 4),
    ("/hearings/", {}, 4),
    ("/decisions/", {}, 6),
    ("/events/", {"case": "CASE"}, 4),
    ("/deadlines/", {}, 4),
    ("/deadlines/", {"all": 1}, 4),
    ("/cases/CASE/timeline/", {}, 7),
]


@pytest.mark.parametrize(("url", "params", "queries"), LISTS, ids=[f"{u}{p}" for u, p, _ in LISTS])
def test_every_list_runs_the_same_number_of_queries_whatever_the_page_size(
    api, owner, case, many_records, django_assert_num_queries, url, params, queries
):
    as_user(api, owner)
    url = API + url.replace("CASE", str(case.pk))
    params = {key: str(case.pk) if value == "CASE" else value for key, value in params.items()}
    for size in (5, 50):
        with django_assert_num_queries(queries):
            response = api.get(url, {**params, "page_size": size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
    if url.endswith("/decisions/"):
        assert all(row["deadlines"] for row in response.json()["results"])


def test_a_decision_is_completed_through_the_api_with_the_associations_signification(api, owner, procedure):
    as_user(api, owner)
    created = api.post(
        f"{API}/decisions/",
        {
            "procedure": procedure.pk,
            "kind": "judgment_correctionnel",
            "decided_on": "2025-06-02",
            "association_presence": "absent_not_informed",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert not [d for d in created.json()["deadlines"] if d["party"] == "association"]
    decision = f"{API}/decisions/{created.json()['id']}/"
    etag = api.get(decision)["ETag"]
    assert api.patch(decision, {"notified_on": "2025-06-20"}, format="json").status_code == 428
    completed = api.patch(decision, {"notified_on": "2025-06-20"}, format="json", HTTP_IF_MATCH=etag)
    assert completed.status_code == 200, completed.json()
    # Signified Friday 20 June 2025: ten days → Monday 30 June (art. 498 al. 2).
    assert [(d["rule"], d["due_on"]) for d in completed.json()["deadlines"] if d["party"] == "association"] == [
        ("appeal_correctionnel", "2025-06-30")
    ]
    assert api.patch(decision, {"notified_on": "2025-06-21"}, format="json", HTTP_IF_MATCH=etag).status_code == 412
