"""/api/v1/: the routers of each app, the OpenAPI schema and its documentation (served locally)."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.http import JsonResponse
from django.urls import include, path
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
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
    # Explicit paths (imports, export, timelines) before the router, whose detail routes would shadow them.
    path("api/v1/", include("procedures.imports.api")),
    path("api/v1/", include("procedures.api.exports")),
    path("api/v1/", include(procedures_api_urlpatterns)),
    path("api/v1/", include("reports.statistics.api_urls")),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's start-up script is served as a script of its own (?script), never inline.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    # Redoc writes its styles into <style> elements at run time (styled-components) and searches in a
    # worker started from a blob: URL; its scripts stay our own static files.
    path(
        "api/redoc/",
        csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["'self'", "blob:"]})(
            SpectacularRedocView.as_view(url_name="schema")
        ),
        name="redoc",
    ),
]


def not_found(request, exception):
    """The site's 404 page, except under /api/: a URL that no route matches (an id that is not a
    number) gets the API's JSON error, as an unknown record does."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Introuvable."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)
