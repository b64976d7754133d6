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
  current plan is the adopted plan with the latest ``adopt`` or ``current`` entry.

Everything here is pure: :mod:`learnplan.collection.recordstore` reads and writes the files of a
collection. The format is documented in docs/progress-log.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from learnplan.base.errors import PlanError
from learnplan.model.plan import Plan, plan_from_dict, plan_to_dict
from learnplan.progress.log import (
    CostPaid,
    LessonDone,
    LogError,
    PercentDone,
    ProgressLog,
    Revision,
    Session,
    cost_to_json,
    log_from_json,
    percent_to_json,
    read_cost,
    read_done,
    read_percent,
    read_revision,
    read_session,
    revision_to_json,
    session_to_json,
)

FORMAT = "learnplan-records"
#: Version of the file format written here; a newer file is reported, never guessed at.
VERSION = 1
FILE_PREFIX = "_learnplan-rec-"
#: Exactly 32 hex digits: a plan manifest (``_learnplan-<plan id>-<12 hex>.json``) never
#: matches, whatever its plan id.
FILE_RE = re.compile(r"^_learnplan-rec-[0-9a-f]{32}\.json$")
ID_RE = re.compile(r"^[0-9a-f]{32}$")
#: A record file is a few hundred bytes (an adopted plan some tens of KB); anything far
#: bigger is not ours and is not read into memory.
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_PLAN_ID = 200
_MAX_AT = 2**53  # ms; JSON and JavaScript keep every integer below this exactly

#: Operations about one plan (the entry names it); ``retract`` and ``dismiss`` name none.
PLAN_OPS = (
    "adopt",
    "current",
    "forget",
    "done",
    "undone",
    "session",
    "cost",
    "revision",
    "percent",
    "imported",
)
OPS = (*PLAN_OPS, "retract", "dismiss")

# The config layout used before records moved to media files (read only to move them).
OLD_PLANS_KEY = "learnplan.plans"
OLD_PLAN_PREFIX = "learnplan.plan."
OLD_LOG_PREFIX = "learnplan.log."
OLD_IMPORTED_PREFIX = "learnplan.imported."
_OLD_PLANS_VERSION = 1


def is_old_key(key: str) -> bool:
    """True for a collection config key of the old layout."""
    return key == OLD_PLANS_KEY or key.startswith(
        (OLD_PLAN_PREFIX, OLD_LOG_PREFIX, OLD_IMPORTED_PREFIX)
    )


class RecordError(ValueError):
    """A record file or entry that cannot be read; the message says what and where."""


class NewerRecord(RecordError):
    """A record file written by a newer Learning Plan: kept, reported, not read."""


@dataclass(frozen=True)
class Entry:
    """One recorded change. ``value`` depends on ``op``:

    adopt: :class:`Plan` · current, forget: None · done: :class:`LessonDone` ·
    undone: ``(course, lesson)`` · session: :class:`Session` · cost: :class:`CostPaid` ·
    revision: :class:`Revision` · percent: :class:`PercentDone` · imported: the update
    record (a dict, see :mod:`learnplan.collection.update`) · retract: entry ids · dismiss: the key
    of a reported problem (``file:<name>``) the learner chose to hide.
    """

    id: str
    at: int
    op: str
    plan: str | None
    value: Any = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "at": self.at, "op": self.op}
        if self.plan is not None:
            out["plan"] = self.plan
        data = _data_json(self.op, self.value)
        if data is not None:
            out["data"] = data
        return out


def _compact(value: Any) -> Any:
    # Nulls carry nothing plan_from_dict needs; leaving them out keeps files small.
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def _data_json(op: str, value: Any) -> Any:
    if op == "adopt":
        return _compact(plan_to_dict(value))
    if op in ("current", "forget"):
        return None
    if op == "done":
        return {"course": value.course, "lesson": value.lesson, "date": value.date.isoformat()}
    if op == "undone":
        return {"course": value[0], "lesson": value[1]}
    if op == "session":
        return session_to_json(value)
    if op == "cost":
        return cost_to_json(value)
    if op == "revision":
        return revision_to_json(value)
    if op == "percent":
        return percent_to_json(value)
    if op == "imported":
        return dict(value)
    if op == "retract":
        return {"entries": list(value)}
    if op == "dismiss":
        return {"problem": value}
    raise ValueError(f"unknown record operation {op!r}")


