"""Writing new card ids into a CSV/TSV card file: into its ``id`` column, in place.

Only text is inserted; every other byte (quoting, separators, line endings, header lines)
stays as it was. A file without an ``id`` column gets one, last: its name is added to the
row (or ``#columns:`` line) naming the columns, and each card given an id gets the cell,
after as many separators as its row needs. The edited text is read again and must hold
exactly the old cells plus the new ids, or nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from learnplan.base.errors import PlanError
from learnplan.model.plan import Card
from learnplan.reading.csv_table import CardTable, Record, read_table
from learnplan.reading.splice import splice

#: What write-back says when a card is no longer where the plan read it.
CHANGED = "the file changed since the plan was read; run the build again"


def csv_with_ids(
    text: str, path: Path, cards: list[Card], unsafe: Callable[[str | None], str]
) -> str:
    """``text`` with the key of each of ``cards`` in its row's ``id`` cell. Raises
    :class:`PlanError` if a card is not where it was read, or (with the message
    ``unsafe(key)``) if the edit would not read back as meant."""
    table = read_table(text, path)
    if table.problems:
        raise PlanError.at(path, table.problems[0].line, CHANGED)
    starts = _line_starts(text)
    by_line = {record.line: record for record in table.records}
    id_column = table.columns.index("id") if "id" in table.columns else len(table.columns)
    edits: list[tuple[int, str]] = []
    keys: dict[int, str] = {}
    for card in cards:
        assert card.source is not None and card.key is not None
        record = by_line.get(card.source.line)
        if record is None or not _holds(table, record, card):
            raise PlanError.at(path, card.source.line, CHANGED)
        spans = cell_spans(text, starts[record.line - 1], table.separator)
        if id_column < len(spans):
            start, end, quoted = spans[id_column]
            if text[start + quoted : end - quoted].strip():
                raise PlanError.at(path, card.source.line, CHANGED)
            edits.append((start + quoted, card.key))
        else:
            missing = id_column - len(spans) + 1
            edits.append((_record_end(spans), table.separator * missing + card.key))
        keys[record.line] = card.key
    if "id" not in table.columns:
        edits.append(_new_column(text, starts, table))
    new_text = splice(text, edits)
    _verify(table, read_table(new_text, path), id_column, keys, path, unsafe)
    return new_text


def _holds(table: CardTable, record: Record, card: Card) -> bool:
    """Whether ``record`` is the row ``card`` was read from (its front or cloze text)."""
    cells = dict(zip(table.columns, record.cells, strict=False))
    written = cells.get("cloze", "").strip() or cells.get("front", "")
    return written.replace("\r\n", "\n").strip() == card.front


def cell_spans(text: str, start: int, separator: str) -> list[tuple[int, int, bool]]:
    """The cells of the record starting at offset ``start``: (start, end, quoted), as
    Python's csv module splits a record that it reads without error (quotes count only
    at a cell's start; a quote inside a quoted cell is doubled)."""
    spans: list[tuple[int, int, bool]] = []
    pos = start
    size = len(text)
    while True:
        if pos < size and text[pos] == '"':
            close = pos + 1
            while True:
                close = text.index('"', close)
                if text.startswith('""', close):
                    close += 2
                    continue
                break
            end, quoted = close + 1, True
        else:
            end = pos
            while end < size and text[end] not in (separator, "\n", "\r"):
                end += 1
            quoted = False
        spans.append((pos, end, quoted))
        if end < size and text[end] == separator:
            pos = end + 1
            continue
        return spans


def _record_end(spans: list[tuple[int, int, bool]]) -> int:
    """The offset just after the record's last cell (before its line ending)."""
    return spans[-1][1]


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    at = find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = find("\n", at + 1)
    return starts


def _new_column(text: str, starts: list[int], table: CardTable) -> tuple[int, str]:
    """Where and what to insert so that the columns are named with ``id`` last."""
    line_start = starts[table.columns_line - 1]
    if table.columns_in_header:  # the #columns: line: at the end of its text
        end = text.find("\n", line_start)
        end = len(text) if end < 0 else end
        if end > line_start and text[end - 1] == "\r":
            end -= 1
        return end, f"{table.separator}id"
    spans = cell_spans(text, line_start, table.separator)
    return _record_end(spans), f"{table.separator}id"


def _verify(
    old: CardTable,
    new: CardTable,
    id_column: int,
    keys: dict[int, str],
    path: Path,
    unsafe: Callable[[str | None], str],
) -> None:
    expected_columns = old.columns if "id" in old.columns else [*old.columns, "id"]
    if new.problems or new.columns != expected_columns or len(new.records) != len(old.records):
        raise PlanError.at(path, min(keys), unsafe(None))
    for before, after in zip(old.records, new.records, strict=True):
        cells = list(before.cells)
        key = keys.get(before.line)
        if key is not None:
            cells += [""] * (id_column + 1 - len(cells))
            cells[id_column] = key + cells[id_column]
        if after.line != before.line or after.cells != cells:
            raise PlanError.at(path, before.line, unsafe(key))
