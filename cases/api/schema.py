"""The OpenAPI schema says what the API really does, so that a generated client works as is:
the error answers of each operation (one JSON shape, whatever the success's media type), the
If-Match header every edit requires and the ETag it gets back, Retry-After on 429."""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, TextField
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import serializers

from .concurrency import ETagMixin

# A field's messages, or, for a list or a nested object, the same by index or by field name.
FIELD_ERRORS = {
    "oneOf": [
        {"type": "array", "items": {"type": "string"}},
        {"type": "object", "additionalProperties": True},
    ]
}


@extend_schema_field({"type": "object", "additionalProperties": FIELD_ERRORS})
class FieldErrorsField(serializers.DictField):
    pass


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="not_found, invalid, unique, precondition_failed, throttled…")
    errors = FieldErrorsField(required=False, help_text="Messages par champ (400, 409, 413, 415 d'un fichier).")


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


ERROR_RESPONSES = {
    400: _error("Données ou paramètres refusés : messages par champ dans `errors`."),
    401: _error("Jeton absent, inconnu ou révoqué (en-tête WWW-Authenticate)."),
    403: _error("Rôle insuffisant (salarié·e, partage en lecture), ou jeton sur la gestion des jetons."),
    404: _error("Introuvable, ou appartenant à une autre association (jamais 403)."),
    409: _error("Conflit d'unicité."),
    412: _error("L'ETag de If-Match ne correspond plus : relire puis réessayer."),
    413: _error("Fichier trop lourd."),
    415: _error("Type de contenu refusé (corps JSON attendu, ou type de fichier refusé)."),
    428: _error("En-tête If-Match absent, ou « * »."),
    429: _error("Trop de requêtes : réessayer après Retry-After secondes."),
}
EVERY_OPERATION = (401, 403, 404, 429)
WITH_BODY = (400, 409, 415)
EDIT = (412, 428)

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="L'ETag de la version lue (en-tête ETag d'un GET ou de la dernière écriture).",
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After", int, OpenApiParameter.HEADER, response=[429], required=True, description="Secondes à attendre."
)
WWW_AUTHENTICATE = OpenApiParameter("WWW-Authenticate", str, OpenApiParameter.HEADER, response=[401], required=True)


def _etag(codes: list[int]) -> OpenApiParameter:
    return OpenApiParameter(
        "ETag",
        str,
        OpenApiParameter.HEADER,
        response=codes,
        required=True,
        description="Version de l'enregistrement, à renvoyer dans If-Match pour le modifier.",
    )


class ErrorDocumentingAutoSchema(AutoSchema):
    def _action(self) -> str | None:
        return getattr(self.view, "action", None)

    def _edits_with_if_match(self) -> bool:
        return isinstance(self.view, ETagMixin) and self._action() in ("update", "partial_update")

    def _etag_codes(self) -> list[int]:
        if not isinstance(self.view, ETagMixin):
            return []
        if self._action() in ("retrieve", "update", "partial_update"):
            return [200]
        if self._action() == "create" and getattr(self.view, "send_etag_on_create", False):
            return [201]
        return []

    def get_override_parameters(self):
        parameters = [*super().get_override_parameters(), RETRY_AFTER, WWW_AUTHENTICATE]
        if self._edits_with_if_match():
            parameters.append(IF_MATCH)
        if codes := self._etag_codes():
            parameters.append(_etag(codes))
        return parameters

    def _error_codes(self) -> list[int]:
        codes = [400, *EVERY_OPERATION]
        if self.method.upper() in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            codes += WITH_BODY
        if self._edits_with_if_match():
            codes += EDIT
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            key = str(code)
            if key not in responses:
                # Errors are JSON even where the success is a file (exports, downloads).
                responses[key] = self._get_response_for_code(
                    ERROR_RESPONSES[code], key, media_types=["application/json"], direction=direction
                )
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # DRF drops allow_blank from read-only fields, yet a blank model choice (« » for « not
        # said ») is answered as "": the enumeration must list it.
        if isinstance(field, serializers.ChoiceField) and field.read_only and _model_field_is_blank(field):
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)


def _model_field_is_blank(field) -> bool:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        model_field = model._meta.get_field(field.source)
    except FieldDoesNotExist:  # a property or an annotation: not a column
        return False
    return isinstance(model_field, CharField | TextField) and model_field.blank
