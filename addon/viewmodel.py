"""What the Learning Plan panel shows, as escaped HTML: pure Python, no Qt, no anki.

``build_view`` turns a progress ``Snapshot`` (learnplan.progress.maths), the plan, the log and
per-course memory numbers into display strings; ``render_html`` lays them out. Every
piece of learner text (plan, course and lesson titles, notes) is escaped here, so the
panel's webview only ever receives markup this module wrote. Chart SVG comes from
learnplan.render.chart, which escapes its own text.

The markup carries ``data-lp-cmd`` attributes; the panel's script turns clicks on them
into ``pycmd("lp:" + JSON)`` messages (see ``panel.py``).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from learnplan.model.plan import Plan
from learnplan.progress.log import ProgressLog
from learnplan.progress.maths import Snapshot
from learnplan.render.report import snapshot_headline

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
    # The course table's cells (all escaped) and the course view's re-allocation.
    fte: str = ""  # the FTE in force today (revisions applied)
    fte_note: str = ""  # e.g. "revised from 1.5"; "" when never revised
    done: str = ""  # "43%"
    earned: str = ""
    cost: str = ""
    cards: tuple[str, str, str, str] = ("–", "–", "–", "–")  # new, learning, young, mature
    retention: str = "–"
    knowledge: str = "–"
    fte_value: float = 0.0
    start_week: int = 1
    end_week: int = 1
    revisions: tuple[str, ...] = ()  # escaped, oldest first


@dataclass(frozen=True)
class ResourceRow:
    """A plan resource (a GPU server, a book): only its cost belongs in the table."""

    title: str  # escaped
    provider: str  # escaped
    cost: str  # escaped


@dataclass(frozen=True)
class Offer:
    """A plan found in the collection's media that is not adopted yet."""

    key: str  # what the panel sends back to adopt it (a manifest file name)
    title: str  # escaped
    detail: str  # escaped
    start: str  # the plan's own start date, ISO
    problem: str = ""  # escaped; when set, the file could not be read and is not offered


@dataclass(frozen=True)
class Problem:
    """A record that could not be read: shown with an Export button and a way out."""

    key: str  # what the panel sends back (see learnplan.collection.recordstore.Problem)
    message: str  # escaped
    fix: str = "Start fresh"  # the way out's label: "Start fresh", "Hide it", ...


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
    today: str = ""  # ISO, Anki's study day: the default date of the forms
    weeks: int = 12
    resources: tuple[ResourceRow, ...] = ()
    totals: tuple[str, ...] = ()  # FTE, done, earned, hours, cost, 4 card counts, knowledge
    show_knowledge: bool = False  # FSRS is on for at least one course's cards


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def points(value: float) -> str:
    return f"{value:.1f}"


def fte_text(value: float) -> str:
    """An FTE as the learner wrote it: "1.5", "0.2", "0.81" (at most two decimals)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def trim_value(value: float) -> float:
    """A suggested FTE rounded *down* to 0.01, so an applied trim really fits."""
    return math.floor(value * 100 + 1e-6) / 100


def hours(value: float) -> str:
    return f"{value:.1f} h"


def money(amount: float, currency: str) -> str:
    whole = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    symbols = {"USD": "$", "EUR": "€", "GBP": "£", "NZD": "NZ$", "AUD": "A$"}
    symbol = symbols.get(currency.upper())
    return f"{symbol}{whole}" if symbol else f"{whole} {currency}"


def headline(s: Snapshot) -> str:
    """The line a learner would post; the same as ``learnplan report``'s headline."""
    return snapshot_headline(s)


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


