"""The ICS feed of a user's open deadlines, opened by a secret, revocable token."""

import hashlib
import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from procedures import services
from procedures.calendar import deadlines_ics
from procedures.models import CalendarToken, Deadline, DeadlineStatus
from tests.factories import ParquetFactory, VictimFactory

pytestmark = pytest.mark.django_db

DUE = date(2025, 3, 17)


@pytest.fixture
def procedure(owner, case):
    return services.procedure_create(
        user=owner,
        case=case,
        parquet=ParquetFactory(name="Parquet de Valenciennes"),
        parquet_reference="24 068 000 123",
        opened_on=date(2024, 1, 15),
    )


_triggers = iter(range(1, 100_000))


def make_deadline(procedure, *, owner, due_on=DUE, status=DeadlineStatus.OPEN, rule="appeal_correctionnel"):
    return Deadline.objects.create(
        case=procedure.case,
        procedure=procedure,
        association=procedure.association,
        rule=rule,
        trigger_date=date(2000, 1, 1) + timedelta(days=next(_triggers)),
        computed_due_on=due_on,
        due_on=due_on,
        status=status,
        owner=owner,
    )


def parse(content: bytes) -> Calendar:
    return Calendar.from_ical(content)


def events(calendar: Calendar):
    return list(calendar.walk("VEVENT"))


@pytest.fixture
def client_owner(client, owner):
    client.force_login(owner)
    return client


def feed_url(secret: str) -> str:
    return reverse("calendar_feed", args=[secret])


def test_the_feed_holds_exactly_the_open_deadlines_of_its_user(procedure, owner, colleague):
    appeal = make_deadline(procedure, owner=owner)
    pourvoi = make_deadline(procedure, owner=owner, rule="pourvoi", due_on=DUE + timedelta(days=20))
    make_deadline(procedure, owner=owner, status=DeadlineStatus.DONE)
    make_deadline(procedure, owner=owner, status=DeadlineStatus.CANCELLED)
    make_deadline(procedure, owner=owner, status=DeadlineStatus.MISSED)
    make_deadline(procedure, owner=colleague)

    calendar = parse(deadlines_ics(owner))

    uids = sorted(str(event["UID"]) for event in events(calendar))
    assert uids == sorted([f"deadline-{appeal.pk}@coco-affaires", f"deadline-{pourvoi.pk}@coco-affaires"])


def test_the_feed_is_a_published_calendar_named_mes_delais(procedure, owner):
    make_deadline(procedure, owner=owner)

    calendar = parse(deadlines_ics(owner))

    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Mes délais"
    assert "Coco affaires" in str(calendar["PRODID"])


def test_each_deadline_is_an_all_day_event_with_its_rule_case_and_procedure_and_an_alarm_the_day_before(
    procedure, owner
):
    deadline = make_deadline(procedure, owner=owner)

    [event] = events(parse(deadlines_ics(owner)))

    assert event.decoded("DTSTART") == DUE
    assert event.decoded("DTEND") == DUE + timedelta(days=1)
    assert str(event["SUMMARY"]) == "Appel d'un jugement du tribunal correctionnel — ACPE-T-001"
    description = str(event["DESCRIPTION"])
    assert "498 CPP" in description
    assert "Parquet de Valenciennes n° 24 068 000 123" in description
    assert "Valenciennois — test" in description
    # The event opens the procedure (absolute, from SITE_URL); the computation is linked in the text.
    assert str(event["URL"]) == f"http://127.0.0.1:8000/procedures/{procedure.pk}/"
    assert f"http://127.0.0.1:8000/delais/{deadline.pk}/" in description
    [alarm] = event.walk("VALARM")
    trigger = alarm.decoded("TRIGGER")
    assert -timedelta(days=1) <= trigger < timedelta(0)
    assert str(alarm["ACTION"]) == "DISPLAY"


def test_the_uid_of_a_deadline_stays_the_same_from_one_fetch_to_the_next(procedure, owner):
    make_deadline(procedure, owner=owner)

    first = [str(event["UID"]) for event in events(parse(deadlines_ics(owner)))]
    second = [str(event["UID"]) for event in events(parse(deadlines_ics(owner)))]

    assert first == second


