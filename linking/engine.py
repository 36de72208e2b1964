"""Matching person records: normalise, block, compare, train, score. Blocking keeps it
sub-quadratic: only pairs that share at least one blocking key are compared, and a key shared by
more than MAX_BLOCK records (a common surname prefix, a default date) is left out rather than
compared pair by pair. Works in two modes: `link` (pairs across two sets, each set free of
duplicates) and `dedupe` (pairs within one set)."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from . import normalise
from .comparisons import COMPARISONS, gamma
from .model import (
    MIN_TRAINING_RECORDS,
    Weights,
    default_weights,
    estimate_u,
    probability_of,
    term_frequencies,
    train,
)

FIELDS = ("given_name", "surname", "birth_date", "address", "postcode", "city", "phone", "email", "identifier")
MAX_BLOCK = 300
# Probability at or above which a pair is a match, and a possible match for review.
MATCH_AT = 0.9
POSSIBLE_AT = 0.3


def prepare(raw: dict) -> dict:
    """A record's normal forms from the columns of `match_persons` (any may be empty)."""
    given, family = raw.get("given_name") or "", raw.get("surname") or ""
    if not given and " " in family.strip():
        given, family = normalise.split_full_name(family)
    else:
        given = normalise.given_name(given)
    core, family = normalise.surname_core(family), normalise.surname(family)
    identifier = raw.get("identifier") or ""
    return {
        "id": raw.get("record_id") or raw.get("id"),
        "given_name": given,
        "surname": family,
        "surname_core": core,
        "birth_date": normalise.birth_date(raw.get("birth_date") or ""),
        "address": normalise.place(raw.get("address")),
        "postcode": normalise.postcode(raw.get("postcode")),
        "city": normalise.place(raw.get("city")),
        "phone": normalise.phone(raw.get("phone")),
        "email": normalise.email(raw.get("email")) if raw.get("email") else "",
        "identifier": normalise.account(identifier),
    }


def _keys(record: dict) -> Iterable[tuple]:
    given, family = record["given_name"], record["surname"]
    for name in ("identifier", "phone", "email", "birth_date"):
        if record[name]:
            yield (name, record[name])
    if family:
        yield ("surname+given", family[:4], given[:1])
        if record["postcode"]:
            yield ("surname+postcode", family[:2], record["postcode"])
        if record["birth_date"]:
            yield ("surname+year", family[:3], record["birth_date"][:4])
    if given:
        # Names written the other way round meet here.
        yield ("given+surname", given.replace(" ", "")[:4], family[:1])
        if record["city"]:
            yield ("given+city", given[:3], record["city"][:4])
        if record["birth_date"]:
            yield ("given+month", given[:2], record["birth_date"][-5:])


def candidate_pairs(left: list[dict], right: list[dict] | None = None, max_block: int = MAX_BLOCK) -> set[tuple]:
    """Index pairs (i, j) sharing a blocking key: i < j within `left` (dedupe), or i in `left`
    and j in `right` (link)."""
    blocks = defaultdict(lambda: ([], []))
    for index, record in enumerate(left):
        for key in _keys(record):
            blocks[key][0].append(index)
    for index, record in enumerate(right or ()):
        for key in _keys(record):
            blocks[key][1].append(index)
    pairs = set()
    for first, second in blocks.values():
        if right is None:
            if 1 < len(first) <= max_block:
                pairs.update((a, b) for position, a in enumerate(first) for b in first[position + 1 :])
        elif first and second and len(first) * len(second) <= max_block * max_block // 4:
            pairs.update((a, b) for a in first for b in second)
    return pairs


@dataclass
class Scored:
    left: dict
    right: dict
    vector: tuple
    probability: float
    weight: float

    @property
    def decision(self) -> str:
        return "match" if self.probability >= MATCH_AT else "possible"


def match(left: list[dict], right: list[dict] | None = None, weights: Weights | None = None) -> tuple[list, Weights]:
    """Every candidate pair scored at POSSIBLE_AT or above, best first, and the weights (trained
    on these records unless given)."""
    pairs = candidate_pairs(left, right)
    other = left if right is None else right
    vectors = {pair: gamma(left[pair[0]], other[pair[1]], COMPARISONS) for pair in pairs}
    population = len(left) + len(right or [])
    if weights is None and population < MIN_TRAINING_RECORDS:
        # Too few to learn from: the defaults, with about one duplicate per record as the prior,
        # and no term frequencies (three suspects named Dupont do not make Dupont common).
        weights = default_weights(prior=1 / max(len(left), len(right or []), 2))
    if weights is None:
        # At most one match per record of the smaller set (link), or per record (dedupe).
        most = len(left) if right is None else min(len(left), len(right))
        weights = train(
            Counter(vectors.values()), estimate_u(left + (right or [])), max_prior=min(0.5, most / max(len(pairs), 1))
        )
        weights.frequencies = term_frequencies(left + (right or []))
        # The prior of two records taken at random, not of two candidates: blocking brought
        # together pairs that already share something. The matches found are assumed all among
        # the candidates (blocking recall is measured to be above 99.5 %).
        possible = len(left) * (len(left) - 1) // 2 if right is None else len(left) * len(right)
        weights.prior = min(0.5, max(weights.prior * len(pairs) / max(possible, 1), 1e-12))
    scored = []
    for (a, b), vector in vectors.items():
        weight = weights.pair_weight(vector, left[a])
        probability = probability_of(weight)
        if probability >= POSSIBLE_AT:
            scored.append(Scored(left[a], other[b], vector, probability, weight))
    scored.sort(key=lambda pair: -pair.weight)
    return scored, weights


class BlockIndex:
    """The blocking keys of a set of records, kept: one new record is compared with the records
    sharing a key with it only (at import time, one person against all the known ones)."""

    def __init__(self, records: list[dict], weights: Weights, max_block: int = MAX_BLOCK):
        self.records = records
        self.weights = weights
        self.max_block = max_block
        self.blocks: dict[tuple, list[int]] = defaultdict(list)
        for index, record in enumerate(records):
            self.add(record, index)

    def add(self, record: dict, index: int | None = None) -> None:
        if index is None:
            self.records.append(record)
            index = len(self.records) - 1
        for key in _keys(record):
            self.blocks[key].append(index)

    def candidates(self, record: dict) -> set[int]:
        found = set()
        for key in _keys(record):
            members = self.blocks.get(key, ())
            if len(members) <= self.max_block:
                found.update(members)
        return found

    def query(self, record: dict) -> list[Scored]:
        scored = []
        for index in self.candidates(record):
            other = self.records[index]
            vector = gamma(record, other, COMPARISONS)
            weight = self.weights.pair_weight(vector, record)
            probability = probability_of(weight)
            if probability >= POSSIBLE_AT:
                scored.append(Scored(record, other, vector, probability, weight))
        scored.sort(key=lambda pair: -pair.weight)
        return scored
