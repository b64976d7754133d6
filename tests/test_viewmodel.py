"""addon/viewmodel.py and addon/markup.py without Qt: the panel's view of the figures,
escaping and markup."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html.parser
import json
from typing import Any

from test_figures import memory

from addon import markup, viewmodel
from learnplan.figures.compute import figures
from learnplan.model.plan import Course, Lesson, Plan, Resource
from learnplan.progress.log import (
    CostPaid,
    ProgressLog,
    Revision,
    Session,
    add_cost,
    add_revision,
    add_session,
    mark_lesson_done,
)
from learnplan.progress.recall import CourseMemory

EVIL = "<img src=x onerror=alert(1)>"
START = dt.date(2019, 5, 6)


def _plan(title: str = "Zero to DL", course_title: str = "Linear Algebra") -> Plan:
    return Plan(
        id="p",
        title=title,
        start=START,
        weeks=12,
        courses=(
            Course(
                id="la",
                provider="MIT",
                title=course_title,
                fte=1.2,
                lessons=(Lesson("l1", "Vectors"), Lesson("l2", "Matrices"), Lesson("l3", "Rank")),
            ),
            # 6.0 + 1.2 = 7.2 points against a capacity of 4.0: overcommitted
            Course(id="dl", provider="Fastai", title="Part 1", fte=6.0, cost=45.0),
        ),
    )


class _Collector(html.parser.HTMLParser):
    """Every tag and attribute name the browser would see, plus the text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _render(
    plan: Plan,
    log: ProgressLog,
    today: dt.date,
    numbers: dict[str, CourseMemory] | None = None,
    **kw: Any,
) -> tuple[str, _Collector]:
    view = viewmodel.build_view(figures(plan, log, numbers, today), **kw)
    out = markup.render_html(view)
    parser = _Collector()
    parser.feed(out)
    return out, parser


def test_hostile_titles_are_text_not_markup() -> None:
    plan = _plan(title=EVIL, course_title=EVIL)
    log = ProgressLog("p")
    out, parsed = _render(
        plan,
        log,
        START,
        plans=[("p", EVIL), ("q", EVIL)],
        offers=[viewmodel.Offer("_learnplan-q-0.json", markup.esc(EVIL), "x", "2020-01-01")],
    )
    assert "img" not in parsed.tags
    assert "onerror" not in parsed.attrs
    assert EVIL in "".join(parsed.text)  # shown to the learner, literally
    assert EVIL not in out


