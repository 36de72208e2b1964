"""Read shapes (one per record) and write shapes (the fields each service accepts).

A write serializer answers with the read shape, so the body of a 201/200 — and its ETag — is the
one a GET returns. Ids of victims, suspects and procedures are looked up among the cases the caller
sees only (the selectors): another association's id gets the answer of an unknown id, « objet
introuvable », never linked, never disclosed.
"""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from cases.api.serializers import NeutralModelSerializer, NeutralRelatedField, ParquetSerializer, ScopedRelatedField
from cases.models import Suspect, Victim
from cases.selectors import parquet_list, suspect_list_for_user, victim_list_for_user

from .. import services
from ..eligibility import Applies, Status
from ..forms import MANUAL_EVENT_KINDS
from ..models import Deadline, Decision, Event, Filing, Hearing, Procedure, Referral
from ..selectors import procedure_list

# --- Shared pieces -------------------------------------------------------------------------------


class WriteSerializer(NeutralModelSerializer):
    """Input of a create or update; represented by `output`, the read shape."""

    output: type[serializers.Serializer]

    def to_representation(self, instance):
        return self.output(instance, context=self.context).data


class VictimSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Victim
        fields = ["id", "pseudonym"]
        read_only_fields = fields


class ProcedureLinkSerializer(serializers.ModelSerializer):
    """The procedure of the parquet that transferred the file (dessaisissement)."""

    parquet_name = serializers.CharField(source="parquet.name", read_only=True)

    class Meta:
        model = Procedure
        fields = ["id", "parquet", "parquet_name", "parquet_reference"]
        read_only_fields = fields


# --- Eligibility (art. 2-2 to 2-22 CPP) ------------------------------------------------------------


class ConditionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label_fr = serializers.CharField()
    status = serializers.ChoiceField(choices=[(s.value, s.value) for s in Status])
    source = serializers.CharField(help_text="Article ou décision d'où vient la condition.")
    detail_fr = serializers.CharField()


class ArticleAssessmentSerializer(serializers.Serializer):
    article = serializers.CharField(help_text="Article du CPP (2-2, 2-3…).")
    title_fr = serializers.CharField()
    applies = serializers.ChoiceField(choices=[(a.value, a.value) for a in Applies])
    offences_covered = serializers.ListField(child=serializers.CharField())
    offences_admissible = serializers.ListField(child=serializers.CharField())
    conditions = ConditionSerializer(many=True)
    notes_fr = serializers.ListField(child=serializers.CharField())


class EligibilitySerializer(serializers.Serializer):
    """Which CPP article lets the association file as partie civile, condition by condition."""

    assessments = ArticleAssessmentSerializer(many=True)
    applicable_articles = serializers.ListField(child=serializers.CharField())
    rules_version = serializers.CharField()


class EligibilitySnapshotSerializer(EligibilitySerializer):
    computed_at = serializers.DateTimeField(help_text="Moment où l'analyse a été figée.")


# --- Read shapes ---------------------------------------------------------------------------------


