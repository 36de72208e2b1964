from django.urls import path

from . import procedure_dossiers, views

urlpatterns = [
    path("affaires/<int:case_id>/dossiers/demander/", views.dossier_request_view, name="dossier_request"),
    path("dossiers/<int:dossier_id>/", views.dossier_detail_view, name="dossier_detail"),
    path("dossiers/<int:dossier_id>/etat/", views.dossier_status_view, name="dossier_status"),
    path("dossiers/<int:dossier_id>/telecharger/", views.dossier_download_view, name="dossier_download"),
    path(
        "dossiers/<int:dossier_id>/telecharger/partie-<int:part>/",
        views.dossier_download_part_view,
        name="dossier_download_part",
    ),
    path(
        "procedures/<int:procedure_id>/dossier/",
        views.procedure_dossier_request_view,
        name="procedure_dossier_request",
    ),
    path("audiences/<int:hearing_id>/dossier/", views.hearing_dossier_request_view, name="hearing_dossier_request"),
    path(
        "affaires/<int:case_id>/procedures/dossiers/",
        procedure_dossiers.procedure_dossiers_request_view,
        name="procedure_dossiers_request",
    ),
    path("dossiers/<int:dossier_id>/relancer/", views.dossier_retry_view, name="dossier_retry"),
    path("dossiers/modeles/<int:preset_id>/supprimer/", views.preset_delete_view, name="dossier_preset_delete"),
]
