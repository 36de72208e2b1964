from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SECTION_ORDER, DossierPreset, Section


class DossierRequestForm(forms.Form):
    """Ask for a dossier: sections (or a preset), the recipient, and, for the lead association's
    lawyers only, whether real identities are printed."""

    preset = forms.ModelChoiceField(
        queryset=DossierPreset.objects.none(),
        required=False,
        label=_("Modèle"),
        empty_label=_("— Aucun : choisir les sections —"),
    )
    sections = forms.MultipleChoiceField(
        choices=Section.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Sections"),
        initial=SECTION_ORDER,
    )
    recipient = forms.CharField(
        max_length=200,
        label=_("Remis à"),
        help_text=_(
            "Imprimé sur chaque page : « Remis à … le … ». Par exemple « Me Dupont, avocate de la partie civile »."
        ),
    )
    reveal_identities = forms.BooleanField(
        required=False,
        label=_("Imprimer l'identité réelle des victimes"),
        help_text=_(
            "Réservé aux avocat·es de l'association ; la demande est inscrite au journal d'accès "
            "(loi du 29 juillet 1881, art. 39 bis). Par défaut : pseudonymes seulement."
        ),
    )
    save_as = forms.CharField(
        max_length=80,
        required=False,
        label=_("Enregistrer ces sections comme modèle"),
        help_text=_("Facultatif : un nom, pour réutiliser ce choix (un modèle du même nom est remplacé)."),
    )

    def __init__(self, *args, presets, can_reveal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].queryset = presets
        if not can_reveal:
            del self.fields["reveal_identities"]

    def clean(self):
        data = super().clean()
        if not data.get("sections") and not data.get("preset"):
            self.add_error("sections", _("Choisissez au moins une section, ou un modèle."))
        if data.get("save_as") and not data.get("sections"):
            self.add_error("save_as", _("Cochez les sections à enregistrer dans le modèle."))
        return data
