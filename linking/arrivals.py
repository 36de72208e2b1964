"""Persons as they arrive (a suspect or victim entered, an import's new suspects and victims):
their person rows and identifiers brought in step, then compared with the association's known
persons. Candidates only: each pair found becomes a `possible` decision for a lawyer to review,
nothing is merged.

Two ways to be a candidate: sharing an identifier seized from the platform (account, e-mail,
phone, national identifier: exact join on the keyed digests, in SQL), or the engine's score over
the blocks the new person falls in (linking.engine.BlockIndex). An IP address alone never
proposes anything: a household, a café or an operator's NAT share one."""

from collections import defaultdict

from django.db import transaction

from cases.models import Suspect, Victim

from .comparisons import COMPARISONS, gamma
from .engine import BlockIndex
from .identifiers import RECORD_FIELDS, records_of
from .model import default_weights, probability_of
from .models import WEAK_KINDS, Identifier, IdentifierKind, Judgement, MatchDecision, Person
from .services import persons_sync


def _shared_identifiers(association_id: int, new_ids: list[int]) -> dict[tuple[int, int], tuple[str, str]]:
    """Pairs (new person, other person) sharing a strong identifier → (kind, normal form)."""
    theirs = Identifier.objects.filter(person_id__in=new_ids).exclude(kind__in=WEAK_KINDS)
    digests = {row_digest: (kind, value) for kind, row_digest, value in theirs.values_list("kind", "digest", "value")}
    holders = defaultdict(set)
    for person_id, row_digest in (
        Identifier.objects.filter(person__association_id=association_id, digest__in=list(digests))
        .exclude(kind__in=WEAK_KINDS)
        .values_list("person_id", "digest")
    ):
        holders[row_digest].add(person_id)
    shared = {}
    for row_digest, persons in holders.items():
        for new in persons & set(new_ids):
            for other in persons - {new}:
                shared.setdefault(tuple(sorted((new, other))), digests[row_digest])
    return shared


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
    for (left, right), (kind, form) in _shared_identifiers(association_id, new_ids).items():
        shared = {
            "field": "shared",
            "label": str(IdentifierKind(kind).label),
            "level": "saisi en commun",
            "weight": 0.0,
        }
        if (left, right) in found:
            found[(left, right)][1].append(shared)
            continue
        # Both sides hold the value: the comparison sees it as it is, whatever came first.
        field = RECORD_FIELDS.get(kind)
        one, two = dict(records[left]), dict(records[right])
        if field:
            one[field] = two[field] = form
        vector = gamma(one, two, COMPARISONS)
        # Proposed whatever the score: a shared identifier is for a lawyer to look at.
        probability = probability_of(weights.pair_weight(vector, one))
        found[(left, right)] = (probability, [*weights.explain(vector, one), shared])
    return _propose(association_id, found)


def _propose(association_id: int, found: dict) -> int:
    judged = set(
        MatchDecision.objects.filter(
            association_id=association_id, withdrawn_at__isnull=True, left_id__in={left for left, _right in found}
        ).values_list("left_id", "right_id")
    )
    new = [
        MatchDecision(
            association_id=association_id,
            left_id=left,
            right_id=right,
            judgement=Judgement.POSSIBLE,
            score=probability,
            explanation=explanation,
        )
        for (left, right), (probability, explanation) in found.items()
        if (left, right) not in judged
    ]
    MatchDecision.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


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
