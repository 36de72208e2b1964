"""Statistical disclosure control of the cross-association table, without a database: the interval
audit checked against brute force, the issue's counter-examples, and random tables."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.statistics.audit import INFINITE, Protection, bounds, failures
from reports.statistics.suppression import PRIMARY, VISIBLE, audit, suppress, with_margins

ACPE, IED = 1, 2


def _completions(values, masked, cell, own, cap):
    height, width = len(values), len(values[0])
    unknown = [(i, j) for i in range(height - 1) for j in range(width - 1) if (i, j) in masked]
    seen = set()
    for guess in itertools.product(*[range(own[i][j], cap + 1) for i, j in unknown]):
        inner = [[values[i][j] for j in range(width - 1)] for i in range(height - 1)]
        for (i, j), value in zip(unknown, guess, strict=True):
            inner[i][j] = value
        full = with_margins(inner)
        if all(
            (full[i][j] >= own[i][j]) if (i, j) in masked else full[i][j] == values[i][j]
            for i in range(height)
            for j in range(width)
        ):
            seen.add(full[cell[0]][cell[1]])
    return min(seen), max(seen)


def _brute_force(values, masked, cell, own=None):
    """The smallest and largest value of `cell` over the integer completions of the masked inner
    cells (margins follow from them): published values kept, each masked value at least the
    reader's own part (0 for the public). A maximum that still grows with the search range is unbounded."""
    own = own or [[0] * len(row) for row in values]
    cap = max(v for row in values for v in row) + 2
    low, high = _completions(values, masked, cell, own, cap)
    _low, higher = _completions(values, masked, cell, own, cap + 3)
    return low, (INFINITE if higher > high else high)


def _masked_tables():
    def table(draw):
        height = draw(st.integers(1, 3))
        width = draw(st.integers(1, 3))
        inner = [[draw(st.integers(0, 4)) for _ in range(width)] for _ in range(height)]
        values = with_margins(inner)
        cells = [(i, j) for i in range(height + 1) for j in range(width + 1)]
        masked = {c for c in cells if draw(st.booleans())}
        inner_masked = [c for c in masked if c[0] < height and c[1] < width]
        if not masked or len(inner_masked) > 2:
            masked = set(cells[:1])
        own = [[draw(st.integers(0, v)) for v in row] for row in inner]
        return values, masked, with_margins(own)

    return st.composite(lambda draw: table(draw))()


@settings(max_examples=120, deadline=None)
@given(_masked_tables(), st.booleans())
def test_the_audit_bounds_are_the_exact_bounds_a_brute_force_finds(case, as_association):
    values, masked, own = case
    own = own if as_association else None
    for cell in masked:
        low, high = bounds(values, masked, cell, own)
        assert (low, high) == _brute_force(values, masked, cell, own), cell


# --- The counter-examples ---------------------------------------------------------------


def test_an_association_cannot_subtract_its_own_figures_from_a_cell():
    """Attack (b): ACPE learnt IED's 2 at Bastia in 2022 as the published 5 minus its own 3."""
    acpe = [[3, 20], [15, 0]]
    ied = [[2, 0], [10, 30]]
    inner = [[5, 20], [25, 30]]
    table = suppress(inner, parts={ACPE: acpe, IED: ied})
    assert table.published()[0][0] is None
    low, high = bounds(table.values, table.masked, (0, 0), with_margins(acpe))
    assert low == 3 and high >= 3 + 4  # ACPE cannot tell IED's part from 0 nor from 4
    assert audit(table, {ACPE: acpe, IED: ied}) == []


def test_padding_a_cell_with_ones_own_imports_does_not_reveal_the_others_count():
    """Attack (c): importing 4 procedures turned « < 5 » into 5 and revealed the other's 1."""
    padder = [[4, 12], [9, 7]]
    other = [[1, 10], [8, 0]]
    inner = [[5, 22], [17, 7]]
    table = suppress(inner, parts={ACPE: padder, IED: other})
    assert table.published()[0][0] is None
    low, high = bounds(table.values, table.masked, (0, 0), with_margins(padder))
    assert low == 4 and high >= 4 + 4  # the padder cannot tell the other's 1 from 0 nor from 4
    assert audit(table, {ACPE: padder, IED: other}) == []


def test_the_grand_total_is_masked_when_it_is_small_for_one_association():
    """Attack (d) starts here: a total that must not be printed is a masked cell of the table."""
    inner = [[6, 7]]
    table = suppress(inner, parts={ACPE: [[6, 6]], IED: [[0, 1]]})
    assert table.published()[-1][-1] is None
    assert audit(table, {ACPE: [[6, 6]], IED: [[0, 1]]}) == []


