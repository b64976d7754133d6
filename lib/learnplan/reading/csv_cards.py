"""CSV/TSV card files (placeholder)."""

from __future__ import annotations

from pathlib import Path

from learnplan.reading.context import ReadContext
from learnplan.reading.pending import Pending


def is_csv_name(path: Path) -> bool:
    return path.suffix.lower() in (".csv", ".tsv")


def read_csv_cards(
    context: ReadContext, path: Path, text: str, line: int, default_lesson: str | None, out: Pending
) -> None:
    raise NotImplementedError
