"""The progress report: one model, three writers (JSON, Markdown + SVG files, HTML).

Every number the Markdown and HTML show comes from :func:`figures`, which formats the
values also written by :func:`report_json`, so the three forms cannot disagree.
"""

from __future__ import annotations

import dataclasses
import html
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from learnplan._version import __version__
from learnplan.model.plan import Plan, plan_to_dict
from learnplan.progress.maths import CourseProgress, Snapshot, snapshot_to_dict
from learnplan.render.chart import burnup_svg, course_bars_svg, weekly_hours_svg

#: Version of the dict form written by :func:`report_json`.
REPORT_VERSION = 1

#: Per-course memory numbers shown when given (from ``learnplan.collection.memory``).
MEMORY_KEYS = ("new", "learning", "young", "mature", "suspended", "retention", "knowledge")

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "AUD": "A$", "NZD": "NZ$", "CAD": "C$"}


@dataclass(frozen=True)
class Report:
    snapshot: Snapshot
    plan: Plan
    #: course id -> numbers (a mapping or a dataclass such as ``memory.CourseMemory``)
    memory: Mapping[str, object] | None = None


# --- formatting shared by the writers


def money(amount: float, currency: str) -> str:
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {currency}"


def _pts(value: float) -> str:
    return f"{value:.2f}"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def headline(report: Report) -> str:
    """The one line a learner posts: 'Week 6 of 12: 2.9 of 7.4 points, behind plan by 0.8,
    forecast week 16'."""
    return snapshot_headline(report.snapshot)


def snapshot_headline(s: Snapshot) -> str:
    """:func:`headline` from a snapshot alone (the add-on's panel shows the same line)."""
    if s.week == 0:
        return (
            f"Starts {s.start.isoformat()}: {s.total:.1f} points planned over {s.weeks} weeks "
            f"({s.overcommitment:.2f}× capacity)"
        )
    done = s.earned >= s.total - 1e-9 and s.total > 0
    if s.week > s.weeks:
        ended = f"Plan ended {s.last_day.isoformat()}: {s.earned:.1f} of {s.total:.1f} points"
        return f"{ended}, all done" if done else f"{ended}, {s.total - s.earned:.1f} to go"
    parts = [f"Week {s.week} of {s.weeks}: {s.earned:.1f} of {s.total:.1f} points"]
    if round(s.ahead_by, 1) == 0:
        parts.append("on plan")
    elif s.ahead_by < 0:
        parts.append(f"behind plan by {-s.ahead_by:.1f}")
    else:
        parts.append(f"ahead of plan by {s.ahead_by:.1f}")
    if done:
        parts.append("all done")
    elif s.forecast_week is not None:
        parts.append(f"forecast week {s.forecast_week}")
    else:
        parts.append("no forecast yet")
    return ", ".join(parts)


def figures(report: Report) -> list[tuple[str, str]]:
    """(label, value) rows of the summary, formatted once for both Markdown and HTML."""
    s = report.snapshot
    cur = s.currency
    ahead = (
        f"behind by {_pts(-s.ahead_by)} points"
        if s.ahead_by < 0
        else f"ahead by {_pts(s.ahead_by)} points"
    )
    rows = [
        ("Week", f"{s.week} of {s.weeks} ({s.days_left} days left)"),
        ("Earned", f"{_pts(s.earned)} of {_pts(s.total)} points"),
        ("Planned by today", f"{_pts(s.planned)} points ({ahead})"),
        ("Schedule index", f"{_ratio(s.schedule_index)} (earned / planned)"),
        ("Efficiency", f"{_ratio(s.efficiency)} (earned / spent points)"),
        (
            "Spent",
            f"{s.spent_hours:.1f} h = {_pts(s.spent_points)} points "
            f"({s.logged_hours:.1f} h logged, {s.anki_hours:.1f} h in Anki)",
        ),
        ("This week", f"{s.week_hours:.1f} h of {s.week_target:g} h"),
        (
            "Forecast finish",
            f"{s.forecast.isoformat()} (week {s.forecast_week})" if s.forecast else "not yet",
        ),
        ("Cost", f"{money(s.cost_spent, cur)} of {money(s.cost_budget, cur)}"),
        (
            "Capacity",
            f"{_pts(s.capacity)} points; the plan is {_ratio(_finite(s.overcommitment))}× that",
        ),
    ]
    return rows


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _course_cells(c: CourseProgress, currency: str) -> list[str]:
    lessons = f"{c.lessons_done}/{c.lessons_total}" if c.lessons_total else "–"
    cost = (
        f"{money(c.cost_spent, currency)} / {money(c.budget, currency)}"
        if c.budget or (c.cost_spent)
        else "–"
    )
    return [
        _pts(c.fte),
        lessons,
        f"{c.percent:.0f}%",
        _pts(c.earned),
        _pts(c.planned),
        f"{c.hours:.1f}",
        cost,
    ]


