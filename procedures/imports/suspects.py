"""The « mis en cause » column: suspects separated by « | », each a name or a pseudonym optionally
followed by what was seized about them in square brackets, separated by « ; »:

    Julien Fictif-Martin [courriel:j.fm@example.fr; +33 6 12 34 56 78; compte:julien75] | « Kiwi75 »

An identifier is read by cases.identifiers.parse_identifiers (the form's and the API's reading):
`kind:value`, kinds in English or French, or the value alone (its kind recognised). The column is
read by parse_suspects and written back by format_suspect for the export, so that an export
re-imports unchanged."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cases.identifiers import FRENCH_KIND, identifier_key, parse_identifiers
from cases.models import Suspect

from .reading import LIST_SEPARATOR

IDENTIFIER_SEPARATOR = ";"
_ENTRY = re.compile(r"^(?P<name>[^\[\]]*?)\s*(?:\[(?P<identifiers>[^\[\]]*)\])?\s*$", re.DOTALL)
_SPACES = re.compile(r"\s+")
NAME_MAX_LENGTH = Suspect._meta.get_field("name").max_length


def suspect_key(name: str) -> str:
    """Two names are the same suspect of a case when they differ only by case and spacing."""
    return _SPACES.sub(" ", name).strip().casefold()


@dataclass(frozen=True, slots=True)
class SuspectEntry:
    name: str  # as written, spaces collapsed
    identifiers: tuple  # ((kind, value), …), canonical kinds

    @property
    def key(self) -> str:
        return self.name.casefold()


def parse_suspects(text: str):
    """« A [courriel:a@example.fr] | B » → (SuspectEntry, …). Returns (entries, error). A name
    given twice in the cell is one suspect with the identifiers of both. Errors name the suspect
    by its position in the list, never repeat an identifier (personal data kept in the job)."""
    entries: dict[str, SuspectEntry] = {}
    errors = []
    for position, part in enumerate(text.split(LIST_SEPARATOR), start=1):
        if not part.strip():
            continue
        match = _ENTRY.match(part.strip())
        if match is None:
            errors.append(
                _("mis en cause n° %(position)s : crochets mal placés (attendu : « Nom [courriel:…; téléphone:…] »)")
                % {"position": position}
            )
            continue
        name = _SPACES.sub(" ", match.group("name")).strip()
        if not name:
            errors.append(_("mis en cause n° %(position)s : nom manquant") % {"position": position})
            continue
        if len(name) > NAME_MAX_LENGTH:
            errors.append(
                _("mis en cause n° %(position)s : nom trop long (%(max)s caractères au plus)")
                % {"position": position, "max": NAME_MAX_LENGTH}
            )
            continue
        identifiers, identifier_errors = parse_identifiers(
            match.group("identifiers") or "",
            separator=IDENTIFIER_SEPARATOR,
            position=_("identifiant n° %(number)s"),
        )
        if identifier_errors:
            errors.extend(
                _("mis en cause n° %(position)s, %(error)s") % {"position": position, "error": error}
                for error in identifier_errors
            )
            continue
        entry = SuspectEntry(name, tuple(identifiers))
        if entry.key in entries:
            first = entries[entry.key]
            known = {identifier_key(*item) for item in first.identifiers}
            added = tuple(item for item in entry.identifiers if identifier_key(*item) not in known)
            entry = SuspectEntry(first.name, first.identifiers + added)
        entries[entry.key] = entry
    if errors:
        return None, "; ".join(errors)
    return tuple(entries.values()), None


def format_suspect(name: str, identifiers) -> str:
    """One suspect as the column writes it, kinds in French (« Nom [courriel:…; téléphone:…] »)."""
    if not identifiers:
        return name
    listed = f"{IDENTIFIER_SEPARATOR} ".join(f"{FRENCH_KIND.get(kind, kind)}:{value}" for kind, value in identifiers)
    return f"{name} [{listed}]"
