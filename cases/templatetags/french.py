"""French typography for screens: numbers grouped by a narrow no-break space (« 23 053 », as the
Imprimerie nationale's Lexique writes them) and elision before a vowel or a mute h (« de l’ACPE »,
« en tant qu’avocat·e »)."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()

NARROW_NBSP = "\u202f"
VOWELS = "aeiouyhàâäéèêëîïôöùûüœæ"


@register.filter
def fr_number(value, decimals=0) -> str:
    """« 23 053 », « 1 234,5 »; « — » when there is no value."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    decimals = int(decimals or 0)
    text = f"{number:,.{decimals}f}"
    return text.replace(",", NARROW_NBSP).replace(".", ",")


def _starts_with_vowel(text: str) -> bool:
    return bool(text) and text[0].lower() in VOWELS


@register.filter
def elide(value, word: str) -> str:
    """`{{ name|elide:"de" }}` → « de l’ACPE » / « de Fondation X »; `{{ role|elide:"que" }}` →
    « qu’avocat·e » / « que salarié·e ». A role (a common noun) is lower-cased; a name is not."""
    text = str(value or "")
    if word == "de":
        return f"de l’{text}" if _starts_with_vowel(text) else f"de {text}"
    text = text[:1].lower() + text[1:]
    if _starts_with_vowel(text):
        return f"{word[:-1]}’{text}"
    return f"{word} {text}"
