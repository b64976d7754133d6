"""The learner's own progress records: lessons ticked, hours, costs, re-allocations.

A :class:`ProgressLog` holds them as frozen dataclasses; the updaters here return a new
log and check what they add as a reader would (:mod:`learnplan.progress.log_fields`).
The log's JSON form is :mod:`learnplan.progress.log_json`, its file and the check that
its entries name the plan's courses :mod:`learnplan.progress.log_file`; in a collection
it is the fold of the learner's record entries (:mod:`learnplan.progress.entries`, which
reuses the items' JSON forms). Everything here is pure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from learnplan.model.plan import Course, Plan
from learnplan.progress.log_fields import LogError, check_number, check_text, check_week


@dataclass(frozen=True)
class LessonDone:
    course: str
    lesson: str
    date: dt.date


@dataclass(frozen=True)
class Session:
    """Hours of study outside Anki (lectures, reading, exercises)."""

    date: dt.date
    course: str
    hours: float
    lesson: str | None = None
    note: str = ""


@dataclass(frozen=True)
class CostPaid:
    date: dt.date
    item: str  # a course id, a resource id, or free text
    amount: float


@dataclass(frozen=True)
class Revision:
    """A re-allocation of effort: ``None`` fields keep the course's current value."""

    date: dt.date
    course: str
    reason: str = ""
    fte: float | None = None
    start_week: int | None = None
    end_week: int | None = None


@dataclass(frozen=True)
class PercentDone:
    """Manual progress for a course without lessons; the latest by date wins."""

    course: str
    date: dt.date
    percent: float


@dataclass(frozen=True)
class ProgressLog:
    plan_id: str
    lessons_done: tuple[LessonDone, ...] = ()
    sessions: tuple[Session, ...] = ()
    costs: tuple[CostPaid, ...] = ()
    revisions: tuple[Revision, ...] = ()
    percents: tuple[PercentDone, ...] = ()


# --- pure updaters


def mark_lesson_done(log: ProgressLog, course: str, lesson: str, date: dt.date) -> ProgressLog:
    """Tick a lesson. Ticking it again keeps the first date (the day it was really done)."""
    check_text(course, "course")
    check_text(lesson, "lesson")
    if any(d.course == course and d.lesson == lesson for d in log.lessons_done):
        return log
    done = (*log.lessons_done, LessonDone(course, lesson, date))
    return dataclasses.replace(log, lessons_done=done)


def unmark_lesson_done(log: ProgressLog, course: str, lesson: str) -> ProgressLog:
    kept = tuple(d for d in log.lessons_done if not (d.course == course and d.lesson == lesson))
    return dataclasses.replace(log, lessons_done=kept)


def add_session(log: ProgressLog, session: Session) -> ProgressLog:
    check_text(session.course, "course")
    check_number(session.hours, "hours", low=0.0)
    return dataclasses.replace(log, sessions=(*log.sessions, session))


def add_cost(log: ProgressLog, cost: CostPaid) -> ProgressLog:
    check_text(cost.item, "item")
    check_number(cost.amount, "amount")
    return dataclasses.replace(log, costs=(*log.costs, cost))


def add_revision(log: ProgressLog, revision: Revision) -> ProgressLog:
    _check_revision(revision)
    return dataclasses.replace(log, revisions=(*log.revisions, revision))


def set_percent(log: ProgressLog, course: str, date: dt.date, percent: float) -> ProgressLog:
    """Record a manual percentage; a second entry for the same course and day replaces it."""
    check_text(course, "course")
    check_number(percent, "percent", low=0.0, high=100.0)
    kept = tuple(p for p in log.percents if not (p.course == course and p.date == date))
    return dataclasses.replace(log, percents=(*kept, PercentDone(course, date, float(percent))))


def apply_revisions(plan: Plan, log: ProgressLog, *, as_of: dt.date | None = None) -> Plan:
    """The plan with the log's re-allocations applied in date order (up to ``as_of``).

    Revisions of courses no longer in the plan are skipped: the outline has moved on and
    the log keeps the history anyway.
    """
    if not any(as_of is None or r.date <= as_of for r in log.revisions):
        return plan
    courses = {c.id: c for c in plan.courses}
    for _, _, after in replay_revisions(plan, log, as_of=as_of):
        courses[after.id] = after
    return dataclasses.replace(plan, courses=tuple(courses[c.id] for c in plan.courses))


def replay_revisions(
    plan: Plan, log: ProgressLog, *, as_of: dt.date | None = None
) -> Iterator[tuple[Revision, Course, Course]]:
    """Each re-allocation :func:`apply_revisions` applies, in its order, with the course
    as it was before and after it (a course's history of re-allocations)."""
    revisions = sorted(
        (r for r in log.revisions if as_of is None or r.date <= as_of), key=lambda r: r.date
    )
    courses = {c.id: c for c in plan.courses}
    for rev in revisions:
        course = courses.get(rev.course)
        if course is None:
            continue
        changes: dict[str, Any] = {}
        if rev.fte is not None:
            changes["fte"] = float(rev.fte)
        if rev.start_week is not None:
            changes["start_week"] = rev.start_week
        if rev.end_week is not None:
            changes["end_week"] = rev.end_week
        courses[rev.course] = dataclasses.replace(course, **changes)
        yield rev, course, courses[rev.course]


def study_date(value: object, today: dt.date) -> dt.date:
    """A date the learner gave (``YYYY-MM-DD``); empty means today. A day after today is
    refused: progress is recorded when it happened, not ahead of time."""
    text = str(value or "").strip()
    if not text:
        return today
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise LogError(f"'{text}' is not a date (YYYY-MM-DD)") from None
    if day > today:
        raise LogError(f"{day.isoformat()} is after today ({today.isoformat()})")
    return day


def _check_revision(r: Revision) -> None:
    check_text(r.course, "course")
    if r.fte is not None:
        check_number(r.fte, "fte", low=0.0)
    check_week(r.start_week, "start_week")
    check_week(r.end_week, "end_week")
    if r.start_week is not None and r.end_week is not None and r.end_week < r.start_week:
        raise LogError(f"end_week {r.end_week} is before start_week {r.start_week}")
