"""Statistical disclosure control of the published cross-association table: no database, rules as data.

A table of procedure counts is published with its row totals, column totals and grand total.
Its readers are the public and every association, which knows its own part of each cell. The
issue's attacks and what answers each:

- (b) an association subtracting its own figures from a cell, (c) padding a cell with imports of
  its own: the contributor rule. A cell is sensitive for a reader when the others' part of it
  (the value minus the reader's own part; the whole value for the public) is between 1 and k − 1,
  in procedures or in distinct victims (k: STATISTICS_K_THRESHOLD). The plain small-count rule is
  this rule for the public.
- (e) "never exactly one masked value in a line" let a solver narrow cells to [0, 1]: the rule is
  now the interval audit (audit.py), exact over the published equations, and complements are
  added until it passes. A masked zero counts for what it is: it can rise, not fall (counts
  are ≥ 0), so it never widens a cell downwards.
- (d) a masked total printed elsewhere: the grand total is a cell like the others; the headline
  (publication.py) prints it only when the table does.

The protection interval of a sensitive cell, for the reader it is sensitive for (own part a,
others' part r = value − a): the reader's feasible range of the value must contain
- [a, a + k − 1] when r ≤ k − 1: the reader cannot tell the others' part from zero nor from any
  count under k: they learn « under k » at most, nothing narrower ([0, k − 1] for the public);
- [value − (k − 1), value + (k − 1)] when r ≥ k (a cell sensitive only through its few victims):
  its procedure count cannot be pinned down closer than k − 1 either way.
Each masked cell carries the same mark: a « < 5 » mark was itself an upper bound for the solver.
The stored publication never contains a masked value."""

import heapq
from dataclasses import dataclass, field

from .audit import Protection, bounds, edge, failures

VISIBLE, PRIMARY, SECONDARY = 0, 1, 2
MARK = "s"


@dataclass
class Suppressed:
    """values[i][j] with the row totals in the last column and the column totals in the last row."""

    values: list[list[int]]
    status: list[list[int]] = field(default_factory=list)
    protections: list[Protection] = field(default_factory=list)

    def cell(self, i: int, j: int) -> int | None:
        return None if self.status[i][j] else self.values[i][j]

    def published(self) -> list[list[int | None]]:
        return [[self.cell(i, j) for j in range(len(row))] for i, row in enumerate(self.values)]

    def marks(self) -> list[list[str]]:
        return [[MARK if s else "" for s in row] for row in self.status]

    @property
    def masked(self) -> set[tuple[int, int]]:
        return {(i, j) for i, row in enumerate(self.status) for j, s in enumerate(row) if s}


def with_margins(inner: list[list[int]]) -> list[list[int]]:
    rows = [[*row, sum(row)] for row in inner]
    columns = len(rows[0]) if rows else 1
    rows.append([sum(row[j] for row in rows) for j in range(columns)])
    return rows


def equations(height: int, width: int) -> list[list[tuple[int, int]]]:
    """Each row (its cells then its total) and each column, margins included."""
    rows = [[(i, j) for j in range(width)] for i in range(height)]
    columns = [[(i, j) for i in range(height)] for j in range(width)]
    return rows + columns


def protections(values, victims, owns, own_victims, threshold: int) -> list[Protection]:
    """Every (cell, reader) pair the table must protect, with its interval (module docstring).
    owns / own_victims: {association: its part of each cell, margins included}."""
    k = threshold
    zero = [[0] * len(row) for row in values]
    readers = {None: (zero, zero), **{a: (owns[a], own_victims.get(a, zero)) for a in owns}}
    found = []
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            for reader, (own, own_v) in readers.items():
                others = value - own[i][j]
                others_victims = (victims[i][j] - own_v[i][j]) if victims is not None else others
                if not (1 <= others <= k - 1 or 1 <= others_victims <= k - 1):
                    continue
                a = own[i][j]
                if others <= k - 1:
                    found.append(Protection((i, j), reader, a, a + k - 1))
                else:
                    found.append(Protection((i, j), reader, value - (k - 1), value + (k - 1)))
    return found


