from django.urls import path

from . import case_fragments, deadline_views, global_search_views, pickers, procedure_list_views, views

urlpatterns = [
    path("affaires/<int:case_id>/chronologie/", case_fragments.case_timeline_view, name="case_timeline"),
    path("affaires/<int:case_id>/prescription/", case_fragments.case_prescription_view, name="case_prescription"),
    path("affaires/<int:case_id>/procedures/ajouter/", views.procedure_create_view, name="procedure_create"),
    path("affaires/<int:case_id>/saisines/ajouter/", views.referral_add_view, name="referral_add"),
    path(
        "affaires/<int:case_id>/choix/procedures/", pickers.case_procedure_choices_view, name="case_procedure_choices"
    ),
    path(
        "affaires/<int:case_id>/procedures/", procedure_list_views.case_procedure_list_view, name="case_procedure_list"
    ),
    path(
        "affaires/<int:case_id>/procedures/filtres/",
        procedure_list_views.saved_filter_create_view,
        name="procedure_saved_filter_create",
    ),
    path(
        "affaires/<int:case_id>/procedures/filtres/supprimer/",
        procedure_list_views.saved_filter_delete_view,
        name="procedure_saved_filter_delete",
    ),
    path("affaires/<int:case_id>/procedures/actions/", procedure_list_views.procedure_bulk_view, name="procedure_bulk"),
    path("procedures/<int:procedure_id>/", views.procedure_detail_view, name="procedure_detail"),
    path("procedures/<int:procedure_id>/modifier/", views.procedure_update_view, name="procedure_update"),
    path("procedures/<int:procedure_id>/transferer/", views.procedure_transfer_view, name="procedure_transfer"),
    path("procedures/<int:procedure_id>/audiences/ajouter/", views.hearing_add_view, name="hearing_add"),
    path("procedures/<int:procedure_id>/decisions/ajouter/", views.decision_add_view, name="decision_add"),
    path("procedures/<int:procedure_id>/constitutions/ajouter/", views.filing_add_view, name="filing_add"),
    path("procedures/<int:procedure_id>/etapes/ajouter/", views.event_add_view, name="event_add"),
    path("procedures/<int:procedure_id>/recevabilite/", views.filing_eligibility_view, name="filing_eligibility"),
    path("audiences/<int:hearing_id>/modifier/", views.hearing_update_view, name="hearing_update"),
    path("constitutions/<int:filing_id>/modifier/", views.filing_update_view, name="filing_update"),
    path("saisines/<int:referral_id>/modifier/", views.referral_update_view, name="referral_update"),
    path("recherche/", global_search_views.global_search_view, name="global_search"),
    path("delais/", views.deadline_list_view, name="deadline_list"),
    path("delais/equipe/", deadline_views.deadline_team_view, name="deadline_team"),
    path("delais/<int:deadline_id>/reattribuer/", deadline_views.deadline_reassign_view, name="deadline_reassign"),
    path("decisions/<int:decision_id>/modifier/", views.decision_update_view, name="decision_update"),
    path("delais/<int:deadline_id>/", views.deadline_detail_view, name="deadline_detail"),
    path("delais/<int:deadline_id>/accompli/", views.deadline_complete_view, name="deadline_complete"),
    path("delais/<int:deadline_id>/modifier/", views.deadline_override_view, name="deadline_override"),
    path("delais/<int:deadline_id>/sans-objet/", views.deadline_cancel_view, name="deadline_cancel"),
]
