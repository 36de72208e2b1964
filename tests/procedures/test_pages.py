import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services as case_services
from cases.models import CaseOffence, CaseShare, ShareAccess
from procedures import services
from procedures.models import (
    Deadline,
    DeadlineStatus,
    Decision,
    Event,
    EventKind,
    Filing,
    FilingStatus,
    Hearing,
    HearingStatus,
    Outcome,
    Procedure,
    Referral,
    ReferralKind,
    Stage,
)
from tests.factories import CaseFactory, OffenceFactory, ParquetFactory, VictimFactory
from tests.procedures.factories import DeadlineFactory, ProcedureFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
CASE_SECTION = "procedures.panels.case_procedures_section"
DEADLINES_PANEL = "procedures.panels.my_deadlines_panel"


def frozen(day: date, hour: int = 10):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=PARIS), tick=False)


@pytest.fixture
def dunkerque(db):
    return ParquetFactory(code="TJT-DK", name="Parquet de test Dunkerque")


@pytest.fixture
def paris(db):
    return ParquetFactory(code="TJT-PA", name="Parquet de test Paris")


@pytest.fixture
def images_offence(case):
    """227-23 (images of minors): covered by art. 2-3, the association's purpose in the factory."""
    offence = OffenceFactory(label="Images pédopornographiques (test)", article="227-23")
    CaseOffence.objects.create(case=case, offence=offence)
    return offence


@pytest.fixture
def victim(case):
    # Born 15 June 2009: a minor at the facts of March 2024.
    return VictimFactory(case=case, pseudonym="V-001", first_name="Camille", last_name="Zyxwvu")


@pytest.fixture
def procedure(owner, case, dunkerque, victim, images_offence):
    return services.procedure_create(
        user=owner,
        case=case,
        parquet=dunkerque,
        parquet_reference="24/123.45",
        opened_on=date(2024, 4, 26),
        stage=Stage.INSTRUCTION,
        victims=[victim],
        offences=[images_offence],
    )


@pytest.fixture
def records(owner, case, procedure):
    """One of everything under the procedure, made through the services."""
    with frozen(date(2025, 6, 2)):
        filing = services.filing_submit(
            user=owner,
            procedure=procedure,
            mode="art87",
            legal_basis="2-3",
            status=FilingStatus.FILED,
            filed_on=date(2025, 5, 15),
        )
        hearing = services.hearing_record(
            user=owner,
            procedure=procedure,
            starts_at=datetime(2025, 9, 15, 14, 0, tzinfo=PARIS),
            court="Tribunal correctionnel de test",
        )
        decision = services.decision_record(
            user=owner,
            procedure=procedure,
            kind="instruction_order",
            order_kind="referral_correctionnel",
            decided_on=date(2025, 6, 2),
            outcome=Outcome.POURSUITES,
        )
    referral = services.referral_record(
        user=owner,
        case=case,
        kind=ReferralKind.ARTICLE_40,
        author="Ministre de l'Intérieur",
        recipient="Procureur de la République",
        sent_on=date(2024, 5, 6),
        procedures=[procedure],
    )
    deadline = Deadline.objects.get(procedure=procedure, rule="appeal_instruction_order")
    return {
        "case": case,
        "procedure": procedure,
        "filing": filing,
        "hearing": hearing,
        "decision": decision,
        "referral": referral,
        "deadline": deadline,
    }


def _reads(objects):
    p = objects["procedure"].pk
    return [
        reverse("procedure_detail", args=[p]),
        reverse("filing_eligibility", args=[p]) + "?legal_basis=2-3",
    ]


def _writes(objects):
    """(method, url) of every page that changes something."""
    p, c = objects["procedure"].pk, objects["case"].pk
    pages = [
        reverse("procedure_create", args=[c]),
        reverse("referral_add", args=[c]),
        reverse("procedure_update", args=[p]),
        reverse("procedure_transfer", args=[p]),
        reverse("hearing_add", args=[p]),
        reverse("decision_add", args=[p]),
        reverse("filing_add", args=[p]),
        reverse("event_add", args=[p]),
        reverse("hearing_update", args=[objects["hearing"].pk]),
        reverse("filing_update", args=[objects["filing"].pk]),
        reverse("referral_update", args=[objects["referral"].pk]),
        reverse("deadline_override", args=[objects["deadline"].pk]),
        reverse("deadline_cancel", args=[objects["deadline"].pk]),
    ]
    return [(method, url) for url in pages for method in ("get", "post")] + [
        ("post", reverse("deadline_complete", args=[objects["deadline"].pk]))
    ]


