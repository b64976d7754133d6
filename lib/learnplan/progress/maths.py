"""Progress maths: planned, earned and spent FTE points, indicators, forecast, trim.

(:mod:`learnplan.progress.snapshot` gathers them into one record for a day.)

Pure functions over a :class:`~learnplan.model.plan.Plan` and a
:class:`~learnplan.progress.log.ProgressLog`. Every ``day`` is a *study day*: a
collection's today comes from :func:`learnplan.collection.studyday.study_today`, which
follows Anki's day cutoff, so "today" in the panel is Anki's today. Day numbers count
study days done by the end of a day: 1 on the plan's first day, ``weeks × 7`` on its
last, 0 the day before it starts.

The model is earned value (README.md, "The progress model"): a course's earned points
are its FTE × the weighted fraction of its lessons done; planned points spread each
course evenly over its window; spent points are hours / ``hours_per_point``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from learnplan.model.plan import Course, Plan
from learnplan.progress.log import ProgressLog


class TrimError(ValueError):
    """The pinned courses alone need more points than the plan has room for."""


@dataclass(frozen=True)
class NextUp:
    """What to study next: the course furthest behind its plan, and its next lesson."""

    course: str
    title: str
    provider: str
    lesson: str | None  # None for a course without lessons
    lesson_title: str | None
    behind: float  # planned - earned points for this course (negative = ahead)


# --- days and weeks


def day_number(plan: Plan, day: dt.date) -> int:
    """Study days done by the end of ``day``: 1 on the first day, 0 the day before."""
    return (day - plan.start).days + 1


def week_of(plan: Plan, day: dt.date) -> int:
    """1-based plan week of ``day``; 0 before the start, > ``plan.weeks`` after the end."""
    offset = (day - plan.start).days
    return 0 if offset < 0 else offset // 7 + 1


def _window_days(plan: Plan, course: Course) -> tuple[int, int]:
    """The course's window as (day numbers before it, day number of its last day)."""
    first, last = course.window(plan.weeks)
    first = max(1, first)
    last = max(first, last)
    return (first - 1) * 7, last * 7


# --- planned / earned / spent


def course_planned(plan: Plan, course: Course, day: dt.date) -> float:
    before, last = _window_days(plan, course)
    done = min(max(day_number(plan, day) - before, 0), last - before)
    return course.fte * done / (last - before)


def planned_points(plan: Plan, day: dt.date) -> float:
    """Points the plan expects by the end of ``day`` (each course even over its window)."""
    return sum(course_planned(plan, c, day) for c in plan.courses)


def course_fraction(course: Course, log: ProgressLog, day: dt.date) -> tuple[float, int]:
    """(fraction done 0-1, lessons ticked) by the end of ``day``."""
    if course.lessons:
        done = {d.lesson for d in log.lessons_done if d.course == course.id and d.date <= day}
        ticked = [lesson for lesson in course.lessons if lesson.id in done]
        total = course.total_weight
        if total > 0:
            fraction = sum(lesson.effective_weight for lesson in ticked) / total
        else:  # all weights zero: fall back to counting lessons
            fraction = len(ticked) / len(course.lessons)
        return min(max(fraction, 0.0), 1.0), len(ticked)
    latest: tuple[dt.date, float] | None = None
    for entry in log.percents:
        # ">=" so that of two entries on one day the later-logged one wins
        if (
            entry.course == course.id
            and entry.date <= day
            and (latest is None or entry.date >= latest[0])
        ):
            latest = (entry.date, entry.percent)
    fraction = 0.0 if latest is None else latest[1] / 100.0
    return min(max(fraction, 0.0), 1.0), 0


def earned_points(plan: Plan, log: ProgressLog, day: dt.date) -> dict[str, float]:
    """Earned points per course: FTE × fraction done by the end of ``day``."""
    return {c.id: c.fte * course_fraction(c, log, day)[0] for c in plan.courses}


def logged_hours(plan: Plan, log: ProgressLog, day: dt.date) -> dict[str, float]:
    """Hours logged by hand up to ``day``: every plan course, plus any other course logged."""
    hours = {c.id: 0.0 for c in plan.courses}
    for s in log.sessions:
        if s.date <= day:
            hours[s.course] = hours.get(s.course, 0.0) + s.hours
    return hours