def test_a_masked_zero_counts_for_no_protection():
    """Attack (e): the old rule (no line with exactly one masked value) masked the 2, its zero
    neighbour and two complements; the row then says 2 + 0 = 2: the 2 lies in [0, 2], never 3
    or 4, although « < 5 » promised [0, 4]. The zero can rise, not fall: it protects nothing."""
    values = with_margins([[2, 0, 30], [40, 50, 60]])
    old_masked = {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert bounds(values, old_masked, (0, 0)) == (0, 2)
    assert failures(values, old_masked, [Protection((0, 0), None, 0, 4)], {})
    table = suppress([[2, 0, 30], [40, 50, 60]])
    low, high = bounds(table.values, table.masked, (0, 0))
    assert low == 0 and high >= 4
    assert audit(table) == []


def test_cells_the_old_rule_accepted_are_narrowed_and_the_audit_rejects_them():
    """Attack (e): four 1s masking each other (two masked values in every line, as the old rule
    asked) are each narrowed to [0, 2]: a row total of 22 minus its published 20 leaves 2."""
    values = with_margins([[1, 1, 20], [1, 1, 30], [25, 35, 45]])
    old_masked = {(0, 0), (0, 1), (1, 0), (1, 1)}
    needed = [Protection(cell, None, 0, 4) for cell in old_masked]
    assert bounds(values, old_masked, (0, 0)) == (0, 2)
    assert len(failures(values, old_masked, needed, {})) == 4
    table = suppress([[1, 1, 20], [1, 1, 30], [25, 35, 45]])
    assert audit(table) == []


def test_two_cumulative_releases_each_safe_alone_subtract_into_a_month():
    """Attack (a): January–February, then January–March, by court: neither has a small cell, the
    difference is March's 2 at the first court. Hence fixed periods, each published once and never
    overlapping (publication.Period, the model's exclusion constraint)."""
    january_february = suppress([[12], [30]])
    january_march = suppress([[14], [35]])
    assert audit(january_february) == [] and audit(january_march) == []
    assert january_march.published()[0][0] - january_february.published()[0][0] == 2


def test_a_platform_filtered_table_and_the_unfiltered_one_subtract_into_a_one():
    """Attack (e), filtered table: each release passes the audit alone, their difference is the
    other platforms' 1. Hence no filter is publishable (forms.PublishForm, the model's check)."""
    unfiltered = suppress([[6, 12], [10, 9]])
    coco = suppress([[5, 12], [10, 9]])
    assert audit(unfiltered) == [] and audit(coco) == []
    assert unfiltered.published()[0][0] - coco.published()[0][0] == 1


def test_a_cell_small_only_in_victims_is_protected_around_its_count():
    table = suppress([[30, 40], [50, 60]], victims=with_margins([[2, 9], [9, 9]]))
    assert table.status[0][0] == PRIMARY
    low, high = bounds(table.values, table.masked, (0, 0))
    assert low <= 26 and high >= 34
    assert audit(table) == []


def test_a_table_without_small_cells_is_published_whole():
    table = suppress([[10, 20], [30, 40]], parts={ACPE: [[5, 10], [15, 20]], IED: [[5, 10], [15, 20]]})
    assert all(status == VISIBLE for row in table.status for status in row)
    assert table.published()[2][2] == 100


def test_a_single_contributor_cell_is_not_masked_for_its_own_association():
    """An association alone in a cell learns that nobody else is there (others' part 0): no count
    of anyone else is disclosed, so the contributor rule leaves it."""
    table = suppress([[12, 20], [30, 40]], parts={ACPE: [[12, 10], [15, 20]], IED: [[0, 10], [15, 20]]})
    assert table.published()[0][0] == 12


def test_every_masked_cell_carries_the_same_mark():
    table = suppress([[3, 40, 25], [12, 30, 18]])
    marks = {mark for row in table.marks() for mark in row if mark}
    assert marks == {"s"}  # a « < 5 » mark was an upper bound for the solver


# --- Random tables ------------------------------------------------------------------------------


def _tables_with_parts(largest: int = 9, size: int = 6):
    def table(draw):
        height, width = draw(st.integers(1, size)), draw(st.integers(1, size))
        count = draw(st.integers(1, 3))
        parts = {
            association: [[draw(st.integers(0, largest)) for _ in range(width)] for _ in range(height)]
            for association in range(1, count + 1)
        }
        inner = [[sum(parts[a][i][j] for a in parts) for j in range(width)] for i in range(height)]
        return inner, parts

    return st.composite(lambda draw: table(draw))()


@settings(max_examples=150, deadline=None)
@given(_tables_with_parts())
def test_random_tables_pass_the_audit_for_the_public_and_every_association(case):
    inner, parts = case
    table = suppress(inner, parts=parts)
    assert audit(table, parts) == []
    published = table.published()
    for protection in table.protections:
        assert published[protection.cell[0]][protection.cell[1]] is None


@settings(max_examples=60, deadline=None)
@given(_tables_with_parts(largest=3, size=3))
def test_a_brute_force_attack_on_random_suppressed_tables_narrows_no_protected_cell(case):
    inner, parts = case
    table = suppress(inner, parts=parts)
    if sum(1 for i, j in table.masked if i < len(inner) and j < len(inner[0])) > 3:
        return  # too many unknowns for the brute force; the audit alone covers it above
    owns = {a: with_margins(p) for a, p in parts.items()}
    for protection in table.protections:
        low, high = _brute_force(table.values, table.masked, protection.cell, owns.get(protection.attacker))
        assert low <= protection.low
        assert high >= protection.high


def test_an_unbounded_cell_reports_infinity():
    values = with_margins([[3, 9]])
    assert bounds(values, {(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)}, (0, 0))[1] == INFINITE
