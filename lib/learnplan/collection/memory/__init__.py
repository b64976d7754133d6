"""How much of each course the learner still remembers, read from an Anki collection.

Per course (its notes are those tagged ``plan.course_tag(id)`` or a child of it, matched
case-insensitively like Anki's ``tag:`` search): card counts by state, reviews and review
time per study day, true retention and, with FSRS on, estimated knowledge
(:class:`~learnplan.progress.recall.CourseMemory`, whose rules live in
:mod:`learnplan.progress.recall`).

Everything is read with plain ``SELECT``s (never a write) and aggregated inside SQLite:
moving rows into Python through Anki's DB bridge costs about a microsecond a row, so a
million revlog rows must be grouped by (course, day) before they leave the database.
SQLite's sort for that grouping is most of a full read's time (~0.18 s of ~0.5 s at 1M
reviews); it has no hash aggregation to avoid it. A full read of 100k cards and 1M
reviews takes ~0.5 s; a tracker restored from its saved state, under half of that.

The package, one concept a module:

- :mod:`.sql`: the SQL, as text: Anki's rules rendered from ``recall``'s conditions, the
  card -> course ``CASE`` over runs of card ids, the grouped revlog ``SELECT``s and their
  ``UNION ALL`` batching;
- :mod:`.reads`: running it through Anki's DB bridge;
- :mod:`.knowledge`: FSRS memory states and the exact sums of retrievability;
- :mod:`.ledger`: the tallies per group of courses, added to and taken from;
- :mod:`.state`: the tracker's saved state;
- :mod:`.tracker`: :class:`MemoryTracker`, a full read and then incremental refreshes.

``anki`` is imported only for type checking: the functions take a live collection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from learnplan.collection.memory.state import STATE_VERSION
from learnplan.collection.memory.tracker import MemoryTracker
from learnplan.model.plan import Plan
from learnplan.progress.recall import RETENTION_DAYS, CourseMemory

if TYPE_CHECKING:
    from anki.collection import Collection

__all__ = ["STATE_VERSION", "CourseMemory", "MemoryTracker", "course_memory"]


def course_memory(
    col: Collection,
    plan: Plan,
    *,
    now: float | None = None,
    retention_days: int = RETENTION_DAYS,
) -> dict[str, CourseMemory]:
    """Memory numbers for every course of ``plan``, keyed by course id.

    ``now`` (epoch seconds, default the clock) only affects ``knowledge``.
    """
    return MemoryTracker(plan, retention_days=retention_days).refresh(col, now=now)
