from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import AccessAction
from .selectors import AccessLogFilters, association_users, case_id_from_reference


class AccessLogFilterForm(forms.Form):
    du = forms.DateField(label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    utilisateur = forms.TypedChoiceField(label=_("Utilisateur·rice"), required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label=_("Action"), required=False)
    affaire = forms.CharField(
        label=_("Affaire"), required=False, max_length=60, help_text=_("Référence ou numéro de l'affaire.")
    )

    def __init__(self, data=None, *, association_id: int):
        super().__init__(data)
        self.association_id = association_id
        users = association_users(association_id=association_id)
        self.fields["utilisateur"].choices = [("", _("Tous"))] + [
            (user.pk, user.get_full_name() or user.username) for user in users
        ]
        self.fields["action"].choices = [("", _("Toutes")), *AccessAction.choices]

    def clean(self):
        data = super().clean()
        start, end = data.get("du"), data.get("au")
        if start and end and end < start:
            self.add_error("au", _("La fin de la période précède son début."))
        reference = data.get("affaire")
        if reference:
            data["case_id"] = case_id_from_reference(association_id=self.association_id, text=reference)
            if data["case_id"] is None:
                self.add_error("affaire", _("Aucune affaire de l'association ne porte cette référence."))
        return data

    def filters(self) -> AccessLogFilters | None:
        """The filters to apply, or None when one cannot be read: never widen silently to every row."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return AccessLogFilters(
            start=data.get("du"),
            end=data.get("au"),
            user_id=data.get("utilisateur"),
            action=data.get("action") or "",
            case_id=data.get("case_id"),
        )
