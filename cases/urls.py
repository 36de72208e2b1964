from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("association/changer/", views.association_switch, name="association_switch"),
    path("associations/<int:association_id>/membres/", views.member_list_view, name="member_list"),
]
