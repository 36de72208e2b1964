"""API of imports, included under /api/v1/ (before the routers' URLs):

- `POST imports/` (multipart: `file`, `case`, `apply`): 201 with the job. Without `apply` the dry
  run of a small file (imports.SYNC_MAX_ROWS rows at most) is done at once (status done, counts and
  rejected lines), that of a larger one is queued like an import; with `apply=true` the job is
  queued for the Celery workers. `GET imports/{id}/` follows a queued job's progress. A file that
  cannot be read (damaged workbook, too many rows…) is a 400 with the reason on `file`.

The export that re-imports (`GET procedures/export`) is in procedures/api/exports.py.

A token acts for its association only; another association's case or job is 404, and a member
who may not write (staff) gets 403 on the import endpoints."""

from django.db import transaction
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.authentication import scope_association_id
from cases.selectors import case_get

from ..models import ImportJob
from ..selectors import import_job_get
from .jobs import import_job_create, import_job_execute, import_job_runs_in_background
from .limits import MAX_FILE_BYTES
from .tasks import queue_import


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
            "suspects_created_count",
            "suspects_completed_count",
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


urlpatterns = [
    path("imports/", ImportJobCreateView.as_view(), name="import-list"),
    path("imports/<int:pk>/", ImportJobDetailView.as_view(), name="import-detail"),
]
