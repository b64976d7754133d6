"""Which Anki cards a note makes: one per cloze number, two for a reversed card.

Anki makes the card of each cloze number it finds (``{{c2::…}}`` makes card 2), and only
those: a cloze whose only deletion is ``c2`` makes one card, "Card 2". learnplan keeps
that as written and never renumbers: a number is the identity of its card's reviews, so
renumbering ``c2`` to ``c1`` after deleting ``c1`` would move c2's history onto a new card.
"""

from __future__ import annotations

import re

from learnplan.model.plan import Card, CardKind

__all__ = ["anki_card_count", "cloze_ordinals"]

_CLOZE_RE = re.compile(r"{{c(\d+)::.+?}}", re.DOTALL)


def cloze_ordinals(text: str) -> tuple[int, ...]:
    """The template ordinals (0-based: ``c1`` is 0) of the cards the cloze numbers in
    ``text`` make, sorted; ``c0`` and an empty deletion make none."""
    return tuple(sorted({int(n) - 1 for n in _CLOZE_RE.findall(text) if int(n) > 0}))


def anki_card_count(card: Card) -> int:
    """How many Anki cards ``card`` becomes (from its text as written)."""
    return _count(card.kind, card.front)


def _count(kind: CardKind, front: str) -> int:
    if kind == "cloze":
        return len(cloze_ordinals(front))
    return 2 if kind == "reversed" else 1
