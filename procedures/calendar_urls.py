"""URLs of the deadline calendar feed, included at the root by config/urls.py."""

from django.urls import path

from . import calendar_views

urlpatterns = [
    path("calendrier/", calendar_views.calendar_page, name="calendar_page"),
    path("calendrier/nouveau/", calendar_views.calendar_token_create, name="calendar_token_create"),
    path(
        "calendrier/<int:token_id>/revoquer/",
        calendar_views.calendar_token_revoke_view,
        name="calendar_token_revoke",
    ),
    path("calendrier/<str:token>.ics", calendar_views.calendar_feed, name="calendar_feed"),
]
