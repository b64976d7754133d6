"""Where the learner stands on one study day: the :class:`Snapshot` of the plan.

:func:`snapshot` gathers the progress maths (:mod:`learnplan.progress.maths`) into one
frozen record: points planned, earned and spent, the indicators, the forecast, the
suggested trim, next up, hours a week and the burn-up. Everything the learner sees is
formatted from it by :mod:`learnplan.figures`; the charts draw it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from learnplan.model.plan import Plan
from learnplan.progress.log import ProgressLog, apply_revisions
from learnplan.progress.maths import (
    NextUp,
    TrimError,
    cost_spent,
    course_fraction,
    course_planned,
    day_number,
    earned_points,
    efficiency,
    forecast_from,
    logged_hours,
    next_up,
    planned_points,
    points,
    schedule_index,
    spent_hours,
    suggest_trim,
    week_of,
    weekly_hours,
)


@dataclass(frozen=True)
class CourseProgress:
    id: str
    provider: str
    title: str
    fte: float
    start_week: int
    end_week: int
    lessons_done: int
    lessons_total: int
    percent: float  # 0-100, of the course's (weighted) lessons or its manual percentage
    earned: float
    planned: float
    ahead_by: float  # earned - planned (negative = behind)
    hours: float  # logged + Anki review hours
    cost_spent: float
    budget: float


@dataclass(frozen=True)
class BurnPoint:
    """One day of the burn-up: ``earned``/``spent`` are None after today."""

    day: dt.date
    day_number: int
    planned: float
    total: float
    earned: float | None
    spent: float | None


@dataclass(frozen=True)
class Snapshot:
    """Everything the panel and the report show, as of one study day."""

    plan_id: str
    title: str
    currency: str
    today: dt.date
    start: dt.date
    last_day: dt.date
    week: int  # 0 before the start, > weeks after the end
    weeks: int
    day_number: int
    total_days: int
    days_left: int  # study days from today to the last day, both counted
    total: float
    capacity: float
    overcommitment: float
    planned: float
    earned: float
    ahead_by: float  # earned - planned (negative = behind plan)
    schedule_index: float | None  # earned / planned
    efficiency: float | None  # earned / spent points
    forecast: dt.date | None
    forecast_week: int | None
    logged_hours: float
    anki_hours: float
    spent_hours: float
    spent_points: float
    other_hours: float  # hours logged against courses no longer in the plan
    cost_spent: float
    cost_budget: float
    week_hours: float  # this week's hours (logged + Anki when known by week)
    week_target: float  # plan.hours_per_week
    courses: tuple[CourseProgress, ...]
    trim: dict[str, float] | None  # suggested FTE per course; None when the plan fits
    trim_note: str
    next_up: NextUp | None
    weekly: tuple[dict[str, float], ...]  # hours per course, index 0 = week 1
    burnup: tuple[BurnPoint, ...]  # day_number 0 .. max(total_days, today)


def snapshot(
    plan: Plan,
    log: ProgressLog,
    *,
    today: dt.date,
    anki_seconds: Mapping[str, float] | None = None,
    anki_seconds_by_week: Mapping[int, Mapping[str, float]] | None = None,
    pinned: frozenset[str] = frozenset(),
) -> Snapshot:
    """Everything as of ``today``, with the log's re-allocations applied up to ``today``.

    ``anki_seconds`` is the total Anki review time per course up to today;
    ``anki_seconds_by_week`` (1-based week -> seconds per course) fills the weekly chart,
    this week's hours and the history of the spent line.
    """
    base_plan = plan
    plan = apply_revisions(base_plan, log, as_of=today)
    n = day_number(plan, today)
    logged_by = logged_hours(plan, log, today)
    spent_by = spent_hours(plan, log, today, anki_seconds)
    # Each course's progress is worked out once; the totals add the rows up in plan
    # order, exactly as planned_points and earned_points would.
    rows, fractions = _course_rows(plan, log, today, spent_by)
    planned = sum(row.planned for row in rows)
    earned = sum(row.earned for row in rows)
    logged = sum(logged_by.values())
    spent = sum(spent_by.values())
    anki = sum(anki_seconds.values()) / 3600.0 if anki_seconds else 0.0
    spent_pts = points(plan, spent)
    plan_ids = {c.id for c in plan.courses}
    forecast = forecast_from(plan, earned, n, today)
    # A report "as of" a past day must not show hours logged after it.
    so_far = dataclasses.replace(log, sessions=tuple(x for x in log.sessions if x.date <= today))
    weekly = weekly_hours(plan, so_far, anki_seconds_by_week)
    week = week_of(plan, today)
    trim: dict[str, float] | None = None
    trim_note = ""
    if plan.total_fte > plan.capacity + 1e-9:
        try:
            trim = suggest_trim(plan, pinned)
        except TrimError as exc:
            trim_note = str(exc)

    return Snapshot(
        plan_id=plan.id,
        title=plan.title,
        currency=plan.currency,
        today=today,
        start=plan.start,
        last_day=plan.end - dt.timedelta(days=1),
        week=week,
        weeks=plan.weeks,
        day_number=n,
        total_days=plan.weeks * 7,
        days_left=max(min((plan.end - today).days, plan.weeks * 7), 0),
        total=plan.total_fte,
        capacity=plan.capacity,
        overcommitment=plan.overcommitment,
        planned=planned,
        earned=earned,
        ahead_by=earned - planned,
        schedule_index=schedule_index(earned, planned),
        efficiency=efficiency(earned, spent_pts),
        forecast=forecast,
        forecast_week=week_of(plan, forecast) if forecast else None,
        logged_hours=logged,
        anki_hours=anki,
        spent_hours=spent,
        spent_points=spent_pts,
        other_hours=sum(h for cid, h in spent_by.items() if cid not in plan_ids),
        cost_spent=cost_spent(log, today),
        cost_budget=plan.total_cost,
        week_hours=sum(weekly[week - 1].values()) if 1 <= week <= len(weekly) else 0.0,
        week_target=plan.hours_per_week,
        courses=tuple(rows),
        trim=trim,
        trim_note=trim_note,
        next_up=next_up(plan, log, today, fractions=fractions),
        weekly=tuple(weekly),
        burnup=tuple(_burnup(base_plan, log, today, earned, spent, anki_seconds_by_week or {})),
    )


def _course_rows(
    plan: Plan, log: ProgressLog, today: dt.date, spent_by: Mapping[str, float]
) -> tuple[list[CourseProgress], dict[str, float]]:
    """Each course's row as of ``today``, and its fraction done (for next up)."""
    rows = []
    fractions = {}
    for course in plan.courses:
        fraction, ticked = course_fraction(course, log, today)
        fractions[course.id] = fraction
        earned = course.fte * fraction  # as earned_points has it
        planned = course_planned(plan, course, today)
        first, last = course.window(plan.weeks)
        rows.append(
            CourseProgress(
                id=course.id,
                provider=course.provider,
                title=course.title,
                fte=course.fte,
                start_week=first,
                end_week=last,
                lessons_done=ticked,
                lessons_total=len(course.lessons),
                percent=100.0 * fraction,
                earned=earned,
                planned=planned,
                ahead_by=earned - planned,
                hours=spent_by.get(course.id, 0.0),
                cost_spent=cost_spent(log, today, course.id),
                budget=course.cost,
            )
        )
    return rows, fractions


