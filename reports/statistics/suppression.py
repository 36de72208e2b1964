"""Statistical disclosure control for published cross-association tables: no database, rules as data.

A table of counts is published with its row totals, column totals and grand total. A cell under
the threshold (procedures or victims) is masked (primary suppression). Masking it alone would not
protect it: its row total minus the visible cells gives it back. So every equation of the table
(each row = its total, each column = its total, the totals row and column included) must hold
either no masked value or at least two: when an equation has exactly one, the smallest other
value of that equation is masked too (complementary, or secondary, suppression), preferring
inner cells to totals and non-zero values to zeros (a zero complement can pin a value down), and
the whole is repeated until nothing changes. The stored publication never contains a masked value."""

from dataclasses import dataclass, field

VISIBLE, PRIMARY, SECONDARY = 0, 1, 2


@dataclass
class Suppressed:
    """values[i][j] with the row totals in the last column and the column totals in the last row."""

    values: list[list[int]]
    status: list[list[int]] = field(default_factory=list)

    def cell(self, i: int, j: int) -> int | None:
        return None if self.status[i][j] else self.values[i][j]

    def published(self) -> list[list[int | None]]:
        return [[self.cell(i, j) for j in range(len(row))] for i, row in enumerate(self.values)]

    def marks(self) -> list[list[str]]:
        return [["< 5" if s == PRIMARY else ("s" if s == SECONDARY else "") for s in row] for row in self.status]


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


def suppress(
    inner: list[list[int]], *, threshold: int = 5, victims: list[list[int]] | None = None, margin_victims=None
) -> Suppressed:
    """inner: the counts without margins; victims: the distinct victims of each inner cell (a cell
    about fewer than `threshold` victims is masked however many procedures it holds);
    margin_victims: optional (row totals' victims, column totals' victims, grand total's)."""
    values = with_margins(inner)
    height, width = len(values), len(values[0])
    status = [[VISIBLE] * width for _ in range(height)]
    for i in range(height):
        for j in range(width):
            sensitive = values[i][j] < threshold
            if i < height - 1 and j < width - 1 and victims is not None:
                sensitive = sensitive or victims[i][j] < threshold
            if margin_victims is not None:
                rows_v, columns_v, grand_v = margin_victims
                if j == width - 1 and i < height - 1:
                    sensitive = sensitive or rows_v[i] < threshold
                elif i == height - 1 and j < width - 1:
                    sensitive = sensitive or columns_v[j] < threshold
                elif i == height - 1 and j == width - 1:
                    sensitive = sensitive or grand_v < threshold
            status[i][j] = PRIMARY if sensitive else VISIBLE
    system = equations(height, width)
    changed = True
    while changed:
        changed = False
        for equation in system:
            masked = [coords for coords in equation if status[coords[0]][coords[1]]]
            if len(masked) != 1:
                continue
            total = equation[-1]
            candidates = [coords for coords in equation if not status[coords[0]][coords[1]]]
            candidates.sort(key=lambda c: (c == total, values[c[0]][c[1]] == 0, values[c[0]][c[1]], c))
            i, j = candidates[0]
            status[i][j] = SECONDARY
            changed = True
    return Suppressed(values=values, status=status)


def derivable(published: list[list[int | None]]) -> dict[tuple[int, int], int]:
    """The attack the suppression must resist: solve every equation with a single unknown (total
    minus visible cells), reuse what was found, repeat. Returns what it recovers (should be {})."""
    known = {(i, j): v for i, row in enumerate(published) for j, v in enumerate(row) if v is not None}
    height, width = len(published), len(published[0])
    found: dict[tuple[int, int], int] = {}
    progress = True
    while progress:
        progress = False
        for equation in equations(height, width):
            unknown = [c for c in equation if c not in known]
            if len(unknown) != 1:
                continue
            total, cells = equation[-1], equation[:-1]
            c = unknown[0]
            value = (
                known[total] - sum(known[x] for x in cells if x != c) if c != total else sum(known[x] for x in cells)
            )
            known[c] = found[c] = value
            progress = True
    return found