def test_the_feed_never_contains_a_victim_identity(procedure, owner, case):
    procedure.victims.add(
        VictimFactory(case=case, first_name="Ondine", last_name="Marchetti", birth_date=date(2010, 2, 14))
    )
    make_deadline(procedure, owner=owner)

    content = deadlines_ics(owner).decode()

    for secret in ("Ondine", "Marchetti", "20100214", "14/02/2010"):
        assert secret not in content


def test_the_feed_leaves_out_cases_the_user_no_longer_sees(procedure, outsider):
    make_deadline(procedure, owner=outsider)

    assert events(parse(deadlines_ics(outsider))) == []


def test_the_feed_costs_the_same_queries_whatever_the_number_of_deadlines(procedure, owner):
    make_deadline(procedure, owner=owner)
    with CaptureQueriesContext(connection) as one:
        deadlines_ics(owner)
    for _ in range(4):
        make_deadline(procedure, owner=owner)
    with CaptureQueriesContext(connection) as five:
        deadlines_ics(owner)

    assert len(five) == len(one)


def test_the_feed_opens_without_login_by_its_token_and_is_never_cached(client, procedure, owner):
    make_deadline(procedure, owner=owner)
    _token, secret = CalendarToken.issue(owner)

    response = client.get(feed_url(secret))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert len(events(parse(response.content))) == 1


def test_a_revoked_token_gives_404(client_owner, owner):
    token, secret = CalendarToken.issue(owner)
    client_owner.post(reverse("calendar_token_revoke", args=[token.pk]))
    client_owner.logout()

    assert client_owner.get(feed_url(secret)).status_code == 404


def test_an_unknown_token_gives_404(client, owner):
    CalendarToken.issue(owner)

    assert client.get(feed_url("pas-un-vrai-jeton")).status_code == 404


