"""The small pieces of card syntax every reader shares: cloze deletions (and, from the
plan model, where the rules for them live, slugs and tags)."""

from __future__ import annotations

import re

from learnplan.cards.cloze import deletions
from learnplan.model.plan import is_slug, is_tag

__all__ = ["has_cloze", "is_slug", "is_tag", "looks_like_cloze"]

# An opener as Anki reads one (``{{c1::``, ``{{c1,2::``).
_CLOZE_START = re.compile(r"\{\{c[0-9,]*[0-9][0-9,]*::")
# Bound once: this runs for every card of a 100,000-card plan.
_cloze_search = _CLOZE_START.search


def has_cloze(text: str) -> bool:
    """True when ``text`` holds a deletion Anki makes a card from (numbered from 1) with
    text inside: Anki would also make a card of ``{{c1::}}``, one that hides nothing."""
    return any(max(deletion.numbers) > 0 and deletion.text.strip() for deletion in deletions(text))


def looks_like_cloze(text: str) -> bool:
    return "{{c" in text and _cloze_search(text) is not None