def test_lesson_ids_with_quotes_survive_the_command_attribute() -> None:
    plan = Plan(
        id="p",
        title="T",
        start=START,
        courses=(Course(id='c"1', provider="", title="C", fte=1.0, lessons=(Lesson("a'b", "L"),)),),
    )
    out, _ = _render(plan, ProgressLog("p"), START)
    cmds: list[dict[str, str]] = []

    class Cmds(html.parser.HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if name == "data-lp-cmd" and value:
                    cmds.append(json.loads(value))

    Cmds().feed(out)
    assert {"cmd": "tick", "course": 'c"1', "lesson": "a'b"} in cmds


def test_the_panel_shows_the_figures_as_they_are() -> None:
    plan = _plan()
    today = START + dt.timedelta(days=41)  # day 42 of 84: week 6
    log = mark_lesson_done(ProgressLog("p"), "la", "l1", START + dt.timedelta(days=3))
    log = add_session(log, Session(date=today, course="la", hours=3.0))
    shown = figures(plan, log, None, today)
    view = viewmodel.build_view(shown)
    assert [t.id for t in view.tiles] == list(viewmodel.PANEL_TILES)
    assert all(t == shown.tile(t.id) for t in view.tiles)
    out = markup.render_html(view)
    # earned: 1.2 FTE × 1/3 lessons = 0.4; planned by day 42 of 84: 7.2 / 2 = 3.6
    tiles = {t.id: t.value for t in view.tiles}
    assert tiles["earned"] == "0.4 of 7.2 points"
    assert '<div class="lp-value" id="lp-earned">0.4 of 7.2 points</div>' in out
    assert '<div class="lp-tile" title="behind by 3.2 points"><div class="lp-label">' in out
    assert tiles["planned"] == "3.6 points"
    assert tiles["index"] == f"{0.4 / 3.6:.2f}"
    # 3 hours at 120 hours a point
    assert tiles["spent"] == "3.0 h = 0.03 points"
    assert tiles["cost"] == "$0 of $45"
    assert f'<p id="lp-headline" class="lp-headline">{shown.headline}</p>' in out
    assert shown.headline.startswith("Week 6 of 12: 0.4 of 7.2 points, behind plan by 3.2")
    la = next(c for c in view.courses if c.figures.id == "la")
    assert la.figures.progress == "1 of 3 lessons · 0.4 of 1.2 points · behind · 3.0 h"
    assert 'id="lp-progress-la">1 of 3 lessons · 0.4 of 1.2 points · behind · 3.0 h<' in out
    assert [lesson.done for lesson in la.lessons] == [True, False, False]
    assert '<tr class="lp-row lp-behind">' in out


def test_overcommitment_warning_and_trim() -> None:
    plan = _plan()
    out, _ = _render(plan, ProgressLog("p"), START)
    assert "This plan is 1.80× what fits in 12 weeks (7.2 points for a capacity of 4.0)." in out
    assert 'id="lp-warning"' in out
    # proportional trim of 7.2 into 4.0: 1.2 × 4/7.2 = 0.667, rounded down so it fits
    assert "<li>MIT — Linear Algebra: 0.66</li>" in out
    assert 'id="lp-apply-trim"' in out


def test_fitting_plan_has_no_warning() -> None:
    plan = Plan(id="p", title="T", start=START, courses=(Course("a", "X", "A", fte=1.0),))
    out, _ = _render(plan, ProgressLog("p"), START)
    assert "lp-warning" not in out


def test_memory_line() -> None:
    plan = _plan()
    numbers = {
        "la": memory("la", new=4, learning=1, young=3, mature=2, suspended=1, retention=0.875)
    }
    out, _ = _render(plan, ProgressLog("p"), START, numbers)
    assert (
        '<p class="lp-memory lp-muted" id="lp-memory-la">'
        "11 cards: 4 new, 1 learning, 3 young, 2 mature · 1 suspended · retention 88%</p>"
    ) in out
    assert 'id="lp-memory-dl"' not in out


def test_empty_panel_offers_plans_and_problems() -> None:
    offer = viewmodel.Offer("_learnplan-p-abc.json", "Zero &amp; DL", "12 courses", "2019-05-06")
    out = markup.render_empty([offer], [viewmodel.Problem("learnplan.log.p", "damaged &lt;x&gt;")])
    assert "Start it today" in out and "Keep its dates (from 2019-05-06)" in out
    assert "Export record" in out and "Start fresh" in out
    assert "damaged &lt;x&gt;" in out
    # one state at a time: a plan was found, so the panel does not also say there is none
    assert "Plan found in this collection" in out and "No plan yet" not in out
    assert "Or build a plan of your own from an outline file" in out
    assert "Switch to another plan" not in out
    nothing = markup.render_empty([], [])
    assert "No plan yet" in nothing and "Plan found" not in nothing
    # a plan file that could not be read offers nothing to adopt: still no plan yet
    bad = dataclasses.replace(offer, problem="x.json:1: not valid JSON")
    assert "No plan yet" in markup.render_empty([bad], [])


def test_a_plan_that_cannot_be_shown_leaves_the_others_to_switch_to() -> None:
    out = markup.render_empty(
        [],
        [viewmodel.Problem("file:_learnplan-rec-x.json", "unreadable", "Hide it")],
        [("p2", "Plan <two>")],
    )
    assert "Switch to another plan" in out and "Plan &lt;two&gt;" in out
    assert "&quot;cmd&quot;: &quot;switch&quot;, &quot;plan&quot;: &quot;p2&quot;" in out
    assert ">Hide it</button>" in out and "Start fresh" not in out


def test_a_manifest_that_could_not_be_read_is_named_without_an_adopt_button() -> None:
    bad = viewmodel.Offer(
        "_learnplan-x-0.json",
        markup.esc("_learnplan-x-0.json"),
        "",
        "",
        problem=markup.esc(f"_learnplan-x-0.json:3: plan.title: {EVIL}"),
    )
    good = viewmodel.Offer("_learnplan-p-abc.json", "Zero", "12 courses", "2019-05-06")
    out = markup.render_empty([good, bad], [])
    parser = _Collector()
    parser.feed(out)
    assert "img" not in parser.tags and "onerror" not in parser.attrs
    assert f"_learnplan-x-0.json:3: plan.title: {EVIL}" in "".join(parser.text)
    assert "could not be read and was skipped" in out
    # Adopt buttons for the good plan only.
    assert out.count("Start it today") == 1 and "_learnplan-x-0.json&quot;" not in out


def test_costs_can_be_logged_against_resources() -> None:
    plan = dataclasses.replace(
        _plan(), resources=(Resource(id="gpu", title="GPU <server>", cost=300, provider="AWS"),)
    )
    out, _ = _render(plan, ProgressLog("p"), START)
    cost_select = out[out.index('id="lp-cost-item"') :].split("</select>", 1)[0]
    assert '<option value="gpu">AWS — GPU &lt;server&gt;</option>' in cost_select
    session_select = out[out.index('id="lp-session-course"') :].split("</select>", 1)[0]
    assert "gpu" not in session_select


def _row(out: str, course_id: str) -> list[str]:
    """A course's table row as text, cell by cell (from the FTE cell on)."""
    import re

    row = out[out.index(f'id="lp-browse-{course_id}"') :]
    row = row[: row.index("</tr>")]
    cells = [c.split(">", 1)[1] for c in row.split("<td")[1:]]
    return [html.unescape(re.sub(r"<[^>]+>", "", c.split("</td>")[0])) for c in cells]


MEMORY = {
    "la": memory("la", new=4, learning=1, young=3, mature=2, retention=0.875),
    "dl": memory("dl", new=7),
}


def test_course_table_cells() -> None:
    plan = _plan()
    today = START + dt.timedelta(days=41)
    log = mark_lesson_done(ProgressLog("p"), "la", "l1", START)
    log = add_session(log, Session(date=today, course="la", hours=3.0))
    log = add_cost(log, CostPaid(date=today, item="dl", amount=45))
    out, _parsed = _render(plan, log, today, MEMORY)
    # FTE, done, earned, hours, cost, new, learning, young, mature, retention
    assert _row(out, "la") == ["1.2", "33%", "0.4", "3.0", "–", "4", "1", "3", "2", "88%"]
    assert _row(out, "dl") == ["6.0", "0%", "0.0", "0.0", "$45 / $45", "7", "0", "0", "0", "–"]
    assert "Knowledge" not in out  # FSRS is off: no knowledge column
    total = out[out.index('class="lp-total"') :].split("</tr>")[0]
    assert ">7.2<" in total and ">$45 / $45<" in total and ">11<" in total
    # the course name asks for the Browser on its tag
    assert {"cmd": "browse", "course": "la"} in _cmds(out)


def _cmds(out: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []

    class Cmds(html.parser.HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if name == "data-lp-cmd" and value:
                    found.append(json.loads(value))

    Cmds().feed(out)
    return found


def test_knowledge_column_when_fsrs_is_on() -> None:
    numbers = {**MEMORY, "la": dataclasses.replace(MEMORY["la"], knowledge=6.4)}
    out, _ = _render(_plan(), ProgressLog("p"), START, numbers)
    # the column says what it counts
    assert (
        '<th id="lp-col-knowledge" title="FSRS&#x27;s estimate of how many of these cards you '
        'remember now: the sum of each card&#x27;s retrievability">Knowledge</th>'
    ) in out
    assert _row(out, "la")[-1] == "6"
    assert _row(out, "dl")[-1] == "–"


def test_table_without_memory_numbers_shows_dashes() -> None:
    out, _ = _render(_plan(), ProgressLog("p"), START)
    assert _row(out, "la")[5:] == ["–"] * 5


def test_revised_fte_and_history() -> None:
    plan = _plan()
    day = START + dt.timedelta(days=10)
    log = add_revision(ProgressLog("p"), Revision(day, "dl", "too much <b>", fte=3.0))
    log = add_revision(
        log, Revision(day + dt.timedelta(days=1), "dl", "", start_week=2, end_week=9)
    )
    before, _ = _render(plan, log, day - dt.timedelta(days=1))
    assert _row(before, "dl")[0] == "6.0"  # not revised yet on that day
    out, _ = _render(plan, log, day + dt.timedelta(days=2))
    assert _row(out, "dl")[0] == "3.0*"
    assert 'title="revised from 6.0"' in out
    history = out[out.index('id="lp-history-dl"') :].split("</ul>")[0]
    assert f"{day.isoformat()} · FTE 6.0 → 3.0 · too much &lt;b&gt;" in history
    assert "weeks 1–12 → 2–9" in history
    # the re-allocation form starts from the values in force
    form = out[out.index('data-lp-form="realloc-dl"') :].split("</form>")[0]
    assert 'value="3.0"' in form and 'value="2"' in form and 'value="9"' in form


def test_resources_and_dates_in_forms() -> None:
    plan = dataclasses.replace(
        _plan(), resources=(Resource(id="gpu", title="GPU <server>", cost=300, provider="AWS"),)
    )
    today = START + dt.timedelta(days=3)
    log = add_cost(ProgressLog("p"), CostPaid(date=today, item="gpu", amount=12.5))
    out, _ = _render(plan, log, today)
    resource = out[out.index('class="lp-resource"') :].split("</tr>")[0]
    assert "GPU &lt;server&gt;" in resource and "$12.50 / $300" in resource
    assert out.count(f'type="date" value="{today.isoformat()}" max="{today.isoformat()}"') == 2


def test_every_table_row_has_a_cell_per_column() -> None:
    plan = dataclasses.replace(_plan(), resources=(Resource(id="gpu", title="GPU", cost=300),))
    for knowledge in (None, 3.0):
        numbers = {k: dataclasses.replace(m, knowledge=knowledge) for k, m in MEMORY.items()}
        out, _ = _render(plan, ProgressLog("p"), START, numbers)
        table = out[out.index('id="lp-table"') :].split("</table>")[0]
        rows = table.split("<tr")[1:]
        columns = rows[0].count("<th")
        assert columns == (12 if knowledge else 11)
        assert len(rows) == 1 + 2 + 1 + 1  # header, courses, resource, total
        assert all(row.count("<td") == columns for row in rows[1:])
