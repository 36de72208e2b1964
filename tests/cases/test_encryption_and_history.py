from datetime import UTC, date

import pytest
from django.db import connection
from django.urls import reverse
from pghistory.models import Events

from cases import services
from cases.history import case_history
from cases.models import Case, Victim

pytestmark = pytest.mark.django_db


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def test_a_victims_identity_is_not_readable_in_the_database(owner, case):
    victim = services.victim_add(
        user=owner,
        case=case,
        first_name="Aurélie",
        last_name="Zyxwvu",
        birth_date=date(2010, 2, 3),
        contact="06 11 22 33 44",
    )
    row = _raw("SELECT first_name, last_name, birth_date, contact FROM cases_victim WHERE id = %s", [victim.pk])
    raw = " ".join(str(value) for value in row)
    for secret in ("Aurélie", "Zyxwvu", "2010-02-03", "06 11 22 33 44"):
        assert secret not in raw
    assert all(value.startswith("gAAAA") for value in row)  # Fernet tokens
    reloaded = Victim.objects.get(pk=victim.pk)
    assert (reloaded.first_name, reloaded.last_name, reloaded.birth_date) == ("Aurélie", "Zyxwvu", date(2010, 2, 3))


def test_the_history_tables_do_not_hold_the_identity_in_clear_either(owner, case):
    victim = services.victim_add(user=owner, case=case, last_name="Zyxwvu")
    services.victim_update(user=owner, victim=victim, last_name="Qwertz")
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_name FROM cases_victimevent WHERE pgh_obj_id = %s", [victim.pk])
        values = [row[0] for row in cursor.fetchall()]
    assert len(values) == 2
    assert not any("Zyxwvu" in v or "Qwertz" in v for v in values)


def test_an_orm_update_is_recorded_in_history(owner, case):
    services.case_update(user=owner, case=case, title="Intitulé modifié")
    events = Events.objects.tracks(case).filter(pgh_label="update")
    assert events.count() == 1
    assert events.get().pgh_diff["title"][1] == "Intitulé modifié"


def test_a_raw_queryset_update_is_recorded_in_history_too(case):
    Case.objects.filter(pk=case.pk).update(title="Changé hors de l'ORM")
    events = Events.objects.tracks(case).filter(pgh_label="update")
    assert events.count() == 1
    assert events.get().pgh_data["title"] == "Changé hors de l'ORM"


def test_a_deletion_is_recorded_in_history(owner, case):
    suspect = services.suspect_add(user=owner, case=case, name="M-1")
    suspect_id = suspect.pk
    suspect.delete()
    assert Events.objects.references(case).filter(pgh_label="delete", pgh_obj_id=str(suspect_id)).exists()


def test_a_change_made_through_a_page_records_the_user_and_the_request_id(client, owner, case):
    client.force_login(owner)
    response = client.post(
        reverse("suspect_add", args=[case.pk]), {"name": "M-7", "status": "unknown"}, HTTP_X_REQUEST_ID="req-12345678"
    )
    assert response.status_code == 302
    assert response["X-Request-ID"] == "req-12345678"
    event = Events.objects.references(case).filter(pgh_label="insert", pgh_model="cases.SuspectEvent").get()
    assert event.pgh_context["user"] == owner.pk
    assert event.pgh_context["request_id"] == "req-12345678"


def test_the_case_page_lists_the_changes_without_identities(client, owner, case):
    victim = services.victim_add(user=owner, case=case, last_name="Zyxwvu")
    services.victim_update(user=owner, victim=victim, last_name="Qwertz")
    services.case_update(user=owner, case=case, title="Titre B")
    entries = case_history(case)
    assert any(entry.changes and entry.changes[0][0] == "nom" and entry.changes[0][1] == "•••" for entry in entries)
    client.force_login(owner)
    content = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Historique des modifications" in content
    assert "Titre B" in content
    assert "Zyxwvu" not in content and "Qwertz" not in content


def test_the_history_includes_the_steps_of_the_case_procedures_with_their_changes(case):
    from datetime import datetime

    from procedures.models import Hearing
    from tests.procedures.factories import ProcedureFactory

    hearing = Hearing.objects.create(
        procedure=ProcedureFactory(case=case), starts_at=datetime(2025, 3, 4, 9, tzinfo=UTC), court="TJ Lille"
    )
    Hearing.objects.filter(pk=hearing.pk).update(court="TJ Douai")
    [update] = [entry for entry in case_history(case) if entry.action == "Modification" and entry.changes]
    assert ("TJ Lille", "TJ Douai") in [(before, after) for _name, before, after in update.changes]
    assert str(Hearing._meta.verbose_name) == update.model


def test_the_history_names_procedures_by_number_and_writes_dates_the_french_way(owner, case):
    from tests.procedures.factories import ProcedureFactory

    procedure = ProcedureFactory(case=case, parquet_reference="24/123.456", opened_on=date(2024, 3, 1))
    type(procedure).objects.filter(pk=procedure.pk).update(opened_on=date(2024, 6, 25))
    [update] = [entry for entry in case_history(case) if entry.action == "Modification" and entry.changes]
    assert update.object_label == "n° 24/123.456"
    assert ("01/03/2024", "25/06/2024") in [(before, after) for _name, before, after in update.changes]
