"""Writing newly assigned card ids back into the learner's files, touching nothing else.

Only text is inserted: every other byte (comments, quoting, blank lines, line endings, a
BOM) stays as it was. Each file is replaced atomically. A card is found where its reader
found it, counting lines exactly as that reader does: the YAML reader ends a line at
``\n`` and at a ``\r`` not followed by ``\n`` (so a lone CR inside a quoted string is a
line break), the Markdown and CSV card readers only at ``\n`` (CSV files:
reading/csv_ids.py). Before changing a file the card is
found again there and compared with what was read, so a file edited since it was loaded
is refused rather than damaged; after editing, the new text is read back and must hold
exactly the old content plus the new ids, or nothing is written.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from learnplan.base.atomic import replace_file
from learnplan.base.errors import PlanError, Problem
from learnplan.model.plan import Card, Plan
from learnplan.reading.csv_cards import is_csv_name
from learnplan.reading.csv_ids import CHANGED, csv_with_ids
from learnplan.reading.headings import add_id_to_heading, parse_heading
from learnplan.reading.markdown_cards import split_card_file
from learnplan.reading.splice import splice
from learnplan.reading.yaml_fast import NotFast, plain_value
from learnplan.reading.yaml_load import parse_yaml_roundtrip

_BOM = b"\xef\xbb\xbf"
# Where ruamel's reader (Reader.forward) starts a new line, which its marks count.
_YAML_BREAK = re.compile(r"\n|\r(?!\n)")
# Keys made of these characters only are a plain scalar as written (no indicator, no
# date): whether YAML reads them as text or as a number, true or null is plain_value's.
_PLAIN_SAFE = re.compile(r"[0-9A-Za-z_.]+").fullmatch


def _unsafe(key: str | None, how: str = "id: {key}") -> str:
    what = "the new id into this card" if key else "the new ids into this file"
    advice = f"; add '{how.format(key=key)}' to the card by hand" if key else ""
    return (
        f"cannot write {what} safely (the edited file would not read back the same, so "
        f"nothing was written){advice}"
    )


def write_back_ids(plan: Plan) -> list[Path]:
    """Write the key of every card with ``new_key`` into its source file, in place.

    Returns the files changed, in plan order. Call only after the whole build succeeded.
    Raises :class:`PlanError` (and writes nothing) if a file no longer matches the plan.
    """
    by_file: dict[Path, list[Card]] = {}
    for course in plan.courses:
        for card in course.cards:
            if card.new_key and card.key is not None and card.source is not None:
                by_file.setdefault(card.source.path, []).append(card)
    plan_file = plan.source.path if plan.source is not None else None
    updates: list[tuple[Path, bytes]] = []
    problems: list[Problem] = []
    for path, cards in by_file.items():
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            problems.append(Problem(path, 0, f"cannot read the file: {exc.strerror or exc}"))
            continue
        bom = _BOM if data.startswith(_BOM) else b""
        text = data[len(bom) :].decode("utf-8")
        try:
            # As the reader decides: the outline is the only YAML file, a card file is
            # CSV by its name and Markdown otherwise (whatever its ending).
            if path == plan_file:
                new_text = _yaml_with_ids(text, path, cards)
            elif is_csv_name(path):
                new_text = csv_with_ids(
                    text, path, cards, lambda key: _unsafe(key, "{key} in its id cell")
                )
            else:
                new_text = _markdown_with_ids(text, path, cards)
        except PlanError as exc:
            problems.extend(exc.problems)
            continue
        updates.append((path, bom + new_text.encode("utf-8")))
    if problems:
        raise PlanError(problems)
    for path, content in updates:
        replace_file(path, content)
    return [path for path, _ in updates]


def _markdown_with_ids(text: str, path: Path, cards: list[Card]) -> str:
    # Lines as split_card_file numbers them: "\n" ends a line; a "\r" before it stays on
    # its line (so CRLF files keep CRLF), a lone "\r" is part of the line.
    lines = text.split("\n")
    keys: dict[int, str] = {}
    for card in cards:
        assert card.source is not None and card.key is not None
        index = card.source.line - 1
        if not 0 <= index < len(lines):
            raise PlanError.at(path, card.source.line, CHANGED)
        line = lines[index]
        ending = "\r" if line.endswith("\r") else ""
        body = line[: len(line) - len(ending)]
        title, attrs, error = (
            parse_heading(body.lstrip(" ")[2:])
            if body.lstrip(" ").startswith("##")
            else ("", None, "not a heading")
        )
        if error or attrs is None or attrs.key is not None or not card.front.startswith(title):
            raise PlanError.at(path, card.source.line, CHANGED)
        lines[index] = add_id_to_heading(body, card.key) + ending
        keys[card.source.line] = card.key
    new_text = "\n".join(lines)
    _verify_markdown(text, new_text, path, keys)
    return new_text


def _verify_markdown(old: str, new: str, path: Path, keys: dict[int, str]) -> None:
    """The edited file must split into the same cards, with the new ids where meant."""
    _, before, _ = split_card_file(old, path)
    _, after, _ = split_card_file(new, path)
    expected = [row if row[0] not in keys else (*row[:5], keys[row[0]], *row[6:]) for row in before]
    if after == expected:
        return
    bad = next(
        (row for index, row in enumerate(expected) if index >= len(after) or after[index] != row),
        None,
    )
    line = bad[0] if bad is not None else min(keys)
    raise PlanError.at(path, line, _unsafe(keys.get(line), "{{#{key}}}"))


def _yaml_with_ids(text: str, path: Path, cards: list[Card]) -> str:
    data = parse_yaml_roundtrip(text, path)
    # Card mappings without an id, by 1-based line, in document order (columns ascending).
    all_maps = _card_mappings(data)
    spots: dict[int, list[Any]] = {}
    for mapping in all_maps:
        if "id" not in mapping:
            spots.setdefault(int(mapping.lc.line) + 1, []).append(mapping)
    for found in spots.values():
        found.sort(key=lambda m: int(m.lc.col))
    starts = [0, *(m.end() for m in _YAML_BREAK.finditer(text))]
    edits: list[tuple[int, str]] = []  # (offset in text, text to insert)
    placed: list[tuple[Any, Card]] = []
    taken: dict[int, int] = {}
    for card in cards:
        assert card.source is not None and card.key is not None
        line = card.source.line
        candidates = spots.get(line, [])
        position = taken.get(line, 0)
        if position >= len(candidates) or line > len(starts):
            raise PlanError.at(path, line, CHANGED)
        taken[line] = position + 1
        mapping = candidates[position]
        written = mapping.get("cloze", mapping.get("front"))
        if not isinstance(written, str) or written.strip() != card.front:
            raise PlanError.at(path, line, CHANGED)
        col = int(mapping.lc.col)
        offset = _yaml_offset(text, starts[line - 1], col)
        scalar = _yaml_scalar(card.key)
        if mapping.fa.flow_style():
            if text[offset : offset + 1] != "{":
                raise PlanError.at(path, line, _unsafe(card.key))
            edits.append((offset + 1, f"id: {scalar}, "))
        else:
            first = str(next(iter(mapping)))
            if not any(text.startswith(q + first, offset) for q in ("", '"', "'")):
                raise PlanError.at(path, line, _unsafe(card.key))
            edits.append((offset, f"id: {scalar}{_line_break(text, offset)}{' ' * col}"))
        mapping.insert(0, "id", card.key)  # what the edited file must read back as
        placed.append((mapping, card))
    new_text = splice(text, edits)
    try:
        reread = parse_yaml_roundtrip(new_text, path)
    except PlanError:
        reread = None
    if reread is None or _plain(reread) != _plain(data):
        new_maps = _card_mappings(reread)
        index = {id(mapping): i for i, mapping in enumerate(all_maps)}
        for mapping, card in placed:
            i = index[id(mapping)]
            if i >= len(new_maps) or _plain(new_maps[i]) != _plain(mapping):
                assert card.source is not None
                raise PlanError.at(path, card.source.line, _unsafe(card.key))
        raise PlanError.at(path, 0, _unsafe(None))
    return new_text


def _yaml_offset(text: str, start: int, col: int) -> int:
    """The offset of ruamel's mark (line starting at ``start``, column ``col``): its
    columns count every character except U+FEFF."""
    end = start + col
    if "\ufeff" not in text[start:end]:
        return end
    offset, counted = start, 0
    while counted < col and offset < len(text):
        if text[offset] != "\ufeff":
            counted += 1
        offset += 1
    return offset


def _line_break(text: str, offset: int) -> str:
    """The line break that ends the line holding ``offset`` (``\n`` at the end)."""
    found = _YAML_BREAK.search(text, offset)
    if found is None:
        return "\n"
    if found.group() == "\n" and found.start() > 0 and text[found.start() - 1] == "\r":
        return "\r\n"
    return found.group()


def _plain(node: Any) -> Any:
    """A parsed YAML document as plain Python values, to compare two of them."""
    if isinstance(node, dict):
        return {str(key): _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    if isinstance(node, float) and math.isnan(node):
        return "NaN"
    return node


def _card_mappings(data: Any) -> list[Any]:
    out: list[Any] = []
    courses = data.get("courses") if isinstance(data, dict) else None
    for course in courses if isinstance(courses, list) else []:
        if not isinstance(course, dict):
            continue
        holders = [course]
        lessons = course.get("lessons")
        if isinstance(lessons, list):
            holders.extend(lesson for lesson in lessons if isinstance(lesson, dict))
        for holder in holders:
            cards = holder.get("cards")
            if isinstance(cards, list):
                out.extend(card for card in cards if isinstance(card, dict))
    return out


def _yaml_scalar(key: str) -> str:
    """``key`` as YAML text that reads back as the same string (``1234e567`` would be a
    number if written plain)."""
    if _PLAIN_SAFE(key):
        try:
            value = plain_value(key)
        except NotFast:
            pass
        else:
            return key if type(value) is str and value == key else f'"{key}"'
    # Rarer keys (with punctuation YAML may read as syntax, or numbers in rarer forms):
    # ask ruamel.yaml, which starts a parser: too slow for every new id.
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        loaded = YAML(typ="safe").load(f"k: {key}\n")
    except YAMLError:  # "-" alone, say: not a plain scalar at all
        loaded = None
    return key if loaded == {"k": key} else f'"{key}"'
