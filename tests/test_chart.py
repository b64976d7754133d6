from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from test_progress import ANKI, START, day, seed_log, seed_plan

from learnplan.figures import format as fmt
from learnplan.model.plan import Course, Plan
from learnplan.progress.log import ProgressLog, Session, add_session, set_percent
from learnplan.progress.snapshot import Snapshot, snapshot
from learnplan.render.chart import burnup_svg, course_bars_svg, weekly_hours_svg
from learnplan.render.svg import axis

NS = {"s": "http://www.w3.org/2000/svg"}
EVIL = "<img src=x onerror=alert(1)>"


def midway() -> Snapshot:
    return snapshot(seed_plan(), seed_log(), today=day(42), anki_seconds=ANKI)


def points_of(root: ET.Element, cls: str) -> list[tuple[float, float]]:
    (line,) = [e for e in root.iter(f"{{{NS['s']}}}polyline") if e.get("class") == cls]
    return [(float(x), float(y)) for x, y in (p.split(",") for p in line.get("points", "").split())]


def one(root: ET.Element, tag: str, cls: str) -> ET.Element:
    (element,) = [e for e in root.iter(f"{{{NS['s']}}}{tag}") if e.get("class") == cls]
    return element


def test_axis_is_round() -> None:
    assert axis(7.696) == (8, 2)
    assert axis(130) == (150, 50)
    assert axis(0) == (1, 0.25)


def test_burnup_coordinates() -> None:
    root = ET.fromstring(burnup_svg(midway()))
    # x: days 0..108 (the forecast, day 108, is past day 84) over 56..624:
    #    x(n) = 56 + 568 n / 108
    # y: the plan total 7.4 × 1.04 = 7.7 -> axis 0..8 over 264..44: y(v) = 264 - 27.5 v
    planned = points_of(root, "lp-planned")
    assert planned[0] == (56, 264)
    # day 84, 7.4 planned: x = 56 + 441.78 = 497.78, y = 264 - 203.5 = 60.5
    assert planned[-1] == pytest.approx((497.78, 60.5), abs=0.01)
    earned = points_of(root, "lp-earned")
    assert len(earned) == 43  # days 0..42, nothing after today
    # day 42, 2.9 earned: x = 56 + 220.89 = 276.89, y = 264 - 79.75 = 184.25
    assert earned[-1] == pytest.approx((276.89, 184.25), abs=0.01)
    spent = points_of(root, "lp-spent")
    # day 42, 302 h / 120 = 2.5167 points: y = 264 - 69.21 = 194.79
    assert spent[-1] == pytest.approx((276.89, 194.79), abs=0.01)
    today = one(root, "line", "lp-today")
    assert float(today.get("x1", "")) == pytest.approx(276.89, abs=0.01)
    capacity = one(root, "line", "lp-capacity")
    assert float(capacity.get("y1", "")) == pytest.approx(154)  # 264 - 27.5 × 4
    forecast = one(root, "line", "lp-forecast")
    # from today's earned to the total 7.4 on day 108 (the right edge, x = 624)
    assert float(forecast.get("x1", "")) == pytest.approx(276.89, abs=0.01)
    assert float(forecast.get("x2", "")) == pytest.approx(624)
    assert float(forecast.get("y2", "")) == pytest.approx(60.5)


def test_far_forecast_is_clipped_at_three_plan_lengths() -> None:
    # 0.1 earned by day 42 of a 7.4 plan -> forecast day 3108; the axis stops at 252
    plan = seed_plan()
    log = set_percent(ProgressLog(plan.id), "khan", day(1), 100 / 3)
    s = snapshot(plan, log, today=day(42))
    assert s.forecast is not None and (s.forecast - START).days + 1 > 252
    root = ET.fromstring(burnup_svg(s))
    forecast = one(root, "line", "lp-forecast")
    assert float(forecast.get("x2", "")) == pytest.approx(624)
    # the clipped end lies on the line from (42, 0.1) to (3108, 7.4): at day 252 it is
    # 0.1 + 7.3 × 210 / 3066 = 0.6; with the axis 0..8: y = 264 - 27.5 × 0.6 = 247.5
    assert float(forecast.get("y2", "")) == pytest.approx(247.5, abs=0.1)


