"""Who acts, for which association, from which request: what a service needs to know of the HTTP
request, and nothing more. Views build it; services and the access log receive it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user: object
    association_id: int | None = None
    # An API token acts for its one association only; a session for any of the user's.
    token_scoped: bool = False
    request_id: str = ""
    ip_address: str | None = None

    @classmethod
    def from_request(cls, request) -> "Actor":
        from .models import ApiToken

        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken):
            association_id, scoped = token.association_id, True
        else:
            membership = getattr(request, "membership", None) or None
            association_id, scoped = (membership.association_id if membership else None), False
        user = request.user
        return cls(
            user=user if user.is_authenticated else None,
            association_id=association_id,
            token_scoped=scoped,
            request_id=(getattr(request, "request_id", "") or "")[:64],
            ip_address=request.META.get("REMOTE_ADDR") or None,
        )

    @property
    def origin(self) -> dict:
        return {"request_id": self.request_id, "ip_address": self.ip_address}
