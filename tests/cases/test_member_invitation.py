"""An association admin invites a person who has no account: the account is created without a
password, an e-mail carries a single-use link from SITE_URL, the person chooses a password that
the validators accept and signs in. Others cannot invite; a known e-mail is refused."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from cases.models import Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, association_admin):
    client.force_login(association_admin)
    return client


def invite(client, association, **data):
    payload = {"invite-email": "Nouvelle.Avocate@Example.org", "invite-first_name": "Anne", "invite-last_name": "Vocat"}
    payload["invite-role"] = Role.LAWYER
    payload.update({f"invite-{key}": value for key, value in data.items()})
    return client.post(reverse("member_invite", args=[association.pk]), payload)


def test_an_invited_person_chooses_a_password_through_the_link_and_signs_in(
    admin_client, association, settings, django_capture_on_commit_callbacks, caplog
):
    settings.SITE_URL = "https://affaires.example.org"
    with django_capture_on_commit_callbacks(execute=True), caplog.at_level("WARNING", logger="security"):
        response = invite(admin_client, association)
    assert response.status_code == 302
    user = get_user_model().objects.get(email="nouvelle.avocate@example.org")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, association=association).role == Role.LAWYER
    assert "member_invite" in caplog.text
    [message] = mail.outbox
    assert message.to == ["nouvelle.avocate@example.org"]
    link = re.search(r"https://affaires\.example\.org(/compte/activer/\S+)", message.body).group(1)
    assert "Anne Vocat" in message.body and "mot de passe" in message.body

    admin_client.logout()
    page = admin_client.get(link, follow=True)
    assert page.status_code == 200 and "Activer votre compte" in page.content.decode()
    form_url = page.redirect_chain[-1][0]
    weak = admin_client.post(form_url, {"new_password1": "court", "new_password2": "court"})
    assert weak.status_code == 200 and "errors" in weak.content.decode()
    done = admin_client.post(
        form_url, {"new_password1": "une-phrase-de-passe-solide", "new_password2": "une-phrase-de-passe-solide"}
    )
    assert done.status_code == 302 and done["Location"] == reverse("login")
    user.refresh_from_db()
    assert user.check_password("une-phrase-de-passe-solide")
    again = admin_client.get(link, follow=True).content.decode()
    assert "plus valable" in again  # single use


def test_an_invitation_to_a_known_email_or_a_bad_email_is_refused_with_a_message(admin_client, association, owner):
    owner.email = "deja@example.org"
    owner.save()
    known = invite(admin_client, association, email="DEJA@example.org")
    assert known.status_code == 400 and "Ajouter un membre" in known.content.decode()
    bad = invite(admin_client, association, email="pas-un-courriel")
    assert bad.status_code == 400 and "courriel" in bad.content.decode().lower()
    assert get_user_model().objects.filter(email="pas-un-courriel").count() == 0
    assert not mail.outbox


def test_the_invitation_can_be_sent_again_until_a_password_is_chosen(
    admin_client, association, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client, association)
    user = get_user_model().objects.get(email="nouvelle.avocate@example.org")
    page = admin_client.get(reverse("member_list", args=[association.pk])).content.decode()
    assert "invitation en attente" in page
    resend = admin_client.post(reverse("member_invite_resend", args=[association.pk, user.pk]))
    assert resend.status_code == 302 and len(mail.outbox) == 2
    refused = admin_client.post(reverse("member_invite_resend", args=[association.pk, owner.pk]))
    assert refused.status_code == 400 and len(mail.outbox) == 2


def test_staff_and_lawyers_cannot_invite(client, association, owner, colleague):
    for user in (owner, colleague):
        client.force_login(user)
        assert invite(client, association).status_code == 403
    assert not get_user_model().objects.filter(email="nouvelle.avocate@example.org").exists()


def test_a_forged_link_shows_that_it_is_no_longer_valid(client):
    html = client.get(reverse("account_activate", args=["MQ", "faux-jeton"])).content.decode()
    assert "plus valable" in html
