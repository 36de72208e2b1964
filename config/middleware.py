import time

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware
from csp.utils import DEFAULT_DIRECTIVES
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _
from pghistory.middleware import HistoryMiddleware

from .request_context import request_id_from_header


class RequestHistoryMiddleware(HistoryMiddleware):
    """pghistory's middleware, plus the request id (config.request_log) on every history row."""

    def __call__(self, request):
        if not getattr(request, "request_id", None):
            request.request_id = request_id_from_header(request.headers.get("X-Request-ID"))
        return super().__call__(request)

    def get_context(self, request):
        return {**super().get_context(request), "request_id": request.request_id}


# Session keys: when the user signed in, and their last recorded request (seconds since the epoch).
SESSION_SIGNED_IN_AT = "_signed_in_at"
SESSION_LAST_ACTIVITY = "_last_activity"
# Activity is recorded at most once a minute, so a busy page does not write the session on each request
# (the idle limit may then fall up to a minute early).
ACTIVITY_RESOLUTION = 60


class SessionExpiryMiddleware:
    """Signs out a session idle for SESSION_IDLE_TIMEOUT seconds, and any session SESSION_COOKIE_AGE
    seconds after sign-in: activity slides the first limit, never the second. The next page then
    asks to sign in again, with a message saying why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            reason = self._expiry_reason(request.session, now)
            if reason:
                logout(request)
                messages.info(request, reason)
            else:
                self._record_activity(request.session, now)
        return self.get_response(request)

    @staticmethod
    def _expiry_reason(session, now: int) -> str:
        signed_in_at = session.get(SESSION_SIGNED_IN_AT)
        if signed_in_at is not None and now - signed_in_at >= settings.SESSION_COOKIE_AGE:
            hours = settings.SESSION_COOKIE_AGE // 3600
            return _("Votre session a atteint sa durée maximale (%(hours)s h) : reconnectez-vous.") % {"hours": hours}
        last_activity = session.get(SESSION_LAST_ACTIVITY)
        if last_activity is not None and now - last_activity >= settings.SESSION_IDLE_TIMEOUT:
            minutes = settings.SESSION_IDLE_TIMEOUT // 60
            return _("Votre session a expiré après %(minutes)s minutes d'inactivité : reconnectez-vous.") % {
                "minutes": minutes
            }
        return ""

    @staticmethod
    def _record_activity(session, now: int) -> None:
        # A session signed in before this middleware was deployed counts from its first request seen.
        session.setdefault(SESSION_SIGNED_IN_AT, now)
        last_activity = session.get(SESSION_LAST_ACTIVITY)
        if last_activity is None or now - last_activity >= ACTIVITY_RESOLUTION:
            session[SESSION_LAST_ACTIVITY] = now


def record_sign_in(sender, request, user, **kwargs):
    """On user_logged_in (connected in config/sessions.py): both limits count from this sign-in."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SESSION_SIGNED_IN_AT] = now
        request.session[SESSION_LAST_ACTIVITY] = now


_DIRECTIVE_ORDER = {name: position for position, name in enumerate(DEFAULT_DIRECTIVES)}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the directives always in the same order: django-csp 4.0 builds
    them from a set, so the header would change from one process to the next."""

    def process_response(self, request, response):
        response = super().process_response(request, response)
        for header in (HEADER, HEADER_REPORT_ONLY):
            if header in response:
                directives = [directive.strip() for directive in response[header].split(";") if directive.strip()]
                directives.sort(
                    key=lambda directive: _DIRECTIVE_ORDER.get(directive.split(" ", 1)[0], len(_DIRECTIVE_ORDER))
                )
                response[header] = "; ".join(directives)
        return response
