"""The learner's own progress records: lessons ticked, hours, costs, re-allocations.

The log is small versioned JSON. In a collection it is the fold of the learner's record
entries (:mod:`learnplan.progress.entries`, which reuses the item forms below); ``learnplan report
--log`` reads it from a file. Everything here is pure except :func:`load_log` /
:func:`save_log`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from learnplan.base.atomic import replace_file
from learnplan.base.errors import PlanError, Problem
from learnplan.base.jsonlines import Location, json_lines
from learnplan.model.plan import Course, Plan

_T = TypeVar("_T")

#: Version of the dict form written by :func:`log_to_json`.
LOG_VERSION = 1


class LogError(ValueError):
    """A progress log that cannot be read (damaged, or written by a newer learnplan).

    ``location`` is where in the log's JSON the problem is (``("sessions", 2)``), when
    it is at one entry or key."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.location = location


class LogFileError(PlanError, LogError):
    """A progress log file that cannot be used, as ``path:line: message`` lines (the line
    of the entry at fault in the file's JSON; 0 when the whole file is)."""


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
    _need_text(course, "course")
    _need_text(lesson, "lesson")
    if any(d.course == course and d.lesson == lesson for d in log.lessons_done):
        return log
    done = (*log.lessons_done, LessonDone(course, lesson, date))
    return dataclasses.replace(log, lessons_done=done)


def unmark_lesson_done(log: ProgressLog, course: str, lesson: str) -> ProgressLog:
    kept = tuple(d for d in log.lessons_done if not (d.course == course and d.lesson == lesson))
    return dataclasses.replace(log, lessons_done=kept)


def add_session(log: ProgressLog, session: Session) -> ProgressLog:
    _need_text(session.course, "course")
    _need_number(session.hours, "hours", low=0.0)
    return dataclasses.replace(log, sessions=(*log.sessions, session))


def add_cost(log: ProgressLog, cost: CostPaid) -> ProgressLog:
    _need_text(cost.item, "item")
    _need_number(cost.amount, "amount")
    return dataclasses.replace(log, costs=(*log.costs, cost))


def add_revision(log: ProgressLog, revision: Revision) -> ProgressLog:
    _check_revision(revision)
    return dataclasses.replace(log, revisions=(*log.revisions, revision))


def set_percent(log: ProgressLog, course: str, date: dt.date, percent: float) -> ProgressLog:
    """Record a manual percentage; a second entry for the same course and day replaces it."""
    _need_text(course, "course")
    _need_number(percent, "percent", low=0.0, high=100.0)
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


# --- JSON form


def log_to_json(log: ProgressLog) -> dict[str, Any]:
    """Compact JSON-ready data: defaults are left out, lessons are [course, lesson, date]."""
    out: dict[str, Any] = {"version": LOG_VERSION, "plan": log.plan_id}
    if log.lessons_done:
        out["lessons_done"] = [[d.course, d.lesson, d.date.isoformat()] for d in log.lessons_done]
    if log.sessions:
        out["sessions"] = [session_to_json(s) for s in log.sessions]
    if log.costs:
        out["costs"] = [cost_to_json(c) for c in log.costs]
    if log.revisions:
        out["revisions"] = [revision_to_json(r) for r in log.revisions]
    if log.percents:
        out["percents"] = [percent_to_json(p) for p in log.percents]
    return out


# The items' JSON forms, also used one by one by the collection's record entries.


def session_to_json(s: Session) -> dict[str, Any]:
    item: dict[str, Any] = {"date": s.date.isoformat(), "course": s.course, "hours": s.hours}
    if s.lesson is not None:
        item["lesson"] = s.lesson
    if s.note:
        item["note"] = s.note
    return item


def cost_to_json(c: CostPaid) -> dict[str, Any]:
    return {"date": c.date.isoformat(), "item": c.item, "amount": c.amount}


def percent_to_json(p: PercentDone) -> dict[str, Any]:
    return {"course": p.course, "date": p.date.isoformat(), "percent": p.percent}


