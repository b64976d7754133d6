"""What a course's cards say about memory: the numbers and the rules that make them.

Pure definitions shared by the collection reader (:mod:`learnplan.collection.memory`,
which computes them with SQL) and everything that shows them (figures, report, panel):
Anki's card-count buckets, which answers count for true retention, and the FSRS
forgetting curve. No ``anki`` import: the rules follow Anki's own, cited below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
    young: int  # review, interval < 21 days
    mature: int  # review, interval >= 21 days
    suspended: int  # only here, not also in the buckets above; buried cards count by type
    total: int
    reviews_by_day: tuple[tuple[dt.date, int], ...]  # every study day of the plan window
    seconds_by_day: tuple[tuple[dt.date, float], ...]
    review_seconds: float  # answers within the plan window (Anki caps each answer's time)
    retention: float | None  # true retention over the last RETENTION_DAYS study days
    knowledge: float | None  # FSRS: sum of retrievability; None when FSRS is off


def card_bucket(ctype: int, queue: int, ivl: int) -> int:
    """Anki's card-count buckets, with suspended cards apart and buried ones by type."""
    if queue == -1:
        return SUSPENDED
    if ctype == 0:
        return NEW
    if ctype == 2:
        return YOUNG if ivl < MATURE_IVL else MATURE
    return LEARNING  # type 1 learning, 3 relearning


def retention_eligible(ease: int, kind: int, last_ivl: int, factor: int) -> bool:
    """Whether a revlog row counts for true retention, as in Anki's stats.

    Follows ``GraphsContext::calculate_true_retention`` in Anki's
    ``rslib/src/stats/graphs/retention.rs``: rows that carry a rating and affect
    scheduling (not manual/rescheduled entries, not filtered-deck previews without
    rescheduling), of review kind or of cards whose previous interval was at least a day.
    A row passes when its button is not Again (ease > 1).
    """
    if ease <= 0 or kind >= 4 or (kind == 3 and factor == 0):
        return False
    return kind == 1 or last_ivl <= -86_400 or last_ivl >= 1


def retrievability(stability: float, decay: float, elapsed_secs: float) -> float:
    """FSRS power forgetting curve (R = 0.9 after ``stability`` days), as Anki uses it."""
    factor = 0.9 ** (-1.0 / decay) - 1.0
    return float((1.0 + factor * max(elapsed_secs, 0.0) / 86_400.0 / stability) ** -decay)


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
