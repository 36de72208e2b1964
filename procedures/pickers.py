"""The procedure picker (cases/pickers.py): a case's procedures found by parquet number, written
any way ("24/123.456", "24 123 456", "24123456"), or by parquet name, and its search endpoint.

A parquet number is unique per parquet only, so the same number at two parquets is told apart by
writing the parquet too, as the picker's labels do: « Parquet de Paris n° 24/123 »."""

from __future__ import annotations

import re
from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cases.models import Parquet
from cases.picker_views import picker_answer
from cases.pickers import MAX_RESULTS, PickerField, PickerWidget, choices_payload, unknown_entries

from .models import Procedure
from .procedure_list import parquet_search_key, parquet_search_key_expression

NUMBER_SIGN = re.compile(r"\s+n(?:°|º|o\.?)\s*", re.IGNORECASE)


def split_entry(text: str) -> tuple[str, str]:
    """(parquet name, number) of « Parquet de Paris n° 24/123 », « Paris 24/123 » or « 24/123 »."""
    text = " ".join(text.split())
    parts = NUMBER_SIGN.split(text, maxsplit=1)
    if len(parts) == 2:
        return parts[0].strip(), parts[1].strip()
    words = text.split(" ")
    # The number starts at the first word holding a digit; the words before it name the parquet.
    first = next((index for index, word in enumerate(words) if any(c.isdigit() for c in word)), len(words))
    return " ".join(words[:first]), " ".join(words[first:])


def procedure_choices(case, query: str) -> dict:
    """The case's procedures whose number starts with the text (any spelling), at the parquets
    whose name holds the words before it, by number."""
    procedures = Procedure.objects.filter(case=case)
    if query:
        name, number = split_entry(query)
        key = parquet_search_key(number)
        if key:
            # The functional index answers the prefix; a parquet name narrows it.
            procedures = procedures.alias(search_key=parquet_search_key_expression()).filter(search_key__startswith=key)
        if name:
            procedures = procedures.filter(parquet__in=Parquet.objects.filter(name__icontains=name))
    rows = procedures.select_related("parquet").order_by("normalised_reference", "pk")[: MAX_RESULTS + 1]
    return choices_payload([(procedure.pk, str(procedure)) for procedure in rows])


def resolve_procedures(queryset: QuerySet, entries: list[str]) -> tuple[list, list[str]]:
    """Each typed entry to one procedure of the queryset (the case's), in one query."""
    parsed = [(entry, *split_entry(entry)) for entry in entries]
    keys = {parquet_search_key(number) for _entry, _name, number in parsed} - {""}
    candidates = defaultdict(list)
    if keys:
        matching = queryset.alias(search_key=parquet_search_key_expression()).filter(search_key__in=keys)
        for procedure in matching.select_related("parquet"):
            candidates[parquet_search_key(procedure.parquet_reference)].append(procedure)
    found, unknown, problems = [], [], []
    for entry, name, number in parsed:
        matches = candidates.get(parquet_search_key(number), [])
        if name:
            matches = [p for p in matches if name.casefold() in p.parquet.name.casefold()]
        if not matches:
            unknown.append(entry)
        elif len(matches) > 1:
            problems.append(
                _(
                    "Le numéro « %(entry)s » existe à plusieurs parquets (%(parquets)s) : écrivez par exemple « %(example)s »."
                )
                % {
                    "entry": entry,
                    "parquets": ", ".join(sorted(p.parquet.name for p in matches)),
                    "example": str(matches[0]),
                }
            )
        else:
            found.append(matches[0])
    problems = (
        unknown_entries(_("Aucune procédure de l'affaire n'a le numéro de parquet %(entries)s."), unknown) + problems
    )
    return found, problems


def procedure_picker_field(case, **kwargs) -> PickerField:
    return PickerField(
        case.procedures.select_related("parquet").order_by("opened_on", "pk"),
        resolver=resolve_procedures,
        widget=PickerWidget(
            search_url=reverse("case_procedure_choices", args=[case.pk]),
            search_label=gettext_lazy("Rechercher une procédure par numéro de parquet ou parquet"),
            placeholder=gettext_lazy("N° de parquet (24/123…) ou parquet"),
            kept_label=gettext_lazy("Conserver les %(count)s procédures déjà liées"),
            typed_label=gettext_lazy("Ajouter des procédures par numéro de parquet"),
            typed_help=gettext_lazy(
                "Numéros séparés par des virgules ou des retours à la ligne, écrits avec ou sans espaces ni "
                "barres (24/123.456 ou 24123456). Si un numéro existe à deux parquets : « Parquet de Paris n° 24/123 »."
            ),
        ),
        **kwargs,
    )


@login_required
@require_GET
@never_cache
def case_procedure_choices_view(request, case_id):
    return picker_answer(request, case_id, procedure_choices)