def _row(html: str, text: str) -> str:
    """The table row that contains `text`."""
    return next(row for row in re.findall(r"<tr[^>]*>.*?</tr>", html, re.DOTALL) if text in row)


# --- Tenancy ------------------------------------------------------------------------------------


def test_an_outsider_gets_404_on_every_procedure_url(client, outsider, records):
    client.force_login(outsider)
    for url in _reads(records):
        assert client.get(url).status_code == 404, url
    for method, url in _writes(records):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    assert Deadline.objects.get(pk=records["deadline"].pk).status == DeadlineStatus.OPEN


def test_staff_read_procedures_but_get_403_on_every_write(client, colleague, records):
    client.force_login(colleague)
    for url in [*_reads(records), reverse("deadline_list")]:
        assert client.get(url).status_code == 200, url
    for method, url in _writes(records):
        assert getattr(client, method)(url).status_code == 403, (method, url)


def test_a_read_only_share_shows_the_procedure_but_refuses_writes(client, owner, outsider, records, other_association):
    case_services.case_share(user=owner, case=records["case"], association=other_association, access=ShareAccess.READ)
    assert CaseShare.objects.filter(association=other_association).exists()
    client.force_login(outsider)
    detail = client.get(reverse("procedure_detail", args=[records["procedure"].pk]))
    assert detail.status_code == 200
    assert "Zyxwvu" not in detail.content.decode()
    # The lead association's deadlines are its own work, not the partner's.
    assert "(art. 186 CPP)" not in detail.content.decode()
    for method, url in _writes(records):
        assert getattr(client, method)(url).status_code == 403, (method, url)


# --- Procedures ---------------------------------------------------------------------------------


def test_the_owner_adds_a_procedure_to_the_case(client, owner, case, dunkerque, victim, images_offence):
    client.force_login(owner)
    assert client.get(reverse("procedure_create", args=[case.pk])).status_code == 200
    response = client.post(
        reverse("procedure_create", args=[case.pk]),
        {
            "parquet": dunkerque.pk,
            "parquet_reference": " 24/999 ",
            "opened_on": "2024-04-26",
            "stage": Stage.ENQUETE,
            "outcome": Outcome.PENDING,
            "victims": [victim.pk],
            "offences": [images_offence.pk],
        },
    )
    procedure = Procedure.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("procedure_detail", args=[procedure.pk])
    assert list(procedure.victims.all()) == [victim]
    assert Event.objects.filter(procedure=procedure, kind=EventKind.PROCEDURE_OPENED).exists()


def test_the_procedure_form_refuses_a_parquet_number_already_recorded(client, owner, case, procedure, dunkerque):
    client.force_login(owner)
    response = client.post(
        reverse("procedure_create", args=[case.pk]),
        {"parquet": dunkerque.pk, "parquet_reference": "24/123.45", "stage": "enquete", "outcome": "pending"},
    )
    assert response.status_code == 200
    assert "parquet_reference" in response.context["form"].errors
    assert Procedure.objects.count() == 1


def test_the_procedure_form_offers_only_the_cases_parties_and_active_parquets(owner, case, victim, dunkerque):
    from procedures.forms import ProcedureForm

    other_victim = VictimFactory(case=CaseFactory(association=case.association), pseudonym="V-009")
    closed = ParquetFactory(code="TJT-OLD", name="Parquet de test historique", active=False)
    form = ProcedureForm(case=case)
    assert list(form.fields["victims"].queryset) == [victim]
    assert other_victim not in form.fields["victims"].queryset
    assert dunkerque in form.fields["parquet"].queryset
    assert closed not in form.fields["parquet"].queryset


