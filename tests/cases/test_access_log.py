"""The access log: append-only in the database and in the admin, and its viewer for an
association's admins (filters, keyset pages, CSV export neutralised against formulas)."""

import csv
import io
from datetime import datetime
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.urls import reverse

from cases.models import AccessAction, AccessLog
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def log(user, association, *, action=AccessAction.VIEW, case=None, at=None, request_id=""):
    with time_machine.travel(at or datetime(2026, 3, 2, 10, tzinfo=PARIS), tick=False):
        return AccessLog.objects.create(
            user=user,
            association_id=association.pk,
            action=action,
            object_type="case",
            object_id=case.pk if case else 1,
            case_id=case.pk if case else None,
            request_id=request_id,
        )


# --- append-only ------------------------------------------------------------------------------------


def test_a_raw_update_of_the_access_log_is_refused_by_the_database(owner, association):
    entry = log(owner, association)
    refused = pytest.raises(ProgrammingError, match="Cannot update or delete rows from cases_accesslog")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_accesslog SET action = 'print' WHERE id = %s", [entry.pk])


def test_a_raw_delete_of_the_access_log_is_refused_by_the_database(owner, association):
    entry = log(owner, association)
    refused = pytest.raises(ProgrammingError, match="Cannot update or delete rows from cases_accesslog")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_accesslog WHERE id = %s", [entry.pk])
    assert AccessLog.objects.filter(pk=entry.pk).exists()


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_the_django_admin_shows_the_log_but_cannot_add_change_or_delete(client, superuser, owner, association):
    entry = log(owner, association)
    client.force_login(superuser)

    assert client.get(reverse("admin:cases_accesslog_changelist")).status_code == 200
    assert client.get(reverse("admin:cases_accesslog_add")).status_code == 403
    change_url = reverse("admin:cases_accesslog_change", args=[entry.pk])
    page = client.get(change_url)
    assert page.status_code == 200 and b'name="action"' not in page.content
    assert client.post(change_url, {"action": "print"}).status_code == 403
    assert client.post(reverse("admin:cases_accesslog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action == AccessAction.VIEW


# --- the viewer -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "colleague", "outsider"])
def test_anyone_but_an_association_admin_gets_404(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("access_log")).status_code == 404
    assert client.get(reverse("access_log_export")).status_code == 404


def test_an_admin_sees_the_rows_of_the_active_association_only(
    client, association_admin, owner, outsider, association, other_association, case
):
    log(owner, association, case=case)
    log(outsider, other_association, request_id="autre-association")
    client.force_login(association_admin)

    response = client.get(reverse("access_log"))

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    entries = response.context["entries"]
    assert [entry["row"].user for entry in entries] == [owner]
    assert entries[0]["case_reference"] == case.reference
    assert "autre-association" not in response.content.decode()


def test_the_admin_s_nav_links_to_the_log(client, association_admin, owner):
    client.force_login(association_admin)
    assert reverse("access_log") in client.get(reverse("home")).content.decode()
    client.force_login(owner)
    assert reverse("access_log") not in client.get(reverse("home")).content.decode()


def test_the_filters_narrow_by_dates_user_action_and_case(
    client, association_admin, owner, colleague, association, case
):
    other_case = CaseFactory(association=association)
    log(owner, association, case=case, at=datetime(2026, 1, 10, 9, tzinfo=PARIS))
    log(
        owner,
        association,
        case=case,
        action=AccessAction.REVEAL_IDENTITY,
        at=datetime(2026, 2, 10, 23, 30, tzinfo=PARIS),
    )
    log(colleague, association, case=case, at=datetime(2026, 2, 11, 9, tzinfo=PARIS))
    log(owner, association, case=other_case, at=datetime(2026, 2, 12, 9, tzinfo=PARIS))
    client.force_login(association_admin)

    def rows(**query):
        response = client.get(reverse("access_log"), query)
        assert response.status_code == 200
        return [
            (entry["row"].user.username, entry["row"].action, entry["row"].case_id)
            for entry in response.context["entries"]
        ]

    assert len(rows()) == 4
    # The end day is included up to midnight, Paris time.
    assert len(rows(du="2026-02-01", au="2026-02-10")) == 1
    assert {user for user, _a, _c in rows(utilisateur=colleague.pk)} == {"colleague"}
    assert rows(action="reveal_identity") == [("owner", "reveal_identity", case.pk)]
    assert {c for _u, _a, c in rows(affaire=case.reference)} == {case.pk}
    assert {c for _u, _a, c in rows(affaire=str(other_case.pk))} == {other_case.pk}


def test_an_unreadable_filter_shows_its_error_and_no_rows_rather_than_every_row(
    client, association_admin, owner, association
):
    log(owner, association)
    client.force_login(association_admin)

    response = client.get(reverse("access_log"), {"affaire": "INCONNUE", "du": "2026-03-01", "au": "2026-02-01"})

    assert response.status_code == 200
    assert response.context["entries"] == []
    assert response.context["form"].errors.keys() == {"affaire", "au"}


def test_pages_follow_each_other_by_cursor_without_counting_the_log(
    client, association_admin, owner, association, monkeypatch, django_assert_max_num_queries
):
    for day in range(1, 6):
        log(owner, association, at=datetime(2026, 1, day, 12, tzinfo=PARIS))
    # Two rows at the same instant across a page boundary: the cursor (at, id) keeps both.
    log(owner, association, at=datetime(2026, 1, 6, 12, tzinfo=PARIS))
    log(owner, association, at=datetime(2026, 1, 6, 12, tzinfo=PARIS))
    monkeypatch.setattr("cases.access_log.selectors.PAGE_SIZE", 3)
    client.force_login(association_admin)
    seen, pages, query = [], 0, {"action": "view"}

    while True:
        with django_assert_max_num_queries(12) as captured:
            response = client.get(reverse("access_log"), query)
        assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
        seen += [entry["row"].at.day for entry in response.context["entries"]]
        pages += 1
        if not response.context["next_query"]:
            break
        query = dict(parse_qsl(response.context["next_query"]))
        assert query["action"] == "view", "the filters follow the pages"

    assert pages == 3
    assert seen == [6, 6, 5, 4, 3, 2, 1]


def test_the_page_costs_a_constant_number_of_queries(client, association_admin, owner, colleague, association, case):
    from django.test.utils import CaptureQueriesContext

    for _n in range(3):
        log(owner, association, case=case)
    client.force_login(association_admin)
    client.get(reverse("access_log"))  # the first request of a session writes it
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("access_log"))
    for _n in range(20):
        log(colleague, association, case=CaseFactory(association=association))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("access_log"))
    assert len(many.captured_queries) == len(few.captured_queries) <= 10


