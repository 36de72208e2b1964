from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .health import healthz

handler404 = "config.api_urls.not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("config.api_urls")),
    path("connexion/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("", include("cases.mfa.urls")),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("procedures.calendar_urls")),
    path("", include("procedures.imports.urls")),
    path("", include("procedures.export_urls")),
    path("", include("reports.urls")),
    path("", include("procedures.urls")),
    path("", include("reports.statistics.urls")),
    path("", include("linking.urls")),
    path("", include("cases.urls")),
]
