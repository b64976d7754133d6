"""Card files named by an outline: Markdown (``## `` per card) and CSV/TSV (a row per
card), read into a course's pending cards with the same rules as inline cards.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from learnplan.base.errors import PlanError
from learnplan.cards.files import image_url
from learnplan.model.fields import card_text_problem, tag_problem, too_many, type_name
from learnplan.model.limits import FRONT_MATTER_KEYS, MAX_CARD_TEXT, MAX_TAGS
from learnplan.model.plan import CardKind, SourceRef, make_card
from learnplan.reading.context import ReadContext, YamlFields
from learnplan.reading.csv_cards import is_csv_name, read_csv_cards
from learnplan.reading.markdown_cards import split_card_file
from learnplan.reading.pending import Pending
from learnplan.reading.source_text import read_source_text, split_lines
from learnplan.reading.yaml_load import parse_yaml


def read_card_file(
    context: ReadContext, name: str, line: int, default_lesson: str | None, out: Pending
) -> None:
    """Adds the cards of the file ``name`` (named at the outline's ``line``) to ``out``."""
    plan_file = context.plan_file
    path = context.inside(name, context.plan_dir, plan_file, line, "card file")
    if path is None:
        return
    real = Path(os.path.realpath(path))
    if real in context.used_files:
        first_path, first_line = context.used_files[real]
        context.add(
            plan_file,
            line,
            f"card file {name!r} is already used at {first_path}:{first_line}; list each file once",
        )
        return
    context.used_files[real] = (plan_file, line)
    context.read_file(path)
    try:
        text = read_source_text(path)
    except PlanError as exc:
        context.extend(exc.problems)
        return
    if is_csv_name(path):
        read_csv_cards(context, path, text, line, default_lesson, out)
    else:
        _read_markdown(context, path, text, line, default_lesson, out)


def _read_markdown(
    context: ReadContext,
    path: Path,
    text: str,
    line: int,
    default_lesson: str | None,
    out: Pending,
) -> None:
    front_matter, rows, problems = split_card_file(text, path)
    context.extend(problems)
    file_lesson, file_lesson_line, file_lesson_file = default_lesson, line, context.plan_file
    file_tags: tuple[str, ...] = ()
    if front_matter is not None:
        fm = front_matter
        try:
            data = parse_yaml(fm.text, path, fm.first_line)
        except PlanError as exc:
            context.extend(exc.problems)
            return
        if data is None:
            data = {}
        if not isinstance(data, dict):
            context.add(
                path,
                fm.first_line,
                f"front matter must be a mapping (lesson:, tags:), not {type_name(data)}",
            )
            return
        f = YamlFields(context, path, data, "front matter", offset=fm.first_line)
        f.check_keys(FRONT_MATTER_KEYS, ())
        if "lesson" in data:
            lesson = f.slug("lesson")
            if lesson is not None:
                file_lesson, file_lesson_line = lesson, f.line("lesson")
                file_lesson_file = path
        file_tags = f.tags("tags")
    lines: list[str] = []  # split only when a card may hold an image
    add_card, add_lesson_line, add_lesson_file, add_id_line = (
        out.cards.append,
        out.lesson_lines.append,
        out.lesson_files.append,
        out.id_lines.append,
    )
    folder = path.parent
    for line, last_line, kind, front, back, key, _, card_lesson, tags in rows:
        if (
            tags
            or len(front) > MAX_CARD_TEXT
            or len(back) > MAX_CARD_TEXT
            or not (front.isascii() and back.isascii())
            or "\x00" in front
            or "\x00" in back
        ):  # the usual card needs no closer look (this runs once per card)
            wrong = _card_file_problem(kind, front, back, tags)
            if wrong is not None:
                context.add(path, line, wrong)
                continue
        if "![" in front or "<" in front or "![" in back or "<" in back:
            lines = lines or split_lines(text)
            for part in (front, back):
                if "![" in part or "<" in part:
                    context.check_images(
                        part, path, folder, _line_finder(lines, (line, last_line), line)
                    )
        lesson, lesson_line, lesson_file = file_lesson, file_lesson_line, file_lesson_file
        if card_lesson is not None:
            lesson, lesson_line, lesson_file = card_lesson, line, path
        if file_tags:
            tags = tuple(dict.fromkeys((*file_tags, *tags)))
        # Positional: this runs once per card of a large plan (fields in plan.py order).
        add_card(make_card(key, kind, front, back, lesson, tags, SourceRef(path, line), folder))
        add_lesson_line(lesson_line)
        add_lesson_file(lesson_file)
        add_id_line(line)


def _card_file_problem(kind: CardKind, front: str, back: str, tags: tuple[str, ...]) -> str | None:
    """The plan rules for a card read from a Markdown file (the YAML reader applies the
    same ones through YamlFields): its text, and the tags of its heading."""
    for side, text in zip(
        ("cloze", "extra") if kind == "cloze" else ("front", "back"), (front, back), strict=True
    ):
        wrong = card_text_problem(text)
        if wrong is not None:
            return f"card {side} {wrong}"
    if tags:
        wrong = too_many("the card", len(tags), MAX_TAGS, "tags")
        for tag in tags:
            wrong = wrong or tag_problem(tag)
        return wrong
    return None


def _line_finder(lines: list[str], span: tuple[int, int], default: int) -> Callable[[str], int]:
    def find(src: str) -> int:
        spellings = {src, image_url(src), unquote(image_url(src))}
        for number in range(span[0], min(span[1], len(lines)) + 1):
            if any(spelling and spelling in lines[number - 1] for spelling in spellings):
                return number
        return default

    return find
