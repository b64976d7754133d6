"""SVG charts of a :class:`~learnplan.progress.snapshot.Snapshot`, as plain strings with no
JavaScript: the burn-up, hours a week by course, and points per course.

They are drawn with :mod:`learnplan.render.svg` (colours, frame, axes, text); every
number they print is written by :mod:`learnplan.figures.format`, as the panel and the
report write it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from learnplan.figures import format as fmt
from learnplan.progress.snapshot import Snapshot
from learnplan.render.svg import (
    BOTTOM,
    BURNUP_HEIGHT,
    CAPACITY,
    EARNED,
    LEFT,
    OTHER,
    PALETTE,
    RIGHT,
    SPENT,
    TODAY,
    TOP,
    WIDTH,
    Frame,
    axis,
    legend,
    polyline,
    px,
    svg_document,
    text_at,
    value_grid,
)


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
    body = value_grid(f, step)
    week_step = max(1, math.ceil(xmax / 7 / 16))
    for week in range(0, xmax // 7 + 1, week_step):
        x = f.x(week * 7)
        body.append(
            f'<line x1="{px(x)}" x2="{px(x)}" y1="{px(BOTTOM)}" y2="{px(BOTTOM + 4)}" '
            'stroke="currentColor" stroke-opacity="0.5"/>'
        )
        body.append(text_at(x, BOTTOM + 17, str(week), anchor="middle"))
    body.append(text_at((LEFT + RIGHT) / 2, BOTTOM + 32, "week", anchor="middle"))
    body.append(text_at(14, TOP - 8, "points", extra=' font-weight="600"'))

    # capacity, plan total and forecast; their labels never overlap (_total_label)
    labels: list[_Box] = []
    if math.isfinite(s.capacity) and s.capacity <= f.ymax:
        yc = f.y(s.capacity)
        body.append(
            f'<line class="lp-capacity" x1="{px(LEFT)}" x2="{px(RIGHT)}" y1="{px(yc)}" '
            f'y2="{px(yc)}" stroke="{CAPACITY}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        text = f"capacity {fmt.points(s.capacity)}"
        labels.append(_Box.of(RIGHT - 4, yc - 5, text, "end"))
        body.append(text_at(RIGHT - 4, yc - 5, text, anchor="end", extra=f' fill="{CAPACITY}"'))
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
            body.append(
                text_at(f.x(x2), f.y(y2) - 8, text, anchor=anchor, extra=f' fill="{EARNED}"')
            )
    if pts:
        body.append(
            polyline(
                ((f.x(p.day_number), f.y(p.total)) for p in pts),
                "lp-total",
                'stroke="currentColor" stroke-opacity="0.45" stroke-width="1"',
            )
        )
        body.append(_total_label(f, pts[-1].total, s.day_number, labels))
        body.append(
            polyline(
                ((f.x(p.day_number), f.y(p.planned)) for p in pts),
                "lp-planned",
                'stroke="currentColor" stroke-opacity="0.7" stroke-width="2" '
                'stroke-dasharray="2 3"',
            )
        )
        spent = [(f.x(p.day_number), f.y(p.spent)) for p in pts if p.spent is not None]
        earned = [(f.x(p.day_number), f.y(p.earned)) for p in pts if p.earned is not None]
        if spent:
            body.append(polyline(spent, "lp-spent", f'stroke="{SPENT}" stroke-width="2"'))
        if earned:
            body.append(polyline(earned, "lp-earned", f'stroke="{EARNED}" stroke-width="3"'))
    if forecast_line is not None:
        x1, y1, x2, y2 = forecast_line
        body.append(
            f'<line class="lp-forecast" x1="{px(f.x(x1))}" y1="{px(f.y(y1))}" '
            f'x2="{px(f.x(x2))}" y2="{px(f.y(y2))}" stroke="{EARNED}" stroke-width="2" '
            'stroke-dasharray="7 5"/>'
        )

    # today
    if 0 <= s.day_number <= xmax:
        xt = f.x(s.day_number)
        body.append(
            f'<line class="lp-today" x1="{px(xt)}" x2="{px(xt)}" y1="{px(TOP)}" '
            f'y2="{px(BOTTOM)}" stroke="{TODAY}" stroke-width="1.5"/>'
        )
        # Beside the line rather than centred on it, so that near the left edge the label
        # clears the "points" axis title and near the right edge it stays inside the chart.
        if xt < LEFT + 40:
            tx, anchor = xt + 4, "start"
        elif xt > RIGHT - 40:
            tx, anchor = xt - 4, "end"
        else:
            tx, anchor = xt, "middle"
        body.append(text_at(tx, TOP - 4, "today", anchor=anchor, extra=f' fill="{TODAY}"'))

    body.append(
        legend(
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
        f"{s.title}: burn-up — {fmt.points(s.earned)} of {fmt.points(s.total)} points earned, "
        f"{fmt.points(s.planned)} planned by week {s.week}"
    )
    return svg_document(WIDTH, BURNUP_HEIGHT, title, body, standalone)


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
    text = f"plan total {fmt.points(total)}"
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
            return text_at(x, y, text)
    y = f.y(total) + 14  # under the line: below the other labels' row
    x = xt + 6 if xt is not None and xt + 6 + width <= f.right else f.left + 4
    return text_at(x, y, text)


def _course_colours(snapshot: Snapshot) -> dict[str, str]:
    return {c.id: PALETTE[i % len(PALETTE)] for i, c in enumerate(snapshot.courses)}


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
    body = value_grid(f, step)
    body.append(text_at(14, top - 12, "hours a week", extra=' font-weight="600"'))

    used: list[str] = []
    for index, week in enumerate(weeks):
        x = LEFT + slot * index + (slot - bar) / 2
        base = 0.0
        if index + 1 == s.week:
            body.append(
                f'<rect class="lp-this-week" x="{px(LEFT + slot * index)}" y="{px(top)}" '
                f'width="{px(slot)}" height="{px(bottom - top)}" fill="{TODAY}" '
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
                f'x="{px(x)}" y="{px(y_top)}" width="{px(bar)}" height="{px(y_base - y_top)}" '
                f'fill="{colour}"><title>{escape(f"Week {index + 1}: {label}: {fmt.hours(hours)}")}'
                "</title></rect>"
            )
            base += hours
        if len(weeks) <= 26 or (index + 1) % 2 == 0:
            body.append(
                text_at(LEFT + slot * (index + 0.5), bottom + 16, str(index + 1), anchor="middle")
            )
    yt = f.y(s.week_target)
    body.append(
        f'<line class="lp-target" x1="{px(LEFT)}" x2="{px(RIGHT)}" y1="{px(yt)}" y2="{px(yt)}" '
        f'stroke="{CAPACITY}" stroke-width="1.5" stroke-dasharray="6 4"/>'
    )
    body.append(
        text_at(
            RIGHT - 4,
            yt - 5,
            f"target {fmt.hours(s.week_target)}",
            anchor="end",
            extra=f' fill="{CAPACITY}"',
        )
    )
    body.append(text_at((LEFT + RIGHT) / 2, bottom + 31, "week", anchor="middle"))

    # legend: one row per two courses, below the axis
    legend_top = bottom + 52
    col = (RIGHT - LEFT) / 2
    for i, course_id in enumerate(used):
        x = LEFT + col * (i % 2)
        y = legend_top + 18 * (i // 2)
        body.append(
            f'<rect x="{px(x)}" y="{px(y - 9)}" width="10" height="10" '
            f'fill="{colours.get(course_id, OTHER)}"/>'
        )
        body.append(text_at(x + 15, y, fmt.shorten(titles.get(course_id, course_id), 40)))
    height = legend_top + 18 * ((len(used) + 1) // 2) + 6
    title = f"{s.title}: hours a week by course (target {fmt.hours(s.week_target)})"
    return svg_document(WIDTH, height, title, body, standalone)


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
        text_at(14, 18, "points per course: earned of budget", extra=' font-weight="600"')
    ]
    for i, c in enumerate(s.courses):
        y = top + row_h * i
        colour = colours[c.id]
        name = fmt.course_name(c.provider, c.title)
        body.append(
            f'<g class="lp-course" data-course={quoteattr(c.id)}><title>{escape(name)}</title>'
        )
        body.append(text_at(left - 8, y + 14, fmt.shorten(name, 42), anchor="end"))
        body.append(
            f'<rect class="lp-budget" x="{px(f.x(0))}" y="{px(y + 4)}" '
            f'width="{px(f.x(c.fte) - f.x(0))}" height="14" fill="{colour}" fill-opacity="0.15" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        if c.earned > 0:
            body.append(
                f'<rect class="lp-earned" x="{px(f.x(0))}" y="{px(y + 4)}" '
                f'width="{px(f.x(c.earned) - f.x(0))}" height="14" fill="{colour}"/>'
            )
        if c.planned > 0:
            xp = f.x(c.planned)
            body.append(
                f'<line class="lp-planned" x1="{px(xp)}" x2="{px(xp)}" y1="{px(y + 1)}" '
                f'y2="{px(y + 21)}" stroke="currentColor" stroke-width="2"/>'
            )
        body.append(text_at(right + 8, y + 15, f"{fmt.points(c.earned)} / {fmt.points(c.fte)}"))
        body.append("</g>")
    height = top + row_h * len(s.courses) + 30
    ly = height - 10
    body.append(
        '<g class="lp-legend">'
        f'<rect x="{px(left)}" y="{px(ly - 10)}" width="18" height="11" fill="currentColor" '
        'fill-opacity="0.7"/>'
        + text_at(left + 23, ly, "earned")
        + f'<rect x="{px(left + 90)}" y="{px(ly - 10)}" width="18" height="11" fill="none" '
        'stroke="currentColor"/>'
        + text_at(left + 113, ly, "budget (FTE)")
        + f'<line x1="{px(left + 215)}" x2="{px(left + 215)}" y1="{px(ly - 12)}" '
        f'y2="{px(ly + 2)}" stroke="currentColor" stroke-width="2"/>'
        + text_at(left + 222, ly, "planned by today")
        + "</g>"
    )
    title = f"{s.title}: points earned per course against each course's budget"
    return svg_document(WIDTH, height, title, body, standalone)
