"""Clusters from decisions, the way nomenklatura's resolver keeps them: a pure function of the live
judgements, so withdrawing a decision gives back exactly the clusters there were before it.

`same` edges are applied in the order they were decided; an edge that would put together two
persons judged `not_same` (directly, or through the clusters either side belongs to) is skipped:
a negative judgement blocks indirect merges. `possible` says nothing."""

from collections.abc import Iterable


def clusters(
    persons: Iterable[int], same: list[tuple[int, int]], not_same: Iterable[tuple[int, int]]
) -> dict[int, int]:
    """person id → cluster id (the smallest person id of its cluster)."""
    parent = {person: person for person in persons}
    members = {person: {person} for person in parent}
    apart = {}
    for left, right in not_same:
        apart.setdefault(left, set()).add(right)
        apart.setdefault(right, set()).add(left)

    def root(person):
        while parent[person] != person:
            parent[person] = parent[parent[person]]
            person = parent[person]
        return person

    for left, right in same:
        if left not in parent or right not in parent:
            continue
        a, b = root(left), root(right)
        if a == b:
            continue
        if any(apart.get(person, set()) & members[b] for person in members[a]):
            continue  # would join two persons judged different
        if len(members[a]) < len(members[b]):
            a, b = b, a
        parent[b] = a
        members[a] |= members.pop(b)
    result = {}
    for group in members.values():
        name = min(group)
        for person in group:
            result[person] = name
    return result
