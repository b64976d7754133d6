"""The panel's HTML, laid out from its :class:`~.viewmodel.PanelView`: pure Python.

Every piece of text is escaped here (plan, course and lesson titles, notes, figures), so
the panel's webview only ever receives markup this module wrote; offers and problems
arrive escaped already. Chart SVG comes from learnplan.render.chart, which escapes its
own text.

The markup carries ``data-lp-cmd`` attributes; the panel's script turns clicks on them
into ``pycmd("lp:" + JSON)`` messages (see ``page.py`` and ``panel.py``).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

from .viewmodel import CourseView, Offer, PanelView, Problem


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _cmd(name: str, **args: str) -> str:
    # JSON inside an attribute: escaped once more, the script reads it back with
    # dataset + JSON.parse, so ids never need their own quoting rules.
    return f'data-lp-cmd="{esc(json.dumps({"cmd": name, **args}))}"'


#: Lines of not-counted progress shown before "and N more".
NOT_COUNTED_SHOWN = 5


def render_not_counted(lines: Sequence[str]) -> str:
    """Recorded progress the figures leave out, said plainly (never dropped in silence)."""
    if not lines:
        return ""
    shown = "".join(f"<li>{esc(line)}</li>" for line in lines[:NOT_COUNTED_SHOWN])
    more = len(lines) - NOT_COUNTED_SHOWN
    if more > 0:
        shown += f"<li>and {more} more</li>"
    return (
        '<div class="lp-problem" id="lp-not-counted" role="status"><p>Some recorded progress '
        "is not counted: it names a course or lesson this plan does not have (a lesson "
        "renamed or removed in the outline?). It stays recorded; it counts again if the "
        f"plan has that course or lesson again.</p><ul>{shown}</ul></div>"
    )


def render_offers_and_problems(offers: Sequence[Offer], problems: Sequence[Problem]) -> str:
    out: list[str] = []
    for p in problems:
        out.append(
            f'<div class="lp-problem" role="alert"><p>{p.message}</p>'
            f"<button {_cmd('export', key=p.key)}>Export record…</button> "
            f"<button {_cmd('fresh', key=p.key)}>{esc(p.fix)}</button>"
            + (
                f" <button {_cmd('keep_aside', key=p.key)}>Keep it aside</button>"
                if p.key.startswith("aside:")
                else ""
            )
            + "</div>"
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
            parts.append(f"<b>{esc(title)}</b> ")
        else:
            parts.append(f'<a href="#" {_cmd("switch", plan=pid)}>{esc(title)}</a> ')
    parts.append("</p>")
    return "".join(parts)


def render_empty(
    offers: Sequence[Offer],
    problems: Sequence[Problem],
    plans: Sequence[tuple[str, str]] = (),
) -> str:
    """The panel with no plan to show: before any plan is adopted, or when the current
    one cannot be shown (``plans``: the other adopted plans, to switch to).

    One state at a time: a plan found in the collection is offered as the way to start;
    "No plan yet" only when there is nothing to adopt or switch to.
    """
    if plans:
        escaped = [(pid, title, False) for pid, title in plans]
        lead = (
            f"<p>Switch to another plan:</p>{render_plans(escaped)}<p>Or import a Learning "
            "Plan deck with File › Import, or build one from an outline file:</p>"
        )
    elif any(not o.problem for o in offers):
        lead = "<p>Or build a plan of your own from an outline file:</p>"
    else:
        lead = (
            "<p>No plan yet. Import a Learning Plan deck with File › Import, or build one "
            "from an outline file:</p>"
        )
    return (
        '<div id="lp-root-inner"><h1>Learning Plan</h1>'
        + render_offers_and_problems(offers, problems)
        + lead
        + f"<p><button {_cmd('import')}>Import outline…</button></p></div>"
    )


def _options(choices: Sequence[tuple[str, str]]) -> str:
    return "".join(f'<option value="{esc(cid)}">{esc(label)}</option>' for cid, label in choices)


def _date_input(element_id: str, today: str) -> str:
    # Anki's study day, not the computer's calendar day: after midnight but before the
    # rollover hour the default is still "yesterday", as in Anki itself.
    limit = f' max="{esc(today)}"' if today else ""
    return (
        f'<input name="date" id="{element_id}" type="date" value="{esc(today)}"{limit} '
        'aria-label="date">'
    )


def render_warning(v: PanelView) -> str:
    f = v.figures
    if not f.warning:
        return ""
    out = [f'<div id="lp-warning" class="lp-warning">{esc(f.warning)}']
    if f.trim:
        rows = "".join(f"<li>{esc(t.name)}: {esc(t.suggested)}</li>" for t in f.trim)
        out.append(
            "<details><summary>A trim that fits (FTE points per course)</summary>"
            f'<ul class="lp-trim">{rows}</ul>'
            f'<p><button id="lp-apply-trim" {_cmd("trim")}>Apply this trim</button> '
            '<span class="lp-muted">(recorded as re-allocations; Edit › Undo takes it '
            "back)</span></p></details>"
        )
    out.append("</div>")
    return "".join(out)


#: What the panel adds to a column's explanation: what a click there does.
_CLICKS = {"done": "; click for its lessons"}


def render_table(v: PanelView) -> str:
    """The course table: one row per course, resources' costs, then the totals."""
    heads = [
        '<th class="l" title="Click a course to see its cards in the Browser">'
        "Course · provider</th>",
        *(
            f'<th id="lp-col-{c.key}" title="{esc(c.description + _CLICKS.get(c.key, ""))}">'
            f"{esc(c.label)}</th>"
            for c in v.columns
        ),
    ]
    out = ['<div class="lp-table-wrap"><table class="lp-table" id="lp-table"><thead><tr>']
    out += heads
    out.append("</tr></thead><tbody>")
    for course in v.courses:
        c = course.figures
        cid = esc(c.id)
        cells = []
        for col in v.columns:
            value = esc(c.cells.cell(col.key))
            if col.key == "fte":
                fte = (
                    f'<span class="lp-revised" title="{esc(c.fte_note)}">{value}*</span>'
                    if c.fte_note
                    else value
                )
                cells.append(f'<td id="lp-fte-{cid}">{fte}</td>')
            elif col.key == "done":
                cells.append(
                    '<td><a href="#" class="lp-open" title="Lessons, re-allocation and history" '
                    f'data-lp-open="{cid}">{value}</a></td>'
                )
            else:
                cells.append(f"<td>{value}</td>")
        provider = f' <span class="lp-provider">· {esc(c.provider)}</span>' if c.provider else ""
        name = (
            f'<td class="l lp-name"><a href="#" class="lp-browse" id="lp-browse-{cid}" '
            f"{_cmd('browse', course=c.id)}>{esc(c.title)}</a>{provider}</td>"
        )
        status = c.standing.replace(" ", "-")
        out.append(f'<tr class="lp-row lp-{status}">{name}{"".join(cells)}</tr>')
    for r in v.figures.resources:
        provider = f' <span class="lp-provider">· {esc(r.provider)}</span>' if r.provider else ""
        cells = [f"<td>{esc(r.cost)}</td>" if c.key == "cost" else "<td></td>" for c in v.columns]
        out.append(
            f'<tr class="lp-resource"><td class="l lp-name">{esc(r.title)}{provider}</td>'
            + "".join(cells)
            + "</tr>"
        )
    totals = v.figures.totals
    cells = [
        f'<td id="lp-fte-total">{esc(totals.fte)}</td>'
        if c.key == "fte"
        else f"<td>{esc(totals.cell(c.key))}</td>"
        for c in v.columns
    ]
    out.append(f'<tr class="lp-total"><td class="l">Total</td>{"".join(cells)}</tr>')
    out.append("</tbody></table></div>")
    return "".join(out)


