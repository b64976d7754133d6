"""Which Anki cards a note makes: one per cloze number, two for a reversed card.

Anki makes the card of each cloze number it finds (``{{c2::…}}`` makes card 2), and only
those: a cloze whose only deletion is ``c2`` makes one card, "Card 2". learnplan keeps
that as written and never renumbers: a number is the identity of its card's reviews, so
renumbering ``c2`` to ``c1`` after deleting ``c1`` would move c2's history onto a new card.

:func:`deletions` reads cloze text as Anki 26.9 does (rslib/src/cloze.rs): deletions may
nest, ``{{c1,2::…}}`` belongs to two cards, a ``}}`` with no open deletion is text, and a
deletion never closed is dropped with every deletion inside it. The reader (whether a
cloze card is usable) and the builder (which cards to ship) both ask it, so they agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from learnplan.model.plan import Card, CardKind

__all__ = ["Deletion", "anki_card_count", "cloze_numbers", "cloze_ordinals", "deletions"]

# An opener ``{{c<numbers>::`` or a closer ``}}``; an opener none of whose numbers Anki
# can read (``{{c::``, ``{{c99999::``) is text.
_TOKEN = re.compile(r"\{\{c([0-9,]*)::|\}\}")
_MAX_NUMBER = 65535  # Anki reads cloze numbers as 16-bit
_MAX_OPEN = 10  # Anki ignores an opener while ten deletions are open
_MAX_CARDS = 500  # Anki gives numbers above 500 card 500


@dataclass(frozen=True)
class Deletion:
    """One cloze deletion Anki reads: its numbers (``c0`` included) and its text (hint
    left out, nested deletions' text in)."""

    numbers: frozenset[int]
    text: str


@dataclass
class _Open:
    numbers: frozenset[int]
    parts: list[str]
    inner: list[Deletion]


def deletions(text: str) -> list[Deletion]:
    """Every deletion Anki finds in ``text``, nested ones included, in the order they
    close."""
    if "{{c" not in text:
        return []
    found: list[Deletion] = []
    stack: list[_Open] = []
    done = 0
    for token in _TOKEN.finditer(text):
        numbers = _numbers(token.group(1))
        if token.group(1) is not None and not numbers:
            continue  # not an opener: stays text
        if stack:
            _add_text(stack[-1], text[done : token.start()])
        done = token.end()
        if numbers:
            if len(stack) < _MAX_OPEN:
                stack.append(_Open(numbers, [], []))
        elif stack:
            closed = stack.pop()
            deletion = Deletion(closed.numbers, "".join(closed.parts))
            if stack:
                stack[-1].parts.append(deletion.text)
                stack[-1].inner.extend((*closed.inner, deletion))
            else:
                found.extend((*closed.inner, deletion))
    return found


def _numbers(written: str | None) -> frozenset[int]:
    """The numbers of an opener (``1,2`` in ``{{c1,2::``) Anki can read."""
    if not written:
        return frozenset()
    out = set()
    for part in written.split(","):
        digits = part.lstrip("0") or part[:1]
        if digits and len(digits) <= 5 and int(digits) <= _MAX_NUMBER:
            out.add(int(digits))
    return frozenset(out)


def _add_text(deletion: _Open, run: str) -> None:
    # Within a deletion, "::" in a run of text starts the hint (Anki splits each run).
    if run:
        deletion.parts.append(run.split("::", 1)[0])


def cloze_numbers(text: str) -> frozenset[int]:
    """The cloze numbers Anki makes cards for (1 and up; ``c0`` makes none)."""
    return frozenset(n for d in deletions(text) for n in d.numbers if n > 0)


def cloze_ordinals(text: str) -> tuple[int, ...]:
    """The template ordinals (0-based: ``c1`` is 0) of the cards Anki makes from the
    cloze numbers in ``text``, sorted; empty when it would make none."""
    return tuple(sorted({min(n, _MAX_CARDS) - 1 for n in cloze_numbers(text)}))


def anki_card_count(card: Card) -> int:
    """How many Anki cards ``card`` becomes (from its text as written)."""
    return _count(card.kind, card.front)


def _count(kind: CardKind, front: str) -> int:
    if kind == "cloze":
        return len(cloze_ordinals(front))
    return 2 if kind == "reversed" else 1
