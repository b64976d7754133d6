"""CSV/TSV card files: a row per card, read with the same rules as inline YAML cards.

The columns (named in the first row, or by Anki's ``#columns:`` header line) are the keys
of an inline card: ``front`` and ``back``, or ``cloze`` (and ``extra``); optional ``id``,
``lesson``, ``tags`` (separated by spaces, as Anki's) and ``reversed`` (true/false). Each
row becomes the mapping an inline card would be, at the line its record starts on, and
goes through :func:`learnplan.reading.inline_cards.read_card`. Cells hold Markdown and
maths like any card text; with ``#html:false`` a ``<`` in a cell is text, not HTML.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from learnplan.model.plan import Card, CardKind
from learnplan.reading.context import ReadContext, YamlFields
from learnplan.reading.csv_table import COLUMNS, CardTable, Record, read_table
from learnplan.reading.inline_cards import quick_card, read_card
from learnplan.reading.pending import Pending
from learnplan.reading.yaml_nodes import YamlList, YamlMap

_TRUE = frozenset({"true", "yes", "1", "x"})
_FALSE = frozenset({"false", "no", "0", ""})


def is_csv_name(path: Path) -> bool:
    """True for a card file read as CSV/TSV (by its name's ending)."""
    return path.suffix.lower() in (".csv", ".tsv")


def read_csv_cards(
    context: ReadContext,
    path: Path,
    text: str,
    line: int,
    default_lesson: str | None,
    out: Pending,
) -> None:
    """Adds the cards of the CSV/TSV file ``path`` (named at the outline's ``line``,
    under lesson ``default_lesson`` if any) to ``out``; problems go to ``context``."""
    table = read_table(text, path)
    context.extend(table.problems)
    if table.problems:
        return
    columns = _checked_columns(context, path, table)
    if columns is None:
        return
    lesson, lesson_line, lesson_file = default_lesson, line, context.plan_file
    tags: tuple[str, ...] = ()
    if table.meta:
        header = YamlMap(0)
        for key, (value, number) in table.meta.items():
            value_node: object = value.strip()
            if key == "tags":
                value_node = YamlList(number - 1)
                for tag in value.split():
                    value_node.put(tag, number - 1)
            header.put(key, value_node, number - 1, number - 1)
        f = YamlFields(context, path, header, "header")
        if "lesson" in header:
            named = f.slug("lesson")
            if named is None:
                return
            lesson, lesson_line, lesson_file = named, f.line("lesson"), path
        tags = f.tags("tags")
        if f.bad:
            return
    folder = path.parent
    quick = _QuickRows(columns)
    for record in table.records:
        card = quick.card(path, folder, record, lesson, tags, table.html)
        if card is not None:  # the usual row, read without building its mapping
            if quick.names_lesson(record):
                out.add(card, record.line, record.line)
            else:
                out.add(card, lesson_line, record.line, lesson_file=lesson_file)
            continue
        node = _card_mapping(context, path, columns, record)
        if node is None:
            continue
        read = read_card(context, path, folder, node, lesson, False, raw_html=table.html)
        if read is None:
            continue
        card, card_lesson_line, id_line = read
        if tags:
            card = dataclasses.replace(card, tags=tuple(dict.fromkeys((*tags, *card.tags))))
        if "lesson" in node:
            out.add(card, card_lesson_line, id_line)
        else:
            out.add(card, lesson_line, id_line, lesson_file=lesson_file)


class _QuickRows:
    """:func:`learnplan.reading.inline_cards.quick_card` for a row: the card its mapping
    would give, without building the mapping, or None when the row needs the closer look
    (tags, a cell the card's kind does not use, a line break written as CRLF...)."""

    def __init__(self, columns: list[str | None]) -> None:
        self.width = len(columns)
        # Each column's index; a missing one points just past the row (padded with "").
        at = {name: index for index, name in enumerate(columns) if name is not None}
        self.front, self.back, self.cloze, self.extra, self.id, self.lesson = (
            at.get(name, self.width) for name in ("front", "back", "cloze", "extra", "id", "lesson")
        )
        self.reversed, self.tags = at.get("reversed", self.width), at.get("tags", self.width)
        self.basic = "front" in at
        self.padding = [""] * (self.width + 1)

    def names_lesson(self, record: Record) -> bool:
        cells = record.cells
        return self.lesson < len(cells) and bool(cells[self.lesson].strip())

    def card(
        self,
        path: Path,
        folder: Path,
        record: Record,
        default_lesson: str | None,
        tags: tuple[str, ...],
        raw_html: bool,
    ) -> Card | None:
        cells = record.cells
        if len(cells) > self.width:
            return None
        row = cells + self.padding[len(cells) :]
        if row[self.tags].strip():
            return None
        kind: CardKind
        if row[self.cloze].strip():
            if row[self.front].strip() or row[self.back].strip() or row[self.reversed].strip():
                return None
            kind, front, back = "cloze", row[self.cloze], row[self.extra]
        else:
            if not self.basic or row[self.extra].strip():
                return None
            flag = row[self.reversed].strip().lower()
            if flag in _TRUE:
                kind = "reversed"
            elif flag in _FALSE:
                kind = "basic"
            else:
                return None
            front, back = row[self.front], row[self.back]
        if "\r" in front or "\r" in back:
            return None
        return quick_card(
            path,
            folder,
            record.line,
            kind,
            front,
            back,
            row[self.id].strip() or None,
            row[self.lesson].strip() or None,
            default_lesson,
            False,
            tags,
            raw_html,
        )


def _checked_columns(context: ReadContext, path: Path, table: CardTable) -> list[str | None] | None:
    """The column names, None for a nameless column left empty in every row; None (after
    reporting) if they cannot describe cards."""
    where = table.columns_line
    named = "#columns:" if table.columns_in_header else "the first row"
    columns: list[str | None] = []
    wrong = False
    for index, name in enumerate(table.columns):
        if not name:
            filled = next((r.line for r in table.records if _cell(r, index).strip()), None)
            if filled is not None:
                context.add(
                    path,
                    filled,
                    f"column {index + 1} has no name in {named} (line {where}) but this row "
                    "fills it: name it, or leave it empty",
                )
                wrong = True
            columns.append(None)
        elif name not in COLUMNS:
            context.add(
                path,
                where,
                f"unknown column {name!r} in {named}; expected some of: {', '.join(COLUMNS)}",
            )
            wrong = True
        elif name in columns:
            context.add(path, where, f"column {name!r} is named twice in {named}")
            wrong = True
        else:
            columns.append(name)
    if wrong:
        return None
    if not ({"front", "back"} <= set(columns) or "cloze" in columns):
        context.add(
            path,
            where,
            f"{named} must name the columns front and back, or cloze (found: "
            f"{', '.join(c for c in columns if c) or 'none'})",
        )
        return None
    return columns


def _cell(record: Record, index: int) -> str:
    return record.cells[index] if index < len(record.cells) else ""


def _card_mapping(
    context: ReadContext,
    path: Path,
    columns: list[str | None],
    record: Record,
) -> YamlMap | None:
    """The row as the mapping an inline card would be (cells left empty are absent,
    except the sides its kind needs), or None after reporting a row that cannot be one."""
    cells = record.cells
    if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :]):
        context.add(
            path,
            record.line,
            f"this row has {len(cells)} cells but {len(columns)} columns are named; put "
            "a cell holding the separator in quotes",
        )
        return None
    values = {
        name: cell.replace("\r\n", "\n")
        for name, cell in zip(columns, cells, strict=False)
        if name is not None
    }
    line = record.line - 1
    node = YamlMap(line)
    cloze = values.get("cloze", "").strip()
    for name in COLUMNS:
        value = values.get(name, "")
        if name in ("front", "back"):
            keep = (not cloze and "front" in columns) or bool(value.strip())
        elif name == "cloze":
            keep = bool(cloze) or "front" not in columns
        else:
            keep = bool(value.strip())
        if not keep:
            continue
        if name == "tags":
            tags = YamlList(line)
            for tag in value.split():
                tags.put(tag, line)
            node.put(name, tags, line, line)
        elif name == "reversed" and value.strip().lower() in _TRUE | _FALSE:
            node.put(name, value.strip().lower() in _TRUE, line, line)
        elif name in ("id", "lesson", "reversed"):
            node.put(name, value.strip(), line, line)
        else:
            node.put(name, value, line, line)
    return node
