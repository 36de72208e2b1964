from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .identifiers import identifiers_clean
from .models import Case, CaseShare, Exhibit, Offence, Suspect, Victim
from .selectors import lawyers_of, share_target_associations


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for name, messages in error.error_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error)


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = [
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
        ]
        widgets = {
            "facts_start": DateInput(),
            "facts_end": DateInput(),
            "offences": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        # The uniqueness of the reference is checked per association: the form must know it.
        self.instance.association = association
        self.fields["lead_lawyer"].queryset = lawyers_of(association.pk)
        # The shipped catalogue, plus whatever the case already has (NATINF rows number ~17,000).
        offences = Offence.objects.filter(natinf__isnull=True)
        if self.instance.pk:
            offences = offences | Offence.objects.filter(cases=self.instance)
        self.fields["offences"].queryset = offences.distinct().order_by("article")
        self.fields["offences"].required = False

    def clean_reference(self):
        # The association is not a form field, so the model's unique constraint is not checked by
        # the form: check it here so that it shows with the other errors.
        reference = self.cleaned_data["reference"]
        duplicates = Case.objects.filter(association=self.instance.association, reference=reference)
        if duplicates.exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Cette référence est déjà utilisée par une autre affaire de l'association."))
        return reference


class VictimForm(forms.ModelForm):
    class Meta:
        model = Victim
        fields = [
            "first_name",
            "last_name",
            "birth_date",
            "contact",
            "facts_date",
            "age_at_facts",
            "deceased",
            "consent_given_on",
            "consent_by",
            "notes",
        ]
        widgets = {
            "birth_date": DateInput(),
            "facts_date": DateInput(),
            "consent_given_on": DateInput(),
            "contact": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    # Something must tell this victim apart from the case's others; consent and the deceased flag
    # alone do not.
    IDENTIFYING_FIELDS = ("first_name", "last_name", "birth_date", "contact", "facts_date", "age_at_facts", "notes")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.case = case

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) not in (None, "") for name in self.IDENTIFYING_FIELDS):
            raise ValidationError(
                _(
                    "Renseignez au moins un élément sur la victime (nom, prénom, date de naissance, âge, contact ou notes)."
                )
            )
        return cleaned


class SuspectForm(forms.ModelForm):
    class Meta:
        model = Suspect
        fields = ["name", "age_at_facts", "status", "pre_trial_detention", "notes", "identifiers"]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 2}),
            "identifiers": forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        }

    def clean_identifiers(self):
        """One per line, « courriel:nom@exemple.fr » or the value alone; stored in canonical kinds."""
        return identifiers_clean(self.cleaned_data.get("identifiers"))


class ExhibitForm(forms.Form):
    title = forms.CharField(label=_("Intitulé"), max_length=300)
    file = forms.FileField(label=_("Fichier (PDF, PNG, JPEG ou TIFF)"))
    source = forms.CharField(label=_("Provenance"), max_length=200, required=False)
    received_on = forms.DateField(label=_("Reçue le"), required=False, widget=DateInput())
    replaces = forms.ModelChoiceField(
        label=_("Remplace la pièce"), queryset=Exhibit.objects.none(), required=False, help_text=_("Nouvelle version.")
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replaces"].queryset = case.exhibits.filter(replaced_by__isnull=True).order_by("number")


class CaseShareForm(forms.ModelForm):
    class Meta:
        model = CaseShare
        fields = ["association", "access"]

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.case = case
        self.fields["association"].queryset = share_target_associations(case)
