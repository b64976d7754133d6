"""Simple Markdown tables rendered without markdown-it: the same HTML, many times faster.

A card holding a small table (``| x | f(x) |`` / ``|---|---|`` / rows) is common, and
markdown-it spends most of a large build's Markdown time on them. :func:`fast_table`
takes only the plainest tables — the whole text, every line between ``|``s, no alignment
colons, no backslash or backtick, each cell empty or what the renderer's own fast inline
path takes — and returns None for anything else, which markdown-it then renders. A
randomised test compares both (tests/test_fast_tables.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

_DELIMITER = re.compile(r"\|(?: *-+ *\|)+")


def fast_table(text: str, inline: Callable[[str], str | None]) -> str | None:
    """``text`` as markdown-it renders a GFM table, or None. ``inline`` renders one
    cell's text (None when it cannot)."""
    if "\\" in text or "`" in text or "\r" in text or "\0" in text:
        return None
    lines = text.split("\n")
    if len(lines) < 2 or _DELIMITER.fullmatch(lines[1]) is None:
        return None
    rows: list[list[str]] = []
    for line in lines:
        if len(line) < 2 or line[0] != "|" or line[-1] != "|":
            return None
        rows.append([cell.strip(" ") for cell in line[1:-1].split("|")])
    columns = len(rows[0])
    if len(rows[1]) != columns:
        return None
    out = ["<table>\n<thead>\n<tr>\n"]
    for cell in rows[0]:
        rendered = _cell(cell, inline)
        if rendered is None:
            return None
        out.append(f"<th>{rendered}</th>\n")
    out.append("</tr>\n</thead>\n")
    if len(rows) > 2:
        out.append("<tbody>\n")
        for row in rows[2:]:
            out.append("<tr>\n")
            for index in range(columns):
                rendered = _cell(row[index], inline) if index < len(row) else ""
                if rendered is None:
                    return None
                out.append(f"<td>{rendered}</td>\n")
            out.append("</tr>\n")
        out.append("</tbody>\n")
    out.append("</table>\n")
    return "".join(out)


def _cell(text: str, inline: Callable[[str], str | None]) -> str | None:
    if not text:
        return ""
    if text[0] in "\t" or text[-1] in "\t":
        return None
    return inline(text)