def render_course_view(course: CourseView, weeks: int) -> str:
    """One course's view: progress, memory, lesson checklist, re-allocation and history."""
    c = course.figures
    cid = esc(c.id)
    out = [
        f'<details class="lp-course lp-{c.standing.replace(" ", "-")}" id="lp-course-{cid}" '
        f'data-lp-course="{cid}"><summary>'
        f'<span class="lp-course-title">{esc(c.title)}</span> '
        f'<span class="lp-muted">{esc(c.provider)}</span>'
        f'<span class="lp-bar"><span style="width:{c.bar:.1f}%"></span></span>'
        f'<span class="lp-course-progress" id="lp-progress-{cid}">{esc(c.progress)}</span>'
        "</summary>"
    ]
    if c.cells.memory.line:
        out.append(
            f'<p class="lp-memory lp-muted" id="lp-memory-{cid}">{esc(c.cells.memory.line)}</p>'
        )
    if course.lessons:
        out.append('<ul class="lp-lessons">')
        for lesson in course.lessons:
            checked = " checked" if lesson.done else ""
            out.append(
                f'<li><label><input type="checkbox"{checked} '
                f'data-lp-lesson="{esc(lesson.course)}/{esc(lesson.lesson)}" '
                f"{_cmd('tick', course=lesson.course, lesson=lesson.lesson)}> "
                f"{esc(lesson.title)}</label></li>"
            )
        out.append("</ul>")
    form = f"realloc-{c.id}"
    out.append(
        f'<form class="lp-form lp-realloc" data-lp-form="{esc(form)}" onsubmit="return false">'
        "<b>Re-allocate</b> "
        f'<input name="fte" type="number" min="0" step="0.05" value="{esc(course.fte_value)}" '
        'aria-label="FTE points"> points, weeks '
        f'<input name="start_week" type="number" min="1" max="{weeks}" step="1" '
        f'value="{course.start_week}" aria-label="first week">–'
        f'<input name="end_week" type="number" min="1" max="{weeks}" step="1" '
        f'value="{course.end_week}" aria-label="last week"> '
        '<input name="reason" type="text" placeholder="why (kept in the history)" '
        'aria-label="reason"> '
        f'<button class="lp-realloc-save" {_cmd("realloc", course=c.id)} '
        f'data-lp-form="{esc(form)}">Save</button></form>'
    )
    if c.revisions:
        items = "".join(f"<li>{esc(line)}</li>" for line in c.revisions)
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
    v, f = view, view.figures
    parts: list[str] = ['<div id="lp-root-inner">']
    parts.append(
        f'<div class="lp-head"><h1 id="lp-title">{esc(f.title)}</h1>'
        f'<button id="lp-export" {_cmd("report")} title="Save the shareable progress report '
        f'(HTML) for this plan">Export report…</button></div>'
    )
    parts.append(f'<p id="lp-headline" class="lp-headline">{esc(f.headline)}</p>')
    parts.append(render_offers_and_problems(v.offers, v.problems))
    parts.append(render_not_counted(v.not_counted))
    parts.append(render_warning(v))
    parts.append('<div class="lp-tiles">')
    for t in v.tiles:
        note = f' title="{esc(t.note)}"' if t.note else ""
        parts.append(
            f'<div class="lp-tile"{note}><div class="lp-label">{esc(t.label)}</div>'
            f'<div class="lp-value" id="lp-{esc(t.id)}">{esc(t.value)}</div></div>'
        )
    parts.append("</div>")
    if f.next_up is not None:
        parts.append(
            f'<p id="lp-next" class="lp-next" title="{esc(f.next_up.note)}">'
            f"Next up: {esc(f.next_up.text)}</p>"
        )
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
