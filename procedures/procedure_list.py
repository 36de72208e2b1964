"""The procedures of one case as a list a lawyer can search: filters, sorts, pages.

A case holds up to the Coco.gg volume (23,051 procedures), so the page never loads the whole case:
it reads one page plus one row to know whether a next page exists, and counts the selection (for
the bulk actions' « les N procédures du filtre ») only when more than one page matches, up to
COUNT_CAP."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django import forms
from django.core.cache import cache
from django.db.models import Exists, F, Func, OuterRef, QuerySet, Value
from django.db.models.functions import Upper
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from cases.models import CourtOfAppeal, Parquet, Victim

from .models import Deadline, DeadlineStatus, Filing, Outcome, Procedure, Stage

PAGE_SIZE = 50
MAX_PAGE = 10_000


def parquet_search_key(text: str) -> str:
    """A parquet number reduced to its letters and digits: "24/123.456", "24 123 456" and
    "24123456" are the same reference written three ways."""
    return re.sub(r"[^0-9A-Z]", "", (text or "").upper())


def parquet_search_key_expression():
    """The same key computed by PostgreSQL; a functional index (migration 0008) holds it."""
    return Func(Upper(F("parquet_reference")), Value("[^0-9A-Z]"), Value(""), Value("g"), function="REGEXP_REPLACE")


SORTS = {
    "ouverture": ("opened_on", "id"),
    "-ouverture": ("-opened_on", "-id"),
    "numero": ("normalised_reference", "id"),
    "-numero": ("-normalised_reference", "-id"),
    "stade": ("stage", "id"),
    "-stade": ("-stage", "-id"),
    "modification": ("updated_at", "id"),
    "-modification": ("-updated_at", "-id"),
}
SORT_LABELS = {
    "ouverture": _("Ouverture (plus anciennes d'abord)"),
    "-ouverture": _("Ouverture (plus récentes d'abord)"),
    "numero": _("Numéro de parquet"),
    "-numero": _("Numéro de parquet (décroissant)"),
    "stade": _("Stade"),
    "-stade": _("Stade (décroissant)"),
    "modification": _("Dernière modification (plus anciennes d'abord)"),
    "-modification": _("Dernière modification (plus récentes d'abord)"),
}


class PlainSelect(forms.Select):
    """A <select> written directly instead of through one template per <option>: the parquet and
    court lists (70 + 36 options on the reference case) cost 20 ms a page through the templates."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], mark_safe(" selected") if option["selected"] else "", option["label"])
                for _group, group_options, _index in context["optgroups"]
                for option in group_options
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', context["name"], flatatt(context["attrs"]), options)


MAX_SAME_PERSON_SUSPECTS = 500


class ProcedureListFilterForm(forms.Form):
    """GET filters of the case's procedure list; bad values are field errors (400), never a 500."""

    numero = forms.CharField(label=_("Numéro de parquet"), required=False, max_length=80)
    parquet = forms.ModelChoiceField(
        label=_("Parquet"), queryset=Parquet.objects.none(), required=False, widget=PlainSelect, empty_label=_("Tous")
    )
    cour = forms.ModelChoiceField(
        label=_("Cour d'appel"),
        queryset=CourtOfAppeal.objects.none(),
        required=False,
        widget=PlainSelect,
        empty_label=_("Toutes"),
    )
    stade = forms.ChoiceField(
        label=_("Stade"), choices=[("", _("Tous")), *list(Stage.choices)], required=False, widget=PlainSelect
    )
    issue = forms.ChoiceField(
        label=_("Issue"), choices=[("", _("Toutes")), *list(Outcome.choices)], required=False, widget=PlainSelect
    )
    constitution = forms.BooleanField(label=_("Avec une constitution de partie civile"), required=False)
    delai = forms.BooleanField(label=_("Avec un délai en cours"), required=False)
    victime = forms.CharField(label=_("Victime (pseudonyme)"), required=False, max_length=20)
    # « Même personne que… »: the ids of suspects judged one person (a link from the person page).
    personnes = forms.CharField(label=_("Mis en cause"), required=False, max_length=2000, widget=forms.HiddenInput)
    tri = forms.ChoiceField(label=_("Trier par"), choices=list(SORT_LABELS.items()), required=False, widget=PlainSelect)
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the parquets this case has procedures at (70 for Coco.gg), through the unique
        # (association, parquet, reference) index: no scan of the case's rows.
        present = Procedure.objects.filter(association_id=case.association_id, case=case, parquet=OuterRef("pk"))
        parquets = Parquet.objects.filter(Exists(present)).order_by("name")
        self.fields["parquet"].queryset = parquets
        self.fields["cour"].queryset = CourtOfAppeal.objects.filter(
            pk__in=parquets.values("court_of_appeal_id")
        ).order_by("name")
        self.fields["numero"].widget.attrs["autofocus"] = True

    def clean_personnes(self) -> list[int]:
        text = (self.cleaned_data.get("personnes") or "").strip()
        if not text:
            return []
        parts = [part.strip() for part in text.split(",")]
        if not all(part.isdigit() for part in parts) or len(parts) > MAX_SAME_PERSON_SUSPECTS:
            raise forms.ValidationError(_("Liste de mis en cause invalide."))
        return sorted({int(part) for part in parts})


