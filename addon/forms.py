"""What the panel's forms ask for, checked: dates, amounts, re-allocations, the trim.

Pure Python (no Qt, no anki) so the rules are tested directly; the panel shows a
``ValueError``'s message to the learner as it is.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

from learnplan.progress.log import Revision, study_date
from learnplan.progress.maths import trim_value
from learnplan.progress.snapshot import Snapshot

TRIM_REASON = "trimmed to fit the plan's capacity"

__all__ = ["TRIM_REASON", "positive_number", "reallocation", "study_date", "trim_revisions"]


def positive_number(value: object, what: str) -> float:
    try:
        number = float(str(value))
    except ValueError:
        raise ValueError(f"{what} must be a number") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{what} must be more than 0")
    return number


def reallocation(
    course: str,
    today: dt.date,
    now: tuple[float, int, int],
    args: Mapping[str, object],
    weeks: int,
) -> Revision:
    """The revision a re-allocation form asks for: only what changed, with its reason.

    ``now`` is the course's (FTE, first week, last week) in force today; ``args`` holds
    the form's ``fte``, ``start_week``, ``end_week`` and ``reason``.
    """
    fte_now, first_now, last_now = now
    reason = str(args.get("reason") or "").strip()
    try:
        fte = float(str(args.get("fte") or fte_now))
        first = int(str(args.get("start_week") or first_now))
        last = int(str(args.get("end_week") or last_now))
    except ValueError:
        raise ValueError("Points must be a number and weeks whole numbers") from None
    if not math.isfinite(fte) or fte < 0:
        raise ValueError("Points must be 0 or more")
    if not 1 <= first <= last <= weeks:
        raise ValueError(f"Weeks must run forwards within 1–{weeks}")
    changed_fte = abs(fte - fte_now) > 1e-9
    changed_weeks = (first, last) != (first_now, last_now)
    if not changed_fte and not changed_weeks:
        raise ValueError("Nothing to re-allocate: change the points or the weeks")
    if not reason:
        raise ValueError("Say why in a few words: the course's history keeps the reason")
    return Revision(
        date=today,
        course=course,
        reason=reason,
        fte=fte if changed_fte else None,
        start_week=first if changed_weeks else None,
        end_week=last if changed_weeks else None,
    )


def trim_revisions(snapshot: Snapshot, today: dt.date) -> list[Revision]:
    """The snapshot's suggested trim as re-allocations of the courses it changes."""
    fte_now = {c.id: c.fte for c in snapshot.courses}
    return [
        Revision(date=today, course=cid, reason=TRIM_REASON, fte=trim_value(fte))
        for cid, fte in (snapshot.trim or {}).items()
        if cid in fte_now and abs(trim_value(fte) - fte_now[cid]) > 1e-9
    ]
