import pytest
from django.urls import reverse

from cases.middleware import ACTIVE_ASSOCIATION_SESSION_KEY
from cases.models import Role
from tests.factories import PASSWORD, AssociationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_login_page_is_in_french(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Connexion" in response.content.decode()
    assert 'lang="fr"' in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_member_logs_in_with_the_right_password_and_lands_home(client, colleague):
    # Staff: no second factor is required (lawyers and admins: tests/cases/test_mfa.py).
    response = client.post(reverse("login"), {"username": "colleague", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_password_is_refused_with_a_form_error(client, owner):
    response = client.post(reverse("login"), {"username": "owner", "password": "mauvais"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].non_field_errors()


def test_the_account_is_locked_after_repeated_failures(client, owner, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "owner", "password": "mauvais"})
    response = client.post(reverse("login"), {"username": "owner", "password": PASSWORD})
    assert response.status_code == 429
    assert "verrouillé" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(client, owner):
    client.force_login(owner)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize(
    ("role", "panel", "absent"),
    [
        (Role.LAWYER, "Mes affaires", "Dossiers à imprimer"),
        (Role.STAFF, "Dossiers à imprimer", "Mes affaires"),
        (Role.ADMIN, "Tableaux de bord", "Mes affaires"),
    ],
)
def test_each_role_has_its_own_home_page(client, association, role, panel, absent):
    user = MembershipFactory(association=association, role=role).user
    client.force_login(user)
    content = client.get(reverse("home")).content.decode()
    assert panel in content
    assert absent not in content
    assert association.name in content


def test_a_user_with_no_association_is_told_so(client):
    client.force_login(UserFactory())
    assert "aucune association" in client.get(reverse("home")).content.decode()


def test_the_switcher_lists_only_the_users_associations(client, owner, other_association):
    client.force_login(owner)
    content = client.get(reverse("home")).content.decode()
    assert "ACPE-T" in content
    assert "AUTRE-T" not in content


def test_a_member_of_two_associations_switches_between_them(client, owner, association):
    second = AssociationFactory(short_name="DEUX", name="Deuxième association")
    MembershipFactory(user=owner, association=second, role=Role.STAFF)
    client.force_login(owner)
    response = client.post(reverse("association_switch"), {"association": second.pk, "next": "/"})
    assert response.status_code == 302
    content = client.get(reverse("home")).content.decode()
    assert "Deuxième association" in content
    assert "Dossiers à imprimer" in content  # now acting as staff


def test_switching_to_an_association_the_user_does_not_belong_to_is_a_404(client, owner, other_association):
    client.force_login(owner)
    response = client.post(reverse("association_switch"), {"association": other_association.pk})
    assert response.status_code == 404
    assert ACTIVE_ASSOCIATION_SESSION_KEY not in client.session


def test_the_switch_never_redirects_to_another_site(client, owner, association):
    client.force_login(owner)
    response = client.post(reverse("association_switch"), {"association": association.pk, "next": "https://evil.test/"})
    assert response["Location"] == reverse("home")


def test_an_admin_sees_the_members_of_the_association(client, association_admin, owner, association):
    client.force_login(association_admin)
    response = client.get(reverse("member_list", args=[association.pk]))
    assert response.status_code == 200
    assert "owner" in response.content.decode()


def test_a_colleague_without_the_admin_role_is_forbidden_the_members_page(client, colleague, association):
    client.force_login(colleague)
    assert client.get(reverse("member_list", args=[association.pk])).status_code == 403


def test_an_outsider_gets_404_not_403_on_another_associations_members(client, outsider, association):
    MembershipFactory(user=outsider, association=AssociationFactory(), role=Role.ADMIN)
    client.force_login(outsider)
    assert client.get(reverse("member_list", args=[association.pk])).status_code == 404


def test_the_django_admin_is_for_superusers_only(client, owner):
    staff_user = UserFactory(is_staff=True)
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 302
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200
