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

import functools
import re
from dataclasses import dataclass
from typing import NamedTuple

from learnplan.model.plan import Card, CardKind

__all__ = ["Deletion", "anki_card_count", "cloze_numbers", "cloze_ordinals", "deletions"]

# An opener ``{{c<numbers>::`` or a closer ``}}``; an opener none of whose numbers Anki
# can read (``{{c::``, ``{{c99999::``) is text.
_TOKEN = re.compile(r"\{\{c([0-9,]*)::|\}\}")
_MAX_NUMBER = 65535  # Anki reads cloze numbers as 16-bit
_MAX_OPEN = 10  # Anki ignores an opener while ten deletions are open
_MAX_CARDS = 500  # Anki gives numbers above 500 card 500


class Deletion(NamedTuple):
    """One cloze deletion Anki reads: its numbers (``c0`` included) and its text (hint
    left out, nested deletions' text in)."""

    # A named tuple rather than a frozen dataclass: made for every cloze of a large plan.

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
    parts = _TOKEN.split(text)
    if _is_plain(parts):
        return [
            Deletion(_numbers(numbers), body.split("::", 1)[0])
            for numbers, body in zip(parts[1::4], parts[2::4], strict=True)
        ]
    return _read_deletions(text)


def _is_plain(parts: list[str | None]) -> bool:
    """Whether ``parts`` (a text split at its tokens: text, an opener's numbers or None
    for a closer, text, ...) is the usual cloze text: deletions one after another, none nested,
    each closed, each opener one Anki reads. Its deletions are then each opener's, with
    the text up to the next closer (what :func:`_read_deletions` gives, more quickly)."""
    openers, closers = parts[1::4], parts[3::4]
    return (
        len(parts) % 4 == 1
        and None not in openers
        and closers.count(None) == len(closers)
        and all(map(_numbers, openers))
    )


def _read_deletions(text: str) -> list[Deletion]:
    """:func:`deletions` for any text, token by token as Anki reads it."""
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


@functools.lru_cache(maxsize=1024)
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
    if "{{c" not in text:
        return frozenset()
    parts = _TOKEN.split(text)
    if _is_plain(parts):  # no deletion to make: this runs for every cloze of a plan
        found = frozenset().union(*map(_numbers, parts[1::4]))
    else:
        found = frozenset(n for d in _read_deletions(text) for n in d.numbers)
    return found - {0}


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
