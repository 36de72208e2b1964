"""A victim's rights (RGPD): the export of everything held (art. 15) and the erasure of the
identity keeping a pseudonymised tombstone (art. 17). Lawyers of the holding association only."""

import json

import pytest
from django.apps import apps
from django.db import connection
from django.http import Http404
from django.urls import reverse

from cases import services
from cases.models import AccessAction, AccessLog, Role, ShareAccess, Victim
from cases.privacy.victims import victim_erase, victim_export
from tests.factories import CaseFactory, MembershipFactory, UserFactory
from tests.reports.conftest import REAL_FIRST_NAME, REAL_LAST_NAME, build_rich_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich(owner, case, media_root):
    return build_rich_case(owner, case)


@pytest.fixture
def victim(rich):
    victim = Victim.objects.get(case=rich, pseudonym="V-001")
    services.victim_update(
        user=rich.lead_lawyer, victim=victim, notes=f"Appelle sa mère {REAL_LAST_NAME}", contact="06 00 00 00 00"
    )
    return Victim.objects.get(pk=victim.pk)


def urls(victim):
    return (
        reverse("victim_export", args=[victim.case_id, victim.pk]),
        reverse("victim_erase", args=[victim.case_id, victim.pk]),
    )


# --- who may -----------------------------------------------------------------------------------------


@pytest.fixture
def partner_lawyer(owner, rich, other_association):
    services.case_share(user=owner, case=rich, association=other_association, access=ShareAccess.READ_PRINT)
    return MembershipFactory(user=UserFactory(username="partner"), association=other_association, role=Role.LAWYER).user


@pytest.mark.parametrize("who", ["colleague", "association_admin", "outsider", "partner_lawyer"])
def test_anyone_but_a_lawyer_of_the_holding_association_gets_404(client, request, victim, who):
    client.force_login(request.getfixturevalue(who))
    export_url, erase_url = urls(victim)
    assert client.get(export_url).status_code == 404
    assert client.get(erase_url).status_code == 404
    assert client.post(erase_url, {"confirmation": victim.pseudonym}).status_code == 404
    victim.refresh_from_db()
    assert victim.last_name == REAL_LAST_NAME
    assert not AccessLog.objects.filter(action__in=[AccessAction.EXPORT, AccessAction.ERASE]).exists()


def test_a_victim_under_another_case_s_url_is_404(client, owner, association, victim):
    other = CaseFactory(association=association)
    client.force_login(owner)
    assert client.get(reverse("victim_export", args=[other.pk, victim.pk])).status_code == 404


def test_the_services_refuse_a_staff_member(colleague, association, victim):
    with pytest.raises(Http404):
        victim_export(user=colleague, association=association, victim_id=victim.pk)
    with pytest.raises(Http404):
        victim_erase(user=colleague, association=association, victim_id=victim.pk, confirmation=victim.pseudonym)


# --- export (art. 15) --------------------------------------------------------------------------------


def test_the_export_holds_identity_pseudonym_procedures_filings_and_events_and_is_logged(client, owner, victim):
    client.force_login(owner)

    response = client.get(urls(victim)[0])

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["victim"]["first_name"] == REAL_FIRST_NAME and data["victim"]["last_name"] == REAL_LAST_NAME
    assert data["victim"]["pseudonym"] == "V-001" and data["victim"]["contact"] == "06 00 00 00 00"
    assert data["case"]["reference"] == victim.case.reference
    # The procedure at Dunkerque and the one it was transferred to at Paris both name the victim.
    procedures = {procedure["parquet_reference"]: procedure for procedure in data["procedures"]}
    assert procedures.keys() == {"24/123.45", "24/999"}
    paris = procedures["24/999"]
    assert len(paris["filings"]) == len(paris["hearings"]) == len(paris["decisions"]) == 1
    assert paris["filings"][0]["legal_basis"].startswith("Art. 2-3")
    assert paris["timeline"], "the steps of the procedure naming the victim"
    row = AccessLog.objects.get(action=AccessAction.EXPORT, object_type="victim", object_id=victim.pk)
    assert row.user == owner and row.case_id == victim.case_id and row.association_id == victim.case.association_id


