"""The small pieces of card syntax every reader and the plan rules share: slugs (ids),
tags, and cloze deletions."""

from __future__ import annotations

import re

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_CLOZE_START = re.compile(r"\{\{c(\d+)::")
# Bound once: these run for every card of a 100,000-card plan.
_slug_match = _SLUG.fullmatch
_cloze_search = _CLOZE_START.search


def is_slug(value: str) -> bool:
    return _slug_match(value) is not None


def is_tag(value: str) -> bool:
    """Anki tags are space-separated, so a tag may hold anything but whitespace."""
    return bool(value) and not any(ch.isspace() for ch in value)


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
