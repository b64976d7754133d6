"""When a plan starts: the learner's own day, or — for the bundled plan — when they do.

The bundled plan (Zero to Deep Learning) carries the day its author started, 2019-05-06:
history, not a date for someone trying it now. A plan read from any other outline starts
on the ``start:`` its learner wrote (``learnplan init`` writes the coming Monday), and an
explicit start (``--start``, the add-on's "Start it today") always wins. So the bundled
plan, used without a start of the learner's own, starts on the coming Monday (today, on
a Monday); ``--start 2019-05-06`` reproduces the original.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

from learnplan.model.plan import Plan
from learnplan.reading.outline import default_plan_path

__all__ = ["coming_monday", "is_bundled", "learner_start"]


def coming_monday(today: dt.date) -> dt.date:
    """``today`` if it is a Monday, else the next Monday."""
    return today + dt.timedelta(days=(7 - today.weekday()) % 7)


def is_bundled(path: str | os.PathLike[str] | None) -> bool:
    """True for the bundled plan's outline (``None``: no outline named, so the bundled
    one), however the path is spelled."""
    if path is None:
        return True
    try:
        return Path(path).resolve() == default_plan_path().resolve()
    except OSError:
        return False


def learner_start(
    plan: Plan,
    path: str | os.PathLike[str] | None,
    *,
    start: dt.date | None = None,
    today: dt.date | None = None,
) -> Plan:
    """``plan`` (read from ``path``; ``None``: the bundled plan) starting on the learner's
    day: ``start`` when given, else the outline's own ``start:``, except for the bundled
    plan, which starts on the coming Monday (today on a Monday)."""
    if start is None:
        if not is_bundled(path):
            return plan
        start = coming_monday(today or dt.date.today())
    return plan if plan.start == start else dataclasses.replace(plan, start=start)