# --- erasure (art. 17) -------------------------------------------------------------------------------


def test_the_erasure_page_asks_for_confirmation_and_changes_nothing(client, owner, victim):
    client.force_login(owner)
    response = client.get(urls(victim)[1])
    assert response.status_code == 200
    assert victim.pseudonym in response.content.decode()
    assert REAL_LAST_NAME not in response.content.decode()
    response = client.post(urls(victim)[1], {"confirmation": "V-999"})
    assert response.status_code == 200 and "Recopiez" in response.content.decode()
    victim.refresh_from_db()
    assert victim.last_name == REAL_LAST_NAME and victim.identity_erased_at is None


def raw_identity_columns(victim_id) -> list[tuple]:
    event_table = apps.get_model("cases", "VictimEvent")._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT first_name, last_name, birth_date, contact, notes FROM {event_table} WHERE pgh_obj_id = %s",  # noqa: S608
            [victim_id],
        )
        return cursor.fetchall()


def test_erasing_keeps_the_pseudonymised_tombstone_and_empties_the_history(client, owner, victim):
    procedures_before = list(victim.procedures.values_list("pk", flat=True))
    age = victim.age_at_facts
    assert any(row[1] for row in raw_identity_columns(victim.pk)), "history holds the (encrypted) identity"
    client.force_login(owner)

    response = client.post(urls(victim)[1], {"confirmation": victim.pseudonym})

    assert response.status_code == 302 and response["Location"] == reverse("case_detail", args=[victim.case_id])
    victim.refresh_from_db()
    assert (victim.first_name, victim.last_name, victim.birth_date, victim.contact, victim.notes) == (
        None,
        None,
        None,
        None,
        "",
    )
    assert victim.pseudonym == "V-001" and victim.age_at_facts == age and victim.minor_at_facts is True
    assert list(victim.procedures.values_list("pk", flat=True)) == procedures_before
    assert victim.identity_erased_by == owner and victim.identity_erased_at is not None
    assert raw_identity_columns(victim.pk) and all(
        row == (None, None, None, None, "") for row in raw_identity_columns(victim.pk)
    )
    row = AccessLog.objects.get(action=AccessAction.ERASE, object_id=victim.pk)
    assert row.user == owner and row.details["history_rows"] >= 2
    assert REAL_LAST_NAME not in json.dumps(row.details)


def test_erasing_twice_is_safe(owner, association, victim):
    first = victim_erase(user=owner, association=association, victim_id=victim.pk, confirmation="V-001")
    second = victim_erase(user=owner, association=association, victim_id=victim.pk, confirmation="V-001")
    assert second.identity_erased_at == first.identity_erased_at
    assert AccessLog.objects.filter(action=AccessAction.ERASE, object_id=victim.pk).count() == 2


def test_after_erasure_the_export_shows_the_tombstone(owner, association, victim):
    victim_erase(user=owner, association=association, victim_id=victim.pk, confirmation="V-001")
    data = victim_export(user=owner, association=association, victim_id=victim.pk)
    assert data["victim"]["last_name"] is None and data["victim"]["identity_erased_at"]
    assert REAL_LAST_NAME not in json.dumps(data, default=str)


def test_the_identity_page_links_to_the_export_and_the_erasure_until_erased(client, owner, victim):
    client.force_login(owner)
    page = reverse("victim_identity", args=[victim.case_id, victim.pk])
    export, erase = urls(victim)
    html = client.get(page).content.decode()
    assert export in html and erase in html
    victim_erase(user=owner, association=victim.case.association, victim_id=victim.pk, confirmation=victim.pseudonym)
    html = client.get(page).content.decode()
    assert export in html and erase not in html
    assert "Identité effacée le" in html
