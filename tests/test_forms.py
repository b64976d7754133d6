"""addon/forms.py: what the panel's forms accept, and the trim as re-allocations."""

from __future__ import annotations

import datetime as dt

import pytest

from addon import forms
from learnplan.model.plan import Course, Plan
from learnplan.progress.log import ProgressLog, Revision, add_revision, apply_revisions
from learnplan.progress.snapshot import snapshot

TODAY = dt.date(2026, 3, 4)


def test_study_date() -> None:
    assert forms.study_date("", TODAY) == TODAY
    assert forms.study_date("2026-03-01", TODAY) == dt.date(2026, 3, 1)
    with pytest.raises(ValueError, match="after today"):
        forms.study_date("2026-03-05", TODAY)
    with pytest.raises(ValueError, match="not a date"):
        forms.study_date("03/01/2026", TODAY)


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "x", ""])
def test_positive_number_refuses(value: str) -> None:
    with pytest.raises(ValueError, match="Hours"):
        forms.positive_number(value, "Hours")


def test_reallocation_keeps_only_what_changed() -> None:
    now = (1.5, 1, 12)
    fte_only = forms.reallocation("c", TODAY, now, {"fte": "1", "reason": " too much "}, 12)
    assert fte_only == Revision(TODAY, "c", "too much", fte=1.0)
    weeks_only = forms.reallocation(
        "c", TODAY, now, {"fte": "1.5", "start_week": "3", "end_week": "10", "reason": "later"}, 12
    )
    assert weeks_only == Revision(TODAY, "c", "later", start_week=3, end_week=10)
    dropped = forms.reallocation("c", TODAY, now, {"fte": "0", "reason": "dropped"}, 12)
    assert dropped.fte == 0.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"fte": "1.5", "reason": "x"}, "Nothing to re-allocate"),
        ({"fte": "1", "reason": ""}, "Say why"),
        ({"fte": "-1", "reason": "x"}, "0 or more"),
        ({"fte": "abc", "reason": "x"}, "must be a number"),
        ({"start_week": "8", "end_week": "3", "reason": "x"}, "run forwards"),
        ({"end_week": "13", "reason": "x"}, "within 1–12"),
    ],
)
def test_reallocation_refuses(args: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        forms.reallocation("c", TODAY, (1.5, 1, 12), args, 12)


def test_trim_revisions_make_the_plan_fit() -> None:
    plan = Plan(
        id="p",
        title="T",
        start=dt.date(2026, 3, 2),
        courses=(
            Course("a", "X", "A", fte=3.0),
            Course("b", "X", "B", fte=2.2),
            Course("c", "X", "C", fte=2.2),
        ),
    )
    log = ProgressLog("p")
    snap = snapshot(plan, log, today=TODAY)
    assert snap.trim is not None and plan.overcommitment > 1
    revisions = forms.trim_revisions(snap, TODAY)
    assert {r.course for r in revisions} == {"a", "b", "c"}
    assert all(r.reason == forms.TRIM_REASON and r.date == TODAY for r in revisions)
    for revision in revisions:
        log = add_revision(log, revision)
    trimmed = apply_revisions(plan, log)
    assert trimmed.total_fte <= trimmed.capacity
    assert trimmed.total_fte > trimmed.capacity - 0.03  # rounded down, not cut short
    assert forms.trim_revisions(snapshot(plan, log, today=TODAY), TODAY) == []
