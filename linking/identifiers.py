"""Identifiers seized from the platform (account, e-mail, phone, IP, national identifier) in
normal form, and the engine's records of persons with them."""

from collections import defaultdict

from . import normalise
from .models import Identifier, IdentifierKind, Person, digest

NORMAL_FORMS = {
    IdentifierKind.ACCOUNT: normalise.account,
    IdentifierKind.EMAIL: normalise.email,
    IdentifierKind.PHONE: normalise.phone,
    IdentifierKind.IP: normalise.ip_address,
    IdentifierKind.NATIONAL: lambda text: normalise.fold(text).replace(" ", "").upper(),
}
# The engine's record field an identifier fills (the first of its kind), so that the comparison
# and its explanation see it.
RECORD_FIELDS = {IdentifierKind.ACCOUNT: "identifier", IdentifierKind.EMAIL: "email", IdentifierKind.PHONE: "phone"}


def identifiers_sync_many(entries: list[tuple[Person, list[tuple[str, str]]]]) -> int:
    """Each person's identifiers from what was entered (kind, value as written), in normal form;
    a value that does not normalise (an e-mail without domain…) is left out. Returns the count
    added; none is removed (a seized identifier stays evidence)."""
    wanted = {}
    for person, entered in entries:
        for kind, value in entered:
            form = NORMAL_FORMS[kind](value) if kind in NORMAL_FORMS else ""
            if form:
                wanted.setdefault((person.pk, kind, digest(kind, form)), form)
    if not wanted:
        return 0
    present = set(
        Identifier.objects.filter(person_id__in={person_id for person_id, _kind, _digest in wanted}).values_list(
            "person_id", "kind", "digest"
        )
    )
    new = [
        Identifier(person_id=person_id, kind=kind, digest=row_digest, value=form)
        for (person_id, kind, row_digest), form in wanted.items()
        if (person_id, kind, row_digest) not in present
    ]
    Identifier.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def identifiers_sync(person: Person, entered: list[tuple[str, str]]) -> int:
    return identifiers_sync_many([(person, entered)])


def records_of(persons: list[Person]) -> dict[int, dict]:
    """The engine's record of each person, with its first account, e-mail and phone."""
    firsts = defaultdict(dict)
    for person_id, kind, value in (
        Identifier.objects.filter(person__in=[person.pk for person in persons], kind__in=list(RECORD_FIELDS))
        .order_by("pk")
        .values_list("person_id", "kind", "value")
    ):
        firsts[person_id].setdefault(RECORD_FIELDS[kind], value)
    return {person.pk: person.as_record() | firsts[person.pk] for person in persons}