def canonical(data: Any) -> str:
    """The one JSON text of ``data`` used for file contents and content-derived ids.
    Raises ``ValueError`` for NaN or infinity, which JSON cannot hold."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def _no_constant(name: str) -> Any:
    raise RecordError(f"{name} is not a number JSON can hold")


#: What can go wrong turning untrusted JSON into a plan or an entry (besides our own
#: RecordError): a record must never break a reader, whatever it holds.
_BAD_DATA = (PlanError, ValueError, TypeError, KeyError, AttributeError, ArithmeticError)


# --- making entries


class Clock:
    """Entry times in ms, strictly increasing within a process.

    The wall clock can stand still (coarse timers) or step back (NTP); entries written
    one after the other on one device still sort in the order they were made.
    """

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            self._last = max(int(self._now() * 1000), self._last + 1)
            return self._last


CLOCK = Clock()


def new_id() -> str:
    return secrets.token_hex(16)


def make_entry(op: str, plan: str | None, value: Any = None, *, clock: Clock = CLOCK) -> Entry:
    """A new entry, checked as a reader would check it (so nothing unreadable is written)."""
    entry = Entry(id=new_id(), at=clock.next(), op=op, plan=plan, value=value)
    return entry_from_json(json.loads(canonical(entry.to_json())), "new entry")


def copy_entry(entry: Entry, *, clock: Clock = CLOCK) -> Entry:
    """The same change as a new entry (Edit > Redo after a retraction)."""
    return dataclasses.replace(entry, id=new_id(), at=clock.next())


def retract(ids: Sequence[str], *, clock: Clock = CLOCK) -> Entry:
    return make_entry("retract", None, tuple(ids), clock=clock)


# --- reading


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "text", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _obj(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordError(f"{where}: expected an object, got {_kind(value)}")
    return value


def _text(value: object, where: str, limit: int = MAX_PLAN_ID) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise RecordError(f"{where}: expected text (1 to {limit} characters), got {value!r:.80}")
    return value


def _value(op: str, data: object, where: str) -> Any:
    try:
        if op == "adopt":
            try:
                return plan_from_dict(_obj(data, where))
            except RecordError:
                raise
            except (*_BAD_DATA, RecursionError) as exc:
                raise RecordError(f"{where}: not a valid plan: {exc}") from None
        if op in ("current", "forget"):
            return None
        if op == "done":
            obj = _obj(data, where)
            return read_done([obj.get("course"), obj.get("lesson"), obj.get("date")], where)
        if op == "undone":
            obj = _obj(data, where)
            return (
                _text(obj.get("course"), f"{where}.course"),
                _text(obj.get("lesson"), f"{where}.lesson"),
            )
        if op == "session":
            return read_session(data, where)
        if op == "cost":
            return read_cost(data, where)
        if op == "revision":
            return read_revision(data, where)
        if op == "percent":
            return read_percent(data, where)
        if op == "imported":
            return _obj(data, where)
        if op == "retract":
            ids = _obj(data, where).get("entries")
            if not isinstance(ids, list) or not all(
                isinstance(i, str) and ID_RE.match(i) for i in ids
            ):
                raise RecordError(f"{where}.entries: expected a list of entry ids")
            return tuple(ids)
        if op == "dismiss":
            return _text(_obj(data, where).get("problem"), f"{where}.problem", 400)
    except LogError as exc:
        raise RecordError(str(exc)) from None
    raise RecordError(f"{where}.op: unknown operation {op!r}")


def entry_from_json(item: object, where: str) -> Entry:
    """One entry, validated; raises :class:`RecordError` naming the field."""
    obj = _obj(item, where)
    entry_id = obj.get("id")
    if not isinstance(entry_id, str) or not ID_RE.match(entry_id):
        raise RecordError(f"{where}.id: expected 32 hex digits, got {entry_id!r:.80}")
    at = obj.get("at")
    if isinstance(at, bool) or not isinstance(at, int) or not 0 <= at < _MAX_AT:
        raise RecordError(f"{where}.at: expected a time in ms, got {at!r:.80}")
    op = obj.get("op")
    if op not in OPS:
        raise RecordError(f"{where}.op: unknown operation {op!r:.80}")
    plan = obj.get("plan")
    if op in PLAN_OPS:
        plan = _text(plan, f"{where}.plan")
    elif plan is not None:
        raise RecordError(f"{where}.plan: a {op} entry names no plan")
    value = _value(op, obj.get("data"), f"{where}.data")
    if op == "adopt" and value.id != plan:
        raise RecordError(f"{where}.data.id: the plan is '{value.id:.80}', not '{plan:.80}'")
    return Entry(entry_id, at, op, plan, value)


@dataclass(frozen=True)
class RecordFile:
    """The entries of one file, and what was wrong with the ones that could not be read."""

    name: str
    entries: tuple[Entry, ...]
    errors: tuple[str, ...] = ()


def encode_file(entries: Sequence[Entry]) -> bytes:
    data = {"format": FORMAT, "version": VERSION, "entries": [e.to_json() for e in entries]}
    return canonical(data).encode("utf-8")


def content_name(content: bytes) -> str:
    """A file name derived from the content: writing the same records twice is one file."""
    return f"{FILE_PREFIX}{hashlib.sha256(content).hexdigest()[:32]}.json"


def random_name() -> str:
    return f"{FILE_PREFIX}{new_id()}.json"


def decode_file(name: str, content: bytes) -> RecordFile:
    """Read one record file. A file that is not a record file at all raises
    :class:`RecordError` (:class:`NewerRecord` for a newer version); single entries that
    cannot be read are left out and listed in ``errors``."""
    if len(content) > MAX_FILE_BYTES:
        raise RecordError(f"{name}: {len(content)} bytes is too large for a record file")
    try:
        data = json.loads(content.decode("utf-8"), parse_constant=_no_constant)
    except RecordError as exc:
        raise RecordError(f"{name}: not valid JSON ({exc})") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise RecordError(f"{name}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RecordError(f"{name}: not a Learning Plan record file")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise RecordError(f"{name}: version: expected a whole number, got {version!r:.80}")
    if version > VERSION:
        raise NewerRecord(
            f"{name} was written by a newer Learning Plan (record version {version}); "
            "update the add-on or learnplan to see what it holds"
        )
    items = data.get("entries")
    if not isinstance(items, list):
        raise RecordError(f"{name}: entries: expected a list, got {_kind(items)}")
    entries: list[Entry] = []
    errors: list[str] = []
    for i, item in enumerate(items):
        try:
            entries.append(entry_from_json(item, f"entries[{i}]"))
        except RecordError as exc:
            errors.append(str(exc))
        except (*_BAD_DATA, RecursionError) as exc:
            errors.append(f"entries[{i}]: {type(exc).__name__}: {exc}")
    return RecordFile(name, tuple(entries), tuple(errors))


# --- the fold


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
    return kind, canonical(_data_json(kind, value))


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


# --- moving the old config layout


@dataclass(frozen=True)
class Damaged:
    """An old config record that cannot be read: left exactly as it is, and reported."""

    key: str
    raw: Any
    reason: str


@dataclass(frozen=True)
class Migration:
    entries: tuple[Entry, ...] = ()
    #: Keys whose whole content is in ``entries`` (or that hold nothing): safe to remove.
    moved: tuple[str, ...] = ()
    damaged: tuple[Damaged, ...] = ()


def _moved_entry(op: str, plan: str, value: Any, occurrence: int, at: int) -> Entry:
    data = _data_json(op, value)
    digest = hashlib.sha256(
        canonical(["learnplan-moved", op, plan, data, occurrence]).encode("utf-8")
    ).hexdigest()
    return Entry(id=digest[:32], at=at, op=op, plan=plan, value=value)


def _plan_id_ok(plan_id: object) -> bool:
    return isinstance(plan_id, str) and bool(plan_id.strip()) and len(plan_id) <= MAX_PLAN_ID


def _read_old_index(raw: Any) -> tuple[list[str], str | None]:
    if not isinstance(raw, dict):
        raise RecordError("expected an object")
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise RecordError("it has no version number")
    if version > _OLD_PLANS_VERSION:
        raise RecordError(f"it is version {version}, written by a newer Learning Plan")
    ids = raw.get("plans")
    current = raw.get("current")
    if not isinstance(ids, list) or not all(_plan_id_ok(i) for i in ids):
        raise RecordError("'plans' is not a list of plan ids")
    if current is not None and current not in ids:
        raise RecordError("'current' is not one of the plans")
    return ids, current


def migrate_config(values: Mapping[str, Any]) -> Migration:
    """Entries holding what the old config keys held (``values``: key -> stored value).

    Ids come from the content, and times sort before any entry a device writes, so
    moving the same keys again (an older device's config sync can bring them back) adds
    nothing, and a change made since always wins. A key that cannot be read is left and
    reported; so is the plan index while one of its plans is.
    """
    damaged: list[Damaged] = []
    moved: list[str] = []
    made: list[tuple[str, str, Any]] = []  # (op, plan, value) in order

    index: tuple[list[str], str | None] | None = None
    index_ok = False
    if OLD_PLANS_KEY in values:
        raw = values[OLD_PLANS_KEY]
        if raw is None:
            moved.append(OLD_PLANS_KEY)
        else:
            try:
                index = _read_old_index(raw)
                index_ok = True
            except RecordError as exc:
                damaged.append(Damaged(OLD_PLANS_KEY, raw, str(exc)))

    plans: dict[str, Plan] = {}
    bad_plans: set[str] = set()
    for key in sorted(k for k in values if k.startswith(OLD_PLAN_PREFIX)):
        plan_id, raw = key[len(OLD_PLAN_PREFIX) :], values[key]
        if raw is None:  # the old way of dropping a plan
            moved.append(key)
            continue
        if not _plan_id_ok(plan_id):
            damaged.append(Damaged(key, raw, "the key names no usable plan id"))
            continue
        try:
            if not isinstance(raw, dict):
                raise RecordError("expected an object")
            plan = plan_from_dict(raw)
            if plan.id != plan_id:
                raise RecordError(f"it holds plan '{plan.id}', not '{plan_id}'")
        except (*_BAD_DATA, RecursionError) as exc:
            damaged.append(Damaged(key, raw, f"not a valid plan: {exc}"))
            bad_plans.add(plan_id)
            continue
        plans[plan_id] = plan
        moved.append(key)

    listed = index[0] if index is not None else []
    for plan_id in listed:
        if plan_id in plans:
            made.append(("adopt", plan_id, plans[plan_id]))
    for plan_id, plan in plans.items():
        if plan_id in listed:
            continue
        made.append(("adopt", plan_id, plan))
        if index_ok or OLD_PLANS_KEY not in values or values[OLD_PLANS_KEY] is None:
            made.append(("forget", plan_id, None))  # stored but not followed
    if index is not None and index[1] is not None:
        made.append(("current", index[1], None))
    if index_ok and not bad_plans.intersection(listed):
        moved.append(OLD_PLANS_KEY)

    for key in sorted(k for k in values if k.startswith(OLD_LOG_PREFIX)):
        plan_id, raw = key[len(OLD_LOG_PREFIX) :], values[key]
        if raw is None:
            moved.append(key)
            continue
        if not _plan_id_ok(plan_id):
            damaged.append(Damaged(key, raw, "the key names no usable plan id"))
            continue
        try:
            log = log_from_json(raw)
            if log.plan_id != plan_id:
                raise LogError(f"it belongs to plan '{log.plan_id}', not '{plan_id}'")
        except LogError as exc:
            damaged.append(Damaged(key, raw, str(exc)))
            continue
        made += [("done", plan_id, d) for d in log.lessons_done]
        made += [("session", plan_id, s) for s in log.sessions]
        made += [("cost", plan_id, c) for c in log.costs]
        made += [("revision", plan_id, r) for r in log.revisions]
        made += [("percent", plan_id, p) for p in log.percents]
        moved.append(key)

    for key in sorted(k for k in values if k.startswith(OLD_IMPORTED_PREFIX)):
        plan_id, raw = key[len(OLD_IMPORTED_PREFIX) :], values[key]
        if raw is None:
            moved.append(key)
        elif isinstance(raw, dict) and _plan_id_ok(plan_id):
            made.append(("imported", plan_id, raw))
            moved.append(key)
        else:
            damaged.append(Damaged(key, raw, "expected an object"))

    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for at, (op, plan_id, value) in enumerate(made, start=1):
        # Two equal sessions on one day are two sessions: the occurrence tells them apart.
        content = canonical([op, plan_id, _data_json(op, value)])
        occurrence = seen.get(content, 0)
        seen[content] = occurrence + 1
        entries.append(_moved_entry(op, plan_id, value, occurrence, at))
    return Migration(tuple(entries), tuple(moved), tuple(damaged))
