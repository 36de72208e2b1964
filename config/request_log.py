"""One log line per HTTP request: method, route, status, duration, who (ids only) and request id.

The route is the URL pattern (« /affaires/<int:case_id>/ »), never the path or its query string:
a path can hold a secret (calendar feeds, account activation) and a query string a search term,
such as a victim's name. Users and associations appear by id only."""

import logging
import time

from django.utils.functional import SimpleLazyObject, empty

from .request_context import request_id, request_id_from_header

logger = logging.getLogger(__name__)


def _evaluated(value):
    # A lazy attribute nobody read during the request stays unread: reading it now would cost a
    # query (the user, the active membership) only to log it.
    if isinstance(value, SimpleLazyObject):
        return None if value._wrapped is empty else value._wrapped
    return value


def _route(request) -> str | None:
    match = getattr(request, "resolver_match", None)
    return "/" + match.route if match is not None and match.route is not None else None


def _user_id(request) -> int | None:
    user = _evaluated(request.__dict__.get("user"))
    return user.pk if user is not None and getattr(user, "is_authenticated", False) else None


def _association_id(request) -> int | None:
    # An API token acts for its one association; a session for the membership it chose.
    token_association = getattr(request.__dict__.get("auth"), "association_id", None)
    if token_association is not None:
        return token_association
    membership = _evaluated(request.__dict__.get("membership"))
    return getattr(membership, "association_id", None)


class RequestLogMiddleware:
    """First of the middleware: it gives the request its id (request.request_id, the X-Request-ID
    response header, every log line meanwhile) and times everything the others do."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = request_id_from_header(request.headers.get("X-Request-ID"))
        token = request_id.set(request.request_id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            route = _route(request)
            logger.info(
                "%s %s %s %s ms",
                request.method,
                route or "(aucune route)",
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_id": _user_id(request),
                    "association_id": _association_id(request),
                },
            )
            return response
        finally:
            request_id.reset(token)
