"""What every tenant-scoped viewset shares: the token's association scope, the case lookup with
404/403 rules, and services' ValidationErrors turned into API errors by the exception handler
(their schema: schema.py)."""

from django.utils.functional import cached_property

from cases.models import Permission
from cases.selectors import association_ids_for_user, case_get

from .authentication import scope_association_id


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
