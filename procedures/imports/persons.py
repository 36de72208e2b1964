"""The persons a file names, resolved once for the whole file before any chunk is written: each
victim key matched to a victim of the case, or created (in a dry run, only counted). Doing it in
the prelude means a chunk never needs the case's lock."""

from __future__ import annotations

from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from cases.models import Victim

from .validation import Row


class CasePersons:
    """The case's victims the file names, by key (their pseudonym in capitals)."""

    def __init__(self, case_id: int):
        self.case_id = case_id
        self.victims: dict[str, list] = {}  # key → [id, minor_at_facts]

    def load_victims(self, keys=None) -> None:
        victims = Victim.objects.filter(case_id=self.case_id).annotate(key=Upper("pseudonym"))
        if keys is not None:
            victims = victims.filter(key__in=keys)
        for pk, key, minor in victims.values_list("pk", "key", "minor_at_facts"):
            self.victims[key] = [pk, minor]

    def victim_ids(self, row: Row) -> frozenset | None:
        """The row's victims as ids (negative placeholders for those a dry run would create)."""
        return None if row.victims is None else frozenset(self.victims[key][0] for key, _minor in row.victims)

    def resolve_victims(self, rows: list[Row], *, write: bool) -> tuple[dict[int, str], int]:
        """Match every victim key of the file to a victim of the case, creating the missing ones in
        one statement (in a dry run, only counting them). A row flagging as minor a victim whose
        record says adult at the facts is rejected, and creates nothing. Returns the rejections
        (line → reason) and the number of victims created."""
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
        return rejections, len(missing)
