"""What the Learning Plan panel shows, as escaped HTML: pure Python, no Qt, no anki.

``build_view`` turns a progress ``Snapshot`` (learnplan.progress), the plan, the log and
per-course memory numbers into display strings; ``render_html`` lays them out. Every
piece of learner text (plan, course and lesson titles, notes) is escaped here, so the
panel's webview only ever receives markup this module wrote. Chart SVG comes from
learnplan.chart, which escapes its own text.

The markup carries ``data-lp-cmd`` attributes; the panel's script turns clicks on them
into ``pycmd("lp:" + JSON)`` messages (see ``panel.py``).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from learnplan.log import ProgressLog
from learnplan.plan import Plan
from learnplan.progress import Snapshot

MemoryNumbers = Mapping[str, float | int | None]


@dataclass(frozen=True)
class LessonRow:
    course: str
    lesson: str
    title: str  # escaped
    done: bool


@dataclass(frozen=True)
class CourseRow:
    id: str
    title: str  # escaped
    provider: str  # escaped
    progress: str  # e.g. "3 of 7 lessons · 0.6 of 1.5 points"
    percent: float  # 0-100, clamped, for the bar width
    status: str  # "ahead" | "behind" | "on track"
    hours: str
    memory: str  # escaped one-liner, "" when unknown
    lessons: tuple[LessonRow, ...]


@dataclass(frozen=True)
class Offer:
    """A plan found in the collection's media that is not adopted yet."""

    key: str  # what the panel sends back to adopt it (a manifest file name)
    title: str  # escaped
    detail: str  # escaped
    start: str  # the plan's own start date, ISO


@dataclass(frozen=True)
class Problem:
    """A record that could not be read: shown with Export and Start fresh buttons."""

    key: str
    message: str  # escaped


@dataclass(frozen=True)
class PanelView:
    title: str
    headline: str
    tiles: tuple[tuple[str, str, str], ...]  # (id, label, value), all escaped
    warning: str  # escaped; "" when none
    trim: tuple[tuple[str, str], ...]  # (escaped course title, new FTE) when over capacity
    next_up: str  # escaped; "" when none
    chart_svg: str
    courses: tuple[CourseRow, ...]
    course_choices: tuple[tuple[str, str], ...]  # (id, escaped title) for the forms
    cost_choices: tuple[tuple[str, str], ...]  # courses and resources, for "Log cost"
    plans: tuple[tuple[str, str, bool], ...]  # (id, escaped title, current)
    offers: tuple[Offer, ...]
    problems: tuple[Problem, ...]


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def points(value: float) -> str:
    return f"{value:.1f}"


def hours(value: float) -> str:
    return f"{value:.1f} h"


def money(amount: float, currency: str) -> str:
    whole = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    symbols = {"USD": "$", "EUR": "€", "GBP": "£", "NZD": "NZ$", "AUD": "A$"}
    symbol = symbols.get(currency.upper())
    return f"{symbol}{whole}" if symbol else f"{whole} {currency}"


def headline(s: Snapshot) -> str:
    """The line a learner would post: 'Week 6 of 12: 2.9 of 7.4 points, behind by 0.8 …'."""
    if s.week <= 0:
        when = f"Starts {s.start.isoformat()}"
    elif s.week > s.weeks:
        when = f"Finished ({s.weeks} weeks)"
    else:
        when = f"Week {s.week} of {s.weeks}"
    text = f"{when}: {points(s.earned)} of {points(s.total)} points"
    if s.week > 0 and round(s.ahead_by, 1) != 0:
        word = "ahead of" if s.ahead_by > 0 else "behind"
        text += f", {word} plan by {points(abs(s.ahead_by))}"
    elif s.week > 0:
        text += ", on plan"
    if s.forecast_week is not None:
        text += f", forecast week {s.forecast_week}"
    return text


def _memory_line(numbers: MemoryNumbers | None) -> str:
    if not numbers:
        return ""

    def count(key: str) -> int:
        value = numbers.get(key)
        return int(value) if isinstance(value, int | float) and math.isfinite(value) else 0

    parts = [
        f"{count('total')} cards: {count('new')} new, {count('learning')} learning, "
        f"{count('young')} young, {count('mature')} mature"
    ]
    if count("suspended"):
        parts.append(f"{count('suspended')} suspended")
    retention = numbers.get("retention")
    if isinstance(retention, int | float) and math.isfinite(retention):
        parts.append(f"retention {retention * 100:.0f}%")
    knowledge = numbers.get("knowledge")
    if isinstance(knowledge, int | float) and math.isfinite(knowledge):
        parts.append(f"knowledge ≈ {knowledge:.0f} cards")
    return esc(" · ".join(parts))


