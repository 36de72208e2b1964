"""What every tenant-scoped viewset shares: the token's association scope, the case lookup with
404/403 rules, and services' ValidationErrors turned into API errors by the exception handler."""

from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from cases.models import Permission
from cases.selectors import association_ids_for_user, case_get

from .authentication import scope_association_id


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Données refusées : messages par champ dans `errors`."),
    404: OpenApiResponse(ErrorSerializer, description="Introuvable, ou appartenant à une autre association."),
}
WRITE_ERRORS = {
    **ERRORS,
    403: OpenApiResponse(ErrorSerializer, description="Rôle insuffisant (salarié·e, partage en lecture)."),
    409: OpenApiResponse(ErrorSerializer, description="Conflit d'unicité."),
}
UPDATE_ERRORS = {
    **WRITE_ERRORS,
    412: OpenApiResponse(ErrorSerializer, description="L'ETag de If-Match ne correspond plus : relire puis réessayer."),
    428: OpenApiResponse(ErrorSerializer, description="En-tête If-Match absent."),
}


class TenantMixin:
    """Scope helpers for viewsets. A token request acts for its association only; a session
    request for all the user's memberships."""

    @cached_property
    def scope(self) -> int | None:
        return scope_association_id(self.request)

    def viewing_association_ids(self) -> list[int]:
        ids = association_ids_for_user(self.request.user, permission=Permission.VIEW_CASES)
        return [pk for pk in ids if self.scope is None or pk == self.scope]

    def case_for(self, case_id, *, require="view"):
        case, _access = case_get(self.request.user, case_id, require=require, association_id=self.scope)
        return case

    def access_for(self, case, *, require="view"):
        from cases.selectors import access_require

        return access_require(self.request.user, case, require=require, association_id=self.scope)
