"""The Fellegi–Sunter model: for each comparison level, m (how often true matches agree at that
level) and u (how often non-matches do); a pair's match weight is the prior's log-odds plus, for
each field, log2(m / u) of its level; its probability follows. u is estimated from random pairs
(almost all non-matches), m and the prior by expectation–maximisation on the blocked candidate
pairs with u held, as Splink does. EM runs on the distinct comparison vectors with their counts:
a few hundred patterns for hundreds of thousands of pairs, so pure Python is fast enough."""

import math
import random
from collections import Counter
from dataclasses import dataclass, field

from .comparisons import COMPARISONS, Comparison, gamma

# Added to every level count, so a level never seen is improbable, not impossible.
SMOOTHING = 1.0
MAX_ITERATIONS = 50
TOLERANCE = 1e-6
LEAVE_ONE_OUT_ROUNDS = 4
# Pairs the other fields make a match with odds of 2^SURE_WEIGHT to one (≈ 0.998) teach a field's m.
SURE_WEIGHT = 9.0
MIN_SURE_PAIRS = 20
TF_FIELDS = ("given_name", "surname", "city")
MIN_FREQUENCY = 1e-6


@dataclass
class Weights:
    comparisons: tuple[Comparison, ...]
    m: list[list[float]]  # m[c][level]: level 0 = disagreement, then the levels in order
    u: list[list[float]]
    prior: float  # the share of matches among the candidate pairs
    iterations: int = 0
    history: list[float] = field(default_factory=list)
    # Term frequencies (share of records) of the values of TF_FIELDS: agreeing on « green » says
    # less than agreeing on « lanyon » (Splink's term-frequency adjustment of the exact level).
    frequencies: dict[str, dict[str, float]] = field(default_factory=dict)

    def field_weight(self, index: int, level: int | None) -> float:
        if level is None:
            return 0.0
        return math.log2(self.m[index][level] / self.u[index][level])

    def match_weight(self, vector: tuple) -> float:
        prior = math.log2(self.prior / (1 - self.prior))
        return prior + sum(self.field_weight(index, level) for index, level in enumerate(vector))

    def frequency_adjustment(self, index: int, level: int | None, value: str) -> float:
        """Bits added to an exact agreement on `value`: log2(average u / the value's frequency)."""
        table = self.frequencies.get(self.comparisons[index].field)
        if level != 1 or not table:
            return 0.0
        frequency = max(table.get(value, 0.0), MIN_FREQUENCY)
        return math.log2(self.u[index][1] / frequency)

    def pair_weight(self, vector: tuple, left: dict) -> float:
        """The match weight of a pair: its vector's, adjusted for the frequency of the values agreed on."""
        return self.match_weight(vector) + sum(
            self.frequency_adjustment(index, level, left.get(self.comparisons[index].field) or "")
            for index, level in enumerate(vector)
            if level == 1
        )

    def probability(self, vector: tuple, left: dict | None = None) -> float:
        return probability_of(self.match_weight(vector) if left is None else self.pair_weight(vector, left))

    def explain(self, vector: tuple, left: dict | None = None) -> list[dict]:
        """The waterfall of a pair: the prior, then each field's level and the weight it adds
        (with the frequency adjustment of an exact agreement, when `left` gives the value)."""
        steps = [
            {"field": "prior", "label": "A priori", "level": "", "weight": math.log2(self.prior / (1 - self.prior))}
        ]
        for index, (comparison, level) in enumerate(zip(self.comparisons, vector, strict=True)):
            if level is None:
                name = "absent"
            elif level == 0:
                name = "différent"
            else:
                name = comparison.levels[level - 1].label
            steps.append(
                {
                    "field": comparison.field,
                    "label": comparison.label,
                    "level": name,
                    "weight": self.field_weight(index, level)
                    + (self.frequency_adjustment(index, level, left.get(comparison.field) or "") if left else 0.0),
                }
            )
        return steps


def probability_of(weight: float) -> float:
    if weight > 60:
        return 1.0
    odds = 2.0**weight
    return odds / (1 + odds)


def term_frequencies(records: list[dict], fields=TF_FIELDS) -> dict[str, dict[str, float]]:
    tables = {}
    for name in fields:
        values = Counter(record.get(name) for record in records if record.get(name))
        total = sum(values.values()) or 1
        tables[name] = {value: count / total for value, count in values.items()}
    return tables


def _frequencies(counts: list[Counter], sizes: list[int]) -> list[list[float]]:
    table = []
    for counter, size in zip(counts, sizes, strict=True):
        total = sum(counter.values()) + SMOOTHING * size
        table.append([(counter.get(level, 0) + SMOOTHING) / total for level in range(size)])
    return table


