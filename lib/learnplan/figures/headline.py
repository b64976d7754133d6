"""The headline a learner posts, and the rule for ahead, behind and on plan.

"Week 6 of 12: 2.9 of 7.4 points, behind plan by 0.8, forecast week 16": the panel, the
report, the deck summary and ``learnplan log`` all show this line.
"""

from __future__ import annotations

from learnplan.figures.format import day, points, times
from learnplan.progress.snapshot import Snapshot

#: Points ahead of or behind the plan that still count as on plan (6 hours at the
#: default 120 hours a point): less than shows as 0.0 nowhere, and is no news.
ON_PLAN = 0.05

AHEAD, BEHIND, ON_TRACK = "ahead", "behind", "on track"


def standing(ahead_by: float) -> str:
    """ "ahead", "behind" or "on track" (within :data:`ON_PLAN` points of the plan)."""
    if ahead_by >= ON_PLAN:
        return AHEAD
    if ahead_by <= -ON_PLAN:
        return BEHIND
    return ON_TRACK


def against_plan(
    ahead_by: float,
    *,
    behind: str = "behind plan by {}",
    ahead: str = "ahead of plan by {}",
) -> str:
    """Where ``ahead_by`` points leave the learner, by :func:`standing`: "on plan", or
    ``behind``/``ahead`` with the points filled in ("behind plan by 0.8")."""
    state = standing(ahead_by)
    if state == ON_TRACK:
        return "on plan"
    return (behind if state == BEHIND else ahead).format(points(abs(ahead_by)))


def headline(s: Snapshot) -> str:
    """Where the learner stands, in one line: before, during and after the plan."""
    if s.week == 0:
        return (
            f"Starts {day(s.start)}: {points(s.total)} points planned over {s.weeks} weeks "
            f"({times(s.overcommitment)} capacity)"
        )
    done = s.earned >= s.total - 1e-9 and s.total > 0
    if s.week > s.weeks:
        ended = f"Plan ended {day(s.last_day)}: {points(s.earned)} of {points(s.total)} points"
        return f"{ended}, all done" if done else f"{ended}, {points(s.total - s.earned)} to go"
    parts = [
        f"Week {s.week} of {s.weeks}: {points(s.earned)} of {points(s.total)} points",
        against_plan(s.ahead_by),
    ]
    if done:
        parts.append("all done")
    elif s.forecast_week is not None:
        parts.append(f"forecast week {s.forecast_week}")
    else:
        parts.append("no forecast yet")
    return ", ".join(parts)
