from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from test_progress import ANKI, START, day, seed_log, seed_plan

from learnplan.model.plan import Course, Plan
from learnplan.progress.log import ProgressLog, Session, add_session, set_percent
from learnplan.progress.maths import snapshot
from learnplan.render.report import (
    Report,
    headline,
    md_escape,
    report_html,
    report_json,
    report_markdown,
)

EVIL = "<img src=x onerror=alert(1)>"


def midway(memory: dict[str, object] | None = None) -> Report:
    plan = seed_plan()
    return Report(snapshot(plan, seed_log(), today=day(42), anki_seconds=ANKI), plan, memory)


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> _Collect:
    parser = _Collect()
    parser.feed(text)
    parser.close()
    return parser


def test_headline_midway() -> None:
    # week 6 of 12; earned 2.9 of 7.4; planned 3.7 -> behind by 0.8; forecast day 108 -> week 16
    assert (
        headline(midway())
        == "Week 6 of 12: 2.9 of 7.4 points, behind plan by 0.8, forecast week 16"
    )


def test_headline_variants() -> None:
    plan = seed_plan()
    before = Report(snapshot(plan, seed_log(), today=day(0)), plan)
    assert headline(before) == (
        "Starts 2026-01-05: 7.4 points planned over 12 weeks (1.85× capacity)"
    )
    small = Plan(id="p", title="P", start=START, courses=(Course("a", "X", "A", 1.0),))
    # day 42 of 84 -> 0.5 planned; 50 % done -> on plan; forecast day 84 = week 12
    on_plan = set_percent(ProgressLog("p"), "a", day(40), 50)
    assert headline(Report(snapshot(small, on_plan, today=day(42)), small)) == (
        "Week 6 of 12: 0.5 of 1.0 points, on plan, forecast week 12"
    )
    # 80 % by day 42 -> ahead by 0.3; 1.0 × 42 / 0.8 = 52.5 -> day 53 -> week 8
    ahead = set_percent(ProgressLog("p"), "a", day(40), 80)
    assert headline(Report(snapshot(small, ahead, today=day(42)), small)) == (
        "Week 6 of 12: 0.8 of 1.0 points, ahead of plan by 0.3, forecast week 8"
    )
    done = set_percent(ProgressLog("p"), "a", day(80), 100)
    # after the end: planned is the whole 1.0, all of it earned
    assert headline(Report(snapshot(small, done, today=day(90)), small)) == (
        "Plan ended 2026-03-29: 1.0 of 1.0 points, all done"
    )
    # after the end with work left: 84 days end on 2026-03-29
    half = set_percent(ProgressLog("p"), "a", day(80), 40)
    assert headline(Report(snapshot(small, half, today=day(90)), small)) == (
        "Plan ended 2026-03-29: 0.4 of 1.0 points, 0.6 to go"
    )
    nothing = Report(snapshot(small, ProgressLog("p"), today=day(3)), small)
    assert headline(nothing).endswith("no forecast yet")


def test_report_json_is_json_and_carries_the_numbers() -> None:
    data = json.loads(json.dumps(report_json(midway()), allow_nan=False))
    assert data["version"] == 1
    assert data["headline"].startswith("Week 6 of 12")
    assert data["plan"]["id"] == "deep-learning"
    assert data["snapshot"]["earned"] == pytest.approx(2.9)
    assert data["memory"] is None


def _expected_numbers(data: dict[str, object]) -> list[str]:
    """Figures formatted straight from report_json, independently of the writers."""
    s = data["snapshot"]
    assert isinstance(s, dict)
    out = [
        f"{s['earned']:.2f} of {s['total']:.2f} points",
        f"{s['planned']:.2f} points",
        f"behind by {-s['ahead_by']:.2f} points",
        f"{s['schedule_index']:.2f}",
        f"{s['efficiency']:.2f}",
        f"{s['spent_hours']:.1f} h = {s['spent_points']:.2f} points",
        f"{s['logged_hours']:.1f} h logged, {s['anki_hours']:.1f} h in Anki",
        f"{s['week_hours']:.1f} h of {s['week_target']:g} h",
        f"{s['forecast']} (week {s['forecast_week']})",
        f"${s['cost_spent']:.2f} of ${s['cost_budget']:.2f}",
        f"{s['week']} of {s['weeks']} ({s['days_left']} days left)",
    ]
    for c in s["courses"]:
        out += [f"{c['earned']:.2f}", f"{c['planned']:.2f}", f"{c['hours']:.1f}"]
    return out


def test_markdown_and_html_numbers_match_json() -> None:
    report = midway()
    data = report_json(report)
    expected = _expected_numbers(data)
    # a hand check of a few, so the comparison itself is anchored
    assert "2.90 of 7.40 points" in expected and "$165.00 of $367.00" in expected
    assert "302.0 h = 2.52 points" in expected and "2026-04-22 (week 16)" in expected
    md, _ = report_markdown(report, chart_prefix="p")
    page = "".join(parse_html(report_html(report)).text)
    for number in expected:
        assert number in md, number
        assert number in page, number
    assert data["headline"] in md and data["headline"] in page


