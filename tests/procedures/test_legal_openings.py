"""What a decision, an order, a step, a hearing, a referral or a filing opens, and for whom: only the
association's own deadlines reach « Mes délais », reminders and the calendar; the other parties'
periods are information (issue: legal rules you can rely on)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from procedures import services
from procedures.calendar import deadlines_ics
from procedures.models import CourtClosure, Deadline, DeadlineParty, Event, EventKind, Filing
from procedures.selectors import deadline_list_for_user, deadlines_due
from tests.factories import OffenceFactory, ParquetFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def procedure(owner, case, parquet):
    return services.procedure_create(
        user=owner,
        case=case,
        parquet=parquet,
        parquet_reference="24 068 000 123",
        opened_on=date(2024, 1, 15),
        stage="jugement",
    )


@pytest.fixture
def instruction(owner, case, parquet):
    return services.procedure_create(
        user=owner,
        case=case,
        parquet=parquet,
        parquet_reference="JI-1",
        opened_on=date(2015, 1, 15),
        stage="instruction",
    )


def _deadlines(**filters):
    return {(d.rule, d.due_on, d.party) for d in Deadline.objects.filter(**filters)}


def _own(procedure):
    return {(d.rule, d.due_on) for d in procedure.deadlines.own()}


# --- Pourvoi (art. 568, loi 2023-1059) -------------------------------------------------------------


def test_a_pourvoi_against_an_arret_of_2_june_2025_runs_ten_jours_francs(owner, procedure):
    services.decision_record(user=owner, procedure=procedure, kind="appeal_judgment", decided_on=date(2025, 6, 2))
    deadline = procedure.deadlines.get(rule="pourvoi")
    assert deadline.due_on == date(2025, 6, 13)
    assert "2023-1059" in deadline.rule_version
    assert any("13/06/2025" in line for line in deadline.explanation_lines)


def test_a_pourvoi_against_an_arret_before_30_september_2024_keeps_five_jours_francs(owner, procedure):
    services.decision_record(user=owner, procedure=procedure, kind="appeal_judgment", decided_on=date(2024, 9, 27))
    # Friday 27 Sept. 2024 + 6 = Thursday 3 October 2024.
    assert procedure.deadlines.get(rule="pourvoi").due_on == date(2024, 10, 3)


# --- Judgments « par défaut »: the association's appeal runs from the prononcé ------------------------


def test_a_default_judgment_against_the_prevenu_runs_the_associations_appeal_from_the_prononce(owner, procedure):
    # Judgment Monday 1 December 2025, association represented: 10 days → Thursday 11 December.
    services.decision_record(
        user=owner,
        procedure=procedure,
        kind="judgment_correctionnel",
        decided_on=date(2025, 12, 1),
        prevenu_character="defaut",
        association_presence="present",
        prevenu_served_on=date(2025, 12, 22),
    )
    assert procedure.deadlines.own().get(rule="appeal_correctionnel").due_on == date(2025, 12, 11)
    opposition = procedure.deadlines.get(rule="opposition")
    assert (opposition.party, opposition.owner, opposition.due_on) == (DeadlineParty.PREVENU, None, date(2026, 1, 2))


def test_an_association_absent_and_not_told_the_date_appeals_from_its_signification(owner, procedure):
    decision = services.decision_record(
        user=owner,
        procedure=procedure,
        kind="judgment_correctionnel",
        decided_on=date(2025, 12, 1),
        association_presence="absent_not_informed",
    )
    assert not procedure.deadlines.own().filter(rule="appeal_correctionnel").exists()
    assert any("498 al. 2" in line for line in services.decision_waiting(decision))
    services.decision_update(user=owner, decision=decision, notified_on=date(2025, 12, 22))
    assert procedure.deadlines.own().get(rule="appeal_correctionnel").due_on == date(2026, 1, 2)


def test_an_association_absent_but_told_the_date_appeals_from_the_prononce(owner, procedure):
    services.decision_record(
        user=owner,
        procedure=procedure,
        kind="judgment_correctionnel",
        decided_on=date(2025, 12, 1),
        association_presence="absent_informed",
        notified_on=date(2025, 12, 22),
    )
    assert procedure.deadlines.own().get(rule="appeal_correctionnel").due_on == date(2025, 12, 11)


def test_opposition_is_never_the_associations_deadline(owner, procedure):
    services.decision_record(
        user=owner,
        procedure=procedure,
        kind="judgment_correctionnel",
        decided_on=date(2025, 12, 1),
        prevenu_character="defaut",
        prevenu_served_on=date(2025, 12, 22),
    )
    with time_machine.travel(datetime(2025, 12, 26, 9, tzinfo=PARIS)):
        mine = {d.rule for d in deadline_list_for_user(owner)}
        ics = deadlines_ics(owner).decode()
        due_soon = {d.rule for days in (7, 3, 1) for d in deadlines_due(date(2025, 12, 26), days_ahead=days)}
    assert "opposition" not in mine
    assert "appeal_procureur_general" not in mine
    assert "Opposition" not in ics
    assert "opposition" not in due_soon
    assert Deadline.objects.filter(rule="opposition").exists()


def test_other_parties_periods_are_not_marked_missed(owner, procedure):
    services.decision_record(
        user=owner, procedure=procedure, kind="judgment_correctionnel", decided_on=date(2025, 12, 1)
    )
    services.deadlines_mark_missed(today=date(2026, 6, 1))
    assert set(Deadline.objects.others().values_list("status", flat=True)) == {"open"}
    assert set(Deadline.objects.own().values_list("status", flat=True)) == {"missed"}


# --- Art. 420-1: first instance only ---------------------------------------------------------------


def _hearing(owner, procedure, day, **extra):
    return services.hearing_record(
        user=owner,
        procedure=procedure,
        starts_at=datetime.combine(day, time(9), tzinfo=PARIS),
        court="Chambre des appels correctionnels",
        **extra,
    )


@time_machine.travel(datetime(2025, 5, 1, tzinfo=PARIS))
def test_a_hearing_on_appeal_opens_no_art_420_1_letter(owner, procedure):
    procedure.stage = "appel"
    procedure.save()
    _hearing(owner, procedure, date(2025, 6, 16))
    assert not Deadline.objects.filter(rule="letter_420_1").exists()


@time_machine.travel(datetime(2025, 5, 1, tzinfo=PARIS))
def test_a_first_instance_hearing_still_opens_the_art_420_1_letter(owner, procedure):
    _hearing(owner, procedure, date(2025, 6, 16))
    assert procedure.deadlines.get(rule="letter_420_1").due_on == date(2025, 6, 13)


@time_machine.travel(datetime(2025, 5, 1, tzinfo=PARIS))
def test_a_citation_directe_opens_the_art_552_delai_de_comparution(owner, procedure):
    _hearing(owner, procedure, date(2025, 6, 16), summoned_by_association=True, defendant_residence="eu")
    deadline = procedure.deadlines.get(rule="citation_552_eu")
    assert deadline.due_on < date(2025, 5, 16)
    assert deadline.party == DeadlineParty.ASSOCIATION


def test_a_first_constitution_at_the_appeal_stage_is_refused(owner, procedure):
    procedure.stage = "appel"
    procedure.save()
    with pytest.raises(ValidationError) as error:
        services.filing_submit(
            user=owner,
            procedure=procedure,
            mode="art420_1",
            legal_basis="none",
            status="filed",
            filed_on=date(2025, 6, 1),
            override_reason="",
        )
    assert "mode" in error.value.message_dict
    assert "première constitution" in error.value.message_dict["mode"][0]
    assert not Filing.objects.exists()


# --- Instruction orders (art. 186, 186-1, 186-3) ---------------------------------------------------


@pytest.mark.parametrize(
    ("order_kind", "opens"),
    [
        ("non_lieu", True),
        ("non_informer", True),
        ("acts_refused", True),
        ("referral_correctionnel", True),
        ("jurisdiction", True),
        ("indictment", False),
        ("other", False),
    ],
)
def test_only_the_orders_of_articles_186_186_1_and_186_3_open_the_partie_civiles_appeal(
    owner, instruction, order_kind, opens
):
    services.decision_record(
        user=owner,
        procedure=instruction,
        kind="instruction_order",
        order_kind=order_kind,
        decided_on=date(2016, 4, 12),
        notified_on=date(2016, 4, 14),
    )
    own = _own(instruction)
    assert (("appeal_instruction_order", date(2016, 4, 25)) in own) is opens


def test_an_instruction_order_needs_its_kind(owner, instruction):
    with pytest.raises(ValidationError) as error:
        services.decision_record(
            user=owner, procedure=instruction, kind="instruction_order", decided_on=date(2024, 1, 5)
        )
    assert "order_kind" in error.value.message_dict


# --- Art. 175: requests only after the declaration of 175 III ---------------------------------------


def _step(owner, procedure, kind, day):
    return services.event_record(
        user=owner, case=procedure.case, procedure=procedure, kind=kind, occurred_on=day, title=kind
    )


def test_the_avis_175_opens_only_the_declaration_then_the_declaration_opens_the_requests(owner, instruction):
    _step(owner, instruction, EventKind.AVIS_175, date(2025, 4, 28))
    assert {rule for rule, _day in _own(instruction)} == {"art175_intent"}
    _step(owner, instruction, EventKind.DECLARATION_175, date(2025, 5, 5))
    # Three months from the avis (28 April) → Monday 28 July 2025.
    assert ("art175_requests", date(2025, 7, 28)) in _own(instruction)


def test_observations_after_the_requisitoire_need_the_declaration(owner, instruction):
    _step(owner, instruction, EventKind.AVIS_175, date(2025, 4, 28))
    _step(owner, instruction, EventKind.REQUISITOIRE, date(2025, 8, 1))
    assert not instruction.deadlines.filter(rule="art175_observations").exists()


def test_an_avis_of_before_june_2019_opens_the_requests_without_a_declaration(owner, instruction):
    _step(owner, instruction, EventKind.AVIS_175, date(2019, 3, 4))
    rules = {rule for rule, _day in _own(instruction)}
    assert "art175_requests" in rules
    assert "art175_intent" not in rules


# --- Art. 85: from a complaint to the procureur, never for a crime -------------------------------


def _complaint(owner, procedure, lodged_with, association):
    return services.referral_record(
        user=owner,
        case=procedure.case,
        procedures=[procedure],
        kind="plainte_simple",
        author="L'association",
        author_association=association,
        recipient="Procureur de la République",
        lodged_with=lodged_with,
        sent_on=date(2025, 1, 15),
    )


@pytest.mark.parametrize(("lodged_with", "opens"), [("procureur", True), ("police_copy", True), ("police", False)])
def test_the_art_85_waiting_period_runs_only_from_a_complaint_to_the_procureur(
    owner, procedure, association, lodged_with, opens
):
    _complaint(owner, procedure, lodged_with, association)
    assert procedure.deadlines.filter(rule="pacpc_after_complaint").exists() is opens


def test_there_is_no_art_85_waiting_period_for_a_crime(owner, procedure, association):
    procedure.offences.set([OffenceFactory(article="222-23", nature="crime")])
    _complaint(owner, procedure, "procureur", association)
    assert not procedure.deadlines.filter(rule="pacpc_after_complaint").exists()


def test_an_association_acting_under_2_3_cannot_start_the_public_action_by_a_pacpc(owner, instruction, association):
    with pytest.raises(ValidationError) as error:
        services.filing_submit(
            user=owner,
            procedure=instruction,
            mode="art85",
            legal_basis="2-3",
            status="draft",
            override_reason="Dépôt voulu",
        )
    assert "mise en mouvement" in error.value.message_dict["mode"][0]


def test_2_3_al_2_lets_a_registered_association_file_a_pacpc_for_227_23(owner, instruction, association):
    association.ministry_approved = True
    association.save()
    instruction.offences.set([OffenceFactory(article="227-23", nature="delit")])
    filing = services.filing_submit(
        user=owner, procedure=instruction, mode="art85", legal_basis="2-3", status="draft", override_reason="2-3 al. 2"
    )
    assert filing.pk


# --- Art. 88: the consignation ----------------------------------------------------------------------


def test_the_consignation_date_set_by_the_judge_is_a_deadline_done_once_paid(owner, instruction):
    filing = services.filing_submit(
        user=owner,
        procedure=instruction,
        mode="art87",
        legal_basis="none",
        status="draft",
        override_reason="Test",
        consignation_amount=1500,
        consignation_due_on=date(2025, 3, 15),
    )
    deadline = instruction.deadlines.get(rule="consignation_88")
    assert (deadline.due_on, deadline.party, deadline.status) == (date(2025, 3, 15), "association", "open")
    services.filing_update(user=owner, filing=filing, consignation_paid_on=date(2025, 3, 10))
    deadline.refresh_from_db()
    assert (deadline.status, deadline.completed_on) == ("done", date(2025, 3, 10))


# --- Holidays: a customary overseas day extends only a recorded closure ------------------------


def test_a_recorded_closure_of_the_court_extends_a_deadline(owner, case):
    parquet = ParquetFactory(name="Parquet de Pointe-à-Pitre", holiday_subdivision="971")
    procedure = services.procedure_create(
        user=owner, case=case, parquet=parquet, parquet_reference="PAP-1", stage="jugement"
    )
    # Judgment Tuesday 8 April 2025: 10 days → Friday 18 April 2025, Good Friday (customary in 971).
    services.decision_record(
        user=owner, procedure=procedure, kind="judgment_correctionnel", decided_on=date(2025, 4, 8)
    )
    assert procedure.deadlines.get(rule="appeal_correctionnel").due_on == date(2025, 4, 18)
    CourtClosure.objects.create(parquet=parquet, closed_on=date(2025, 4, 18), reason="Vendredi saint")
    other = services.procedure_create(
        user=owner, case=case, parquet=parquet, parquet_reference="PAP-2", stage="jugement"
    )
    services.decision_record(user=owner, procedure=other, kind="judgment_correctionnel", decided_on=date(2025, 4, 8))
    deadline = other.deadlines.get(rule="appeal_correctionnel")
    assert deadline.due_on == date(2025, 4, 22)
    assert any("fermeture" in line.lower() for line in deadline.explanation_lines)


# --- Prescription inputs: what interrupts ----------------------------------------------------------


def test_registering_a_procedure_does_not_interrupt_prescription(procedure, case):
    assert not Event.objects.get(kind="procedure_opened").interrupts_prescription


def test_a_classement_does_not_interrupt_and_an_alternative_suspends(owner, procedure):
    services.decision_record(
        user=owner, procedure=procedure, kind="prosecutor_decision", decided_on=date(2024, 3, 1), outcome="classement"
    )
    services.decision_record(
        user=owner, procedure=procedure, kind="prosecutor_decision", decided_on=date(2024, 4, 1), outcome="alternative"
    )
    events = {e.occurred_on: e for e in Event.objects.filter(kind="decision")}
    assert not events[date(2024, 3, 1)].interrupts_prescription
    assert not events[date(2024, 3, 1)].suspends_prescription
    assert events[date(2024, 4, 1)].suspends_prescription
    assert not events[date(2024, 4, 1)].interrupts_prescription


def test_a_classement_notified_before_three_months_ends_the_art_85_wait(owner, procedure, association):
    referral = _complaint(owner, procedure, "procureur", association)
    services.referral_update(user=owner, referral=referral, answer="classement", answer_received_on=date(2025, 2, 20))
    deadline = procedure.deadlines.get(rule="pacpc_after_complaint")
    assert (deadline.computed_due_on, deadline.due_on) == (date(2025, 4, 16), date(2025, 2, 20))
    assert "85 al. 2" in deadline.override_reason
