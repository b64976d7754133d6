"""The learner's progress, kept in the collection config so it is backed up and synced.

Keys are small and per plan (the config is sent on every sync):

- ``learnplan.plans``: ``{"version": 1, "plans": [plan ids], "current": plan id}``
- ``learnplan.plan.<plan id>``: the adopted plan (``learnplan.plan_to_dict`` form)
- ``learnplan.log.<plan id>``: the progress log (``learnplan.log.log_to_json`` form)

Every write is one undo step with a name the learner recognises ("Undo Mark Lesson
Done"). A record that cannot be read (damaged, or written by a newer version) raises
:class:`DamagedRecord` and is never overwritten by an ordinary write: the learner
exports it first (:func:`export_record`) and then chooses :func:`start_fresh`, which is
itself undoable.

No Qt here: the panel calls these inside ``CollectionOp``/``QueryOp``, tests call them
on a plain ``anki.collection.Collection``.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from learnplan.log import LogError, ProgressLog, log_from_json, log_to_json
from learnplan.plan import Plan, plan_from_dict, plan_to_dict

if TYPE_CHECKING:
    from anki.collection import Collection, OpChanges

PLANS_KEY = "learnplan.plans"
PLANS_VERSION = 1


def plan_key(plan_id: str) -> str:
    return f"learnplan.plan.{plan_id}"


def log_key(plan_id: str) -> str:
    return f"learnplan.log.{plan_id}"


class DamagedRecord(Exception):
    """A stored record that cannot be read; ``raw`` is exactly what was stored."""

    def __init__(self, key: str, raw: object, reason: str) -> None:
        self.key = key
        self.raw = raw
        self.reason = reason
        super().__init__(
            f"The Learning Plan record '{key}' in this collection could not be read: "
            f"{reason}. It has not been changed. Export it to a file to keep it, "
            f"then start fresh."
        )


@dataclass(frozen=True)
class Adopted:
    """Which plans this collection follows, and which one the panel shows."""

    plan_ids: tuple[str, ...] = ()
    current: str | None = None


def read_adopted(col: Collection) -> Adopted:
    raw = col.get_config(PLANS_KEY, None)
    if raw is None:
        return Adopted()
    if not isinstance(raw, dict):
        raise DamagedRecord(PLANS_KEY, raw, "expected an object")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise DamagedRecord(PLANS_KEY, raw, "it has no version number")
    if version > PLANS_VERSION:
        raise DamagedRecord(
            PLANS_KEY, raw, f"it is version {version}, written by a newer Learning Plan"
        )
    ids = raw.get("plans")
    current = raw.get("current")
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        raise DamagedRecord(PLANS_KEY, raw, "'plans' is not a list of plan ids")
    if current is not None and current not in ids:
        raise DamagedRecord(PLANS_KEY, raw, "'current' is not one of the plans")
    return Adopted(plan_ids=tuple(ids), current=current)


def read_plan(col: Collection, plan_id: str) -> Plan | None:
    key = plan_key(plan_id)
    raw = col.get_config(key, None)
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise DamagedRecord(key, raw, "expected an object")
    try:
        return plan_from_dict(raw)
    except ValueError as exc:
        raise DamagedRecord(key, raw, str(exc)) from exc


def read_log(col: Collection, plan_id: str) -> ProgressLog:
    """The plan's log; an empty one if nothing was recorded yet."""
    key = log_key(plan_id)
    raw = col.get_config(key, None)
    if raw is None:
        return ProgressLog(plan_id=plan_id)
    try:
        log = log_from_json(raw)
    except LogError as exc:
        raise DamagedRecord(key, raw, str(exc)) from exc
    if log.plan_id != plan_id:
        raise DamagedRecord(key, raw, f"it belongs to plan '{log.plan_id}', not '{plan_id}'")
    return log


def _undoable(col: Collection, action: str, writes: Callable[[], object]) -> OpChanges:
    # One named undo step, however many keys change: Edit > Undo then says
    # "Undo <action>" and restores all of them together.
    step = col.add_custom_undo_entry(action)
    writes()
    return col.merge_undo_entries(step)


