"""learnplan.figures.headline: the line a learner posts, and ahead / behind / on plan."""

from __future__ import annotations

import pytest
from test_progress import ANKI, START, day, seed_log, seed_plan

from learnplan.figures.headline import against_plan, headline, standing
from learnplan.model.plan import Course, Plan
from learnplan.progress.log import ProgressLog, set_percent
from learnplan.progress.snapshot import snapshot


def test_headline_midway() -> None:
    # week 6 of 12; earned 2.9 of 7.4; planned 3.7 -> behind by 0.8; forecast day 108 -> week 16
    s = snapshot(seed_plan(), seed_log(), today=day(42), anki_seconds=ANKI)
    assert headline(s) == "Week 6 of 12: 2.9 of 7.4 points, behind plan by 0.8, forecast week 16"


def test_headline_variants() -> None:
    plan = seed_plan()
    before = snapshot(plan, seed_log(), today=day(0))
    assert headline(before) == (
        "Starts 2026-01-05: 7.4 points planned over 12 weeks (1.85× capacity)"
    )
    small = Plan(id="p", title="P", start=START, courses=(Course("a", "X", "A", 1.0),))
    # day 42 of 84 -> 0.5 planned; 50 % done -> on plan; forecast day 84 = week 12
    on_plan = set_percent(ProgressLog("p"), "a", day(40), 50)
    assert headline(snapshot(small, on_plan, today=day(42))) == (
        "Week 6 of 12: 0.5 of 1.0 points, on plan, forecast week 12"
    )
    # 80 % by day 42 -> ahead by 0.3; 1.0 × 42 / 0.8 = 52.5 -> day 53 -> week 8
    ahead = set_percent(ProgressLog("p"), "a", day(40), 80)
    assert headline(snapshot(small, ahead, today=day(42))) == (
        "Week 6 of 12: 0.8 of 1.0 points, ahead of plan by 0.3, forecast week 8"
    )
    # 53 % -> 0.53 earned, 0.03 ahead: less than 0.05 is on plan
    close = set_percent(ProgressLog("p"), "a", day(40), 53)
    assert "0.53 of 1.0 points, on plan" in headline(snapshot(small, close, today=day(42)))
    done = set_percent(ProgressLog("p"), "a", day(80), 100)
    assert headline(snapshot(small, done, today=day(90))) == (
        "Plan ended 2026-03-29: 1.0 of 1.0 points, all done"
    )
    half = set_percent(ProgressLog("p"), "a", day(80), 40)
    assert headline(snapshot(small, half, today=day(90))) == (
        "Plan ended 2026-03-29: 0.4 of 1.0 points, 0.6 to go"
    )
    assert headline(snapshot(small, ProgressLog("p"), today=day(3))).endswith("no forecast yet")


@pytest.mark.parametrize(
    ("ahead_by", "state"),
    [
        (0.0, "on track"),
        (0.049, "on track"),
        (-0.049, "on track"),
        (0.05, "ahead"),
        (-0.05, "behind"),
        (1.2, "ahead"),
        (-3.2, "behind"),
    ],
)
def test_standing(ahead_by: float, state: str) -> None:
    assert standing(ahead_by) == state


def test_against_plan_in_both_wordings() -> None:
    # the headline's, and the "Planned by today" tile's note
    tile = {"behind": "behind by {} points", "ahead": "ahead by {} points"}
    assert against_plan(-0.8) == "behind plan by 0.8"
    assert against_plan(0.3) == "ahead of plan by 0.3"
    assert against_plan(0.049) == against_plan(-0.049, **tile) == "on plan"
    assert against_plan(-0.8, **tile) == "behind by 0.8 points"
    assert against_plan(0.05, **tile) == "ahead by 0.05 points"