def test_weekly_bar_coordinates() -> None:
    root = ET.fromstring(weekly_hours_svg(midway()))
    rects = {
        (r.get("data-week"), r.get("data-course")): r
        for r in root.iter(f"{{{NS['s']}}}rect")
        if r.get("class") == "lp-bar"
    }
    # week 3: fastai 25 h then mit-1806 100 h stacked = 125; axis 0..150 over 230..30,
    # y(v) = 230 - 200 v / 150; 12 slots of 568 / 12 = 47.33, bars 70 % = 33.13 wide
    mit = rects[("3", "mit-1806")]
    assert float(mit.get("y", "")) == pytest.approx(230 - 200 * 125 / 150, abs=0.01)
    assert float(mit.get("height", "")) == pytest.approx(200 * 100 / 150, abs=0.01)
    assert float(mit.get("x", "")) == pytest.approx(56 + 47.333 * 2 + 7.1, abs=0.01)
    fastai = rects[("3", "fastai-p1")]
    assert float(fastai.get("y", "")) + float(fastai.get("height", "")) == pytest.approx(230)
    assert ("6", "kun") in rects and ("7", "kun") not in rects
    this_week = one(root, "rect", "lp-this-week")
    assert float(this_week.get("x", "")) == pytest.approx(56 + 47.333 * 5, abs=0.01)
    target = one(root, "line", "lp-target")
    assert float(target.get("y1", "")) == pytest.approx(230 - 200 * 40 / 150, abs=0.01)


def test_course_bars_coordinates() -> None:
    root = ET.fromstring(course_bars_svg(midway()))
    groups = {g.get("data-course"): g for g in root.iter(f"{{{NS['s']}}}g") if g.get("data-course")}
    assert len(groups) == 12
    # bars run from x = 292 to 554 for 0..1.5 (the biggest FTE): 174.67 per point
    fastai = groups["fastai-p1"]
    budget = next(r for r in fastai if r.get("class") == "lp-budget")
    assert float(budget.get("width", "")) == pytest.approx(262)
    dlai = groups["dlai"]
    earned = next(r for r in dlai if r.get("class") == "lp-earned")
    assert float(earned.get("width", "")) == pytest.approx(262 * 0.25 / 1.5, abs=0.01)
    tick = next(e for e in dlai if e.get("class") == "lp-planned")
    assert float(tick.get("x1", "")) == pytest.approx(292 + 262 * 0.25 / 1.5, abs=0.01)


def test_every_number_a_chart_prints_is_written_as_the_figures_write_it() -> None:
    """The charts' labels and titles agree with the panel and the report, figure by figure
    (learnplan.figures.format: points to two decimals with a last zero dropped, hours with
    one decimal)."""
    from learnplan.figures.compute import figures

    shown = figures(seed_plan(), seed_log(), None, day(42))
    s = shown.snapshot

    def texts(svg: str) -> list[str]:
        return [e.text or "" for e in ET.fromstring(svg).iter(f"{{{NS['s']}}}text")]

    def title(svg: str) -> str:
        return ET.fromstring(svg).findtext(f"{{{NS['s']}}}title") or ""

    burnup = burnup_svg(s)
    assert "capacity 4.0" in texts(burnup) and "plan total 7.4" in texts(burnup)
    assert f"{shown.totals.earned} of {shown.totals.fte} points earned" in title(burnup)
    assert f"{shown.totals.planned} planned by week 6" in title(burnup)
    weekly = weekly_hours_svg(s)
    assert "target 40.0 h" in texts(weekly) and title(weekly).endswith("(target 40.0 h)")
    bars = texts(course_bars_svg(s))
    for course in shown.courses:
        assert f"{course.cells.earned} / {course.cells.fte}" in bars
    assert "0.25 / 0.5" in bars  # dlai: half of its 0.5 points, as the course table says


def evil_snapshot() -> Snapshot:
    plan = Plan(
        id="p",
        title=f"My plan {EVIL} & co",
        start=START,
        courses=(Course("x", f"Prov & {EVIL}", EVIL, 1.0),),
    )
    log = set_percent(ProgressLog("p"), "x", day(3), 10)
    log = add_session(log, Session(day(3), "x", 4.0))
    return snapshot(plan, log, today=day(10))


@pytest.mark.parametrize("render", [burnup_svg, weekly_hours_svg, course_bars_svg])
def test_learner_text_is_escaped(render: object) -> None:
    assert callable(render)
    svg = render(evil_snapshot())
    assert "<img" not in svg
    root = ET.fromstring(svg)
    assert not [e for e in root.iter() if e.tag.endswith("img")]
    texts = "".join(root.itertext())
    assert EVIL in texts or EVIL[:20] in texts


