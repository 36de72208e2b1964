"""Persons as they arrive (a suspect or victim entered, an import's new suspects and victims):
their person rows and identifiers brought in step, then compared with the association's known
persons. Candidates only: each pair found becomes a `possible` decision for a lawyer to review,
nothing is merged.

Two ways to be a candidate: sharing an identifier seized from the platform (account, e-mail,
phone, national identifier: exact join on the keyed digests, in SQL), or the engine's score over
the blocks the new person falls in (linking.engine.BlockIndex). An IP address alone never
proposes anything: a household, a café or an operator's NAT share one."""

from django.db import transaction

from cases.models import Suspect, Victim

from .engine import BlockIndex
from .identifiers import records_of
from .model import default_weights
from .models import Person
from .proposals import propose, with_shared_identifiers
from .services import persons_sync


def candidates_for(association_id: int, new: list[Person]) -> int:
    """The `possible` decisions for the new persons against every person of the association
    (and each other); pairs already judged, or proposed, are left as they are."""
    if not new:
        return 0
    persons = list(Person.objects.filter(association_id=association_id))
    records = records_of(persons)
    weights = default_weights(prior=1 / max(len(persons), 2))
    new_ids = [person.pk for person in new]
    found: dict[tuple[int, int], tuple[float, list]] = {}
    index = BlockIndex([records[pk] for pk in records if pk not in set(new_ids)], weights)
    for pk in new_ids:
        record = records[pk]
        for pair in index.query(record):
            key = tuple(sorted((pk, pair.right["id"])))
            found.setdefault(key, (pair.probability, weights.explain(pair.vector, record)))
        index.add(record)
    with_shared_identifiers(association_id, new_ids, records, weights, found)
    return propose(association_id, found)


def persons_arrive(*, case_id: int, suspect_ids=(), victim_ids=()) -> int:
    """Sync the persons of these suspects and victims of a case, then propose their candidates.
    Safe to run twice: syncing is an upsert and judged or proposed pairs are skipped."""
    suspects = Suspect.objects.filter(case_id=case_id, pk__in=list(suspect_ids)).select_related("case")
    victims = Victim.objects.filter(case_id=case_id, pk__in=list(victim_ids)).select_related("case")
    with transaction.atomic():
        new = persons_sync(suspects=suspects, victims=victims)
        if not new:
            return 0
        return candidates_for(new[0].association_id, new)