def _compact(value: Any) -> Any:
    # The config syncs on every sync; nulls carry nothing plan_from_dict needs.
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def adopt_plan(col: Collection, plan: Plan, *, action: str = "Adopt Learning Plan") -> OpChanges:
    """Store (or replace) the plan and make it current; the log is kept as it is."""
    adopted = read_adopted(col)
    # Refuse before writing anything if the existing log is unreadable: adopting must
    # not look like it worked while the progress is inaccessible.
    read_log(col, plan.id)
    ids = adopted.plan_ids if plan.id in adopted.plan_ids else (*adopted.plan_ids, plan.id)

    def writes() -> None:
        col.set_config(plan_key(plan.id), _compact(plan_to_dict(plan)), undoable=True)
        col.set_config(
            PLANS_KEY,
            {"version": PLANS_VERSION, "plans": list(ids), "current": plan.id},
            undoable=True,
        )

    return _undoable(col, action, writes)


def set_current(col: Collection, plan_id: str) -> OpChanges:
    adopted = read_adopted(col)
    if plan_id not in adopted.plan_ids:
        raise ValueError(f"plan '{plan_id}' is not adopted in this collection")
    value = {"version": PLANS_VERSION, "plans": list(adopted.plan_ids), "current": plan_id}
    return _undoable(
        col, "Switch Learning Plan", lambda: col.set_config(PLANS_KEY, value, undoable=True)
    )


def update_log(
    col: Collection,
    plan_id: str,
    change: Callable[[ProgressLog], ProgressLog],
    action: str,
) -> OpChanges:
    """Apply ``change`` to the stored log as one undo step named ``action``.

    Raises :class:`DamagedRecord` (and writes nothing) if the stored log is unreadable.
    """
    new = change(read_log(col, plan_id))
    if new.plan_id != plan_id:
        raise ValueError(f"log for plan '{new.plan_id}' cannot be stored as '{plan_id}'")
    data = log_to_json(new)
    return _undoable(col, action, lambda: col.set_config(log_key(plan_id), data, undoable=True))


def raw_record(col: Collection, key: str) -> Any:
    return col.get_config(key, None)


def export_record(col: Collection, key: str, path: str | os.PathLike[str]) -> Path:
    """Save exactly what is stored under ``key`` as JSON (atomic; the record is untouched)."""
    target = Path(path)
    text = json.dumps({"key": key, "value": raw_record(col, key)}, indent=2, ensure_ascii=False)
    fd, tmp = tempfile.mkstemp(prefix=".learnplan-", suffix=".json", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text + "\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def start_fresh(col: Collection, key: str) -> OpChanges:
    """Replace an unreadable record with an empty one, as an undoable step."""
    if key == PLANS_KEY:
        value: Any = {"version": PLANS_VERSION, "plans": [], "current": None}
    elif key.startswith("learnplan.log."):
        value = log_to_json(ProgressLog(plan_id=key.removeprefix("learnplan.log.")))
    elif key.startswith("learnplan.plan."):
        # The plan comes back from its package's manifest; only the adoption is dropped.
        plan_id = key.removeprefix("learnplan.plan.")
        return _undoable(col, "Start Fresh", lambda: _forget_plan(col, plan_id))
    else:
        raise ValueError(f"'{key}' is not a Learning Plan record")
    return _undoable(col, "Start Fresh", lambda: col.set_config(key, value, undoable=True))


def _forget_plan(col: Collection, plan_id: str) -> None:
    # Null reads back as "not adopted"; remove_config would not be undoable.
    col.set_config(plan_key(plan_id), None, undoable=True)
    try:
        adopted = read_adopted(col)
    except DamagedRecord:
        return
    ids = [i for i in adopted.plan_ids if i != plan_id]
    current = adopted.current if adopted.current in ids else (ids[0] if ids else None)
    col.set_config(
        PLANS_KEY, {"version": PLANS_VERSION, "plans": ids, "current": current}, undoable=True
    )