def test_the_feed_of_a_deactivated_user_gives_404(client, owner):
    _token, secret = CalendarToken.issue(owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    assert client.get(feed_url(secret)).status_code == 404


def test_the_calendar_page_requires_login(client):
    response = client.get(reverse("calendar_page"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_creating_a_link_shows_the_secret_once_and_stores_only_its_hash(client_owner, owner):
    response = client_owner.post(reverse("calendar_token_create"))

    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    [token] = CalendarToken.objects.filter(user=owner)
    shown = response.context["feed_url"]
    # Built from SITE_URL, never from the request's Host header.
    assert shown.startswith("http://127.0.0.1:8000/calendrier/") and shown.endswith(".ics")
    secret = shown.removeprefix("http://127.0.0.1:8000/calendrier/").removesuffix(".ics")
    assert shown in response.content.decode()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in token.token_hash
    assert client_owner.get(feed_url(secret)).status_code == 200
    assert secret not in client_owner.get(reverse("calendar_page")).content.decode()


def test_the_page_lists_the_users_active_links_with_their_creation_date(client_owner, owner, colleague):
    mine, _secret = CalendarToken.issue(owner)
    revoked, _secret = CalendarToken.issue(owner)
    CalendarToken.objects.filter(pk=revoked.pk).update(revoked_at=revoked.created_at)
    CalendarToken.issue(colleague)

    response = client_owner.get(reverse("calendar_page"))

    assert response.status_code == 200
    assert [token.pk for token in response.context["tokens"]] == [mine.pk]
    assert f"{mine.created_at.astimezone():%d/%m/%Y}" in response.content.decode()
    assert reverse("calendar_token_revoke", args=[mine.pk]) in response.content.decode()


def test_a_user_revokes_their_own_link(client_owner, owner):
    token, _secret = CalendarToken.issue(owner)

    response = client_owner.post(reverse("calendar_token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_another_users_link(client, owner, outsider):
    token, secret = CalendarToken.issue(owner)
    client.force_login(outsider)

    response = client.post(reverse("calendar_token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.get(feed_url(secret)).status_code == 200


def test_creating_and_revoking_links_take_a_post_only(client_owner, owner):
    token, _secret = CalendarToken.issue(owner)

    assert client_owner.get(reverse("calendar_token_create")).status_code == 405
    assert client_owner.get(reverse("calendar_token_revoke", args=[token.pk])).status_code == 405
    assert CalendarToken.objects.filter(user=owner).count() == 1


def test_a_feed_secret_never_reaches_the_logs(client, caplog, owner, settings):
    import logging

    from config.log_filters import RedactCalendarSecrets

    assert "redact_calendar_secrets" in settings.LOGGING["handlers"]["console"]["filters"]
    caplog.handler.addFilter(RedactCalendarSecrets())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/calendrier/s3cr3t-t0k3n-value.ics").status_code == 404
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/calendrier/•••.ics" in logged
    assert "s3cr3t-t0k3n-value" not in logged


def test_feed_links_follow_the_configured_site_url_not_the_request_host(client_owner, procedure, owner, settings):
    settings.SITE_URL = "https://affaires.example.org/"
    deadline = make_deadline(procedure, owner=owner)

    response = client_owner.post(reverse("calendar_token_create"))
    [event] = events(parse(deadlines_ics(owner)))

    assert response.context["feed_url"].startswith("https://affaires.example.org/calendrier/")
    assert str(event["URL"]) == f"https://affaires.example.org/procedures/{procedure.pk}/"
    assert f"https://affaires.example.org/delais/{deadline.pk}/" in str(event["DESCRIPTION"])


# --- validity for real calendar applications: libical, a second, independent parser ---------------

LIBICAL_PYTHON = "/usr/bin/python3"
LIBICAL_CHECK = Path(__file__).with_name("libical_check.py")


def libical_errors(content: bytes) -> list[str]:
    """libical's strict reading of the feed, run by Debian's Python, which has its bindings."""
    if not Path(LIBICAL_PYTHON).exists():
        pytest.fail(
            f"{LIBICAL_PYTHON} introuvable : apt-get install python3-gi gir1.2-ical-3.0 (bin/bootstrap le fait)."
        )
    # Debian's Python must not read the virtualenv's packages or settings.
    environment = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    result = subprocess.run(  # noqa: S603 - fixed interpreter and script, the feed on stdin
        [LIBICAL_PYTHON, "-I", str(LIBICAL_CHECK)], input=content, capture_output=True, timeout=60, env=environment
    )
    if result.returncode != 0:
        pytest.fail(f"La vérification par libical a échoué : {result.stderr.decode().strip()}")
    return json.loads(result.stdout)


def test_an_empty_feed_is_a_valid_calendar_for_libical(owner):
    content = deadlines_ics(owner)

    calendar = parse(content)
    assert events(calendar) == []
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert libical_errors(content) == []


def test_a_feed_of_several_deadlines_is_valid_for_libical(procedure, owner, settings):
    settings.SITE_URL = "https://affaires.example.org"
    make_deadline(procedure, owner=owner)
    deadline = make_deadline(procedure, owner=owner, rule="pourvoi", due_on=DUE + timedelta(days=20))
    Deadline.objects.filter(pk=deadline.pk).update(
        computed_due_on=DUE + timedelta(days=19), override_reason="Greffe fermé ; voir « note », long motif " * 3
    )

    content = deadlines_ics(owner)

    published = events(parse(content))
    assert len(published) == 2
    for event in published:
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "ORGANIZER", "URL"} <= set(event.keys())
        assert str(event["URL"]).startswith("https://affaires.example.org/procedures/")
    # The organiser is the application, never a person.
    assert str(published[0]["ORGANIZER"]) == f"mailto:{settings.DEFAULT_FROM_EMAIL}"
    assert libical_errors(content) == []


def test_the_libical_check_refuses_an_event_without_uid_and_a_calendar_without_components():
    empty = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//FR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n"
    event = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//FR\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n"
        b"DTSTAMP:20250101T000000Z\r\nDTSTART;VALUE=DATE:20250317\r\nSUMMARY:test\r\n"
        b"ORGANIZER:mailto:test@exemple.invalid\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )

    assert libical_errors(empty) == ["VCALENDAR sans aucun composant (RFC 5545 §3.6)"]
    assert any("UID" in error for error in libical_errors(event))