def revision_to_json(r: Revision) -> dict[str, Any]:
    item: dict[str, Any] = {"date": r.date.isoformat(), "course": r.course}
    if r.reason:
        item["reason"] = r.reason
    for key in ("fte", "start_week", "end_week"):
        value = getattr(r, key)
        if value is not None:
            item[key] = value
    return item


def _migrate_v0(data: dict[str, Any]) -> dict[str, Any]:
    # v0 (learnplan before the log was versioned) had no "version" key, called the plan
    # "plan_id" and stored ticked lessons as {"course/lesson": "YYYY-MM-DD"}.
    out = {k: v for k, v in data.items() if k not in ("plan_id", "lessons_done")}
    out["version"] = 1
    out["plan"] = data.get("plan_id")
    done = data.get("lessons_done", {})
    if not isinstance(done, dict):
        raise LogError(f"lessons_done: expected an object in a version 0 log, got {_kind(done)}")
    triples: list[list[Any]] = []
    for key, date in done.items():
        course, sep, lesson = str(key).partition("/")
        if not sep or not course or not lesson:
            raise LogError(f"lessons_done: {key!r} is not 'course/lesson'")
        triples.append([course, lesson, date])
    out["lessons_done"] = triples
    return out


#: version -> function turning that version's data into the next version's.
_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _migrate_v0}


