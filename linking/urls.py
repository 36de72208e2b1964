from django.urls import path

from . import views

urlpatterns = [
    path("rapprochements/", views.review_view, name="linking_review"),
    path("rapprochements/recherche/", views.search_view, name="linking_search"),
    path("rapprochements/<int:match_id>/decider/", views.decide_view, name="linking_decide"),
    path("rapprochements/<int:match_id>/retirer/", views.withdraw_view, name="linking_withdraw"),
    path("personnes/<int:person_id>/", views.person_view, name="linking_person"),
    path("doublons/<int:duplicate_id>/decider/", views.procedure_decide_view, name="linking_procedure_decide"),
    path("doublons/<int:duplicate_id>/retirer/", views.procedure_withdraw_view, name="linking_procedure_withdraw"),
]
