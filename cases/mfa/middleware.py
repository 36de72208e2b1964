from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .policy import mfa_required
from .services import totp_has_confirmed

# Pages a user who has given only a password may still open: signing out, the second factor
# itself, language, health check and static files.
OPEN_URL_NAMES = ("logout", "mfa_verify", "mfa_enrol", "set_language", "healthz")
OPEN_PREFIXES = ("/static/",)


class MfaRequiredMiddleware:
    """After the password, a user who must use a second factor reaches nothing but enrolment or
    verification (pages answer with a redirect, the API with 403). API tokens are not sessions:
    DRF authenticates them later, and only a verified session can create one."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def __call__(self, request):
        user = request.user
        path = request.path_info
        if user.is_authenticated and not user.is_verified() and not self._is_open(path) and mfa_required(user):
            return self._refuse(request, user)
        return self.get_response(request)

    def _is_open(self, path: str) -> bool:
        if self._open_paths is None:
            self._open_paths = {reverse(name) for name in OPEN_URL_NAMES}
        return path in self._open_paths or path.startswith(OPEN_PREFIXES)

    def _refuse(self, request, user):
        if request.path_info.startswith("/api/"):
            if request.META.get("HTTP_AUTHORIZATION"):
                return self.get_response(request)
            return JsonResponse({"detail": _("Double authentification requise : validez votre code.")}, status=403)
        name = "mfa_verify" if totp_has_confirmed(user) else "mfa_enrol"
        return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
