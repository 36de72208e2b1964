"""k-suppression of the cross-association aggregate, complementary cells included."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.statistics.suppression import PRIMARY, SECONDARY, VISIBLE, derivable, equations, suppress


def test_a_cell_under_the_threshold_is_masked_and_so_is_its_complement():
    table = suppress([[3, 40, 25], [12, 30, 18]])
    assert table.status[0][0] == PRIMARY
    assert table.marks()[0][0] == "< 5"
    # Its row and its column each lose one more value: the smallest other one.
    assert table.status[1][0] == SECONDARY
    assert table.status[0][2] == SECONDARY
    assert derivable(table.published()) == {}


def test_a_cell_about_fewer_than_five_victims_is_masked_whatever_its_procedures():
    table = suppress([[30, 40], [50, 60]], victims=[[2, 9], [9, 9]])
    assert table.status[0][0] == PRIMARY
    assert derivable(table.published()) == {}


def test_a_small_total_is_masked_with_a_complement():
    table = suppress([[1, 2], [20, 30]])
    assert table.status[0][2] == PRIMARY  # row total 3
    assert derivable(table.published()) == {}


def test_a_table_without_small_cells_is_published_whole():
    table = suppress([[10, 20], [30, 40]])
    assert all(status == VISIBLE for row in table.status for status in row)
    assert table.published()[2][2] == 100


def _feasible_values(published, true_values, cell):
    """Values the masked cell can take while every equation holds, each masked value searched in
    [true - 3, true + 3] and never below zero: a second value found means it is not pinned down."""
    height, width = len(published), len(published[0])
    unknown = [(i, j) for i in range(height) for j in range(width) if published[i][j] is None]
    system = equations(height, width)
    found = set()
    ranges = [range(max(0, true_values[i][j] - 3), true_values[i][j] + 4) for i, j in unknown]
    for values in itertools.product(*ranges):
        grid = [row[:] for row in published]
        for (i, j), value in zip(unknown, values, strict=True):
            grid[i][j] = value
        if all(sum(grid[i][j] for i, j in eq[:-1]) == grid[eq[-1][0]][eq[-1][1]] for eq in system):
            found.add(grid[cell[0]][cell[1]])
            if len(found) > 1:
                break
    return found


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda height: st.integers(min_value=1, max_value=4).flatmap(
            lambda width: st.lists(
                st.lists(st.integers(min_value=0, max_value=40), min_size=width, max_size=width),
                min_size=height,
                max_size=height,
            )
        )
    )
)
def test_no_masked_value_can_be_derived_from_totals_minus_visible_cells(inner):
    table = suppress(inner)
    published = table.published()
    assert derivable(published) == {}
    for i, row in enumerate(table.status):
        for j, status in enumerate(row):
            if status == PRIMARY:
                assert published[i][j] is None


@pytest.mark.parametrize(
    "inner",
    [[[3, 40, 25], [12, 30, 18]], [[2, 7], [9, 3]], [[1, 16], [17, 9], [6, 9]], [[4, 6], [6, 8]]],
)
def test_each_masked_value_has_several_possible_values(inner):
    table = suppress(inner)
    published = table.published()
    masked = [(i, j) for i, row in enumerate(published) for j, value in enumerate(row) if value is None]
    assert 0 < len(masked) <= 6  # small enough for the brute force
    for cell in masked:
        assert len(_feasible_values(published, table.values, cell)) > 1, cell
