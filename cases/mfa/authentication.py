from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication

from .policy import mfa_required


class VerifiedSessionAuthentication(SessionAuthentication):
    """A browser session on the API counts only once its second factor is verified (a request with
    an unknown Authorization scheme would otherwise fall through to a password-only session)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = request._request.user
        verified = hasattr(user, "is_verified") and user.is_verified()
        if not verified and mfa_required(user):
            return None
        return result


class VerifiedSessionScheme(SessionScheme):
    """Documents the session cookie in the OpenAPI schema, as for DRF's own SessionAuthentication."""

    target_class = VerifiedSessionAuthentication
