"""What was seized about a suspect (a platform account, an e-mail address, a phone number, an IP
address, a national identifier), written one per line as `kind:value` in Suspect.identifiers.

parse_identifiers is the one reading of what a user types, used by the suspect form, the API and
the import of procedures: a kind may be written in English or in French (« courriel:… »), a bare
value is recognised (an e-mail, an IP, a phone number, else an account), and each error names the
line (or the position in the import's list) without repeating the value, which is personal data."""

from __future__ import annotations

import ipaddress
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class IdentifierKind(models.TextChoices):
    ACCOUNT = "account", gettext_lazy("compte")
    EMAIL = "email", gettext_lazy("courriel")
    PHONE = "phone", gettext_lazy("téléphone")
    IP = "ip", gettext_lazy("adresse IP")
    NATIONAL = "national", gettext_lazy("identifiant")


# How a kind may be written (lower case, accents dropped), in English or in French.
KIND_NAMES = {
    **{kind.value: kind.value for kind in IdentifierKind},
    "compte": IdentifierKind.ACCOUNT.value,
    "courriel": IdentifierKind.EMAIL.value,
    "mail": IdentifierKind.EMAIL.value,
    "e_mail": IdentifierKind.EMAIL.value,
    "tel": IdentifierKind.PHONE.value,
    "telephone": IdentifierKind.PHONE.value,
    "id": IdentifierKind.NATIONAL.value,
    "identifiant": IdentifierKind.NATIONAL.value,
}
# The kind as the export writes it (French, re-read by KIND_NAMES).
FRENCH_KIND = {
    IdentifierKind.ACCOUNT: "compte",
    IdentifierKind.EMAIL: "courriel",
    IdentifierKind.PHONE: "téléphone",
    IdentifierKind.IP: "ip",
    IdentifierKind.NATIONAL: "identifiant",
}
MAX_VALUE_LENGTH = 200
# The import writes a suspect as « Nom [courriel:…; téléphone:…] » and suspects separated by « | »:
# a value holding one of these could not be read back from an export.
RESERVED_CHARACTERS = ("[", "]", ";", "|")

_KIND_PREFIX = re.compile(r"^\s*([^\W\d_][\w' -]{0,29}?)\s*:\s*(.*)$", re.DOTALL)
_PHONE = re.compile(r"^[\d\s+.()-]+$")


def _kind_name(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_email(value: str) -> bool:
    local, at, domain = value.rpartition("@")
    return bool(at and local and "." in domain.strip(".") and not re.search(r"\s", value))


def _is_phone(value: str) -> bool:
    return bool(_PHONE.match(value)) and sum(char.isdigit() for char in value) >= 8


def detect_kind(value: str) -> str:
    """The kind of a bare value: an e-mail (an « @ » then a dot), an IP address, a phone number
    (digits, spaces, « + . - ( ) », at least 8 digits), else an account."""
    if _is_email(value):
        return IdentifierKind.EMAIL.value
    if _is_ip(value):
        return IdentifierKind.IP.value
    if _is_phone(value):
        return IdentifierKind.PHONE.value
    return IdentifierKind.ACCOUNT.value


def _parse_one(text: str) -> tuple[tuple[str, str] | None, str | None]:
    """One identifier as (kind, value), or an error (a sentence that does not repeat the value)."""
    text = text.strip()
    kind = None
    # A whole value that is an IP address keeps its colons (IPv6); a URL is an account.
    match = None if _is_ip(text) or "://" in text else _KIND_PREFIX.match(text)
    if match:
        kind = KIND_NAMES.get(_kind_name(match.group(1)))
        if kind is None:
            allowed = ", ".join(FRENCH_KIND.values())
            return None, _("type d'identifiant inconnu « %(kind)s » (types admis : %(allowed)s)") % {
                "kind": match.group(1)[:30],
                "allowed": allowed,
            }
        text = match.group(2).strip()
        if not text:
            return None, _("valeur manquante après « %(kind)s: »") % {"kind": match.group(1)}
    if any(char in text for char in RESERVED_CHARACTERS):
        return None, _("les caractères [ ] ; | ne peuvent figurer dans un identifiant")
    if len(text) > MAX_VALUE_LENGTH:
        return None, _("identifiant trop long (%(max)s caractères au plus)") % {"max": MAX_VALUE_LENGTH}
    if kind is None:
        return (detect_kind(text), text), None
    if kind == IdentifierKind.EMAIL and not _is_email(text):
        return None, _("adresse de courriel invalide (attendu : nom@domaine.fr)")
    if kind == IdentifierKind.IP and not _is_ip(text):
        return None, _("adresse IP invalide (attendu : IPv4 ou IPv6, ex. 192.0.2.1)")
    if kind == IdentifierKind.PHONE and not _is_phone(text):
        return None, _("numéro de téléphone invalide (au moins 8 chiffres ; espaces, + . - ( ) admis)")
    return (kind, text), None


def parse_identifiers(
    text: str, *, separator: str = "\n", position: str | None = None
) -> tuple[list[tuple[str, str]], list[str]]:
    """`text` split by `separator` (lines by default; the import gives « ; »), blank parts left
    out: the identifiers as (canonical kind, value as written, trimmed), duplicates dropped, and
    the errors, each naming its part (« ligne 2 : … », or `position` % {"number": n})."""
    identifiers: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    errors: list[str] = []
    for number, part in enumerate((text or "").split(separator), start=1):
        if not part.strip():
            continue
        identifier, error = _parse_one(part)
        if error:
            where = (position or _("ligne %(number)s")) % {"number": number}
            errors.append(f"{where} : {error}")
            continue
        key = identifier_key(*identifier)
        if key not in seen:
            seen.add(key)
            identifiers.append(identifier)
    return identifiers, errors


def identifier_key(kind: str, value: str) -> tuple[str, str]:
    """What makes two identifiers the same, however written: a phone's digits (+33 or 0033 read
    as a leading 0), an IP's canonical form, other values without case or spaces."""
    if kind == IdentifierKind.PHONE:
        digits = re.sub(r"\D", "", value)
        if digits.startswith("0033"):
            digits = "0" + digits[4:]
        elif digits.startswith("33") and value.lstrip().startswith("+"):
            digits = "0" + digits[2:]
        return kind, digits
    if kind == IdentifierKind.IP and _is_ip(value):
        return kind, str(ipaddress.ip_address(value))
    return kind, re.sub(r"\s+", "", value).casefold()


def format_identifiers(identifiers) -> str:
    """The stored form: one `kind:value` per line."""
    return "\n".join(f"{kind}:{value}" for kind, value in identifiers)


def stored_identifiers(text: str | None) -> list[tuple[str, str]]:
    """The stored lines read back leniently: a blank or malformed line is left out."""
    identifiers = []
    for line in (text or "").splitlines():
        kind, colon, value = line.partition(":")
        kind, value = kind.strip(), value.strip()
        if colon and value and kind in IdentifierKind.values:
            identifiers.append((kind, value))
    return identifiers


def identifiers_clean(text: str | None) -> str:
    """What the form and the API store: the canonical lines, or ValidationError with every error."""
    identifiers, errors = parse_identifiers(text or "")
    if errors:
        raise ValidationError(errors, code="invalid")
    return format_identifiers(identifiers)
