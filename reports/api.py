"""API of dossiers: ask for one (201, rendered in the background), poll it, download it; and the
association's presets. Same rules as the pages: 404 outside the association, 403 for a member
without the right (a read-only share, real identities asked by anyone but a lawyer of the lead
association)."""

import django_filters
from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cases.actors import Actor
from cases.api.base import TenantMixin
from cases.api.concurrency import ETagMixin
from cases.selectors import acting_association_get

from . import services
from .models import Dossier, DossierPreset, DossierStatus, Section
from .selectors import dossier_get, dossier_list_for_user, dossier_require_download, preset_get, preset_list


class DossierSerializer(serializers.ModelSerializer):
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    duration_seconds = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "id",
            "case",
            "association",
            "requested_by",
            "preset",
            "sections",
            "recipient",
            "reveal_identities",
            "status",
            "progress",
            "error",
            "pages",
            "size",
            "sha256",
            "created_at",
            "started_at",
            "finished_at",
            "duration_seconds",
            "download_url",
        ]
        read_only_fields = fields

    def get_duration_seconds(self, dossier) -> float | None:
        return round(dossier.duration.total_seconds(), 3) if dossier.duration else None

    def get_download_url(self, dossier) -> str | None:
        if dossier.status != DossierStatus.DONE:
            return None
        request = self.context.get("request")
        path = f"/api/v1/dossiers/{dossier.pk}/download/"
        return request.build_absolute_uri(path) if request else path


class DossierRequestSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    sections = serializers.ListField(child=serializers.ChoiceField(choices=Section.choices), required=False)
    preset = serializers.IntegerField(required=False, allow_null=True)
    recipient = serializers.CharField(max_length=200)
    reveal_identities = serializers.BooleanField(default=False)


class DossierPresetSerializer(serializers.ModelSerializer):
    sections = serializers.ListField(child=serializers.ChoiceField(choices=Section.choices))

    class Meta:
        model = DossierPreset
        fields = ["id", "association", "name", "sections", "created_at", "updated_at"]
        read_only_fields = ["id", "association", "created_at", "updated_at"]
        # Uniqueness per association is the service's (and the database's) to check: 409.
        validators = []


class DossierFilter(django_filters.FilterSet):
    """The case by id, not by choice among every association's cases (which the browsable API
    would list, and which would tell an unknown id from another association's)."""

    case = django_filters.NumberFilter(field_name="case")

    class Meta:
        model = Dossier
        fields = ["case", "status"]


DOSSIER_EXAMPLE = OpenApiExample(
    "Dossier pour une audience",
    value={
        "case": 2,
        "sections": ["cover", "summary", "parties", "timeline", "bordereau", "exhibits"],
        "recipient": "Me Dupont, avocate de la partie civile",
        "reveal_identities": False,
    },
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(summary="Dossiers de l'association (filtre : case, status)"),
    retrieve=extend_schema(summary="État d'un dossier : statut, avancement, pages, empreinte SHA-256"),
)
class DossierViewSet(
    TenantMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = DossierSerializer
    filterset_class = DossierFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Dossier.objects.none()
        return dossier_list_for_user(self.request.user, association_id=self.scope)

    @extend_schema(
        summary="Demander un dossier (rendu en arrière-plan)",
        request=DossierRequestSerializer,
        responses={201: DossierSerializer},
        examples=[DOSSIER_EXAMPLE],
    )
    def create(self, request, *args, **kwargs):
        payload = DossierRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        case = self.case_for(data["case"], require="print")
        preset = None
        if data.get("preset") is not None:
            preset = preset_get(request.user, data["preset"], association_id=self.scope)
        dossier = services.dossier_request(
            user=request.user,
            case=case,
            recipient=data["recipient"],
            sections=data.get("sections") or None,
            preset=preset,
            reveal_identities=data["reveal_identities"],
            actor=Actor.from_request(request),
            association_id=self.scope,
        )
        dossier.refresh_from_db()
        body = DossierSerializer(dossier, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": f"/api/v1/dossiers/{dossier.pk}/"})

    @extend_schema(
        summary="Télécharger le PDF (inscrit au journal d'accès)", responses={(200, "application/pdf"): bytes}
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        dossier, access = dossier_get(request.user, pk, association_id=self.scope)
        dossier_require_download(request.user, dossier, access)
        if dossier.status != DossierStatus.DONE or not dossier.file:
            raise Http404
        services.dossier_download_log(actor=Actor.from_request(request), dossier=dossier)
        response = FileResponse(dossier.file.open("rb"), as_attachment=True, filename=dossier.download_name)
        response["Content-Type"] = "application/pdf"
        response["Digest"] = f"sha-256={dossier.sha256}"
        return response


@extend_schema_view(
    list=extend_schema(summary="Modèles de dossier de l'association"),
    create=extend_schema(summary="Enregistrer un modèle (sections d'un dossier)"),
    update=extend_schema(summary="Modifier un modèle (If-Match requis)"),
    partial_update=extend_schema(summary="Modifier une partie d'un modèle (If-Match requis)"),
)
class DossierPresetViewSet(TenantMixin, ETagMixin, viewsets.ModelViewSet):
    serializer_class = DossierPresetSerializer
    pagination_class = None
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DossierPreset.objects.none()
        return preset_list(self.request.user, association_id=self.scope).order_by("name")

    def perform_create(self, serializer):
        association_id = self.scope or (self.request.membership.association_id if self.request.membership else None)
        if association_id is None:
            raise PermissionDenied
        association = acting_association_get(self.request.user, association_id)
        serializer.instance = services.preset_save(
            user=self.request.user,
            association=association,
            name=serializer.validated_data["name"],
            sections=serializer.validated_data["sections"],
            replace=False,
        )

    def perform_update(self, serializer):
        serializer.instance = services.preset_update(
            user=self.request.user,
            preset=serializer.instance,
            name=serializer.validated_data.get("name"),
            sections=serializer.validated_data.get("sections"),
        )

    def perform_destroy(self, instance):
        services.preset_delete(user=self.request.user, preset=instance)


def register(router) -> None:
    router.register("dossiers", DossierViewSet, basename="dossier")
    router.register("dossier-presets", DossierPresetViewSet, basename="dossier-preset")