def _finite(numbers: MemoryNumbers | None, key: str) -> float | None:
    value = (numbers or {}).get(key)
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _count(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _cost_cell(spent: float, budget: float, currency: str) -> str:
    if budget > 0:
        return f"{money(spent, currency)} / {money(budget, currency)}"
    return money(spent, currency) if spent > 0 else "–"


def revision_lines(plan: Plan, log: ProgressLog, course_id: str, weeks: int) -> tuple[str, ...]:
    """A course's re-allocations, oldest first: 'date · FTE 1.5 → 1 · weeks … · reason'."""
    course = next((c for c in plan.courses if c.id == course_id), None)
    if course is None:
        return ()
    fte = course.fte
    first, last = course.window(weeks)
    lines: list[str] = []
    for rev in sorted((r for r in log.revisions if r.course == course_id), key=lambda r: r.date):
        parts = [rev.date.isoformat()]
        if rev.fte is not None and rev.fte != fte:
            parts.append(f"FTE {fte_text(fte)} → {fte_text(rev.fte)}")
            fte = rev.fte
        new_first = rev.start_week if rev.start_week is not None else first
        new_last = rev.end_week if rev.end_week is not None else last
        if (new_first, new_last) != (first, last):
            parts.append(f"weeks {first}–{last} → {new_first}–{new_last}")
            first, last = new_first, new_last
        if rev.reason:
            parts.append(rev.reason)
        lines.append(esc(" · ".join(parts)))
    return tuple(lines)


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
    memory = memory or {}
    show_knowledge = any(_finite(m, "knowledge") is not None for m in memory.values())
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
        numbers = memory.get(row.id)
        original = course.fte if course is not None else row.fte
        courses.append(
            CourseRow(
                id=row.id,
                title=esc(row.title),
                provider=esc(row.provider),
                progress=esc(progress),
                percent=max(0.0, min(100.0, row.percent)),
                status=status,
                hours=esc(hours(row.hours)),
                memory=_memory_line(numbers),
                lessons=lessons,
                fte=esc(fte_text(row.fte)),
                fte_note=esc(
                    f"revised from {fte_text(original)}" if abs(original - row.fte) > 1e-9 else ""
                ),
                done=f"{row.percent:.0f}%",
                earned=points(row.earned),
                cost=esc(_cost_cell(row.cost_spent, row.budget, s.currency)),
                cards=(
                    _count(_finite(numbers, "new")),
                    _count(_finite(numbers, "learning")),
                    _count(_finite(numbers, "young")),
                    _count(_finite(numbers, "mature")),
                ),
                retention=_percent(_finite(numbers, "retention")),
                knowledge=_count(_finite(numbers, "knowledge")),
                fte_value=row.fte,
                start_week=row.start_week,
                end_week=row.end_week,
                revisions=revision_lines(plan, log, row.id, plan.weeks),
            )
        )
    resources = tuple(
        ResourceRow(
            title=esc(r.title),
            provider=esc(r.provider),
            cost=esc(
                _cost_cell(
                    sum(c.amount for c in log.costs if c.item == r.id and c.date <= s.today),
                    r.cost,
                    s.currency,
                )
            ),
        )
        for r in plan.resources
    )

    def total(key: str) -> str:
        values = [_finite(memory.get(row.id), key) for row in s.courses]
        known = [v for v in values if v is not None]
        return _count(sum(known)) if known else "–"

    totals = (
        esc(fte_text(s.total)),
        f"{100 * s.earned / s.total:.0f}%" if s.total > 0 else "–",
        points(s.earned),
        f"{s.spent_hours:.1f}",
        esc(_cost_cell(s.cost_spent, s.cost_budget, s.currency)),
        total("new"),
        total("learning"),
        total("young"),
        total("mature"),
        total("knowledge"),
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
        (esc(by_id[cid].title if cid in by_id else cid), fte_text(trim_value(fte)))
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
        today=s.today.isoformat(),
        weeks=s.weeks,
        resources=resources,
        totals=totals,
        show_knowledge=show_knowledge,
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
            f"<button {_cmd('fresh', key=p.key)}>{esc(p.fix)}</button></div>"
        )
    for o in offers:
        if o.problem:
            out.append(
                '<div class="lp-offer lp-bad"><p>A plan file in this collection could not be '
                "read and was skipped (your own plans are not affected):</p>"
                f"<p class=lp-muted>{o.problem}</p><p>It came with a shared deck. To stop "
                "seeing this, delete the file from the collection's media folder.</p></div>"
            )
            continue
        out.append(
            f'<div class="lp-offer"><p>Plan found in this collection: <b>{o.title}</b> '
            f"<span class=lp-muted>{o.detail}</span></p>"
            f"<button {_cmd('adopt', key=o.key, start='today')}>Start it today</button> "
            f"<button {_cmd('adopt', key=o.key, start='plan')}>"
            f"Keep its dates (from {esc(o.start)})</button></div>"
        )
    return "\n".join(out)


def render_plans(plans: Sequence[tuple[str, str, bool]]) -> str:
    """The line of adopted plans: the current one bold, the others links to switch."""
    parts = ['<p class="lp-plans">Plans: ']
    for pid, title, current in plans:
        if current:
            parts.append(f"<b>{title}</b> ")
        else:
            parts.append(f'<a href="#" {_cmd("switch", plan=pid)}>{title}</a> ')
    parts.append("</p>")
    return "".join(parts)


def render_empty(
    offers: Sequence[Offer],
    problems: Sequence[Problem],
    plans: Sequence[tuple[str, str]] = (),
) -> str:
    """The panel with no plan to show: before any plan is adopted, or when the current
    one cannot be shown (``plans``: the other adopted plans, to switch to)."""
    escaped = [(pid, esc(title), False) for pid, title in plans]
    choose = f"<p>Switch to another plan:</p>{render_plans(escaped)}" if plans else ""
    return (
        '<div id="lp-root-inner"><h1>Learning Plan</h1>'
        + render_offers_and_problems(offers, problems)
        + choose
        + ("<p>Or import" if plans else "<p>No plan yet. Import")
        + " a Learning Plan deck with File › Import, or build one from an outline file:</p>"
        f"<p><button {_cmd('import')}>Import outline…</button></p></div>"
    )


def _options(choices: Sequence[tuple[str, str]]) -> str:
    return "".join(f'<option value="{esc(cid)}">{title}</option>' for cid, title in choices)


def _date_input(element_id: str, today: str) -> str:
    # Anki's study day, not the computer's calendar day: after midnight but before the
    # rollover hour the default is still "yesterday", as in Anki itself.
    limit = f' max="{esc(today)}"' if today else ""
    return (
        f'<input name="date" id="{element_id}" type="date" value="{esc(today)}"{limit} '
        'aria-label="date">'
    )


def render_warning(v: PanelView) -> str:
    if not v.warning:
        return ""
    out = [f'<div id="lp-warning" class="lp-warning">{v.warning}']
    if v.trim:
        rows = "".join(f"<li>{title}: {fte}</li>" for title, fte in v.trim)
        out.append(
            "<details><summary>A trim that fits (FTE points per course)</summary>"
            f'<ul class="lp-trim">{rows}</ul>'
            f'<p><button id="lp-apply-trim" {_cmd("trim")}>Apply this trim</button> '
            '<span class="lp-muted">(recorded as re-allocations; Edit › Undo takes it '
            "back)</span></p></details>"
        )
    out.append("</div>")
    return "".join(out)


def render_table(v: PanelView) -> str:
    """The course table: one row per course, resources' costs, then the totals."""
    know = v.show_knowledge
    heads = [
        ("l", "Course · provider", "Click a course to see its cards in the Browser"),
        ("", "FTE", "FTE points in force today (re-allocations applied)"),
        ("", "Done", "Share of the course's lessons done; click for its lessons"),
        ("", "Earned", "FTE points earned"),
        ("", "Hours", "Hours logged plus Anki review time"),
        ("", "Cost", "Spent / budget"),
        ("", "New", "New cards"),
        ("", "Learn", "Cards in (re)learning"),
        ("", "Young", "Review cards with an interval under 21 days"),
        ("", "Mature", "Review cards with an interval of 21 days or more"),
        ("", "Retention", "True retention of reviews over the last 28 days"),
    ]
    if know:
        heads.append(("", "Knowledge", "FSRS: expected number of cards you would recall now"))
    out = ['<div class="lp-table-wrap"><table class="lp-table" id="lp-table"><thead><tr>']
    out += [
        f'<th class="{cls}" title="{esc(tip)}">{label}</th>'
        if tip
        else f'<th class="{cls}">{label}</th>'
        for cls, label, tip in heads
    ]
    out.append("</tr></thead><tbody>")
    for c in v.courses:
        fte = (
            f'<span class="lp-revised" title="{c.fte_note}">{c.fte}*</span>'
            if c.fte_note
            else c.fte
        )
        provider = f' <span class="lp-provider">· {c.provider}</span>' if c.provider else ""
        cells = [
            f'<td class="l lp-name"><a href="#" class="lp-browse" id="lp-browse-{esc(c.id)}" '
            f"{_cmd('browse', course=c.id)}>{c.title}</a>{provider}</td>",
            f'<td id="lp-fte-{esc(c.id)}">{fte}</td>',
            f'<td><a href="#" class="lp-open" title="Lessons, re-allocation and history" '
            f'data-lp-open="{esc(c.id)}">{c.done}</a></td>',
            f"<td>{c.earned}</td>",
            f"<td>{c.hours.removesuffix(' h')}</td>",
            f"<td>{c.cost}</td>",
            *(f"<td>{n}</td>" for n in c.cards),
            f"<td>{c.retention}</td>",
        ]
        if know:
            cells.append(f"<td>{c.knowledge}</td>")
        status = c.status.replace(" ", "-")
        out.append(f'<tr class="lp-row lp-{status}">{"".join(cells)}</tr>')
    blank = len(heads) - 6
    for r in v.resources:
        provider = f' <span class="lp-provider">· {r.provider}</span>' if r.provider else ""
        out.append(
            f'<tr class="lp-resource"><td class="l lp-name">{r.title}{provider}</td>'
            + "<td></td>" * 4
            + f"<td>{r.cost}</td>"
            + "<td></td>" * blank
            + "</tr>"
        )
    if v.totals:
        t = v.totals
        cells = [
            '<td class="l">Total</td>',
            f'<td id="lp-fte-total">{t[0]}</td>',
            *(f"<td>{x}</td>" for x in t[1:9]),
            "<td></td>",
        ]
        if know:
            cells.append(f"<td>{t[9]}</td>")
        out.append(f'<tr class="lp-total">{"".join(cells)}</tr>')
    out.append("</tbody></table></div>")
    return "".join(out)


def render_course_view(c: CourseRow, weeks: int) -> str:
    """One course's view: progress, memory, lesson checklist, re-allocation and history."""
    cid = esc(c.id)
    out = [
        f'<details class="lp-course lp-{c.status.replace(" ", "-")}" id="lp-course-{cid}" '
        f'data-lp-course="{cid}"><summary>'
        f'<span class="lp-course-title">{c.title}</span> '
        f'<span class="lp-muted">{c.provider}</span>'
        f'<span class="lp-bar"><span style="width:{c.percent:.1f}%"></span></span>'
        f'<span class="lp-course-progress" id="lp-progress-{cid}">{c.progress}'
        f" · {esc(c.status)} · {c.hours}</span></summary>"
    ]
    if c.memory:
        out.append(f'<p class="lp-memory lp-muted">{c.memory}</p>')
    if c.lessons:
        out.append('<ul class="lp-lessons">')
        for lesson in c.lessons:
            checked = " checked" if lesson.done else ""
            out.append(
                f'<li><label><input type="checkbox"{checked} '
                f'data-lp-lesson="{esc(lesson.course)}/{esc(lesson.lesson)}" '
                f"{_cmd('tick', course=lesson.course, lesson=lesson.lesson)}> "
                f"{lesson.title}</label></li>"
            )
        out.append("</ul>")
    form = f"realloc-{c.id}"
    out.append(
        f'<form class="lp-form lp-realloc" data-lp-form="{esc(form)}" onsubmit="return false">'
        "<b>Re-allocate</b> "
        f'<input name="fte" type="number" min="0" step="0.05" value="{esc(c.fte_value)}" '
        'aria-label="FTE points"> points, weeks '
        f'<input name="start_week" type="number" min="1" max="{weeks}" step="1" '
        f'value="{c.start_week}" aria-label="first week">–'
        f'<input name="end_week" type="number" min="1" max="{weeks}" step="1" '
        f'value="{c.end_week}" aria-label="last week"> '
        '<input name="reason" type="text" placeholder="why (kept in the history)" '
        'aria-label="reason"> '
        f'<button class="lp-realloc-save" {_cmd("realloc", course=c.id)} '
        f'data-lp-form="{esc(form)}">Save</button></form>'
    )
    if c.revisions:
        items = "".join(f"<li>{line}</li>" for line in c.revisions)
        out.append(
            f'<div class="lp-history"><span class="lp-muted">Re-allocations</span>'
            f'<ul id="lp-history-{cid}">{items}</ul></div>'
        )
    out.append("</details>")
    return "".join(out)


def render_forms(v: PanelView) -> str:
    return (
        '<div class="lp-forms">'
        '<form class="lp-form" data-lp-form="session" onsubmit="return false">'
        "<b>Log study</b> "
        f'<select name="course" id="lp-session-course">{_options(v.course_choices)}</select> '
        f"{_date_input('lp-session-date', v.today)} "
        '<input name="hours" id="lp-session-hours" type="number" min="0" step="0.25" '
        'value="1" aria-label="hours"> h '
        '<input name="note" id="lp-session-note" type="text" placeholder="what you did"> '
        f'<button id="lp-session-add" {_cmd("session")} data-lp-form="session">Log</button>'
        "</form>"
        '<form class="lp-form" data-lp-form="cost" onsubmit="return false">'
        "<b>Log cost</b> "
        f'<select name="item" id="lp-cost-item">{_options(v.cost_choices)}</select> '
        f"{_date_input('lp-cost-date', v.today)} "
        '<input name="amount" id="lp-cost-amount" type="number" min="0" step="1" '
        'value="0" aria-label="amount"> '
        f'<button id="lp-cost-add" {_cmd("cost")} data-lp-form="cost">Log</button>'
        "</form></div>"
    )


def render_html(view: PanelView) -> str:
    v = view
    parts: list[str] = ['<div id="lp-root-inner">']
    parts.append(
        f'<div class="lp-head"><h1 id="lp-title">{v.title}</h1>'
        f'<button id="lp-export" {_cmd("report")} title="Save the shareable progress report '
        f'(HTML) for this plan">Export report…</button></div>'
    )
    parts.append(f'<p id="lp-headline" class="lp-headline">{v.headline}</p>')
    parts.append(render_offers_and_problems(v.offers, v.problems))
    parts.append(render_warning(v))
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
    parts.append("<h2>Courses</h2>")
    parts.append(render_table(v))
    parts.append(render_forms(v))
    parts.append(
        '<h2>Course view</h2><p class="lp-muted lp-hint">Tick lessons as you finish them; '
        "re-allocate a course's points or weeks as your plan changes.</p>"
    )
    parts.append('<div class="lp-courses">')
    parts += [render_course_view(c, v.weeks) for c in v.courses]
    parts.append("</div>")
    if len(v.plans) > 1:
        parts.append(render_plans(v.plans))
    parts.append("</div>")
    return "\n".join(parts)


#: Styling that follows Anki's theme variables (light and night mode).
PANEL_CSS = """
body { margin: 0; overflow-x: hidden; }
#lp-root, #lp-root * { box-sizing: border-box; }
#lp-root { padding: 12px 16px; color: var(--fg); max-width: 1100px; }
h1 { font-size: 1.4em; margin: 0 0 4px; }
h2 { font-size: 1.1em; margin: 18px 0 6px; }
.lp-head { display: flex; align-items: baseline; justify-content: space-between; gap: 8px; }
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
.lp-form select { max-width: min(240px, 100%); }
.lp-form input[type=text] { max-width: 100%; }
.lp-form input[type=number] { width: 5em; }
.lp-realloc input[type=number] { width: 4.2em; }
.lp-realloc { margin: 6px 0 2px 1.2em; font-size: 0.9em; }
.lp-table { border-collapse: collapse; width: 100%; font-size: 0.82em;
  font-variant-numeric: tabular-nums; }
.lp-table th, .lp-table td { padding: 3px 5px; text-align: right; vertical-align: top;
  border-bottom: 1px solid var(--border-subtle, var(--border)); }
.lp-table th { font-weight: 600; color: var(--fg-subtle); white-space: nowrap;
  border-bottom: 1px solid var(--border); }
.lp-table td { white-space: nowrap; }
.lp-table .l { text-align: left; }
.lp-table-wrap { overflow-x: auto; }
.lp-table td.lp-name { white-space: normal; min-width: 12em; }
.lp-provider { color: var(--fg-subtle); font-weight: normal; }
.lp-table .lp-browse { color: var(--fg); font-weight: 600; text-decoration: none; }
.lp-table .lp-browse:hover { text-decoration: underline; }
.lp-table tr.lp-behind td:first-child { box-shadow: inset 3px 0 var(--accent-danger, #d55); }
.lp-table tr.lp-ahead td:first-child, .lp-table tr.lp-on-track td:first-child {
  box-shadow: inset 3px 0 var(--accent-card, #4a8); }
.lp-table tr.lp-resource td { color: var(--fg-subtle); }
.lp-table tr.lp-total td { font-weight: 600; border-bottom: none;
  border-top: 1px solid var(--border); }
.lp-revised { text-decoration: underline dotted; cursor: help; }
.lp-open { color: var(--fg); text-decoration: underline dotted; cursor: pointer; }
.lp-hint { margin: -2px 0 6px; font-size: 0.85em; }
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
.lp-history { margin: 4px 0 2px 1.2em; font-size: 0.85em; }
.lp-history ul { margin: 2px 0; padding-left: 1.2em; }
#lp-updating { display: none; position: fixed; top: 6px; right: 10px; font-size: 0.8em;
  color: var(--fg-subtle); background: var(--canvas-elevated); padding: 1px 8px;
  border: 1px solid var(--border); border-radius: 10px; z-index: 5; }
body[data-lp-updating="1"] #lp-updating { display: block; }
"""
