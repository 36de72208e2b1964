from rest_framework import serializers

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


class CaseSerializer(serializers.ModelSerializer):
    """A case file. `association` is the short name of the association that holds it."""

    association = serializers.SlugRelatedField(slug_field="short_name", read_only=True)
    offences = serializers.PrimaryKeyRelatedField(many=True, queryset=Offence.objects.all(), required=False)

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


class VictimSerializer(serializers.ModelSerializer):
    """A victim, by pseudonym. Identity fields are write-only here; reading them needs
    `?reveal=identity` (lawyers of the lead association only, access-logged)."""

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


class SuspectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Suspect
        fields = ["id", "case", "name", "age_at_facts", "status", "pre_trial_detention", "notes"]


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


class CaseShareSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseShare
        fields = ["id", "case", "association", "access", "granted_by", "granted_at", "revoked_at"]
        read_only_fields = ["granted_by", "granted_at", "revoked_at"]
        validators = []


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "association", "key_prefix", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = ["key_prefix", "created_at", "last_used_at", "revoked_at"]


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Le jeton complet : affiché une seule fois.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
