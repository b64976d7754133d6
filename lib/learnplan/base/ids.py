"""Stable identifiers derived from stable keys with SHA-256 (never ``hash()``, never random).

Anki matches note types, fields, templates and decks by these ids, and notes by GUID, so
they must not change when titles, text or order change: callers pass ids and slugs, never
display text or content.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

_NAMESPACE = "learnplan/v1"
# Positive and below 2**53 so the ids survive JSON and JavaScript unharmed, and above
# 2**40 so they never collide with small hand-picked ids.
_LOW = 1 << 40
_SPAN = (1 << 52) - _LOW


def _digest(kind: str, parts: tuple[str, ...]) -> bytes:
    # A unit separator cannot appear in slugs, so ("a_b", "c") != ("a", "b_c").
    key = "\x1f".join((_NAMESPACE, kind, *parts))
    return hashlib.sha256(key.encode("utf-8")).digest()


def stable_id(kind: str, *parts: str) -> int:
    """An integer id for a deck, note type, field or template."""
    return _LOW + int.from_bytes(_digest(kind, parts)[:8], "big") % _SPAN


def note_guid(plan_id: str, course_id: str, card_key: str) -> str:
    """A note's GUID from (plan, course, card key): never from content or position."""
    return _digest("note", (plan_id, course_id, card_key)).hex()[:20]


def note_guids(plan_id: str, course_id: str) -> Callable[[str], str]:
    """:func:`note_guid` for the cards of one course: the same GUIDs, quicker (the hash
    of the common start is computed once)."""
    start = hashlib.sha256("\x1f".join((_NAMESPACE, "note", plan_id, course_id, "")).encode())

    def guid(card_key: str) -> str:
        digest = start.copy()
        digest.update(card_key.encode("utf-8"))
        return digest.hexdigest()[:20]

    return guid


_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o/1/l: easy to read back


def new_card_key() -> str:
    """A fresh random card id, written back into the learner's file once."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(8))
