from django.urls import path

from . import views

urlpatterns = [
    path("connexion/double-authentification/", views.mfa_verify_view, name="mfa_verify"),
    path("compte/double-authentification/enrolement/", views.mfa_enrol_view, name="mfa_enrol"),
    path("compte/confirmer/", views.mfa_reauth_view, name="mfa_reauth"),
    path("compte/securite/", views.account_security_view, name="account_security"),
    path("compte/codes-de-secours/", views.recovery_codes_regenerate_view, name="recovery_codes_regenerate"),
    path(
        "associations/<int:association_id>/membres/<int:user_id>/reinitialiser-double-authentification/",
        views.member_mfa_reset_view,
        name="member_mfa_reset",
    ),
]
