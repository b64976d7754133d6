"""The small pieces of card syntax every reader shares: cloze deletions (and, from the
plan model, where the rules for them live, slugs and tags)."""

from __future__ import annotations

import re

from learnplan.model.plan import is_slug, is_tag

__all__ = ["has_cloze", "is_slug", "is_tag", "looks_like_cloze"]

_CLOZE_START = re.compile(r"\{\{c(\d+)::")
# Bound once: this runs for every card of a 100,000-card plan.
_cloze_search = _CLOZE_START.search


def has_cloze(text: str) -> bool:
    """True when ``text`` holds a cloze deletion Anki will make a card from (c1 and up,
    non-empty)."""
    for opener in _CLOZE_START.finditer(text):
        end = text.find("}}", opener.end())
        if end < 0:
            return False  # no later deletion can be closed either
        if int(opener.group(1)) >= 1 and text[opener.end() : end].split("::")[0].strip():
            return True
    return False


def looks_like_cloze(text: str) -> bool:
    return "{{c" in text and _cloze_search(text) is not None
