"""Reading a collection's records: every record file of the media folder (each parsed
once per process), plus the records still kept in the old config layout, folded
(:func:`learnplan.progress.records.fold`) into what they add up to, with what could not be
read listed instead of raised."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnplan.base.filecache import FileCache
from learnplan.progress.entries import (
    FILE_RE,
    MAX_FILE_BYTES,
    NewerRecord,
    RecordError,
    RecordFile,
    decode_file,
)
from learnplan.progress.migration import is_old_key, migrate_config
from learnplan.progress.records import Records, counted_entries, fold


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
_cache: FileCache[RecordFile | _Failure] = FileCache(limit=50_000)


def read_file(path: Path) -> RecordFile:
    """One record file (parsed once: files are never changed, but the cache still checks
    size and modification time, so a file replaced by hand is read again)."""
    result = _cache.get(path, _decode)
    if isinstance(result, tuple):
        kind, message = result
        raise kind(message)
    return result


def _decode(path: Path, st: os.stat_result) -> RecordFile | _Failure:
    try:
        if st.st_size > MAX_FILE_BYTES:
            raise RecordError(f"{path.name}: {st.st_size} bytes is too large for a record file")
        return decode_file(path.name, path.read_bytes())
    except RecordError as exc:
        return (type(exc), str(exc))


def recorded_decks(record: Mapping[str, Any]) -> dict[str, int]:
    """The decks (key -> deck id) an update record (:mod:`learnplan.collection.shipped`,
    ``Records.imported``) names; it comes from a synced file: anything else in it is
    left out."""
    decks = record.get("decks")
    if not isinstance(decks, dict):
        return {}
    return {k: v for k, v in decks.items() if isinstance(k, str) and isinstance(v, int)}


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