def test_the_procedure_page_shows_everything_about_it(client, owner, records, paris):
    procedure = records["procedure"]
    successor = services.procedure_transfer(
        user=owner, procedure=procedure, parquet=paris, parquet_reference="P-1", transferred_on=date(2025, 7, 1)
    )
    client.force_login(owner)
    response = client.get(reverse("procedure_detail", args=[procedure.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "24/123.45" in html
    assert "Parquet de test Dunkerque</strong> → <a" in html
    assert reverse("procedure_detail", args=[successor.pk]) in html
    assert "V-001" in html and "Zyxwvu" not in html and "Camille" not in html
    assert "Art. 2-3 CPP (enfance maltraitée)" in html
    assert "Articles applicables : 2-3" in html
    assert "Tribunal correctionnel de test" in html
    assert "Ordonnance du juge d&#x27;instruction" in html
    assert "Appel d&#x27;une ordonnance" in html or "(art. 186 CPP)" in html
    assert reverse("deadline_complete", args=[records["deadline"].pk]) in html
    assert "Signalement article 40" in html


def test_the_owner_updates_a_procedure(client, owner, procedure, dunkerque):
    client.force_login(owner)
    assert client.get(reverse("procedure_update", args=[procedure.pk])).status_code == 200
    response = client.post(
        reverse("procedure_update", args=[procedure.pk]),
        {
            "parquet": dunkerque.pk,
            "parquet_reference": "24/123.45",
            "opened_on": "2024-04-26",
            "stage": Stage.JUGEMENT,
            "outcome": Outcome.POURSUITES,
            "investigating_service": "OFMIN",
        },
    )
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert (procedure.stage, procedure.investigating_service) == (Stage.JUGEMENT, "OFMIN")


def test_a_transfer_keeps_the_chain_of_parquets(client, owner, procedure, paris):
    client.force_login(owner)
    assert client.get(reverse("procedure_transfer", args=[procedure.pk])).status_code == 200
    response = client.post(
        reverse("procedure_transfer", args=[procedure.pk]),
        {"parquet": paris.pk, "parquet_reference": "25/001", "transferred_on": "2025-01-10"},
    )
    successor = Procedure.objects.get(transferred_from=procedure)
    assert response["Location"] == reverse("procedure_detail", args=[successor.pk])
    assert Procedure.objects.get(pk=procedure.pk).outcome == Outcome.TRANSFERRED
    html = client.get(response["Location"]).content.decode()
    assert "Parquet de test Dunkerque</a> → <strong>Parquet de test Paris</strong>" in html


def test_a_transfer_to_the_same_parquet_is_not_offered(client, owner, procedure, dunkerque):
    client.force_login(owner)
    response = client.post(
        reverse("procedure_transfer", args=[procedure.pk]),
        {"parquet": dunkerque.pk, "parquet_reference": "25/001", "transferred_on": "2025-01-10"},
    )
    assert response.status_code == 200
    assert "parquet" in response.context["form"].errors
    assert Procedure.objects.count() == 1


# --- Hearings, decisions, steps ------------------------------------------------------------------


def test_the_owner_records_a_hearing_and_updates_it(client, owner, procedure):
    client.force_login(owner)
    with frozen(date(2025, 6, 2)):
        assert client.get(reverse("hearing_add", args=[procedure.pk])).status_code == 200
        response = client.post(
            reverse("hearing_add", args=[procedure.pk]),
            {"starts_at": "2025-09-15T14:00", "court": "TC Dunkerque", "status": HearingStatus.SCHEDULED},
        )
        assert response.status_code == 302
        hearing = Hearing.objects.get()
        assert hearing.starts_at == datetime(2025, 9, 15, 14, 0, tzinfo=PARIS)
        edit = client.get(reverse("hearing_update", args=[hearing.pk]))
        assert 'type="datetime-local"' in edit.content.decode()
        assert 'value="2025-09-15T14:00"' in edit.content.decode()
    with frozen(date(2025, 9, 16)):
        client.post(
            reverse("hearing_update", args=[hearing.pk]),
            {"starts_at": "2025-09-15T14:00", "court": "TC Dunkerque", "status": HearingStatus.HELD},
        )
    assert Hearing.objects.get().status == HearingStatus.HELD


def test_a_hearing_in_the_past_cannot_be_recorded_as_scheduled(client, owner, procedure):
    client.force_login(owner)
    events = Event.objects.count()
    with frozen(date(2025, 6, 2)):
        response = client.post(
            reverse("hearing_add", args=[procedure.pk]),
            {"starts_at": "2025-05-01T09:30", "court": "TC Dunkerque", "status": HearingStatus.SCHEDULED},
        )
    assert response.status_code == 200
    assert "starts_at" in response.context["form"].errors
    assert not Hearing.objects.exists()
    assert Event.objects.count() == events


def test_a_decision_opens_its_deadline(client, owner, procedure):
    client.force_login(owner)
    assert client.get(reverse("decision_add", args=[procedure.pk])).status_code == 200
    response = client.post(
        reverse("decision_add", args=[procedure.pk]),
        {"kind": "judgment_correctionnel", "decided_on": "2025-06-02", "outcome": Outcome.CONVICTION},
    )
    assert response.status_code == 302
    deadline = Deadline.objects.own().get(procedure=procedure)
    # 10 days from Monday 2 June 2025 is Thursday 12 June (art. 498).
    assert (deadline.rule, deadline.due_on) == ("appeal_correctionnel", date(2025, 6, 12))
    page = client.get(reverse("procedure_detail", args=[procedure.pk])).content.decode()
    assert "Délais des autres parties" in page
    assert reverse("deadline_detail", args=[deadline.pk]) in page


def test_a_decision_is_completed_with_the_associations_signification(client, owner, procedure):
    client.force_login(owner)
    client.post(
        reverse("decision_add", args=[procedure.pk]),
        {
            "kind": "judgment_correctionnel",
            "decided_on": "2025-06-02",
            "association_presence": "absent_not_informed",
            "prevenu_character": "contradictoire",
        },
    )
    decision = Decision.objects.get()
    assert not Deadline.objects.own().exists()
    page = client.get(reverse("procedure_detail", args=[procedure.pk])).content.decode()
    assert "498 al. 2" in page
    assert client.get(reverse("decision_update", args=[decision.pk])).status_code == 200
    response = client.post(
        reverse("decision_update", args=[decision.pk]),
        {
            "kind": "judgment_correctionnel",
            "decided_on": "2025-06-02",
            "association_presence": "absent_not_informed",
            "prevenu_character": "contradictoire",
            "notified_on": "2025-06-20",
        },
    )
    assert response.status_code == 302
    # Signified Friday 20 June 2025: 10 days → Monday 30 June.
    assert Deadline.objects.own().get().due_on == date(2025, 6, 30)


def test_an_outsider_cannot_complete_a_decision(client, outsider, owner, procedure):
    decision = services.decision_record(
        user=owner, procedure=procedure, kind="judgment_correctionnel", decided_on=date(2025, 6, 2)
    )
    client.force_login(outsider)
    assert client.get(reverse("decision_update", args=[decision.pk])).status_code == 404


def test_a_decision_before_the_procedure_opened_is_refused_on_its_date(client, owner, procedure):
    client.force_login(owner)
    response = client.post(
        reverse("decision_add", args=[procedure.pk]),
        {"kind": "judgment_correctionnel", "decided_on": "2024-01-10"},
    )
    assert response.status_code == 200
    assert "decided_on" in response.context["form"].errors
    assert not Decision.objects.exists()
    assert not Deadline.objects.exists()


def test_the_owner_records_another_step_that_interrupts_prescription(client, owner, procedure):
    client.force_login(owner)
    assert client.get(reverse("event_add", args=[procedure.pk])).status_code == 200
    response = client.post(
        reverse("event_add", args=[procedure.pk]),
        {
            "kind": EventKind.CUSTODY,
            "occurred_on": "2024-06-25",
            "title": "Garde à vue du propriétaire",
            "interrupts_prescription": "on",
        },
    )
    assert response.status_code == 302
    assert Event.objects.get(kind=EventKind.CUSTODY).interrupts_prescription


# --- Filings and their eligibility ---------------------------------------------------------------


def test_the_owner_files_as_partie_civile_with_the_eligibility_of_the_day(client, owner, procedure):
    client.force_login(owner)
    page = client.get(reverse("filing_add", args=[procedure.pk]))
    html = page.content.decode()
    assert 'id="eligibility-panel"' in html and "js/eligibility.js" in html
    assert reverse("filing_eligibility", args=[procedure.pk]) in html
    assert "<script>" not in html  # no inline script
    assert finders.find("js/eligibility.js")
    response = client.post(
        reverse("filing_add", args=[procedure.pk]),
        {"mode": "art87", "legal_basis": "2-3", "status": "filed", "filed_on": "2025-05-15"},
    )
    assert response.status_code == 302
    filing = Filing.objects.get()
    assert filing.eligibility_snapshot["applicable_articles"] == ["2-3"]


def test_a_filing_no_article_supports_needs_a_reason(client, owner, case, dunkerque):
    procedure = services.procedure_create(user=owner, case=case, parquet=dunkerque, parquet_reference="X-1")
    client.force_login(owner)
    response = client.post(
        reverse("filing_add", args=[procedure.pk]), {"mode": "art87", "legal_basis": "2-3", "status": "draft"}
    )
    assert response.status_code == 400
    assert "override_reason" in response.context["form"].errors
    assert not Filing.objects.exists()
    assert "le dépôt exige un motif" in response.content.decode()


def test_a_filed_filing_needs_its_date_on_the_date_field(client, owner, procedure):
    client.force_login(owner)
    response = client.post(
        reverse("filing_add", args=[procedure.pk]), {"mode": "art87", "legal_basis": "2-3", "status": "filed"}
    )
    assert list(response.context["form"].errors) == ["filed_on"]
    assert not Filing.objects.exists()


def test_the_owner_updates_a_filing(client, owner, records):
    client.force_login(owner)
    url = reverse("filing_update", args=[records["filing"].pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"mode": "art87", "legal_basis": "2-3", "status": "admitted", "filed_on": "2025-05-15", "damages_claimed": "1"},
    )
    assert response.status_code == 302
    assert Filing.objects.get().status == FilingStatus.ADMITTED


def test_the_eligibility_partial_lists_every_article_with_its_conditions(client, owner, procedure):
    client.force_login(owner)
    response = client.get(reverse("filing_eligibility", args=[procedure.pk]), {"legal_basis": "2-22"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment, not a page
    articles = re.findall(r'data-article="([^"]+)"', html)
    assert articles == ["2-2", "2-3", "2-6", "2-9", "2-16", "2-22"]
    assert 'class="eligibility-article applies-yes" data-article="2-3"' in html
    assert "applies-no chosen" in html and "Le fondement 2-22 n'est pas retenu" in html
    assert 'class="condition status-met" data-condition="seniority"' in html
    assert "Source : art. 2-3 CPP" in html


# --- Referrals ----------------------------------------------------------------------------------


def test_the_owner_records_a_referral_and_its_classement(client, owner, case, procedure):
    client.force_login(owner)
    assert client.get(reverse("referral_add", args=[case.pk])).status_code == 200
    response = client.post(
        reverse("referral_add", args=[case.pk]),
        {
            "kind": ReferralKind.ARTICLE_40,
            "author": "Ministre de l'Intérieur",
            "recipient": "Procureur de Dunkerque",
            "sent_on": "2024-05-06",
            "procedures": [procedure.pk],
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    url = reverse("referral_update", args=[referral.pk])
    assert client.get(url).status_code == 200
    client.post(
        url,
        {
            "kind": ReferralKind.ARTICLE_40,
            "author": "Ministre de l'Intérieur",
            "recipient": "Procureur de Dunkerque",
            "sent_on": "2024-05-06",
            "answer_received_on": "2024-09-01",
            "answer": "classement",
        },
    )
    assert Referral.objects.get().answer == "classement"


def test_an_art_40_3_appeal_without_a_classement_is_refused_on_its_field(client, owner, case):
    client.force_login(owner)
    response = client.post(
        reverse("referral_add", args=[case.pk]),
        {
            "kind": ReferralKind.ARTICLE_40,
            "author": "A",
            "recipient": "B",
            "sent_on": "2024-05-06",
            "general_prosecutor_appeal_on": "2024-10-01",
        },
    )
    assert "general_prosecutor_appeal_on" in response.context["form"].errors
    assert not Referral.objects.exists()


# --- Deadlines ----------------------------------------------------------------------------------


def test_the_owner_marks_a_deadline_done_and_returns_to_the_page(client, owner, records):
    client.force_login(owner)
    deadline = records["deadline"]
    response = client.post(reverse("deadline_complete", args=[deadline.pk]), {"next": reverse("deadline_list")})
    assert response["Location"] == reverse("deadline_list")
    assert Deadline.objects.get(pk=deadline.pk).status == DeadlineStatus.DONE
    assert client.get(reverse("deadline_complete", args=[deadline.pk])).status_code == 405


def test_moving_a_due_date_needs_a_reason(client, owner, records):
    client.force_login(owner)
    url = reverse("deadline_override", args=[records["deadline"].pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"due_on": "2025-07-01", "reason": "  "})
    assert "reason" in refused.context["form"].errors
    assert not Deadline.objects.get(pk=records["deadline"].pk).is_overridden
    accepted = client.post(url, {"due_on": "2025-07-01", "reason": "Notification reçue le 20 juin"})
    assert accepted["Location"] == reverse("procedure_detail", args=[records["procedure"].pk])
    deadline = Deadline.objects.get(pk=records["deadline"].pk)
    assert (deadline.due_on, deadline.override_reason) == (date(2025, 7, 1), "Notification reçue le 20 juin")


def test_a_due_date_in_year_9999_is_refused_on_its_field(client, owner, records):
    client.force_login(owner)
    url = reverse("deadline_override", args=[records["deadline"].pk])
    refused = client.post(url, {"due_on": "9999-12-31", "reason": "Faute de frappe"})
    assert refused.status_code == 200 and "due_on" in refused.context["form"].errors
    assert not Deadline.objects.get(pk=records["deadline"].pk).is_overridden


def test_the_calendar_feed_survives_the_last_representable_day(owner, records):
    from procedures.calendar import deadlines_ics

    Deadline.objects.filter(pk=records["deadline"].pk).update(due_on=date.max, override_reason="Ancienne saisie")
    assert b"99991231" in deadlines_ics(owner)


def test_a_deadline_without_object_keeps_why(client, owner, records):
    client.force_login(owner)
    url = reverse("deadline_cancel", args=[records["deadline"].pk])
    assert client.get(url).status_code == 200
    assert "reason" in client.post(url, {"reason": ""}).context["form"].errors
    client.post(url, {"reason": "Ordonnance non susceptible d'appel par la partie civile"})
    deadline = Deadline.objects.get(pk=records["deadline"].pk)
    assert deadline.status == DeadlineStatus.CANCELLED
    assert deadline.notes.startswith("Ordonnance")


@pytest.fixture
def my_deadlines(owner, case):
    procedure = ProcedureFactory(case=case, parquet_reference="DL-1")
    later = DeadlineFactory(procedure=procedure, owner=owner, due_on=date(2025, 6, 20), trigger_date=date(2025, 6, 10))
    overdue = DeadlineFactory(
        procedure=procedure,
        owner=owner,
        rule="pourvoi",
        due_on=date(2025, 6, 5),
        trigger_date=date(2025, 5, 30),
        status=DeadlineStatus.MISSED,
    )
    soon = DeadlineFactory(procedure=procedure, owner=owner, rule="opposition", due_on=date(2025, 6, 12))
    done = DeadlineFactory(
        procedure=procedure, owner=owner, rule="appeal_assises", due_on=date(2025, 6, 1), status=DeadlineStatus.DONE
    )
    return {"later": later, "overdue": overdue, "soon": soon, "done": done}


def test_my_deadlines_panel_lists_them_by_due_date_with_the_overdue_one_in_red(client, owner, my_deadlines, settings):
    settings.HOME_PANELS = {"lawyer": [DEADLINES_PANEL], "staff": [], "admin": []}
    client.force_login(owner)
    with frozen(date(2025, 6, 10)):
        html = client.get(reverse("home")).content.decode()
    panel = html[html.index('id="panel-deadlines"') :]
    items = re.findall(r'<li class="([^"]*)">\s*<time datetime="([^"]+)"', panel)
    assert items == [("deadline overdue", "2025-06-05"), ("deadline", "2025-06-12"), ("deadline", "2025-06-20")]
    assert "Pourvoi en cassation" in panel or "(art. 568 CPP)" in panel
    assert "ACPE-T-001" in panel
    assert reverse("procedure_detail", args=[my_deadlines["soon"].procedure_id]) in panel
    assert reverse("deadline_list") in panel


def test_my_deadlines_panel_shows_at_most_fifteen(client, owner, case, settings):
    settings.HOME_PANELS = {"lawyer": [DEADLINES_PANEL], "staff": [], "admin": []}
    procedure = ProcedureFactory(case=case)
    for day in range(1, 18):
        DeadlineFactory(procedure=procedure, owner=owner, due_on=date(2025, 7, day), trigger_date=date(2025, 6, day))
    client.force_login(owner)
    with frozen(date(2025, 6, 10)):
        html = client.get(reverse("home")).content.decode()
    assert html.count('<li class="deadline') == 15
    assert "2025-07-16" not in html


def test_the_deadline_page_hides_closed_deadlines_unless_asked(client, owner, my_deadlines):
    client.force_login(owner)
    with frozen(date(2025, 6, 10)):
        html = client.get(reverse("deadline_list")).content.decode()
        everything = client.get(reverse("deadline_list"), {"tous": "1"}).content.decode()
    assert "01/06/2025" not in html
    assert re.findall(r"<td>(\d\d/\d\d/2025)</td>", html) == ["05/06/2025", "12/06/2025", "20/06/2025"]
    assert 'class="deadline overdue"' in _row(html, "05/06/2025")
    assert "overdue" not in _row(html, "12/06/2025")
    assert "01/06/2025" in everything
    assert "overdue" not in _row(everything, "01/06/2025")


def test_the_deadline_page_query_count_does_not_grow_with_deadlines(client, owner, case):
    procedure = ProcedureFactory(case=case)
    DeadlineFactory(procedure=procedure, owner=owner, trigger_date=date(2025, 6, 1))
    client.force_login(owner)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("deadline_list"))
    for day in range(2, 6):
        DeadlineFactory(procedure=procedure, owner=owner, trigger_date=date(2025, 6, day))
    with CaptureQueriesContext(connection) as five:
        html = client.get(reverse("deadline_list")).content.decode()
    assert html.count('<tr class="deadline') == 5
    assert len(five) == len(one)


# --- The case page ------------------------------------------------------------------------------


def test_the_case_page_shows_procedures_referrals_and_the_timeline_in_date_order(
    client, owner, case, dunkerque, paris, settings
):
    settings.CASE_PAGE_SECTIONS = [CASE_SECTION]
    services.event_record(
        user=owner, case=case, kind=EventKind.OTHER, occurred_on=date(2024, 6, 25), title="Fermeture du site"
    )
    procedure = services.procedure_create(
        user=owner, case=case, parquet=dunkerque, parquet_reference="24/1", opened_on=date(2024, 4, 26)
    )
    services.referral_record(
        user=owner,
        case=case,
        kind=ReferralKind.ARTICLE_40,
        author="Ministre de l'Intérieur",
        recipient="Procureur de la République de Dunkerque",
        recipient_parquet=dunkerque,
        sent_on=date(2024, 5, 6),
        answer_received_on=date(2024, 9, 1),
        answer="classement",
    )
    services.procedure_transfer(
        user=owner, procedure=procedure, parquet=paris, parquet_reference="24/9", transferred_on=date(2024, 12, 1)
    )
    client.force_login(owner)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'id="procedures"' in html
    assert reverse("procedure_create", args=[case.pk]) in html and reverse("referral_add", args=[case.pk]) in html
    assert "Parquet de test Dunkerque</a> → <strong>Parquet de test Paris</strong>" in html
    referral_row = _row(html, "Ministre de l&#x27;Intérieur")
    assert "Reçue le 01/09/2024" in referral_row
    assert "recours possible auprès du procureur général" in referral_row
    timeline = html[html.index('id="chronologie"') :]
    days = re.findall(r'<time datetime="([\d-]+)"', timeline)
    assert days == sorted(days) and len(days) == 5
    assert timeline.index("Procédure ouverte") < timeline.index("Signalement article 40") < timeline.index("Fermeture")


def test_the_case_page_warns_of_an_offence_close_to_prescription(client, owner, case, settings):
    settings.CASE_PAGE_SECTIONS = [CASE_SECTION]
    procuring = OffenceFactory(label="Proxénétisme (test)", article="225-5")
    rape = OffenceFactory(label="Viol (test)", article="222-23", nature="crime")
    for offence in (procuring, rape):
        CaseOffence.objects.create(case=case, offence=offence)
    VictimFactory(case=case, pseudonym="V-001", birth_date=date(1990, 1, 1))
    # Facts of 1 March 2024: a délit can be prosecuted until 1 March 2030, a crime until 1 March 2044.
    with frozen(date(2029, 12, 15)):
        client.force_login(owner)
        html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    section = html[html.index('id="prescription"') :]
    close = _row(section, "Proxénétisme (test)")
    assert 'class="prescription warning"' in close and "01/03/2030" in close
    far = _row(section, "Viol (test)")
    assert "warning" not in far and "01/03/2044" in far


def test_the_prescription_counts_from_majority_without_showing_the_birth_date(
    client, colleague, case, victim, images_offence, settings
):
    settings.CASE_PAGE_SECTIONS = [CASE_SECTION]
    client.force_login(colleague)
    with frozen(date(2025, 1, 1)):
        html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    row = _row(html[html.index('id="prescription"') :], "Images pédopornographiques (test)")
    # Born 15 June 2009: majority 15 June 2027, ten years more for a délit of art. 706-47 (art. 8 al. 2).
    # Staff may not see identities: the exact date (15/06/2037) would give the birth date away.
    assert "en 2037" in row and "15/06/2037" not in html and "15/06" not in row
    assert "majorité" in row
    assert "15/06/2009" not in html and "15/06/2027" not in html and "2009-06-15" not in html


def test_the_lawyer_sees_the_exact_prescription_date_counted_from_majority(
    client, owner, case, victim, images_offence, settings
):
    settings.CASE_PAGE_SECTIONS = [CASE_SECTION]
    client.force_login(owner)
    with frozen(date(2025, 1, 1)):
        html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    row = _row(html[html.index('id="prescription"') :], "Images pédopornographiques (test)")
    assert "15/06/2037" in row


def test_the_case_section_query_count_does_not_grow_with_procedures(owner, case, dunkerque, rf):
    from cases.selectors import case_access
    from procedures.panels import case_procedures_section

    request = rf.get("/")
    request.user = owner
    ProcedureFactory(case=case, parquet=dunkerque, parquet_reference="Q-0")
    access = case_access(owner, case)
    with CaptureQueriesContext(connection) as one:
        case_procedures_section(request, case=case, access=access)
    for number in range(1, 5):
        ProcedureFactory(case=case, parquet=dunkerque, parquet_reference=f"Q-{number}")
    with CaptureQueriesContext(connection) as five:
        html = case_procedures_section(request, case=case, access=access)
    assert html.count('<tr class="procedure">') == 5
    assert len(five) == len(one)


def test_staff_home_lists_the_hearings_of_the_next_thirty_days_of_their_association_only(
    client, colleague, outsider, case, other_association
):
    procedure = ProcedureFactory(case=case)
    foreign = ProcedureFactory(case=CaseFactory(association=other_association, reference="SOS-T-009"))

    def hearing(proc, day, hour=14, status=HearingStatus.SCHEDULED, court="Tribunal correctionnel de Valenciennes"):
        return Hearing.objects.create(
            procedure=proc, starts_at=datetime(2025, day[0], day[1], hour, tzinfo=PARIS), court=court, status=status
        )

    hearing(procedure, (6, 20), court="Tribunal correctionnel de Valenciennes, 6e chambre")
    hearing(procedure, (6, 12), hour=9, court="Cour d'appel de Douai")
    hearing(procedure, (6, 15), status=HearingStatus.CANCELLED, court="Audience annulée")
    hearing(procedure, (8, 1), court="Trop lointaine")
    hearing(foreign, (6, 13), court="Audience d'une autre association")
    client.force_login(colleague)

    with frozen(date(2025, 6, 10)):
        html = client.get(reverse("home")).content.decode()

    panel = html[html.index('id="panel-hearings"') : html.index("</section>", html.index('id="panel-hearings"'))]
    assert re.findall(r'<time datetime="([^"]+)">', panel) == ["2025-06-12T09:00:00+02:00", "2025-06-20T14:00:00+02:00"]
    assert "12/06/2025 09:00" in panel and "ACPE-T-001" in panel
    for absent in ("Audience annulée", "Trop lointaine", "autre association", "SOS-T-009"):
        assert absent not in panel
    assert reverse("procedure_detail", args=[procedure.pk]) in panel


def test_the_hearings_panel_says_when_there_is_none(client, colleague):
    client.force_login(colleague)
    html = client.get(reverse("home")).content.decode()
    assert "Aucune audience prévue dans les 30 prochains jours." in html


def test_the_hearing_dossier_button_shows_only_where_the_member_may_print(
    client, colleague, case, association, other_association
):
    from cases.models import CaseShare, ShareAccess

    foreign_case = CaseFactory(association=other_association, reference="SOS-T-010")
    CaseShare.objects.create(case=foreign_case, association=association, access=ShareAccess.READ)
    own = Hearing.objects.create(
        procedure=ProcedureFactory(case=case), starts_at=datetime(2025, 6, 12, 9, tzinfo=PARIS)
    )
    shared = Hearing.objects.create(
        procedure=ProcedureFactory(case=foreign_case), starts_at=datetime(2025, 6, 13, 9, tzinfo=PARIS)
    )
    client.force_login(colleague)
    with frozen(date(2025, 6, 10)):
        html = client.get(reverse("home")).content.decode()
    assert reverse("hearing_dossier_request", args=[own.pk]) in html
    assert reverse("case_detail", args=[foreign_case.pk]) in html  # the shared hearing is listed
    assert reverse("hearing_dossier_request", args=[shared.pk]) not in html  # but not printable
