"""Candidate pairs as `possible` decisions (no user), from the engine's scores and from strong
identifiers two persons share; used by the full search (services.candidates_propose) and by
persons as they arrive (arrivals). An IP address alone proposes nothing: a household, a café or
an operator's NAT share one."""

from collections import defaultdict

from .comparisons import COMPARISONS, gamma
from .identifiers import RECORD_FIELDS
from .model import Weights, probability_of
from .models import WEAK_KINDS, Identifier, IdentifierKind, Judgement, MatchDecision


def _shared_identifiers(association_id: int, ids: list[int]) -> dict[tuple[int, int], tuple[str, str]]:
    """Pairs (one of `ids`, another person of the association) sharing a strong identifier → (kind, normal form)."""
    theirs = Identifier.objects.filter(person_id__in=ids).exclude(kind__in=WEAK_KINDS)
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
        for new in persons & set(ids):
            for other in persons - {new}:
                shared.setdefault(tuple(sorted((new, other))), digests[row_digest])
    return shared


def with_shared_identifiers(association_id: int, ids: list[int], records: dict, weights: Weights, found: dict) -> None:
    """Adds to `found` ((left, right) → (probability, explanation)) the pairs of `ids` sharing a
    strong identifier, each marked « Identifiant saisi des deux côtés » in its explanation."""
    for (left, right), (kind, form) in _shared_identifiers(association_id, ids).items():
        shared = {
            "field": "shared",
            "label": "Identifiant saisi des deux côtés",
            "level": str(IdentifierKind(kind).label).lower(),
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


def propose(association_id: int, found: dict) -> int:
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
