from django.urls import path

from . import fragment_views, member_views, parquet_picker, picker_views, views
from .access_log import views as access_log_views
from .privacy import views as privacy_views

urlpatterns = [
    path("", views.home, name="home"),
    path("affaires/<int:case_id>/victimes/", fragment_views.case_victims_view, name="case_victims"),
    path("affaires/<int:case_id>/historique/", fragment_views.case_history_view, name="case_history"),
    path("affaires/<int:case_id>/choix/victimes/", picker_views.case_victim_choices_view, name="case_victim_choices"),
    path(
        "affaires/<int:case_id>/choix/mis-en-cause/",
        picker_views.case_suspect_choices_view,
        name="case_suspect_choices",
    ),
    path("parquets/choix/", parquet_picker.parquet_choices_view, name="parquet_choices"),
    path("association/changer/", views.association_switch, name="association_switch"),
    path("associations/<int:association_id>/membres/", views.member_list_view, name="member_list"),
    path("associations/<int:association_id>/membres/ajouter/", member_views.member_add_view, name="member_add"),
    path("associations/<int:association_id>/membres/inviter/", member_views.member_invite_view, name="member_invite"),
    path(
        "associations/<int:association_id>/membres/<int:user_id>/reinviter/",
        member_views.member_invite_resend_view,
        name="member_invite_resend",
    ),
    path("compte/activer/<uidb64>/<token>/", member_views.AccountActivateView.as_view(), name="account_activate"),
    path(
        "associations/<int:association_id>/membres/<int:user_id>/role/",
        member_views.member_role_view,
        name="member_role_change",
    ),
    path(
        "associations/<int:association_id>/membres/<int:user_id>/retirer/",
        member_views.member_remove_view,
        name="member_remove",
    ),
    path("journal-acces/", access_log_views.access_log_list_view, name="access_log"),
    path("journal-acces/export.csv", access_log_views.access_log_export_view, name="access_log_export"),
    path(
        "affaires/<int:case_id>/victimes/<int:victim_id>/donnees/",
        privacy_views.victim_export_view,
        name="victim_export",
    ),
    path(
        "affaires/<int:case_id>/victimes/<int:victim_id>/effacer/",
        privacy_views.victim_erase_view,
        name="victim_erase",
    ),
    path("jetons/", views.api_token_list_view, name="api_tokens"),
    path("jetons/<int:token_id>/revoquer/", views.api_token_revoke_view, name="api_token_revoke"),
    path("affaires/", views.case_list_view, name="case_list"),
    path("affaires/nouvelle/", views.case_create_view, name="case_create"),
    path("affaires/<int:case_id>/", views.case_detail_view, name="case_detail"),
    path("affaires/<int:case_id>/modifier/", views.case_update_view, name="case_update"),
    path("affaires/<int:case_id>/victimes/ajouter/", views.victim_add_view, name="victim_add"),
    path("affaires/<int:case_id>/victimes/<int:victim_id>/modifier/", views.victim_update_view, name="victim_update"),
    path(
        "affaires/<int:case_id>/victimes/<int:victim_id>/identite/", views.victim_identity_view, name="victim_identity"
    ),
    path("affaires/<int:case_id>/mis-en-cause/ajouter/", views.suspect_add_view, name="suspect_add"),
    path(
        "affaires/<int:case_id>/mis-en-cause/<int:suspect_id>/modifier/",
        views.suspect_update_view,
        name="suspect_update",
    ),
    path("affaires/<int:case_id>/pieces/ajouter/", views.exhibit_upload_view, name="exhibit_upload"),
    path(
        "affaires/<int:case_id>/pieces/<int:exhibit_id>/telecharger/",
        views.exhibit_download_view,
        name="exhibit_download",
    ),
    path("affaires/<int:case_id>/partages/ajouter/", views.share_add_view, name="share_add"),
    path("affaires/<int:case_id>/partages/<int:share_id>/revoquer/", views.share_revoke_view, name="share_revoke"),
]
