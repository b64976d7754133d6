"""Inserting text at many offsets of a file's text at once."""

from __future__ import annotations

from collections.abc import Iterable


def splice(text: str, edits: Iterable[tuple[int, str]]) -> str:
    """``text`` with each ``(offset, insert)`` of ``edits`` inserted at its offset (an
    offset into the original ``text``). Inserts sharing an offset end up in ascending
    order of their text. One pass, so the cost grows with the text, not with text ×
    edits (a large outline gets thousands of new ids)."""
    parts: list[str] = []
    done = 0
    for offset, insert in sorted(edits):
        parts.append(text[done:offset])
        parts.append(insert)
        done = offset
    parts.append(text[done:])
    return "".join(parts)
