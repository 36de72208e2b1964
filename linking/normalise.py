"""Normal forms of what identifies a person, so that two spellings of the same thing compare equal:
names without accents, case, punctuation or particles; phone numbers in E.164; e-mail addresses
in their canonical form; IP addresses in their canonical text; platform accounts (pseudonyms)
case- and accent-insensitive. Pure functions: the same forms are stored in the database and
computed for a file read by `match_persons`."""

import ipaddress
import re
import unicodedata
from datetime import date

import phonenumbers

# French and common name particles: « de la Fontaine », « Delafontaine » and « La Fontaine » share
# their compact form. Only at the start of a surname (« Ledoux » keeps its « le »).
PARTICLES = ("d", "de", "du", "des", "la", "le", "les", "van", "von", "der", "den", "di", "da", "del", "della")
_SEPARATORS = re.compile(r"[\s\-‐‑–—'’`´.,;:/_()\"]+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
# Gmail ignores dots in the local part and everything after « + ».
_DOTLESS_DOMAINS = {"gmail.com", "googlemail.com"}


def fold(text: str | None) -> str:
    """Lower case, accents and ligatures removed (« Œ » → « oe »), spaces collapsed."""
    if not text:
        return ""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_SEPARATORS.sub(" ", stripped.casefold()).split())


def name_words(text: str | None) -> list[str]:
    return [_NOT_ALNUM.sub("", word) for word in fold(text).split() if _NOT_ALNUM.sub("", word)]


def given_name(text: str | None) -> str:
    """« Jean-Pierre » and « jean pierre » → « jean pierre »; « J. » → « j »."""
    return " ".join(name_words(text))


def surname(text: str | None) -> str:
    """The compact surname, words joined: « Le Goff » and « Legoff », « Martin-Dupont » and
    « MARTIN DUPONT », « d'Artagnan » and « Dartagnan » are one."""
    return "".join(name_words(text))


def surname_core(text: str | None) -> str:
    """The compact surname without its leading particles (« de La Fontaine » → « fontaine »),
    unless it is nothing but particles: for a comparison level of its own."""
    words = name_words(text)
    while len(words) > 1 and words[0] in PARTICLES:
        words = words[1:]
    return "".join(words)


def split_full_name(text: str | None) -> tuple[str, str]:
    """(given name, surname as written) of a name in one field: « DUPONT J. » (surname in
    capitals), « Jean Dupont », « Dupont, Jean ». A code with digits (« Mis en examen M-3 ») is
    a pseudonym, not a given name and a surname: the whole is kept as the surname."""
    if not text:
        return "", ""
    if any(char.isdigit() for char in text):
        return "", text
    if "," in text:
        last, _, first = text.partition(",")
        return given_name(first), last
    raw = text.split()
    # « DUPONT J. »: the words in capitals (not an initial) are the surname.
    capitals = [word for word in raw if len(re.sub(r"\W", "", word)) > 1 and word.isupper()]
    if capitals and len(capitals) < len(raw):
        rest = [word for word in raw if word not in capitals]
        return given_name(" ".join(rest)), " ".join(capitals)
    if len(raw) == 1:
        return "", raw[0]
    return given_name(" ".join(raw[:-1])), raw[-1]


def phone(text: str | None, region: str = "FR") -> str:
    """E.164 (« 06 12 34 56 78 » → « +33612345678 »); digits only when it does not parse."""
    if not text or not text.strip():
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return re.sub(r"\D", "", text)


def email(text: str | None) -> str:
    """Lower case; « +tag » dropped; Gmail's dots dropped. Not an address: folded text."""
    value = (text or "").strip().casefold()
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain:
        return fold(value)
    local = local.split("+", 1)[0]
    if domain in _DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def ip_address(text: str | None) -> str:
    """Canonical text (« 2001:DB8::0:1 » → « 2001:db8::1 »; IPv4-mapped IPv6 → IPv4)."""
    value = (text or "").strip()
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return value.casefold()
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def account(text: str | None) -> str:
    """A platform account or pseudonym: « Léo_75 », « leo_75 » and « LEO 75 » are one."""
    return _NOT_ALNUM.sub("", fold(text))


def postcode(text: str | None) -> str:
    return re.sub(r"[^0-9A-Z]", "", fold(text).upper())


def place(text: str | None) -> str:
    """A town or an address: folded, « saint »/« st » alike, punctuation and extra spaces gone."""
    words = [_NOT_ALNUM.sub("", word) for word in fold(text).split()]
    words = ["st" if word in {"saint", "sainte", "ste"} else word for word in words if word]
    return " ".join(words)


def birth_date(value) -> str:
    """ISO 8601 (YYYY-MM-DD) of a date or of « 19151111 », « 11/11/1915 », « 1915-11-11 »; a
    mistyped one (« 19151311 ») keeps its 8 digits, for a comparison that tolerates one typo;
    "" when nothing date-like is given."""
    if isinstance(value, date):
        return value.isoformat()
    text = (value or "").strip()
    match = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})", text) or None
    if match:
        year, month, day = match.groups()
    else:
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if not match:
            return ""
        day, month, year = match.groups()
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return f"{int(year):04d}{int(month):02d}{int(day):02d}"
