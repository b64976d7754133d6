from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Any

import pytest
from test_figures import MEMORY, memory
from test_progress import START, day, seed_log, seed_plan

from learnplan.figures.compute import figures
from learnplan.figures.model import Figures
from learnplan.model.plan import Course, Plan
from learnplan.progress.log import ProgressLog, Session, add_session, set_percent
from learnplan.progress.log_json import log_from_json
from learnplan.progress.recall import CourseMemory
from learnplan.render.report import report_json
from learnplan.render.report_html import report_html
from learnplan.render.report_md import md_escape, report_markdown

EVIL = "<img src=x onerror=alert(1)>"


def midway(numbers: dict[str, CourseMemory] | None = None) -> Figures:
    """Day 42 of the seed plan; with ``numbers``, Anki's memory numbers (and review time)."""
    return figures(seed_plan(), seed_log(), numbers, day(42))


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


def test_report_json_is_json_and_carries_the_numbers() -> None:
    data = json.loads(json.dumps(report_json(midway()), allow_nan=False))
    assert data["version"] == 1
    assert data["headline"].startswith("Week 6 of 12")
    assert data["plan"]["id"] == "deep-learning"
    assert data["snapshot"]["earned"] == pytest.approx(2.9)
    assert data["memory"] is None
    # the figures as shown, next to the numbers they come from
    assert data["figures"]["headline"] == data["headline"]
    assert data["figures"]["tiles"][1]["value"] == "2.9 of 7.4 points"
    # and the progress log they come from, in the log file's form
    assert log_from_json(data["log"]) == seed_log()


def _shown(data: dict[str, Any]) -> list[str]:
    """Every figure string report_json says the report shows."""
    f = data["figures"]
    out = [f["headline"], f["warning"], f["next_up"]["text"], f["next_up"]["note"]]
    for tile in f["tiles"]:
        out += [tile["label"], tile["value"]] + ([tile["note"]] if tile["note"] else [])
    for course in f["courses"]:
        cells = course["cells"]
        out += [cells[k] for k in ("fte", "lessons", "done", "earned", "planned", "hours", "cost")]
        if data["memory"] and course["id"] in data["memory"]:
            out += [cells["memory"][k] for k in ("new", "learning", "young", "mature")]
            out += [cells["memory"][k] for k in ("suspended", "retention", "knowledge")]
    for row in f["trim"]:
        out += [row["fte"], row["suggested"]]
    return out


def test_markdown_and_html_show_every_figure_of_the_json() -> None:
    report = midway(MEMORY)
    data = report_json(report)
    shown = _shown(data)
    # a hand check of a few, so the comparison itself is anchored
    assert "2.9 of 7.4 points" in shown and "$165 of $367" in shown
    assert "302.0 h = 2.52 points" in shown and "2026-04-22 (week 16)" in shown
    assert "87%" in shown and "0.81" in shown
    md, _ = report_markdown(report, chart_prefix="p")
    page = "".join(parse_html(report_html(report)).text)
    for text in shown:
        assert md_escape(text) in md, text
        assert text in page, text
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


def test_memory_section() -> None:
    report = midway(MEMORY)
    data = json.loads(json.dumps(report_json(report)))
    assert data["memory"]["fastai-p1"]["young"] == 61
    assert data["memory"]["fastai-p1"]["knowledge"] == pytest.approx(71.3)
    assert data["memory"]["mit-1806"]["retention"] is None
    md, _ = report_markdown(report, chart_prefix="p")
    memory_part = md[md.index("## Memory") :]
    row = next(line for line in memory_part.splitlines() if line.startswith("| Fastai — Practical"))
    assert row.endswith("| 120 | 8 | 61 | 12 | 2 | 87% | 71 |")
    # what the knowledge column counts is said
    assert "Knowledge: FSRS's estimate of how many of these cards you remember now" in md
    page = parse_html(report_html(report))
    text = "".join(page.text)
    assert "Memory (from Anki)" in text and "87%" in text and "retrievability" in text
    # no collection: no memory section
    assert "Memory" not in report_markdown(midway(), chart_prefix="p")[0]


def evil_report() -> Figures:
    plan = Plan(
        id="p",
        title=f"Plan {EVIL}",
        start=START,
        courses=(Course("x", f"Prov | *bold* {EVIL}", f"[link](http://e.vil) {EVIL}", 5.0),),
    )
    log = add_session(ProgressLog("p"), Session(day(2), "x", 3.0))
    log = set_percent(log, "x", day(2), 10)
    return figures(plan, log, {"x": memory("x", new=1)}, day(20))


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
    assert "This plan is 1.85× what fits in 12 weeks (7.4 points for a capacity of 4.0)." in md
    # 1.5 × 4 / 7.4 = 0.8108, rounded down as the panel applies it
    assert "| Fastai — Practical Deep Learning for Coders Part 1 (2019) | 1.5 | 0.81 |" in md
    small = Plan(id="q", title="Q", start=START, courses=(Course("a", "X", "A", 1.0),))
    fits = figures(small, ProgressLog("q"), None, day(3))
    assert "Over capacity" not in report_markdown(fits, chart_prefix="q")[0]
    assert "Over capacity" not in report_html(fits)
