"""API of imports and exports, included under /api/v1/ (before the routers' URLs):

- `POST imports/` (multipart: `file`, `case`, `apply`): 201 with the job. Without `apply` the dry
  run of a small file (imports.SYNC_MAX_ROWS rows at most) is done at once (status done, counts and
  rejected lines), that of a larger one is queued like an import; with `apply=true` the job is
  queued for the Celery workers. `GET imports/{id}/` follows a queued job's progress. A file that
  cannot be read (damaged workbook, too many rows…) is a 400 with the reason on `file`.
- `GET procedures/export?format=csv|xlsx[&case=ID]`: the procedures the caller sees, in the import's
  columns (the file re-imports unchanged).

A token acts for its association only; another association's case or job is 404, and a member
who may not write (staff) gets 403 on the import endpoints."""

from django.db import transaction
from django.urls import path, re_path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers, serializers, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.authentication import scope_association_id
from cases.selectors import case_get

from . import exports
from .import_tasks import queue_import
from .imports import MAX_FILE_BYTES, import_job_create, import_job_execute, import_job_runs_in_background
from .models import ImportJob
from .selectors import import_job_get, procedure_list


class ImportCreateSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8 ou Windows-1252, « ; » ou « , ») ou XLSX.")
    case = serializers.IntegerField(help_text="Identifiant de l'affaire cible.")
    apply = serializers.BooleanField(
        default=False,
        help_text=(
            "Faux (défaut) : simulation, rien n'est écrit (immédiate pour un petit fichier, en tâche de fond "
            "au-delà). Vrai : import en tâche de fond."
        ),
    )

    def validate_file(self, upload):
        if upload.size > MAX_FILE_BYTES:
            raise serializers.ValidationError(
                f"Fichier trop volumineux ({MAX_FILE_BYTES // (1024 * 1024)} Mo au plus)."
            )
        return upload


class ImportJobSerializer(serializers.ModelSerializer):
    progress = serializers.IntegerField(source="progress_percent", read_only=True)
    finished = serializers.BooleanField(read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "case",
            "original_name",
            "format",
            "dry_run",
            "status",
            "error",
            "total_rows",
            "processed_rows",
            "progress",
            "finished",
            "created_count",
            "updated_count",
            "unchanged_count",
            "rejected_count",
            "victims_created_count",
            "rejected_rows",
            "report",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportJobCreateView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Importer des procédures (simulation ou import)",
        request={"multipart/form-data": ImportCreateSerializer},
        responses={201: ImportJobSerializer},
    )
    def post(self, request):
        data = ImportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case, _access = case_get(
            request.user, data.validated_data["case"], require="change", association_id=scope_association_id(request)
        )
        upload = data.validated_data["file"]
        apply = data.validated_data["apply"]
        with transaction.atomic():
            job = import_job_create(
                user=request.user, case=case, data=upload.read(), name=upload.name, dry_run=not apply
            )
            background = import_job_runs_in_background(job)
            if background:
                queue_import(job)
        if not background:
            job = import_job_execute(job.pk) or job
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)


class ImportJobDetailView(APIView):
    @extend_schema(summary="Avancement et compte rendu d'un import", responses={200: ImportJobSerializer})
    def get(self, request, pk):
        return Response(
            ImportJobSerializer(import_job_get(request.user, pk, association_id=scope_association_id(request))[0]).data
        )


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
        from .import_views import export_response, log_export

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
    path("imports/", ImportJobCreateView.as_view(), name="import-list"),
    path("imports/<int:pk>/", ImportJobDetailView.as_view(), name="import-detail"),
    # With or without the trailing slash: one route, so one operation in the schema.
    re_path(r"^procedures/export/?$", ProcedureExportView.as_view(), name="procedure-export"),
]
