"""The text of a CSV/TSV card file: header lines, the row naming the columns, records.

Anki's own text-import conventions (rslib ``import_export/text/csv``) where they apply:
lines starting with ``#`` at the top of the file are header lines — ``#separator:``
(``comma``, ``semicolon``, ``tab``, ``space``, ``pipe``, ``colon`` or the character
itself), ``#html:`` (``true``/``false``), ``#tags:`` (space-separated tags for every card),
``#columns:`` (the column names, written with the separator) — and later lines starting
with ``#`` are comments. Cells are RFC 4180 quoted (``"..."``, a quote inside doubled).
Without ``#columns:``, the first row names the columns. Every record keeps the line it
starts on, for messages and for writing ids back.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from learnplan.base.errors import Problem
from learnplan.model.limits import MAX_CARD_TEXT

#: Anki's separators, by the names its ``#separator:`` line takes.
SEPARATORS = {
    "comma": ",",
    "semicolon": ";",
    "tab": "\t",
    "space": " ",
    "pipe": "|",
    "colon": ":",
}
#: The columns a card file may have.
COLUMNS = ("id", "front", "back", "cloze", "extra", "reversed", "lesson", "tags")
#: Anki's header lines this reader does not take, and what to do instead.
_ANKI_ONLY = {
    "notetype": "the kind of card follows from its columns (front/back or cloze)",
    "deck": "each card's deck is its course's or lesson's: use a lesson column or #lesson:",
    "notetype column": "the kind of card follows from its columns (front/back or cloze)",
    "deck column": "use a lesson column",
    "tags column": "name the column tags in the first row or in #columns:",
    "guid column": "name the column id in the first row or in #columns:",
}
# Larger than any card text, so an oversized cell gets the plan rules' message.
_FIELD_LIMIT = max(csv.field_size_limit(), 2 * MAX_CARD_TEXT)


class Record(NamedTuple):
    line: int  # the 1-based line it starts on
    cells: list[str]


@dataclass
class CardTable:
    separator: str
    html: bool = True
    #: header values by key: (value, 1-based line); ``tags`` and ``lesson``
    meta: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: the column names (lower case), and where they are named
    columns: list[str] = field(default_factory=list)
    columns_line: int = 0
    columns_in_header: bool = False  # named by #columns: rather than by the first row
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def default_separator(path: Path) -> str:
    return "\t" if path.suffix.lower() == ".tsv" else ","


def read_table(text: str, path: Path) -> CardTable:
    """The header lines, the columns and every record of a card file's text. Problems
    are collected, not raised; after a broken record nothing more is read."""
    lines = text.split("\n")
    ends = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        ends.append(lines[-1])
    table = CardTable(default_separator(path))
    start = _read_meta(ends, path, table)
    if table.problems:
        return table
    reader = _Records(ends, start, table.separator)
    for first, cells in reader:
        if not any(cells):
            continue  # a blank row (a spreadsheet's empty line)
        if not table.columns:
            table.columns, table.columns_line = [c.strip().lower() for c in cells], first
            continue
        table.records.append(Record(first, cells))
    if reader.error is not None:
        table.problems.append(Problem(path, *reader.error))
    elif not table.columns:
        table.problems.append(
            Problem(path, 1, "no row names the columns: write e.g. front,back (or cloze) first")
        )
    return table


def _read_meta(lines: list[str], path: Path, table: CardTable) -> int:
    """Reads the header lines; returns the index of the first line after them."""
    index = 0
    columns: tuple[str, int] | None = None
    if lines and lines[0].startswith("tags:"):  # Anki still takes this first line
        table.meta["tags"] = (lines[0][len("tags:") :].rstrip("\r\n"), 1)
        index = 1
    while index < len(lines) and lines[index].startswith("#"):
        number = index + 1
        key, colon, value = lines[index][1:].partition(":")
        value = value.rstrip("\n").removesuffix("\r")
        index += 1
        key = key.strip().lower()
        if not colon or key not in (*_ANKI_ONLY, "separator", "html", "tags", "columns", "lesson"):
            continue  # a comment, as for Anki
        if key in _ANKI_ONLY:
            table.problems.append(
                Problem(
                    path, number, f"#{key}: is not used in a plan's card file; {_ANKI_ONLY[key]}"
                )
            )
        elif key == "separator":
            separator = _separator(value)
            if separator is None:
                table.problems.append(
                    Problem(
                        path,
                        number,
                        f"#separator:{value} is not a separator: write one of "
                        f"{', '.join(SEPARATORS)} (or the character itself)",
                    )
                )
            else:
                table.separator = separator
        elif key == "html":
            if value.strip().lower() not in ("true", "false"):
                table.problems.append(Problem(path, number, f"#html:{value} must be true or false"))
            table.html = value.strip().lower() != "false"
        elif key == "columns":
            columns = (value, number)
        else:
            table.meta[key] = (value, number)
    if columns is not None:
        value, number = columns
        try:
            cells = next(csv.reader([value], delimiter=table.separator, strict=True), [])
        except csv.Error as exc:
            table.problems.append(Problem(path, number, f"#columns: {_csv_problem(exc)}"))
            return index
        table.columns = [c.strip().lower() for c in cells]
        table.columns_line, table.columns_in_header = number, True
    return index


def _separator(value: str) -> str | None:
    """Anki's reading of a ``#separator:`` value: a name, or the character itself."""
    named = SEPARATORS.get(value.strip().lower())
    if named is not None:
        return named
    return value if value in SEPARATORS.values() else None


class _Records:
    """The records of ``lines`` from ``start``: (first line, cells). A line
    starting with '#' where a record would start is a comment, as for Anki. The first
    broken record stops the reading: ``error`` is then (its first line, message)."""

    def __init__(self, lines: list[str], start: int, separator: str) -> None:
        self.lines = lines
        self.start = start
        self.separator = separator
        self.next_index = start  # the line the csv reader takes next
        self.at_record_start = True
        self.error: tuple[int, str] | None = None

    def _feed(self) -> Iterator[str]:
        lines = self.lines
        while self.next_index < len(lines):
            line = lines[self.next_index]
            self.next_index += 1
            if self.at_record_start and line.startswith("#"):
                continue
            self.at_record_start = False
            yield line

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        old_limit = csv.field_size_limit(_FIELD_LIMIT)
        try:
            reader = csv.reader(self._feed(), delimiter=self.separator, strict=True)
            while True:
                self.at_record_start = True
                before = self.next_index
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    self.error = (self._first_line(before), _csv_problem(exc))
                    return
                yield self._first_line(before), cells
        finally:
            csv.field_size_limit(old_limit)

    def _first_line(self, index: int) -> int:
        """The 1-based line of the record read from ``index`` on (comments skipped)."""
        while index < len(self.lines) and self.lines[index].startswith("#"):
            index += 1
        return index + 1


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "unexpected end of data" in text or "EOF" in text:
        return 'a quoted cell is never closed: add the closing quote (")'
    if "expected after" in text:
        return (
            "text after a cell's closing quote: put the whole cell in quotes, and write a "
            'quote inside it as two ("")'
        )
    if "new-line character" in text:
        return (
            "a carriage return (\\r) that does not end a line: save the file with ordinary "
            "line endings"
        )
    if "field larger than field limit" in text:
        return (
            f"a cell is longer than {_FIELD_LIMIT:,} characters; at most "
            f"{MAX_CARD_TEXT:,} are allowed"
        )
    return f"not valid CSV: {text}"
