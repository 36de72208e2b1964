"""Optimistic concurrency on records whose representation leaves fields out (issue 16): a victim's
identity edit changes its ETag, and « If-Match: * » never overwrites a version nobody read."""

import pytest
from rest_framework.test import APIClient

from tests.factories import VictimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def test_an_identity_edit_changes_the_victims_etag(api, case):
    victim = VictimFactory(case=case)
    url = f"/api/v1/victims/{victim.pk}/"
    first = api.get(url)["ETag"]
    # Another lawyer corrects the name: the pseudonymous representation is unchanged.
    edited = api.patch(url, {"last_name": "Autre"}, format="json", HTTP_IF_MATCH=first)
    assert edited.status_code == 200, edited.json()
    assert api.get(url)["ETag"] == edited["ETag"] != first
    # The first lawyer, still holding the old ETag, cannot overwrite it.
    stale = api.patch(url, {"last_name": "Ancien"}, format="json", HTTP_IF_MATCH=first)
    assert stale.status_code == 412


def test_the_etag_does_not_contain_the_identity_in_a_guessable_form(api, case):
    from cases.api.concurrency import etag_for

    victim = VictimFactory(case=case)
    response = api.get(f"/api/v1/victims/{victim.pk}/")
    assert response["ETag"] != etag_for(response.json())


def test_if_match_star_is_refused(api, case):
    victim = VictimFactory(case=case)
    response = api.patch(f"/api/v1/victims/{victim.pk}/", {"last_name": "X"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 428
    response = api.patch(f"/api/v1/cases/{case.pk}/", {"title": "x"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 428
