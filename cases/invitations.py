"""An association's admin invites a person who has no account yet: the account is created
without a password and an e-mail carries a single-use link to choose one (Django's password
reset token: it dies once the password is set, or after PASSWORD_RESET_TIMEOUT). No password ever
travels by e-mail; lawyers and admins then enrol their second factor at first sign-in."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .members import _check_role, _require_manager
from .models import Association, Membership

security_log = logging.getLogger("security")


def invitation_link(user) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("account_activate", args=[uidb64, token])


def _send(user, association: Association, actor) -> None:
    context = {
        "user": user,
        "association": association,
        "inviter": actor.get_full_name() or actor.username,
        "link": invitation_link(user),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    send_mail(
        subject=_("Invitation à rejoindre %(association)s") % {"association": association.short_name},
        message=render_to_string("cases/email/invitation.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def member_invite(*, actor, association: Association, email: str, first_name: str, last_name: str, role: str):
    """Create the account and its membership, and send the link once the transaction commits."""
    _require_manager(actor, association)
    _check_role(role)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Saisissez une adresse électronique valide.")}) from None
    users = get_user_model().objects
    if users.filter(email__iexact=email).exists() or users.filter(username__iexact=email).exists():
        raise ValidationError(
            {"email": _("Un compte existe déjà avec ce courriel : rattachez-le avec « Ajouter un membre ».")}
        )
    user = users.create_user(
        username=email, email=email, first_name=(first_name or "").strip(), last_name=(last_name or "").strip()
    )  # no password given: unusable until the invited person chooses one
    membership = Membership.objects.create(user=user, association=association, role=role)
    transaction.on_commit(lambda: _send(user, association, actor))
    security_log.warning(
        "member_invite member=%s role=%s by=%s association=%s", user.pk, role, actor.pk, association.pk
    )
    return membership


def member_invite_resend(*, actor, association: Association, user) -> None:
    """A new link for a member who has not chosen a password yet (the previous one still works
    until it expires: both are tied to the same state of the account)."""
    _require_manager(actor, association)
    if not Membership.objects.filter(user=user, association=association).exists():
        raise ValidationError(_("Ce compte n'est pas membre de l'association."))
    if user.has_usable_password():
        raise ValidationError(_("Ce membre a déjà choisi son mot de passe."))
    _send(user, association, actor)
    security_log.warning("member_invite_resend member=%s by=%s association=%s", user.pk, actor.pk, association.pk)
