"""AutoSchema that documents the error responses every endpoint can give, by HTTP method."""

from drf_spectacular.openapi import AutoSchema

from .base import ERRORS, UPDATE_ERRORS, WRITE_ERRORS


class ErrorDocumentingAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        method = self.method.upper()
        errors = {"GET": ERRORS, "POST": WRITE_ERRORS, "PUT": UPDATE_ERRORS, "PATCH": UPDATE_ERRORS}.get(
            method, {404: ERRORS[404]}
        )
        for code, response in errors.items():
            key = str(code)
            if key not in responses:
                responses[key] = self._get_response_for_code(response, key, direction=direction)
        return responses
