"""Record entries and record files: the format of what the learner's records are made of.

Each change the learner makes is an immutable :class:`Entry` (``op``, the plan it is
about, its ``value``, a time ``at`` in ms and a random 128-bit id), written once in a
record file of the collection's media folder (``_learnplan-rec-<32 hex>.json``) and never
changed. Reading is strict and never raises on untrusted data beyond
:class:`RecordError`: a file that is not ours is refused whole, a single bad entry is left
out and named. What the entries add up to is :mod:`learnplan.progress.records`; the format
is documented in docs/progress-log.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from learnplan.base.errors import PlanError
from learnplan.model.dictform import plan_from_dict
from learnplan.model.plan import plan_to_dict
from learnplan.progress.log_fields import LogError, check_object, kind_of
from learnplan.progress.log_json import (
    cost_to_json,
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

#: Operations about one plan (the entry names it); ``retract``, ``dismiss`` and
#: ``set_aside`` name none.
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
OPS = (*PLAN_OPS, "retract", "dismiss", "set_aside")


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
    of a reported problem (``file:<name>``) the learner chose to hide · set_aside: the
    name of a record file whose entries must not count (it came with an imported deck).
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
        data = data_json(self.op, self.value)
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


def data_json(op: str, value: Any) -> Any:
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
    if op == "set_aside":
        return {"file": value}
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
BAD_DATA = (PlanError, ValueError, TypeError, KeyError, AttributeError, ArithmeticError)


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


def _obj(value: object, where: str) -> dict[str, Any]:
    return check_object(value, where, RecordError)


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
            except (*BAD_DATA, RecursionError) as exc:
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
        if op == "set_aside":
            name = _obj(data, where).get("file")
            if not isinstance(name, str) or not FILE_RE.match(name):
                raise RecordError(f"{where}.file: expected a record file name, got {name!r:.80}")
            return name
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
        raise RecordError(f"{name}: entries: expected a list, got {kind_of(items)}")
    entries: list[Entry] = []
    errors: list[str] = []
    for i, item in enumerate(items):
        try:
            entries.append(entry_from_json(item, f"entries[{i}]"))
        except RecordError as exc:
            errors.append(str(exc))
        except (*BAD_DATA, RecursionError) as exc:
            errors.append(f"entries[{i}]: {type(exc).__name__}: {exc}")
    return RecordFile(name, tuple(entries), tuple(errors))
