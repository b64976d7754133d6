"""Progress maths against hand-worked numbers for the seed plan (README.md's bundled plan).

The seed plan: 12 courses, 7.4 points, $367, 12 weeks from Monday 2026-01-05, 40 h a week,
120 h a point -> capacity 12 × 40 / 120 = 4.0, overcommitment 7.4 / 4.0 = 1.85.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

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
    set_percent,
)
from learnplan.progress.maths import (
    NextUp,
    TrimError,
    cost_spent,
    day_number,
    earned_points,
    forecast_from,
    next_up,
    planned_points,
    seconds_by_week,
    spent_hours,
    suggest_trim,
    week_of,
    weekly_hours,
)
from learnplan.progress.snapshot import snapshot, snapshot_to_dict
from learnplan.reading.outline import default_plan_path, load_plan

START = dt.date(2026, 1, 5)


def day(n: int) -> dt.date:
    """Study day number n (1 = the first day of the plan)."""
    return START + dt.timedelta(days=n - 1)


def lessons(prefix: str, count: int, **kw: float) -> tuple[Lesson, ...]:
    return tuple(Lesson(f"{prefix}{i}", f"Lesson {i}", **kw) for i in range(1, count + 1))  # type: ignore[arg-type]


def forecast(plan: Plan, log: ProgressLog, today: dt.date) -> dt.date | None:
    """The forecast finish from everything earned by the end of ``today``."""
    earned = sum(earned_points(plan, log, today).values())
    return forecast_from(plan, earned, day_number(plan, today), today)


def seed_plan() -> Plan:
    return Plan(
        id="deep-learning",
        title="Deep learning in 12 weeks",
        start=START,
        courses=(
            Course(
                "fastai-p1",
                "Fastai",
                "Practical Deep Learning for Coders Part 1 (2019)",
                1.5,
                lessons=lessons("l", 7),
            ),
            Course(
                "fastai-p2", "Fastai", "Deep Learning Part 2 (2019)", 1.5, lessons=lessons("l", 7)
            ),
            Course(
                "dlai",
                "Deeplearning.ai",
                "Deep learning specialization",
                0.5,
                cost=45,
                lessons=(
                    Lesson("c1", "Course 1", weight=1),
                    Lesson("c2", "Course 2", weight=1),
                    Lesson("c3", "Course 3", weight=2),
                ),
            ),
            Course("kun", "Jeremy Kun", "A Programmer's Introduction to Mathematics (book)", 0.5),
            Course("mit-1801", "MIT", "Single Variable Calculus", 0.2),
            Course("mit-1802", "MIT", "18.02 Multivariable Calculus", 0.4),
            Course("mit-1806", "MIT", "18.06 Linear Algebra", 0.7),
            Course(
                "mit-18065",
                "MIT",
                "18.065 Matrix Methods in Data Analysis, Signal Processing, and Machine Learning",
                0.7,
            ),
            Course("3b1b", "3Blue1Brown", "Essence of Linear Algebra & Calculus", 0.5),
            Course("khan", "Khan Academy", "Linear Algebra & Calculus", 0.3),
            Course(
                "udemy-swift",
                "Udemy",
                "Swift - iOS app development",
                0.3,
                cost=11,
                lessons=lessons("s", 3, hours=2.0),
            ),
            Course(
                "udemy-python",
                "Udemy",
                "Python for data science and machine learning",
                0.3,
                cost=11,
            ),
        ),
        resources=(Resource("gpu", "GPU server instance (AWS p2, < 200 hours)", 300),),
    )


def seed_log() -> ProgressLog:
    """By day 42: 2.9 points earned, 300 h logged, $165 paid (worked out in the tests)."""
    log = ProgressLog("deep-learning")
    for i in range(7):  # fastai-p1 l1..l7 on days 1, 6, ..., 31
        log = mark_lesson_done(log, "fastai-p1", f"l{i + 1}", day(1 + 5 * i))
    log = mark_lesson_done(log, "dlai", "c1", day(20))
    log = mark_lesson_done(log, "dlai", "c2", day(35))
    log = mark_lesson_done(log, "udemy-swift", "s1", day(40))
    log = set_percent(log, "kun", day(10), 20)
    log = set_percent(log, "kun", day(30), 50)
    log = set_percent(log, "kun", day(50), 90)  # after day 42
    log = set_percent(log, "3b1b", day(25), 100)
    log = set_percent(log, "khan", day(41), 100)
    for i in range(6):  # 6 × 25 h
        log = add_session(log, Session(day(2 + 6 * i), "fastai-p1", 25.0))
    log = add_session(log, Session(day(15), "mit-1806", 100.0))
    log = add_session(log, Session(day(42), "kun", 50.0))
    log = add_session(log, Session(day(60), "kun", 20.0))  # after day 42
    log = add_cost(log, CostPaid(day(2), "dlai", 45))
    log = add_cost(log, CostPaid(day(30), "gpu", 120))
    log = add_cost(log, CostPaid(day(50), "udemy-swift", 11))  # after day 42
    return log


ANKI = {"fastai-p1": 7200.0}  # 2 h of reviews


def test_seed_plan_figures() -> None:
    plan = seed_plan()
    assert plan.total_fte == 7.4
    assert plan.total_cost == 367
    assert plan.capacity == pytest.approx(4.0)
    assert plan.overcommitment == pytest.approx(1.85)


def test_week_of() -> None:
    plan = seed_plan()
    assert week_of(plan, day(0)) == 0
    assert week_of(plan, day(1)) == 1
    assert week_of(plan, day(7)) == 1
    assert week_of(plan, day(8)) == 2
    assert week_of(plan, day(84)) == 12
    assert week_of(plan, day(85)) == 13


def test_week_zero() -> None:
    plan, log = seed_plan(), seed_log()
    s = snapshot(plan, log, today=day(0), anki_seconds={})
    assert (s.week, s.day_number, s.days_left) == (0, 0, 84)
    assert s.planned == 0 and s.earned == 0
    assert s.schedule_index is None and s.efficiency is None
    assert s.forecast is None and s.forecast_week is None
    assert s.cost_spent == 0 and s.cost_budget == 367
    assert s.burnup[-1].day_number == 84 and s.burnup[0].earned == 0


def test_midway_day_42() -> None:
    plan, log = seed_plan(), seed_log()
    today = day(42)  # 2026-02-15, a Sunday: the last day of week 6
    # planned: every course spans all 84 days -> 7.4 × 42 / 84 = 3.7
    assert planned_points(plan, today) == pytest.approx(3.7)
    earned = earned_points(plan, log, today)
    # fastai-p1 7/7 -> 1.5; dlai weights 1+1 of 1+1+2 -> 0.5 × 0.5 = 0.25; kun 50 % (the 90 %
    # is dated day 50) -> 0.25; 3b1b 100 % -> 0.5; khan 100 % -> 0.3; swift 1 of 3 equal-hour
    # lessons -> 0.3 / 3 = 0.1. Total 2.9.
    assert earned["fastai-p1"] == pytest.approx(1.5)
    assert earned["dlai"] == pytest.approx(0.25)
    assert earned["kun"] == pytest.approx(0.25)
    assert earned["udemy-swift"] == pytest.approx(0.1)
    assert sum(earned.values()) == pytest.approx(2.9)
    # spent: 150 + 100 + 50 logged (the day-60 session excluded) + 2 h Anki = 302 h
    hours = spent_hours(plan, log, today, ANKI)
    assert hours["fastai-p1"] == pytest.approx(152)
    assert sum(hours.values()) == pytest.approx(302)
    assert cost_spent(log, today) == 165  # 45 + 120 (the day-50 $11 excluded)

    s = snapshot(plan, log, today=today, anki_seconds=ANKI)
    assert (s.week, s.weeks, s.day_number, s.days_left) == (6, 12, 42, 43)  # days 42-84
    assert s.planned == pytest.approx(3.7)
    assert s.earned == pytest.approx(2.9)
    assert s.ahead_by == pytest.approx(-0.8)  # behind plan by 0.8
    assert s.schedule_index == pytest.approx(2.9 / 3.7)  # 0.7838
    assert s.spent_hours == pytest.approx(302)
    assert s.logged_hours == pytest.approx(300) and s.anki_hours == pytest.approx(2)
    assert s.spent_points == pytest.approx(302 / 120)  # 2.5167
    assert s.efficiency == pytest.approx(2.9 / (302 / 120))  # 1.1523
    # pace 2.9 / 42 a day; 7.4 needs 7.4 × 42 / 2.9 = 107.17 -> 108 days -> day 108
    # = 2026-04-22, in week 107 // 7 + 1 = 16
    assert s.forecast == dt.date(2026, 4, 22) == day(108)
    assert s.forecast_week == 16
    assert forecast(plan, log, today) == s.forecast
    assert (s.cost_spent, s.cost_budget) == (165, 367)
    # week 6 = days 36-42: only kun's 50 h on day 42 (fastai's sessions are days 2-32)
    assert s.week_hours == pytest.approx(50) and s.week_target == 40

    row = {c.id: c for c in s.courses}
    assert (row["fastai-p1"].lessons_done, row["fastai-p1"].lessons_total) == (7, 7)
    assert row["dlai"].percent == pytest.approx(50)
    assert row["dlai"].cost_spent == 45 and row["dlai"].budget == 45
    assert row["kun"].percent == pytest.approx(50)
    assert row["mit-1806"].planned == pytest.approx(0.35)
    assert row["mit-1806"].ahead_by == pytest.approx(-0.35)

    # next up: per-course behind = fte / 2 - earned; fastai-p2 0.75 is the most
    assert s.next_up == NextUp(
        "fastai-p2", "Deep Learning Part 2 (2019)", "Fastai", "l1", "Lesson 1", 0.75
    )

    # burn-up: day 0 is the origin; today's point matches the headline numbers;
    # earned/spent stop after today; planned runs on to 7.4 on day 84
    b = {p.day_number: p for p in s.burnup}
    assert (b[0].planned, b[0].earned, b[0].spent) == (0, 0, 0)
    assert b[42].earned == pytest.approx(2.9) and b[42].planned == pytest.approx(3.7)
    assert b[42].spent == pytest.approx(302 / 120)
    # day 41: 300 - 50 (the day-42 session) logged; no Anki by week given -> 250 h
    assert b[41].spent == pytest.approx(250 / 120)
    assert b[43].earned is None and b[43].spent is None
    assert b[84].planned == pytest.approx(7.4) and len(s.burnup) == 85


def test_end_of_plan() -> None:
    plan, log = seed_plan(), seed_log()
    s = snapshot(plan, log, today=day(84), anki_seconds=ANKI)
    assert (s.week, s.days_left) == (12, 1)
    assert s.planned == pytest.approx(7.4)
    # kun now 90 % -> 0.45 instead of 0.25: 2.9 + 0.2 = 3.1
    assert s.earned == pytest.approx(3.1)
    assert s.schedule_index == pytest.approx(3.1 / 7.4)
    # 320 logged + 2 Anki = 322 h = 2.6833 points
    assert s.spent_points == pytest.approx(322 / 120)
    # 7.4 × 84 / 3.1 = 200.52 -> 201 days -> day 201, week 200 // 7 + 1 = 29
    assert s.forecast == day(201) and s.forecast_week == 29
    assert s.cost_spent == 176


def test_after_the_end() -> None:
    plan, log = seed_plan(), seed_log()
    s = snapshot(plan, log, today=day(90))
    assert s.week == 13 and s.days_left == 0
    assert s.planned == pytest.approx(7.4)
    assert len(s.burnup) == 91 and s.burnup[-1].earned == pytest.approx(3.1)


def test_trim_scales_by_capacity_over_total() -> None:
    plan = seed_plan()
    trim = suggest_trim(plan)
    # each FTE × 4 / 7.4: fastai-p1 1.5 -> 0.8108, khan 0.3 -> 0.1622
    assert trim["fastai-p1"] == pytest.approx(1.5 * 4 / 7.4)
    assert trim["khan"] == pytest.approx(0.162162, abs=1e-6)
    assert sum(trim.values()) == pytest.approx(4.0)


def test_trim_keeps_pinned_courses() -> None:
    plan = seed_plan()
    trim = suggest_trim(plan, frozenset({"fastai-p1", "fastai-p2"}))
    # pinned 3.0 stay; the other 4.4 points share 4.0 - 3.0 = 1.0: dlai 0.5 / 4.4 = 0.1136
    assert trim["fastai-p1"] == 1.5 and trim["fastai-p2"] == 1.5
    assert trim["dlai"] == pytest.approx(0.5 / 4.4)
    assert sum(trim.values()) == pytest.approx(4.0)


def test_trim_when_pinned_alone_exceed_capacity() -> None:
    plan = seed_plan()
    # 1.5 + 1.5 + 0.7 + 0.7 = 4.4 > 4.0
    with pytest.raises(TrimError, match=r"need 4\.40 points but only 4\.00 fit"):
        suggest_trim(plan, frozenset({"fastai-p1", "fastai-p2", "mit-1806", "mit-18065"}))


def test_plan_that_fits_needs_no_trim() -> None:
    plan = Plan(id="p", title="P", start=START, courses=(Course("a", "X", "A", 3.0),))
    assert suggest_trim(plan) == {"a": 3.0}
    assert snapshot(plan, ProgressLog("p"), today=day(3)).trim is None
    s = snapshot(seed_plan(), ProgressLog("deep-learning"), today=day(3))
    assert s.trim is not None and s.trim["fastai-p1"] == pytest.approx(0.810811, abs=1e-6)


def test_course_windows() -> None:
    # a 0.6 course in weeks 3-4 (days 15-28): nothing planned before day 15, half by day 21
    plan = Plan(
        id="p",
        title="P",
        start=START,
        courses=(Course("a", "X", "A", 0.6, start_week=3, end_week=4),),
    )
    assert planned_points(plan, day(14)) == 0
    assert planned_points(plan, day(21)) == pytest.approx(0.3)
    assert planned_points(plan, day(28)) == pytest.approx(0.6)
    assert planned_points(plan, day(80)) == pytest.approx(0.6)


def test_revision_applies_from_its_date() -> None:
    plan, log = seed_plan(), seed_log()
    # on day 43 fastai-p2 is cut from 1.5 to 0.5: total 6.4 from then on
    log = add_revision(log, Revision(day(43), "fastai-p2", reason="re-plan", fte=0.5))
    before = snapshot(plan, log, today=day(42))
    after = snapshot(plan, log, today=day(84))
    assert before.total == pytest.approx(7.4)
    assert after.total == pytest.approx(6.4)
    assert after.planned == pytest.approx(6.4)
    b = {p.day_number: p for p in after.burnup}
    # the history shows the step: planned 7.4 × 42/84 = 3.7 on day 42, 6.4 × 43/84 on day 43
    assert b[42].planned == pytest.approx(3.7) and b[42].total == pytest.approx(7.4)
    assert b[43].planned == pytest.approx(6.4 * 43 / 84)


def test_weekly_hours_with_anki_by_week() -> None:
    plan, log = seed_plan(), seed_log()
    weeks = weekly_hours(plan, log, {6: {"fastai-p1": 3600.0}})
    assert len(weeks) == 12
    # fastai sessions on days 2, 8, 14, 20, 26, 32: week 1 (days 1-7) one, week 2 two
    assert weeks[0]["fastai-p1"] == 25 and weeks[1]["fastai-p1"] == 50
    # week 3 = days 15-21: mit-1806 100 h on day 15, fastai 25 h on day 20
    assert weeks[2]["mit-1806"] == 100 and weeks[2]["fastai-p1"] == 25
    # week 5 (days 29-35) fastai day 32; week 6: only the 1 h Anki, and kun 50 h on day 42
    assert weeks[4]["fastai-p1"] == 25
    assert weeks[5]["fastai-p1"] == 1 and weeks[5]["kun"] == 50
    # week 9 = days 57-63: kun 20 h on day 60
    assert weeks[8]["kun"] == 20
    assert sum(sum(w.values()) for w in weeks) == pytest.approx(321)


def test_earned_with_zero_weights_counts_lessons() -> None:
    plan = Plan(
        id="p",
        title="P",
        start=START,
        courses=(Course("a", "X", "A", 1.0, lessons=lessons("l", 4, weight=0.0)),),
    )
    log = mark_lesson_done(ProgressLog("p"), "a", "l1", day(1))
    assert earned_points(plan, log, day(1))["a"] == pytest.approx(0.25)


def test_next_up_none_when_all_done() -> None:
    plan = Plan(id="p", title="P", start=START, courses=(Course("a", "X", "A", 1.0),))
    log = set_percent(ProgressLog("p"), "a", day(1), 100)
    assert next_up(plan, log, day(2)) is None
    # a course without lessons: next up names the course and no lesson
    nu = next_up(plan, ProgressLog("p"), day(42))
    assert nu is not None and nu.lesson is None and nu.behind == pytest.approx(0.5)


def test_snapshot_to_dict_is_json() -> None:
    s = snapshot(seed_plan(), seed_log(), today=day(42), anki_seconds=ANKI)
    data = json.loads(json.dumps(snapshot_to_dict(s), allow_nan=False))
    assert data["today"] == "2026-02-15"
    assert data["earned"] == pytest.approx(2.9)
    assert data["forecast"] == "2026-04-22"
    assert data["next_up"]["course"] == "fastai-p2"
    assert data["courses"][0]["id"] == "fastai-p1"
    assert data["burnup"][42]["earned"] == pytest.approx(2.9)
    assert data["burnup"][43]["earned"] is None
    assert len(data["weekly"]) == 12
    # a zero-capacity plan: overcommitment is infinite, written as null
    plan = Plan(
        id="p", title="P", start=START, hours_per_week=0, courses=(Course("a", "X", "A", 1.0),)
    )
    empty = snapshot_to_dict(snapshot(plan, ProgressLog("p"), today=day(1)))
    assert empty["overcommitment"] is None
    json.dumps(empty, allow_nan=False)


def test_bundled_default_plan() -> None:
    plan = load_plan(default_plan_path(), assign_ids=False)
    log = ProgressLog(plan.id)
    s = snapshot(plan, log, today=plan.start - dt.timedelta(days=1))
    assert (s.week, s.total, s.cost_budget) == (0, 7.4, 367)
    assert s.overcommitment == pytest.approx(1.85)
    assert s.trim is not None
    for course in plan.courses:
        assert s.trim[course.id] == pytest.approx(course.fte * 4 / 7.4)
    # Day 42 with nothing done. The bundled plan gives courses windows, so planned is
    # fte × (days of its window done by day 42) / (days in its window):
    windows = {c.id: c.window(plan.weeks) for c in plan.courses}
    expected = 0.0
    for c in plan.courses:
        first, last = windows[c.id]
        done = min(max(42 - (first - 1) * 7, 0), (last - first + 1) * 7)
        expected += c.fte * done / ((last - first + 1) * 7)
    day42 = plan.start + dt.timedelta(days=41)
    assert planned_points(plan, day42) == pytest.approx(expected)
    if windows["fastai-p1"] == (1, 6) and windows["mit-18065"] == (5, 12):
        # as bundled when this was written: fastai-p1 1.5 (weeks 1-6, all of it), fastai-p2 0
        # (weeks 7-12), dlai/pim/mit-1806/khan/swift/pyds half of 0.5+0.5+0.7+0.3+0.3+0.3,
        # mit-1801 0.2 and 3b1b 0.5 (weeks 1-3, done), mit-1802 0.4 × 28/42 (weeks 3-8),
        # mit-18065 0.7 × 14/56 (weeks 5-12): 1.5 + 1.3 + 0.7 + 0.26667 + 0.175 = 3.94167
        assert expected == pytest.approx(3.941667, abs=1e-6)
    later = snapshot(plan, log, today=day42)
    assert later.earned == 0 and later.forecast is None
    assert later.next_up is not None and later.next_up.course == "fastai-p1"


def test_seconds_by_week_feeds_the_weekly_chart() -> None:
    plan = seed_plan()
    # day 0 (before the start) counts in week 1; days 7 and 8 straddle weeks 1 and 2
    by_week = seconds_by_week(
        plan,
        {
            "fastai-p1": [(day(0), 600.0), (day(7), 1800.0), (day(8), 3600.0)],
            "kun": [(day(8), 360.0)],
        },
    )
    assert by_week == {1: {"fastai-p1": 2400.0}, 2: {"fastai-p1": 3600.0, "kun": 360.0}}
    s = snapshot(plan, ProgressLog(plan.id), today=day(9), anki_seconds_by_week=by_week)
    assert s.weekly[0]["fastai-p1"] == pytest.approx(2400 / 3600)
    assert s.week_hours == pytest.approx(1.1)  # (3600 + 360) / 3600
    # week 1 finished on day 7, so the spent line includes its 40 minutes from then on
    b = {p.day_number: p for p in s.burnup}
    assert b[6].spent == 0
    assert b[7].spent == pytest.approx(2400 / 3600 / 120)


def test_no_forecast_from_the_first_week_alone() -> None:
    # One lesson of fastai-p1 (1.5 / 7 points) on day 1 would extrapolate to a finish in
    # week 5; a pace needs a week of data first.
    plan = seed_plan()
    log = mark_lesson_done(ProgressLog("deep-learning"), "fastai-p1", "l1", day(1))
    for n in range(1, 7):
        assert forecast(plan, log, day(n)) is None
    # Day 7: 1.5/7 points in 7 days -> 7.4 / (1.5/7) * 7 days = 241.73 -> day 242.
    assert forecast(plan, log, day(7)) == day(242)


def test_no_forecast_from_a_pace_that_would_take_centuries() -> None:
    # A tiny lesson done in a big course: the pace extrapolated past year 9999, and the
    # panel failed (OverflowError) on every load.
    def plan_with(small: float, large: float) -> Plan:
        lessons = (Lesson("a", "A", weight=small), Lesson("b", "B", weight=large))
        return Plan(
            "p", "P", dt.date(2020, 1, 6), courses=(Course("c", "", "C", 1.0, lessons=lessons),)
        )

    log = mark_lesson_done(ProgressLog("p"), "c", "a", dt.date(2020, 1, 7))
    today = dt.date(2020, 1, 13)  # day 8
    assert forecast(plan_with(1e-300, 1e6), log, today) is None
    assert snapshot(plan_with(1e-300, 1e6), log, today=today).forecast is None
    # 8 days for 1/3001 of the plan: 24,008 days, inside a century, is still forecast;
    # 8 days for 1/5001 (40,008 days) is not.
    assert forecast(plan_with(1, 3000), log, today) == dt.date(2020, 1, 6) + dt.timedelta(
        days=24_007
    )
    assert forecast(plan_with(1, 5000), log, today) is None