_COURSE_HEADERS = ["Course", "FTE", "Lessons", "Done", "Earned", "Planned", "Hours", "Cost"]


def _memory_rows(report: Report) -> list[tuple[CourseProgress, dict[str, float | int | None]]]:
    if not report.memory:
        return []
    out = []
    for c in report.snapshot.courses:
        raw = report.memory.get(c.id)
        if raw is None:
            continue
        if dataclasses.is_dataclass(raw) and not isinstance(raw, type):
            raw = {f.name: getattr(raw, f.name) for f in dataclasses.fields(raw)}
        if not isinstance(raw, Mapping):
            continue
        row: dict[str, float | int | None] = {}
        for key in MEMORY_KEYS:
            value = raw.get(key)
            row[key] = (
                value if isinstance(value, int | float) and not isinstance(value, bool) else None
            )
        out.append((c, row))
    return out


def _memory_cell(key: str, value: float | int | None) -> str:
    if value is None:
        return "–"
    if key == "retention":
        # memory.py gives a share (0-1); a percentage is accepted too
        return f"{value * 100:.1f}%" if value <= 1 else f"{value:.1f}%"
    if key == "knowledge":
        return f"{value:.1f}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _trim_rows(report: Report) -> list[tuple[CourseProgress, str]]:
    trim = report.snapshot.trim
    if not trim:
        return []
    return [(c, _pts(trim[c.id])) for c in report.snapshot.courses if c.id in trim]


def _next_up_text(report: Report) -> str | None:
    n = report.snapshot.next_up
    if n is None:
        return None
    where = f"{n.provider}: {n.title}" if n.provider else n.title
    lesson = f" — next lesson: {n.lesson_title}" if n.lesson_title else ""
    state = (
        f"behind its plan by {_pts(n.behind)} points"
        if n.behind > 0
        else "furthest behind its plan"
    )
    return f"{where}{lesson} ({state})"


# --- JSON


def report_json(report: Report) -> dict[str, Any]:
    memory = {c.id: row for c, row in _memory_rows(report)} if report.memory else None
    return {
        "version": REPORT_VERSION,
        "generator": f"learnplan {__version__}",
        "headline": headline(report),
        "plan": plan_to_dict(report.plan),
        "snapshot": snapshot_to_dict(report.snapshot),
        "memory": memory,
    }


# --- Markdown

# "|" is left to the table writer, which escapes it once in every cell.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]~])")


def md_escape(text: str) -> str:
    """Learner text as literal Markdown: no HTML, no emphasis, no links, one line.

    Only characters that act mid-line are escaped (the writers never start a line with
    learner text), so the raw Markdown stays readable when pasted into a blog.
    """
    text = " ".join(text.split())
    text = html.escape(text, quote=False)
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return out


