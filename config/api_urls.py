"""/api/v1/: the routers of each app, the OpenAPI schema and its documentation (served locally)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from cases.api.views import register as register_cases
from procedures.api.views import register as register_procedures
from procedures.api.views import urlpatterns as procedures_api_urlpatterns
from reports.api import register as register_reports

router = DefaultRouter()
register_cases(router)
register_procedures(router)
register_reports(router)

urlpatterns = [
    # Explicit paths (imports, timelines) before the router, whose detail routes would shadow them.
    path("api/v1/", include("procedures.api_imports")),
    path("api/v1/", include(procedures_api_urlpatterns)),
    path("api/v1/", include("reports.statistics.api_urls")),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]
