"""The learner's records in a collection: the record files, the old config, the summary.

:mod:`learnplan.progress.entries` defines the entries, :mod:`learnplan.progress.records`
their fold and :mod:`learnplan.progress.migration` the move from the old config layout;
this module reads and writes them in a live ``anki.collection.Collection`` (``anki`` is
never imported here: callers pass the collection), for the add-on and for
``learnplan import|log|report --collection``:

- :func:`read` folds every record file of the media folder (plus, until they are moved,
  the records still kept in the old config layout) and lists what could not be read;
- :func:`write` adds one new file; a :func:`capture` around a change collects what it
  wrote, so the add-on can take it back on Edit > Undo;
- :func:`move_old_config` moves the old config records into a file, once;
- :func:`refresh_summaries` / :func:`stale_summaries` keep the summary in the plan's
  root deck description (:mod:`learnplan.collection.summary`) in step with the records;
- :func:`adopt`, :func:`change_log` and friends record a change and update the summary.

Nothing here overwrites or deletes a record: files are only added, and an old config key
is removed only once everything it held is in a file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnplan.collection.studyday import study_today
from learnplan.collection.summary import find_block, summary_block, with_block
from learnplan.model.plan import Plan, deck_part, plan_to_dict
from learnplan.progress.entries import (
    CLOCK,
    FILE_RE,
    MAX_FILE_BYTES,
    Clock,
    Entry,
    NewerRecord,
    RecordError,
    RecordFile,
    canonical,
    content_name,
    decode_file,
    encode_file,
    make_entry,
    random_name,
    retract,
)
from learnplan.progress.log import ProgressLog
from learnplan.progress.log_json import log_to_json
from learnplan.progress.migration import Migration, is_old_key, migrate_config
from learnplan.progress.records import Records, counted_entries, fold, log_entries

#: The name of the undo step that moves the old config records (the add-on shows it).
MOVE_UNDO_NAME = "Move Learning Plan Records"


@dataclass(frozen=True)
class Problem:
    """A record that could not be read. ``key`` says where: ``file:<media file name>``,
    ``config:<config key>`` (the old layout) or ``plan:<plan id>``."""

    key: str
    message: str


@dataclass(frozen=True)
class Stored:
    """What a collection's records add up to, and what could not be read."""

    records: Records
    problems: tuple[Problem, ...] = ()
    #: entry id -> the media file holding it
    files: dict[str, str] = field(default_factory=dict)
    #: old config keys whose content can be moved into a record file now
    movable: tuple[str, ...] = ()
    #: record files set aside (their entries do not count) -> the set_aside entry's id
    set_aside: Mapping[str, str] = field(default_factory=dict)


# --- reading


def media_folder(col: Any) -> Path:
    return Path(col.media.dir())


def record_names(folder: Path) -> list[str]:
    """The record files in a media folder, sorted (the fold does not depend on it)."""
    try:
        with os.scandir(folder) as found:
            return sorted(e.name for e in found if FILE_RE.match(e.name) and e.is_file())
    except FileNotFoundError:
        return []


_Failure = tuple[type[RecordError], str]
_cache: dict[str, tuple[tuple[int, int, int], RecordFile | _Failure]] = {}
_cache_lock = threading.Lock()
_CACHE_LIMIT = 50_000  # files; a long-running process that opens many collections


def read_file(path: Path) -> RecordFile:
    """One record file (parsed once: files are never changed, but the cache still checks
    size and modification time, so a file replaced by hand is read again)."""
    st = path.stat()
    stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
    key = str(path)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == stamp:
        result = hit[1]
    else:
        try:
            if st.st_size > MAX_FILE_BYTES:
                raise RecordError(f"{path.name}: {st.st_size} bytes is too large for a record file")
            result = decode_file(path.name, path.read_bytes())
        except RecordError as exc:
            result = (type(exc), str(exc))
        with _cache_lock:
            if len(_cache) >= _CACHE_LIMIT:
                _cache.clear()
            _cache[key] = (stamp, result)
    if isinstance(result, tuple):
        kind, message = result
        raise kind(message)
    return result


def old_config(col: Any) -> dict[str, Any]:
    """The collection config keys of the old layout, with their values."""
    return {k: v for k, v in col.all_config().items() if is_old_key(k)}


def _damaged_message(key: str, reason: str) -> str:
    return (
        f"The Learning Plan record '{key}' in this collection could not be read: {reason}. "
        "It has not been changed. Export it to a file to keep it, then start fresh."
    )