_SAFE_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def report_markdown(report: Report, *, chart_prefix: str) -> tuple[str, dict[str, str]]:
    """Markdown text and the SVG files it links to, ``{file name: svg}``, to write beside it.

    ``chart_prefix`` names the chart files (``<prefix>-burnup.svg`` ...); it must be a
    plain file name (letters, digits, ``.``, ``_``, ``-``).
    """
    if not _SAFE_PREFIX.match(chart_prefix) or ".." in chart_prefix:
        raise ValueError(f"chart prefix must be a plain file name, got {chart_prefix!r}")
    s = report.snapshot
    charts = {
        f"{chart_prefix}-burnup.svg": burnup_svg(s, standalone=True),
        f"{chart_prefix}-weekly.svg": weekly_hours_svg(s, standalone=True),
        f"{chart_prefix}-courses.svg": course_bars_svg(s, standalone=True),
    }
    burnup, weekly, courses = (quote(name) for name in charts)
    lines = [
        f"# {md_escape(s.title)} — progress on {s.today.isoformat()}",
        "",
        f"**{md_escape(headline(report))}**",
        "",
        *_md_table(
            ["Indicator", "Value"], [[label, md_escape(value)] for label, value in figures(report)]
        ),
        "",
        f"![Burn-up: planned, earned and spent points]({burnup})",
        "",
    ]
    next_text = _next_up_text(report)
    if next_text:
        lines += [f"**Next up:** {md_escape(next_text)}", ""]
    lines += ["## Courses", ""]
    lines += _md_table(
        _COURSE_HEADERS,
        [[_md_course(c), *_course_cells(c, s.currency)] for c in s.courses],
    )
    lines += ["", f"![Points per course]({courses})", ""]
    lines += ["## Hours a week", "", f"![Hours a week by course]({weekly})", ""]
    memory = _memory_rows(report)
    if memory:
        lines += ["## Memory (from Anki)", ""]
        lines += _md_table(
            ["Course", *(k.capitalize() for k in MEMORY_KEYS)],
            [[_md_course(c), *(_memory_cell(k, row[k]) for k in MEMORY_KEYS)] for c, row in memory],
        )
        lines.append("")
    trim = _trim_rows(report)
    if trim or s.trim_note:
        lines += ["## Over capacity", ""]
        lines.append(
            md_escape(
                f"The plan needs {s.total:.2f} points but {s.capacity:.2f} fit in {s.weeks} "
                f"weeks ({s.overcommitment:.2f}×)."
            )
        )
        lines.append("")
        if trim:
            lines.append("A proportional trim that fits:")
            lines.append("")
            lines += _md_table(
                ["Course", "FTE", "Suggested"], [[_md_course(c), _pts(c.fte), t] for c, t in trim]
            )
        else:
            lines.append(md_escape(s.trim_note))
        lines.append("")
    lines.append(f"_Generated by learnplan {__version__}._")
    return "\n".join(lines) + "\n", charts


def _md_course(c: CourseProgress) -> str:
    return md_escape(f"{c.provider}: {c.title}" if c.provider else c.title)


# --- HTML

_CSS = """
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2937; --muted: #6b7280;
  --card: #f3f4f6; --line: #e5e7eb; --accent: #10b981; --warn: #dc2626; --bar: #d1fae5; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #111827; --fg: #e5e7eb; --muted: #9ca3af; --card: #1f2937;
    --line: #374151; --accent: #34d399; --warn: #f87171; --bar: #064e3b; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.2em; margin: 32px 0 10px; border-bottom: 1px solid var(--line);
  padding-bottom: 4px; }
.date { color: var(--muted); margin: 0 0 16px; }
.headline { font-size: 1.25em; font-weight: 600; padding: 12px 16px; border-radius: 8px;
  background: var(--card); border-left: 5px solid var(--accent); }
.headline.behind { border-left-color: var(--warn); }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr));
  gap: 10px; margin: 16px 0; }
.tile { background: var(--card); border-radius: 8px; padding: 10px 12px; }
.tile .label { color: var(--muted); font-size: 0.85em; }
.tile .value { font-weight: 600; }
figure { margin: 16px 0; overflow-x: auto; }
svg.lp-chart { width: 100%; max-width: 860px; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: right;
  vertical-align: top; white-space: nowrap; }
td:first-child { white-space: normal; }
th:first-child, td:first-child { text-align: left; }
th { color: var(--muted); font-weight: 600; }
td .provider { color: var(--muted); font-size: 0.9em; display: block; }
.meter { background: var(--line); border-radius: 4px; height: 8px; min-width: 60px;
  margin-top: 4px; overflow: hidden; }
.meter span { display: block; height: 100%; background: var(--accent); }
.next { background: var(--card); border-radius: 8px; padding: 10px 14px; }
.note { color: var(--muted); }
footer { color: var(--muted); font-size: 0.85em; margin-top: 40px; }
"""