def build_view(
    plan: Plan,
    log: ProgressLog,
    snapshot: Snapshot,
    *,
    memory: Mapping[str, MemoryNumbers] | None = None,
    chart_svg: str = "",
    plans: Sequence[tuple[str, str]] = (),
    offers: Sequence[Offer] = (),
    problems: Sequence[Problem] = (),
) -> PanelView:
    s = snapshot
    done = {(d.course, d.lesson) for d in log.lessons_done}
    courses: list[CourseRow] = []
    by_id = {c.id: c for c in plan.courses}
    for row in s.courses:
        course = by_id.get(row.id)
        lessons = (
            tuple(
                LessonRow(row.id, lesson.id, esc(lesson.title), (row.id, lesson.id) in done)
                for lesson in course.lessons
            )
            if course is not None
            else ()
        )
        if row.lessons_total:
            progress = f"{row.lessons_done} of {row.lessons_total} lessons · "
        else:
            progress = f"{row.percent:.0f}% · "
        progress += f"{points(row.earned)} of {points(row.fte)} points"
        if row.ahead_by > 0.05:
            status = "ahead"
        elif row.ahead_by < -0.05:
            status = "behind"
        else:
            status = "on track"
        courses.append(
            CourseRow(
                id=row.id,
                title=esc(row.title),
                provider=esc(row.provider),
                progress=esc(progress),
                percent=max(0.0, min(100.0, row.percent)),
                status=status,
                hours=esc(hours(row.hours)),
                memory=_memory_line((memory or {}).get(row.id)),
                lessons=lessons,
            )
        )

    tiles = (
        ("lp-earned", "Earned", f"{points(s.earned)} of {points(s.total)} points"),
        ("lp-planned", "Planned by today", f"{points(s.planned)} points"),
        (
            "lp-index",
            "Schedule index",
            "—" if s.schedule_index is None else f"{s.schedule_index:.2f}",
        ),
        ("lp-spent", "Spent", f"{hours(s.spent_hours)} ({points(s.spent_points)} points)"),
        ("lp-week-hours", "This week", f"{hours(s.week_hours)} of {hours(s.week_target)}"),
        (
            "lp-cost",
            "Cost",
            f"{money(s.cost_spent, s.currency)} of {money(s.cost_budget, s.currency)}",
        ),
        (
            "lp-forecast",
            "Forecast finish",
            "—" if s.forecast is None else f"{s.forecast.isoformat()} (week {s.forecast_week})",
        ),
    )
    warning = ""
    if s.overcommitment > 1.0 + 1e-9:
        warning = (
            f"This plan is {s.overcommitment:.2f}× what fits in {s.weeks} weeks "
            f"({points(s.total)} points for a capacity of {points(s.capacity)})."
        )
        if not s.trim and s.trim_note:
            warning += f" {s.trim_note}"
    trim = tuple(
        (esc(by_id[cid].title if cid in by_id else cid), points(fte))
        for cid, fte in (s.trim or {}).items()
    )
    next_text = ""
    if s.next_up is not None:
        n = s.next_up
        next_text = f"Next up: {n.provider} — {n.title}"
        if n.lesson_title:
            next_text += f": {n.lesson_title}"
    return PanelView(
        title=esc(s.title),
        headline=esc(headline(s)),
        tiles=tuple((i, esc(label), esc(value)) for i, label, value in tiles),
        warning=esc(warning),
        trim=trim,
        next_up=esc(next_text),
        chart_svg=chart_svg,
        courses=tuple(courses),
        course_choices=tuple((c.id, esc(f"{c.provider} — {c.title}")) for c in plan.courses),
        cost_choices=tuple((c.id, esc(f"{c.provider} — {c.title}")) for c in plan.courses)
        + tuple(
            (r.id, esc(f"{r.provider} — {r.title}" if r.provider else r.title))
            for r in plan.resources
        ),
        plans=tuple((pid, esc(title), pid == plan.id) for pid, title in plans),
        offers=tuple(offers),
        problems=tuple(problems),
    )


