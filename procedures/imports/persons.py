"""The persons a file names, resolved once for the whole file before any chunk is written: each
victim key matched to a victim of the case, each suspect matched by name (case and spacing aside)
to a suspect of the case, or created; a suspect's new identifiers are added to those it has (an
import never removes one). In a dry run nothing is written, only counted. Doing it in the prelude
means a chunk never needs the case's lock."""

from __future__ import annotations

from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from cases.identifiers import format_identifiers, identifier_key, stored_identifiers
from cases.models import Suspect, Victim

from .suspects import suspect_key
from .validation import Row


class CasePersons:
    """The case's victims the file names, by key (their pseudonym in capitals), and its suspects by
    name as written (spacing collapsed) and by name without case."""

    def __init__(self, case_id: int):
        self.case_id = case_id
        self.victims: dict[str, list] = {}  # key → [id, minor_at_facts]
        self.suspects_by_name: dict[str, int] = {}
        self.suspects_by_key: dict[str, int] = {}

    def load_victims(self, keys=None) -> None:
        victims = Victim.objects.filter(case_id=self.case_id).annotate(key=Upper("pseudonym"))
        if keys is not None:
            victims = victims.filter(key__in=keys)
        for pk, key, minor in victims.values_list("pk", "key", "minor_at_facts"):
            self.victims[key] = [pk, minor]

    def victim_ids(self, row: Row) -> frozenset | None:
        """The row's victims as ids (negative placeholders for those a dry run would create)."""
        return None if row.victims is None else frozenset(self.victims[key][0] for key, _minor in row.victims)

    def resolve_victims(self, rows: list[Row], *, write: bool) -> tuple[dict[int, str], list[int]]:
        """Match every victim key of the file to a victim of the case, creating the missing ones in
        one statement (in a dry run, only counting them). A row flagging as minor a victim whose
        record says adult at the facts is rejected, and creates nothing. Returns the rejections
        (line → reason) and the ids of the victims created (placeholders in a dry run)."""
        keys = {key for row in rows for key, _minor in row.victims or ()}
        unknown = [key for key in keys if key not in self.victims]
        if unknown:
            self.load_victims(unknown)  # created meanwhile by another import or by hand
        rejections, kept = {}, []
        for row in rows:
            adults = [
                key
                for key, minor in row.victims or ()
                if minor and key in self.victims and self.victims[key][1] is False
            ]
            if adults:
                rejections[row.line] = _("victime marquée mineure mais majeure aux faits selon sa fiche : %(keys)s") % {
                    "keys": ", ".join(adults)
                }
            else:
                kept.append(row)
        wanted: dict[str, bool | None] = {}
        for row in kept:
            for key, minor in row.victims or ():
                wanted[key] = wanted.get(key) or minor
        missing = [key for key in wanted if key not in self.victims]
        if missing:
            if write:
                created = Victim.objects.bulk_create(
                    [Victim(case_id=self.case_id, pseudonym=key, minor_at_facts=wanted[key]) for key in missing]
                )
                for victim in created:
                    self.victims[victim.pseudonym] = [victim.pk, victim.minor_at_facts]
            else:
                for placeholder, key in enumerate(missing, start=1):
                    self.victims[key] = [-placeholder, wanted[key]]
        flagged = [key for key, minor in wanted.items() if minor and self.victims[key][1] is None]
        if flagged:
            if write:
                Victim.objects.filter(pk__in=[self.victims[key][0] for key in flagged]).update(minor_at_facts=True)
            for key in flagged:
                self.victims[key][1] = True
        return rejections, [self.victims[key][0] for key in missing]

    # Suspects ---------------------------------------------------------------------------------

    def _add_suspect(self, name: str, pk: int) -> None:
        self.suspects_by_name.setdefault(" ".join(name.split()), pk)
        self.suspects_by_key.setdefault(suspect_key(name), pk)

    def suspect_id(self, entry) -> int | None:
        """The name as written first (two suspects differing only by case stay apart), then
        without case."""
        found = self.suspects_by_name.get(entry.name)
        return found if found is not None else self.suspects_by_key.get(entry.key)

    def suspect_ids(self, row: Row) -> frozenset | None:
        return None if row.suspects is None else frozenset(self.suspect_id(entry) for entry in row.suspects)

    def resolve_suspects(self, rows: list[Row], *, write: bool) -> tuple[list[int], list[int]]:
        """Match every suspect of the file to one of the case (the oldest of a name), creating the
        missing ones (named as first written in the file) and adding to existing ones the
        identifiers they lack, a few statements for the whole file. Returns the ids of the suspects
        created and of those completed (in a dry run, placeholders and the ids that would be)."""
        self.suspects_by_name.clear()
        self.suspects_by_key.clear()
        stored: dict[int, list] = {}
        for pk, name, identifiers in (
            Suspect.objects.filter(case_id=self.case_id).order_by("pk").values_list("pk", "name", "identifiers")
        ):
            self._add_suspect(name, pk)
            stored[pk] = stored_identifiers(identifiers)
        new: dict[str, tuple[str, list]] = {}  # key → (name, identifiers)
        added: dict[int, list] = {}
        for row in rows:
            for entry in row.suspects or ():
                pk = self.suspect_id(entry)
                if pk is None:
                    _name, identifiers = new.setdefault(entry.key, (entry.name, []))
                    _merge(identifiers, entry.identifiers)
                elif entry.identifiers:
                    _merge(added.setdefault(pk, []), entry.identifiers, known=stored[pk])
        completed = [pk for pk, identifiers in added.items() if identifiers]
        if write:
            created = Suspect.objects.bulk_create(
                [
                    Suspect(case_id=self.case_id, name=name, identifiers=format_identifiers(identifiers))
                    for name, identifiers in new.values()
                ]
            )
            Suspect.objects.bulk_update(
                [Suspect(pk=pk, identifiers=format_identifiers(stored[pk] + added[pk])) for pk in completed],
                ["identifiers"],
                batch_size=500,
            )
            created_ids = [suspect.pk for suspect in created]
        else:
            created_ids = [-placeholder for placeholder in range(1, len(new) + 1)]
        for (name, _identifiers), pk in zip(new.values(), created_ids, strict=True):
            self._add_suspect(name, pk)
        return created_ids, completed


def _merge(identifiers: list, more, *, known=()) -> None:
    """Add to `identifiers` those of `more` not there yet nor in `known`, however written."""
    seen = {identifier_key(*item) for item in (*known, *identifiers)}
    for item in more:
        key = identifier_key(*item)
        if key not in seen:
            seen.add(key)
            identifiers.append(item)
