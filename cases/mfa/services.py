"""Enrolment, verification, recovery codes and recent re-authentication. The views call these;
they take the acting user (and the session, where the verification is recorded), never the request."""

import logging
import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .policy import reauth_window

security_log = logging.getLogger("security")

RECOVERY_DEVICE_NAME = "codes-de-secours"
RECOVERY_CODE_COUNT = 10
REAUTH_SESSION_KEY = "mfa_reauth_at"


def totp_device_get_or_start(*, user) -> TOTPDevice:
    """The user's pending (unconfirmed) TOTP device, created with a fresh secret if none: reloading
    the enrolment page keeps the same QR code until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="application", confirmed=False)
    return device


def totp_has_confirmed(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def totp_enrol_confirm(*, user, session, token: str) -> list[str]:
    """Confirms the pending device with a code from the app; returns the new recovery codes (shown once).
    Earlier devices are removed: one authenticator app per account, replaced by re-enrolling."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        raise ValidationError(_("Aucun enrôlement en cours : rechargez la page."))
    if not device.verify_token(_clean(token)):
        raise ValidationError(_("Code incorrect ou expiré : saisissez le code à 6 chiffres affiché par l'application."))
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_regenerate(user=user)
    mark_verified(session=session, device=device)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user) -> list[str]:
    """Replaces every recovery code: the old ones stop working at once."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    device.confirmed = True
    device.save()
    device.token_set.all().delete()
    codes = []
    for _index in range(RECOVERY_CODE_COUNT):
        code = StaticToken.random_token()
        device.token_set.create(token=code)
        codes.append(code)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()


def verify(*, user, session, token: str):
    """Checks a TOTP code, then a recovery code (which is used up). Returns the device or raises.
    django-otp throttles each device (growing delay after each failure) and refuses a replayed code."""
    token = _clean(token)
    with transaction.atomic():
        for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
            allowed, _info = device.verify_is_allowed()
            if not allowed:
                raise ValidationError(_("Trop d'essais : patientez quelques secondes avant de réessayer."))
            if device.verify_token(token):
                mark_verified(session=session, device=device)
                return device
        for device in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(token.lower()):
                mark_verified(session=session, device=device)
                return device
    raise ValidationError(_("Code incorrect."))


def mark_verified(*, session, device) -> None:
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[REAUTH_SESSION_KEY] = int(time.time())


def reauth_is_recent(session) -> bool:
    at = session.get(REAUTH_SESSION_KEY)
    return bool(at) and time.time() - at <= reauth_window()


def reauthenticate(*, user, session, password: str, token: str, needs_token: bool) -> None:
    """Recent re-authentication before sensitive account actions (API tokens): password, plus the
    second factor for those who have one."""
    if not user.check_password(password or ""):
        raise ValidationError(_("Mot de passe incorrect."))
    if needs_token:
        verify(user=user, session=session, token=token)
    else:
        session[REAUTH_SESSION_KEY] = int(time.time())


def _clean(token: str) -> str:
    return "".join((token or "").split())


def mfa_reset(*, actor, association, member) -> None:
    """An association admin resets a member's second factor (lost phone and codes): the member
    enrols again at the next sign-in. Refused (ValidationError) for oneself, and for a member who
    also belongs to an association the admin does not administer (that one is not theirs to reset)."""
    from cases.models import Membership, Role

    if member.pk == actor.pk:
        raise ValidationError(_("Vous ne pouvez pas réinitialiser votre propre double authentification."))
    member_associations = set(Membership.objects.filter(user=member).values_list("association_id", flat=True))
    administered = set(Membership.objects.filter(user=actor, role=Role.ADMIN).values_list("association_id", flat=True))
    if association.pk not in member_associations or not member_associations <= administered:
        raise ValidationError(_("Ce membre appartient aussi à une autre association : demandez à son administrateur."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=member).delete()
        StaticDevice.objects.filter(user=member).delete()
    security_log.warning("mfa_reset member=%s by=%s association=%s", member.pk, actor.pk, association.pk)
