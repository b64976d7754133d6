"""The progress log's JSON form: :func:`log_to_json` and :func:`log_from_json`, which
validates and reads a log (migrating an older version), and the forms of its items, which
the record entries (:mod:`learnplan.progress.entries`) use one by one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from learnplan.progress.log import CostPaid, LessonDone, PercentDone, ProgressLog, Revision, Session
from learnplan.progress.log_fields import (
    LogError,
    check_date,
    check_number,
    check_object,
    check_text,
    check_week,
    kind_of,
)

_T = TypeVar("_T")

#: Version of the dict form written by :func:`log_to_json`.
LOG_VERSION = 1


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
        raise LogError(f"lessons_done: expected an object in a version 0 log, got {kind_of(done)}")
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
        raise LogError(f"a progress log must be a JSON object, got {kind_of(data)}")
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
        raise LogError(f"{key}: expected a list, got {kind_of(items)}", (key,))
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
        check_text(course, f"{where}[0]"),
        check_text(lesson, f"{where}[1]"),
        check_date(date, f"{where}[2]"),
    )


def read_session(item: object, where: str) -> Session:
    obj = check_object(item, where)
    lesson = obj.get("lesson")
    return Session(
        date=check_date(obj.get("date"), f"{where}.date"),
        course=check_text(obj.get("course"), f"{where}.course"),
        hours=check_number(obj.get("hours"), f"{where}.hours", low=0.0),
        lesson=None if lesson is None else check_text(lesson, f"{where}.lesson"),
        note=check_text(obj.get("note", ""), f"{where}.note", empty=True),
    )


def read_cost(item: object, where: str) -> CostPaid:
    obj = check_object(item, where)
    return CostPaid(
        date=check_date(obj.get("date"), f"{where}.date"),
        item=check_text(obj.get("item"), f"{where}.item"),
        amount=check_number(obj.get("amount"), f"{where}.amount"),
    )


def read_revision(item: object, where: str) -> Revision:
    obj = check_object(item, where)
    fte = obj.get("fte")
    return Revision(
        date=check_date(obj.get("date"), f"{where}.date"),
        course=check_text(obj.get("course"), f"{where}.course"),
        reason=check_text(obj.get("reason", ""), f"{where}.reason", empty=True),
        fte=None if fte is None else check_number(fte, f"{where}.fte", low=0.0),
        start_week=check_week(obj.get("start_week"), f"{where}.start_week"),
        end_week=check_week(obj.get("end_week"), f"{where}.end_week"),
    )


def read_percent(item: object, where: str) -> PercentDone:
    obj = check_object(item, where)
    return PercentDone(
        course=check_text(obj.get("course"), f"{where}.course"),
        date=check_date(obj.get("date"), f"{where}.date"),
        percent=check_number(obj.get("percent"), f"{where}.percent", low=0.0, high=100.0),
    )