def spent_hours(
    plan: Plan,
    log: ProgressLog,
    day: dt.date,
    anki_seconds: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Logged hours up to ``day`` plus Anki review time (seconds, per course id)."""
    hours = logged_hours(plan, log, day)
    for course_id, seconds in (anki_seconds or {}).items():
        hours[course_id] = hours.get(course_id, 0.0) + seconds / 3600.0
    return hours


def points(plan: Plan, hours: float) -> float:
    return hours / plan.hours_per_point if plan.hours_per_point else 0.0


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or None when there is nothing to compare against."""
    return numerator / denominator if denominator > 0 else None


def schedule_index(earned: float, planned: float) -> float | None:
    return ratio(earned, planned)


def efficiency(earned: float, spent_points: float) -> float | None:
    return ratio(earned, spent_points)


#: Days of data before a pace is forecast: extrapolating one lucky day is noise.
MIN_FORECAST_DAYS = 7
#: A pace that would need longer than this (a century) gives no forecast: such a date
#: means nothing, and past year 9999 it does not exist.
MAX_FORECAST_DAYS = 36_525


def forecast_from(plan: Plan, earned: float, elapsed: int, day: dt.date) -> dt.date | None:
    """The day the whole plan would be done at the pace so far: the points ``earned`` by
    the end of ``day``, ``elapsed`` study days into the plan.

    None before the start, during the first week (one lucky day is not a pace), while
    nothing is earned and when the pace would need more than a century (a tiny lesson done
    in a huge plan); ``day`` itself once all is done.
    """
    total = plan.total_fte
    if earned >= total - 1e-9 and elapsed > 0:
        return day
    if elapsed < MIN_FORECAST_DAYS or earned <= 0:
        return None
    needed = total * elapsed / earned
    if not needed <= MAX_FORECAST_DAYS:
        return None
    # Rounded before ceil so float noise (84.0000000001) does not add a day.
    days_needed = math.ceil(round(needed, 6))
    return plan.start + dt.timedelta(days=days_needed - 1)


def cost_spent(log: ProgressLog, day: dt.date, item: str | None = None) -> float:
    """Money logged up to ``day`` (for one course / resource id when ``item`` is given)."""
    return sum(c.amount for c in log.costs if c.date <= day and (item is None or c.item == item))


def weekly_hours(
    plan: Plan,
    log: ProgressLog,
    anki_seconds_by_week: Mapping[int, Mapping[str, float]] | None = None,
) -> list[dict[str, float]]:
    """Hours per course for each plan week (index 0 = week 1), logged + Anki.

    ``anki_seconds_by_week`` maps a 1-based week number to seconds per course id. Hours
    logged before the start count towards week 1 (preparation is study too); the list
    grows past ``plan.weeks`` when study continues after the plan's end.
    """
    by_week = anki_seconds_by_week or {}
    last = max([plan.weeks, *(week_of(plan, s.date) for s in log.sessions), *by_week.keys()])
    weeks = [{c.id: 0.0 for c in plan.courses} for _ in range(last)]
    for s in log.sessions:
        row = weeks[max(week_of(plan, s.date), 1) - 1]
        row[s.course] = row.get(s.course, 0.0) + s.hours
    for week, seconds in by_week.items():
        if week < 1:
            continue
        row = weeks[week - 1]
        for course_id, secs in seconds.items():
            row[course_id] = row.get(course_id, 0.0) + secs / 3600.0
    return weeks


def seconds_by_week(
    plan: Plan, seconds_by_day: Mapping[str, Iterable[tuple[dt.date, float]]]
) -> dict[int, dict[str, float]]:
    """Per-course (study day, seconds) series -> {1-based week: {course: seconds}}.

    Turns ``memory.CourseMemory.seconds_by_day`` into the ``anki_seconds_by_week`` that
    :func:`weekly_hours` and :func:`snapshot` take; days before the start count towards
    week 1, as logged hours do.
    """
    out: dict[int, dict[str, float]] = {}
    for course_id, days in seconds_by_day.items():
        for day, seconds in days:
            row = out.setdefault(max(week_of(plan, day), 1), {})
            row[course_id] = row.get(course_id, 0.0) + seconds
    return out


# --- re-planning helpers


def suggest_trim(plan: Plan, pinned: frozenset[str] = frozenset()) -> dict[str, float]:
    """New FTE per course that fits the plan into its capacity.

    Unpinned courses are scaled in proportion to their FTE; pinned ones keep theirs. A plan
    that already fits comes back unchanged. Raises :class:`TrimError` when the pinned
    courses alone exceed the capacity.
    """
    capacity = plan.capacity
    current = {c.id: c.fte for c in plan.courses}
    if plan.total_fte <= capacity + 1e-9:
        return current
    pinned_total = sum(fte for cid, fte in current.items() if cid in pinned)
    if pinned_total > capacity + 1e-9:
        raise TrimError(
            f"the pinned courses need {pinned_total:.2f} points but only {capacity:.2f} fit "
            f"in {plan.weeks} weeks; unpin some or lengthen the plan"
        )
    free = sum(fte for cid, fte in current.items() if cid not in pinned)
    scale = (capacity - pinned_total) / free if free > 0 else 0.0
    return {cid: fte if cid in pinned else round(fte * scale, 9) for cid, fte in current.items()}


def trim_value(fte: float) -> float:
    """A suggested FTE as it is shown and applied: rounded *down* to 0.01, so that an
    applied trim really fits."""
    return math.floor(fte * 100 + 1e-6) / 100


def next_up(
    plan: Plan,
    log: ProgressLog,
    day: dt.date,
    *,
    fractions: Mapping[str, float] | None = None,
) -> NextUp | None:
    """The unfinished course furthest behind its plan (in points) and its next lesson.

    Ties go to the course whose window starts first, then to plan order. None when every
    course with points is done. ``fractions`` (course id -> :func:`course_fraction`'s
    fraction by ``day``) saves working them out again when the caller has them.
    """
    best: tuple[tuple[float, int, int], Course, float] | None = None
    for index, course in enumerate(plan.courses):
        if course.fte <= 0:
            continue
        if fractions is not None:
            fraction = fractions[course.id]
        else:
            fraction, _ = course_fraction(course, log, day)
        if fraction >= 1.0 - 1e-9:
            continue
        behind = course_planned(plan, course, day) - course.fte * fraction
        key = (-round(behind, 9), _window_days(plan, course)[0], index)
        if best is None or key < best[0]:
            best = (key, course, behind)
    if best is None:
        return None
    _, course, behind = best
    done = {d.lesson for d in log.lessons_done if d.course == course.id and d.date <= day}
    lesson = next((lesson for lesson in course.lessons if lesson.id not in done), None)
    return NextUp(
        course=course.id,
        title=course.title,
        provider=course.provider,
        lesson=lesson.id if lesson else None,
        lesson_title=lesson.title if lesson else None,
        behind=behind,
    )