def _cmd(name: str, **args: str) -> str:
    # JSON inside an attribute: escaped once more, the script reads it back with
    # dataset + JSON.parse, so ids never need their own quoting rules.
    return f'data-lp-cmd="{esc(json.dumps({"cmd": name, **args}))}"'


def render_offers_and_problems(offers: Sequence[Offer], problems: Sequence[Problem]) -> str:
    out: list[str] = []
    for p in problems:
        out.append(
            f'<div class="lp-problem" role="alert"><p>{p.message}</p>'
            f"<button {_cmd('export', key=p.key)}>Export record…</button> "
            f"<button {_cmd('fresh', key=p.key)}>Start fresh</button></div>"
        )
    for o in offers:
        out.append(
            f'<div class="lp-offer"><p>Plan found in this collection: <b>{o.title}</b> '
            f"<span class=lp-muted>{o.detail}</span></p>"
            f"<button {_cmd('adopt', key=o.key, start='today')}>Start it today</button> "
            f"<button {_cmd('adopt', key=o.key, start='plan')}>"
            f"Keep its dates (from {esc(o.start)})</button></div>"
        )
    return "\n".join(out)


def render_empty(offers: Sequence[Offer], problems: Sequence[Problem]) -> str:
    """The panel before any plan is adopted."""
    return (
        '<div id="lp-root-inner"><h1>Learning Plan</h1>'
        + render_offers_and_problems(offers, problems)
        + "<p>No plan yet. Import a Learning Plan deck with File › Import, "
        "or build one from an outline file:</p>"
        f"<p><button {_cmd('import')}>Import outline…</button></p></div>"
    )


def render_html(view: PanelView) -> str:
    v = view
    parts: list[str] = ['<div id="lp-root-inner">']
    parts.append(f'<h1 id="lp-title">{v.title}</h1>')
    parts.append(f'<p id="lp-headline" class="lp-headline">{v.headline}</p>')
    parts.append(render_offers_and_problems(v.offers, v.problems))
    if v.warning:
        parts.append(f'<div id="lp-warning" class="lp-warning">{v.warning}')
        if v.trim:
            rows = "".join(f"<li>{title}: {fte}</li>" for title, fte in v.trim)
            parts.append(
                "<details><summary>A trim that fits (FTE points per course)</summary>"
                f'<ul class="lp-trim">{rows}</ul></details>'
            )
        parts.append("</div>")
    parts.append('<div class="lp-tiles">')
    for tile_id, label, value in v.tiles:
        parts.append(
            f'<div class="lp-tile"><div class="lp-label">{label}</div>'
            f'<div class="lp-value" id="{tile_id}">{value}</div></div>'
        )
    parts.append("</div>")
    if v.next_up:
        parts.append(f'<p id="lp-next" class="lp-next">{v.next_up}</p>')
    if v.chart_svg:
        parts.append(f'<div class="lp-chart" id="lp-chart">{v.chart_svg}</div>')

    options = "".join(
        f'<option value="{esc(cid)}">{title}</option>' for cid, title in v.course_choices
    )
    cost_options = "".join(
        f'<option value="{esc(cid)}">{title}</option>' for cid, title in v.cost_choices
    )
    parts.append(
        '<div class="lp-forms">'
        '<form class="lp-form" data-lp-form="session" onsubmit="return false">'
        "<b>Log study</b> "
        f'<select name="course" id="lp-session-course">{options}</select> '
        '<input name="hours" id="lp-session-hours" type="number" min="0" step="0.25" '
        'value="1" aria-label="hours"> h '
        '<input name="note" id="lp-session-note" type="text" placeholder="what you did"> '
        f'<button id="lp-session-add" {_cmd("session")} data-lp-form="session">Log</button>'
        "</form>"
        '<form class="lp-form" data-lp-form="cost" onsubmit="return false">'
        "<b>Log cost</b> "
        f'<select name="item" id="lp-cost-item">{cost_options}</select> '
        '<input name="amount" id="lp-cost-amount" type="number" min="0" step="1" '
        'value="0" aria-label="amount"> '
        f'<button id="lp-cost-add" {_cmd("cost")} data-lp-form="cost">Log</button>'
        "</form></div>"
    )

    parts.append('<h2>Courses</h2><div class="lp-courses">')
    for c in v.courses:
        parts.append(
            f'<details class="lp-course lp-{c.status.replace(" ", "-")}" '
            f'data-lp-course="{esc(c.id)}"><summary>'
            f'<span class="lp-course-title">{c.title}</span> '
            f'<span class="lp-muted">{c.provider}</span>'
            f'<span class="lp-bar"><span style="width:{c.percent:.1f}%"></span></span>'
            f'<span class="lp-course-progress" id="lp-progress-{esc(c.id)}">{c.progress}'
            f" · {esc(c.status)} · {c.hours}</span></summary>"
        )
        if c.memory:
            parts.append(f'<p class="lp-memory lp-muted">{c.memory}</p>')
        if c.lessons:
            parts.append('<ul class="lp-lessons">')
            for lesson in c.lessons:
                checked = " checked" if lesson.done else ""
                parts.append(
                    f'<li><label><input type="checkbox"{checked} '
                    f'data-lp-lesson="{esc(lesson.course)}/{esc(lesson.lesson)}" '
                    f"{_cmd('tick', course=lesson.course, lesson=lesson.lesson)}> "
                    f"{lesson.title}</label></li>"
                )
            parts.append("</ul>")
        parts.append("</details>")
    parts.append("</div>")
    if len(v.plans) > 1:
        parts.append('<p class="lp-plans">Plans: ')
        for pid, title, current in v.plans:
            if current:
                parts.append(f"<b>{title}</b> ")
            else:
                parts.append(f'<a href="#" {_cmd("switch", plan=pid)}>{title}</a> ')
        parts.append("</p>")
    parts.append("</div>")
    return "\n".join(parts)