@pytest.mark.parametrize("standalone", [False, True])
@pytest.mark.parametrize("render", [burnup_svg, weekly_hours_svg, course_bars_svg])
def test_well_formed_in_edge_cases(render: object, standalone: bool) -> None:
    assert callable(render)
    empty = Plan(id="e", title="Empty", start=START)
    cases = [
        snapshot(seed_plan(), seed_log(), today=day(0)),  # before the start
        snapshot(seed_plan(), seed_log(), today=day(100)),  # after the end
        snapshot(empty, ProgressLog("e"), today=day(5)),  # no courses at all
    ]
    for s in cases:
        svg = render(s, standalone=standalone)
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert ("prefers-color-scheme" in svg) is standalone
        assert "currentColor" in svg


def test_today_marker_before_start_and_after_end() -> None:
    before = ET.fromstring(burnup_svg(snapshot(seed_plan(), seed_log(), today=day(0))))
    assert float(one(before, "line", "lp-today").get("x1", "")) == pytest.approx(56)
    # day 0 only: the earned line is a single point at the origin
    assert points_of(before, "lp-earned") == [(56, 264)]
    after = snapshot(seed_plan(), seed_log(), today=dt.date(2026, 4, 10))  # day 96
    root = ET.fromstring(burnup_svg(after))
    # days 0..forecast (7.4 × 96 / 3.1 = 229.2 -> day 230) over 568 px
    assert float(one(root, "line", "lp-today").get("x1", "")) == pytest.approx(
        56 + 568 * 96 / 230, abs=0.01
    )


#: A generous width of a character of the charts' 12 px sans-serif text (digits and most
#: letters are narrower), so that labels kept apart by it are apart in any browser.
WIDE = 7.2


def _label_boxes(svg: str) -> dict[str, tuple[float, float, float, float]]:
    """(left, top, right, bottom) of the burn-up's labels inside the plot, at a generous
    ``WIDE`` px a character and 12 px high."""
    root = ET.fromstring(svg)
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for text in root.iter(f"{{{NS['s']}}}text"):
        content = text.text or ""
        if not content.startswith(("plan total", "forecast wk", "capacity", "today")):
            continue
        x, y = float(text.get("x", "0")), float(text.get("y", "0"))
        width = WIDE * len(content)
        anchor = text.get("text-anchor", "start")
        left = x - width if anchor == "end" else x - width / 2 if anchor == "middle" else x
        boxes[content.split()[0]] = (left, y - 11, left + width, y + 1)
    return boxes


def test_burnup_labels_never_overlap() -> None:
    import dataclasses

    from learnplan.progress.log import mark_lesson_done

    checked = 0
    for scale in (0.5, 1.0):  # a plan about as big as its capacity, and one far over it
        plan = seed_plan()
        courses = tuple(dataclasses.replace(c, fte=c.fte * scale) for c in plan.courses)
        plan = dataclasses.replace(plan, courses=courses)
        for today in range(4, 88, 3):
            for done in range(8):
                log = ProgressLog(plan.id)
                for i in range(done):
                    log = mark_lesson_done(log, "fastai-p1", f"l{i + 1}", day(1 + i))
                    log = set_percent(log, "khan", day(1 + i), 100 * (i + 1) / 7)
                boxes = _label_boxes(burnup_svg(snapshot(plan, log, today=day(today))))
                names = sorted(boxes)
                for i, a in enumerate(names):
                    for b in names[i + 1 :]:
                        (al, at, ar, ab), (bl, bt, br, bb) = boxes[a], boxes[b]
                        apart = ar <= bl or br <= al or ab <= bt or bb <= at
                        assert apart, (scale, today, done, a, boxes[a], b, boxes[b])
                checked += "forecast" in boxes and "plan" in boxes
    assert checked > 50  # the two labels were drawn together many times


def test_course_rows_are_labelled_with_the_course_s_name() -> None:
    """A row's label is the course's name as every view writes it (its <title>), cut to
    fit the left margin."""
    root = ET.fromstring(course_bars_svg(midway()))
    groups = [g for g in root.iter(f"{{{NS['s']}}}g") if g.get("data-course")]
    assert groups
    for g in groups:
        name = g.find("s:title", NS)
        label = g.find("s:text", NS)
        assert name is not None and label is not None
        assert label.text == fmt.shorten(name.text or "", 42)
    fastai = next(g for g in groups if g.get("data-course") == "fastai-p1")
    assert fastai.findtext("s:text", namespaces=NS) == "Fastai — Practical Deep Learning for Code…"
