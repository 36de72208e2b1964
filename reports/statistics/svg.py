"""Charts as SVG drawn in Python for the PDF report: WeasyPrint runs no JavaScript, so the
report's charts are these, from the same figures as the dashboard's."""

from django.utils.html import escape

WIDTH, HEIGHT = 680, 260
COLOUR = "#2f5d8a"


def _frame(body: str, title: str, height: int = HEIGHT) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'font-family="sans-serif" font-size="10">{body}</svg>'
    )


def bars(items: list[tuple[str, float]], *, title: str, limit: int = 20) -> str:
    """Horizontal bars, the largest first (labels on the left, value at the end of each bar)."""
    items = items[:limit]
    if not items:
        return _frame('<text x="10" y="20">Aucune donnée</text>', title, 40)
    row, left, right = 18, 210, 60
    height = row * len(items) + 10
    top = max(value for _label, value in items) or 1
    parts = []
    for index, (label, value) in enumerate(items):
        y = 5 + index * row
        length = (WIDTH - left - right) * value / top
        parts.append(
            f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(str(label)[:38])}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{length:.1f}" height="{row - 6}" fill="{COLOUR}"/>'
            f'<text x="{left + length + 4:.1f}" y="{y + 12}">{_number(value)}</text>'
        )
    return _frame("".join(parts), title, height)


def line(items: list[tuple[str, float]], *, title: str) -> str:
    """A line of values over time, with the first, middle and last labels on the axis."""
    if not items:
        return _frame('<text x="10" y="20">Aucune donnée</text>', title, 40)
    left, bottom, top_margin = 50, 30, 10
    plot_w, plot_h = WIDTH - left - 10, HEIGHT - bottom - top_margin
    top = max(value for _label, value in items) or 1
    step = plot_w / max(len(items) - 1, 1)
    points = " ".join(
        f"{left + index * step:.1f},{top_margin + plot_h - plot_h * value / top:.1f}"
        for index, (_label, value) in enumerate(items)
    )
    parts = [
        f'<line x1="{left}" y1="{top_margin + plot_h}" x2="{WIDTH - 10}" y2="{top_margin + plot_h}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top_margin}" x2="{left}" y2="{top_margin + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top_margin + 8}" text-anchor="end">{_number(top)}</text>',
        f'<text x="{left - 4}" y="{top_margin + plot_h}" text-anchor="end">0</text>',
        f'<polyline points="{points}" fill="none" stroke="{COLOUR}" stroke-width="2"/>',
    ]
    for index in sorted({0, len(items) // 2, len(items) - 1}):
        x = left + index * step
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 10}" text-anchor="middle">{escape(items[index][0])}</text>')
    return _frame("".join(parts), title)


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return f"{int(value):,}".replace(",", "\u202f")
