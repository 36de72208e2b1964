"""The procedures API: procedures, referrals, filings, hearings, decisions, timeline steps and
deadlines, plus a case's timeline.

Same rules as cases/api: every queryset starts from the cases the caller sees
(`case_queryset_for_user` with the token's association), so another association's record is 404,
never 403; a member who may read but not write (staff, read-only share) gets 403 on writes; writes
go through procedures/services.py, whose ValidationErrors become 400/409; records that lawyers edit
concurrently carry an ETag and need If-Match (412 when stale, 428 when absent).
"""

from collections import defaultdict

from django.db.models import Prefetch
from django.urls import path
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cases.actors import Actor
from cases.api.base import TenantMixin
from cases.api.concurrency import ETagMixin, etag_for
from cases.models import AccessAction, Offence, Suspect, Victim
from cases.services import access_log_record

from .. import services
from ..models import Deadline, Decision, Event, Procedure
from ..selectors import (
    case_timeline,
    deadline_list_for_user,
    deadline_list_visible,
    deadlines_opened_by,
    decision_list,
    event_list,
    filing_eligibility,
    filing_list_for_user,
    hearing_list,
    procedure_get,
    procedure_list,
    referral_list,
)
from .filters import (
    DeadlineFilter,
    DecisionFilter,
    EventFilter,
    FilingFilter,
    HearingFilter,
    ProcedureFilter,
    ReferralFilter,
    TimelineFilter,
)
from .serializers import (
    DeadlineCancelSerializer,
    DeadlineCompleteSerializer,
    DeadlineOverrideSerializer,
    DeadlineSerializer,
    DecisionSerializer,
    DecisionWriteSerializer,
    EligibilitySerializer,
    EventCreateSerializer,
    EventSerializer,
    FilingSerializer,
    FilingWriteSerializer,
    HearingSerializer,
    HearingWriteSerializer,
    ProcedureSerializer,
    ProcedureTransferSerializer,
    ProcedureWriteSerializer,
    ReferralSerializer,
    ReferralWriteSerializer,
)

WRITE_METHODS = ["get", "post", "put", "patch", "head", "options"]

# --- Examples: the Coco.gg file (Valenciennois trial, April 2024; parquet numbers fictitious) -----

PROCEDURE_EXAMPLE = OpenApiExample(
    "Valenciennes",
    summary="Procédure au parquet de Valenciennes (procès du Valenciennois, avril 2024)",
    value={
        "case": 2,
        "parquet": 147,
        "parquet_reference": "23 000 000 42",
        "opened_on": "2023-06-01",
        "stage": "jugement",
        "outcome": "pending",
        "investigating_service": "Commissariat de Valenciennes",
        "victims": [3],
        "suspects": [5, 6],
        "offences": [12],
        "notes": "Procès de 12 hommes âgés de 25 à 60 ans devant le tribunal correctionnel.",
    },
    request_only=True,
)
TRANSFER_EXAMPLE = OpenApiExample(
    "JUNALCO",
    summary="Dessaisissement au profit de la JUNALCO",
    value={"parquet": 1, "parquet_reference": "JUNALCO 24 120 000 07", "transferred_on": "2024-06-25"},
    request_only=True,
)
FILING_EXAMPLE = OpenApiExample(
    "Valenciennes",
    summary="Constitution à l'audience du tribunal correctionnel de Valenciennes (art. 418, art. 2-3 CPP)",
    value={
        "procedure": 4,
        "mode": "art418",
        "legal_basis": "2-3",
        "status": "filed",
        "filed_on": "2024-04-23",
        "damages_claimed": "5000.00",
    },
    request_only=True,
)
DECISION_EXAMPLE = OpenApiExample(
    "Valenciennes",
    summary="Jugement du tribunal correctionnel de Valenciennes, 30 avril 2024",
    value={
        "procedure": 4,
        "kind": "judgment_correctionnel",
        "decided_on": "2024-04-30",
        "outcome": "conviction",
        "prevenu_character": "contradictoire",
        "association_presence": "present",
        "summary": "11 prévenus condamnés sur 12.",
    },
    request_only=True,
)


# --- Shared behaviour ----------------------------------------------------------------------------


class ProceduresTenantMixin(TenantMixin):
    """Tenancy helpers on top of cases/api: a procedure lookup bounded by the token's association."""

    def procedure_for(self, procedure_id, *, require="view") -> Procedure:
        procedure, _access = procedure_get(self.request.user, procedure_id, require=require, association_id=self.scope)
        return procedure


