"""What the command line reads besides its options: the plan (with the learner's start
day) and dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from learnplan.base.errors import PlanError
from learnplan.model.plan import Plan


def read_plan(path: str | None, *, assign_ids: bool = True, start: str | None = None) -> Plan:
    """The plan at ``path`` (None: the bundled plan): :func:`read_plan_with_sources`."""
    return read_plan_with_sources(path, assign_ids=assign_ids, start=start)[0]


def read_plan_with_sources(
    path: str | None,
    *,
    assign_ids: bool = True,
    start: str | None = None,
    check_maths: bool = True,
) -> tuple[Plan, dict[Path, str]]:
    """The plan at ``path`` (None: the bundled plan), starting on the learner's day
    (``start``, else its own; the bundled plan's is the coming Monday: reading/starts.py),
    and the files it was read from."""
    from learnplan.reading.outline import default_plan_path, load_plan_and_sources
    from learnplan.reading.starts import learner_start

    day = parse_day(start, "--start") if start else None
    plan, sources = load_plan_and_sources(
        Path(path) if path else default_plan_path(),
        assign_ids=assign_ids,
        check_maths=check_maths,
    )
    return learner_start(plan, path, start=day), sources


def parse_day(text: str, option: str = "--today") -> dt.date:
    """``text`` as a date; bad input (at ``option``) when it is not one."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PlanError.at(option, 0, f"'{text}' is not a date like 2019-06-17") from None
