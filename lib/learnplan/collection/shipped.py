"""What the last update of a plan shipped (:mod:`learnplan.collection.update`), per plan:

- an ``imported`` record entry of the plan (:mod:`learnplan.collection.recordstore`; small:
  timestamp, deck ids, and the name of the fingerprint file), so it syncs between
  devices like the learner's progress;
- a ``_``-prefixed media file ``_lpstate-<plan id>-<sha>.json`` with, per note GUID, a
  hash of the fields as imported and the package's own non-namespaced tags. A note whose
  fields no longer hash to what we shipped was edited by hand.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from learnplan.collection.recordstore import record_import
from learnplan.model.plan import Plan
from learnplan.progress.entries import canonical

if TYPE_CHECKING:
    from anki.collection import Collection
    from anki.decks import DeckId

STATE_FILE_PREFIX = "_lpstate-"


def load_shipped(col: Collection, record: dict[str, Any]) -> dict[str, list[Any]]:
    """Per note GUID, what ``record``'s fingerprint file says we shipped: ``[fields hash]``
    or ``[fields hash, [package tags]]``. Empty when there is no readable file."""
    name = record.get("state")
    if not isinstance(name, str) or "/" in name or "\\" in name:
        return {}
    path = Path(col.media.dir()) / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    notes = data.get("notes") if isinstance(data, dict) else None
    return notes if isinstance(notes, dict) else {}


def save_record(
    col: Collection,
    plan: Plan,
    ts: float,
    deck_ids: dict[str, DeckId | None],
    state: dict[str, list[Any]],
) -> None:
    """Remember an update of ``plan`` built at ``ts``: ``state`` (per GUID, as
    :func:`load_shipped` returns it) in a new fingerprint file, and the deck ids and the
    file's name in the plan's ``imported`` record entry."""
    content = canonical({"plan": plan.id, "notes": state}).encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()[:12]
    # write_data never overwrites: a new state gets a new name, an identical one is reused.
    name = col.media.write_data(f"{STATE_FILE_PREFIX}{plan.id}-{digest}.json", content)
    record = {
        "built_at": ts,
        "updated_at": time.time(),
        "decks": {k: v for k, v in deck_ids.items() if v is not None},
        "state": name,
    }
    record_import(col, plan.id, record)
