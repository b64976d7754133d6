"""The summary in each adopted plan's root deck description (for the phone, which has no
panel): found stale when the records it was computed from have changed, and rewritten
(:mod:`learnplan.collection.summary` makes the block; text around it is kept)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from typing import Any

from learnplan.collection.recordstore.reader import Stored, read, recorded_decks
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
    for known in recorded_decks(imported or {}).values():
        if name := col.decks.name_if_exists(known):
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


def _summarised(
    col: Any, stored: Stored, only: str | None = None
) -> Iterator[tuple[Plan, ProgressLog, dict[str, Any], str]]:
    """(plan, its log, its root deck, :func:`records_digest`) of each adopted plan (or
    only of ``only``) whose root deck exists."""
    for plan in stored.records.plans:
        if only is not None and plan.id != only:
            continue
        did = root_deck_id(col, plan, dict(stored.records.imported.get(plan.id, {})))
        deck = col.decks.get(did, default=False) if did is not None else None
        if deck is None:
            continue
        log = stored.records.log(plan.id)
        yield plan, log, deck, records_digest(plan, log)


def _stale(description: str, digest: str) -> bool:
    found = find_block(description)
    # A block from an earlier day says so ("As of ..."); only records that changed since
    # (here, or merged in from another device) make it wrong.
    return found is None or found[2] != digest


def stale_summaries(col: Any, stored: Stored) -> list[str]:
    """Adopted plans whose root deck's summary is missing or no longer fits the records."""
    return [
        plan.id
        for plan, _log, deck, digest in _summarised(col, stored)
        if _stale(str(deck.get("desc") or ""), digest)
    ]


def refresh_summaries(
    col: Any, *, stored: Stored | None = None, only: str | None = None, force: bool = False
) -> list[str]:
    """Write the summary of each adopted plan (or only of ``only``) whose root deck exists
    and whose block is stale (``force``: whose block is not today's); returns their ids.
    Text outside the block is kept exactly. ``stored`` is what :func:`read` returns, if
    the caller has just read it (else it is read here)."""
    from learnplan.figures.compute import figures

    if stored is None:
        stored = read(col)
    day = study_today(col)
    done: list[str] = []
    for plan, log, deck, digest in _summarised(col, stored, only):
        description = str(deck.get("desc") or "")
        if not force and not _stale(description, digest):
            continue
        block = summary_block(figures(plan, log, None, day), digest)
        updated = with_block(description, block)
        if updated != description:
            deck["desc"] = updated
            col.decks.save(deck)
            done.append(plan.id)
    return done
