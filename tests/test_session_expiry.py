"""Sessions end after 30 minutes without a request, and 8 hours after signing in whatever the
activity (config.middleware.SessionExpiryMiddleware); the next page says why, in French."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY

from config.middleware import SESSION_LAST_ACTIVITY, SESSION_SIGNED_IN_AT
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
SIGNED_IN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float):
    return time_machine.travel(SIGNED_IN + timedelta(minutes=minutes), tick=False)


def get_home(client, minutes: float):
    with at(minutes):
        return client.get("/")


@pytest.fixture
def signed_in(client, owner):
    with at(0):
        client.force_login(owner)
        assert client.get("/").status_code == 200
    return client


def test_a_session_idle_for_30_minutes_is_signed_out_with_a_message(signed_in):
    response = get_home(signed_in, 30)
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")
    assert SESSION_KEY not in signed_in.session
    with at(30):
        login_page = signed_in.get(response["Location"])
    assert "Votre session a expiré après 30 minutes d&#x27;inactivité : reconnectez-vous." in login_page.text


def test_a_request_within_30_minutes_keeps_the_session_alive(signed_in):
    for minutes in (29, 58, 87, 116):
        assert get_home(signed_in, minutes).status_code == 200, minutes
    assert get_home(signed_in, 146).status_code == 302


def test_activity_never_extends_a_session_past_8_hours_after_signing_in(signed_in):
    for minutes in range(20, 8 * 60, 20):
        assert get_home(signed_in, minutes).status_code == 200, minutes
    response = get_home(signed_in, 8 * 60)
    assert response.status_code == 302
    with at(8 * 60):
        login_page = signed_in.get(response["Location"])
    assert "Votre session a atteint sa durée maximale (8 h) : reconnectez-vous." in login_page.text


def test_the_limits_come_from_the_settings(signed_in, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    assert get_home(signed_in, 4).status_code == 200
    assert get_home(signed_in, 10).status_code == 302


def test_signing_in_again_counts_8_hours_from_the_new_sign_in(client, owner):
    with at(0):
        client.force_login(owner)
        client.get("/")
    with at(8 * 60):
        assert client.get("/").status_code == 302
        client.force_login(owner)
        assert client.get("/").status_code == 200
    assert get_home(client, 8 * 60 + 20).status_code == 200


def test_the_session_cookie_ends_with_the_browser(signed_in):
    response = get_home(signed_in, 5)
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""


def test_signing_in_through_the_login_page_starts_the_clock(client, colleague):
    with at(0):
        response = client.post("/connexion/", {"username": colleague.username, "password": PASSWORD})
        stamps = {client.session[SESSION_SIGNED_IN_AT], client.session[SESSION_LAST_ACTIVITY]}
    assert response.status_code == 302
    assert stamps == {int(SIGNED_IN.timestamp())}
