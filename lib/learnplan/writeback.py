"""Writing newly assigned card ids back into the learner's files, touching nothing else.

Only text is inserted: every other byte (comments, quoting, blank lines, line endings, a
BOM) stays as it was. Each file is replaced atomically. Before changing a file the card
is found again at its recorded line and compared with what was read, so a file edited
since it was loaded is refused rather than damaged.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from .cardfile import add_id_to_heading, parse_heading
from .errors import PlanError, Problem
from .plan import Card, Plan

_BOM = b"\xef\xbb\xbf"
_CHANGED = "the file changed since the plan was read; run the build again"


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
        is_yaml = path == plan_file or path.suffix.lower() in (".yaml", ".yml")
        try:
            new_text = (
                _yaml_with_ids(text, path, cards)
                if is_yaml
                else _markdown_with_ids(text, path, cards)
            )
        except PlanError as exc:
            problems.extend(exc.problems)
            continue
        updates.append((path, bom + new_text.encode("utf-8")))
    if problems:
        raise PlanError(problems)
    for path, content in updates:
        _replace_atomically(path, content)
    return [path for path, _ in updates]


def _markdown_with_ids(text: str, path: Path, cards: list[Card]) -> str:
    lines = text.split("\n")  # a "\r" stays on its line, so CRLF files keep CRLF
    for card in cards:
        assert card.source is not None and card.key is not None
        index = card.source.line - 1
        if not 0 <= index < len(lines):
            raise PlanError.at(path, card.source.line, _CHANGED)
        line = lines[index]
        ending = "\r" if line.endswith("\r") else ""
        body = line[: len(line) - len(ending)]
        title, attrs, error = (
            parse_heading(body.lstrip(" ")[2:])
            if body.lstrip(" ").startswith("##")
            else ("", None, "not a heading")
        )
        if error or attrs is None or attrs.key is not None or not card.front.startswith(title):
            raise PlanError.at(path, card.source.line, _CHANGED)
        lines[index] = add_id_to_heading(body, card.key) + ending
    return "\n".join(lines)


def _yaml_with_ids(text: str, path: Path, cards: list[Card]) -> str:
    from .outline import parse_yaml

    data = parse_yaml(text, path)
    # Card mappings without an id, by 1-based line, in document order (columns ascending).
    spots: dict[int, list[Any]] = {}
    for mapping in _card_mappings(data):
        if "id" not in mapping:
            spots.setdefault(int(mapping.lc.line) + 1, []).append(mapping)
    for found in spots.values():
        found.sort(key=lambda m: int(m.lc.col))
    lines = text.split("\n")
    edits: list[tuple[int, int, str]] = []  # (line index, column, text to insert)
    taken: dict[int, int] = {}
    for card in cards:
        assert card.source is not None and card.key is not None
        line = card.source.line
        candidates = spots.get(line, [])
        position = taken.get(line, 0)
        if position >= len(candidates):
            raise PlanError.at(path, line, _CHANGED)
        taken[line] = position + 1
        mapping = candidates[position]
        written = mapping.get("cloze", mapping.get("front"))
        if not isinstance(written, str) or written.strip() != card.front:
            raise PlanError.at(path, line, _CHANGED)
        col = int(mapping.lc.col)
        source_line = lines[line - 1]
        scalar = _yaml_scalar(card.key)
        if mapping.fa.flow_style():
            if source_line[col : col + 1] != "{":
                raise PlanError.at(path, line, _CHANGED)
            edits.append((line - 1, col + 1, f"id: {scalar}, "))
        else:
            if col >= len(source_line) or source_line[col].isspace():
                raise PlanError.at(path, line, _CHANGED)
            eol = "\r" if source_line.endswith("\r") else ""
            edits.append((line - 1, col, f"id: {scalar}{eol}\n{' ' * col}"))
    # Right to left, bottom to top, so earlier offsets stay valid.
    for index, col, insert in sorted(edits, reverse=True):
        lines[index] = lines[index][:col] + insert + lines[index][col:]
    return "\n".join(lines)


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
    from ruamel.yaml import YAML

    loaded = YAML(typ="safe").load(f"k: {key}\n")
    return key if loaded == {"k": key} else f'"{key}"'


def _replace_atomically(path: Path, content: bytes) -> None:
    target = Path(os.path.realpath(path))  # a symlinked file stays a symlink
    mode = stat.S_IMODE(target.stat().st_mode)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
