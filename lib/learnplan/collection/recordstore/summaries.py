"""The summary in each adopted plan's root deck description (for the phone, which has no
panel): found stale when the records it was computed from have changed, and rewritten
(:mod:`learnplan.collection.summary` makes the block; text around it is kept)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

from learnplan.collection.recordstore.reader import Stored, read
from learnplan.collection.studyday import study_today
from learnplan.collection.summary import find_block, summary_block, with_block
from learnplan.model.plan import Plan, deck_part, plan_to_dict
from learnplan.progress.entries import canonical
from learnplan.progress.log import ProgressLog
from learnplan.progress.log_json import log_to_json


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