def procedure_list_filter(procedures: QuerySet[Procedure], data: dict, *, case) -> QuerySet[Procedure]:
    """Apply the cleaned filters to the case's procedures."""
    key = parquet_search_key(data.get("numero") or "")
    if key:
        procedures = procedures.alias(search_key=parquet_search_key_expression()).filter(search_key__contains=key)
    if data.get("parquet"):
        procedures = procedures.filter(parquet=data["parquet"])
    if data.get("cour"):
        procedures = procedures.filter(parquet__court_of_appeal=data["cour"])
    if data.get("stade"):
        procedures = procedures.filter(stage=data["stade"])
    if data.get("issue"):
        procedures = procedures.filter(outcome=data["issue"])
    if data.get("constitution"):
        procedures = procedures.filter(Exists(Filing.objects.filter(procedure=OuterRef("pk"))))
    if data.get("delai"):
        procedures = procedures.filter(
            Exists(Deadline.objects.own().filter(procedure=OuterRef("pk"), status=DeadlineStatus.OPEN))
        )
    pseudonym = (data.get("victime") or "").strip()
    if pseudonym:
        victims = Victim.objects.filter(case=case, pseudonym__iexact=pseudonym)
        procedures = procedures.filter(
            Exists(Procedure.victims.through.objects.filter(procedure_id=OuterRef("pk"), victim__in=victims))
        )
    suspects = data.get("personnes") or []
    if suspects:
        procedures = procedures.filter(
            Exists(
                Procedure.suspects.through.objects.filter(
                    procedure_id=OuterRef("pk"), suspect_id__in=suspects, suspect__case=case
                )
            )
        )
    return procedures


# The selection count stops here: « plus de 50 000 » is all a lawyer needs to know before a bulk
# action, and the count of a case's procedures stays an index-only scan of bounded length.
COUNT_CAP = 50_000


@dataclass
class ProcedurePage:
    rows: list[Procedure]
    number: int
    has_next: bool
    total: int = 0

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def total_capped(self) -> bool:
        return self.total > COUNT_CAP


def procedure_list_queryset(case, data: dict) -> QuerySet[Procedure]:
    """The case's procedures matching the cleaned filters, in the chosen order."""
    procedures = procedure_list_filter(Procedure.objects.filter(case=case), data, case=case)
    return procedures.order_by(*SORTS.get(data.get("tri") or "ouverture", SORTS["ouverture"]))


COUNT_CACHE_SECONDS = 60


def filter_count(case, data: dict, procedures: QuerySet[Procedure]) -> int:
    """How many procedures the filters select, counted up to COUNT_CAP + 1 and kept a minute in the
    cache: paging through a selection counts it once (13 ms for the 23,051 of the reference case).
    The figure only labels the bulk option; the bulk action selects its rows again."""
    filters = sorted(
        (name, str(getattr(value, "pk", value)))
        for name, value in data.items()
        if name not in ("page", "tri") and value
    )
    digest = hashlib.sha256(repr(filters).encode()).hexdigest()[:32]
    key = f"procedure-list-count:{case.pk}:{digest}"
    total = cache.get(key)
    if total is None:
        total = procedures.order_by()[: COUNT_CAP + 1].count()
        cache.set(key, total, COUNT_CACHE_SECONDS)
    return total


def procedure_list_page(case, data: dict) -> ProcedurePage:
    """One page of the case's procedures: PAGE_SIZE rows plus one to know if more follow.

    The page's ids are read first from the procedures table alone, in index order (one of the
    (case, sort key, id) indexes), and only those rows are joined to their parquet: PostgreSQL
    never joins the case's 23,051 rows before it sorts and cuts them (EXPLAIN ANALYZE of the first
    page: 60 ms before, under 1 ms after; a deep page is an index-only scan of its offset)."""
    procedures = procedure_list_queryset(case, data)
    number = data.get("page") or 1
    start = (number - 1) * PAGE_SIZE
    page_ids = procedures.values("pk")[start : start + PAGE_SIZE + 1]
    rows = list(
        Procedure.objects.filter(pk__in=page_ids)
        .select_related("parquet", "parquet__court_of_appeal")
        .order_by(*SORTS.get(data.get("tri") or "ouverture", SORTS["ouverture"]))
    )
    has_next = len(rows) > PAGE_SIZE
    # The last page tells the total without counting.
    total = filter_count(case, data, procedures) if has_next else start + len(rows)
    return ProcedurePage(rows=rows[:PAGE_SIZE], number=number, has_next=has_next, total=total)