class ReadWriteShapesMixin:
    """Read shape on GET (`serializer_class`); one write shape (`write_serializer_class`) for create
    and update, answered in the read shape. A created record's ETag is sent at once, so it can be
    edited without a GET. `parent_field`, the case or procedure the record belongs to, is required
    on create and never changes."""

    write_serializer_class = None
    parent_field = None
    send_etag_on_create = False

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update") and self.write_serializer_class:
            return self.write_serializer_class
        return self.serializer_class

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        if self.send_etag_on_create:
            response["ETag"] = etag_for(response.data)
        return response

    def changes(self, serializer) -> dict:
        """The fields of an update for the service: all but the parent, which must stay the same."""
        data = dict(serializer.validated_data)
        parent_id = data.pop(self.parent_field, None)
        if parent_id is not None and parent_id != getattr(serializer.instance, f"{self.parent_field}_id"):
            raise ValidationError(
                {
                    self.parent_field: [
                        _("Ne change pas après l'enregistrement : enregistrez-en un nouveau au bon endroit.")
                    ]
                }
            )
        return data

    @staticmethod
    def without(data: dict, *names) -> dict:
        return {key: value for key, value in data.items() if key not in names}


def write_schema(name: str, serializer, write_serializer, *, examples=()):
    """Schemas of list/retrieve/create/update when the write shape differs from the read shape."""
    return extend_schema_view(
        list=extend_schema(summary=f"{name} visibles"),
        retrieve=extend_schema(summary=f"{name} : détail (avec ETag)"),
        create=extend_schema(
            summary=f"{name} : enregistrer", request=write_serializer, responses={201: serializer}, examples=examples
        ),
        update=extend_schema(
            summary=f"{name} : modifier (If-Match requis)", request=write_serializer, responses={200: serializer}
        ),
        partial_update=extend_schema(
            summary=f"{name} : modifier en partie (If-Match requis)",
            request=write_serializer,
            responses={200: serializer},
        ),
    )


# --- Procedures ----------------------------------------------------------------------------------


