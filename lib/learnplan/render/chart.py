"""SVG charts of a :class:`~learnplan.progress.snapshot.Snapshot`: plain strings, no JavaScript.

Text and axes use ``currentColor`` so an inline chart takes the page's text colour (the
Anki panel in night mode, the HTML report in either scheme); series use mid-tone colours
that read on light and dark backgrounds alike. ``standalone=True`` adds a background and
a ``prefers-color-scheme`` rule, for files shown on their own (``<img>`` in a blog post).
Every piece of learner text is XML-escaped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from learnplan.progress.snapshot import Snapshot

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

_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


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


def _ticks(top: float, step: float) -> list[float]:
    return [round(step * i, 9) for i in range(round(top / step) + 1)]


def _n(value: float) -> str:
    """A coordinate: two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text(x: float, y: float, content: str, *, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{extra}>{escape(content)}</text>'


def _value_grid(f: Frame, step: float) -> list[str]:
    """Horizontal grid lines and their labels on the left."""
    ticks = _ticks(f.ymax, step)
    out = ['<g class="lp-axes" stroke="currentColor" stroke-opacity="0.18">']
    out += [
        f'<line x1="{_n(f.left)}" x2="{_n(f.right)}" y1="{_n(f.y(v))}" y2="{_n(f.y(v))}"/>'
        for v in ticks
    ]
    out.append("</g>")
    out += [_text(f.left - 6, f.y(v) + 4, f"{v:g}", anchor="end") for v in ticks]
    return out


def _polyline(pts: Iterable[tuple[float, float]], cls: str, style: str) -> str:
    coords = " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)
    return f'<polyline class="{cls}" points="{coords}" fill="none" {style}/>'


def _svg(width: float, height: float, title: str, body: Sequence[str], standalone: bool) -> str:
    style = ""
    if standalone:
        # Shown on its own the chart has no page colour to inherit: give it one per scheme.
        style = (
            "<style>svg.lp-chart{color:#1f2937}.lp-bg{fill:#ffffff}"
            "@media (prefers-color-scheme: dark){svg.lp-chart{color:#e5e7eb}"
            ".lp-bg{fill:#111827}}</style>"
            f'<rect class="lp-bg" x="0" y="0" width="{_n(width)}" height="{_n(height)}"/>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lp-chart" role="img" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}" '
        f'font-family="{_FONT}" font-size="12" fill="currentColor">'
        f"<title>{escape(title)}</title>{style}{''.join(body)}</svg>"
    )


def _legend(items: Sequence[tuple[str, str, str]], x: float, y: float, width: float) -> str:
    """(label, colour, dash) items laid out left to right, wrapping at ``width``."""
    out = ['<g class="lp-legend">']
    cx, cy = x, y
    for label, colour, dash in items:
        w = 28 + 6.6 * len(label)
        if cx + w > x + width and cx > x:
            cx, cy = x, cy + 18
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{_n(cx)}" y1="{_n(cy - 4)}" x2="{_n(cx + 18)}" y2="{_n(cy - 4)}" '
            f'stroke="{colour}" stroke-width="3"{dash_attr}/>'
        )
        out.append(_text(cx + 22, cy, label))
        cx += w + 10
    out.append("</g>")
    return "".join(out)


