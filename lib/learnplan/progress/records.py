"""The learner's records in a collection: immutable entries that every device unites.

Anki syncs collection config as a whole (the side that changed last replaces the other's)
but media files one file at a time, adding what either side lacks. So the records live in
the media folder, one file per change, each file written once and never changed or
deleted (``_learnplan-rec-<128-bit hex>.json``; the ``_`` keeps Anki's Check Media from
calling it unused). Whatever order devices sync in, every device ends with the same set
of files, and the state is a deterministic fold of the entries in them:

- entries are sorted by ``(at, id)``: ``at`` is the writer's clock in ms (UTC), ``id`` a
  random 128-bit hex string (or, for entries moved from the old config layout, one
  derived from their content, so that moving the same record twice adds nothing);
- a ``retract`` entry takes back other entries wherever they are; retraction is final
  (Edit > Redo writes new entries instead);
- the latest ``done``/``undone`` of a lesson wins; ticking an already ticked lesson keeps
  the date of the first tick (as :func:`learnplan.progress.log.mark_lesson_done` does);
- sessions, costs and re-allocations are collected; the latest percentage of a course
  on a day wins; the latest update record of a plan wins;
- a plan is adopted by ``adopt`` and dropped by ``forget`` (the later one wins); the
  current plan is the adopted plan with the latest ``adopt`` or ``current`` entry;
- a ``set_aside`` entry (not retracted) keeps every entry of the file it names out of the
  fold: a deck someone shared can carry record files (Anki copies ``_`` media from a
  package), and the add-on sets aside those that arrive with an import.

Everything here is pure: the entries and their files are :mod:`learnplan.progress.entries`;
:mod:`learnplan.collection.recordstore` reads and writes the files of a collection. The
format is documented in docs/progress-log.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from learnplan.model.plan import Plan
from learnplan.progress.entries import (
    CLOCK,
    Clock,
    Entry,
    canonical,
    data_json,
    make_entry,
    retract,
)
from learnplan.progress.log import CostPaid, LessonDone, PercentDone, ProgressLog, Revision, Session

# --- the fold


@dataclass(frozen=True)
class Counted:
    """The entries that count, and the record files set aside (name -> the id of the
    ``set_aside`` entry, which a ``retract`` takes back to apply the file after all)."""

    entries: tuple[Entry, ...]
    set_aside: Mapping[str, str]


def counted_entries(files: Mapping[str, Sequence[Entry]]) -> Counted:
    """Drop the entries of the files that ``set_aside`` entries name (``files``: record
    file name -> its entries). A set-aside file cannot release itself: releasing takes the
    ``set_aside`` entry's random id, which only the learner's own devices hold."""
    every = [e for entries in files.values() for e in entries]
    retracted = {i for e in every if e.op == "retract" for i in e.value}
    aside: dict[str, str] = {}
    for entry in sorted(unique(every), key=lambda e: (e.at, e.id)):
        if entry.op == "set_aside" and entry.id not in retracted:
            aside.setdefault(entry.value, entry.id)
    kept = tuple(e for name, entries in files.items() if name not in aside for e in entries)
    return Counted(kept, aside)


_Key = tuple[str, str]  # (kind, canonical JSON of the item): which entries made an item


@dataclass(frozen=True)
class Records:
    """The state the entries add up to (the same on every device holding the same set)."""

    plans: tuple[Plan, ...] = ()  # adopted, in the order they were first adopted
    current: str | None = None
    logs: Mapping[str, ProgressLog] = field(default_factory=dict)
    imported: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    dismissed: frozenset[str] = frozenset()
    adopted_by: Mapping[str, str] = field(default_factory=dict)  # plan id -> adopt entry id
    #: plan id -> (kind, item) -> ids of the entries in force that recorded that item
    sources: Mapping[str, Mapping[_Key, tuple[str, ...]]] = field(default_factory=dict)

    def plan(self, plan_id: str) -> Plan | None:
        return next((p for p in self.plans if p.id == plan_id), None)

    @property
    def current_plan(self) -> Plan | None:
        return None if self.current is None else self.plan(self.current)

    def log(self, plan_id: str) -> ProgressLog:
        return self.logs.get(plan_id) or ProgressLog(plan_id=plan_id)


def _item_key(kind: str, value: Any) -> _Key:
    return kind, canonical(data_json(kind, value))


def unique(entries: Iterable[Entry]) -> list[Entry]:
    """One entry per id. Two different entries with one id (only content-derived ids of
    moved records can meet) resolve to the same one on every device."""
    by_id: dict[str, Entry] = {}
    for entry in entries:
        seen = by_id.get(entry.id)
        if seen is None or (seen != entry and _order(entry) < _order(seen)):
            by_id[entry.id] = entry
    return list(by_id.values())


def _order(entry: Entry) -> str:
    return canonical(entry.to_json())


class _PlanFold:
    def __init__(self, plan_id: str) -> None:
        self.plan_id = plan_id
        self.done: dict[tuple[str, str], LessonDone] = {}
        self.sessions: list[Session] = []
        self.costs: list[CostPaid] = []
        self.revisions: list[Revision] = []
        self.percents: dict[tuple[str, dt.date], PercentDone] = {}
        self.sources: dict[_Key, list[str]] = {}

    def add(self, entry: Entry) -> None:
        op, value = entry.op, entry.value
        if op == "done":
            key = (value.course, value.lesson)
            if key not in self.done:  # a second tick keeps the day it was first ticked
                self.done[key] = value
        elif op == "undone":
            self.done.pop(value, None)
        elif op == "session":
            self.sessions.append(value)
        elif op == "cost":
            self.costs.append(value)
        elif op == "revision":
            self.revisions.append(value)
        elif op == "percent":
            # the latest for a course and day replaces the earlier (log.set_percent)
            self.percents.pop((value.course, value.date), None)
            self.percents[(value.course, value.date)] = value
        else:
            return
        if op in ("session", "cost", "revision", "percent"):
            self.sources.setdefault(_item_key(op, value), []).append(entry.id)

    def log(self) -> ProgressLog:
        return ProgressLog(
            plan_id=self.plan_id,
            lessons_done=tuple(self.done.values()),
            sessions=tuple(self.sessions),
            costs=tuple(self.costs),
            revisions=tuple(self.revisions),
            percents=tuple(self.percents.values()),
        )


def fold(entries: Iterable[Entry]) -> Records:
    """The state of a set of entries: order-independent, duplicates counted once."""
    ordered = sorted(unique(entries), key=lambda e: (e.at, e.id))
    retracted = {i for e in ordered if e.op == "retract" for i in e.value}
    adopted: dict[str, tuple[Plan, str]] = {}
    first_adopted: dict[str, tuple[int, str]] = {}
    chosen: dict[str, tuple[int, str]] = {}  # plan id -> its latest adopt/current entry
    folds: dict[str, _PlanFold] = {}
    imported: dict[str, Mapping[str, Any]] = {}
    dismissed: set[str] = set()
    for entry in ordered:
        if entry.op == "retract" or entry.id in retracted:
            continue  # a retraction is final, so retract entries are never retracted
        if entry.op == "dismiss":
            dismissed.add(entry.value)
            continue
        if entry.op == "set_aside":
            continue  # acts on whole files, before the fold: see counted_entries
        plan_id = entry.plan
        assert plan_id is not None  # entry_from_json requires it for plan operations
        if entry.op == "adopt":
            adopted[plan_id] = (entry.value, entry.id)
            first_adopted.setdefault(plan_id, (entry.at, entry.id))
            chosen[plan_id] = (entry.at, entry.id)
        elif entry.op == "forget":
            adopted.pop(plan_id, None)
        elif entry.op == "current":
            chosen[plan_id] = (entry.at, entry.id)
        elif entry.op == "imported":
            imported[plan_id] = entry.value
        else:
            if plan_id not in folds:
                folds[plan_id] = _PlanFold(plan_id)
            folds[plan_id].add(entry)
    order = sorted(adopted, key=lambda pid: first_adopted[pid])
    current = max(order, key=lambda pid: chosen[pid], default=None)
    return Records(
        plans=tuple(adopted[pid][0] for pid in order),
        current=current,
        logs={pid: f.log() for pid, f in folds.items()},
        imported=imported,
        dismissed=frozenset(dismissed),
        adopted_by={pid: adopted[pid][1] for pid in order},
        sources={
            pid: {key: tuple(ids) for key, ids in f.sources.items()} for pid, f in folds.items()
        },
    )


# --- a change to a log, as entries


def log_entries(
    records: Records, plan_id: str, new: ProgressLog, *, clock: Clock = CLOCK
) -> list[Entry]:
    """The entries that turn ``records.log(plan_id)`` into ``new``.

    Ticks and unticks become ``done``/``undone`` entries; added sessions, costs,
    re-allocations and percentages become entries of their own; removed ones are
    retracted (the entries that recorded them, latest first). Applied on another device
    together with its own entries, the result is the union of both changes.
    """
    if new.plan_id != plan_id:
        raise ValueError(f"log for plan '{new.plan_id}' cannot be stored as '{plan_id}'")
    old = records.log(plan_id)
    out: list[Entry] = []
    before = {(d.course, d.lesson): d for d in old.lessons_done}
    after = {(d.course, d.lesson): d for d in new.lessons_done}
    for key, done in before.items():
        if after.get(key) != done:
            out.append(make_entry("undone", plan_id, key, clock=clock))
    for key, done in after.items():
        if before.get(key) != done:
            out.append(make_entry("done", plan_id, done, clock=clock))
    sources = records.sources.get(plan_id, {})
    taken: list[str] = []
    lists: tuple[tuple[str, Sequence[object], Sequence[object]], ...] = (
        ("session", old.sessions, new.sessions),
        ("cost", old.costs, new.costs),
        ("revision", old.revisions, new.revisions),
        ("percent", old.percents, new.percents),
    )
    for kind, old_items, new_items in lists:
        remaining = list(old_items)
        for item in new_items:
            if item in remaining:
                remaining.remove(item)
            else:
                out.append(make_entry(kind, plan_id, item, clock=clock))
        for gone in remaining:  # removed: take back the entry that recorded it
            ids = [i for i in sources.get(_item_key(kind, gone), ()) if i not in taken]
            if ids:
                taken.append(ids[-1])
    if taken:
        out.append(retract(taken, clock=clock))
    return out
