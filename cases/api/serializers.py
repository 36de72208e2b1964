from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.identifiers import identifiers_clean
from cases.models import (
    ApiToken,
    Case,
    CaseShare,
    CourtOfAppeal,
    Exhibit,
    Offence,
    Parquet,
    Platform,
    Suspect,
    Victim,
)
from cases.selectors import (
    association_list,
    case_lawyer_choices,
    case_queryset_for_user,
    offence_list,
    platform_list,
)

from .authentication import scope_association_id

# One answer for an unknown id and for another association's: neither the model's name nor the
# record's existence is disclosed.
NOT_FOUND = _("Objet introuvable.")


class NeutralRelatedField(serializers.PrimaryKeyRelatedField):
    """A related record by id, refused with one neutral French message."""

    default_error_messages = {"does_not_exist": NOT_FOUND, "incorrect_type": NOT_FOUND}


class ScopedRelatedField(NeutralRelatedField):
    """A related record by id among those the caller may use: `scope(user, association_id=…)`, a
    selector, bounded by the API token's association. The `queryset` given is only the model's
    (for the schema); the records come from the selector at each request."""

    def __init__(self, *, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return super().get_queryset().none()
        return self.scope(request.user, association_id=scope_association_id(request))


class NeutralModelSerializer(serializers.ModelSerializer):
    """Relations generated from the model answer with the neutral message too."""

    serializer_related_field = NeutralRelatedField


class PlatformSerializer(serializers.ModelSerializer):
    class Meta:
        model = Platform
        fields = [
            "id",
            "name",
            "url",
            "created_year",
            "registration_country",
            "operator",
            "operator_country",
            "closed_on",
        ]


class CourtOfAppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = CourtOfAppeal
        fields = ["id", "code", "name"]


class ParquetSerializer(serializers.ModelSerializer):
    court_of_appeal = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = Parquet
        fields = ["id", "code", "name", "court", "court_of_appeal", "kind", "holiday_subdivision", "active"]


class OffenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Offence
        fields = [
            "id",
            "label",
            "code",
            "article",
            "nature",
            "maximum_penalty",
            "maximum_prison_years",
            "prescription_rule",
            "natinf",
            "categories",
        ]


class CaseSerializer(NeutralModelSerializer):
    """A case file. `association` is the short name of the association that holds it."""

    association = serializers.SlugRelatedField(slug_field="short_name", read_only=True)
    platform = NeutralRelatedField(queryset=platform_list(), required=False, allow_null=True)
    offences = NeutralRelatedField(many=True, queryset=offence_list(), required=False)
    lead_lawyer = ScopedRelatedField(
        scope=case_lawyer_choices, queryset=get_user_model().objects.none(), required=False, allow_null=True
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "association",
            "reference",
            "title",
            "platform",
            "offences",
            "facts_start",
            "facts_end",
            "place",
            "status",
            "lead_lawyer",
            "summary",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness is the service's job (409), not the serializer's (400).
        validators = []


class VictimSerializer(NeutralModelSerializer):
    """A victim, by pseudonym. Identity fields are write-only here; reading them needs
    `?reveal=identity` (lawyers of the lead association only, access-logged)."""

    case = ScopedRelatedField(scope=case_queryset_for_user, queryset=Case.objects.none())

    class Meta:
        model = Victim
        fields = [
            "id",
            "case",
            "pseudonym",
            "facts_date",
            "age_at_facts",
            "minor_at_facts",
            "deceased",
            "consent_given_on",
            "consent_by",
            "notes",
            "first_name",
            "last_name",
            "birth_date",
            "contact",
        ]
        read_only_fields = ["pseudonym", "minor_at_facts"]
        extra_kwargs = {name: {"write_only": True} for name in Victim.IDENTITY_FIELDS}


class VictimIdentitySerializer(VictimSerializer):
    class Meta(VictimSerializer.Meta):
        extra_kwargs = {}


class IdentifiersField(serializers.CharField):
    """Suspect.identifiers: one `kind:value` per line; read as "" when none (the column stores NULL)."""

    def get_attribute(self, instance):
        return super().get_attribute(instance) or ""

    def to_internal_value(self, data):
        try:
            return identifiers_clean(super().to_internal_value(data))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class SuspectSerializer(NeutralModelSerializer):
    case = ScopedRelatedField(scope=case_queryset_for_user, queryset=Case.objects.none())
    identifiers = IdentifiersField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=(
            "Identifiants saisis, un par ligne : « type:valeur » avec pour type account, email, phone, ip ou "
            "national (en français : compte, courriel, tel ou téléphone, ip, id ou identifiant), ou la valeur "
            "seule (courriel, IP, téléphone reconnus, sinon compte). Rendus avec le type anglais."
        ),
    )

    class Meta:
        model = Suspect
        fields = ["id", "case", "name", "age_at_facts", "status", "pre_trial_detention", "notes", "identifiers"]


class ExhibitSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Exhibit
        fields = [
            "id",
            "case",
            "number",
            "title",
            "original_filename",
            "content_type",
            "size",
            "sha256",
            "source",
            "received_on",
            "replaces",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, exhibit) -> str:
        request = self.context.get("request")
        path = f"/api/v1/exhibits/{exhibit.pk}/download/"
        return request.build_absolute_uri(path) if request else path


class ExhibitUploadSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    file = serializers.FileField()
    title = serializers.CharField(max_length=300)
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    received_on = serializers.DateField(required=False, allow_null=True, default=None)
    replaces = serializers.IntegerField(required=False, allow_null=True, default=None)


class CaseShareSerializer(NeutralModelSerializer):
    case = ScopedRelatedField(scope=case_queryset_for_user, queryset=Case.objects.none())
    association = NeutralRelatedField(queryset=association_list())

    class Meta:
        model = CaseShare
        fields = ["id", "case", "association", "access", "granted_by", "granted_at", "revoked_at"]
        read_only_fields = ["granted_by", "granted_at", "revoked_at"]
        validators = []


class ApiTokenSerializer(NeutralModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "association", "key_prefix", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = ["key_prefix", "created_at", "last_used_at", "revoked_at"]


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Le jeton complet : affiché une seule fois.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
