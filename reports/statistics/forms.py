"""Filters of the dashboards (query string, French names) and the forms of the report and of a
publication. A bad value is a form error shown on the page (status 400), never a 500."""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import CourtOfAppeal, OffenceCategory, Parquet, Platform
from procedures.models import Outcome, Stage

from .figures import StatisticsFilter
from .publication import Period

MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-\d{2})?$")


def parse_month(value: str) -> date:
    match = MONTH.match((value or "").strip())
    if not match:
        raise ValidationError(_("Indiquez un mois au format AAAA-MM, par exemple 2023-04."), code="invalid")
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        raise ValidationError(_("Ce mois n'existe pas."), code="invalid")
    return date(year, month, 1)


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "AAAA-MM"})

    def to_python(self, value):
        value = super().to_python(value)
        return parse_month(value) if value else None

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, date) else value


class PeriodMixin:
    def clean(self):
        data = super().clean()
        start, end = data.get("du"), data.get("au")
        if start and end and end < start:
            self.add_error("au", _("La fin de la période précède son début."))
        return data


class FilterForm(PeriodMixin, forms.Form):
    plateforme = forms.ModelChoiceField(Platform.objects.order_by("name"), required=False, label=_("Plateforme"))
    du = MonthField(required=False, label=_("Du mois"))
    au = MonthField(required=False, label=_("Au mois"))
    categorie = forms.ChoiceField(
        choices=[("", _("Toutes")), *OffenceCategory.choices], required=False, label=_("Infraction")
    )
    cour_appel = forms.ModelChoiceField(CourtOfAppeal.objects.order_by("name"), required=False, label=_("Cour d'appel"))
    parquet = forms.ModelChoiceField(Parquet.objects.order_by("name"), required=False, label=_("Parquet"))

    def statistics_filter(self, association_id) -> StatisticsFilter:
        data = self.cleaned_data
        return StatisticsFilter(
            association_id=association_id,
            platform_id=data["plateforme"].pk if data.get("plateforme") else None,
            month_from=data.get("du"),
            month_to=data.get("au"),
            category=data.get("categorie") or "",
            court_of_appeal_id=data["cour_appel"].pk if data.get("cour_appel") else None,
            parquet_id=data["parquet"].pk if data.get("parquet") else None,
        )


class DrillDownForm(FilterForm):
    """The list of procedures behind a figure: the dashboard's filters plus the figure's own."""

    mois = MonthField(required=False, label=_("Mois d'ouverture"))
    issue = forms.ChoiceField(choices=[("", ""), *Outcome.choices], required=False, label=_("Issue"))
    stade = forms.ChoiceField(choices=[("", ""), *Stage.choices], required=False, label=_("Stade"))
    sans_plateforme = forms.BooleanField(required=False)


class ReportForm(PeriodMixin, forms.Form):
    plateforme = forms.ModelChoiceField(
        Platform.objects.order_by("name"), required=False, label=_("Plateforme"), empty_label=_("Toutes")
    )
    du = MonthField(required=False, label=_("Du mois"))
    au = MonthField(required=False, label=_("Au mois"))


class PublishForm(forms.Form):
    """A cross-association publication is one closed calendar year or quarter, for every platform:
    arbitrary month ranges and filters let releases be subtracted from each other (publication.py)."""

    title = forms.CharField(max_length=200, label=_("Intitulé"), initial=_("Chiffres inter-associations"))
    annee = forms.IntegerField(min_value=2000, max_value=2200, label=_("Année"))
    trimestre = forms.TypedChoiceField(
        choices=[
            ("", _("Année entière")),
            (1, _("1er trimestre")),
            (2, _("2e trimestre")),
            (3, _("3e trimestre")),
            (4, _("4e trimestre")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
        label=_("Trimestre"),
    )
    confirm = forms.BooleanField(
        label=_("Je publie des chiffres agrégés de toutes les associations, cases protégées masquées."),
        required=True,
    )

    def clean(self):
        data = super().clean()
        if data.get("annee") is not None:
            period = Period(data["annee"], data.get("trimestre"))
            if not period.is_closed(timezone.localdate()):
                self.add_error(
                    None, _("Seule une période terminée peut être publiée : ses chiffres sont alors définitifs.")
                )
            data["period"] = period
        return data
