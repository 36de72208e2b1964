"""Page forms for procedures and their records. Validation that belongs to the data stays in the
models and services; these forms only narrow the choices to the case and show errors on fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cases.forms import DateInput
from cases.models import Association, CaseOffence, Offence, Parquet
from cases.parquet_picker import ParquetField
from cases.pickers import suspect_picker_field, victim_picker_field

from .models import (
    Deadline,
    Decision,
    Event,
    EventKind,
    Filing,
    FilingStatus,
    Hearing,
    OrderKind,
    Procedure,
    Referral,
)
from .models.procedure import normalise_parquet_reference
from .pickers import procedure_picker_field
from .services.base import DECISION_FIELDS, EVENT_FIELDS

# Steps recorded by hand; referrals, filings, hearings, decisions and transfers write their own.
MANUAL_EVENT_KINDS = (
    EventKind.APPEAL,
    EventKind.APPEAL_PROCUREUR_GENERAL,
    EventKind.AVIS_175,
    EventKind.DECLARATION_175,
    EventKind.REQUISITOIRE,
    EventKind.ALTERNATIVE_41_1,
    EventKind.CUSTODY,
    EventKind.OTHER,
)


class DefaultsWhenOmitted:
    """Choice fields that have a default in the model may be left out of a posted form (an older
    page, a script): they then keep the model's default instead of failing."""

    optional_with_default: tuple[str, ...] = ()

    def _relax_defaults(self):
        for name in self.optional_with_default:
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in self.optional_with_default:
            if not cleaned.get(name):
                cleaned[name] = self._meta.model._meta.get_field(name).get_default()
        return cleaned


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _label(model, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


def _parquets(current_id=None):
    """Active parquets by name; a historical one (JUNALCO) stays selectable where already chosen."""
    condition = Q(active=True)
    if current_id:
        condition |= Q(pk=current_id)
    return Parquet.objects.filter(condition).order_by("name")


def _parquet_field(form: forms.ModelForm, name: str) -> ParquetField:
    """The typed parquet in place of the ModelForm's list of 168, with the model's label."""
    generated = form.fields[name]
    current = getattr(form.instance, f"{name}_id")
    return ParquetField(_parquets(current), label=generated.label, required=generated.required)


def _reference_taken(*, association_id, parquet, reference: str, exclude_pk=None) -> bool:
    duplicates = Procedure.objects.filter(
        association_id=association_id,
        parquet=parquet,
        normalised_reference=normalise_parquet_reference(reference),
    )
    return duplicates.exclude(pk=exclude_pk).exists()


def _picker(form: forms.ModelForm, name: str, picker: forms.Field) -> forms.Field:
    """The picker in place of the ModelForm's field, with the model's label, help and requirement."""
    generated = form.fields[name]
    picker.label, picker.help_text, picker.required = generated.label, generated.help_text, generated.required
    if form.instance.pk:
        picker.current = getattr(form.instance, name).all
    return picker


DUPLICATE_REFERENCE = _("Ce numéro de parquet est déjà enregistré pour ce parquet.")


class ProcedureForm(forms.ModelForm):
    class Meta:
        model = Procedure
        fields = [
            "parquet",
            "parquet_reference",
            "opened_on",
            "stage",
            "outcome",
            "classement_reason",
            "investigating_service",
            "investigating_judge",
            "victims",
            "suspects",
            "offences",
            "suspect_detained",
            "conduct_ended_on",
            "notes",
        ]
        widgets = {
            "opened_on": DateInput(),
            "conduct_ended_on": DateInput(),
            "offences": forms.SelectMultiple(attrs={"size": 8}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.case = case
        self.fields["parquet"] = _parquet_field(self, "parquet")
        # Pickers: the case's whole set validates what is posted; only the selection is rendered
        # once the set is large (480 victims in the reference case).
        self.fields["victims"] = _picker(self, "victims", victim_picker_field(case))
        self.fields["suspects"] = _picker(self, "suspects", suspect_picker_field(case))
        # The case's offences and the shipped catalogue (NATINF rows number ~17,000), plus any the
        # procedure already has.
        offences = Q(natinf__isnull=True) | Q(pk__in=CaseOffence.objects.filter(case=case).values("offence_id"))
        if self.instance.pk:
            offences |= Q(pk__in=self.instance.offences.values("pk"))
        self.fields["offences"].queryset = Offence.objects.filter(offences).order_by("article", "label")

    def clean(self):
        cleaned = super().clean()
        parquet, reference = cleaned.get("parquet"), cleaned.get("parquet_reference")
        # The association is not a form field, so the model's unique constraint is not checked by
        # the form: check it here so that it shows on the field.
        if (
            parquet
            and reference
            and _reference_taken(
                association_id=self.instance.case.association_id,
                parquet=parquet,
                reference=reference,
                exclude_pk=self.instance.pk,
            )
        ):
            self.add_error("parquet_reference", DUPLICATE_REFERENCE)
        return cleaned


class ProcedureTransferForm(forms.Form):
    """Dessaisissement: the receiving parquet opens its own procedure."""

    parquet = ParquetField(label=_("Parquet qui reprend la procédure"), queryset=Parquet.objects.none())
    parquet_reference = forms.CharField(
        label=_label(Procedure, "parquet_reference"),
        max_length=80,
        help_text=Procedure._meta.get_field("parquet_reference").help_text,
    )
    transferred_on = forms.DateField(label=_("Dessaisi le"), widget=DateInput())

    def __init__(self, *args, procedure, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.fields["parquet"].queryset = _parquets().exclude(pk=procedure.parquet_id)

    def clean(self):
        cleaned = super().clean()
        parquet, reference = cleaned.get("parquet"), cleaned.get("parquet_reference")
        if (
            parquet
            and reference
            and _reference_taken(association_id=self.procedure.association_id, parquet=parquet, reference=reference)
        ):
            self.add_error("parquet_reference", DUPLICATE_REFERENCE)
        transferred_on = cleaned.get("transferred_on")
        if transferred_on and self.procedure.opened_on and transferred_on < self.procedure.opened_on:
            self.add_error("transferred_on", _("Le dessaisissement ne peut précéder l'ouverture de la procédure."))
        return cleaned


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = [
            "kind",
            "author",
            "author_association",
            "recipient",
            "recipient_parquet",
            "sent_on",
            "lodged_with",
            "reference",
            "subject",
            "acknowledged_on",
            "answer_received_on",
            "answer",
            "answer_details",
            "general_prosecutor_appeal_on",
            "procedures",
        ]
        widgets = {
            "sent_on": DateInput(),
            "acknowledged_on": DateInput(),
            "answer_received_on": DateInput(),
            "general_prosecutor_appeal_on": DateInput(),
            "subject": forms.Textarea(attrs={"rows": 3}),
            "answer_details": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.case = case
        # The association that keeps the case; another author is written in « auteur ».
        self.fields["author_association"].queryset = Association.objects.filter(pk=case.association_id)
        self.fields["recipient_parquet"] = _parquet_field(self, "recipient_parquet")
        # A case holds up to 23,051 procedures: a picker, never a box per procedure.
        self.fields["procedures"] = _picker(self, "procedures", procedure_picker_field(case))


class FilingForm(forms.ModelForm):
    class Meta:
        model = Filing
        fields = [
            "mode",
            "legal_basis",
            "status",
            "filed_on",
            "consignation_amount",
            "consignation_due_on",
            "consignation_paid_on",
            "damages_claimed",
            "damages_awarded",
            "override_reason",
        ]
        widgets = {
            "filed_on": DateInput(),
            "consignation_due_on": DateInput(),
            "consignation_paid_on": DateInput(),
            "override_reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, procedure, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.procedure = procedure

    def clean(self):
        cleaned = super().clean()
        # Also a database constraint; said here so that it shows on the date field.
        if cleaned.get("status") in {FilingStatus.FILED, FilingStatus.ADMITTED, FilingStatus.INADMISSIBLE} and not (
            cleaned.get("filed_on")
        ):
            self.add_error("filed_on", _("Une constitution déposée a une date de dépôt."))
        return cleaned


class HearingForm(DefaultsWhenOmitted, forms.ModelForm):
    optional_with_default = ("defendant_residence",)

    class Meta:
        model = Hearing
        fields = ["starts_at", "court", "purpose", "status", "summoned_by_association", "defendant_residence", "notes"]
        widgets = {"starts_at": DateTimeLocalInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, procedure, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.procedure = procedure
        self._relax_defaults()


class DecisionForm(DefaultsWhenOmitted, forms.ModelForm):
    optional_with_default = ("prevenu_character", "association_presence")

    class Meta:
        model = Decision
        fields = list(DECISION_FIELDS)
        widgets = {
            "decided_on": DateInput(),
            "notified_on": DateInput(),
            "prevenu_served_on": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, procedure, **kwargs):
        super().__init__(*args, **kwargs)
        # Decision.clean compares the date with the procedure's opening.
        self.instance.procedure = procedure
        self._relax_defaults()
        # « Non précisée » is for decisions recorded before order kinds existed, never a new choice.
        current = self.instance.order_kind if self.instance.pk else ""
        self.fields["order_kind"].choices = [
            (value, label)
            for value, label in self.fields["order_kind"].choices
            if value != OrderKind.UNSPECIFIED or value == current
        ]


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = list(EVENT_FIELDS)
        widgets = {
            "occurred_on": DateInput(),
            "suspension_ends_on": DateInput(),
            "details": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, procedure, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.case = procedure.case
        self.instance.procedure = procedure
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in MANUAL_EVENT_KINDS]


class DeadlineOverrideForm(forms.Form):
    due_on = forms.DateField(label=_("Nouvelle échéance"), widget=DateInput())
    reason = forms.CharField(
        label=_label(Deadline, "override_reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Conservé dans l'historique avec l'échéance calculée."),
    )


class DeadlineCancelForm(forms.Form):
    reason = forms.CharField(label=_("Pourquoi ce délai est-il sans objet ?"), widget=forms.Textarea(attrs={"rows": 3}))


def service_error_on(error: ValidationError, renames: dict[str, str]) -> ValidationError:
    """A service's ValidationError with its field names mapped to the form's."""
    if not hasattr(error, "error_dict") or not renames:
        return error
    return ValidationError({renames.get(name, name): messages for name, messages in error.error_dict.items()})
