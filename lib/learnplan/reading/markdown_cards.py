"""Markdown card files: one ``## `` heading per card (syntax in docs/outline.md).

This module only splits a file into cards (their headings: reading/headings.py); checking
ids against the plan, lessons and images is the outline reader's job, so that every
problem in a plan is reported with the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from learnplan.base.errors import Problem
from learnplan.model.plan import CardKind
from learnplan.reading.card_syntax import has_cloze, looks_like_cloze
from learnplan.reading.headings import heading_fields
from learnplan.reading.source_text import split_lines

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# Only lines starting with one of these can be headings, fences or a '%' separator.
_SPECIAL = frozenset(" \t#`~%")


# --- card files


@dataclass(frozen=True)
class FrontMatter:
    text: str  # the YAML between the ``---`` lines
    first_line: int  # 1-based line of the first YAML line


#: One card as :func:`split_card_file` finds it: (line of its heading, last line, kind,
#: front, back, id, reversed, lesson, tags). A plain tuple because the outline reader
#: turns hundreds of thousands of them straight into plan Cards.
CardRow = tuple[int, int, CardKind, str, str, str | None, bool, str | None, tuple[str, ...]]


def split_card_file(
    text: str, path: Path
) -> tuple[FrontMatter | None, list[CardRow], list[Problem]]:
    """Split a Markdown card file into its front matter and its cards, each a
    :data:`CardRow`, in file order. Problems are collected, not raised."""
    lines = split_lines(text)
    problems: list[Problem] = []
    front_matter: FrontMatter | None = None
    index = 0
    if lines and lines[0].rstrip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
        if end is None:
            problems.append(
                Problem(
                    path,
                    1,
                    "front matter opened with '---' is never closed; "
                    "end it with a line holding only '---'",
                )
            )
            return None, [], problems
        front_matter = FrontMatter("\n".join(lines[1:end]) + "\n", 2)
        index = end + 1

    cards: list[CardRow] = []
    heading: tuple[int, str] | None = None  # (line number, heading text)
    body: list[str] = []
    separator: int | None = None  # line number of the card's '%' line
    cut = 0  # how many body lines come before it
    fence: str | None = None
    seen_text_outside = False

    def finish(last_line: int) -> None:
        if heading is not None:
            split = cut if separator is not None else None
            card = _make_row(path, heading[0], heading[1], body, split, last_line, problems)
            if card is not None:
                cards.append(card)

    for number, line in enumerate(lines[index:], start=index + 1):
        if heading is not None and fence is None and (not line or line[0] not in _SPECIAL):
            body.append(line)  # the common case, kept cheap for large files
            continue
        if fence is None and line.startswith("## "):
            # The usual card heading, taken without _heading_level (same result).
            finish(number - 1)
            heading, body, separator = (number, line[3:].strip(" \t")), [], None
            continue
        if fence is not None:
            if line.lstrip(" ").startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            if heading is not None:
                body.append(line)
            continue
        opened = _FENCE.match(line) if "`" in line or "~" in line else None
        if opened:
            fence = opened.group(1)
        else:
            level, text = _heading_level(line)
            if level == 2:
                finish(number - 1)
                heading, body, separator = (number, text), [], None
                continue
            if level == 1:
                finish(number - 1)
                heading, body, separator = None, [], None
                continue
        if heading is None:
            if line.strip() and not seen_text_outside:
                seen_text_outside = True
                problems.append(
                    Problem(
                        path,
                        number,
                        "text outside any card; start each card with a "
                        "'## ' heading (only '# ' titles may stand outside cards)",
                    )
                )
            continue
        if opened is None and line.strip() == "%":
            if separator is not None:
                problems.append(
                    Problem(
                        path,
                        number,
                        f"second '%' separator in one card (first at line "
                        f"{separator}); a card has one front and one back",
                    )
                )
            else:
                separator, cut = number, len(body)
            continue
        body.append(line)
    finish(len(lines))  # an unclosed fence runs to the end of the file, as in CommonMark
    return front_matter, cards, problems


def _heading_level(line: str) -> tuple[int, str]:
    """(1, "") for a ``# `` title, (2, text) for a ``## `` card heading, else (0, "")."""
    stripped = line.lstrip(" ")
    if not stripped.startswith("#") or len(line) - len(stripped) > 3:
        return 0, ""
    if stripped.startswith("##"):
        if len(stripped) == 2 or stripped[2] in " \t":
            return 2, stripped[2:].strip(" \t")
        return 0, ""
    if len(stripped) == 1 or stripped[1] in " \t":
        return 1, ""
    return 0, ""


def _make_row(
    path: Path,
    line: int,
    heading: str,
    body: list[str],
    cut: int | None,  # body lines before the '%' line, if there is one
    last_line: int,
    problems: list[Problem],
) -> CardRow | None:
    title, key, reversed_, lesson, tags, error = heading_fields(heading)
    if error is not None:
        problems.append(Problem(path, line, error))
        return None
    if cut is not None:
        extra_front, back_lines = body[:cut], body[cut:]
        front = _join([title, "", *extra_front]) if _strip_blank(extra_front) else title
    else:
        front, back_lines = title, body
    back = _join(back_lines)
    front = front.strip()
    if not front:
        problems.append(
            Problem(path, line, "card has an empty front: write the question after '## '")
        )
        return None
    kind: CardKind
    if looks_like_cloze(front):
        if reversed_:
            problems.append(Problem(path, line, "a cloze card cannot be .reversed"))
            return None
        if not has_cloze(front):
            problems.append(
                Problem(
                    path,
                    line,
                    "cloze has no usable deletion: write "
                    "{{c1::answer}} (numbers start at 1, text not empty)",
                )
            )
            return None
        kind = "cloze"
    else:
        kind = "reversed" if reversed_ else "basic"
        if not back:
            problems.append(
                Problem(
                    path,
                    line,
                    "card has no back: write the answer under its heading (or after a '%' line)",
                )
            )
            return None
    return line, last_line, kind, front, back, key, reversed_, lesson, tags


def _strip_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _join(lines: list[str]) -> str:
    if len(lines) == 2 and not lines[1].strip() and lines[0].strip():
        return lines[0]  # the usual body: one line, then the blank line before the next card
    return "\n".join(_strip_blank(lines))
