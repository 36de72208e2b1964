"""The interval audit of a published table: for a masked cell, the exact smallest and largest
value a reader can deduce from everything published, computed as the adversary of the issue did
(its exact interval solver recovered other associations' counts of 1–4 from the old releases).

What a reader knows (the system the bounds are taken over):
- the table with its margins (row totals, column totals, grand total), each either published or
  masked; releases cover disjoint periods (models.PublishedStatistics, exclusion constraint), so
  no other release shares an unknown with this table and the history adds no equation to it;
- every value is at least 0, and nothing more: a masked zero is a masked value like another, so
  its only effect is the one an exact solver sees (it can rise, never fall: a masked zero used as
  the complement of a small cell protects it upwards only, attack (e) of the issue);
- nothing else about a masked value: every masked cell carries the same mark, so no mark says
  « under 5 » (an upper bound) nor « at least 5 » (which a distinct secondary mark said);
- an association also knows its own part of every cell, margins included (attacks (b) and (c)):
  its unknowns are the others' parts r = value − own part, each ≥ 0.

The method is exact for this system, with no general LP: a table with its margins is a
circulation. Row node Rᵢ, column node Cⱼ, a totals row node R₊ and a totals column node C₊; cell
(i, j) is an edge Rᵢ → Cⱼ, row total i an edge C₊ → Rᵢ, column total j an edge Cⱼ → R₊, the grand
total an edge R₊ → C₊: "each row, each column sums to its total" is exactly "what enters each node
leaves it". Published values are fixed flows; masked values are edges with a lower bound and no
upper bound. From any feasible circulation (the true one), the largest value of edge u → v is its
value plus the maximum flow from v back to u in the residual graph without that edge, the smallest
its value minus the maximum flow from u to v; the matrix is totally unimodular, so these integer
bounds are the linear-programming bounds. Each maximum flow stops once the required width is
reached: an audit never needs the exact bound beyond the protection interval."""

from collections import deque
from dataclasses import dataclass

INFINITE = float("inf")


@dataclass(frozen=True)
class Protection:
    """A cell that must stay uncertain for one reader: attacker None is the public, otherwise the
    association whose own figures are subtracted. The reader's feasible range of the cell must
    contain [low, high] (suppression.protections says how the interval is chosen)."""

    cell: tuple[int, int]
    attacker: int | None
    low: int
    high: int


def edge(cell: tuple[int, int], height: int, width: int) -> tuple[int, int]:
    """The circulation edge of a cell of a (height × width) table whose last row and column are totals."""
    rows = height - 1
    i, j = cell
    row_node = i if i < rows else rows  # Rᵢ, or R₊ for the totals row
    column_node = height + (j if j < width - 1 else width - 1)  # Cⱼ, or C₊ for the totals column
    if (i < rows) == (j < width - 1):
        return row_node, column_node  # an inner cell, or the grand total R₊ → C₊
    return column_node, row_node  # a row total C₊ → Rᵢ, or a column total Cⱼ → R₊


def _residual(values, masked, own) -> dict[int, dict[int, float]]:
    """Arcs of the masked cells around the true values: up without limit, down to the reader's own part."""
    height, width = len(values), len(values[0])
    graph: dict[int, dict[int, float]] = {}
    for cell in masked:
        i, j = cell
        u, v = edge(cell, height, width)
        room_down = values[i][j] - (own[i][j] if own else 0)  # the others' part, which may fall to 0
        graph.setdefault(u, {})[v] = INFINITE
        if room_down > 0:
            graph.setdefault(v, {})[u] = room_down  # no two cells share a pair of nodes
    return graph


def _max_flow(graph, source: int, sink: int, limit: float) -> float:
    """Edmonds–Karp over the residual graph, left untouched (the flow is kept aside), stopping
    once `limit` is reached."""
    if limit <= 0:
        return 0
    net: dict[tuple[int, int], float] = {}
    back: dict[int, set[int]] = {}  # nodes that sent flow into a node: arcs the flow opened

    def room(u, v):
        return graph.get(u, {}).get(v, 0) - net.get((u, v), 0)

    flow = 0.0
    while flow < limit:
        parents = {source: None}
        queue = deque([source])
        while queue and sink not in parents:
            u = queue.popleft()
            for v in (*graph.get(u, ()), *back.get(u, ())):
                if v not in parents and room(u, v) > 0:
                    parents[v] = u
                    queue.append(v)
        if sink not in parents:
            break
        path, v = [], sink
        while parents[v] is not None:
            path.append((parents[v], v))
            v = parents[v]
        push = min(limit - flow, *(room(u, v) for u, v in path))
        if push == INFINITE:
            return INFINITE
        for u, v in path:
            net[(u, v)] = net.get((u, v), 0) + push
            net[(v, u)] = net.get((v, u), 0) - push
            back.setdefault(v, set()).add(u)
        flow += push
    return flow


def bounds(values, masked, cell, own=None, *, need_low=None, need_high=None, graph=None) -> tuple[float, float]:
    """The smallest and largest value of a masked `cell` a reader can deduce (INFINITE when no
    upper bound exists); `own`: the reader's own parts (same shape), None for the public.
    With need_low / need_high the search stops there: the answer is then only known to reach them.
    graph: the reader's residual graph (_residual), when the caller audits many cells."""
    height, width = len(values), len(values[0])
    i, j = cell
    if cell not in masked:
        return values[i][j], values[i][j]
    u, v = edge(cell, height, width)
    graph = graph if graph is not None else _residual(values, masked, own)
    # Without the cell's own arcs: its value moves only along cycles through the other cells.
    forward, backward = graph.get(u, {}).pop(v, None), graph.get(v, {}).pop(u, None)
    try:
        value = values[i][j]
        floor = own[i][j] if own else 0
        up_limit = INFINITE if need_high is None else max(0, need_high - value)
        down_limit = value - floor if need_low is None else max(0, min(value - floor, value - need_low))
        high = value + _max_flow(graph, v, u, up_limit)
        low = value - _max_flow(graph, u, v, down_limit)
    finally:
        if forward is not None:
            graph[u][v] = forward
        if backward is not None:
            graph[v][u] = backward
    return low, high


def failures(values, masked, protections: list[Protection], owns: dict) -> list[tuple[Protection, float, float]]:
    """The protections the published table does not give: (protection, low reached, high reached)."""
    failed = []
    graphs: dict = {}
    for protection in protections:
        if protection.cell not in masked:
            failed.append((protection, *[values[protection.cell[0]][protection.cell[1]]] * 2))
            continue
        own = owns.get(protection.attacker)
        if protection.attacker not in graphs:
            graphs[protection.attacker] = _residual(values, masked, own)
        low, high = bounds(
            values,
            masked,
            protection.cell,
            own,
            need_low=protection.low,
            need_high=protection.high,
            graph=graphs[protection.attacker],
        )
        if low > protection.low or high < protection.high:
            failed.append((protection, low, high))
    return failed
