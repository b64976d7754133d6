"""The charts' SVG vocabulary and theme: colours, the plot frame, value axes, text,
lines, legends and the document around them (:mod:`learnplan.render.chart` draws the
charts with them).

Text and axes use ``currentColor`` so an inline chart takes the page's text colour (the
Anki panel in night mode, the HTML report in either scheme); series use mid-tone colours
that read on light and dark backgrounds alike. ``standalone=True`` adds a background and
a ``prefers-color-scheme`` rule, for files shown on their own (``<img>`` in a blog post).
Every piece of text is XML-escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from learnplan.figures import format as fmt

#: Series colours, chosen to keep contrast on white and on near-black.
PALETTE = (
    "#3b82f6",
    "#f59e0b",
    "#10b981",
    "#8b5cf6",
    "#06b6d4",
    "#ec4899",
    "#84cc16",
    "#f97316",
    "#14b8a6",
    "#eab308",
    "#6366f1",
    "#d946ef",
)  # no red: red is kept for the capacity and target lines
EARNED = "#10b981"
SPENT = "#f59e0b"
CAPACITY = "#ef4444"
TODAY = "#3b82f6"
OTHER = "#9ca3af"

WIDTH = 640
#: Burn-up plot area (SVG units): x from LEFT to RIGHT, y from TOP (max) to BOTTOM (0).
LEFT, RIGHT, TOP, BOTTOM = 56.0, 624.0, 44.0, 264.0
BURNUP_HEIGHT = 300

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


@dataclass(frozen=True)
class Frame:
    """Maps data (x, y) to SVG coordinates inside a plot area."""

    left: float
    right: float
    top: float
    bottom: float
    xmax: float
    ymax: float

    def x(self, value: float) -> float:
        return self.left + (self.right - self.left) * value / self.xmax

    def y(self, value: float) -> float:
        return self.bottom - (self.bottom - self.top) * value / self.ymax


def axis(value: float) -> tuple[float, float]:
    """(maximum, step) of a value axis reaching ``value`` in about four round steps."""
    if value <= 0 or not math.isfinite(value):
        return 1.0, 0.25
    raw = value / 4
    scale = 10.0 ** math.floor(math.log10(raw))
    step = next(m * scale for m in (1, 2, 2.5, 5, 10) if m * scale >= raw - 1e-12)
    return round(step * math.ceil(value / step - 1e-9), 9), step


def ticks(top: float, step: float) -> list[float]:
    return [round(step * i, 9) for i in range(round(top / step) + 1)]


def px(value: float) -> str:
    """A coordinate: two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def text_at(x: float, y: float, content: str, *, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{px(x)}" y="{px(y)}" text-anchor="{anchor}"{extra}>{escape(content)}</text>'


def value_grid(f: Frame, step: float) -> list[str]:
    """Horizontal grid lines and their labels on the left."""
    values = ticks(f.ymax, step)
    out = ['<g class="lp-axes" stroke="currentColor" stroke-opacity="0.18">']
    out += [
        f'<line x1="{px(f.left)}" x2="{px(f.right)}" y1="{px(f.y(v))}" y2="{px(f.y(v))}"/>'
        for v in values
    ]
    out.append("</g>")
    out += [text_at(f.left - 6, f.y(v) + 4, fmt.tick(v), anchor="end") for v in values]
    return out


def polyline(pts: Iterable[tuple[float, float]], cls: str, style: str) -> str:
    coords = " ".join(f"{px(x)},{px(y)}" for x, y in pts)
    return f'<polyline class="{cls}" points="{coords}" fill="none" {style}/>'


def svg_document(
    width: float, height: float, title: str, body: Sequence[str], standalone: bool
) -> str:
    style = ""
    if standalone:
        # Shown on its own the chart has no page colour to inherit: give it one per scheme.
        style = (
            "<style>svg.lp-chart{color:#1f2937}.lp-bg{fill:#ffffff}"
            "@media (prefers-color-scheme: dark){svg.lp-chart{color:#e5e7eb}"
            ".lp-bg{fill:#111827}}</style>"
            f'<rect class="lp-bg" x="0" y="0" width="{px(width)}" height="{px(height)}"/>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lp-chart" role="img" '
        f'viewBox="0 0 {px(width)} {px(height)}" width="{px(width)}" height="{px(height)}" '
        f'font-family="{FONT}" font-size="12" fill="currentColor">'
        f"<title>{escape(title)}</title>{style}{''.join(body)}</svg>"
    )


def legend(items: Sequence[tuple[str, str, str]], x: float, y: float, width: float) -> str:
    """(label, colour, dash) items laid out left to right, wrapping at ``width``."""
    out = ['<g class="lp-legend">']
    cx, cy = x, y
    for label, colour, dash in items:
        w = 28 + 6.6 * len(label)
        if cx + w > x + width and cx > x:
            cx, cy = x, cy + 18
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{px(cx)}" y1="{px(cy - 4)}" x2="{px(cx + 18)}" y2="{px(cy - 4)}" '
            f'stroke="{colour}" stroke-width="3"{dash_attr}/>'
        )
        out.append(text_at(cx + 22, cy, label))
        cx += w + 10
    out.append("</g>")
    return "".join(out)
