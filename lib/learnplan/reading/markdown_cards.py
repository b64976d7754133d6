"""Markdown card files: one ``## `` heading per card (syntax in docs/outline.md).

This module only splits a file into cards and reads heading attributes; checking ids
against the plan, lessons and images is the outline reader's job, so that every problem
in a plan is reported with the same rules. Also home of the helpers both readers share:
reading a source file safely and cloze detection (images: learnplan.cards.files and
learnplan.cards.render).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from learnplan.base.errors import PlanError, Problem
from learnplan.model.plan import SLUG, CardKind

#: Larger files are refused: a plan is hand-written, and a runaway file should fail fast.
MAX_FILE_BYTES = 20 * 1024 * 1024

_CLOZE_START = re.compile(r"\{\{c(\d+)::")
_HEADING = re.compile(r" {0,3}##(?:[ \t]+(.*?))?[ \t]*$")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# The attribute block is the last ``{...}`` of a heading, preceded by a space (or alone),
# so a cloze's closing ``}}`` is never taken for one.
_ATTRS = re.compile(r"(?:^|[ \t])\{([^{}]*)\}[ \t]*$")
# Only lines starting with one of these can be headings, fences or a '%' separator.
_SPECIAL = frozenset(" \t#`~%")
# Bound once: these run for every card of a 100,000-card plan.
_slug_match = SLUG.fullmatch
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


def read_source_text(path: Path) -> str:
    """A plan source file as text: UTF-8 (an optional BOM is dropped), at most
    :data:`MAX_FILE_BYTES`. Raises :class:`PlanError` naming the file and line."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise PlanError.at(path, 0, "is a folder, not a file") from None
    except FileNotFoundError:
        raise PlanError.at(path, 0, "file not found") from None
    except OSError as exc:
        raise PlanError.at(path, 0, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise PlanError.at(
            path, 0, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it up"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PlanError.at(
            path,
            line,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at byte offset {exc.start}); "
            "save the file as UTF-8",
        ) from None


def split_lines(text: str) -> list[str]:
    """Lines without their endings. Only ``\\n`` and ``\\r\\n`` end a line, as in editors
    (``str.splitlines`` would also split on form feeds and Unicode separators)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if "\r" not in text:
        return lines
    return [line[:-1] if line.endswith("\r") else line for line in lines]


# --- card files


@dataclass(frozen=True)
class FrontMatter:
    text: str  # the YAML between the ``---`` lines
    first_line: int  # 1-based line of the first YAML line


@dataclass(frozen=True)
class HeadingAttrs:
    key: str | None = None
    reversed: bool = False
    lesson: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class RawCard:
    """A card as written in a Markdown file, before plan-level checks."""

    line: int  # 1-based line of its ``## `` heading
    kind: CardKind
    front: str
    back: str
    attrs: HeadingAttrs
    body_lines: tuple[int, int]  # first and last 1-based line of the card, for messages


@dataclass(frozen=True)
class ParsedCardFile:
    front_matter: FrontMatter | None
    cards: tuple[RawCard, ...]
    problems: tuple[Problem, ...]


#: One card as :func:`split_card_file` finds it: (line of its heading, last line, kind,
#: front, back, id, reversed, lesson, tags). A plain tuple, not a RawCard, because the
#: outline reader turns hundreds of thousands of them straight into plan Cards.
CardRow = tuple[int, int, CardKind, str, str, str | None, bool, str | None, tuple[str, ...]]


def parse_card_file(text: str, path: Path) -> ParsedCardFile:
    """Split a Markdown card file into cards. Problems are collected, not raised."""
    front_matter, rows, problems = split_card_file(text, path)
    return ParsedCardFile(
        front_matter,
        tuple(
            RawCard(
                line,
                kind,
                front,
                back,
                HeadingAttrs(key, reversed_, lesson, tags),
                (line, last_line),
            )
            for line, last_line, kind, front, back, key, reversed_, lesson, tags in rows
        ),
        tuple(problems),
    )


def split_card_file(
    text: str, path: Path
) -> tuple[FrontMatter | None, list[CardRow], list[Problem]]:
    """:func:`parse_card_file` with each card as a :data:`CardRow` and the problems as a
    list (same cards, same problems, in the same order)."""
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
    title, key, reversed_, lesson, tags, error = _heading_fields(heading)
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
    if "{{c" in front and _cloze_search(front) is not None:  # looks_like_cloze, inlined
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


_NO_ATTRS = HeadingAttrs()
_SLUG_TEXT = r"([a-z0-9][a-z0-9-]{0,63})"
# A heading ending in the usual attribute block: title, id, .reversed, lesson. The block
# holds no brace, so its '{' is the last one, as the general path requires.
_COMMON_HEADING = re.compile(
    r"(.*)[ \t]\{#" + _SLUG_TEXT + r"(?:[ \t]+(\.reversed))?(?:[ \t]+lesson=" + _SLUG_TEXT + r")?\}"
).fullmatch


def parse_heading(text: str) -> tuple[str, HeadingAttrs, str | None]:
    """(title, attributes, error) for the text after ``## ``."""
    title, key, reversed_, lesson, tags, error = _heading_fields(text)
    if error is not None:
        return title, _NO_ATTRS, error
    return title, HeadingAttrs(key, reversed_, lesson, tags), None


