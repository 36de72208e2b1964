"""API of the procedures' export, included under /api/v1/ (before the routers' URLs):
`GET procedures/export?format=csv|xlsx[&case=ID]`: the procedures the caller sees, in the import's
columns (the file re-imports unchanged). A token acts for its association only; another
association's case is 404."""

from django.urls import re_path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.views import APIView

from cases.api.authentication import scope_association_id
from cases.selectors import case_get

from .. import exports
from ..export_views import export_response, log_export
from ..selectors import procedure_list


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class XLSXRenderer(renderers.BaseRenderer):
    media_type = exports.CONTENT_TYPES["xlsx"]
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class ProcedureExportView(APIView):
    # The renderers only let `?format=csv|xlsx` through content negotiation; the view answers with
    # the file itself. JSON stays available for errors.
    renderer_classes = [CSVRenderer, XLSXRenderer, renderers.JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        # An unknown ?format= reaches the view, which answers 400 rather than DRF's bare 404.
        return super().perform_content_negotiation(request, force=True)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return response

    @extend_schema(
        summary="Exporter les procédures (colonnes de l'import)",
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=["csv", "xlsx"], default="csv"),
            OpenApiParameter("case", OpenApiTypes.INT, required=False, description="Une seule affaire."),
        ],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, exports.CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY},
    )
    def get(self, request):
        extension = request.query_params.get("format", "csv")
        if extension not in {"csv", "xlsx"}:
            raise ApiValidationError({"format": ["csv ou xlsx."]})
        scope = scope_association_id(request)
        procedures = procedure_list(request.user, association_id=scope)
        case_id = request.query_params.get("case")
        if case_id:
            case, _access = case_get(request.user, case_id, association_id=scope)
            procedures = procedures.filter(case=case)
        procedures = procedures.filter(case_id__in=log_export(request, procedures.values("case_id")))
        return export_response(
            request,
            stem="procedures",
            headers=exports.PROCEDURE_HEADERS,
            rows=exports.procedure_rows(procedures),
            extension=extension,
            title="Procédures",
            from_replica=True,
        )


urlpatterns = [
    # With or without the trailing slash: one route, so one operation in the schema.
    re_path(r"^procedures/export/?$", ProcedureExportView.as_view(), name="procedure-export"),
]
