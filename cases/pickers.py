"""Pickers: the fields that link a record to a case's victims, suspects or procedures.

A case may hold 23,051 procedures and 480 victims, so a form never renders every choice of a
large set: past MAX_RENDERED_CHOICES the widget shows only what is selected, a search box that
static/js/picker.js wires to a JSON endpoint, and a text box where numbers or pseudonyms are typed
(separated by commas or new lines) so the form still works without JavaScript. The field's queryset
stays the case's whole set: a posted id or a typed name is accepted only if it belongs to the case.

`procedures` imports this module; this one knows nothing of procedures (DESIGN.md)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.functions import Upper
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

MAX_RENDERED_CHOICES = 200
MAX_RESULTS = 20
MAX_QUERY_LENGTH = 80
MAX_TYPED_ENTRIES = 500
TEXT_SUFFIX = "_texte"
# A selection too large to show (an article 40 notice may lead to every procedure of the case) is
# one « keep them » box; the second name says the box was shown, so an unticked box empties it.
KEEP_SUFFIX, KEEP_SHOWN_SUFFIX = "_conserver", "_conserver_affiche"

# What a typed entry resolves to: the objects found and the entries that matched nothing or
# several (each with its message).
Resolver = Callable[[QuerySet, list[str]], tuple[list, list[str]]]


def clean_query(text: str) -> str:
    """A search text as PostgreSQL accepts it (no NUL character), at most MAX_QUERY_LENGTH long."""
    return (text or "").replace("\x00", "")[:MAX_QUERY_LENGTH].strip()


def typed_entries(text: str) -> list[str]:
    """The entries of the text box: separated by commas, semicolons or new lines."""
    return [entry.strip() for entry in re.split(r"[,;\n\r]+", text or "") if entry.strip()]


def is_id(value) -> bool:
    """A primary key as posted: ASCII digits only (str.isdigit also accepts « ² »)."""
    return re.fullmatch(r"[0-9]{1,18}", str(value)) is not None


class PickedValue(list):
    """The ids of the ticked boxes, plus what was typed in the text box (kept to show it again),
    and, for a selection too large to show, whether it is kept (None: no such box)."""

    typed = ""
    kept: bool | None = None
    kept_count = 0


class PickerWidget(forms.Widget):
    """Ticked boxes for the selection, a search box (picker.js) and, for a small set, every choice;
    for a large one, a text box instead of the full list."""

    template_name = "cases/widgets/picker.html"

    class Media:
        js = ["js/picker.js"]

    def __init__(
        self,
        *,
        search_url: str = "",
        search_label="",
        placeholder="",
        typed_label="",
        typed_help="",
        kept_label="",
        attrs=None,
    ):
        super().__init__(attrs)
        self.kept_label = kept_label or _("Conserver les %(count)s éléments déjà choisis")
        self.search_url = search_url
        self.placeholder = placeholder or _("Tapez pour rechercher…")
        self.search_label = search_label
        self.typed_label = typed_label
        self.typed_help = typed_help
        self.choices = []

    def value_from_datadict(self, data, files, name):
        ids = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        value = PickedValue(ids if isinstance(ids, list | tuple) else [ids])
        value.typed = (data.get(name + TEXT_SUFFIX) or "").replace("\x00", "")[:20_000]
        if data.get(name + KEEP_SHOWN_SUFFIX):
            value.kept = data.get(name + KEEP_SUFFIX) == "1"
        return value

    def value_omitted_from_data(self, data, files, name):
        # Unticking every box posts nothing: that is an empty selection, not an omitted field.
        return False

    def id_for_label(self, id_):
        return f"{id_}_recherche" if id_ else id_

    def _selected(self, queryset: QuerySet, value) -> list:
        ids = {str(v) for v in (value or []) if is_id(v)}
        if not ids:
            return []
        # Only the case's own: an id of another case posted back is never given a label.
        return list(queryset.filter(pk__in=ids))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        queryset = self.choices.queryset
        label_of = self.choices.field.label_from_instance
        chosen = {str(v) for v in (value or [])}
        kept = getattr(value, "kept", None)
        full = kept is None and queryset.count() <= MAX_RENDERED_CHOICES
        if full:
            options = [(obj.pk, label_of(obj), str(obj.pk) in chosen) for obj in queryset]
        else:
            options = [(obj.pk, label_of(obj), True) for obj in self._selected(queryset, value)]
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["widget"].update(
            {
                "id": widget_id,
                "full": full,
                "options": options,
                "search_url": self.search_url,
                "search_label": self.search_label,
                "placeholder": self.placeholder,
                "typed_label": self.typed_label,
                "typed_help": self.typed_help,
                "typed": getattr(value, "typed", ""),
                "text_name": name + TEXT_SUFFIX,
                "kept": kept,
                "kept_label": self.kept_label
                % {"count": number_format(getattr(value, "kept_count", 0), force_grouping=True)}
                if kept is not None
                else "",
                "keep_name": name + KEEP_SUFFIX,
                "keep_shown_name": name + KEEP_SHOWN_SUFFIX,
                "describedby": context["widget"]["attrs"].get("aria-describedby", ""),
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template directories (templates/), which the form renderer does not read.
        return render_to_string(self.template_name, self.get_context(name, value, attrs))


class PickerField(forms.ModelMultipleChoiceField):
    """A case's objects chosen by ticked ids or typed names, each checked against the queryset."""

    widget = PickerWidget

    def __init__(self, queryset, *, resolver: Resolver, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(queryset, **kwargs)
        self.resolver = resolver
        # The record's current selection (set by the form for an existing record), kept whole
        # when it is too large to show.
        self.current: Callable[[], QuerySet] | None = None

    def prepare_value(self, value):
        prepared = PickedValue(super().prepare_value(value) or [])
        prepared.typed = getattr(value, "typed", "")
        prepared.kept = getattr(value, "kept", None)
        # The record's own selection (not a posted one) too large to show: one « keep » box.
        if not isinstance(value, PickedValue) and len(prepared) > MAX_RENDERED_CHOICES:
            prepared.kept, prepared.kept_count = True, len(prepared)
            del prepared[:]
        elif prepared.kept is not None:
            prepared.kept_count = self.current().count() if self.current else 0
        return prepared

    def clean(self, value):
        ids = [str(v) for v in (value or []) if str(v).strip()]
        entries = typed_entries(getattr(value, "typed", ""))
        if len(entries) > MAX_TYPED_ENTRIES:
            raise ValidationError(
                _("Saisissez au plus %(count)d éléments à la fois."), params={"count": MAX_TYPED_ENTRIES}
            )
        if entries:
            found, problems = self.resolver(self.queryset, entries)
            if problems:
                raise ValidationError(problems)
            ids += [str(obj.pk) for obj in found]
        if getattr(value, "kept", None) and self.current:
            ids += [str(pk) for pk in self.current().values_list("pk", flat=True)]
        ids = list(dict.fromkeys(ids))
        for bad in (v for v in ids if not is_id(v)):
            raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": bad})
        # A PickedValue: prepare_value (which the parent's clean calls) must not take a long posted
        # selection for the record's own one.
        return super().clean(PickedValue(ids))

    def has_changed(self, initial, data):
        if getattr(data, "typed", ""):
            return True
        return super().has_changed(initial, data)


def resolve_by_name(field_name: str, *, unknown: str) -> Resolver:
    """A resolver matching each entry to one object by a unique-per-case name, whatever its case."""

    def resolve(queryset: QuerySet, entries: list[str]) -> tuple[list, list[str]]:
        wanted = {entry.upper(): entry for entry in entries}
        found = {}
        for obj in queryset.alias(picker_name=Upper(field_name)).filter(picker_name__in=list(wanted)):
            found.setdefault(getattr(obj, field_name).upper(), []).append(obj)
        problems = unknown_entries(unknown, [entry for key, entry in wanted.items() if key not in found])
        problems += [
            _("« %(entry)s » désigne plusieurs éléments ; cochez celui voulu avec la recherche.") % {"entry": entry}
            for key, entry in wanted.items()
            if len(found.get(key, [])) > 1
        ]
        return [objs[0] for objs in found.values() if len(objs) == 1], problems

    return resolve


def unknown_entries(message: str, entries: Iterable[str]) -> list[str]:
    """One message naming the entries that matched nothing (the first ten)."""
    entries = list(entries)
    if not entries:
        return []
    shown = ", ".join(f"« {entry} »" for entry in entries[:10])
    if len(entries) > 10:
        shown += ngettext(" et %(count)d autre", " et %(count)d autres", len(entries) - 10) % {
            "count": len(entries) - 10
        }
    return [message % {"entries": shown}]


def victim_picker_field(case, **kwargs) -> PickerField:
    """Victims by pseudonym only: the picker never shows an identity, whatever the role."""
    return PickerField(
        case.victims.order_by("pseudonym"),
        resolver=resolve_by_name("pseudonym", unknown=_("Aucune victime de l'affaire n'a le pseudonyme %(entries)s.")),
        widget=PickerWidget(
            search_url=reverse("case_victim_choices", args=[case.pk]),
            search_label=_("Rechercher une victime par pseudonyme"),
            placeholder=_("Pseudonyme : V-001…"),
            typed_label=_("Ajouter des victimes par pseudonyme"),
            typed_help=_("Pseudonymes séparés par des virgules ou des retours à la ligne, par exemple V-001, V-002."),
        ),
        **kwargs,
    )


def suspect_picker_field(case, **kwargs) -> PickerField:
    return PickerField(
        case.suspects.order_by("name"),
        resolver=resolve_by_name("name", unknown=_("Aucun mis en cause de l'affaire ne s'appelle %(entries)s.")),
        widget=PickerWidget(
            search_url=reverse("case_suspect_choices", args=[case.pk]),
            search_label=_("Rechercher un mis en cause"),
            typed_label=_("Ajouter des mis en cause par nom"),
            typed_help=_("Noms ou pseudonymes séparés par des virgules ou des retours à la ligne."),
        ),
        **kwargs,
    )


def choices_payload(rows: list[tuple[int, str]]) -> dict:
    """The endpoints' answer: at most MAX_RESULTS {id, label}, and whether more matched."""
    return {
        "results": [{"id": pk, "label": label} for pk, label in rows[:MAX_RESULTS]],
        "more": len(rows) > MAX_RESULTS,
    }


def victim_choices(case, query: str) -> dict:
    """The case's victims whose pseudonym contains the text; the pseudonym is all that is returned."""
    victims = case.victims.all()
    if query.strip():
        victims = victims.filter(pseudonym__icontains=query.strip())
    return choices_payload(list(victims.order_by("pseudonym", "pk").values_list("pk", "pseudonym")[: MAX_RESULTS + 1]))


def suspect_choices(case, query: str) -> dict:
    suspects = case.suspects.all()
    if query.strip():
        suspects = suspects.filter(name__icontains=query.strip())
    return choices_payload(list(suspects.order_by("name", "pk").values_list("pk", "name")[: MAX_RESULTS + 1]))
