"""Brute force on the login page (django-axes) and request floods on the API (DRF throttling)."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from cases import services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password, ip="203.0.113.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_wrong_passwords_for_many_usernames_from_one_address_lock_that_address(client, owner, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        login(client, f"guess-{number}", "mauvais")
    # Even the right password of a real account is refused from that address.
    response = login(client, "owner", PASSWORD)
    assert response.status_code == 429
    assert "verrouillée" in response.content.decode()
    assert "Réessayez dans 60 min" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_for_one_username_from_many_addresses_lock_that_username(client, owner, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        login(client, "owner", "mauvais", ip=f"198.51.100.{number + 1}")
    response = login(client, "owner", PASSWORD, ip="198.51.100.200")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_locked_address_does_not_stop_other_users_logging_in_from_elsewhere(client, owner, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        login(client, f"guess-{number}", "mauvais")
    response = login(client, "owner", PASSWORD, ip="192.0.2.10")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


@pytest.fixture
def rates(monkeypatch):
    """Low rates for one test, on a clean throttle history. Throttles read their rates from a dict
    bound at import, so `override_settings` would not reach them: patch that dict instead."""
    cache.clear()
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "3/hour")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "2/hour")
    yield
    cache.clear()


def test_the_api_rates_come_from_settings_with_sane_defaults(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ]
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {"anon": "100/hour", "user": "1000/hour"}
    # The client address is REMOTE_ADDR: a forged X-Forwarded-For must not buy a fresh quota.
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0


def test_a_token_over_its_rate_gets_429_with_retry_after(rates, owner, association):
    _token, key = services.api_token_create(user=owner, association=association, name="script")
    api = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")
    for _ in range(3):
        assert api.get("/api/v1/cases/").status_code == 200
    response = api.get("/api/v1/cases/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert response.json()["code"] == "throttled"


def test_one_users_quota_does_not_spend_another_users(rates, owner, colleague):
    first, second = APIClient(), APIClient()
    first.force_authenticate(owner)
    second.force_authenticate(colleague)
    for _ in range(3):
        first.get("/api/v1/cases/")
    assert first.get("/api/v1/cases/").status_code == 429
    assert second.get("/api/v1/cases/").status_code == 200


def test_an_anonymous_client_over_its_rate_gets_429_with_retry_after(rates):
    api = APIClient()
    for _ in range(2):
        assert api.get("/api/docs/").status_code == 200
    response = api.get("/api/docs/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    # Forging X-Forwarded-For does not reset the count.
    assert api.get("/api/docs/", HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
