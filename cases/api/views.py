import django_filters
from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from cases import services
from cases.actors import Actor
from cases.mfa.permissions import RecentlyReauthenticated
from cases.models import (
    AccessAction,
    ApiToken,
    CaseShare,
)
from cases.selectors import (
    acting_association_get,
    api_token_list_for_user,
    case_access,
    case_queryset_for_user,
    court_of_appeal_list,
    exhibit_get,
    exhibit_list_for_user,
    offence_list,
    parquet_list,
    platform_list,
    share_list_for_user,
    suspect_list_for_user,
    victim_list_for_user,
)

from .base import TenantMixin
from .concurrency import ETagMixin, record_etag
from .filters import CaseFilter, ExhibitFilter, OffenceFilter, ParquetFilter, SuspectFilter, VictimFilter
from .schema import ERROR_RESPONSES
from .serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenSerializer,
    CaseSerializer,
    CaseShareSerializer,
    CourtOfAppealSerializer,
    ExhibitSerializer,
    ExhibitUploadSerializer,
    OffenceSerializer,
    ParquetSerializer,
    PlatformSerializer,
    SuspectSerializer,
    VictimIdentitySerializer,
    VictimSerializer,
)

CASE_EXAMPLE = OpenApiExample(
    "Affaire",
    value={
        "reference": "ACPE-2024-002",
        "title": "Valenciennois — recours à la prostitution d'une mineure de 14 ans",
        "platform": 1,
        "offences": [5, 7],
        "facts_start": "2023-01-01",
        "facts_end": None,
        "place": "Valenciennois (Nord)",
        "status": "open",
        "lead_lawyer": None,
        "summary": "Procès de 12 hommes devant le tribunal correctionnel (avril 2024).",
    },
    request_only=True,
)


# The choice filters of .filters are built over every row of their table: the browsable API renders
# them as a <select> of every association's cases and of every user, and an unknown id gets 400
# where another association's gets an empty list. By id instead, as in procedures/api/filters.py.
class CaseByIdFilter(CaseFilter):
    platform = django_filters.NumberFilter(field_name="platform")
    association = django_filters.NumberFilter(field_name="association")
    lead_lawyer = django_filters.NumberFilter(field_name="lead_lawyer")


class VictimByIdFilter(VictimFilter):
    case = django_filters.NumberFilter(field_name="case")


class SuspectByIdFilter(SuspectFilter):
    case = django_filters.NumberFilter(field_name="case")


class ExhibitByIdFilter(ExhibitFilter):
    case = django_filters.NumberFilter(field_name="case")


class CaseScopedViewSet(TenantMixin, ETagMixin, viewsets.ModelViewSet):
    """Records that belong to a case (victims, suspects): visible with the case, written by its lawyers."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def list_for_user(self, user, *, association_id):
        """The records the user sees, from the app's selector."""
        raise NotImplementedError

    def get_queryset(self):
        return self.list_for_user(self.request.user, association_id=self.scope)

    def _case_from_request(self):
        case_id = self.request.data.get("case")
        if case_id in (None, ""):
            raise ValidationError({"case": ["Ce champ est obligatoire."]})
        return self.case_for(case_id, require="change")

    def _writable(self, instance):
        self.access_for(instance.case, require="change")


