"""The learner's records for the panel: each change one named undo step.

The records themselves are entries in record files of the media folder, which Anki's
sync unites across devices (:mod:`learnplan.progress.entries`,
:mod:`learnplan.collection.recordstore`).
This layer gives every change the name Edit > Undo shows ("Undo Mark Lesson Done") and
puts what it wrote in the undo journal (:mod:`.undo`), and it exports or sets aside a
record that cannot be read: such a record is never overwritten or deleted by an
ordinary change, and the learner can export exactly what is stored before starting fresh.

No Qt here: the panel calls these inside ``CollectionOp``/``QueryOp``, tests call them
on a plain ``anki.collection.Collection``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from learnplan.base.atomic import replace_file
from learnplan.collection import recordstore
from learnplan.model.plan import Plan
from learnplan.progress.entries import FILE_RE
from learnplan.progress.log import ProgressLog
from learnplan.progress.migration import OLD_PLAN_PREFIX, is_old_key

from . import undo

if TYPE_CHECKING:
    from anki.collection import Collection, OpChanges


@dataclass(frozen=True)
class Adopted:
    """Which plans this collection follows, and which one the panel shows."""

    plan_ids: tuple[str, ...] = ()
    current: str | None = None


def read(col: Collection) -> recordstore.Stored:
    return recordstore.read(col)


def read_adopted(col: Collection) -> Adopted:
    records = recordstore.read(col).records
    return Adopted(plan_ids=tuple(p.id for p in records.plans), current=records.current)


def read_plan(col: Collection, plan_id: str) -> Plan | None:
    return recordstore.read(col).records.plan(plan_id)


def read_log(col: Collection, plan_id: str) -> ProgressLog:
    """The plan's log; an empty one if nothing was recorded yet."""
    return recordstore.read(col).records.log(plan_id)


def adopt_plan(col: Collection, plan: Plan, *, action: str = "Adopt Learning Plan") -> OpChanges:
    """Follow ``plan`` (or store its new version) and make it current; progress is kept."""
    return undo.step(col, action, lambda: recordstore.adopt(col, plan))


def set_current(col: Collection, plan_id: str) -> OpChanges:
    return undo.step(col, "Switch Learning Plan", lambda: recordstore.set_current(col, plan_id))


def update_log(
    col: Collection,
    plan_id: str,
    change: Callable[[ProgressLog], ProgressLog],
    action: str,
) -> OpChanges:
    """Record ``change`` to the plan's progress log as one undo step named ``action``."""
    return undo.step(col, action, lambda: recordstore.change_log(col, plan_id, change))


def upkeep_needed(col: Collection, stored: recordstore.Stored | None = None) -> bool:
    """Whether :func:`upkeep` has work: records still in the old config layout, or a deck
    summary that no longer fits the records (``stored``: what was read, if at hand)."""
    if stored is None:
        stored = recordstore.read(col)
    return bool(stored.movable) or bool(recordstore.stale_summaries(col, stored))


def upkeep(col: Collection) -> OpChanges:
    """Move records still in the old config layout, and bring deck summaries up to date
    (after a sync, or when the records changed elsewhere): one undo step, or nothing at
    all when nothing needs it."""
    stored = recordstore.read(col)
    if not upkeep_needed(col, stored):
        from anki.collection import OpChanges

        return OpChanges()
    counter = col.add_custom_undo_entry("Update Learning Plan Summary")
    recordstore.move_old_config(col)
    # Moving changes no record: what was read still holds (one synchronous op).
    recordstore.refresh_summaries(col, stored=stored)
    return col.merge_undo_entries(counter)


# --- records that cannot be read


def raw_record(col: Collection, key: str) -> bytes:
    """Exactly what is stored for a reported problem's ``key`` (see recordstore.Problem)."""
    kind, _, name = key.partition(":")
    if kind in ("file", "aside"):
        if not FILE_RE.match(name):
            raise ValueError(f"'{name}' is not a Learning Plan record file")
        return (recordstore.media_folder(col) / name).read_bytes()
    if kind == "config":
        value = col.get_config(name, None)
        text = json.dumps({"key": name, "value": value}, indent=2, ensure_ascii=False)
        return (text + "\n").encode("utf-8")
    if kind == "plan":
        stored = recordstore.read(col)
        entry = stored.records.adopted_by.get(name)
        file = stored.files.get(entry) if entry else None
        if file is None:  # not in a file yet: still in the old config layout
            return raw_record(col, f"config:{OLD_PLAN_PREFIX}{name}")
        return raw_record(col, f"file:{file}")
    raise ValueError(f"'{key}' is not a Learning Plan record")


def export_name(key: str) -> str:
    """A file name to offer for an export of ``key`` (no ':' or '/' in it)."""
    kind, _, name = key.partition(":")
    stem = name.removesuffix(".json") if kind in ("file", "aside") else key
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") + ".json"


def export_record(col: Collection, key: str, path: str | os.PathLike[str]) -> Path:
    """Save exactly what is stored for ``key`` (atomically; the record is untouched)."""
    return replace_file(path, raw_record(col, key))


def start_fresh(col: Collection, key: str) -> OpChanges:
    """Set an unreadable record aside, as an undoable step: an old config key is removed
    (after the learner was offered to export it), a record file is hidden (it stays in
    the media folder), a plan that cannot be shown is no longer followed."""
    kind, _, name = key.partition(":")
    if kind == "config" and is_old_key(name):
        counter = col.add_custom_undo_entry("Start Fresh")
        col.remove_config(name)
        return col.merge_undo_entries(counter)
    if kind == "file":
        return undo.step(col, "Start Fresh", lambda: recordstore.dismiss(col, key))
    if kind == "plan":
        return undo.step(col, "Start Fresh", lambda: recordstore.forget(col, name))
    if kind == "aside":
        return undo.step(col, "Apply Record", lambda: recordstore.release(col, name))
    raise ValueError(f"'{key}' is not a Learning Plan record")


def keep_aside(col: Collection, key: str) -> OpChanges:
    """Stop reporting a record file that was set aside (it stays set aside and in the
    media folder)."""
    if not key.startswith("aside:"):
        raise ValueError(f"'{key}' is not a record file that was set aside")
    return undo.step(col, "Keep Record Aside", lambda: recordstore.dismiss(col, key))


def fix_label(key: str) -> str:
    """What the panel's button for a problem says."""
    kind = key.partition(":")[0]
    return {"file": "Hide it", "plan": "Stop following it", "aside": "Apply it"}.get(
        kind, "Start fresh"
    )


__all__ = [
    "Adopted",
    "adopt_plan",
    "export_name",
    "export_record",
    "fix_label",
    "keep_aside",
    "raw_record",
    "read",
    "read_adopted",
    "read_log",
    "read_plan",
    "set_current",
    "start_fresh",
    "update_log",
    "upkeep",
    "upkeep_needed",
]
