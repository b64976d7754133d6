"""The progress log as a file (``learnplan report --log``): read against its plan, and
written atomically; and the check that a log's entries name courses and lessons its plan
has (:func:`unknown_references`), for a file and for a collection's records alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from learnplan.base.atomic import replace_file
from learnplan.base.errors import PlanError, Problem
from learnplan.base.jsonlines import Location, json_lines
from learnplan.model.plan import Course, Plan
from learnplan.progress.log import ProgressLog
from learnplan.progress.log_fields import LogError
from learnplan.progress.log_json import log_from_json, log_to_json


class LogFileError(PlanError, LogError):
    """A progress log file that cannot be used, as ``path:line: message`` lines (the line
    of the entry at fault in the file's JSON; 0 when the whole file is)."""


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
