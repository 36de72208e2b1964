"""Procedures workflows: each writes its timeline step and opens the CPP deadlines, atomically."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from cases import services as case_services
from procedures import services
from procedures.models import Deadline, Decision, Event, Filing, Hearing, Procedure
from procedures.selectors import case_timeline, procedure_get
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


def test_a_procedure_writes_its_opening_step_in_the_timeline(procedure, case):
    steps = list(case_timeline(case))
    assert [step.kind for step in steps] == ["procedure_opened"]
    # Registering a procedure is not an act of art. 9-2 CPP.
    assert not steps[0].interrupts_prescription


def test_a_parquet_reference_is_unique_per_parquet_whatever_its_spacing_and_case(owner, case, parquet, procedure):
    with pytest.raises(ValidationError) as error:
        services.procedure_create(user=owner, case=case, parquet=parquet, parquet_reference="24 068  000 123 ")
    assert "déjà enregistré" in str(error.value)
    assert Procedure.objects.count() == 1


def test_another_association_may_follow_the_same_parquet_number(outsider, other_association, parquet, procedure):
    from tests.factories import CaseFactory

    their_case = CaseFactory(association=other_association)
    assert services.procedure_create(
        user=outsider, case=their_case, parquet=parquet, parquet_reference="24 068 000 123"
    ).pk


def test_staff_and_outsiders_cannot_write_procedures(colleague, outsider, case, parquet):
    with pytest.raises(PermissionDenied):
        services.procedure_create(user=colleague, case=case, parquet=parquet, parquet_reference="1")
    with pytest.raises(PermissionDenied):
        services.procedure_create(user=outsider, case=case, parquet=parquet, parquet_reference="1")


def test_an_outsider_gets_404_on_a_procedure(outsider, procedure):
    with pytest.raises(Http404):
        procedure_get(outsider, procedure.pk)


def test_a_transfer_keeps_the_chain_of_parquets(owner, procedure):
    paris = ParquetFactory(name="Parquet de Paris")
    successor = services.procedure_transfer(
        user=owner, procedure=procedure, parquet=paris, parquet_reference="JUNALCO-1", transferred_on=date(2024, 2, 1)
    )
    assert [p.parquet.name for p in successor.parquet_chain()] == ["Parquet de Valenciennes", "Parquet de Paris"]
    procedure.refresh_from_db()
    assert procedure.outcome == "transferred"


def test_a_correctionnel_judgment_opens_the_appeal_deadline_of_article_498(owner, procedure):
    # Judgment Monday 19 May 2025: 10 days → Thursday 29 May 2025 is Ascension → Friday 30 May.
    services.decision_record(
        user=owner,
        procedure=procedure,
        kind="judgment_correctionnel",
        decided_on=date(2025, 5, 19),
        outcome="conviction",
    )
    deadline = Deadline.objects.own().get()
    assert (deadline.rule, deadline.due_on, deadline.owner) == ("appeal_correctionnel", date(2025, 5, 30), owner)
    procedure.refresh_from_db()
    assert procedure.outcome == "conviction"


def test_a_default_judgment_opens_the_prevenus_opposition_from_the_signification_as_information(owner, procedure):
    # Signified to the prévenu Monday 22 December 2025: 10 days → 1 January 2026 is a holiday → Friday 2 January.
    services.decision_record(
        user=owner,
        procedure=procedure,
        kind="judgment_correctionnel",
        decided_on=date(2025, 12, 1),
        prevenu_character="defaut",
        prevenu_served_on=date(2025, 12, 22),
    )
    assert {
        (d.rule, d.due_on, d.party) for d in Deadline.objects.filter(rule__in=["opposition", "appeal_correctionnel"])
    } == {
        ("appeal_correctionnel", date(2025, 12, 11), "association"),
        ("opposition", date(2026, 1, 2), "prevenu"),
    }


def test_deadlines_follow_the_parquets_holidays(owner, case):
    # Art. 175 observations, 1 month from 25 November 2025 → 25 December; Moselle also rests on 26 December.
    metz = ParquetFactory(name="Parquet de Metz", holiday_subdivision="57")
    procedure = services.procedure_create(
        user=owner, case=case, parquet=metz, parquet_reference="M-1", stage="instruction"
    )
    services.event_record(
        user=owner,
        case=case,
        procedure=procedure,
        kind="declaration_175",
        occurred_on=date(2025, 9, 1),
        title="Déclaration de l'art. 175 III",
    )
    services.event_record(
        user=owner,
        case=case,
        procedure=procedure,
        kind="requisitoire",
        occurred_on=date(2025, 11, 25),
        title="Réquisitoire définitif",
    )
    assert Deadline.objects.get(rule="art175_observations").due_on == date(2025, 12, 29)


def test_recording_the_same_judgment_twice_opens_one_deadline(owner, procedure):
    for _ in range(2):
        services.decision_record(
            user=owner, procedure=procedure, kind="judgment_correctionnel", decided_on=date(2025, 5, 19)
        )
    assert Deadline.objects.own().count() == 1
    assert Deadline.objects.count() == 3  # and the procureur's and the procureur général's, as information
    assert Decision.objects.count() == 2


def test_another_partys_appeal_opens_the_incidental_appeal(owner, procedure, case):
    services.decision_record(
        user=owner, procedure=procedure, kind="judgment_correctionnel", decided_on=date(2025, 3, 5)
    )
    services.event_record(
        user=owner,
        case=case,
        procedure=procedure,
        kind="appeal",
        occurred_on=date(2025, 3, 10),
        title="Appel du prévenu",
    )
    incident = Deadline.objects.get(rule="appeal_incident")
    # Judgment Wed 5 March 2025: appeal ends Sat 15 → Mon 17 March; +5 = Sat 22 → Mon 24 March.
    assert incident.due_on == date(2025, 3, 24)


def test_an_art_175_notice_opens_the_intent_and_the_declaration_the_requests(owner, procedure, case):
    services.event_record(
        user=owner,
        case=case,
        procedure=procedure,
        kind="avis_175",
        occurred_on=date(2025, 4, 23),
        title="Avis de fin d'information",
    )
    assert {(d.rule, d.due_on) for d in Deadline.objects.all()} == {
        ("art175_intent", date(2025, 5, 9)),  # 8 May is a holiday → Friday 9 May
    }
    services.event_record(
        user=owner,
        case=case,
        procedure=procedure,
        kind="declaration_175",
        occurred_on=date(2025, 5, 5),
        title="Déclaration d'intention (art. 175 III)",
    )
    # Art. 175 IV: three months from the avis, once the declaration is made.
    assert Deadline.objects.get(rule="art175_requests").due_on == date(2025, 7, 23)


def test_a_decision_before_the_procedure_opened_is_refused_and_nothing_is_written(owner, procedure):
    with pytest.raises(ValidationError) as error:
        services.decision_record(
            user=owner, procedure=procedure, kind="judgment_correctionnel", decided_on=date(2023, 12, 1)
        )
    assert "decided_on" in error.value.message_dict
    assert not Decision.objects.exists()
    assert not Deadline.objects.exists()
    assert Event.objects.count() == 1


@time_machine.travel(datetime(2025, 6, 1, 10, tzinfo=PARIS), tick=False)
def test_a_past_hearing_cannot_be_recorded_as_upcoming(owner, procedure):
    with pytest.raises(ValidationError) as error:
        services.hearing_record(
            user=owner, procedure=procedure, starts_at=datetime(2025, 5, 1, 14, tzinfo=PARIS), court="TC Valenciennes"
        )
    assert "starts_at" in error.value.message_dict
    assert not Hearing.objects.exists()


@time_machine.travel(datetime(2025, 6, 1, 10, tzinfo=PARIS), tick=False)
def test_an_upcoming_hearing_opens_the_420_1_letter_deadline_until_a_filing_exists(owner, procedure):
    # Hearing Monday 16 June 2025 → letter to be received by Friday 13 June.
    services.hearing_record(
        user=owner, procedure=procedure, starts_at=datetime(2025, 6, 16, 14, tzinfo=PARIS), court="TC Valenciennes"
    )
    assert Deadline.objects.get().due_on == date(2025, 6, 13)


def test_an_unknown_rule_key_is_a_clear_error(procedure, owner):
    from procedures.deadlines import UnknownRuleError

    with pytest.raises(UnknownRuleError, match="appeal_correctionnel"):
        services.deadline_open(
            procedure=procedure, rule="appel_en_retard", trigger_date=date(2025, 1, 1), event=None, owner=owner
        )


def test_a_manual_override_needs_a_reason_and_is_kept_in_history(owner, procedure):
    from pghistory.models import Events

    services.decision_record(
        user=owner, procedure=procedure, kind="judgment_correctionnel", decided_on=date(2025, 5, 19)
    )
    deadline = Deadline.objects.own().get()
    with pytest.raises(ValidationError):
        services.deadline_override(user=owner, deadline=deadline, due_on=date(2025, 5, 28), reason=" ")
    deadline = services.deadline_override(
        user=owner, deadline=deadline, due_on=date(2025, 5, 28), reason="Prudence : audience rapprochée"
    )
    assert deadline.computed_due_on == date(2025, 5, 30) and deadline.due_on == date(2025, 5, 28)
    diff = Events.objects.tracks(deadline).filter(pgh_label="update").get().pgh_diff
    assert diff["due_on"] == ["2025-05-30", "2025-05-28"]


def test_missed_deadlines_are_marked_the_next_day(owner, procedure):
    services.decision_record(
        user=owner, procedure=procedure, kind="judgment_correctionnel", decided_on=date(2025, 5, 19)
    )
    assert services.deadlines_mark_missed(today=date(2025, 5, 30)) == 0
    assert services.deadlines_mark_missed(today=date(2025, 5, 31)) == 1
    assert Deadline.objects.own().get().status == "missed"


# --- Filings and eligibility ------------------------------------------------------------------------


@pytest.fixture
def child_procuring_procedure(owner, case, parquet):
    """ACPE-like association (child protection, declared 1986) and a 14-year-old victim."""
    association = case.association
    association.purposes = ["child_protection", "procuring"]
    association.declared_on = date(1986, 1, 1)
    association.save()
    offence = OffenceFactory(article="225-7", label="Proxénétisme aggravé (mineur)")
    case.offences.add(offence)
    case_services.victim_add(user=owner, case=case, age_at_facts=14)
    return services.procedure_create(
        user=owner, case=case, parquet=parquet, parquet_reference="P-225", stage="instruction"
    )


def test_a_filing_stores_the_eligibility_explanation(owner, child_procuring_procedure):
    filing = services.filing_submit(
        user=owner,
        procedure=child_procuring_procedure,
        mode="art87",
        legal_basis="2-3",
        status="filed",
        filed_on=date(2024, 9, 2),
    )
    assert "2-3" in filing.eligibility_snapshot["applicable_articles"]
    assert Event.objects.filter(kind="filing").count() == 1


def test_a_filing_with_no_applicable_article_needs_a_reason(owner, case, parquet):
    procedure = services.procedure_create(user=owner, case=case, parquet=parquet, parquet_reference="X-1")
    with pytest.raises(ValidationError) as error:
        services.filing_submit(user=owner, procedure=procedure, mode="art87", legal_basis="none", status="draft")
    assert "override_reason" in error.value.message_dict
    assert not Filing.objects.exists()
    filing = services.filing_submit(
        user=owner,
        procedure=procedure,
        mode="art87",
        legal_basis="none",
        status="draft",
        override_reason="Qualification à venir",
    )
    assert filing.eligibility_snapshot["applicable_articles"] == []


def test_a_filing_on_a_procedure_the_user_cannot_see_is_refused(outsider, child_procuring_procedure):
    with pytest.raises(PermissionDenied):
        services.filing_submit(user=outsider, procedure=child_procuring_procedure, mode="art87", legal_basis="2-3")
    assert not Filing.objects.exists()


def test_a_filed_filing_keeps_its_snapshot_when_the_file_changes(owner, child_procuring_procedure, case):
    filing = services.filing_submit(
        user=owner,
        procedure=child_procuring_procedure,
        mode="art87",
        legal_basis="2-3",
        status="filed",
        filed_on=date(2024, 9, 2),
    )
    snapshot = filing.eligibility_snapshot
    case.association.purposes = []
    case.association.save()
    filing = services.filing_update(user=owner, filing=filing, status="admitted")
    assert filing.eligibility_snapshot == snapshot


def test_the_timeline_of_a_case_is_one_ordered_query(owner, procedure, case, django_assert_num_queries):
    services.decision_record(
        user=owner, procedure=procedure, kind="judgment_correctionnel", decided_on=date(2025, 5, 19)
    )
    services.referral_record(
        user=owner,
        case=case,
        kind="article_40",
        author="Ministre de l'Intérieur",
        recipient="Procureur",
        sent_on=date(2024, 5, 6),
    )
    with django_assert_num_queries(1):
        steps = list(case_timeline(case))
    assert [s.occurred_on for s in steps] == sorted(s.occurred_on for s in steps)
    assert [s.kind for s in steps] == ["procedure_opened", "referral", "decision"]


def test_a_plainte_simple_by_the_association_opens_the_pacpc_waiting_period(owner, procedure, case):
    services.referral_record(
        user=owner,
        case=case,
        procedures=[procedure],
        kind="plainte_simple",
        author="ACPE",
        author_association=case.association,
        recipient="Procureur de Valenciennes",
        lodged_with="procureur",
        sent_on=date(2025, 1, 15),
    )
    # 3 months end 15 April 2025; the PACPC is admissible from Wednesday 16 April.
    assert Deadline.objects.get().due_on == date(2025, 4, 16)


def test_an_article_40_answer_before_the_notice_is_refused(owner, case):
    with pytest.raises(ValidationError) as error:
        services.referral_record(
            user=owner,
            case=case,
            kind="article_40",
            author="Ministre",
            recipient="Procureur",
            sent_on=date(2024, 5, 6),
            answer_received_on=date(2024, 5, 1),
        )
    assert "answer_received_on" in error.value.message_dict


def test_an_article_40_3_appeal_is_offered_after_a_classement(owner, case):
    referral = services.referral_record(
        user=owner, case=case, kind="article_40", author="Ministre", recipient="Procureur", sent_on=date(2024, 5, 6)
    )
    assert referral.awaiting_answer
    referral = services.referral_update(
        user=owner, referral=referral, answer="classement", answer_received_on=date(2024, 9, 1)
    )
    assert referral.general_prosecutor_appeal_open
    referral = services.referral_update(user=owner, referral=referral, general_prosecutor_appeal_on=date(2024, 9, 20))
    assert not referral.general_prosecutor_appeal_open


def test_decisions_interrupt_prescription_in_the_timeline(owner, procedure):
    services.decision_record(
        user=owner, procedure=procedure, kind="instruction_order", order_kind="non_lieu", decided_on=date(2025, 2, 3)
    )
    assert Event.objects.get(kind="decision").interrupts_prescription
    assert Deadline.objects.own().get().due_on == date(2025, 2, 13)
    assert timedelta(days=10) == Deadline.objects.own().get().due_on - date(2025, 2, 3)
    # The procureur's own appeal (art. 185) is there as information.
    assert Deadline.objects.others().get().rule == "appeal_instruction_order_procureur"
