"""Every deadline explains itself: on its page, in the calendar feed and in the dossier; and deadlines
computed with a superseded rule version are recomputed, keeping manual overrides, in history."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from procedures import services
from procedures.calendar import deadlines_ics
from procedures.models import Deadline, DeadlineParty
from procedures.nomenclature import court_name, with_names_of
from procedures.services.deadlines import deadlines_recompute

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure(owner, case, parquet):
    return services.procedure_create(
        user=owner, case=case, parquet=parquet, parquet_reference="P-1", opened_on=date(2024, 1, 15), stage="appel"
    )


@pytest.fixture
def pourvoi(owner, procedure):
    # Arrêt of Monday 2 June 2025: 10 jours francs, Whit Monday 9 June in between changes nothing.
    services.decision_record(user=owner, procedure=procedure, kind="appeal_judgment", decided_on=date(2025, 6, 2))
    return procedure.deadlines.get(rule="pourvoi")


def test_the_deadline_page_shows_the_trigger_the_rule_version_and_the_arithmetic(client, owner, pourvoi):
    client.force_login(owner)
    response = client.get(reverse("deadline_detail", args=[pourvoi.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "13/06/2025" in page
    assert "02/06/2025" in page
    assert "2023-1059" in page
    assert "jours francs" in page
    assert "greffe" in page


def test_an_outsider_gets_404_on_a_deadline_page(client, outsider, pourvoi):
    client.force_login(outsider)
    assert client.get(reverse("deadline_detail", args=[pourvoi.pk])).status_code == 404


def test_the_calendar_event_carries_the_explanation(owner, pourvoi):
    ics = deadlines_ics(owner).decode().replace("\r\n ", "")
    assert "2023-1059" in ics
    assert "jours francs" in ics


def test_an_extension_by_art_801_names_the_holiday(owner, procedure):
    # Judgment Thursday 1 May 2025? no: a 10-day appeal from Friday 4 July 2025 ends Monday 14 July
    # (fête nationale) → Tuesday 15 July.
    procedure.stage = "jugement"
    procedure.save()
    services.decision_record(
        user=owner, procedure=procedure, kind="judgment_correctionnel", decided_on=date(2025, 7, 4)
    )
    deadline = procedure.deadlines.get(rule="appeal_correctionnel")
    assert deadline.due_on == date(2025, 7, 15)
    assert any("14/07/2025" in line for line in deadline.explanation_lines)


def test_recomputing_keeps_a_manual_override_and_corrects_a_superseded_pourvoi(owner, procedure, pourvoi):
    other = services.decision_record(
        user=owner, procedure=procedure, kind="appeal_judgment", decided_on=date(2025, 3, 5)
    )
    corrected = procedure.deadlines.get(rule="pourvoi", trigger_date=other.decided_on)
    # As the old engine stored them: 5 jours francs for both, one moved by hand.
    Deadline.objects.filter(pk=pourvoi.pk).update(
        computed_due_on=date(2025, 6, 10), due_on=date(2025, 6, 9), override_reason="Prudence"
    )
    Deadline.objects.filter(pk=corrected.pk).update(computed_due_on=date(2025, 3, 11), due_on=date(2025, 3, 11))
    counts = deadlines_recompute(reason="Pourvoi : 10 jours francs depuis le 30 septembre 2024")
    pourvoi.refresh_from_db()
    corrected.refresh_from_db()
    assert (pourvoi.computed_due_on, pourvoi.due_on, pourvoi.override_reason) == (
        date(2025, 6, 13),
        date(2025, 6, 9),
        "Prudence",
    )
    assert (corrected.computed_due_on, corrected.due_on) == (date(2025, 3, 17), date(2025, 3, 17))
    assert counts["changed"] == 2
    history = corrected.events.order_by("pgh_id").last()
    assert history.pgh_context.metadata["command"] == "recompute_deadlines"


def test_recomputing_moves_another_partys_period_out_of_the_associations_tasks(owner, procedure, pourvoi):
    Deadline.objects.filter(pk=pourvoi.pk).update(rule="opposition", party="association")
    call_command("recompute_deadlines", "--rule", "opposition")
    pourvoi.refresh_from_db()
    assert (pourvoi.party, pourvoi.owner) == (DeadlineParty.PREVENU, None)


def test_the_recompute_command_refuses_an_unknown_rule():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Règle inconnue"):
        call_command("recompute_deadlines", "--rule", "appel_en_retard")


def test_courts_are_named_by_the_code_in_force_on_the_date():
    assert court_name("tribunal_correctionnel", date(2028, 12, 31)) == "tribunal correctionnel"
    assert court_name("tribunal_correctionnel", date(2029, 1, 1)) == "tribunal délictuel"
    assert with_names_of("Jugement du tribunal correctionnel", date(2029, 3, 1)) == "Jugement du tribunal délictuel"
    assert with_names_of("Arrêt de la chambre de l'instruction", date(2024, 3, 1)).endswith("de l'instruction")


def test_the_case_history_says_a_computation_changed_without_dumping_it(owner, case, procedure, pourvoi):
    from cases.history import case_history

    Deadline.objects.filter(pk=pourvoi.pk).update(
        explanation={}, computed_due_on=date(2025, 6, 10), due_on=date(2025, 6, 10)
    )
    deadlines_recompute(reason="test")
    [entry] = [e for e in case_history(case) if e.model == "délai" and e.action == "Modification"][:1]
    changes = {name: (before, after) for name, before, after in entry.changes}
    assert changes["explication du calcul"] == ("", "recalculée")
    assert changes["échéance"] == ("10/06/2025", "13/06/2025")
