"""What the learner sees, as frozen records of formatted text (built by
:func:`learnplan.figures.compute.figures`).

Every string here is final: a view lays them out and escapes them for its medium (HTML,
Markdown), and never formats a number itself. The column definitions give each table
cell its one label and explanation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from learnplan.model.plan import Plan
from learnplan.progress.log import ProgressLog
from learnplan.progress.recall import MATURE_IVL, RETENTION_DAYS, CourseMemory
from learnplan.progress.snapshot import Snapshot


@dataclass(frozen=True)
class Column:
    """A table column: the key of its cell, its heading and what it counts."""

    key: str
    label: str
    description: str


COURSE_COLUMNS = (
    Column("fte", "FTE", "FTE points in force today (re-allocations applied)"),
    Column("lessons", "Lessons", "Lessons done of the course's lessons"),
    Column("done", "Done", "Share of the course's lessons done"),
    Column("earned", "Earned", "FTE points earned"),
    Column("planned", "Planned", "FTE points planned by today"),
    Column("hours", "Hours", "Hours logged plus Anki review time"),
    Column("cost", "Cost", "Spent / budget"),
)
MEMORY_COLUMNS = (
    Column("new", "New", "New cards"),
    Column("learning", "Learning", "Cards in (re)learning"),
    Column("young", "Young", f"Review cards with an interval under {MATURE_IVL} days"),
    Column("mature", "Mature", f"Review cards with an interval of {MATURE_IVL} days or more"),
    Column("suspended", "Suspended", "Suspended cards"),
    Column(
        "retention",
        "Retention",
        f"True retention of reviews over the last {RETENTION_DAYS} days",
    ),
    Column(
        "knowledge",
        "Knowledge",
        "FSRS's estimate of how many of these cards you remember now: the sum of each "
        "card's retrievability",
    ),
)
MEMORY_KEYS = tuple(c.key for c in MEMORY_COLUMNS)


def column(key: str) -> Column:
    """The course or memory column with this key."""
    return next(c for c in (*COURSE_COLUMNS, *MEMORY_COLUMNS) if c.key == key)


@dataclass(frozen=True)
class Tile:
    """One summary figure: "Schedule index" "0.78" ("earned / planned")."""

    id: str
    label: str
    value: str
    note: str = ""  # what the value means or is made of; "" when it needs no note


@dataclass(frozen=True)
class MemoryCells:
    """A course's cards from Anki: one cell per memory column ("–" when unknown)."""

    new: str
    learning: str
    young: str
    mature: str
    suspended: str
    retention: str
    knowledge: str
    line: str = ""  # all of it in one line of text; "" when unknown


@dataclass(frozen=True)
class Cells:
    """A row of the course table: one cell per course and memory column."""

    fte: str
    lessons: str
    done: str
    earned: str
    planned: str
    hours: str
    cost: str
    memory: MemoryCells

    def cell(self, key: str) -> str:
        """The cell of column ``key`` (see :data:`COURSE_COLUMNS`, :data:`MEMORY_COLUMNS`)."""
        value = getattr(self.memory if key in MEMORY_KEYS else self, key)
        assert isinstance(value, str)
        return value


@dataclass(frozen=True)
class CourseFigures:
    id: str
    title: str
    provider: str
    name: str  # provider and title, as one label
    standing: str  # "ahead" | "behind" | "on track"
    bar: float  # 0-100, the share done for a progress bar
    cells: Cells
    fte_note: str  # "revised from 1.5"; "" when never revised
    progress: str  # "3 of 7 lessons · 0.4 of 1.5 points · behind · 3.0 h"
    revisions: tuple[str, ...]  # the course's re-allocations, oldest first


@dataclass(frozen=True)
class ResourceFigures:
    """A plan resource (a GPU server, a book): only its cost is a figure."""

    id: str
    title: str
    provider: str
    name: str
    cost: str


@dataclass(frozen=True)
class NextUpFigures:
    course: str  # the course id
    text: str  # "Fastai — Practical Deep Learning: Lesson 3"
    note: str  # "behind its plan by 0.4 points"


@dataclass(frozen=True)
class TrimRow:
    course: str  # the course id
    name: str
    fte: str
    suggested: str  # rounded down, as it is applied


@dataclass(frozen=True)
class Figures:
    """Every figure of a plan on one study day, and what they were made from."""

    plan: Plan  # as given (re-allocations are applied in the snapshot)
    log: ProgressLog
    snapshot: Snapshot
    memory: Mapping[str, CourseMemory]
    title: str
    today: str
    start: str
    headline: str
    standing: str  # of the whole plan: "ahead" | "behind" | "on track"
    tiles: tuple[Tile, ...]
    courses: tuple[CourseFigures, ...]
    resources: tuple[ResourceFigures, ...]
    totals: Cells
    show_knowledge: bool  # FSRS gave a knowledge estimate for at least one course
    next_up: NextUpFigures | None
    warning: str  # over capacity; "" when the plan fits
    trim: tuple[TrimRow, ...]  # a trim that fits, when over capacity
    summary: tuple[str, ...]  # the deck description's lines, for the phone

    def tile(self, tile_id: str) -> Tile:
        return next(t for t in self.tiles if t.id == tile_id)


_INPUTS = ("plan", "log", "snapshot", "memory")


def figures_to_dict(f: Figures) -> dict[str, Any]:
    """The formatted figures as JSON-ready data (what a view shows, no raw numbers)."""
    return {
        field.name: _plain(getattr(f, field.name))
        for field in dataclasses.fields(f)
        if field.name not in _INPUTS
    }


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k.name: _plain(getattr(value, k.name)) for k in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value
