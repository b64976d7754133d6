"""Moving the learner's records out of the config layout used before record files.

Before records moved to media files (:mod:`learnplan.progress.entries`), the add-on kept
them in collection config keys (``learnplan.plans``, ``learnplan.plan.<id>``,
``learnplan.log.<id>``, ``learnplan.imported.<id>``). :func:`migrate_config` turns what
those keys hold into entries; :mod:`learnplan.collection.recordstore` writes them and
removes the keys. Pure: nothing here touches a collection.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from learnplan.model.dictform import plan_from_dict
from learnplan.model.plan import Plan
from learnplan.progress.entries import (
    BAD_DATA,
    MAX_PLAN_ID,
    Entry,
    RecordError,
    canonical,
    data_json,
)
from learnplan.progress.log_fields import LogError
from learnplan.progress.log_json import log_from_json

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
    data = data_json(op, value)
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
        except (*BAD_DATA, RecursionError) as exc:
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
        content = canonical([op, plan_id, data_json(op, value)])
        occurrence = seen.get(content, 0)
        seen[content] = occurrence + 1
        entries.append(_moved_entry(op, plan_id, value, occurrence, at))
    return Migration(tuple(entries), tuple(moved), tuple(damaged))
