"""Token management (/api/v1/tokens/) is for a browser session only: an API token never lists,
creates or revokes tokens, so a token scoped to one association cannot mint one for another."""

import pytest
from django.http import Http404
from rest_framework.test import APIClient

from cases import services
from cases.models import ApiToken, Role
from tests.factories import AssociationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def session_client(user) -> APIClient:
    # A real session cookie, as a browser has: force_authenticate would bypass SessionAuthentication.
    client = APIClient()
    client.force_login(user)
    return client


def token_client(user, association) -> tuple[APIClient, ApiToken]:
    token, key = services.api_token_create(user=user, association=association, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client, token


@pytest.fixture
def second_association(owner):
    """A second association the owner also belongs to: the one the attacking token is scoped to."""
    second = AssociationFactory(short_name="SECONDE-T", name="Association de test C")
    MembershipFactory(user=owner, association=second, role=Role.LAWYER)
    return second


def assert_refused_to_tokens(response):
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert "jeton" in body["detail"].lower() and "session" in body["detail"].lower()


def test_a_token_for_one_association_cannot_create_a_token_for_another(owner, association, second_association):
    client, _token = token_client(owner, second_association)
    before = ApiToken.objects.count()
    response = client.post("/api/v1/tokens/", {"name": "vol", "association": association.pk}, format="json")
    assert_refused_to_tokens(response)
    assert "key" not in response.json()
    assert ApiToken.objects.count() == before
    assert not ApiToken.objects.filter(association=association).exists()


def test_a_token_cannot_create_a_token_even_for_its_own_association(owner, association):
    client, _token = token_client(owner, association)
    before = ApiToken.objects.count()
    response = client.post("/api/v1/tokens/", {"name": "copie", "association": association.pk}, format="json")
    assert_refused_to_tokens(response)
    assert ApiToken.objects.count() == before


def test_a_token_cannot_list_the_users_tokens(owner, association, second_association):
    services.api_token_create(user=owner, association=association, name="tableur")
    client, _token = token_client(owner, second_association)
    response = client.get("/api/v1/tokens/")
    assert_refused_to_tokens(response)
    assert "tableur" not in response.content.decode()


def test_a_token_cannot_revoke_another_of_the_users_tokens(owner, association, second_association):
    target, _key = services.api_token_create(user=owner, association=association, name="tableur")
    client, _token = token_client(owner, second_association)
    assert_refused_to_tokens(client.post(f"/api/v1/tokens/{target.pk}/revoke/"))
    target.refresh_from_db()
    assert target.revoked_at is None


def test_a_token_cannot_revoke_itself_through_the_api(owner, association):
    client, token = token_client(owner, association)
    assert_refused_to_tokens(client.post(f"/api/v1/tokens/{token.pk}/revoke/"))
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_sent_with_a_session_cookie_is_still_refused(owner, association, second_association):
    # The token is checked first: a script running in a logged-in browser does not get session rights.
    client = session_client(owner)
    _token, key = services.api_token_create(user=owner, association=second_association, name="script")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    before = ApiToken.objects.count()
    response = client.post("/api/v1/tokens/", {"name": "vol", "association": association.pk}, format="json")
    assert_refused_to_tokens(response)
    assert ApiToken.objects.count() == before


def test_an_anonymous_request_to_the_tokens_endpoint_is_refused(association):
    assert APIClient().get("/api/v1/tokens/").status_code == 401


def test_a_session_lists_creates_and_revokes_its_own_tokens(owner, association):
    client = session_client(owner)
    created = client.post("/api/v1/tokens/", {"name": "tableur", "association": association.pk}, format="json")
    assert created.status_code == 201 and created.json()["key"].startswith("coco_")
    assert [row["name"] for row in client.get("/api/v1/tokens/").json()] == ["tableur"]
    revoked = client.post(f"/api/v1/tokens/{created.json()['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None


def test_a_session_cannot_create_a_token_for_an_association_the_user_does_not_belong_to(
    owner, other_association, outsider
):
    client = session_client(owner)
    before = ApiToken.objects.count()
    response = client.post("/api/v1/tokens/", {"name": "x", "association": other_association.pk}, format="json")
    assert response.status_code in (400, 404)
    assert ApiToken.objects.count() == before


def test_the_service_refuses_a_token_for_an_association_the_user_does_not_belong_to(owner, other_association):
    with pytest.raises(Http404):
        services.api_token_create(user=owner, association=other_association, name="x")
    assert not ApiToken.objects.exists()


def test_a_session_lists_only_its_own_tokens(owner, association, colleague):
    services.api_token_create(user=colleague, association=association, name="du collègue")
    services.api_token_create(user=owner, association=association, name="à moi")
    assert [row["name"] for row in session_client(owner).get("/api/v1/tokens/").json()] == ["à moi"]


@pytest.mark.parametrize("token_id", ["abc", "1.5", "-1", "%20", "999999"])
def test_revoking_a_malformed_or_unknown_token_id_answers_404(owner, association, token_id):
    response = session_client(owner).post(f"/api/v1/tokens/{token_id}/revoke/")
    assert response.status_code == 404


def test_revoking_another_users_token_answers_404_like_an_unknown_id(owner, association, colleague):
    foreign, _key = services.api_token_create(user=colleague, association=association, name="du collègue")
    client = session_client(owner)
    foreign_response = client.post(f"/api/v1/tokens/{foreign.pk}/revoke/")
    unknown_response = client.post(f"/api/v1/tokens/{foreign.pk + 1000}/revoke/")
    malformed_response = client.post("/api/v1/tokens/abc/revoke/")
    assert foreign_response.status_code == unknown_response.status_code == malformed_response.status_code == 404
    assert foreign_response.json() == unknown_response.json() == malformed_response.json()
    assert "ApiToken" not in foreign_response.content.decode()
    foreign.refresh_from_db()
    assert foreign.revoked_at is None