def _complement(values, masked, protection, low, high, owns) -> set[tuple[int, int]]:
    """Published cells to mask so the failing cell's value can move: the cheapest cycle through
    it (Dijkstra), a published cell costing its value (margins far more: a hidden total costs
    every reader), a masked one nothing. A zero costs 1 and is used upwards only: it cannot fall."""
    height, width = len(values), len(values[0])
    own = owns.get(protection.attacker)
    u, v = edge(protection.cell, height, width)
    penalty = sum(map(sum, values)) + 1
    arcs: dict[int, list[tuple[int, int, tuple[int, int]]]] = {}
    for i in range(height):
        for j in range(width):
            cell = (i, j)
            if cell == protection.cell:
                continue
            a, b = edge(cell, height, width)
            margin = i == height - 1 or j == width - 1
            cost = 0 if cell in masked else max(values[i][j], 1) + (penalty if margin else 0)
            room = values[i][j] - (own[i][j] if own else 0)
            arcs.setdefault(a, []).append((b, cost, cell))  # increasing it: always possible
            if room > 0:
                arcs.setdefault(b, []).append((a, cost, cell))  # decreasing it
    wanted = []
    if high < protection.high:
        wanted.append((v, u))  # to raise u → v, the flow comes back from v to u
    if low > protection.low:
        wanted.append((u, v))
    added: set[tuple[int, int]] = set()
    for source, sink in wanted:
        distances = {source: 0}
        parents: dict[int, tuple[int, tuple[int, int]]] = {}
        heap = [(0, source)]
        while heap:
            distance, node = heapq.heappop(heap)
            if node == sink:
                break
            if distance > distances.get(node, distance):
                continue
            for target, cost, cell in arcs.get(node, []):
                if distance + cost < distances.get(target, float("inf")):
                    distances[target] = distance + cost
                    parents[target] = (node, cell)
                    heapq.heappush(heap, (distance + cost, target))
        node = sink
        while node in parents and node != source:
            node, cell = parents[node]
            if cell not in masked:
                added.add(cell)
    if not added:
        # The cycle exists but has too little room: widen with the cheapest published neighbour.
        # A zero only helps a cell rise: it comes last when the cell must be able to fall.
        falling = low > protection.low
        neighbours = [
            (falling and values[i][j] == 0, values[i][j], (i, j))
            for i in range(height)
            for j in range(width)
            if (i, j) not in masked and set(edge((i, j), height, width)) & {u, v}
        ]
        if neighbours:
            added.add(min(neighbours)[-1])
    return added


def suppress(
    inner: list[list[int]],
    *,
    threshold: int = 5,
    victims: list[list[int]] | None = None,
    parts: dict | None = None,
    victim_parts: dict | None = None,
) -> Suppressed:
    """inner: the counts without margins; victims: the distinct victims of each cell, margins
    included (not additive: counted by the database); parts: {association: its counts without
    margins}; victim_parts: {association: its distinct victims, margins included}."""
    values = with_margins(inner)
    owns = {a: with_margins(p) for a, p in (parts or {}).items()}
    needed = protections(values, victims, owns, victim_parts or {}, threshold)
    status = [[VISIBLE] * len(row) for row in values]
    for protection in needed:
        status[protection.cell[0]][protection.cell[1]] = PRIMARY
    masked = {p.cell for p in needed}
    while True:
        failed = failures(values, masked, needed, owns)
        if not failed:
            break
        grew = False
        for protection, _low, _high in failed:
            # Earlier complements of this round may already protect it: measure again.
            low, high = bounds(
                values,
                masked,
                protection.cell,
                owns.get(protection.attacker),
                need_low=protection.low,
                need_high=protection.high,
            )
            if low <= protection.low and high >= protection.high:
                continue
            for i, j in _complement(values, masked, protection, low, high, owns):
                status[i][j] = SECONDARY
                masked.add((i, j))
                grew = True
        if not grew:
            # Nothing left to add around the failing cells: mask everything, which always passes
            # (a cell, its row total, its column total and the grand total form a cycle along
            # which the others' part can fall to 0, and nothing bounds it above).
            for i, row in enumerate(values):
                for j, _value in enumerate(row):
                    if not status[i][j]:
                        status[i][j] = SECONDARY
                        masked.add((i, j))
            if failures(values, masked, needed, owns):
                raise ValueError("table impossible to protect")
            break
    return Suppressed(values=values, status=status, protections=needed)


def audit(table: Suppressed, parts: dict | None = None) -> list:
    """What the published table fails to protect (empty when it is safe): the check the tests run."""
    owns = {a: with_margins(p) for a, p in (parts or {}).items()}
    return failures(table.values, table.masked, table.protections, owns)
