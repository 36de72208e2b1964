"""An association's admins manage members without the superuser: add an existing account, change
a role, remove; never themselves, never the last admin. Staff and lawyers 403, outsiders 404."""

import pytest
from django.urls import reverse

from cases.models import Membership, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, association_admin):
    client.force_login(association_admin)
    return client


def url(name, association, *args):
    return reverse(name, args=[association.pk, *args])


def test_the_member_page_keeps_the_second_factor_column_and_offers_the_new_actions(
    admin_client, association, association_admin, owner
):
    html = admin_client.get(url("member_list", association)).content.decode()

    assert url("member_mfa_reset", association, owner.pk) in html
    assert url("member_role_change", association, owner.pk) in html
    assert url("member_remove", association, owner.pk) in html
    assert url("member_remove", association, association_admin.pk) not in html
    assert url("member_add", association) in html


def test_an_admin_adds_an_existing_account_by_username_or_email(admin_client, association, caplog):
    UserFactory(username="nouvelle", email="nouvelle@example.org")
    UserFactory(username="autre", email="autre@example.org")

    with caplog.at_level("WARNING", logger="security"):
        response = admin_client.post(url("member_add", association), {"identifier": "nouvelle", "role": "lawyer"})
        admin_client.post(url("member_add", association), {"identifier": "AUTRE@example.org", "role": "staff"})

    assert response.status_code == 302
    roles = dict(Membership.objects.filter(association=association).values_list("user__username", "role"))
    assert roles["nouvelle"] == "lawyer" and roles["autre"] == "staff"
    assert "member_add" in caplog.text


def test_adding_an_unknown_or_existing_member_is_refused_with_a_message(admin_client, association, owner):
    for identifier in ("personne", owner.username, ""):
        response = admin_client.post(url("member_add", association), {"identifier": identifier, "role": "lawyer"})
        assert response.status_code == 400
        assert "identifier" in response.context["add_form"].errors
    assert 'id="error-summary"' in response.content.decode()


def test_an_admin_changes_a_role_and_it_is_logged(admin_client, association, owner, caplog):
    with caplog.at_level("WARNING", logger="security"):
        response = admin_client.post(url("member_role_change", association, owner.pk), {"role": "staff"})

    assert response.status_code == 302
    assert Membership.objects.get(user=owner, association=association).role == Role.STAFF
    assert "member_role_change" in caplog.text


def test_the_last_admin_can_neither_be_demoted_nor_removed_nor_remove_themselves(
    admin_client, association, association_admin
):
    response = admin_client.post(url("member_role_change", association, association_admin.pk), {"role": "lawyer"})
    assert response.status_code == 400
    assert "dernier administrateur" in response.content.decode()
    response = admin_client.post(url("member_remove", association, association_admin.pk))
    assert response.status_code == 400
    assert "vous retirer vous-même" in response.content.decode()
    assert Membership.objects.get(user=association_admin, association=association).role == Role.ADMIN


def test_another_admin_may_be_removed_but_not_the_last_one(admin_client, client, association, association_admin):
    second = MembershipFactory(user=UserFactory(username="admin2"), association=association, role=Role.ADMIN).user

    assert admin_client.post(url("member_remove", association, second.pk)).status_code == 302
    assert not Membership.objects.filter(user=second, association=association).exists()


def test_an_admin_removes_a_member_whose_deadlines_stay_for_reassignment(admin_client, association, owner):
    response = admin_client.post(url("member_remove", association, owner.pk))

    assert response.status_code == 302
    assert not Membership.objects.filter(user=owner, association=association).exists()
    assert owner.__class__.objects.filter(pk=owner.pk, is_active=True).exists()


def test_staff_and_lawyers_cannot_manage_members(client, association, owner, colleague):
    target = MembershipFactory(user=UserFactory(username="cible"), association=association, role=Role.STAFF).user
    for user in (colleague, owner):
        client.force_login(user)
        assert client.post(url("member_role_change", association, target.pk), {"role": "admin"}).status_code == 403
        assert client.post(url("member_remove", association, target.pk)).status_code == 403
        assert client.post(url("member_add", association), {"identifier": "cible", "role": "admin"}).status_code == 403
    assert Membership.objects.get(user=target, association=association).role == Role.STAFF


def test_an_outsider_gets_404_and_a_foreign_member_is_404(client, association, other_association, owner, outsider):
    client.force_login(outsider)
    assert client.post(url("member_remove", association, owner.pk)).status_code == 404
    MembershipFactory(user=UserFactory(username="admin-b"), association=other_association, role=Role.ADMIN)
    client.force_login(owner.__class__.objects.get(username="admin-b"))
    # An admin of B cannot reach A's member through B's URL either.
    assert client.post(url("member_remove", other_association, owner.pk)).status_code == 404


def test_superuser_home_links_to_the_django_admin(client):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)

    html = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("admin:index")}"' in html


def test_removing_a_member_revokes_their_tokens_for_that_association_only(
    admin_client, association, other_association, owner
):
    from cases.services import api_token_create

    MembershipFactory(user=owner, association=other_association, role=Role.LAWYER)
    here, _key = api_token_create(user=owner, association=association, name="ici")
    elsewhere, _key = api_token_create(user=owner, association=other_association, name="ailleurs")
    admin_client.post(url("member_remove", association, owner.pk))
    here.refresh_from_db()
    elsewhere.refresh_from_db()
    assert here.revoked_at is not None
    assert elsewhere.revoked_at is None


def test_managing_members_asks_for_a_recent_password_and_code(admin_client, association, owner):
    session = admin_client.session
    session["mfa_reauth_at"] = 0
    session.save()
    for name, args, data in (
        ("member_role_change", [owner.pk], {"role": Role.STAFF}),
        ("member_remove", [owner.pk], {}),
        ("member_add", [], {"identifier": "x", "role": Role.STAFF}),
        ("member_invite", [], {"invite-email": "y@example.org", "invite-role": Role.STAFF}),
    ):
        response = admin_client.post(url(name, association, *args), data)
        assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_reauth")), name
    assert Membership.objects.get(user=owner, association=association).role == Role.LAWYER
