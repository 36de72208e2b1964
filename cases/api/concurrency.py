"""Optimistic concurrency: every representation carries an ETag; writes need If-Match.

Two lawyers editing the same filing must not overwrite each other: the second PUT/PATCH, made
with the ETag of the version it read, gets 412 Precondition Failed instead of erasing the first.
"""

import hashlib
import json

from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("Modification refusée sans en-tête If-Match (l'ETag de la version lue).")
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("L'enregistrement a changé depuis votre lecture : relisez-le avant de le modifier.")
    default_code = "precondition_failed"


class WildcardRefused(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("« If-Match: * » n'est pas accepté : donnez l'ETag de la version lue.")
    default_code = "precondition_required"


def etag_for(data) -> str:
    payload = json.dumps(data, sort_keys=True, default=str, separators=(",", ":")).encode()
    return f'"{hashlib.sha256(payload).hexdigest()[:32]}"'


def record_etag(instance, data) -> str:
    """The ETag of a record's representation. Fields kept out of the representation (a victim's
    encrypted identity) still count, through a keyed digest: an identity edit changes the ETag, so
    two lawyers cannot overwrite each other, and the ETag cannot be brute-forced back to a name."""
    secret_fields = getattr(type(instance), "IDENTITY_FIELDS", ())
    if not secret_fields:
        return etag_for(data)
    values = json.dumps([str(getattr(instance, name)) for name in secret_fields])
    digest = salted_hmac("etag-identity", values, algorithm="sha256").hexdigest()
    return etag_for({"representation": data, "identity": digest})


class ETagMixin:
    """For ModelViewSets: ETag on retrieve/update responses; If-Match required on update and
    checked against the row locked FOR UPDATE, so the check and the write cannot interleave."""

    def etag(self, instance) -> str:
        return record_etag(instance, self.get_serializer(instance).data)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = self._response_etag(response)
        return response

    def _response_etag(self, response) -> str:
        model = self.get_queryset().model
        if not getattr(model, "IDENTITY_FIELDS", ()):
            return etag_for(response.data)
        return record_etag(self.get_object(), response.data)

    def check_if_match(self, instance) -> None:
        expected = self.request.headers.get("If-Match")
        if not expected:
            raise PreconditionRequired
        candidates = {value.strip() for value in expected.split(",")}
        # « * » would overwrite whatever another lawyer wrote since: the version read is required.
        if "*" in candidates:
            raise WildcardRefused
        if self.etag(instance) not in candidates:
            raise PreconditionFailed

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.get_object()
            locked = type(instance).objects.select_for_update().get(pk=instance.pk)
            self.check_if_match(locked)
            response = super().update(request, *args, **kwargs)
        if response.status_code == status.HTTP_200_OK:
            response["ETag"] = self._response_etag(response)
        return response