def _burnup(
    plan: Plan,
    log: ProgressLog,
    today: dt.date,
    earned_today: float,
    spent_today: float,
    anki_by_week: Mapping[int, Mapping[str, float]],
) -> list[BurnPoint]:
    # Each day uses the plan as it stood that day, so a re-allocation shows as a step
    # rather than silently rewriting the past.
    total_days = plan.weeks * 7
    today_n = day_number(plan, today)
    out: list[BurnPoint] = []
    anki_done = 0.0  # Anki hours of weeks finished by the current day
    for n in range(0, max(total_days, today_n) + 1):
        day = plan.start + dt.timedelta(days=n - 1)
        if n > 0 and n % 7 == 0:
            anki_done += sum(anki_by_week.get(n // 7, {}).values()) / 3600.0
        day_plan = apply_revisions(plan, log, as_of=day)
        earned: float | None = None
        spent: float | None = None
        if n < today_n:
            earned = sum(earned_points(day_plan, log, day).values())
            spent = points(day_plan, sum(logged_hours(day_plan, log, day).values()) + anki_done)
        elif n == today_n:  # day_plan is the snapshot's plan: its earned is today's
            earned = earned_today
            spent = points(day_plan, spent_today)
        out.append(
            BurnPoint(
                day=day,
                day_number=n,
                planned=planned_points(day_plan, day),
                total=day_plan.total_fte,
                earned=earned,
                spent=spent,
            )
        )
    return out


# --- JSON


def snapshot_to_dict(s: Snapshot) -> dict[str, Any]:
    """JSON-ready data: dates as ISO text, non-finite numbers as null, floats rounded."""
    data = _jsonable(dataclasses.asdict(s))
    assert isinstance(data, dict)
    return data


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else None
    return value
