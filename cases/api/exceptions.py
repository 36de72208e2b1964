"""One error shape for the API: `{"detail": "...", "code": "...", "errors": {field: [messages]}}`.

Django ValidationErrors raised by services become 400, or 409 for a uniqueness conflict, 413 for
an oversize upload, 415 for a refused file type; Http404 stays 404 (never 403 across associations),
always with the same neutral French detail: Django's « No Case matches the given query. » would
name the model, and a different text for an unknown id and another association's would let ids be
probed.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

STATUS_BY_CODE = {
    "unique": status.HTTP_409_CONFLICT,
    "conflict": status.HTTP_409_CONFLICT,
    "too_large": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    "unsupported_type": status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
}


def _codes(error: DjangoValidationError) -> set[str]:
    return (
        {e.code for e in error.error_list if getattr(e, "code", None)}
        if not hasattr(error, "error_dict")
        else {e.code for errors in error.error_dict.values() for e in errors if getattr(e, "code", None)}
    )


def _messages(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def api_exception_handler(exc, context):
    if isinstance(exc, Http404 | exceptions.NotFound):
        return Response({"detail": _("Introuvable."), "code": "not_found"}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoValidationError):
        codes = _codes(exc)
        code = next((c for c in ("unique", "conflict", "too_large", "unsupported_type") if c in codes), "invalid")
        http_status = STATUS_BY_CODE.get(code, status.HTTP_400_BAD_REQUEST)
        return Response({"detail": _("Données refusées."), "code": code, "errors": _messages(exc)}, status=http_status)
    if isinstance(exc, DjangoPermissionDenied):
        # Raised by the services; as DRF's own, so the code says « permission_denied ».
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        # A bare list (a filter's refusal of a parameter, a body that is not an object) goes
        # under non_field_errors, so `errors` always maps names to messages.
        errors = (
            response.data if isinstance(response.data, dict) else {api_settings.NON_FIELD_ERRORS_KEY: response.data}
        )
        response.data = {"detail": _("Données refusées."), "code": "invalid", "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"]), "code": getattr(exc, "default_code", "error")}
    return response