def log_from_json(data: object) -> ProgressLog:
    """Validate and read a log; raises :class:`LogError` saying what is wrong and where."""
    if not isinstance(data, dict):
        raise LogError(f"a progress log must be a JSON object, got {_kind(data)}")
    version = data.get("version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise LogError(f"version: expected a whole number, got {version!r}", ("version",))
    if version > LOG_VERSION:
        raise LogError(
            f"this progress log is version {version}, written by a newer learnplan; "
            f"this one reads up to version {LOG_VERSION} — please update learnplan",
            ("version",),
        )
    while version < LOG_VERSION:
        data = _MIGRATIONS[version](data)
        version += 1
    plan_id = data.get("plan")
    if not isinstance(plan_id, str) or not plan_id:
        raise LogError(f"plan: expected the plan id (text), got {plan_id!r}", ("plan",))
    return ProgressLog(
        plan_id=plan_id,
        lessons_done=tuple(_read_list(data, "lessons_done", read_done)),
        sessions=tuple(_read_list(data, "sessions", read_session)),
        costs=tuple(_read_list(data, "costs", read_cost)),
        revisions=tuple(_read_list(data, "revisions", read_revision)),
        percents=tuple(_read_list(data, "percents", read_percent)),
    )


def _read_list(data: dict[str, Any], key: str, read: Callable[[object, str], _T]) -> list[_T]:
    items = data.get(key, [])
    if not isinstance(items, list):
        raise LogError(f"{key}: expected a list, got {_kind(items)}", (key,))
    out: list[_T] = []
    for i, item in enumerate(items):
        try:
            out.append(read(item, f"{key}[{i}]"))
        except LogError as exc:
            raise LogError(str(exc), exc.location or (key, i)) from None
    return out


# The items' readers: each raises LogError naming ``where`` and the field.


def read_done(item: object, where: str) -> LessonDone:
    if not isinstance(item, list) or len(item) != 3:
        raise LogError(f"{where}: expected [course, lesson, date], got {item!r}")
    course, lesson, date = item
    return LessonDone(
        _text(course, f"{where}[0]"), _text(lesson, f"{where}[1]"), _date(date, f"{where}[2]")
    )


def read_session(item: object, where: str) -> Session:
    obj = _object(item, where)
    lesson = obj.get("lesson")
    return Session(
        date=_date(obj.get("date"), f"{where}.date"),
        course=_text(obj.get("course"), f"{where}.course"),
        hours=_number(obj.get("hours"), f"{where}.hours", low=0.0),
        lesson=None if lesson is None else _text(lesson, f"{where}.lesson"),
        note=_text(obj.get("note", ""), f"{where}.note", empty=True),
    )


def read_cost(item: object, where: str) -> CostPaid:
    obj = _object(item, where)
    return CostPaid(
        date=_date(obj.get("date"), f"{where}.date"),
        item=_text(obj.get("item"), f"{where}.item"),
        amount=_number(obj.get("amount"), f"{where}.amount"),
    )


def read_revision(item: object, where: str) -> Revision:
    obj = _object(item, where)
    fte = obj.get("fte")
    return Revision(
        date=_date(obj.get("date"), f"{where}.date"),
        course=_text(obj.get("course"), f"{where}.course"),
        reason=_text(obj.get("reason", ""), f"{where}.reason", empty=True),
        fte=None if fte is None else _number(fte, f"{where}.fte", low=0.0),
        start_week=_week(obj.get("start_week"), f"{where}.start_week"),
        end_week=_week(obj.get("end_week"), f"{where}.end_week"),
    )


def read_percent(item: object, where: str) -> PercentDone:
    obj = _object(item, where)
    return PercentDone(
        course=_text(obj.get("course"), f"{where}.course"),
        date=_date(obj.get("date"), f"{where}.date"),
        percent=_number(obj.get("percent"), f"{where}.percent", low=0.0, high=100.0),
    )


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


# --- field checks (messages name the field so a damaged file can be fixed by hand)


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "text", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _object(item: object, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise LogError(f"{where}: expected an object, got {_kind(item)}")
    return item


def _text(value: object, where: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise LogError(f"{where}: expected text, got {value!r}")
    return value


def _date(value: object, where: str) -> dt.date:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise LogError(f"{where}: expected a date like 2026-01-31, got {value!r}")


def _number(
    value: object, where: str, *, low: float | None = None, high: float | None = None
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise LogError(f"{where}: expected a number, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise LogError(f"{where}: must be {bounds}, got {value!r}")
    return float(value)


def _week(value: object, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise LogError(f"{where}: expected a week number (1 or more), got {value!r}")
    return value


def _need_text(value: str, what: str) -> None:
    _text(value, what)


def _need_number(
    value: float, what: str, *, low: float | None = None, high: float | None = None
) -> None:
    _number(value, what, low=low, high=high)


def _check_revision(r: Revision) -> None:
    _need_text(r.course, "course")
    if r.fte is not None:
        _need_number(r.fte, "fte", low=0.0)
    _week(r.start_week, "start_week")
    _week(r.end_week, "end_week")
    if r.start_week is not None and r.end_week is not None and r.end_week < r.start_week:
        raise LogError(f"end_week {r.end_week} is before start_week {r.start_week}")


# --- files


def load_log(
    path: Path | str, *, default: ProgressLog | None = None, plan: Plan | None = None
) -> ProgressLog:
    """Read a log file; a missing file gives ``default`` when one is given. With ``plan``,
    the log must be that plan's, and every entry must name its courses and lessons
    (:func:`unknown_references`): nothing is dropped in silence.

    Raises :class:`LogFileError` (a :class:`LogError` and a :class:`PlanError`): one
    ``path:line: message`` per problem, at the line of the entry in the file's JSON.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if default is not None:
            return default
        raise LogFileError(Problem(path, 0, "no progress log here")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LogFileError(Problem(path, 0, f"cannot read the progress log: {exc}")) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LogFileError(
            Problem(path, exc.lineno, f"the progress log is not valid JSON: {exc.msg}")
        ) from None
    try:
        log = log_from_json(data)
    except LogError as exc:
        where = {exc.location} if exc.location else set()
        line = json_lines(text, where).get(exc.location, 0) if exc.location else 0
        raise LogFileError(Problem(path, line, str(exc))) from None
    if plan is None:
        return log
    issues: list[tuple[Location, str]] = []
    if log.plan_id != plan.id:
        issues.append((("plan",), f"this log is for plan '{log.plan_id}', not '{plan.id}'"))
    else:
        issues += [
            (
                issue.location,
                f"{_where(issue.location)}: {issue.message}; fix the id or remove the entry",
            )
            for issue in unknown_references(plan, log)
        ]
    if issues:
        lines = json_lines(text, {location for location, _ in issues})
        raise LogFileError(
            sorted(
                (Problem(path, lines.get(location, 0), message) for location, message in issues),
                key=lambda p: p.line,
            )
        )
    return log


def _where(location: Location) -> str:
    key, index = location[0], location[1] if len(location) > 1 else None
    return f"{key}[{index}]" if index is not None else str(key)


# --- entries that name what the plan does not have


@dataclass(frozen=True)
class LogIssue:
    """A log entry naming a course or lesson its plan does not have (the progress it
    records cannot be counted). ``location``: the entry, as (list name, index)."""

    location: Location
    message: str


def _courses_hint(plan: Plan) -> str:
    ids = [c.id for c in plan.courses]
    shown = ", ".join(ids[:12]) + (f", … ({len(ids)} in all)" if len(ids) > 12 else "")
    return f"its courses: {shown or 'none'}"


def _lessons_hint(course: Course) -> str:
    ids = [lesson.id for lesson in course.lessons]
    shown = ", ".join(ids[:12]) + (f", … ({len(ids)} in all)" if len(ids) > 12 else "")
    return f"its lessons: {shown or 'none'}"


def reference_problem(plan: Plan, course_id: str, lesson_id: str | None = None) -> str | None:
    """What is wrong with naming ``course_id`` (and ``lesson_id``) of ``plan``, or None."""
    course = plan.course(course_id)
    if course is None:
        return f"no course '{course_id}' in plan '{plan.id}' ({_courses_hint(plan)})"
    if lesson_id is not None and course.lesson(lesson_id) is None:
        return f"no lesson '{lesson_id}' in course '{course_id}' ({_lessons_hint(course)})"
    return None


def unknown_references(plan: Plan, log: ProgressLog) -> tuple[LogIssue, ...]:
    """Every entry of ``log`` naming a course or lesson ``plan`` does not have: a lesson
    done, a study session, a re-allocation or a percentage (a cost's item is free text).
    The progress maths skip such entries; this says which they are, so that a log file is
    refused (``load_log(..., plan=)``) and a collection's records are warned about (the
    CLI prints them; the add-on's panel can show the same messages)."""
    issues: list[LogIssue] = []

    def check(location: Location, what: str, course: str, lesson: str | None = None) -> None:
        wrong = reference_problem(plan, course, lesson)
        if wrong is not None:
            issues.append(LogIssue(location, f"{what}: {wrong}"))

    for i, d in enumerate(log.lessons_done):
        check(("lessons_done", i), f"lesson done on {d.date.isoformat()}", d.course, d.lesson)
    for i, s in enumerate(log.sessions):
        check(("sessions", i), f"{s.hours:g} h studied on {s.date.isoformat()}", s.course, s.lesson)
    for i, r in enumerate(log.revisions):
        check(("revisions", i), f"re-allocation of {r.date.isoformat()}", r.course)
    for i, p in enumerate(log.percents):
        check(("percents", i), f"percentage done of {p.date.isoformat()}", p.course)
    return tuple(issues)


def save_log(log: ProgressLog, path: Path | str, *, force: bool = False) -> None:
    """Write atomically (:func:`learnplan.base.atomic.replace_file`): afterwards the file
    holds the whole new log, or, on any failure, what it held before.

    An existing file that does not parse, or that belongs to another plan, is the
    learner's only record: it is never replaced unless ``force=True``.
    """
    path = Path(path)
    if path.exists() and not force:
        existing = load_log(path)  # raises LogError: refuse to overwrite damage
        if existing.plan_id != log.plan_id:
            raise LogError(
                f"{path}: holds progress for plan {existing.plan_id!r}, not {log.plan_id!r}; "
                "not overwriting it"
            )
    text = json.dumps(log_to_json(log), ensure_ascii=False, indent=1) + "\n"
    replace_file(path, text.encode("utf-8"))