def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_the_csv_export_has_the_filtered_rows_neutralised_and_is_itself_logged(
    client, association_admin, owner, colleague, association, other_association, outsider, case
):
    evil = UserFactory(username="evil", first_name='=HYPERLINK("http://x")', last_name="")
    from tests.factories import MembershipFactory

    MembershipFactory(user=evil, association=association)
    log(evil, association, case=case, request_id="@SUM(1+1)")
    log(owner, association, case=case, action=AccessAction.DOWNLOAD)
    log(colleague, association, case=case)
    log(outsider, other_association)
    client.force_login(association_admin)

    response = client.get(reverse("access_log_export"), {"action": "view"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert {row["utilisateur"] for row in rows} == {'\'=HYPERLINK("http://x")', colleague.get_full_name()}
    assert {row["requete"] for row in rows} == {"'@SUM(1+1)", ""}
    assert all(row["action"] == "Consultation" for row in rows)
    export = AccessLog.objects.get(action=AccessAction.EXPORT, user=association_admin)
    assert export.association_id == association.pk and export.object_type == "association"


# --- attribution ----------------------------------------------------------------------------------


def test_a_read_of_a_case_goes_to_the_log_of_the_association_holding_it_whatever_is_active(
    client, owner, association, other_association, case
):
    """A lawyer of two associations with the other one active in the switcher still reads this
    case for its own association: its admins must see the read."""
    from cases.middleware import ACTIVE_ASSOCIATION_SESSION_KEY
    from cases.models import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=owner, association=other_association, role=Role.LAWYER)
    client.force_login(owner)
    session = client.session
    session[ACTIVE_ASSOCIATION_SESSION_KEY] = other_association.pk
    session.save()
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 200
    line = AccessLog.objects.get(action=AccessAction.VIEW, case_id=case.pk)
    assert line.association_id == association.pk
    assert line.user == owner
