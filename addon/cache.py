"""What the panel keeps between sessions in the add-on's ``user_files`` folder.

The last rendered figures per plan (:class:`FigureCache`, shown at once when the panel
opens) and the memory tracker's state per plan (:class:`TrackerFiles`, so the first
refresh of a session reads only what changed). Kept in that folder (which Anki keeps
across add-on updates), never in the collection config: they are a local convenience,
not progress, and must not grow what every sync sends. A missing, damaged or
older-format file is simply no cache.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import time
import zlib
from pathlib import Path
from typing import Any

from learnplan.base.atomic import TEMP_GLOB, replace_file

#: Bumped when the panel's markup changes so that old HTML is not shown.
FORMAT = 3
#: Plans kept per collection; the oldest written go first.
MAX_PLANS = 8


def _collection_digest(collection_path: str) -> str:
    return hashlib.sha1(os.path.abspath(collection_path).encode("utf-8")).hexdigest()[:16]


def cache_file(folder: Path, collection_path: str) -> Path:
    """One file per collection (profiles may share the add-on folder)."""
    return folder / f"panel-{_collection_digest(collection_path)}.json"


class FigureCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._plans: dict[str, str] | None = None
        self._current: str | None = None

    def _load(self) -> dict[str, str]:
        if self._plans is None:
            self._plans = {}
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return self._plans
            if isinstance(data, dict) and data.get("format") == FORMAT:
                plans = data.get("plans")
                if isinstance(plans, dict):
                    self._plans = {
                        k: v for k, v in plans.items() if isinstance(k, str) and isinstance(v, str)
                    }
                current = data.get("current")
                self._current = current if current in self._plans else None
        return self._plans

    def get(self, plan_id: str | None = None) -> str | None:
        """The HTML last shown for ``plan_id`` (default: the plan shown last)."""
        plans = self._load()
        key = self._current if plan_id is None else plan_id
        return plans.get(key) if key is not None else None

    def put(self, plan_id: str, html: str) -> None:
        """Remember ``html`` as the plan's figures and save; a failed save is ignored.
        Nothing is written when these are already the figures shown last."""
        plans = self._load()
        if self._current == plan_id and plans.get(plan_id) == html:
            return  # most refreshes change nothing: no rewrite of every plan's HTML
        plans.pop(plan_id, None)
        plans[plan_id] = html  # last written last, so the oldest are dropped first
        while len(plans) > MAX_PLANS:
            del plans[next(iter(plans))]
        self._current = plan_id
        data = {"format": FORMAT, "current": plan_id, "plans": plans}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass  # a read-only add-on folder only costs the instant figures next time


# --- the memory tracker's state ------------------------------------------------------

#: Start of a tracker-state file: the layout version, and the version of ``marshal``
#: that wrote it (its format may change between Python releases).
TRACKER_MAGIC = b"learnplan-tracker\x01" + bytes([marshal.version])
#: Tracker-state files kept per collection (one per plan); the least recently written go.
MAX_TRACKERS = 3


class TrackerFiles:
    """``learnplan.collection.memory.MemoryTracker`` states of one collection, one file per plan.

    The state (``MemoryTracker.to_state``, plain lists and numbers) is stored with
    ``marshal`` (several times faster than JSON both ways) inside ``zlib`` (6 MB -> under
    1 MB at 100k cards, for ~25 ms; its checksum also turns any damage or truncation into
    a clean error before ``marshal`` sees the bytes). Each file names its collection and
    plan inside too, so a file copied or renamed onto another is not used. Anything
    unreadable is no state: the tracker then starts with a full read.
    """

    def __init__(self, folder: Path, collection_path: str) -> None:
        self.folder = folder
        self.collection = os.path.abspath(collection_path)
        self._prefix = f"tracker-{_collection_digest(collection_path)}-"

    def path(self, plan_id: str) -> Path:
        digest = hashlib.sha1(plan_id.encode("utf-8")).hexdigest()[:12]
        return self.folder / f"{self._prefix}{digest}.bin"

    def read(self, plan_id: str) -> dict[str, Any] | None:
        """The state saved for ``plan_id`` in this collection, or None."""
        try:
            data = self.path(plan_id).read_bytes()
            if not data.startswith(TRACKER_MAGIC):
                return None
            record = marshal.loads(zlib.decompress(memoryview(data)[len(TRACKER_MAGIC) :]))
        except Exception:  # any unreadable file is only a missing one
            return None
        if (
            isinstance(record, tuple)
            and len(record) == 3
            and record[:2] == (self.collection, plan_id)
            and isinstance(record[2], dict)
        ):
            state: dict[str, Any] = record[2]
            return state
        return None

    def write(self, plan_id: str, state: dict[str, Any]) -> bool:
        """Save ``state`` atomically (all or nothing); False when it could not be written."""
        if not state:
            return False
        try:
            payload = zlib.compress(marshal.dumps((self.collection, plan_id, state)), 1)
            self.folder.mkdir(parents=True, exist_ok=True)
            replace_file(self.path(plan_id), TRACKER_MAGIC + payload)
        except (OSError, ValueError):
            return False  # a read-only folder, a full disk: only the next start is slower
        self._prune()
        return True

    def _prune(self) -> None:
        # Plans switched away from long ago should not keep a megabyte each forever.
        try:
            files = sorted(
                self.folder.glob(f"{self._prefix}*.bin"),
                key=lambda p: p.stat().st_mtime,
                reverse=True,
            )
            for old in files[MAX_TRACKERS:]:
                old.unlink(missing_ok=True)
            # A write cut short by a killed process; an hour leaves any running one alone.
            for tmp in self.folder.glob(TEMP_GLOB):
                if tmp.stat().st_mtime < time.time() - 3600:
                    tmp.unlink(missing_ok=True)
        except OSError:
            pass