class ProcedureSerializer(serializers.ModelSerializer):
    """A case's proceedings at one parquet. Victims by pseudonym; suspects and offences by id."""

    parquet = ParquetSerializer(read_only=True)
    victims = serializers.SerializerMethodField()
    suspects = serializers.SerializerMethodField()
    offences = serializers.SerializerMethodField()
    transferred_from = ProcedureLinkSerializer(read_only=True, allow_null=True)
    transferred_to = serializers.SerializerMethodField(help_text="La procédure du parquet qui l'a reçue.")

    class Meta:
        model = Procedure
        fields = [
            "id",
            "case",
            "parquet",
            "parquet_reference",
            "opened_on",
            "stage",
            "outcome",
            "classement_reason",
            "investigating_service",
            "investigating_judge",
            "suspect_detained",
            "victims",
            "suspects",
            "offences",
            "transferred_from",
            "transferred_to",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    # Sorted by id here, not by the models' orderings (names may tie), so that the ETag of the
    # same procedure never changes between two reads. Plain dicts: a serializer built for each of
    # a page's rows cost more than the page's queries.
    @extend_schema_field(VictimSummarySerializer(many=True))
    def get_victims(self, procedure) -> list:
        victims = sorted(procedure.victims.all(), key=lambda victim: victim.pk)
        return [{"id": victim.pk, "pseudonym": victim.pseudonym} for victim in victims]

    def get_suspects(self, procedure) -> list[int]:
        return sorted(suspect.pk for suspect in procedure.suspects.all())

    def get_offences(self, procedure) -> list[int]:
        return sorted(offence.pk for offence in procedure.offences.all())

    def get_transferred_to(self, procedure) -> int | None:
        try:
            return procedure.transferred_to.pk
        except Procedure.DoesNotExist:
            return None


class ReferralSerializer(serializers.ModelSerializer):
    procedures = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    awaiting_answer = serializers.BooleanField(
        read_only=True, help_text="Art. 40-2 : le procureur doit aviser l'auteur de sa décision."
    )
    general_prosecutor_appeal_open = serializers.BooleanField(
        read_only=True, help_text="Art. 40-3 : recours au procureur général ouvert après un classement."
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            *services.REFERRAL_FIELDS,
            "procedures",
            "awaiting_answer",
            "general_prosecutor_appeal_open",
            "created_at",
        ]
        read_only_fields = fields


class FilingSerializer(serializers.ModelSerializer):
    """A constitution de partie civile, with the eligibility explanation frozen when it was filed."""

    case = serializers.IntegerField(source="procedure.case_id", read_only=True)
    association_name = serializers.CharField(source="association.short_name", read_only=True)
    eligibility_snapshot = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = [
            "id",
            "procedure",
            "case",
            "association",
            "association_name",
            *services.FILING_FIELDS,
            "eligibility_snapshot",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(EligibilitySnapshotSerializer)
    def get_eligibility_snapshot(self, filing) -> dict:
        # Returned as stored: it is the record of why the filing was made, whatever the engine says now.
        return filing.eligibility_snapshot


class HearingSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="procedure.case_id", read_only=True)

    class Meta:
        model = Hearing
        fields = ["id", "procedure", "case", *services.HEARING_FIELDS]
        read_only_fields = fields


class DeadlineSerializer(serializers.ModelSerializer):
    """A délai: due date computed by the rule engine; changed by hand only with a reason."""

    case_reference = serializers.CharField(source="case.reference", read_only=True)
    rule_label = serializers.CharField(source="get_rule_display", read_only=True)
    is_overridden = serializers.BooleanField(read_only=True, help_text="Échéance modifiée à la main.")

    class Meta:
        model = Deadline
        fields = [
            "id",
            "case",
            "case_reference",
            "procedure",
            "rule",
            "rule_label",
            "party",
            "rule_version",
            "explanation",
            "trigger_event",
            "trigger_date",
            "computed_due_on",
            "due_on",
            "is_overridden",
            "override_reason",
            "status",
            "owner",
            "completed_on",
            "notes",
            "created_at",
        ]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):
    """A decision and the deadlines it opened for the association (art. 186, 498, 568…), which the
    view attaches as `opened_deadlines`."""

    case = serializers.IntegerField(source="procedure.case_id", read_only=True)
    deadlines = DeadlineSerializer(many=True, read_only=True, source="opened_deadlines")

    class Meta:
        model = Decision
        fields = ["id", "procedure", "case", *services.DECISION_FIELDS, "deadlines", "created_at"]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    """A dated step of a case. `source_model`/`source_id` name the record it stands for, if any."""

    parquet_name = serializers.CharField(source="procedure.parquet.name", read_only=True, allow_null=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "case",
            "procedure",
            "parquet_name",
            "kind",
            "occurred_on",
            "title",
            "details",
            "source_model",
            "source_id",
            "interrupts_prescription",
            "suspends_prescription",
            "suspension_ends_on",
            "created_at",
        ]
        read_only_fields = fields


