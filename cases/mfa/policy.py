from django.conf import settings
from django_otp import user_has_device

from cases.models import Membership, Role

# Lawyers see victims' identities and admins manage members: a password alone must not open either.
MFA_REQUIRED_ROLES = (Role.LAWYER, Role.ADMIN)


def mfa_required(user) -> bool:
    """Whether this user must pass a second factor after the password. A user who enrolled a device
    of their own accord (staff) must use it too: otherwise the password alone would bypass it."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    if Membership.objects.filter(user=user, role__in=MFA_REQUIRED_ROLES).exists():
        return True
    return user_has_device(user, confirmed=True)


def reauth_window() -> int:
    return getattr(settings, "MFA_REAUTH_SECONDS", 15 * 60)
