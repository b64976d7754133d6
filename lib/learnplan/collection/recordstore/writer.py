"""Writing a collection's records: each change is a new record file in the media folder
(:func:`write`, never replacing one), collected by :func:`capture` for Edit > Undo; the
changes the add-on and the CLI make (:func:`adopt`, :func:`change_log`, …), each bringing
the plan's deck summary up to date; and the one-time move of the old config records."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from learnplan.collection.recordstore.reader import media_folder, old_config, read, record_names
from learnplan.collection.recordstore.summaries import refresh_summaries
from learnplan.model.plan import Plan
from learnplan.progress.entries import (
    CLOCK,
    Clock,
    Entry,
    RecordError,
    content_name,
    decode_file,
    encode_file,
    make_entry,
    random_name,
    retract,
)
from learnplan.progress.log import ProgressLog
from learnplan.progress.migration import Migration, migrate_config
from learnplan.progress.records import log_entries

#: The name of the undo step that moves the old config records (the add-on shows it).
MOVE_UNDO_NAME = "Move Learning Plan Records"

#: this thread's :func:`capture` lists
_local = threading.local()
#: media folder -> the record files this process wrote there (never "came with an import")
_written_here: dict[str, set[str]] = {}
_written_lock = threading.Lock()


@contextlib.contextmanager
def capture() -> Iterator[list[Entry]]:
    """Collect the entries :func:`write` adds in this thread inside the ``with``."""
    stack: list[list[Entry]] = getattr(_local, "stack", None) or []
    _local.stack = stack
    written: list[Entry] = []
    stack.append(written)
    try:
        yield written
    finally:
        stack.remove(written)


def write(col: Any, entries: Sequence[Entry], *, name: str | None = None) -> str | None:
    """Add one record file holding ``entries``; returns its name (None: nothing to write).

    The file is checked by reading it back before it is written, and never replaces a
    file: Anki's media API gives an existing name with other content another name, in
    which case the new file is removed again and written under a fresh random name.
    """
    if not entries:
        return None
    content = encode_file(entries)
    check = decode_file("a new record file", content)
    if check.errors or len(check.entries) != len(entries):
        raise RecordError(f"refusing to write an unreadable record: {check.errors}")
    wanted = name or random_name()
    for _ in range(3):
        stored = str(col.media.write_data(wanted, content))
        if stored == wanted:
            break
        col.media.trash_files([stored])  # our own copy under a name we would not read
        wanted = random_name()
    else:
        raise RecordError("could not add a record file to the media folder")
    for written in getattr(_local, "stack", None) or []:
        written.extend(entries)
    with _written_lock:
        _written_here.setdefault(str(media_folder(col)), set()).add(stored)
    return stored


def arrived_since(col: Any, known: Iterable[str]) -> list[str]:
    """The record files in the media folder that are not in ``known`` and that this
    process did not write: after an import, the files the imported package carried."""
    with _written_lock:
        ours = set(_written_here.get(str(media_folder(col)), ()))
    seen = set(known)
    return [n for n in record_names(media_folder(col)) if n not in seen and n not in ours]


def set_aside(col: Any, names: Sequence[str], *, clock: Clock = CLOCK) -> list[Entry]:
    """Keep the entries of the record files ``names`` out of the records (they stay in
    the media folder; :func:`release` applies one after all)."""
    entries = [make_entry("set_aside", None, name, clock=clock) for name in names]
    write(col, entries)
    return entries


def release(col: Any, name: str, *, clock: Clock = CLOCK) -> list[Entry]:
    """Apply a record file that was set aside (the learner says it is theirs)."""
    entry_id = read(col).set_aside.get(name)
    if entry_id is None:
        raise ValueError(f"the record file {name} is not set aside")
    entries = [retract([entry_id], clock=clock)]
    write(col, entries)
    return entries


def move_old_config(col: Any) -> Migration:
    """Move the records kept in the old config layout into one record file, then remove
    the keys that are fully moved (as one undo step). Damaged keys stay as they are.

    Idempotent: the file's name and entry ids come from the content, so keys that an
    older device's config sync brings back are moved again without duplicating anything.
    The moved entries are written outside any :func:`capture` (an undone change must
    not take them back).
    """
    migration = migrate_config(old_config(col))
    if not migration.moved:
        return migration
    step = col.add_custom_undo_entry(MOVE_UNDO_NAME)
    if migration.entries:
        content = encode_file(migration.entries)
        stack = getattr(_local, "stack", None)
        _local.stack = []
        try:
            write(col, migration.entries, name=content_name(content))
        finally:
            _local.stack = stack
    for key in migration.moved:
        col.remove_config(key)
    col.merge_undo_entries(step)
    return migration


def _write_and_summarise(col: Any, entries: Sequence[Entry], plan_id: str | None) -> None:
    write(col, entries)
    if plan_id is not None:
        refresh_summaries(col, only=plan_id, force=True)


def adopt(col: Any, plan: Plan, *, clock: Clock = CLOCK) -> list[Entry]:
    """Follow ``plan`` (or store a new version of it) and make it the current plan."""
    move_old_config(col)
    entries = [make_entry("adopt", plan.id, plan, clock=clock)]
    _write_and_summarise(col, entries, plan.id)
    return entries


def set_current(col: Any, plan_id: str, *, clock: Clock = CLOCK) -> list[Entry]:
    move_old_config(col)
    if read(col).records.plan(plan_id) is None:
        raise ValueError(f"plan '{plan_id}' is not adopted in this collection")
    entries = [make_entry("current", plan_id, clock=clock)]
    write(col, entries)
    return entries


def forget(col: Any, plan_id: str, *, clock: Clock = CLOCK) -> list[Entry]:
    """Stop following a plan; its progress entries stay (adopting it again shows them)."""
    move_old_config(col)
    entries = [make_entry("forget", plan_id, clock=clock)]
    write(col, entries)
    return entries


def dismiss(col: Any, problem_key: str, *, clock: Clock = CLOCK) -> list[Entry]:
    """Hide a reported record file (it stays in the media folder, untouched)."""
    entries = [make_entry("dismiss", None, problem_key, clock=clock)]
    write(col, entries)
    return entries


def change_log(
    col: Any,
    plan_id: str,
    change: Callable[[ProgressLog], ProgressLog],
    *,
    clock: Clock = CLOCK,
) -> list[Entry]:
    """Record ``change`` of the plan's progress log as entries (none if nothing changed)
    and bring the plan's deck summary up to date."""
    move_old_config(col)
    records = read(col).records
    entries = log_entries(records, plan_id, change(records.log(plan_id)), clock=clock)
    if entries:
        _write_and_summarise(col, entries, plan_id)
    return entries


def imported_record(col: Any, plan_id: str) -> dict[str, Any]:
    """The update record of a plan (:mod:`learnplan.collection.update`), or an empty dict."""
    return dict(read(col).records.imported.get(plan_id, {}))


def record_import(col: Any, plan_id: str, record: dict[str, Any], *, clock: Clock = CLOCK) -> None:
    move_old_config(col)
    write(col, [make_entry("imported", plan_id, record, clock=clock)])
