"""A course's cards as read, before their lessons are checked and their ids settled.

Identity rules (README.md, "Updating your deck"): a card keeps the id its source gives
it; a card without one gets a fresh random key, never derived from its content or
position, written back into the source by :mod:`learnplan.reading.writeback`. An id
used twice in a course is an error naming both places.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnplan.base.ids import new_card_key
from learnplan.model.plan import Card, Lesson, SourceRef
from learnplan.reading.context import ReadContext


@dataclass
class Pending:
    """Cards read for a course, before lessons are checked and ids assigned.

    Each card is built once, as it will be returned (one without an id gets its key with
    dataclasses.replace). Where to point a message about its lesson or id is kept in
    parallel lists rather than an object per card: a plan may hold 100,000s of cards.
    """

    cards: list[Card] = field(default_factory=list)
    lesson_lines: list[int] = field(default_factory=list)  # where the lesson was named
    # ... in which file: the card's own, or the plan file when a lesson lists a card file
    lesson_files: list[Path] = field(default_factory=list)
    id_lines: list[int] = field(default_factory=list)

    def add(
        self, card: Card, lesson_line: int, id_line: int, lesson_file: Path | None = None
    ) -> None:
        """Adds ``card``; its lesson was named at ``lesson_line`` of ``lesson_file`` (by
        default the card's own file)."""
        self.cards.append(card)
        self.lesson_lines.append(lesson_line)
        self.lesson_files.append(source(card).path if lesson_file is None else lesson_file)
        self.id_lines.append(id_line)

    def extend(self, other: Pending) -> None:
        self.cards.extend(other.cards)
        self.lesson_lines.extend(other.lesson_lines)
        self.lesson_files.extend(other.lesson_files)
        self.id_lines.extend(other.id_lines)


def source(card: Card) -> SourceRef:
    assert card.source is not None  # the reader builds every card with its source
    return card.source


def finish_cards(
    context: ReadContext,
    course_id: str,
    lessons: tuple[Lesson, ...],
    pending: Pending,
    assign_ids: bool,
) -> tuple[Card, ...]:
    """The course's cards with their ids settled; problems go to ``context``."""
    lesson_ids = {lesson.id for lesson in lessons}
    all_cards, id_lines = pending.cards, pending.id_lines
    seen: dict[str, int] = {}  # card id -> index of its first card in pending
    cards: list[Card | None] = []
    keyless: list[tuple[int, int]] = []  # (place in cards, index in pending)
    append = cards.append
    for index, card in enumerate(all_cards):
        key = card.key
        if key is not None:
            first = seen.setdefault(key, index)
            if first != index:
                context.add(
                    source(card).path,
                    id_lines[index],
                    f"duplicate card id {key!r} in "
                    f"course '{course_id}' (first used at "
                    f"{source(all_cards[first]).path}:{id_lines[first]}); give one "
                    "of them a new id, or delete it to have one assigned",
                )
        if card.lesson is not None and card.lesson not in lesson_ids:
            known = ", ".join(sorted(lesson_ids)) or "none"
            context.add(
                pending.lesson_files[index],
                pending.lesson_lines[index],
                f"card names lesson "
                f"{card.lesson!r}, which course '{course_id}' does not have (its "
                f"lessons: {known})",
            )
            continue
        if key is None:
            if not assign_ids:
                context.add(
                    source(card).path,
                    source(card).line,
                    "card has no id; build without --no-write to assign one",
                )
                continue
            keyless.append((len(cards), index))
        append(card)
    # Fresh keys only once every written id is known, so that none can collide.
    for place, index in keyless:
        key = _fresh_key(seen)
        seen[key] = index
        cards[place] = dataclasses.replace(all_cards[index], key=key, new_key=True)
    return tuple(cards)  # type: ignore[arg-type]  # every None has been replaced


def _fresh_key(taken: dict[str, Any]) -> str:
    # Random, not derived from content or position, so edits and reordering keep ids.
    while True:
        key = new_card_key()
        if key not in taken:
            return key
