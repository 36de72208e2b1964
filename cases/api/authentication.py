from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from cases.models import ApiToken


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer coco_…` (or `Token coco_…`). request.auth is the ApiToken, whose
    association bounds everything the request may see or do."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("En-tête Authorization invalide."))
        key = header[1].decode(errors="replace")
        token = (
            ApiToken.objects.active()
            .select_related("user", "association")
            .filter(key_hash=ApiToken.hash(key), user__is_active=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Jeton inconnu ou révoqué."))
        if not token.user.memberships.filter(association_id=token.association_id).exists():
            raise exceptions.AuthenticationFailed(_("Le titulaire du jeton n'est plus membre de l'association."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return "Bearer"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "cases.api.authentication.ApiTokenAuthentication"
    name = "jetonAPI"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Jeton personnel créé sur la page « Jetons d'API », limité à une association.",
        }


def scope_association_id(request) -> int | None:
    """The association a token request is bound to; None for a browser session (all memberships)."""
    token = getattr(request, "auth", None)
    return token.association_id if isinstance(token, ApiToken) else None