#: Styling that follows Anki's theme variables (light and night mode).
PANEL_CSS = """
body { margin: 0; overflow-x: hidden; }
#lp-root, #lp-root * { box-sizing: border-box; }
#lp-root { padding: 12px 16px; color: var(--fg); max-width: 980px; }
h1 { font-size: 1.4em; margin: 0 0 4px; }
h2 { font-size: 1.1em; margin: 18px 0 6px; }
.lp-headline { font-size: 1.1em; font-weight: 600; margin: 0 0 10px; }
.lp-muted { color: var(--fg-subtle); }
.lp-warning { border-left: 4px solid var(--accent-danger, #d33); padding: 4px 8px;
  background: var(--canvas-elevated); }
.lp-problem, .lp-offer { border: 1px solid var(--border); border-radius: 6px;
  padding: 6px 10px; margin: 6px 0; background: var(--canvas-elevated); }
.lp-problem { border-color: var(--accent-danger, #d33); }
.lp-tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr));
  gap: 8px; margin: 8px 0; }
.lp-tile { border: 1px solid var(--border); border-radius: 6px; padding: 6px 8px;
  background: var(--canvas-elevated); }
.lp-label { font-size: 0.8em; color: var(--fg-subtle); }
.lp-value { font-weight: 600; }
.lp-next { font-style: italic; }
.lp-chart svg { max-width: 100%; height: auto; color: var(--fg); }
.lp-forms { display: flex; flex-direction: column; gap: 6px; margin: 10px 0; }
.lp-form select { max-width: min(260px, 100%); }
.lp-form input[type=text] { max-width: 100%; }
.lp-form input[type=number] { width: 5em; }
.lp-course { border-bottom: 1px solid var(--border-subtle, var(--border)); padding: 4px 0; }
.lp-course summary { cursor: pointer; }
.lp-course-title { font-weight: 600; }
.lp-course-progress { display: block; font-size: 0.85em; color: var(--fg-subtle);
  margin-left: 1.2em; }
.lp-bar { display: inline-block; width: 120px; height: 8px; margin-left: 8px;
  border-radius: 4px; background: var(--border); vertical-align: middle; overflow: hidden; }
.lp-bar span { display: block; height: 100%; background: var(--accent-card, #4a8); }
.lp-behind .lp-bar span { background: var(--accent-danger, #d55); }
.lp-trim { columns: 2; margin: 4px 0; }
.lp-lessons { list-style: none; padding-left: 1.2em; margin: 4px 0; columns: 2; }
.lp-memory { margin: 2px 0 2px 1.2em; font-size: 0.85em; }
"""