def read(col: Any) -> Stored:
    """Fold every record of the collection. Never writes; never fails on a bad record
    (each one is listed in ``problems`` instead, unless the learner dismissed it)."""
    folder = media_folder(col)
    files: list[RecordFile] = []
    problems: list[Problem] = []
    for name in record_names(folder):
        try:
            got = read_file(folder / name)
        except NewerRecord as exc:
            problems.append(Problem(f"file:{name}", str(exc)))
            continue
        except RecordError as exc:
            problems.append(Problem(f"file:{name}", _damaged_message(name, str(exc))))
            continue
        except OSError as exc:
            problems.append(Problem(f"file:{name}", f"{name} could not be read: {exc}"))
            continue
        files.append(got)
        if got.errors:
            more = f" (and {len(got.errors) - 1} more)" if len(got.errors) > 1 else ""
            problems.append(Problem(f"file:{name}", _damaged_message(name, got.errors[0] + more)))
    migration = migrate_config(old_config(col))
    counted = counted_entries({f.name: f.entries for f in files})
    # Old config records count as if moved already: the same entries, the same ids.
    records = fold([*counted.entries, *migration.entries])
    problems += [
        Problem(f"config:{d.key}", _damaged_message(d.key, d.reason)) for d in migration.damaged
    ]
    by_name = {f.name: f for f in files}
    problems += [
        Problem(f"aside:{name}", _aside_message(by_name[name]))
        for name in sorted(counted.set_aside)
        if name in by_name  # a file named before it arrived here is set aside when it does
    ]
    shown = tuple(p for p in problems if p.key not in records.dismissed)
    where = {e.id: f.name for f in files for e in f.entries}
    return Stored(records, shown, where, migration.moved, counted.set_aside)


def _aside_message(file: RecordFile) -> str:
    plans = sorted({e.plan for e in file.entries if e.plan is not None})
    about = f" about plan {', '.join(repr(p) for p in plans)}" if plans else ""
    return (
        f"The record file {file.name} ({len(file.entries)} entries{about}) came with a deck "
        "you imported, not from your own devices, so it was set aside: it changes nothing. "
        "Apply it only if these records are yours (for example a deck you exported with "
        "its media yourself)."
    )


# --- writing

_local = threading.local()


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
    with _cache_lock:
        _written_here.setdefault(str(media_folder(col)), set()).add(stored)
    return stored


#: media folder -> the record files this process wrote there (never "came with an import")
_written_here: dict[str, set[str]] = {}


def arrived_since(col: Any, known: Iterable[str]) -> list[str]:
    """The record files in the media folder that are not in ``known`` and that this
    process did not write: after an import, the files the imported package carried."""
    with _cache_lock:
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


# --- changes


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


# --- the summary in the root deck's description


def root_deck_id(col: Any, plan: Plan, imported: dict[str, Any] | None = None) -> int | None:
    """The plan's top deck: by its name, else above the decks its last update made."""
    did = col.decks.id_for_name(deck_part(plan.title))
    if did is not None:
        return int(did)
    decks = (imported or {}).get("decks")
    for known in decks.values() if isinstance(decks, dict) else ():
        if isinstance(known, int) and (name := col.decks.name_if_exists(known)):
            top = col.decks.id_for_name(str(name).split("::")[0])
            if top is not None:
                return int(top)
    return None


def records_digest(plan: Plan, log: ProgressLog) -> str:
    """A short digest of what a summary is computed from: the plan and the parts of its
    log that move points (sessions and costs don't, so logging one on the day of the last
    summary leaves the deck alone)."""
    moving = dataclasses.replace(log, sessions=(), costs=())
    data = canonical([plan_to_dict(plan), log_to_json(moving)]).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:12]


def summary_for(plan: Plan, log: ProgressLog, today: dt.date) -> str:
    from learnplan.figures.compute import figures

    return summary_block(figures(plan, log, None, today), records_digest(plan, log))


def _stale(description: str, plan: Plan, log: ProgressLog) -> bool:
    found = find_block(description)
    # A block from an earlier day says so ("As of ..."); only records that changed since
    # (here, or merged in from another device) make it wrong.
    return found is None or found[2] != records_digest(plan, log)


def stale_summaries(col: Any, stored: Stored) -> list[str]:
    """Adopted plans whose root deck's summary is missing or no longer fits the records."""
    out: list[str] = []
    for plan in stored.records.plans:
        did = root_deck_id(col, plan, dict(stored.records.imported.get(plan.id, {})))
        deck = col.decks.get(did, default=False) if did is not None else None
        log = stored.records.log(plan.id)
        if deck is not None and _stale(str(deck.get("desc") or ""), plan, log):
            out.append(plan.id)
    return out


def refresh_summaries(
    col: Any, *, only: str | None = None, force: bool = False, today: dt.date | None = None
) -> list[str]:
    """Write the summary of each adopted plan (or only of ``only``) whose root deck exists
    and whose block is stale (``force``: whose block is not today's); returns their ids.
    Text outside the block is kept exactly."""
    stored = read(col)
    day = today or study_today(col)
    done: list[str] = []
    for plan in stored.records.plans:
        if only is not None and plan.id != only:
            continue
        log = stored.records.log(plan.id)
        did = root_deck_id(col, plan, dict(stored.records.imported.get(plan.id, {})))
        deck = col.decks.get(did, default=False) if did is not None else None
        if deck is None:
            continue
        description = str(deck.get("desc") or "")
        if not force and not _stale(description, plan, log):
            continue
        updated = with_block(description, summary_for(plan, log, day))
        if updated != description:
            deck["desc"] = updated
            col.decks.save(deck)
            done.append(plan.id)
    return done