@write_schema("Procédures", ProcedureSerializer, ProcedureWriteSerializer, examples=[PROCEDURE_EXAMPLE])
class ProcedureViewSet(ProceduresTenantMixin, ETagMixin, ReadWriteShapesMixin, viewsets.ModelViewSet):
    """A case's proceedings at each parquet, with the chain of transfers (dessaisissements)."""

    serializer_class = ProcedureSerializer
    write_serializer_class = ProcedureWriteSerializer
    parent_field = "case"
    send_etag_on_create = True
    filterset_class = ProcedureFilter
    search_fields = ["parquet_reference"]
    ordering_fields = ["opened_on", "parquet_reference", "created_at", "updated_at"]
    ordering = ["case_id", "opened_on", "pk"]
    http_method_names = WRITE_METHODS

    def get_queryset(self):
        return (
            procedure_list(self.request.user, association_id=self.scope)
            # Not the case: the representation gives its id, read from the row.
            .select_related(None)
            .select_related("parquet__court_of_appeal", "transferred_from__parquet", "transferred_to")
            # Only what the serializer shows: a victim's identity is never read (nor decrypted) here.
            .prefetch_related(
                Prefetch("victims", queryset=Victim.objects.only("id", "pseudonym")),
                Prefetch("suspects", queryset=Suspect.objects.only("id")),
                Prefetch("offences", queryset=Offence.objects.only("id")),
            )
        )

    def retrieve(self, request, *args, **kwargs):
        procedure = self.get_object()
        access_log_record(
            actor=Actor.from_request(request), action=AccessAction.VIEW, obj=procedure, case_id=procedure.case_id
        )
        data = self.get_serializer(procedure).data
        return Response(data, headers={"ETag": etag_for(data)})

    def perform_create(self, serializer):
        data = serializer.validated_data
        case = self.case_for(data["case"], require="change")
        serializer.instance = services.procedure_create(user=self.request.user, case=case, **self.without(data, "case"))

    def perform_update(self, serializer):
        self.access_for(serializer.instance.case, require="change")
        serializer.instance = services.procedure_update(
            user=self.request.user, procedure=serializer.instance, **self.changes(serializer)
        )

    @extend_schema(
        summary="Dessaisissement au profit d'un autre parquet",
        request=ProcedureTransferSerializer,
        responses={201: ProcedureSerializer},
        examples=[TRANSFER_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """The receiving parquet's procedure is created, pointing to this one; this one's outcome
        becomes « dessaisissement »."""
        procedure = self.get_object()
        self.access_for(procedure.case, require="change")
        payload = ProcedureTransferSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        successor = services.procedure_transfer(user=request.user, procedure=procedure, **payload.validated_data)
        successor = self.get_queryset().get(pk=successor.pk)
        return Response(
            ProcedureSerializer(successor, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Recevabilité d'une constitution de partie civile (analyse du jour)", responses=EligibilitySerializer
    )
    @action(detail=True, methods=["get"])
    def eligibility(self, request, pk=None):
        """Which CPP article (2-2, 2-3, 2-6, 2-9, 2-16, 2-22) lets the association holding the case
        file in this procedure today, condition by condition. A filing freezes it as its snapshot."""
        procedure = self.get_object()
        return Response(filing_eligibility(procedure.case.association, procedure).to_dict())


# --- Referrals -----------------------------------------------------------------------------------


@write_schema("Saisines", ReferralSerializer, ReferralWriteSerializer)
class ReferralViewSet(ProceduresTenantMixin, ETagMixin, ReadWriteShapesMixin, viewsets.ModelViewSet):
    """How facts reached a parquet: article 40 notices, complaints, Pharos reports."""

    serializer_class = ReferralSerializer
    write_serializer_class = ReferralWriteSerializer
    parent_field = "case"
    send_etag_on_create = True
    filterset_class = ReferralFilter
    search_fields = ["reference", "author", "recipient"]
    ordering_fields = ["sent_on", "created_at"]
    ordering = ["case", "sent_on", "pk"]
    http_method_names = WRITE_METHODS

    def get_queryset(self):
        return referral_list(self.request.user, association_id=self.scope).prefetch_related("procedures")

    @staticmethod
    def _check_procedures(case, procedures) -> None:
        if any(procedure.case_id != case.pk for procedure in procedures or ()):
            raise ValidationError({"procedures": [_("Les procédures ouvertes doivent appartenir à l'affaire.")]})

    def perform_create(self, serializer):
        data = serializer.validated_data
        case = self.case_for(data["case"], require="change")
        self._check_procedures(case, data.get("procedures"))
        serializer.instance = services.referral_record(user=self.request.user, case=case, **self.without(data, "case"))

    def perform_update(self, serializer):
        referral = serializer.instance
        self.access_for(referral.case, require="change")
        changes = self.changes(serializer)
        self._check_procedures(referral.case, changes.get("procedures"))
        serializer.instance = services.referral_update(user=self.request.user, referral=referral, **changes)


# --- Filings -------------------------------------------------------------------------------------


@write_schema("Constitutions de partie civile", FilingSerializer, FilingWriteSerializer, examples=[FILING_EXAMPLE])
class FilingViewSet(ProceduresTenantMixin, ETagMixin, ReadWriteShapesMixin, viewsets.ModelViewSet):
    """Constitutions de partie civile. Creating one runs the eligibility analysis and freezes it in
    `eligibility_snapshot`; a filing no CPP article supports needs an `override_reason`. Two
    lawyers editing the same filing do not overwrite each other: If-Match, else 412."""

    serializer_class = FilingSerializer
    write_serializer_class = FilingWriteSerializer
    parent_field = "procedure"
    send_etag_on_create = True
    filterset_class = FilingFilter
    ordering_fields = ["filed_on", "created_at", "updated_at"]
    ordering = ["procedure", "filed_on", "pk"]
    http_method_names = WRITE_METHODS

    def get_queryset(self):
        return filing_list_for_user(self.request.user, association_id=self.scope)

    def perform_create(self, serializer):
        data = serializer.validated_data
        procedure = self.procedure_for(data["procedure"], require="change")
        serializer.instance = services.filing_submit(
            user=self.request.user, procedure=procedure, **self.without(data, "procedure")
        )

    def perform_update(self, serializer):
        self.access_for(serializer.instance.procedure.case, require="change")
        serializer.instance = services.filing_update(
            user=self.request.user, filing=serializer.instance, **self.changes(serializer)
        )


# --- Hearings and decisions ----------------------------------------------------------------------


@write_schema("Audiences", HearingSerializer, HearingWriteSerializer)
class HearingViewSet(ProceduresTenantMixin, ETagMixin, ReadWriteShapesMixin, viewsets.ModelViewSet):
    """Hearings. A past hearing cannot stay « prévue »: say whether it was held."""

    serializer_class = HearingSerializer
    write_serializer_class = HearingWriteSerializer
    parent_field = "procedure"
    send_etag_on_create = True
    filterset_class = HearingFilter
    search_fields = ["court", "purpose"]
    ordering_fields = ["starts_at"]
    ordering = ["starts_at", "pk"]
    http_method_names = WRITE_METHODS

    def get_queryset(self):
        return hearing_list(self.request.user, association_id=self.scope)

    def perform_create(self, serializer):
        data = serializer.validated_data
        procedure = self.procedure_for(data["procedure"], require="change")
        serializer.instance = services.hearing_record(
            user=self.request.user, procedure=procedure, **self.without(data, "procedure")
        )

    def perform_update(self, serializer):
        self.access_for(serializer.instance.procedure.case, require="change")
        serializer.instance = services.hearing_update(
            user=self.request.user, hearing=serializer.instance, **self.changes(serializer)
        )


@extend_schema_view(
    list=extend_schema(summary="Décisions visibles, avec les délais qu'elles ont ouverts"),
    retrieve=extend_schema(summary="Décision : détail et délais ouverts"),
    create=extend_schema(
        summary="Enregistrer une décision (ouvre les délais de recours)",
        request=DecisionWriteSerializer,
        responses={201: DecisionSerializer},
        examples=[DECISION_EXAMPLE],
    ),
    partial_update=extend_schema(
        summary="Compléter une décision (signification, nature de l'ordonnance…) : ouvre les délais en attente",
        request=DecisionWriteSerializer,
        responses={200: DecisionSerializer},
    ),
)
class DecisionViewSet(
    ProceduresTenantMixin,
    ETagMixin,
    ReadWriteShapesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Decisions. Recording one opens the deadlines the CPP attaches to it (appeal 10 days, art.
    498; pourvoi 10 jours francs, art. 568…), returned in `deadlines` with whose right each is; the
    same decision recorded twice opens nothing new. PATCH (with If-Match) completes it: a
    signification recorded later opens the periods that run from it."""

    parent_field = "procedure"
    http_method_names = ["get", "post", "patch", "head", "options"]

    serializer_class = DecisionSerializer
    write_serializer_class = DecisionWriteSerializer
    filterset_class = DecisionFilter
    search_fields = ["summary"]
    ordering_fields = ["decided_on", "created_at"]
    ordering = ["decided_on", "pk"]

    def get_queryset(self):
        return decision_list(self.request.user, association_id=self.scope)

    def with_deadlines(self, decisions: list[Decision]) -> list[Decision]:
        """Each decision with `opened_deadlines`, in one query. Deadlines are the lead association's
        own work: a read-only share does not list them."""
        opened = defaultdict(list)
        for deadline in deadlines_opened_by(
            self.request.user, [decision.pk for decision in decisions], association_id=self.scope
        ):
            opened[deadline.trigger_event.source_id].append(deadline)
        for decision in decisions:
            decision.opened_deadlines = opened[decision.pk]
        return decisions

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        decisions = self.with_deadlines(list(queryset if page is None else page))
        data = self.get_serializer(decisions, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)

    def etag(self, instance) -> str:
        [decision] = self.with_deadlines([instance])
        return etag_for(DecisionSerializer(decision, context=self.get_serializer_context()).data)

    def retrieve(self, request, *args, **kwargs):
        [decision] = self.with_deadlines([self.get_object()])
        data = self.get_serializer(decision).data
        return Response(data, headers={"ETag": etag_for(data)})

    def perform_create(self, serializer):
        data = serializer.validated_data
        procedure = self.procedure_for(data["procedure"], require="change")
        decision = services.decision_record(
            user=self.request.user, procedure=procedure, **self.without(data, "procedure")
        )
        [serializer.instance] = self.with_deadlines([decision])

    def perform_update(self, serializer):
        self.access_for(serializer.instance.procedure.case, require="change")
        decision = services.decision_update(
            user=self.request.user, decision=serializer.instance, **self.changes(serializer)
        )
        [serializer.instance] = self.with_deadlines([decision])


# --- Timeline steps ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Étapes d'une affaire, dans l'ordre",
        parameters=[OpenApiParameter("case", int, required=True, description="L'affaire (obligatoire).")],
    ),
    retrieve=extend_schema(summary="Étape : détail"),
    create=extend_schema(
        summary="Enregistrer une autre étape (appel, avis de l'art. 175, réquisitoire…)",
        request=EventCreateSerializer,
        responses={201: EventSerializer},
    ),
)
class EventViewSet(
    ProceduresTenantMixin,
    ReadWriteShapesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The dated steps of a case. Referrals, filings, hearings, decisions and transfers write their
    own; the others are recorded here, and some open deadlines (art. 175 notice, another party's
    appeal)."""

    serializer_class = EventSerializer
    write_serializer_class = EventCreateSerializer
    filterset_class = EventFilter
    search_fields = ["title", "details"]
    ordering_fields = ["occurred_on", "created_at"]
    ordering = ["occurred_on", "pk"]

    def get_queryset(self):
        return event_list(self.request.user, association_id=self.scope)

    def list(self, request, *args, **kwargs):
        # Steps across every case say little: the list is a case's, as on its page.
        if not request.query_params.get("case"):
            raise ValidationError({"case": [_("Indiquez l'affaire dont vous voulez les étapes.")]})
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        case = self.case_for(data["case"], require="change")
        procedure = None if data["procedure"] is None else self.procedure_for(data["procedure"])
        serializer.instance = services.event_record(
            user=self.request.user, case=case, procedure=procedure, **self.without(data, "case", "procedure")
        )


# --- Deadlines -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Délais : les miens (ouverts ou manqués), ou tous avec all=1",
        parameters=[
            OpenApiParameter(
                "all",
                bool,
                description="1 : tous les délais des affaires de l'association, quel que soit le responsable ou "
                "le statut. Sans : les délais dont je suis responsable, ouverts ou manqués.",
            )
        ],
    ),
    retrieve=extend_schema(summary="Délai : détail"),
)
class DeadlineViewSet(ProceduresTenantMixin, viewsets.ReadOnlyModelViewSet):
    """Deadlines computed by the rule engine. They are the lead association's work: a case shared
    read-only does not show its deadlines. A due date changes only by `override`, with a reason."""

    serializer_class = DeadlineSerializer
    filterset_class = DeadlineFilter
    ordering_fields = ["due_on", "created_at"]
    ordering = ["due_on", "pk"]

    def show_all(self) -> bool:
        return self.request.query_params.get("all", "").lower() in {"1", "true", "oui"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Deadline.objects.none()
        if self.action == "list" and not self.show_all():
            return deadline_list_for_user(self.request.user, association_id=self.scope)
        return deadline_list_visible(self.request.user, association_id=self.scope)

    def _writable(self) -> Deadline:
        deadline = self.get_object()
        self.access_for(deadline.case, require="change")
        return deadline

    def _answer(self, deadline: Deadline) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=deadline.pk)).data)

    @extend_schema(
        summary="Marquer le délai accompli", request=DeadlineCompleteSerializer, responses=DeadlineSerializer
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        deadline = self._writable()
        payload = DeadlineCompleteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._answer(services.deadline_complete(user=request.user, deadline=deadline, **payload.validated_data))

    @extend_schema(
        summary="Modifier l'échéance à la main (motif obligatoire)",
        request=DeadlineOverrideSerializer,
        responses=DeadlineSerializer,
    )
    @action(detail=True, methods=["post"])
    def override(self, request, pk=None):
        deadline = self._writable()
        payload = DeadlineOverrideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._answer(services.deadline_override(user=request.user, deadline=deadline, **payload.validated_data))

    @extend_schema(
        summary="Délai sans objet (motif obligatoire)", request=DeadlineCancelSerializer, responses=DeadlineSerializer
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        deadline = self._writable()
        payload = DeadlineCancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._answer(services.deadline_cancel(user=request.user, deadline=deadline, **payload.validated_data))


# --- A case's timeline ---------------------------------------------------------------------------


@extend_schema(summary="Chronologie d'une affaire : toutes ses étapes, toutes procédures confondues")
class CaseTimelineView(TenantMixin, generics.ListAPIView):
    """`/cases/{case_id}/timeline/`: every dated step of the case in order (one query), read from
    the procedures app so that `cases` needs no import of it. Reading it is logged as a read of
    the case."""

    serializer_class = EventSerializer
    filterset_class = TimelineFilter
    filter_backends = [DjangoFilterBackend]  # no ordering parameter: the order is the timeline's

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        return case_timeline(self.case)

    def list(self, request, *args, **kwargs):
        self.case = self.case_for(self.kwargs["case_id"])
        response = super().list(request, *args, **kwargs)
        access_log_record(
            actor=Actor.from_request(request), action=AccessAction.VIEW, obj=self.case, case_id=self.case.pk
        )
        return response


def register(router) -> None:
    router.register("procedures", ProcedureViewSet, basename="procedure")
    router.register("referrals", ReferralViewSet, basename="referral")
    router.register("filings", FilingViewSet, basename="filing")
    router.register("hearings", HearingViewSet, basename="hearing")
    router.register("decisions", DecisionViewSet, basename="decision")
    router.register("events", EventViewSet, basename="event")
    router.register("deadlines", DeadlineViewSet, basename="deadline")


# Included under /api/v1/ next to the router (a path, since the cases router must not know procedures).
urlpatterns = [
    path("cases/<int:case_id>/timeline/", CaseTimelineView.as_view(), name="case-timeline"),
]
