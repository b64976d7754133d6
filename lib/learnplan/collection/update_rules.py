"""The pure rules of the safe update (:mod:`learnplan.collection.update`): which notes,
decks and tags are the plan's, what counts as a hand edit, and which build time applies.

Nothing here touches a collection: the update reads the notes (:class:`NoteBefore`) and
applies what these rules decide.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from learnplan.base.ids import note_guid
from learnplan.model.plan import Course, Lesson, Plan

if TYPE_CHECKING:
    from anki.cards import CardId
    from anki.decks import DeckId
    from anki.notes import NoteId


@dataclass(frozen=True)
class NoteBefore:
    """A note as it was before the import."""

    nid: NoteId
    guid: str
    mod: int
    mid: int  # note type id
    tags: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]  # (field name, value) in order
    cards: tuple[tuple[CardId, DeckId], ...]


def fingerprint(values: Iterable[str]) -> str:
    """A short hash of a note's field values, for spotting hand edits."""
    return hashlib.sha256("\x1f".join(values).encode("utf-8")).hexdigest()[:16]


def in_namespace(tag: str, plan_id: str) -> bool:
    """True for the plan's own tags (``<plan id>::...``); tags are case-insensitive."""
    return tag.lower().startswith(plan_id.lower() + "::")


def plan_notes(plan: Plan) -> dict[str, tuple[Course, Lesson | None]]:
    """GUID -> (course, lesson) for every card of the plan."""
    out: dict[str, tuple[Course, Lesson | None]] = {}
    for course in plan.courses:
        for card in course.cards:
            if card.key is None:
                continue  # build_package refuses these with a PlanError
            lesson = course.lesson(card.lesson) if card.lesson else None
            out[note_guid(plan.id, course.id, card.key)] = (course, lesson)
    return out


def merge_tags(package_tags: Sequence[str], learner_tags: Sequence[str]) -> list[str]:
    """The package's tags plus the learner's own, without case-insensitive duplicates."""
    seen = {t.lower() for t in package_tags}
    out = list(package_tags)
    for tag in learner_tags:
        if tag.lower() not in seen:
            seen.add(tag.lower())
            out.append(tag)
    return out


def next_timestamp(requested: float | None, newest_mod: int, last_built: float) -> float:
    """A build time whose whole seconds beat every note mod and the last build.

    Anki compares note ``mod`` in whole seconds and only updates strictly newer notes,
    so a same-second rebuild or a clock behind the last build would otherwise be skipped.
    """
    ts = time.time() if requested is None else requested
    floor = max(newest_mod, math.floor(last_built)) + 1
    return float(max(math.floor(ts), floor))


def shipped_tags(entry: list[Any] | None) -> list[str]:
    if entry and len(entry) > 1 and isinstance(entry[1], list):
        return [str(t) for t in entry[1]]
    return []


def hand_edited(before: dict[str, NoteBefore], shipped: dict[str, list[Any]]) -> set[str]:
    """GUIDs of notes whose fields are no longer what we shipped.

    Without a record (the plan so far came in through File > Import) we fall back on
    ``mod``: every note of one import shares the package's timestamp, so a note whose
    ``mod`` differs from the most common one was touched since. That can also be a tag
    change; keeping such a note's text and reporting it errs on the learner's side.
    """
    if shipped:
        return {
            guid
            for guid, b in before.items()
            if guid in shipped
            and shipped[guid]
            and fingerprint(v for _, v in b.fields) != shipped[guid][0]
        }
    if not before:
        return set()
    common, _ = Counter(b.mod for b in before.values()).most_common(1)[0]
    return {guid for guid, b in before.items() if b.mod != common}
