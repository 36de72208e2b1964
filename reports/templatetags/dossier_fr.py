"""French typography for printed dossiers: escape first, then the typographic apostrophe and the
spaces French typesetting wants (espace insécable before « : », fine insécable before « ; ! ? »
and inside guillemets),
long dates (« 1er mars 2024 ») and amounts (« 1 500,00 € »)."""

import re
from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_BEFORE_COLON = re.compile(r"[ \u00a0\u202f]+:(?=\s|$)")
_BEFORE_PUNCTUATION = re.compile(r"[ \u00a0\u202f]+([;!?»])")
_AFTER_GUILLEMET = re.compile(r"«[ \u00a0\u202f]+")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")


def typeset(text: str) -> str:
    """Plain text with the typographic apostrophe and French unbreakable spaces. Only spaces
    already typed are made unbreakable: nothing is inserted into « http://… »."""
    text = _APOSTROPHE.sub("’", text)
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _BEFORE_PUNCTUATION.sub(NARROW_NBSP + r"\1", text)
    return _AFTER_GUILLEMET.sub("«" + NARROW_NBSP, text)


@register.filter(name="fr", is_safe=True)
def fr(value) -> str:
    """Escaped user text with French typography."""
    if value is None:
        return ""
    escaped = str(conditional_escape(value)).replace("&#x27;", "'")
    return mark_safe(typeset(escaped).replace("'", "&#x27;"))  # noqa: S308 - escaped just above


@register.filter
def date_fr(value) -> str:
    """« 1er mars 2024 »."""
    if not value:
        return "—"
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    if not isinstance(value, date):
        return str(value)
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day}{NBSP}{MONTHS[value.month - 1]}{NBSP}{value.year}"


@register.filter
def euros(value) -> str:
    """« 1 500,00 € » (fine insécable between thousands, as the Imprimerie nationale writes)."""
    if value in (None, ""):
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"))
    units, cents = f"{amount:,.2f}".split(".")
    return f"{units.replace(',', NARROW_NBSP)},{cents}{NBSP}€"


@register.filter
def thousands(value) -> str:
    if value in (None, ""):
        return "—"
    return f"{int(value):,}".replace(",", NARROW_NBSP)


@register.filter
def sha_lines(value: str) -> str:
    """A SHA-256 in two halves, so that it fits a column and is read by groups."""
    value = str(conditional_escape(value or ""))
    return mark_safe(f"{value[:32]}<br>{value[32:]}")  # noqa: S308 - hexadecimal, escaped anyway
