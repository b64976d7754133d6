"""What a course's cards say about memory: the numbers and the rules that make them.

Pure definitions shared by the collection reader (:mod:`learnplan.collection.memory`,
which computes them with SQL) and everything that shows them (figures, report, panel):
Anki's card-count buckets, which answers count for true retention, and the FSRS
forgetting curve. No ``anki`` import: the rules follow Anki's own, cited below.

The bucket and retention rules are data (:data:`CARD_BUCKETS`, :data:`RETENTION_ROWS`:
conditions on the columns of Anki's ``cards`` and ``revlog`` tables): :func:`card_bucket`
and :func:`retention_eligible` evaluate them here, and the collection reader renders the
very same conditions as the SQL that groups a collection's rows, so one rule runs in both.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeAlias

MATURE_IVL = 21  # days; Anki's young/mature boundary (stats, search, true retention)
RETENTION_DAYS = 28
#: Decay for FSRS memory states that carry none (Anki's FSRS5_DEFAULT_DECAY).
FSRS5_DEFAULT_DECAY = 0.5
NEW, LEARNING, YOUNG, MATURE, SUSPENDED = range(5)


@dataclass(frozen=True)
class CourseMemory:
    course: str
    new: int
    learning: int  # learning + relearning
    young: int  # review, interval < MATURE_IVL days
    mature: int  # review, interval >= MATURE_IVL days
    suspended: int  # only here, not also in the buckets above; buried cards count by type
    total: int
    reviews_by_day: tuple[tuple[dt.date, int], ...]  # every study day of the plan window
    seconds_by_day: tuple[tuple[dt.date, float], ...]
    review_seconds: float  # answers within the plan window (Anki caps each answer's time)
    retention: float | None  # true retention over the last RETENTION_DAYS study days
    knowledge: float | None  # FSRS: sum of retrievability; None when FSRS is off


# --- the rules as data ----------------------------------------------------------------

Op = Literal["=", "<", "<=", ">", ">="]
_OPS: dict[str, Callable[[int, int], bool]] = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Compare:
    """``column op value`` on one row of Anki's ``cards`` or ``revlog`` table."""

    column: str
    op: Op
    value: int


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    part: Condition


Condition: TypeAlias = Compare | AllOf | AnyOf | Not


def holds(condition: Condition, row: Mapping[str, int]) -> bool:
    """Whether ``condition`` is true of ``row`` (column name -> value)."""
    if isinstance(condition, Compare):
        return _OPS[condition.op](row[condition.column], condition.value)
    if isinstance(condition, AllOf):
        return all(holds(part, row) for part in condition.parts)
    if isinstance(condition, AnyOf):
        return any(holds(part, row) for part in condition.parts)
    return not holds(condition.part, row)


#: Revlog rows of an answer (manual entries, e.g. a rescheduled due date, have ease 0).
ANSWERED = Compare("ease", ">", 0)
#: An answer other than Again.
PASSED = Compare("ease", ">", 1)
#: Revlog rows that count for true retention; see :func:`retention_eligible`.
#: Revlog kinds: 0 learn, 1 review, 2 relearn, 3 filtered, 4 manual, 5 rescheduled.
RETENTION_ROWS = AllOf(
    (
        ANSWERED,
        Compare("type", "<", 4),  # not a manual entry or a rescheduling
        # not a filtered deck's preview without rescheduling
        Not(AllOf((Compare("type", "=", 3), Compare("factor", "=", 0)))),
        AnyOf(
            (
                Compare("type", "=", 1),
                # or a previous interval of a day or more (negative: in seconds)
                Compare("lastIvl", "<=", -86_400),
                Compare("lastIvl", ">=", 1),
            )
        ),
    )
)
#: Anki's card-count buckets, the first whose condition holds; else :data:`OTHER_BUCKET`.
#: Suspended cards apart; buried ones by type.
CARD_BUCKETS: tuple[tuple[Condition, int], ...] = (
    (Compare("queue", "=", -1), SUSPENDED),
    (Compare("type", "=", 0), NEW),
    (AllOf((Compare("type", "=", 2), Compare("ivl", "<", MATURE_IVL))), YOUNG),
    (Compare("type", "=", 2), MATURE),
)
OTHER_BUCKET = LEARNING  # type 1 learning, 3 relearning


def card_bucket(ctype: int, queue: int, ivl: int) -> int:
    """Anki's card-count buckets, with suspended cards apart and buried ones by type."""
    row = {"type": ctype, "queue": queue, "ivl": ivl}
    return next((b for condition, b in CARD_BUCKETS if holds(condition, row)), OTHER_BUCKET)


def retention_eligible(ease: int, kind: int, last_ivl: int, factor: int) -> bool:
    """Whether a revlog row counts for true retention, as in Anki's stats.

    Follows ``GraphsContext::calculate_true_retention`` in Anki's
    ``rslib/src/stats/graphs/retention.rs``: rows that carry a rating and affect
    scheduling (not manual/rescheduled entries, not filtered-deck previews without
    rescheduling), of review kind or of cards whose previous interval was at least a day.
    A row passes when its button is not Again (:data:`PASSED`).
    """
    row = {"ease": ease, "type": kind, "lastIvl": last_ivl, "factor": factor}
    return holds(RETENTION_ROWS, row)


def retrievability(stability: float, decay: float, elapsed_secs: float) -> float:
    """FSRS power forgetting curve (R = 0.9 after ``stability`` days), as Anki uses it.

    Negative (or NaN) elapsed time counts as none. The collection reader calls this for
    every card with a memory state, so it is kept lean.
    """
    factor = 0.9 ** (-1.0 / decay) - 1.0
    elapsed = elapsed_secs if elapsed_secs > 0.0 else 0.0
    return math.pow(1.0 + factor * elapsed / 86_400.0 / stability, -decay)


def tag_courses(tags: str, course_tags: dict[str, int]) -> tuple[int, ...]:
    """Indices of the courses a note's tag string puts it in (tag or a child tag)."""
    found: set[int] = set()
    for tag in tags.split():
        low = tag.lower()
        hit = course_tags.get(low)
        if hit is not None:
            found.add(hit)
        start = 0
        while True:
            pos = low.find("::", start)
            if pos < 0:
                break
            hit = course_tags.get(low[:pos])
            if hit is not None:
                found.add(hit)
            start = pos + 2
    return tuple(sorted(found))
