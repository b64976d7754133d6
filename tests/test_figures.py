"""learnplan.figures.compute: every figure of the seed plan on day 42, worked by hand.

The numbers behind them are test_progress.py's (2.9 of 7.4 points, 302 h, $165); here
they are checked as the learner reads them, in the one format each kind of figure has.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from test_progress import ANKI, day, seed_log, seed_plan

from learnplan.figures.compute import figures
from learnplan.figures.model import Figures, column, figures_to_dict
from learnplan.model.plan import Resource
from learnplan.progress.log import CostPaid, ProgressLog, Revision, add_cost, add_revision
from learnplan.progress.recall import MATURE_IVL, RETENTION_DAYS, CourseMemory
from learnplan.progress.snapshot import snapshot


def memory(course: str, **numbers: Any) -> CourseMemory:
    """A course's numbers as learnplan.collection.memory gives them (a 4-card course)."""
    base: dict[str, object] = {
        "course": course,
        "new": 0,
        "learning": 0,
        "young": 0,
        "mature": 0,
        "suspended": 0,
        "total": 0,
        "reviews_by_day": (),
        "seconds_by_day": (),
        "review_seconds": 0.0,
        "retention": None,
        "knowledge": None,
    }
    base.update(numbers)
    base["total"] = sum(int(base[k]) for k in ("new", "learning", "young", "mature", "suspended"))  # type: ignore[call-overload]
    return CourseMemory(**base)  # type: ignore[arg-type]


#: Anki's numbers for two courses; fastai-p1's 2 h of reviews are test_progress's ANKI.
MEMORY = {
    "fastai-p1": memory(
        "fastai-p1",
        new=120,
        learning=8,
        young=61,
        mature=12,
        suspended=2,
        retention=0.874,
        knowledge=71.3,
        review_seconds=ANKI["fastai-p1"],
        seconds_by_day=((day(40), ANKI["fastai-p1"]),),
    ),
    "mit-1806": memory("mit-1806", new=40, young=5, suspended=3),
}


def midway(numbers: dict[str, CourseMemory] | None = MEMORY) -> Figures:
    return figures(seed_plan(), seed_log(), numbers, day(42))


def test_review_time_from_memory_counts_as_spent_once() -> None:
    f = midway()
    s = snapshot(seed_plan(), seed_log(), today=day(42), anki_seconds=ANKI)
    assert f.snapshot.spent_hours == s.spent_hours == 302
    # week 6 holds the 2 h of reviews on day 40 as well as kun's 50 h
    assert f.snapshot.week_hours == 52
    assert midway(None).snapshot.spent_hours == 300


def test_tiles() -> None:
    f = midway()
    tiles = {t.id: (t.label, t.value, t.note) for t in f.tiles}
    assert tiles == {
        "week": ("Week", "6 of 12 (43 days left)", ""),
        "earned": ("Earned", "2.9 of 7.4 points", ""),
        "planned": ("Planned by today", "3.7 points", "behind by 0.8 points"),
        "index": ("Schedule index", "0.78", "earned / planned"),  # 2.9 / 3.7
        "efficiency": ("Efficiency", "1.15", "earned / spent points"),  # 2.9 / (302 / 120)
        "spent": ("Spent", "302.0 h = 2.52 points", "300.0 h logged, 2.0 h in Anki"),
        "week-hours": ("This week", "52.0 h of 40.0 h", ""),
        "forecast": ("Forecast finish", "2026-04-22 (week 16)", ""),
        "cost": ("Cost", "$165 of $367", ""),
        "capacity": ("Capacity", "4.0 points; the plan is 1.85× that", ""),
    }
    assert f.headline == "Week 6 of 12: 2.9 of 7.4 points, behind plan by 0.8, forecast week 16"
    assert f.standing == "behind" and (f.today, f.start) == ("2026-02-15", "2026-01-05")


def test_course_rows() -> None:
    f = midway()
    rows = {c.id: c for c in f.courses}
    p1 = rows["fastai-p1"]
    assert p1.name == "Fastai — Practical Deep Learning for Coders Part 1 (2019)"
    # 7 of 7 lessons, 1.5 earned against 0.75 planned by day 42: ahead
    cells = dataclasses.asdict(p1.cells)
    del cells["memory"]
    assert cells == {
        "fte": "1.5",
        "lessons": "7/7",
        "done": "100%",
        "earned": "1.5",
        "planned": "0.75",
        "hours": "152.0",  # 150 logged + 2 in Anki
        "cost": "–",
    }
    assert p1.standing == "ahead" and p1.bar == 100
    assert p1.progress == "7 of 7 lessons · 1.5 of 1.5 points · ahead · 152.0 h"
    assert p1.cells.memory.line == (
        "203 cards: 120 new, 8 learning, 61 young, 12 mature · 2 suspended · retention 87% · "
        "FSRS: ≈ 71 cards remembered"
    )
    assert [p1.cells.cell(k) for k in ("new", "retention", "knowledge", "suspended")] == [
        "120",
        "87%",
        "71",
        "2",
    ]
    dlai = rows["dlai"]
    # weights 1 + 1 of 4 done; $45 paid of a $45 budget
    assert (dlai.cells.done, dlai.cells.earned, dlai.cells.cost) == ("50%", "0.25", "$45 / $45")
    kun = rows["kun"]  # no lessons: a percentage
    assert (kun.cells.lessons, kun.cells.done) == ("–", "50%")
    # half of its 0.5 points, as planned by day 42 of 84
    assert kun.progress == "50% · 0.25 of 0.5 points · on track · 50.0 h"
    assert rows["mit-1806"].cells.memory.retention == "–"
    khan = rows["khan"].cells.memory  # no numbers from Anki
    assert (khan.new, khan.knowledge, khan.line) == ("–", "–", "")
    assert f.show_knowledge is True
    assert midway({"mit-1806": MEMORY["mit-1806"]}).show_knowledge is False


