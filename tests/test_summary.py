"""learnplan.collection.summary: the block kept in the root deck's description (pure)."""

from __future__ import annotations

import datetime as dt

from learnplan.collection.summary import (
    END,
    START,
    find_block,
    summary_block,
    summary_lines,
    with_block,
)
from learnplan.figures.compute import figures
from learnplan.figures.format import points
from learnplan.figures.headline import headline
from learnplan.progress.log import ProgressLog, mark_lesson_done
from learnplan.reading.outline import default_plan_path, load_plan


def _snap(days: int = 36) -> tuple[str, dt.date]:
    plan = load_plan(default_plan_path())
    today = plan.start + dt.timedelta(days=days)
    course = plan.courses[0]
    log = mark_lesson_done(ProgressLog(plan.id), course.id, course.lessons[0].id, today)
    return summary_block(figures(plan, log, None, today), "abc123"), today


def test_block_carries_the_headline_points_next_up_and_the_day() -> None:
    plan = load_plan(default_plan_path())
    today = plan.start + dt.timedelta(days=36)
    shown = figures(plan, ProgressLog(plan.id), None, today)
    snap = shown.snapshot
    lines = summary_lines(shown)
    assert lines[0] == headline(snap) == shown.headline
    assert lines[0].startswith("Week 6 of 12: 0.0 of 7.4")
    assert lines[1] == f"Points: 0.0 earned · {points(snap.planned)} planned by now · 7.4 in total"
    assert shown.next_up is not None and lines[2] == f"Next up: {shown.next_up.text}"
    assert lines[-1] == f"As of {today.isoformat()} (Learning Plan)"
    block = summary_block(shown, "0f")
    assert block.startswith(f"{START} {today.isoformat()} 0f -->") and block.endswith(END)
    assert "\n" not in block


def test_learner_text_outside_the_block_is_kept_exactly() -> None:
    block, today = _snap()
    mine = "My notes: <b>keep</b> this.\n\n  Spaces too. <!-- a comment -->"
    first = with_block(mine, block)
    assert first == block + mine
    found = find_block(first)
    assert found == (block, today, "abc123")
    newer, _ = _snap(days=40)
    second = with_block("Before. " + first, newer)
    assert second == "Before. " + newer + mine
    assert with_block(second, newer) == second


def test_only_a_well_formed_block_is_replaced() -> None:
    block, _ = _snap()
    # A learner's text that merely looks like a start marker is not ours to replace.
    lone = "<!-- learnplan:summary 2019-01-01 ff --> my text, no end marker"
    assert with_block(lone, block) == block + lone
    assert find_block("<!-- learnplan:summary --> x <!-- /learnplan:summary -->") is None
    # Two blocks: the first is updated, the rest left alone.
    twice = with_block(block, block) + "mid" + block
    assert with_block(twice, block.replace("abc123", "def456")).count("def456") == 1


def test_text_is_escaped() -> None:
    from learnplan.model.plan import Course, Lesson, Plan

    hostile = "<img src=x onerror=alert(1)>"
    plan = Plan(
        id="p",
        title=hostile,
        start=dt.date(2026, 1, 5),
        courses=(Course("c", hostile, hostile, 1.0, lessons=(Lesson("l", hostile),)),),
    )
    shown = figures(plan, ProgressLog(plan.id), None, dt.date(2026, 1, 12))
    assert shown.next_up is not None
    block = summary_block(shown, "ab")
    assert "<img" not in block and "&lt;img src=x onerror=alert(1)&gt;" in block
