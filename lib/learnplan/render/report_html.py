"""The progress report as one self-contained HTML page (inline CSS and SVG, no scripts).

Laid out from :class:`~learnplan.figures.model.Figures`; every piece of text is escaped.
It follows the reader's light or dark colour scheme.
"""

from __future__ import annotations

import html

from learnplan.figures.headline import BEHIND
from learnplan.figures.model import COURSE_COLUMNS, MEMORY_COLUMNS, Figures
from learnplan.render.chart import burnup_svg, course_bars_svg, weekly_hours_svg
from learnplan.render.report import (
    GENERATOR,
    memory_note,
    next_up_text,
)

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
.tile .note { color: var(--muted); font-size: 0.85em; }
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


def report_html(f: Figures) -> str:
    """One self-contained HTML page (inline CSS and SVG, no scripts, no external files)."""
    s = f.snapshot
    e = html.escape
    tiles = "".join(
        f'<div class="tile"><div class="label">{e(t.label)}</div>'
        f'<div class="value">{e(t.value)}</div>'
        + (f'<div class="note">{e(t.note)}</div>' if t.note else "")
        + "</div>"
        for t in f.tiles
    )
    behind = " behind" if f.standing == BEHIND else ""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        f"<title>{e(f.title)} — progress on {f.today}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f"<h1>{e(f.title)}</h1>",
        f'<p class="date">Progress on {f.today} · plan started {f.start}</p>',
        f'<p class="headline{behind}">{e(f.headline)}</p>',
        f'<div class="tiles">{tiles}</div>',
        f'<figure aria-label="Burn-up">{burnup_svg(s)}</figure>',
    ]
    next_text = next_up_text(f)
    if next_text:
        parts.append(f'<p class="next"><strong>Next up:</strong> {e(next_text)}</p>')

    parts.append('<h2>Courses</h2><table id="courses"><thead><tr><th>Course</th>')
    parts.extend(f'<th title="{e(c.description)}">{e(c.label)}</th>' for c in COURSE_COLUMNS)
    parts.append("</tr></thead><tbody>")
    for c in f.courses:
        cells = "".join(f"<td>{e(c.cells.cell(k.key))}</td>" for k in COURSE_COLUMNS)
        parts.append(
            f'<tr><td>{e(c.title)}<span class="provider">{e(c.provider)}</span>'
            f'<div class="meter" title="{e(c.cells.done)} done"><span style="width:{c.bar:.1f}%">'
            f"</span></div></td>{cells}</tr>"
        )
    parts.append("</tbody></table>")
    parts.append(f'<figure aria-label="Points per course">{course_bars_svg(s)}</figure>')
    parts.append(
        f'<h2>Hours a week</h2><figure aria-label="Hours a week">{weekly_hours_svg(s)}</figure>'
    )

    remembered = [c for c in f.courses if c.id in f.memory]
    if remembered:
        parts.append('<h2>Memory (from Anki)</h2><table id="memory"><thead><tr><th>Course</th>')
        parts.extend(f'<th title="{e(c.description)}">{e(c.label)}</th>' for c in MEMORY_COLUMNS)
        parts.append("</tr></thead><tbody>")
        for c in remembered:
            parts.append(
                f"<tr><td>{e(c.title)}</td>"
                + "".join(f"<td>{e(c.cells.cell(k.key))}</td>" for k in MEMORY_COLUMNS)
                + "</tr>"
            )
        parts.append(f'</tbody></table><p class="note">{e(memory_note())}</p>')

    if f.warning:
        parts.append(f'<h2>Over capacity</h2><p class="note" id="warning">{e(f.warning)}</p>')
        if f.trim:
            parts.append(
                '<p>A proportional trim that fits:</p><table id="trim"><thead><tr>'
                "<th>Course</th><th>FTE</th><th>Suggested</th></tr></thead><tbody>"
            )
            parts.extend(
                f"<tr><td>{e(t.name)}</td><td>{e(t.fte)}</td><td>{e(t.suggested)}</td></tr>"
                for t in f.trim
            )
            parts.append("</tbody></table>")
    parts.append(f"<footer>Generated by {e(GENERATOR)}.</footer>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
