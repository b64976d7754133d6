"""Anki's study day: the one place "today" is worked out for a collection.

Anki's day ends at its day cutoff (the "next day starts at" hour, local time), not at
midnight: between midnight and the cutoff it is still yesterday. The panel, the report,
the deck summary, ``learnplan log`` and the memory numbers all take their "today" from
here, so they never disagree about which day it is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


def study_day_ending(cutoff: int) -> dt.date:
    """The study day that ends at ``cutoff`` (Anki's ``sched.day_cutoff``, epoch seconds).

    Counted on the local wall clock (a day before the cutoff), so a day on which the
    clocks change is still one day.
    """
    return (dt.datetime.fromtimestamp(cutoff) - dt.timedelta(days=1)).date()


def study_today(col: Any) -> dt.date:
    """Anki's study day in collection ``col`` now (it ends at the next day cutoff)."""
    return study_day_ending(int(col.sched.day_cutoff))