def test_markdown_charts_are_written_beside_it() -> None:
    md, charts = report_markdown(midway(), chart_prefix="progress-2026-02-15")
    assert sorted(charts) == [
        "progress-2026-02-15-burnup.svg",
        "progress-2026-02-15-courses.svg",
        "progress-2026-02-15-weekly.svg",
    ]
    for name, svg in charts.items():
        assert f"]({name})" in md
        ET.fromstring(svg)
        assert "prefers-color-scheme" in svg  # a file shown on its own picks its scheme
    for bad in ("../x", "a/b", "", "x y"):
        with pytest.raises(ValueError, match="chart prefix"):
            report_markdown(midway(), chart_prefix=bad)


def test_memory_numbers_from_mappings_and_dataclasses() -> None:
    @dataclasses.dataclass(frozen=True)
    class CourseMemory:  # the shape learnplan.collection.memory returns
        course: str
        new: int
        learning: int
        young: int
        mature: int
        suspended: int
        total: int
        retention: float | None
        knowledge: float | None

    memory: dict[str, object] = {
        "fastai-p1": CourseMemory("fastai-p1", 120, 8, 61, 12, 2, 203, 0.874, 71.3),
        "mit-1806": {
            "new": 40,
            "learning": 0,
            "young": 5,
            "mature": 0,
            "suspended": 3,
            "retention": None,
            "knowledge": None,
        },
    }
    report = midway(memory)
    data = json.loads(json.dumps(report_json(report)))
    assert data["memory"]["fastai-p1"]["young"] == 61
    assert data["memory"]["mit-1806"]["retention"] is None
    md, _ = report_markdown(report, chart_prefix="p")
    memory_part = md[md.index("## Memory") :]
    row = next(line for line in memory_part.splitlines() if line.startswith("| Fastai: Practical"))
    assert row.endswith("| 120 | 8 | 61 | 12 | 2 | 87.4% | 71.3 |")
    page = parse_html(report_html(report))
    text = "".join(page.text)
    assert "Memory (from Anki)" in text and "87.4%" in text
    # no memory given: no memory section
    assert "Memory" not in report_markdown(midway(), chart_prefix="p")[0]


def evil_report() -> Report:
    plan = Plan(
        id="p",
        title=f"Plan {EVIL}",
        start=START,
        courses=(Course("x", f"Prov | *bold* {EVIL}", f"[link](http://e.vil) {EVIL}", 5.0),),
    )
    log = add_session(ProgressLog("p"), Session(day(2), "x", 3.0))
    log = set_percent(log, "x", day(2), 10)
    return Report(snapshot(plan, log, today=day(20)), plan, {"x": {"new": 1}})


def test_html_escapes_learner_text() -> None:
    page = report_html(evil_report())
    parsed = parse_html(page)
    assert "img" not in parsed.tags and "script" not in parsed.tags
    assert "a" not in parsed.tags
    text = "".join(parsed.text)
    assert EVIL in text  # shown as text
    assert not [name for name in parsed.attrs if name.startswith("on")]


def test_markdown_escapes_learner_text() -> None:
    md, charts = report_markdown(evil_report(), chart_prefix="p")
    assert "<img" not in md and "&lt;img src=x onerror=alert(1)&gt;" in md
    assert "[link](http" not in md and "\\[link\\](http" in md  # no live link
    assert "\\*bold\\*" in md
    # a | in a course name cannot split a table row: every row has the header's cell count
    rows = [line for line in md.splitlines() if line.startswith("| Prov")]
    assert rows
    widths = {h.count("|") for h in md.splitlines() if h.startswith("| Course")}
    assert widths == {9, 4}  # courses and memory tables; the trim table
    for line in rows:
        assert "\\\\|" not in line  # an escaped backslash would let the pipe through
        assert line.replace("\\|", "").count("|") in widths
    for svg in charts.values():
        assert "<img" not in svg
    assert md_escape("a\nb  c") == "a b c"


def test_html_is_self_contained() -> None:
    page = report_html(midway())
    parsed = parse_html(page)
    for tag in ("script", "link", "img", "iframe"):
        assert tag not in parsed.tags
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    assert "prefers-color-scheme: dark" in page
    assert parsed.tags.count("svg") == 3


def test_over_capacity_section() -> None:
    md, _ = report_markdown(midway(), chart_prefix="p")
    assert "## Over capacity" in md
    # 1.5 × 4 / 7.4 = 0.81
    assert "| Fastai: Practical Deep Learning for Coders Part 1 (2019) | 1.50 | 0.81 |" in md
    small = Plan(id="q", title="Q", start=START, courses=(Course("a", "X", "A", 1.0),))
    fits = Report(snapshot(small, ProgressLog("q"), today=day(3)), small)
    assert "Over capacity" not in report_markdown(fits, chart_prefix="q")[0]
    assert "Over capacity" not in report_html(fits)