def report_html(report: Report) -> str:
    """One self-contained HTML page (inline CSS and SVG, no scripts, no external files)."""
    s = report.snapshot
    e = html.escape
    head = headline(report)
    tiles = "".join(
        f'<div class="tile"><div class="label">{e(label)}</div>'
        f'<div class="value">{e(value)}</div></div>'
        for label, value in figures(report)
    )
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        f"<title>{e(s.title)} — progress on {s.today.isoformat()}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f"<h1>{e(s.title)}</h1>",
        f'<p class="date">Progress on {s.today.isoformat()} · plan started '
        f"{s.start.isoformat()}</p>",
        f'<p class="headline{" behind" if s.ahead_by < -0.05 else ""}">{e(head)}</p>',
        f'<div class="tiles">{tiles}</div>',
        f'<figure aria-label="Burn-up">{burnup_svg(s)}</figure>',
    ]
    next_text = _next_up_text(report)
    if next_text:
        parts.append(f'<p class="next"><strong>Next up:</strong> {e(next_text)}</p>')

    parts.append("<h2>Courses</h2><table><thead><tr>")
    parts.extend(f"<th>{h}</th>" for h in _COURSE_HEADERS)
    parts.append("</tr></thead><tbody>")
    for c in s.courses:
        cells = _course_cells(c, s.currency)
        width = max(0.0, min(c.percent, 100.0))
        parts.append(
            f'<tr><td>{e(c.title)}<span class="provider">{e(c.provider)}</span>'
            f'<div class="meter" title="{c.percent:.0f}% done"><span style="width:{width:.1f}%">'
            "</span></div></td>" + "".join(f"<td>{e(cell)}</td>" for cell in cells) + "</tr>"
        )
    parts.append("</tbody></table>")
    parts.append(f'<figure aria-label="Points per course">{course_bars_svg(s)}</figure>')
    parts.append(
        f'<h2>Hours a week</h2><figure aria-label="Hours a week">{weekly_hours_svg(s)}</figure>'
    )

    memory = _memory_rows(report)
    if memory:
        parts.append("<h2>Memory (from Anki)</h2><table><thead><tr><th>Course</th>")
        parts.extend(f"<th>{k.capitalize()}</th>" for k in MEMORY_KEYS)
        parts.append("</tr></thead><tbody>")
        for c, row in memory:
            parts.append(
                f"<tr><td>{e(c.title)}</td>"
                + "".join(f"<td>{e(_memory_cell(k, row[k]))}</td>" for k in MEMORY_KEYS)
                + "</tr>"
            )
        parts.append("</tbody></table>")

    trim = _trim_rows(report)
    if trim or s.trim_note:
        parts.append("<h2>Over capacity</h2>")
        parts.append(
            f'<p class="note">The plan needs {s.total:.2f} points but {s.capacity:.2f} fit in '
            f"{s.weeks} weeks ({s.overcommitment:.2f}×).</p>"
        )
        if trim:
            parts.append(
                "<p>A proportional trim that fits:</p><table><thead><tr><th>Course</th>"
                "<th>FTE</th><th>Suggested</th></tr></thead><tbody>"
            )
            parts.extend(
                f"<tr><td>{e(c.title)}</td><td>{_pts(c.fte)}</td><td>{t}</td></tr>" for c, t in trim
            )
            parts.append("</tbody></table>")
        else:
            parts.append(f'<p class="note">{e(s.trim_note)}</p>')
    parts.append(f"<footer>Generated by learnplan {e(__version__)}.</footer>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
