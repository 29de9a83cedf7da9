"""Inline SVG bar charts for the report: drawn here, no script or library, so they work offline and print."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 190
BAR_WIDTH = 420
VALUE_WIDTH = 90
COLOURS = {"fail": "#c62828", "warn": "#9a6700", "info": "#0969da", "ok": "#1a7f37", "grey": "#8c959f"}


def bar_chart(title: str, items: Sequence[tuple[str, int, int]], colour: str = "fail") -> Markup:
    """Horizontal bars: (label, value, of_total) per row, the value drawn against the largest total."""
    items = list(items)
    scale = max((total for _, _, total in items), default=0) or 1
    height = len(items) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value, total) in enumerate(items):
        y = GAP + i * (BAR_HEIGHT + GAP)
        back = round(BAR_WIDTH * total / scale, 1)
        front = round(BAR_WIDTH * value / scale, 1)
        text_y = y + BAR_HEIGHT - 4
        parts += [
            f'<text x="{LABEL_WIDTH - 6}" y="{text_y}" text-anchor="end">{escape(_short(label))}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{back}" height="{BAR_HEIGHT}" fill="#eaeef2"/>',
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{front}" height="{BAR_HEIGHT}" fill="{COLOURS[colour]}"/>',
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{text_y}">{value:,} / {total:,}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(label: str, limit: int = 14) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
