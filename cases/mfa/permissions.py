from rest_framework import permissions

from .services import reauth_is_recent


class RecentlyReauthenticated(permissions.BasePermission):
    """Creating or revoking a token needs the password and second factor confirmed in the last
    MFA_REAUTH_SECONDS (page « Confirmer votre identité »), not only an old session."""

    message = (
        "Confirmez votre identité (mot de passe et code) sur la page /compte/confirmer/ avant de gérer vos jetons."
    )

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return reauth_is_recent(request._request.session)