def burnup_svg(snapshot: Snapshot, *, standalone: bool = False) -> str:
    """Burn-up: planned, earned and spent points by day; total, capacity, today, forecast."""
    s = snapshot
    pts = s.burnup
    last_n = pts[-1].day_number if pts else s.total_days
    forecast_n = (s.forecast - s.start).days + 1 if s.forecast else None
    xmax = max(last_n, s.total_days, 1)
    if forecast_n is not None:
        # A far-off forecast would squash the plan; beyond 3× its length the line is clipped.
        xmax = max(xmax, min(forecast_n, 3 * s.total_days))
    highest = max(
        [s.total, s.capacity if math.isfinite(s.capacity) else 0.0]
        + [p.total for p in pts]
        + [p.spent for p in pts if p.spent is not None]
        + [p.earned for p in pts if p.earned is not None]
    )
    ymax, step = axis(highest * 1.04)
    f = Frame(LEFT, RIGHT, TOP, BOTTOM, float(xmax), ymax)
    body = _value_grid(f, step)
    week_step = max(1, math.ceil(xmax / 7 / 16))
    for week in range(0, xmax // 7 + 1, week_step):
        x = f.x(week * 7)
        body.append(
            f'<line x1="{_n(x)}" x2="{_n(x)}" y1="{_n(BOTTOM)}" y2="{_n(BOTTOM + 4)}" '
            'stroke="currentColor" stroke-opacity="0.5"/>'
        )
        body.append(_text(x, BOTTOM + 17, str(week), anchor="middle"))
    body.append(_text((LEFT + RIGHT) / 2, BOTTOM + 32, "week", anchor="middle"))
    body.append(_text(14, TOP - 8, "points", extra=' font-weight="600"'))

    # capacity, plan total and forecast; their labels never overlap (_total_label)
    labels: list[_Box] = []
    if math.isfinite(s.capacity) and s.capacity <= f.ymax:
        yc = f.y(s.capacity)
        body.append(
            f'<line class="lp-capacity" x1="{_n(LEFT)}" x2="{_n(RIGHT)}" y1="{_n(yc)}" '
            f'y2="{_n(yc)}" stroke="{CAPACITY}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        text = f"capacity {s.capacity:.1f}"
        labels.append(_Box.of(RIGHT - 4, yc - 5, text, "end"))
        body.append(_text(RIGHT - 4, yc - 5, text, anchor="end", extra=f' fill="{CAPACITY}"'))
    forecast_line: tuple[float, float, float, float] | None = None
    if forecast_n is not None and 0 <= s.day_number < forecast_n:
        # from today's earned to the total on the forecast day
        x1, y1 = float(s.day_number), s.earned
        x2, y2 = float(forecast_n), s.total
        if x2 > xmax:  # clip at the chart's edge along the same line
            y2 = y1 + (y2 - y1) * (xmax - x1) / (x2 - x1)
            x2 = float(xmax)
        forecast_line = (x1, y1, x2, y2)
        if forecast_n <= xmax:
            text = f"forecast wk {s.forecast_week}"
            anchor = "end" if f.x(x2) > RIGHT - 60 else "middle"
            labels.append(_Box.of(f.x(x2), f.y(y2) - 8, text, anchor))
            body.append(_text(f.x(x2), f.y(y2) - 8, text, anchor=anchor, extra=f' fill="{EARNED}"'))
    if pts:
        body.append(
            _polyline(
                ((f.x(p.day_number), f.y(p.total)) for p in pts),
                "lp-total",
                'stroke="currentColor" stroke-opacity="0.45" stroke-width="1"',
            )
        )
        body.append(_total_label(f, pts[-1].total, s.day_number, labels))
        body.append(
            _polyline(
                ((f.x(p.day_number), f.y(p.planned)) for p in pts),
                "lp-planned",
                'stroke="currentColor" stroke-opacity="0.7" stroke-width="2" '
                'stroke-dasharray="2 3"',
            )
        )
        spent = [(f.x(p.day_number), f.y(p.spent)) for p in pts if p.spent is not None]
        earned = [(f.x(p.day_number), f.y(p.earned)) for p in pts if p.earned is not None]
        if spent:
            body.append(_polyline(spent, "lp-spent", f'stroke="{SPENT}" stroke-width="2"'))
        if earned:
            body.append(_polyline(earned, "lp-earned", f'stroke="{EARNED}" stroke-width="3"'))
    if forecast_line is not None:
        x1, y1, x2, y2 = forecast_line
        body.append(
            f'<line class="lp-forecast" x1="{_n(f.x(x1))}" y1="{_n(f.y(y1))}" '
            f'x2="{_n(f.x(x2))}" y2="{_n(f.y(y2))}" stroke="{EARNED}" stroke-width="2" '
            'stroke-dasharray="7 5"/>'
        )

    # today
    if 0 <= s.day_number <= xmax:
        xt = f.x(s.day_number)
        body.append(
            f'<line class="lp-today" x1="{_n(xt)}" x2="{_n(xt)}" y1="{_n(TOP)}" '
            f'y2="{_n(BOTTOM)}" stroke="{TODAY}" stroke-width="1.5"/>'
        )
        # Beside the line rather than centred on it, so that near the left edge the label
        # clears the "points" axis title and near the right edge it stays inside the chart.
        if xt < LEFT + 40:
            tx, anchor = xt + 4, "start"
        elif xt > RIGHT - 40:
            tx, anchor = xt - 4, "end"
        else:
            tx, anchor = xt, "middle"
        body.append(_text(tx, TOP - 4, "today", anchor=anchor, extra=f' fill="{TODAY}"'))

    body.append(
        _legend(
            [
                ("planned", "currentColor", "2 3"),
                ("earned", EARNED, ""),
                ("spent", SPENT, ""),
                ("forecast", EARNED, "7 5"),
                ("capacity", CAPACITY, "6 4"),
            ],
            LEFT + 60,
            16,
            RIGHT - LEFT - 60,
        )
    )
    title = (
        f"{s.title}: burn-up — {s.earned:.1f} of {s.total:.1f} points earned, "
        f"{s.planned:.1f} planned by week {s.week}"
    )
    return _svg(WIDTH, BURNUP_HEIGHT, title, body, standalone)


#: A generous width of one character of the 12 px labels (most are narrower), so that
#: labels laid out apart stay apart whatever font the browser picks.
_CHAR = 7.2
_GAP = 8.0


@dataclass(frozen=True)
class _Box:
    """Where a label's text lies (SVG units), to keep other labels clear of it."""

    left: float
    top: float
    right: float
    bottom: float

    @classmethod
    def of(cls, x: float, y: float, text: str, anchor: str = "start") -> _Box:
        width = _CHAR * len(text)
        left = x - width if anchor == "end" else x - width / 2 if anchor == "middle" else x
        return cls(left, y - 11, left + width, y + 2)

    def clear_of(self, other: _Box) -> bool:
        return (
            self.right + _GAP <= other.left
            or other.right + _GAP <= self.left
            or self.bottom <= other.top
            or other.bottom <= self.top
        )


def _total_label(f: Frame, total: float, today_n: int, others: Sequence[_Box]) -> str:
    """The "plan total" label on its line, clear of the today line, the top label row
    and the ``others`` labels (capacity, forecast).

    From today on the total line is flat (re-allocations count up to today), so the
    words sit best right of the today line, on the value they name; else at the left,
    left of the today line, or right of the other labels. When none of these is free the
    label goes under the line.
    """
    text = f"plan total {total:.1f}"
    width = _CHAR * len(text)
    xt = f.x(today_n) if 0 <= today_n <= f.xmax else None
    y = f.y(total) - 5
    if y < f.top + 12:  # too close to the "today" label above the plot: go under the line
        y = f.y(total) + 14
    candidates = [f.left + 4]
    if xt is not None:
        candidates = [xt + 6, f.left + 4, xt - 6 - width]
    candidates += [box.right + _GAP for box in others]
    for x in candidates:
        box = _Box.of(x, y, text)
        crosses_today = xt is not None and box.left - 4 <= xt <= box.right + 4
        inside = f.left <= box.left and box.right <= f.right
        if inside and not crosses_today and all(box.clear_of(o) for o in others):
            return _text(x, y, text)
    y = f.y(total) + 14  # under the line: below the other labels' row
    x = xt + 6 if xt is not None and xt + 6 + width <= f.right else f.left + 4
    return _text(x, y, text)


def _course_colours(snapshot: Snapshot) -> dict[str, str]:
    return {c.id: PALETTE[i % len(PALETTE)] for i, c in enumerate(snapshot.courses)}


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def weekly_hours_svg(snapshot: Snapshot, *, standalone: bool = False) -> str:
    """Hours per week stacked by course, with the weekly target as a line."""
    s = snapshot
    colours = _course_colours(s)
    titles = {c.id: c.title for c in s.courses}
    weeks = s.weekly
    n = max(len(weeks), 1)
    totals = [sum(w.values()) for w in weeks]
    top, bottom = 30.0, 230.0
    ymax, step = axis(max([s.week_target, *totals]) * 1.04)
    f = Frame(LEFT, RIGHT, top, bottom, float(n), ymax)
    slot = (RIGHT - LEFT) / n
    bar = slot * 0.7
    body = _value_grid(f, step)
    body.append(_text(14, top - 12, "hours a week", extra=' font-weight="600"'))

    used: list[str] = []
    for index, week in enumerate(weeks):
        x = LEFT + slot * index + (slot - bar) / 2
        base = 0.0
        if index + 1 == s.week:
            body.append(
                f'<rect class="lp-this-week" x="{_n(LEFT + slot * index)}" y="{_n(top)}" '
                f'width="{_n(slot)}" height="{_n(bottom - top)}" fill="{TODAY}" '
                'fill-opacity="0.10"/>'
            )
        for course_id, hours in week.items():
            if hours <= 0:
                continue
            colour = colours.get(course_id, OTHER)
            if course_id not in used:
                used.append(course_id)
            y_top, y_base = f.y(base + hours), f.y(base)
            label = titles.get(course_id, course_id)
            body.append(
                f'<rect class="lp-bar" data-week="{index + 1}" data-course={quoteattr(course_id)} '
                f'x="{_n(x)}" y="{_n(y_top)}" width="{_n(bar)}" height="{_n(y_base - y_top)}" '
                f'fill="{colour}"><title>{escape(f"Week {index + 1}: {label}: {hours:.1f} h")}'
                "</title></rect>"
            )
            base += hours
        if len(weeks) <= 26 or (index + 1) % 2 == 0:
            body.append(
                _text(LEFT + slot * (index + 0.5), bottom + 16, str(index + 1), anchor="middle")
            )
    yt = f.y(s.week_target)
    body.append(
        f'<line class="lp-target" x1="{_n(LEFT)}" x2="{_n(RIGHT)}" y1="{_n(yt)}" y2="{_n(yt)}" '
        f'stroke="{CAPACITY}" stroke-width="1.5" stroke-dasharray="6 4"/>'
    )
    body.append(
        _text(
            RIGHT - 4,
            yt - 5,
            f"target {s.week_target:g} h",
            anchor="end",
            extra=f' fill="{CAPACITY}"',
        )
    )
    body.append(_text((LEFT + RIGHT) / 2, bottom + 31, "week", anchor="middle"))

    # legend: one row per two courses, below the axis
    legend_top = bottom + 52
    col = (RIGHT - LEFT) / 2
    for i, course_id in enumerate(used):
        x = LEFT + col * (i % 2)
        y = legend_top + 18 * (i // 2)
        body.append(
            f'<rect x="{_n(x)}" y="{_n(y - 9)}" width="10" height="10" '
            f'fill="{colours.get(course_id, OTHER)}"/>'
        )
        body.append(_text(x + 15, y, _short(titles.get(course_id, course_id), 40)))
    height = legend_top + 18 * ((len(used) + 1) // 2) + 6
    title = f"{s.title}: hours a week by course (target {s.week_target:g} h)"
    return _svg(WIDTH, height, title, body, standalone)


def course_bars_svg(snapshot: Snapshot, *, standalone: bool = False) -> str:
    """One row per course: budget (FTE) as an outline, earned filled, planned as a tick."""
    s = snapshot
    colours = _course_colours(s)
    row_h = 24.0
    top = 34.0
    left, right = 292.0, RIGHT - 70
    biggest = max([c.fte for c in s.courses] + [c.earned for c in s.courses] + [0.1])
    f = Frame(left, right, top, top, biggest, 1.0)
    body: list[str] = [
        _text(14, 18, "points per course: earned of budget", extra=' font-weight="600"')
    ]
    for i, c in enumerate(s.courses):
        y = top + row_h * i
        colour = colours[c.id]
        label = _short(f"{c.provider}: {c.title}" if c.provider else c.title, 42)
        body.append(
            f'<g class="lp-course" data-course={quoteattr(c.id)}>'
            f"<title>{escape(f'{c.provider} — {c.title}')}</title>"
        )
        body.append(_text(left - 8, y + 14, label, anchor="end"))
        body.append(
            f'<rect class="lp-budget" x="{_n(f.x(0))}" y="{_n(y + 4)}" '
            f'width="{_n(f.x(c.fte) - f.x(0))}" height="14" fill="{colour}" fill-opacity="0.15" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        if c.earned > 0:
            body.append(
                f'<rect class="lp-earned" x="{_n(f.x(0))}" y="{_n(y + 4)}" '
                f'width="{_n(f.x(c.earned) - f.x(0))}" height="14" fill="{colour}"/>'
            )
        if c.planned > 0:
            xp = f.x(c.planned)
            body.append(
                f'<line class="lp-planned" x1="{_n(xp)}" x2="{_n(xp)}" y1="{_n(y + 1)}" '
                f'y2="{_n(y + 21)}" stroke="currentColor" stroke-width="2"/>'
            )
        body.append(_text(right + 8, y + 15, f"{c.earned:.2f} / {c.fte:.2f}"))
        body.append("</g>")
    height = top + row_h * len(s.courses) + 30
    ly = height - 10
    body.append(
        '<g class="lp-legend">'
        f'<rect x="{_n(left)}" y="{_n(ly - 10)}" width="18" height="11" fill="currentColor" '
        'fill-opacity="0.7"/>'
        + _text(left + 23, ly, "earned")
        + f'<rect x="{_n(left + 90)}" y="{_n(ly - 10)}" width="18" height="11" fill="none" '
        'stroke="currentColor"/>'
        + _text(left + 113, ly, "budget (FTE)")
        + f'<line x1="{_n(left + 215)}" x2="{_n(left + 215)}" y1="{_n(ly - 12)}" '
        f'y2="{_n(ly + 2)}" stroke="currentColor" stroke-width="2"/>'
        + _text(left + 222, ly, "planned by today")
        + "</g>"
    )
    title = f"{s.title}: points earned per course against each course's budget"
    return _svg(WIDTH, height, title, body, standalone)
