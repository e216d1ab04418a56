"""Inline SVG charts, drawn on the server (the page needs no JavaScript). Each is an image with
a title for screen readers, who read the numbers in the table printed beside it; a count that is
not published is drawn as a mark, never as a bar of any height.

Colours: bars #2171b5 on white (5.0:1); a heatmap cell's text is dark on the three light
shades and white on the two dark ones, at least 4.5:1 everywhere (tests/transparency check it).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from flows.transparency.suppression import Cell, Shown

INK = "#1a1a1a"
BAR = "#2171b5"
HIDDEN = "#f0f0f0"  # a count that is not published
# (fill, text) from few to many.
SHADES = (
    ("#eef4fb", INK),
    ("#c6dbef", INK),
    ("#6baed6", INK),
    ("#2171b5", "#ffffff"),
    ("#08306b", "#ffffff"),
)


def short(cell: Cell, k: int) -> str:
    """A count as a chart labels it: the number, "<k", "–" (withheld), or "↓" (a district
    counted in "other districts", the last row)."""
    if cell.shown == Shown.VALUE:
        return str(cell.value)
    if cell.shown == Shown.FOLDED:
        return "↓"
    return f"<{k}" if cell.shown == Shown.FEWER else "–"


def bar_chart(
    *, chart_id: str, title: str, labels: Sequence[str], cells: Sequence[Cell], k: int
) -> str:
    """Vertical bars, one per label (a month); unpublished counts are labelled, not drawn."""
    width, height, top, bottom, left = 480, 230, 24, 46, 4
    step = (width - left) / max(len(labels), 1)
    peak = max((c.value or 0 for c in cells), default=0) or 1
    parts = [_open(chart_id, title, width, height)]
    for index, (label, cell) in enumerate(zip(labels, cells, strict=True)):
        x = left + index * step
        centre = x + step / 2
        value = cell.value or 0
        bar = (height - top - bottom) * value / peak
        base = height - bottom
        if cell.shown == Shown.VALUE and value:
            parts.append(
                f'<rect x="{x + step * 0.15:.1f}" y="{base - bar:.1f}" width="{step * 0.7:.1f}"'
                f' height="{bar:.1f}" fill="{BAR}"/>'
            )
        parts.append(_text(centre, base - bar - 6, short(cell, k), INK, size=12))
        # "Feb 26": the month above its year, so twelve labels fit side by side.
        for line, word in enumerate(label.split(" ", 1)):
            parts.append(_text(centre, height - bottom + 16 + 13 * line, word, INK, size=11))
    parts.append("</svg>")
    return "".join(parts)


def heatmap(
    *,
    chart_id: str,
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[Cell]],
    k: int,
) -> str:
    """A grid of rows (categories, districts) by columns (months), shaded by count."""
    label_width, cell_w, cell_h, head = 190, 44, 26, 30
    width = label_width + cell_w * len(columns)
    height = head + cell_h * len(rows)
    peak = max((c.value or 0 for row in cells for c in row), default=0) or 1
    parts = [_open(chart_id, title, width, height)]
    for col, label in enumerate(columns):
        parts.append(_text(label_width + col * cell_w + cell_w / 2, head - 10, label, INK, 11))
    for r, (label, row) in enumerate(zip(rows, cells, strict=True)):
        y = head + r * cell_h
        parts.append(_text(label_width - 6, y + cell_h / 2 + 4, _clip(label), INK, 12, "end"))
        for col, cell in enumerate(row):
            fill, ink = _shade(cell, peak)
            x = label_width + col * cell_w
            parts.append(
                f'<g><rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}"'
                f' fill="{fill}"/>'
                + _text(x + cell_w / 2, y + cell_h / 2 + 4, short(cell, k), ink, 11)
                + "</g>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _shade(cell: Cell, peak: int) -> tuple[str, str]:
    if cell.shown != Shown.VALUE:
        return HIDDEN, INK
    if not cell.value:
        return "#ffffff", INK
    step = min(len(SHADES) - 1, (cell.value * len(SHADES) - 1) // peak)
    return SHADES[step]


def _open(chart_id: str, title: str, width: int, height: int) -> str:
    return (
        f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-title"'
        f' viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"'
        f' font-family="system-ui, sans-serif"><title id="{chart_id}-title">{escape(title)}'
        f'</title><rect width="{width}" height="{height}" fill="#ffffff"/>'
    )


def _text(x: float, y: float, text: str, fill: str, size: int, anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" fill="{fill}" font-size="{size}"'
        f' text-anchor="{anchor}">{escape(text)}</text>'
    )


def _clip(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
