"""Second factor: mandatory for lawyers and admins, recovery codes, sign-in history, and recent
re-authentication before managing API tokens."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import ApiToken, Role
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def totp_now(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():06d}"


def password_login(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def enrol(client, user):
    """Enrols an authenticator app through the pages; returns the device and the recovery codes."""
    client.get(reverse("mfa_enrol"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("mfa_enrol"), {"token": totp_now(device), "next": "/"})
    assert response.status_code == 200, response.content
    device.refresh_from_db()
    return device, response.context["codes"]


# Every page a lawyer uses daily, the API and the admin: none opens on a password alone.
GUARDED = ["home", "case_list", "case_create", "api_tokens", "account_security", "statistics_dashboard"]


@pytest.mark.password_only
@pytest.mark.parametrize("role", [Role.LAWYER, Role.ADMIN])
@pytest.mark.parametrize("name", GUARDED)
def test_a_password_alone_opens_no_page_beyond_enrolment(client, association, role, name):
    MembershipFactory(user=UserFactory(username="u"), association=association, role=role)
    password_login(client, "u")
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_enrol"))


@pytest.mark.password_only
def test_a_password_alone_gets_403_on_the_api_and_no_data(client, owner, case):
    password_login(client, "owner")
    response = client.get("/api/v1/cases/")
    assert response.status_code == 403
    assert "ACPE-T-001" not in response.content.decode()
    # An unknown Authorization scheme must not fall back to the password-only session.
    response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Basic eDp5")
    assert response.status_code in (401, 403)
    assert "ACPE-T-001" not in response.content.decode()


@pytest.mark.password_only
def test_the_admin_site_needs_the_second_factor_too(client, db):
    UserFactory(username="root", is_superuser=True, is_staff=True)
    password_login(client, "root")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_enrol"))


@pytest.mark.password_only
def test_staff_without_a_device_needs_no_second_factor(client, colleague):
    password_login(client, "colleague")
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.password_only
def test_enrolment_then_a_new_sign_in_asks_for_the_code_and_accepts_it(client, owner):
    password_login(client, "owner")
    device, codes = enrol(client, owner)
    assert device.confirmed
    assert len(codes) == 10
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))

    password_login(client, "owner")
    response = client.get(reverse("case_list"))
    assert response["Location"].startswith(reverse("mfa_verify"))
    wrong = client.post(reverse("mfa_verify"), {"token": "000000"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors
    # django-otp delays the next try after a failure; the test does not wait for it.
    device.refresh_from_db()
    device.throttle_reset()
    # The next time step: the enrolment code of this step was used already (no replay).
    response = client.post(reverse("mfa_verify"), {"token": totp_now(device, 1), "next": reverse("case_list")})
    assert response.status_code == 302
    assert response["Location"] == reverse("case_list")
    assert client.get(reverse("case_list")).status_code == 200


@pytest.mark.password_only
def test_a_wrong_code_at_enrolment_is_a_form_error_and_the_device_stays_pending(client, owner):
    password_login(client, "owner")
    client.get(reverse("mfa_enrol"))
    response = client.post(reverse("mfa_enrol"), {"token": "12"})
    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=owner, confirmed=True).exists()
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.password_only
def test_the_enrolment_page_shows_a_qr_code_and_the_secret_and_is_not_cached(client, owner):
    password_login(client, "owner")
    response = client.get(reverse("mfa_enrol"))
    body = response.content.decode()
    assert "<svg" in body
    device = TOTPDevice.objects.get(user=owner, confirmed=False)
    assert re.search(r"secret=([A-Z2-7]+)", device.config_url).group(1) in body
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    # Reloading keeps the same secret until confirmed (the app was perhaps already scanned).
    client.get(reverse("mfa_enrol"))
    assert TOTPDevice.objects.filter(user=owner, confirmed=False).count() == 1


@pytest.mark.password_only
def test_a_recovery_code_works_once(client, owner):
    password_login(client, "owner")
    _device, codes = enrol(client, owner)
    client.post(reverse("logout"))
    password_login(client, "owner")
    response = client.post(reverse("mfa_verify"), {"token": codes[0].upper(), "next": "/"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    password_login(client, "owner")
    response = client.post(reverse("mfa_verify"), {"token": codes[0]})
    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.password_only
def test_a_totp_code_cannot_be_replayed(client, owner):
    password_login(client, "owner")
    device, _codes = enrol(client, owner)
    # The code used to confirm the enrolment was just accepted: the same code again is refused.
    used = totp_now(device)
    client.post(reverse("logout"))
    password_login(client, "owner")
    response = client.post(reverse("mfa_verify"), {"token": used})
    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_the_account_page_lists_successful_and_failed_sign_ins(client, owner):
    client.post(reverse("login"), {"username": "owner", "password": "mauvais"}, REMOTE_ADDR="203.0.113.9")
    client.post(reverse("login"), {"username": "owner", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    client.force_login(owner)
    body = client.get(reverse("account_security")).content.decode()
    assert "203.0.113.9" in body and "Échec" in body
    assert "198.51.100.7" in body and "Connexion réussie" in body


def test_the_account_page_shows_only_the_users_own_history(client, owner, colleague):
    client.post(reverse("login"), {"username": "colleague", "password": "mauvais"}, REMOTE_ADDR="203.0.113.77")
    client.force_login(owner)
    assert "203.0.113.77" not in client.get(reverse("account_security")).content.decode()


class TestTokenManagementNeedsRecentReauthentication:
    def test_an_old_verification_sends_the_token_page_to_the_confirmation(self, client, owner, settings):
        client.force_login(owner)
        session = client.session
        session["mfa_reauth_at"] = 0
        session.save()
        response = client.get(reverse("api_tokens"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_reauth"))
        response = client.post(
            reverse("api_tokens"), {"association": owner.memberships.get().association_id, "name": "x"}
        )
        assert response.status_code == 302
        assert not ApiToken.objects.exists()

    def test_the_api_refuses_to_create_a_token_without_recent_reauthentication(self, client, owner):
        client.force_login(owner)
        session = client.session
        session["mfa_reauth_at"] = 0
        session.save()
        association_id = owner.memberships.get().association_id
        response = client.post(
            "/api/v1/tokens/", {"association": association_id, "name": "x"}, content_type="application/json"
        )
        assert response.status_code == 403
        assert "Confirmez" in response.json()["detail"]
        assert not ApiToken.objects.exists()

    def test_password_and_code_reopen_token_management(self, client, owner):
        client.force_login(owner)
        session = client.session
        session["mfa_reauth_at"] = 0
        session.save()
        device = TOTPDevice.objects.get(user=owner)
        response = client.post(
            reverse("mfa_reauth"), {"password": PASSWORD, "token": totp_now(device), "next": reverse("api_tokens")}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("api_tokens")
        assert client.get(reverse("api_tokens")).status_code == 200

    def test_a_wrong_password_does_not_reauthenticate_and_five_end_the_session(self, client, owner):
        client.force_login(owner)
        session = client.session
        session["mfa_reauth_at"] = 0
        session.save()
        device = TOTPDevice.objects.get(user=owner)
        for _attempt in range(4):
            response = client.post(reverse("mfa_reauth"), {"password": "mauvais", "token": totp_now(device)})
            assert response.status_code == 200
            assert "Mot de passe incorrect" in response.content.decode()
        response = client.post(reverse("mfa_reauth"), {"password": "mauvais", "token": totp_now(device)})
        assert response["Location"] == reverse("login")
        assert "_auth_user_id" not in client.session

    def test_replacing_the_app_needs_recent_reauthentication(self, client, owner):
        client.force_login(owner)
        session = client.session
        session["mfa_reauth_at"] = 0
        session.save()
        response = client.get(reverse("mfa_enrol"))
        assert response["Location"].startswith(reverse("mfa_reauth"))

    def test_regenerating_recovery_codes_invalidates_the_old_ones(self, client, owner):
        client.force_login(owner)
        from cases.mfa.services import recovery_codes_regenerate

        old = recovery_codes_regenerate(user=owner)
        response = client.post(reverse("recovery_codes_regenerate"))
        new = response.context["codes"]
        assert set(old).isdisjoint(new)
        from django_otp.plugins.otp_static.models import StaticToken

        assert set(StaticToken.objects.filter(device__user=owner).values_list("token", flat=True)) == set(new)


class TestAdminResetsAMembersSecondFactor:
    def test_the_admin_resets_a_lawyer_who_must_enrol_again(self, client, association_admin, owner):
        TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
        client.force_login(association_admin)
        association_id = owner.memberships.get().association_id
        response = client.post(reverse("member_mfa_reset", args=[association_id, owner.pk]))
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=owner).exists()

    def test_a_lawyer_cannot_reset_anyone(self, client, owner, colleague):
        TOTPDevice.objects.create(user=colleague, name="phone", confirmed=True)
        client.force_login(owner)
        association_id = owner.memberships.get().association_id
        response = client.post(reverse("member_mfa_reset", args=[association_id, colleague.pk]))
        assert response.status_code in (403, 404)
        assert TOTPDevice.objects.filter(user=colleague).exists()

    def test_a_member_of_another_association_is_out_of_reach(self, client, association_admin, outsider):
        TOTPDevice.objects.create(user=outsider, name="phone", confirmed=True)
        client.force_login(association_admin)
        association_id = association_admin.memberships.get().association_id
        response = client.post(reverse("member_mfa_reset", args=[association_id, outsider.pk]))
        assert response.status_code == 404
        assert TOTPDevice.objects.filter(user=outsider).exists()

    def test_a_member_who_also_belongs_elsewhere_is_refused(self, client, association_admin, owner, other_association):
        MembershipFactory(user=owner, association=other_association, role=Role.LAWYER)
        client.force_login(owner)  # enrols the owner's device
        client.force_login(association_admin)
        association_id = association_admin.memberships.get().association_id
        response = client.post(reverse("member_mfa_reset", args=[association_id, owner.pk]), follow=True)
        assert "autre association" in response.content.decode()
        assert TOTPDevice.objects.filter(user=owner).exists()


@pytest.mark.password_only
def test_repeated_wrong_codes_are_slowed_down(client, owner):
    device = TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    password_login(client, "owner")
    client.post(reverse("mfa_verify"), {"token": "000000"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # After n failures the next try waits 2^(n-1) s; four failures: 8 s, even a right code is refused.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=4)
    response = client.post(reverse("mfa_verify"), {"token": totp_now(device)})
    assert "Trop d&#x27;essais" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