# --- Write shapes --------------------------------------------------------------------------------
# Each is documented under its record's name (« ProcedureRequest », « PatchedProcedureRequest »), so
# the schema names one enumeration per record and field.


@extend_schema_serializer(component_name="Procedure")
class ProcedureWriteSerializer(WriteSerializer):
    output = ProcedureSerializer
    case = serializers.IntegerField(help_text="L'affaire ; une procédure n'en change pas.")
    victims = ScopedRelatedField(many=True, required=False, scope=victim_list_for_user, queryset=Victim.objects.none())
    suspects = ScopedRelatedField(
        many=True, required=False, scope=suspect_list_for_user, queryset=Suspect.objects.none()
    )
    transferred_from = ScopedRelatedField(
        required=False, allow_null=True, scope=procedure_list, queryset=Procedure.objects.none()
    )

    class Meta:
        model = Procedure
        fields = ["case", *services.PROCEDURE_FIELDS, "victims", "suspects", "offences"]
        # The parquet number's uniqueness is the service's answer (409), not a serializer's 400.
        validators = []


class ProcedureTransferSerializer(serializers.Serializer):
    """Dessaisissement: the receiving parquet opens its own procedure, linked to this one."""

    parquet = NeutralRelatedField(queryset=parquet_list(), help_text="Le parquet qui reçoit.")
    parquet_reference = serializers.CharField(max_length=80, help_text="Le numéro donné par ce parquet.")
    transferred_on = serializers.DateField()


@extend_schema_serializer(component_name="Referral")
class ReferralWriteSerializer(WriteSerializer):
    output = ReferralSerializer
    case = serializers.IntegerField(help_text="L'affaire ; une saisine n'en change pas.")
    procedures = ScopedRelatedField(many=True, required=False, scope=procedure_list, queryset=Procedure.objects.none())

    class Meta:
        model = Referral
        fields = ["case", *services.REFERRAL_FIELDS, "procedures"]


@extend_schema_serializer(component_name="Filing")
class FilingWriteSerializer(WriteSerializer):
    output = FilingSerializer
    procedure = serializers.IntegerField(help_text="La procédure ; une constitution n'en change pas.")

    class Meta:
        model = Filing
        fields = ["procedure", *services.FILING_FIELDS]


@extend_schema_serializer(component_name="Hearing")
class HearingWriteSerializer(WriteSerializer):
    output = HearingSerializer
    procedure = serializers.IntegerField(help_text="La procédure ; une audience n'en change pas.")

    class Meta:
        model = Hearing
        fields = ["procedure", *services.HEARING_FIELDS]


@extend_schema_serializer(component_name="Decision")
class DecisionWriteSerializer(WriteSerializer):
    output = DecisionSerializer
    procedure = serializers.IntegerField()

    class Meta:
        model = Decision
        fields = ["procedure", *services.DECISION_FIELDS]


class EventCreateSerializer(WriteSerializer):
    """A step with no record of its own; referrals, filings, hearings, decisions and transfers
    write theirs through their endpoints."""

    output = EventSerializer
    case = serializers.IntegerField()
    procedure = serializers.IntegerField(required=False, allow_null=True, default=None)
    kind = serializers.ChoiceField(choices=[(kind.value, kind.label) for kind in MANUAL_EVENT_KINDS])

    class Meta:
        model = Event
        fields = ["case", "procedure", *services.EVENT_FIELDS]


class DeadlineCompleteSerializer(serializers.Serializer):
    completed_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Par défaut : ce jour."
    )


class DeadlineOverrideSerializer(serializers.Serializer):
    due_on = serializers.DateField(help_text="Nouvelle échéance.")
    reason = serializers.CharField(help_text="Motif, conservé dans l'historique avec l'échéance calculée.")


class DeadlineCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Pourquoi ce délai est sans objet.")