def _heading_fields(
    text: str,
) -> tuple[str, str | None, bool, str | None, tuple[str, ...], str | None]:
    """:func:`parse_heading` with the attributes as separate fields: (title, key,
    reversed, lesson, tags, error). On an error, the title is the whole heading."""
    text = text.rstrip()
    key: str | None = None
    reversed_ = False
    lesson: str | None = None
    tags: tuple[str, ...] = ()
    common = _COMMON_HEADING(text) if text.endswith("}") else None
    if common is not None:
        # The usual block, ``{#id}`` maybe with .reversed and lesson=, all checked by one
        # pattern; anything else takes the general path below, which gives the same result.
        text, key, reversed_mark, lesson = common.groups()
        reversed_ = reversed_mark is not None
    elif text.endswith("}"):
        # What _ATTRS finds, with string operations (this runs for every card): the last
        # '{', nothing but the final '}' after it that is a brace, and before it a space, a
        # tab or the start of the text. (After rstrip the final '}' ends the text.)
        start = text.rfind("{")
        if (
            start >= 0
            and (start == 0 or text[start - 1] in " \t")
            and "}" not in text[start + 1 : -1]
        ):
            key, reversed_, lesson, tags, error = _parse_attrs(text[start + 1 : -1])
            if error is not None:
                return text, None, False, None, (), error
            text = text[: start - 1] if start else ""
    if text.endswith("#"):
        # An optional closing sequence of '#'s, as CommonMark allows (string ops, not a
        # regex: a long run of spaces must not make this quadratic).
        rest = text.rstrip(" \t").rstrip("#")
        if not rest or rest[-1] in " \t":
            text = rest
    return text.strip(), key, reversed_, lesson, tags, None


def attr_block_span(line: str) -> tuple[int, int] | None:
    """Start and end offsets of the ``{...}`` attribute block in a heading line."""
    match = _HEADING.fullmatch(line)
    if not match or match.group(1) is None:
        return None
    found = _ATTRS.search(match.group(1))
    if not found:
        return None
    offset = match.start(1)
    start = offset + found.group(0).index("{") + found.start()
    return start, offset + found.start() + found.group(0).rindex("}") + 1


_ATTR_HELP = "expected #id, .reversed, lesson=ID or tags=a,b"


_AttrFields = tuple[str | None, bool, str | None, tuple[str, ...], str | None]


def _attr_error(message: str) -> _AttrFields:
    return None, False, None, (), message


def _parse_attrs(inner: str) -> _AttrFields:
    """(key, reversed, lesson, tags, error) for the text inside ``{...}``."""
    key: str | None = None
    reversed_ = False
    lesson: str | None = None
    tags: list[str] = []
    for token in inner.split():
        if token.startswith("#"):
            if key is not None:
                return _attr_error(
                    f"two ids in one attribute block ({key!r} and {token[1:]!r}); a card has one id"
                )
            key = token[1:]
            if _slug_match(key) is None:
                return _attr_error(
                    f"card id {key!r} is not a slug: use lower-case "
                    "letters, digits and '-', starting with a letter or digit"
                )
        elif token == ".reversed":
            reversed_ = True
        elif token.startswith("lesson="):
            lesson = token[len("lesson=") :]
            if _slug_match(lesson) is None:
                return _attr_error(f"lesson={lesson!r} is not a lesson id (a slug)")
        elif token.startswith("tags="):
            tags.extend(t for t in token[len("tags=") :].split(",") if t)
            if not tags:
                return _attr_error("tags= is empty; write tags=a,b or leave it out")
        else:
            hint = ""
            if "=" not in token and not token.startswith((".", "#")):
                hint = " (if the braces belong to the question, end the heading with {})"
            return _attr_error(f"unknown attribute {token!r} in {{...}}: {_ATTR_HELP}{hint}")
    return key, reversed_, lesson, tuple(dict.fromkeys(tags)) if tags else (), None


def add_id_to_heading(line: str, key: str) -> str:
    """The heading line with ``#key`` added: into its ``{...}`` block, or as `` {#key}``.

    ``line`` carries no line ending; its trailing spaces are kept after the block.
    """
    span = attr_block_span(line)
    if span is not None:
        start, end = span
        inner = line[start + 1 : end - 1]
        sep = " " if inner.strip() else ""
        return f"{line[: start + 1]}#{key}{sep}{inner.lstrip()}{line[end - 1 :]}"
    stripped = line.rstrip(" \t")
    return f"{stripped} {{#{key}}}{line[len(stripped) :]}"
