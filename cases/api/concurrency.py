"""Optimistic concurrency: every representation carries an ETag; writes need If-Match.

Two lawyers editing the same filing must not overwrite each other: the second PUT/PATCH, made
with the ETag of the version it read, gets 412 Precondition Failed instead of erasing the first.
"""

import hashlib
import json

from django.db import transaction
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


def etag_for(data) -> str:
    payload = json.dumps(data, sort_keys=True, default=str, separators=(",", ":")).encode()
    return f'"{hashlib.sha256(payload).hexdigest()[:32]}"'


class ETagMixin:
    """For ModelViewSets: ETag on retrieve/update responses; If-Match required on update and
    checked against the row locked FOR UPDATE, so the check and the write cannot interleave."""

    def etag(self, instance) -> str:
        return etag_for(self.get_serializer(instance).data)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag_for(response.data)
        return response

    def check_if_match(self, instance) -> None:
        expected = self.request.headers.get("If-Match")
        if not expected:
            raise PreconditionRequired
        candidates = {value.strip() for value in expected.split(",")}
        if "*" not in candidates and self.etag(instance) not in candidates:
            raise PreconditionFailed

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.get_object()
            locked = type(instance).objects.select_for_update().get(pk=instance.pk)
            self.check_if_match(locked)
            response = super().update(request, *args, **kwargs)
        if response.status_code == status.HTTP_200_OK:
            response["ETag"] = etag_for(response.data)
        return response