def test_totals_resources_next_up() -> None:
    f = midway()
    t = f.totals
    assert (t.fte, t.done, t.earned, t.hours, t.cost) == (
        "7.4",
        "39%",
        "2.9",
        "302.0",
        "$165 / $367",
    )
    assert t.lessons == "10/20"  # 7 + 2 + 1 of 7 + 7 + 3 + 3
    assert (t.memory.new, t.memory.young, t.memory.knowledge, t.memory.retention) == (
        "160",
        "66",
        "71",
        "",
    )
    (gpu,) = f.resources
    assert (gpu.name, gpu.cost) == ("GPU server instance (AWS p2, < 200 hours)", "$120 / $300")
    assert f.next_up is not None
    assert f.next_up.text == "Fastai — Deep Learning Part 2 (2019): Lesson 1"
    assert f.next_up.note == "behind its plan by 0.75 points"
    assert f.summary == (
        f.headline,
        "Points: 2.9 earned · 3.7 planned by now · 7.4 in total",
        "Next up: Fastai — Deep Learning Part 2 (2019): Lesson 1",
        "As of 2026-02-15 (Learning Plan)",
    )


def test_over_capacity_warning_and_a_trim_that_fits() -> None:
    f = midway()
    assert f.warning == (
        "This plan is 1.85× what fits in 12 weeks (7.4 points for a capacity of 4.0)."
    )
    trim = {t.course: (t.fte, t.suggested) for t in f.trim}
    # × 4 / 7.4, rounded down so that the applied trim fits: 0.8108 -> 0.81, 0.1081 -> 0.1
    assert trim["fastai-p1"] == ("1.5", "0.81")
    assert trim["mit-1801"] == ("0.2", "0.1")
    assert trim["khan"] == ("0.3", "0.16")
    assert len(trim) == 12
    fits = figures(
        dataclasses.replace(seed_plan(), weeks=24), ProgressLog("deep-learning"), None, day(3)
    )
    assert fits.warning == "" and fits.trim == ()


def test_revisions_and_costs_of_resources() -> None:
    plan = dataclasses.replace(seed_plan(), currency="CAD")
    log = add_revision(seed_log(), Revision(day(10), "mit-1806", "more maths", fte=1.0))
    log = add_revision(log, Revision(day(12), "mit-1806", "", start_week=2, end_week=9))
    log = add_cost(log, CostPaid(day(11), "gpu", 12.5))
    f = figures(plan, log, None, day(42))
    la = next(c for c in f.courses if c.id == "mit-1806")
    assert la.cells.fte == "1.0" and la.fte_note == "revised from 0.7"
    assert la.revisions == (
        "2026-01-14 · FTE 0.7 → 1.0 · more maths",
        "2026-01-16 · weeks 1–12 → 2–9",
    )
    assert f.resources[0].cost == "C$132.50 / C$300"
    before = figures(plan, log, None, day(9))
    assert next(c for c in before.courses if c.id == "mit-1806").fte_note == ""


def test_a_past_day_lists_only_the_re_allocations_made_by_then() -> None:
    log = add_revision(seed_log(), Revision(day(10), "mit-1806", "more maths", fte=1.0))
    log = add_revision(log, Revision(day(12), "mit-1806", "", start_week=2, end_week=9))
    log = add_revision(log, Revision(day(11), "dlai", "later", fte=0.2))
    on_day_11 = {c.id: c for c in figures(seed_plan(), log, None, day(11)).courses}
    la, dlai = on_day_11["mit-1806"], on_day_11["dlai"]
    assert la.cells.fte == "1.0" and la.revisions == ("2026-01-14 · FTE 0.7 → 1.0 · more maths",)
    assert dlai.fte_note == "revised from 0.5"
    assert dlai.revisions == ("2026-01-15 · FTE 0.5 → 0.2 · later",)
    on_day_9 = {c.id: c for c in figures(seed_plan(), log, None, day(9)).courses}
    assert on_day_9["mit-1806"].cells.fte == "0.7" and on_day_9["dlai"].fte_note == ""
    assert all(c.revisions == () for c in on_day_9.values())


def test_figures_are_json() -> None:
    plan = dataclasses.replace(
        seed_plan(), resources=(Resource("gpu", "GPU", 300, provider="AWS"),)
    )
    data = figures_to_dict(figures(plan, seed_log(), MEMORY, day(42)))
    again = json.loads(json.dumps(data, allow_nan=False))
    assert again["headline"].startswith("Week 6 of 12")
    assert again["tiles"][1] == {
        "id": "earned",
        "label": "Earned",
        "value": "2.9 of 7.4 points",
        "note": "",
    }
    assert again["courses"][0]["cells"]["memory"]["new"] == "120"
    assert again["resources"][0]["name"] == "AWS — GPU"
    assert not {"plan", "log", "snapshot", "memory"} & set(again)


def test_before_the_start() -> None:
    f = figures(seed_plan(), ProgressLog("deep-learning"), None, dt.date(2026, 1, 1))
    assert f.headline.startswith("Starts 2026-01-05: 7.4 points planned")
    assert f.tile("forecast").value == "not yet" and f.tile("index").value == "–"


def test_memory_columns_say_the_rules_the_numbers_follow() -> None:
    assert column("young").description.endswith(f"under {MATURE_IVL} days")
    assert column("mature").description.endswith(f"of {MATURE_IVL} days or more")
    assert column("retention").description.endswith(f"the last {RETENTION_DAYS} days")