def estimate_u(records: list[dict], comparisons=COMPARISONS, *, pairs: int = 200_000, seed: int = 1) -> list:
    """u from random pairs of records: among them, true matches are too few to matter."""
    generator = random.Random(seed)  # noqa: S311 - a sample, reproducible, not a secret
    sizes = [len(comparison.levels) + 1 for comparison in comparisons]
    counts = [Counter() for _ in comparisons]
    if len(records) < 2:
        return _frequencies(counts, sizes)
    for _ in range(pairs):
        left, right = generator.sample(records, 2)
        for index, level in enumerate(gamma(left, right, comparisons)):
            if level is not None:
                counts[index][level] += 1
    return _frequencies(counts, sizes)


def train(
    patterns: Counter, u: list, comparisons=COMPARISONS, *, prior: float = 0.05, max_prior: float = 0.5
) -> Weights:
    """m and the prior from the candidate pairs' comparison vectors (pattern → count), u held.

    Each field's m is read from the pairs that the *other* fields alone make near-certain matches
    (a leave-one-out pass, repeated as the other fields' m improve), then the prior alone by EM.
    Plain EM on every parameter at once falls, with few fields (names and a birth date), into the
    degenerate answer « every candidate pair is a match »; here a field never vouches for itself.
    max_prior bounds the share of matches among the candidates (one match per record at most)."""
    sizes = [len(comparison.levels) + 1 for comparison in comparisons]
    m = []
    for size in sizes:
        row = [0.05] + [0.95 * 0.5**level for level in range(size - 1)]
        total = sum(row)
        m.append([value / total for value in row])
    weights = Weights(comparisons=comparisons, m=m, u=u, prior=min(prior, max_prior))
    items = list(patterns.items())
    total_pairs = sum(patterns.values()) or 1
    for _ in range(LEAVE_ONE_OUT_ROUNDS):
        prior_weight = math.log2(weights.prior / (1 - weights.prior))
        new_m = []
        for index, size in enumerate(sizes):
            counts = Counter()
            for vector, count in items:
                if vector[index] is None:
                    continue
                others = prior_weight + sum(
                    weights.field_weight(other, level) for other, level in enumerate(vector) if other != index
                )
                if others >= SURE_WEIGHT:
                    counts[vector[index]] += count
            if sum(counts.values()) < MIN_SURE_PAIRS:
                new_m.append(weights.m[index])  # too little evidence: keep what it had
                continue
            total = sum(counts.values()) + SMOOTHING * size
            new_m.append([(counts.get(level, 0) + SMOOTHING) / total for level in range(size)])
        weights.m = new_m
        weights.prior = _fit_prior(weights, items, total_pairs, max_prior)
    return weights


def _fit_prior(weights: Weights, items: list, total_pairs: int, max_prior: float) -> float:
    """The share of matches among the candidates, m and u held: EM on that one parameter."""
    for iteration in range(1, MAX_ITERATIONS + 1):
        expected = sum(weights.probability(vector) * count for vector, count in items)
        prior = min(max(expected / total_pairs, 1e-9), max_prior, 1 - 1e-9)
        change = abs(prior - weights.prior)
        weights.prior, weights.iterations = prior, iteration
        weights.history.append(change)
        if change < TOLERANCE:
            break
    return weights.prior


# Weights for a population too small to learn from (a case with a handful of suspects): of the
# order learnt on FEBRL4 and on the French benchmark set, disagreement never made impossible.
# Per field: (m, u), level 0 = disagreement, then the levels of linking.comparisons in order.
DEFAULT_PARAMETERS = {
    "given_name": ([0.03, 0.70, 0.08, 0.03, 0.08, 0.08], [0.985, 0.004, 0.002, 0.004, 0.004, 0.001]),
    "surname": ([0.03, 0.70, 0.10, 0.05, 0.04, 0.08], [0.99, 0.004, 0.001, 0.003, 0.001, 0.001]),
    "birth_date": ([0.03, 0.90, 0.04, 0.01, 0.02], [0.985, 0.0002, 0.0015, 0.0001, 0.0132]),
    "address": ([0.10, 0.70, 0.15, 0.05], [0.996, 0.0005, 0.0005, 0.003]),
    "postcode": ([0.05, 0.90, 0.05], [0.99, 0.005, 0.005]),
    "city": ([0.05, 0.85, 0.10], [0.99, 0.006, 0.004]),
    "phone": ([0.10, 0.90], [0.9999, 0.0001]),
    "email": ([0.10, 0.90], [0.9999, 0.0001]),
    "identifier": ([0.05, 0.90, 0.05], [0.9995, 0.0003, 0.0002]),
}
# Below this many records, the defaults are used instead of weights learnt on them.
MIN_TRAINING_RECORDS = 1000


def default_weights(prior: float, comparisons=COMPARISONS) -> Weights:
    m, u = [], []
    for comparison in comparisons:
        m_row, u_row = DEFAULT_PARAMETERS[comparison.field]
        if len(m_row) != len(comparison.levels) + 1:
            raise ValueError(f"DEFAULT_PARAMETERS[{comparison.field!r}] must give one value per level.")
        m.append([value / sum(m_row) for value in m_row])
        u.append([value / sum(u_row) for value in u_row])
    return Weights(comparisons=comparisons, m=m, u=u, prior=prior)
