"""The heading of a Markdown card: its title and the ``{#id .reversed lesson=ID
tags=a,b}`` attribute block that may end it (docs/outline.md), read and written."""

from __future__ import annotations

import re
from dataclasses import dataclass

from learnplan.reading.card_syntax import is_slug

_HEADING = re.compile(r" {0,3}##(?:[ \t]+(.*?))?[ \t]*$")
# The attribute block is the last ``{...}`` of a heading, preceded by a space (or alone),
# so a cloze's closing ``}}`` is never taken for one.
_ATTRS = re.compile(r"(?:^|[ \t])\{([^{}]*)\}[ \t]*$")


@dataclass(frozen=True)
class HeadingAttrs:
    key: str | None = None
    reversed: bool = False
    lesson: str | None = None
    tags: tuple[str, ...] = ()


_NO_ATTRS = HeadingAttrs()
_SLUG_TEXT = r"([a-z0-9][a-z0-9-]{0,63})"
# A heading ending in the usual attribute block: title, id, .reversed, lesson. The block
# holds no brace, so its '{' is the last one, as the general path requires.
_COMMON_HEADING = re.compile(
    r"(.*)[ \t]\{#" + _SLUG_TEXT + r"(?:[ \t]+(\.reversed))?(?:[ \t]+lesson=" + _SLUG_TEXT + r")?\}"
).fullmatch


def parse_heading(text: str) -> tuple[str, HeadingAttrs, str | None]:
    """(title, attributes, error) for the text after ``## ``."""
    title, key, reversed_, lesson, tags, error = heading_fields(text)
    if error is not None:
        return title, _NO_ATTRS, error
    return title, HeadingAttrs(key, reversed_, lesson, tags), None


def heading_fields(
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
            if not is_slug(key):
                return _attr_error(
                    f"card id {key!r} is not a slug: use lower-case "
                    "letters, digits and '-', starting with a letter or digit"
                )
        elif token == ".reversed":
            reversed_ = True
        elif token.startswith("lesson="):
            lesson = token[len("lesson=") :]
            if not is_slug(lesson):
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
