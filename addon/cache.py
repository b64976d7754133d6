"""The panel's last rendered figures, per plan, shown at once when the panel opens.

Kept in memory for the session and in one small JSON file per collection in the
add-on's ``user_files`` folder (which Anki keeps across add-on updates), never in the
collection config: it is a local convenience, not progress, and must not grow what
every sync sends. A missing, damaged or older-format file is simply no cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

#: Bumped when the panel's markup changes so that old HTML is not shown.
FORMAT = 2
#: Plans kept per collection; the oldest written go first.
MAX_PLANS = 8


def cache_file(folder: Path, collection_path: str) -> Path:
    """One file per collection (profiles may share the add-on folder)."""
    digest = hashlib.sha1(os.path.abspath(collection_path).encode("utf-8")).hexdigest()[:16]
    return folder / f"panel-{digest}.json"


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
        """Remember ``html`` as the plan's figures and save; a failed save is ignored."""
        plans = self._load()
        plans.pop(plan_id, None)
        plans[plan_id] = html  # last written last, so the oldest are dropped first
        while len(plans) > MAX_PLANS:
            del plans[next(iter(plans))]
        self._current = plan_id
        data = {"format": FORMAT, "current": plan_id, "plans": plans}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".panel-", suffix=".json", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(data, out, ensure_ascii=False)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            pass  # a read-only add-on folder only costs the instant figures next time
