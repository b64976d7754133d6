"""addon/viewmodel.py without Qt: escaping, numbers from the real progress engine, markup."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html.parser
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from addon import viewmodel
from learnplan.log import ProgressLog, Session, add_session, mark_lesson_done
from learnplan.plan import Course, Lesson, Plan, Resource
from learnplan.progress import snapshot

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


def _render(plan: Plan, log: ProgressLog, today: dt.date, **kw: object) -> tuple[str, _Collector]:
    snap = snapshot(plan, log, today=today)
    view = viewmodel.build_view(plan, log, snap, **kw)  # type: ignore[arg-type]
    out = viewmodel.render_html(view)
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
        offers=[viewmodel.Offer("_learnplan-q-0.json", viewmodel.esc(EVIL), "x", "2020-01-01")],
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


def test_numbers_come_from_the_snapshot() -> None:
    plan = _plan()
    today = START + dt.timedelta(days=41)  # day 42 of 84: week 6
    log = mark_lesson_done(ProgressLog("p"), "la", "l1", START + dt.timedelta(days=3))
    log = add_session(log, Session(date=today, course="la", hours=3.0))
    snap = snapshot(plan, log, today=today)
    view = viewmodel.build_view(plan, log, snap)
    tiles = {tile_id: value for tile_id, _, value in view.tiles}
    # earned: 1.2 FTE × 1/3 lessons = 0.4; planned by day 42 of 84: 7.2 / 2 = 3.6
    assert round(snap.earned, 9) == 0.4
    assert tiles["lp-earned"] == "0.4 of 7.2 points"
    assert tiles["lp-planned"] == "3.6 points"
    assert tiles["lp-index"] == f"{0.4 / 3.6:.2f}"
    # 3 hours at 120 hours a point
    assert tiles["lp-spent"] == "3.0 h (0.0 points)"
    assert tiles["lp-cost"] == "$0 of $45"
    assert view.headline == "Week 6 of 12: 0.4 of 7.2 points, behind plan by 3.2" + (
        f", forecast week {snap.forecast_week}" if snap.forecast_week else ""
    )
    la = next(c for c in view.courses if c.id == "la")
    assert la.progress == "1 of 3 lessons · 0.4 of 1.2 points"
    assert [lesson.done for lesson in la.lessons] == [True, False, False]
    assert la.status == "behind"


def test_overcommitment_warning_and_trim() -> None:
    plan = _plan()
    out, _ = _render(plan, ProgressLog("p"), START)
    assert "1.80× what fits in 12 weeks" in out
    assert 'id="lp-warning"' in out
    # proportional trim of 7.2 into 4.0: 1.2 × 4/7.2 = 0.67
    assert "<li>Linear Algebra: 0.7</li>" in out


def test_fitting_plan_has_no_warning() -> None:
    plan = Plan(id="p", title="T", start=START, courses=(Course("a", "X", "A", fte=1.0),))
    out, _ = _render(plan, ProgressLog("p"), START)
    assert "lp-warning" not in out


def test_memory_line() -> None:
    plan = _plan()
    memory = {
        "la": {
            "total": 10,
            "new": 4,
            "learning": 1,
            "young": 3,
            "mature": 2,
            "suspended": 1,
            "retention": 0.875,
            "knowledge": None,
        }
    }
    snap = snapshot(plan, ProgressLog("p"), today=START)
    view = viewmodel.build_view(plan, ProgressLog("p"), snap, memory=memory)
    la = next(c for c in view.courses if c.id == "la")
    assert la.memory == (
        "10 cards: 4 new, 1 learning, 3 young, 2 mature · 1 suspended · retention 88%"
    )
    assert next(c for c in view.courses if c.id == "dl").memory == ""


def test_headline_before_and_after_the_plan() -> None:
    plan = _plan()
    before = snapshot(plan, ProgressLog("p"), today=START - dt.timedelta(days=3))
    assert viewmodel.headline(before).startswith("Starts 2019-05-06: 0.0 of 7.2 points")
    after = snapshot(plan, ProgressLog("p"), today=START + dt.timedelta(weeks=13))
    assert viewmodel.headline(after).startswith("Finished (12 weeks)")


def test_money() -> None:
    assert viewmodel.money(367, "USD") == "$367"
    assert viewmodel.money(11.5, "EUR") == "€11.50"
    assert viewmodel.money(1200, "CHF") == "1,200 CHF"


def test_empty_panel_offers_plans_and_problems() -> None:
    out = viewmodel.render_empty(
        [viewmodel.Offer("_learnplan-p-abc.json", "Zero &amp; DL", "12 courses", "2019-05-06")],
        [viewmodel.Problem("learnplan.log.p", "damaged &lt;x&gt;")],
    )
    assert "Start it today" in out and "Keep its dates (from 2019-05-06)" in out
    assert "Export record" in out and "Start fresh" in out
    assert "damaged &lt;x&gt;" in out


def test_costs_can_be_logged_against_resources() -> None:
    plan = dataclasses.replace(
        _plan(), resources=(Resource(id="gpu", title="GPU <server>", cost=300, provider="AWS"),)
    )
    out, _ = _render(plan, ProgressLog("p"), START)
    cost_select = out[out.index('id="lp-cost-item"') :].split("</select>", 1)[0]
    assert '<option value="gpu">AWS — GPU &lt;server&gt;</option>' in cost_select
    session_select = out[out.index('id="lp-session-course"') :].split("</select>", 1)[0]
    assert "gpu" not in session_select