@extend_schema_view(
    list=extend_schema(summary="Affaires visibles (les siennes et celles partagées)"),
    create=extend_schema(summary="Créer une affaire dans l'association du jeton", examples=[CASE_EXAMPLE]),
    update=extend_schema(summary="Modifier une affaire (If-Match requis)", examples=[CASE_EXAMPLE]),
    partial_update=extend_schema(summary="Modifier une partie d'une affaire (If-Match requis)"),
)
class CaseViewSet(TenantMixin, ETagMixin, viewsets.ModelViewSet):
    serializer_class = CaseSerializer
    filterset_class = CaseByIdFilter
    search_fields = ["reference", "title"]
    ordering_fields = ["reference", "facts_start", "updated_at", "created_at"]
    ordering = ["-updated_at"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return (
            case_queryset_for_user(self.request.user, association_id=self.scope)
            .select_related("association")
            .prefetch_related("offences")
        )

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        services.access_log_record(
            actor=Actor.from_request(request),
            action=AccessAction.VIEW,
            obj=self.get_object(),
            case_id=response.data["id"],
        )
        return response

    def perform_create(self, serializer):
        association_ids = self.viewing_association_ids()
        association_id = self.scope or (self.request.membership.association_id if self.request.membership else None)
        if association_id not in association_ids:
            raise PermissionDenied
        data = dict(serializer.validated_data)
        offences = data.pop("offences", [])
        serializer.instance = services.case_create(
            user=self.request.user,
            association=acting_association_get(self.request.user, association_id),
            offences=offences,
            **data,
        )

    def perform_update(self, serializer):
        self.access_for(serializer.instance, require="change")
        data = dict(serializer.validated_data)
        offences = data.pop("offences", None)
        serializer.instance = services.case_update(
            user=self.request.user, case=serializer.instance, offences=offences, **data
        )


class VictimViewSet(CaseScopedViewSet):
    """Victims by pseudonym. `?reveal=identity` on a single victim adds the identity for the lead
    association's lawyers, and is written to the access log."""

    filterset_class = VictimByIdFilter
    ordering = ["case", "pseudonym"]

    def list_for_user(self, user, *, association_id):
        return victim_list_for_user(user, association_id=association_id)

    def reveal(self) -> bool:
        return self.action == "retrieve" and self.request.query_params.get("reveal") == "identity"

    def get_serializer_class(self):
        return VictimIdentitySerializer if self.reveal() else VictimSerializer

    @extend_schema(
        parameters=[OpenApiParameter("reveal", str, enum=["identity"], description="Afficher l'identité (avocat·es)")]
    )
    def retrieve(self, request, *args, **kwargs):
        victim = self.get_object()
        if self.reveal():
            self.access_for(victim.case, require="reveal_identity")
            services.access_log_record(
                actor=Actor.from_request(request),
                action=AccessAction.REVEAL_IDENTITY,
                obj=victim,
                case_id=victim.case_id,
            )
        data = self.get_serializer(victim).data
        return Response(
            data,
            headers={"ETag": record_etag(victim, VictimSerializer(victim, context=self.get_serializer_context()).data)},
        )

    def etag(self, instance):
        return record_etag(instance, VictimSerializer(instance, context=self.get_serializer_context()).data)

    def perform_create(self, serializer):
        case = self._case_from_request()
        data = {k: v for k, v in serializer.validated_data.items() if k != "case"}
        serializer.instance = services.victim_add(user=self.request.user, case=case, **data)

    def perform_update(self, serializer):
        self._writable(serializer.instance)
        data = {k: v for k, v in serializer.validated_data.items() if k != "case"}
        serializer.instance = services.victim_update(user=self.request.user, victim=serializer.instance, **data)


class SuspectViewSet(CaseScopedViewSet):
    serializer_class = SuspectSerializer
    filterset_class = SuspectByIdFilter
    search_fields = ["name"]
    ordering = ["case", "name"]

    def list_for_user(self, user, *, association_id):
        return suspect_list_for_user(user, association_id=association_id)

    def perform_create(self, serializer):
        case = self._case_from_request()
        data = {k: v for k, v in serializer.validated_data.items() if k != "case"}
        serializer.instance = services.suspect_add(user=self.request.user, case=case, **data)

    def perform_update(self, serializer):
        self._writable(serializer.instance)
        data = {k: v for k, v in serializer.validated_data.items() if k != "case"}
        serializer.instance = services.suspect_update(user=self.request.user, suspect=serializer.instance, **data)


class ExhibitViewSet(TenantMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Exhibits are never overwritten: upload a new version with `replaces`."""

    serializer_class = ExhibitSerializer
    filterset_class = ExhibitByIdFilter
    ordering = ["case", "number"]
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        return exhibit_list_for_user(self.request.user, association_id=self.scope)

    @extend_schema(
        request={"multipart/form-data": ExhibitUploadSerializer},
        responses={201: ExhibitSerializer, 413: ERROR_RESPONSES[413]},
    )
    def create(self, request, *args, **kwargs):
        upload = ExhibitUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = dict(upload.validated_data)
        case = self.case_for(data.pop("case"), require="change")
        replaces_id = data.pop("replaces")
        replaces = None
        if replaces_id is not None:
            try:
                replaces = exhibit_get(request.user, case, replaces_id)
            except Http404:
                raise ValidationError({"replaces": [_("Pièce introuvable dans cette affaire.")]}) from None
        exhibit = services.exhibit_upload(user=request.user, case=case, replaces=replaces, **data)
        return Response(self.get_serializer(exhibit).data, status=status.HTTP_201_CREATED)

    # The file is sent with its own type, one of those an upload may have.
    @extend_schema(responses={(200, *settings.EXHIBIT_ALLOWED_TYPES): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        exhibit = self.get_object()
        services.access_log_record(
            actor=Actor.from_request(request), action=AccessAction.DOWNLOAD, obj=exhibit, case_id=exhibit.case_id
        )
        response = FileResponse(exhibit.file.open("rb"), as_attachment=True, filename=f"piece-{exhibit.number:03d}")
        response["Content-Type"] = exhibit.content_type
        response["Digest"] = f"sha-256={exhibit.sha256}"
        return response


class CaseShareFilter(django_filters.FilterSet):
    """By id, not by choice among every case and association: an unknown id and another
    association's give the same (empty) answer, so ids cannot be probed."""

    case = django_filters.NumberFilter(field_name="case")
    association = django_filters.NumberFilter(field_name="association")

    class Meta:
        model = CaseShare
        fields = ["case", "association"]


class CaseShareViewSet(
    TenantMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Shares of the cases the caller's association holds (the recipients do not see them)."""

    serializer_class = CaseShareSerializer
    filterset_class = CaseShareFilter

    def get_queryset(self):
        return share_list_for_user(self.request.user, association_id=self.scope)

    def perform_create(self, serializer):
        case = self.case_for(serializer.validated_data["case"].pk, require="change")
        serializer.instance = services.case_share(
            user=self.request.user,
            case=case,
            association=serializer.validated_data["association"],
            access=serializer.validated_data.get("access", "read"),
        )

    @extend_schema(request=None, responses={200: CaseShareSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        share = self.get_object()
        if not case_access(request.user, share.case, association_id=self.scope).can_change:
            raise PermissionDenied
        share = services.case_share_revoke(user=request.user, share=share)
        return Response(self.get_serializer(share).data)


class SessionOnly(permissions.BasePermission):
    """Token management needs a browser session: a token that could mint tokens would escape its
    association scope (a token for B creating one for A), so any token-authenticated request is refused."""

    message = (
        "Les jetons d'API ne peuvent pas gérer les jetons : connectez-vous avec votre navigateur "
        "(session) pour lister, créer ou révoquer vos jetons."
    )

    def has_permission(self, request, view):
        # Allow-list the session authenticator rather than deny ApiToken: a future credential
        # type must not inherit token management by default.
        return (
            bool(request.user and request.user.is_authenticated)
            and not isinstance(request.auth, ApiToken)
            and isinstance(request.successful_authenticator, SessionAuthentication)
        )


class ApiTokenViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The caller's own API tokens, managed from a browser session only; the secret is returned
    once, at creation."""

    serializer_class = ApiTokenSerializer
    permission_classes = [SessionOnly, RecentlyReauthenticated]
    pagination_class = None
    queryset = ApiToken.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return api_token_list_for_user(self.request.user)

    @extend_schema(responses={201: ApiTokenCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The service re-checks membership (404 for an association the user is not a member of).
        token, key = services.api_token_create(
            user=request.user,
            association=serializer.validated_data["association"],
            name=serializer.validated_data["name"],
        )
        token.key = key
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ApiTokenSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        # get_object() turns a malformed id into 404 (not 500), and another user's token is
        # outside get_queryset(); one generic message so malformed, unknown and foreign ids look alike.
        try:
            token = self.get_object()
        except Http404:
            raise NotFound from None
        return Response(ApiTokenSerializer(services.api_token_revoke(user=request.user, token=token)).data)


class PlatformViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PlatformSerializer
    search_fields = ["name"]

    def get_queryset(self):
        return platform_list()


class CourtOfAppealViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CourtOfAppealSerializer
    search_fields = ["name"]

    def get_queryset(self):
        return court_of_appeal_list()


class ParquetViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ParquetSerializer
    filterset_class = ParquetFilter
    search_fields = ["name", "court", "code"]

    def get_queryset(self):
        return parquet_list()


class OffenceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OffenceSerializer
    filterset_class = OffenceFilter
    search_fields = ["label", "article"]

    def get_queryset(self):
        return offence_list()


def register(router) -> None:
    router.register("cases", CaseViewSet, basename="case")
    router.register("victims", VictimViewSet, basename="victim")
    router.register("suspects", SuspectViewSet, basename="suspect")
    router.register("exhibits", ExhibitViewSet, basename="exhibit")
    router.register("shares", CaseShareViewSet, basename="share")
    router.register("tokens", ApiTokenViewSet, basename="token")
    router.register("platforms", PlatformViewSet, basename="platform")
    router.register("courts-of-appeal", CourtOfAppealViewSet, basename="court-of-appeal")
    router.register("parquets", ParquetViewSet, basename="parquet")
    router.register("offences", OffenceViewSet, basename="offence")
