"""One card written as a mapping: inline in the outline's YAML, or a row of a CSV/TSV card
file (whose columns name the same keys). The plan rules (rules.py) decide every value.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from learnplan.model.limits import CARD_KEYS, MAX_CARD_TEXT
from learnplan.model.plan import Card, CardKind, SourceRef, make_card
from learnplan.reading.card_syntax import has_cloze, is_slug, looks_like_cloze
from learnplan.reading.context import ReadContext, YamlFields
from learnplan.reading.yaml_nodes import YamlMap

#: (card, line naming its lesson, line of its id)
ReadCard = tuple[Card, int, int]

_BASIC_KEYS = frozenset({"id", "front", "back", "lesson", "reversed"})
_CLOZE_KEYS = frozenset({"id", "cloze", "extra", "lesson"})


def read_card(
    context: ReadContext,
    path: Path,
    folder: Path,
    node: Any,
    default_lesson: str | None,
    in_lesson: bool,
    offset: int = 1,
    *,
    raw_html: bool = True,
) -> ReadCard | None:
    """The card ``node`` describes, or None after reporting its problems. Images are
    relative to ``folder``; lines count from ``offset``; ``raw_html=False`` for text that
    holds no HTML (:attr:`Card.raw_html`)."""
    quick = quick_mapping_card(path, folder, node, default_lesson, in_lesson, offset)
    if quick is not None:
        return quick if raw_html else (dataclasses.replace(quick[0], raw_html=False), *quick[1:])
    return read_card_fully(
        context, path, folder, node, default_lesson, in_lesson, offset, raw_html=raw_html
    )


def read_card_fully(
    context: ReadContext,
    path: Path,
    folder: Path,
    node: Any,
    default_lesson: str | None,
    in_lesson: bool,
    offset: int = 1,
    *,
    raw_html: bool = True,
) -> ReadCard | None:
    """:func:`read_card` without trying :func:`quick_mapping_card` first: for a caller
    that has just tried it."""
    f = YamlFields(context, path, node, "card", offset)
    f.check_keys(CARD_KEYS, ())
    key = None
    if "id" in node and node["id"] is None:
        f.problem("id", "card id is empty; remove the key to have an id assigned")
    elif "id" in node:
        key = f.slug("id")
    front, back, cloze, extra = (
        f.text(side, limit=MAX_CARD_TEXT, one_line=False)
        for side in ("front", "back", "cloze", "extra")
    )
    reversed_ = f.boolean("reversed")
    tags = f.tags("tags")
    lesson = f.slug("lesson") if "lesson" in node else None
    if lesson is not None and in_lesson and lesson != default_lesson:
        f.problem(
            "lesson",
            f"this card is listed under lesson '{default_lesson}' but says "
            f"lesson: {lesson}; move it to the course's cards to choose its lesson",
        )
    if f.bad:
        return None
    kind: CardKind
    if "front" in node and "cloze" in node:
        f.problem(None, "a card has either front (with back) or cloze, not both")
        return None
    if "cloze" in node:
        assert cloze is not None
        for bad_key, why in (
            ("back", "use extra for a cloze's notes"),
            ("reversed", "a cloze card cannot be reversed"),
        ):
            if bad_key in node:
                f.problem(bad_key, f"a cloze card has no {bad_key}: {why}")
        if not cloze.strip():
            f.problem("cloze", "cloze text is empty")
        elif not has_cloze(cloze):
            f.problem(
                "cloze",
                "cloze text has no deletion: mark the hidden part as "
                "{{c1::answer}} (numbers start at 1, text not empty)",
            )
        if f.count:
            return None
        kind, text_front, text_back = "cloze", cloze.strip(), (extra or "").strip()
    elif "front" in node:
        assert front is not None
        if "extra" in node:
            f.problem("extra", "extra belongs to cloze cards; a front/back card uses back")
        if not front.strip():
            f.problem("front", "card front is empty: write the question")
        if looks_like_cloze(front):
            f.problem(
                "front",
                "front holds a cloze deletion {{c1::...}}: write it as cloze: instead of front:",
            )
        if back is None or not back.strip():
            f.problem(
                "back" if "back" in node else None,
                "card has no back: add back: with the answer",
            )
        if f.count:
            return None
        assert back is not None
        kind = "reversed" if reversed_ else "basic"
        text_front, text_back = front.strip(), back.strip()
    else:
        f.problem(None, "card needs front: and back: (or cloze:)")
        return None
    line = f.line()
    context.check_images(
        text_front,
        path,
        folder,
        lambda _ref: f.line("cloze" if "cloze" in node else "front"),
        html=raw_html,
    )
    context.check_images(
        text_back,
        path,
        folder,
        lambda _ref: f.line("extra" if "cloze" in node else "back"),
        html=raw_html,
    )
    card = Card(
        key=key,
        kind=kind,
        front=text_front,
        back=text_back,
        lesson=lesson if lesson is not None else default_lesson,
        tags=tags,
        source=SourceRef(path, line),
        base_dir=folder,
        raw_html=raw_html,
    )
    return (
        card,
        f.line("lesson") if lesson is not None else line,
        f.line("id") if key is not None else line,
    )


def quick_card(
    path: Path,
    folder: Path,
    line: int,
    kind: CardKind,
    front: Any,
    back: Any,
    key: Any,
    lesson: Any,
    default_lesson: str | None,
    in_lesson: bool,
    tags: tuple[str, ...] = (),
    raw_html: bool = True,
) -> Card | None:
    """The usual card from its values (``key`` and ``lesson`` None when not given), taken
    without :func:`read_card`'s closer look: the very card it gives, or None when the
    card needs that look. This runs once per card of a large plan."""
    # Text no rule of a card side can object to, nor holding an image (both sides at
    # once: a "![" across the two only sends the card the longer way).
    if type(front) is not str or type(back) is not str:
        return None
    both = front + back
    if (
        len(front) > MAX_CARD_TEXT
        or len(back) > MAX_CARD_TEXT
        or not both.isascii()
        or "\x00" in both
        or "<" in both
        or "![" in both
    ):
        return None
    front, back = front.strip(), back.strip()
    if kind == "cloze":
        if not front or not has_cloze(front):
            return None
    elif not front or not back or looks_like_cloze(front):
        return None
    if key is not None and not (type(key) is str and is_slug(key)):
        return None
    if lesson is None:
        lesson = default_lesson
    elif not (type(lesson) is str and is_slug(lesson)) or (in_lesson and lesson != default_lesson):
        return None
    # Positional (fields in plan.py's order): this runs once per card.
    return make_card(key, kind, front, back, lesson, tags, SourceRef(path, line), folder, raw_html)


def quick_mapping_card(
    path: Path,
    folder: Path,
    node: Any,
    default_lesson: str | None,
    in_lesson: bool,
    offset: int,
) -> ReadCard | None:
    """:func:`quick_card` for a card written as a mapping (``offset`` the line its text
    starts on), with the lines naming its lesson and its id; None when :func:`read_card`
    must look closer."""
    if not isinstance(node, YamlMap):
        return None
    keys = node.keys()
    kind: CardKind
    if "front" in node:
        if not keys <= _BASIC_KEYS or "back" not in node:
            return None
        front, back = node["front"], node["back"]
        reversed_ = node.get("reversed", False)
        if type(reversed_) is not bool:
            return None
        kind = "reversed" if reversed_ else "basic"
    elif "cloze" in node:
        if not keys <= _CLOZE_KEYS:
            return None
        front, back, kind = node["cloze"], node.get("extra", ""), "cloze"
    else:
        return None
    key, lesson = node.get("id"), node.get("lesson")
    if (key is None and "id" in node) or (lesson is None and "lesson" in node):
        return None  # an empty value: read_card says so
    line = node.line + offset
    card = quick_card(path, folder, line, kind, front, back, key, lesson, default_lesson, in_lesson)
    if card is None:
        return None
    return (
        card,
        node.value_line("lesson") + offset if lesson is not None else line,
        node.value_line("id") + offset if key is not None else line,
    )
