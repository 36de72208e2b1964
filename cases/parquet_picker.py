"""The parquet field: a text box where the town of the tribunal is typed (« Dunkerque »), with
search-as-you-type (static/js/picker.js, single mode) on `parquet_choices`. France has 168
parquets: as a list they would be most of a form's 200 choices, and a lawyer knows the town, not
the list's order. Without JavaScript the typed name is resolved on the server; a posted id (the API's
and older clients' way) is still accepted."""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Parquet
from .pickers import MAX_RESULTS, choices_payload, clean_query, is_id

# « Parquet de Paris », « Parquet du Mans », « Parquet d'Évry », « Parquet des Sables-d'Olonne »…
NAME_PREFIX = re.compile(r"^parquet (?:de la |de l |des |du |de |d )?")
MAX_LISTED = 8


def fold(text: str) -> str:
    """A name as typed on any keyboard: no accents, no case, hyphens and apostrophes as spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[-'’.,()]", " ", text).split())


def town(name: str) -> str:
    """« parquet d evry courcouronnes » → « evry courcouronnes »: what a lawyer types."""
    return NAME_PREFIX.sub("", fold(name))


def _containing(parquets, text: str) -> list[Parquet]:
    wanted = town(text)
    if not wanted:
        return list(parquets)
    found = [p for p in parquets if wanted in fold(p.name) or wanted in fold(p.court) or wanted == fold(p.code)]
    # The towns that start with the text first: « saint » lists Saint-Brieuc before Saintes' court.
    return sorted(found, key=lambda p: (not town(p.name).startswith(wanted), p.name))


def parquet_matches(queryset: QuerySet, text: str) -> list[Parquet]:
    """The parquets a typed text designates: its exact name, town or code, else every parquet
    whose name or court holds it. France has 168 parquets: they are compared in Python, accents
    and hyphens folded, which PostgreSQL's icontains would not do."""
    if not town(text):
        return []
    parquets = list(queryset)
    wanted, short = fold(text), town(text)
    exact = [p for p in parquets if wanted in (fold(p.name), fold(p.code)) or short == town(p.name)]
    return exact or _containing(parquets, text)[: MAX_LISTED + 1]


class ParquetInput(forms.TextInput):
    template_name = "cases/widgets/parquet_input.html"

    class Media:
        js = ["js/picker.js"]

    def __init__(self, attrs=None):
        defaults = {"autocomplete": "off", "spellcheck": "false", "maxlength": "160"}
        super().__init__({**defaults, **(attrs or {})})
        self.queryset = Parquet.objects.none()

    def format_value(self, value):
        # The form's initial value is the parquet's id: show its name, which is what is typed.
        if isinstance(value, Parquet):
            return value.name
        if value not in (None, "") and is_id(value):
            parquet = self.queryset.filter(pk=value).first()
            return parquet.name if parquet else ""
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = str(reverse_lazy("parquet_choices"))
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template directories (templates/), which the form renderer does not read.
        return render_to_string(self.template_name, self.get_context(name, value, attrs))


class ParquetField(forms.ModelChoiceField):
    widget = ParquetInput

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault(
            "help_text",
            _("Tapez la ville du tribunal (« Dunkerque ») et choisissez le parquet dans la liste."),
        )
        super().__init__(queryset, **kwargs)

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self.widget.queryset = self.queryset

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def to_python(self, value):
        text = clean_query(str(value or "")) if not isinstance(value, Parquet) else value.name
        if not text:
            return None
        if is_id(text):
            parquet = self.queryset.filter(pk=text).first()
            if parquet is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return parquet
        matches = parquet_matches(self.queryset, text)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ValidationError(
                _(
                    "Aucun parquet ne correspond à « %(text)s » : tapez la ville du tribunal, par exemple « Dunkerque »."
                ),
                code="invalid_choice",
                params={"text": text},
            )
        names = ", ".join(parquet.name for parquet in matches[:MAX_LISTED])
        if len(matches) > MAX_LISTED:
            names += "…"
        raise ValidationError(
            _(
                "« %(text)s » désigne plusieurs parquets (%(names)s) : choisissez-en un dans la liste ou écrivez son nom."
            ),
            code="invalid_choice",
            params={"text": text, "names": names},
        )

    def has_changed(self, initial, data):
        try:
            chosen = self.to_python(data)
        except ValidationError:
            return True
        return str(getattr(chosen, "pk", "") or "") != str(initial or "")


def parquet_choices(query: str) -> dict:
    """Active parquets whose name, court or code holds the text: reference data, no case data."""
    parquets = _containing(Parquet.objects.filter(active=True).select_related("court_of_appeal"), clean_query(query))
    payload = choices_payload([(parquet.pk, parquet.name) for parquet in parquets[: MAX_RESULTS + 1]])
    for result, parquet in zip(payload["results"], parquets, strict=False):
        result["value"] = parquet.name
        result["label"] = f"{parquet.name} ({parquet.court_of_appeal})"
    return payload


@login_required
@require_GET
@never_cache
def parquet_choices_view(request):
    return JsonResponse(parquet_choices(request.GET.get("q", "")))
