"""One function from a plan, its progress log, Anki's memory numbers and a study day to
every figure the learner sees: :func:`figures`.

The panel, the report (Markdown, HTML, JSON), the deck summary and ``learnplan log`` all
show what it returns, so they agree figure by figure. It is the one place Anki's review
time joins the hand-logged hours, and the one place numbers become text (through
:mod:`learnplan.figures.format`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from learnplan.figures import format as fmt
from learnplan.figures.headline import against_plan, headline, standing
from learnplan.figures.model import (
    Cells,
    CourseFigures,
    Figures,
    MemoryCells,
    NextUpFigures,
    ResourceFigures,
    Tile,
    TrimRow,
)
from learnplan.model.plan import Course, Plan
from learnplan.progress.log import ProgressLog, replay_revisions
from learnplan.progress.maths import cost_spent, seconds_by_week, trim_value
from learnplan.progress.recall import CourseMemory
from learnplan.progress.snapshot import CourseProgress, Snapshot, snapshot


def figures(
    plan: Plan,
    log: ProgressLog,
    memory: Mapping[str, CourseMemory] | None,
    today: dt.date,
    *,
    pinned: frozenset[str] = frozenset(),
) -> Figures:
    """Every figure of ``plan`` as of the study day ``today``.

    ``memory`` (per course id, from :mod:`learnplan.collection.memory`) adds the cards'
    numbers and counts Anki's review time as spent effort; None when there is no
    collection. ``pinned`` courses keep their FTE in the suggested trim.
    """
    memory = dict(memory or {})
    s = snapshot(
        plan,
        log,
        today=today,
        anki_seconds={cid: m.review_seconds for cid, m in memory.items()} or None,
        anki_seconds_by_week=seconds_by_week(
            plan, {cid: m.seconds_by_day for cid, m in memory.items()}
        )
        or None,
        pinned=pinned,
    )
    by_id = {c.id: c for c in plan.courses}
    revisions = _revision_lines(plan, log, today)
    courses = tuple(
        _course(s, row, by_id[row.id], memory.get(row.id), revisions.get(row.id, ()))
        for row in s.courses
    )
    resources = tuple(
        ResourceFigures(
            id=r.id,
            title=r.title,
            provider=r.provider,
            name=fmt.course_name(r.provider, r.title),
            cost=_cost(cost_spent(log, today, r.id), r.cost, s.currency),
        )
        for r in plan.resources
    )
    next_up = None
    if s.next_up is not None:
        n = s.next_up
        name = fmt.course_name(n.provider, n.title)
        next_up = NextUpFigures(
            course=n.course,
            text=f"{name}: {n.lesson_title}" if n.lesson_title else name,
            note=(
                f"behind its plan by {fmt.points(n.behind)} points"
                if n.behind > 0
                else "furthest behind its plan"
            ),
        )
    line = headline(s)
    summary = [
        line,
        f"Points: {fmt.points(s.earned)} earned · {fmt.points(s.planned)} planned by now · "
        f"{fmt.points(s.total)} in total",
    ]
    if next_up is not None:
        summary.append(f"Next up: {next_up.text}")
    summary.append(f"As of {fmt.day(s.today)} (Learning Plan)")
    return Figures(
        plan=plan,
        log=log,
        snapshot=s,
        memory=memory,
        title=s.title,
        today=fmt.day(s.today),
        start=fmt.day(s.start),
        headline=line,
        standing=standing(s.ahead_by),
        tiles=_tiles(s),
        courses=courses,
        resources=resources,
        totals=_totals(s, memory),
        show_knowledge=any(fmt.known(m.knowledge) is not None for m in memory.values()),
        next_up=next_up,
        warning=_warning(s),
        trim=tuple(
            TrimRow(c.id, fmt.course_name(c.provider, c.title), fmt.points(c.fte), _trimmed(s, c))
            for c in s.courses
            if s.trim and c.id in s.trim
        ),
        summary=tuple(summary),
    )


def _tiles(s: Snapshot) -> tuple[Tile, ...]:
    against = against_plan(s.ahead_by, behind="behind by {} points", ahead="ahead by {} points")
    forecast = (
        f"{fmt.day(s.forecast)} (week {s.forecast_week})" if s.forecast is not None else "not yet"
    )
    return (
        Tile("week", "Week", f"{s.week} of {s.weeks} ({s.days_left} days left)"),
        Tile("earned", "Earned", f"{fmt.points(s.earned)} of {fmt.points(s.total)} points"),
        Tile("planned", "Planned by today", f"{fmt.points(s.planned)} points", against),
        Tile("index", "Schedule index", fmt.ratio(s.schedule_index), "earned / planned"),
        Tile("efficiency", "Efficiency", fmt.ratio(s.efficiency), "earned / spent points"),
        Tile(
            "spent",
            "Spent",
            f"{fmt.hours(s.spent_hours)} = {fmt.points(s.spent_points)} points",
            f"{fmt.hours(s.logged_hours)} logged, {fmt.hours(s.anki_hours)} in Anki",
        ),
        Tile("week-hours", "This week", f"{fmt.hours(s.week_hours)} of {fmt.hours(s.week_target)}"),
        Tile("forecast", "Forecast finish", forecast),
        Tile(
            "cost",
            "Cost",
            f"{fmt.money(s.cost_spent, s.currency)} of {fmt.money(s.cost_budget, s.currency)}",
        ),
        Tile(
            "capacity",
            "Capacity",
            f"{fmt.points(s.capacity)} points; the plan is {fmt.times(s.overcommitment)} that",
        ),
    )


def _course(
    s: Snapshot,
    row: CourseProgress,
    course: Course,
    numbers: CourseMemory | None,
    revisions: tuple[str, ...],
) -> CourseFigures:
    state = standing(row.ahead_by)
    if row.lessons_total:
        progress = f"{row.lessons_done} of {row.lessons_total} lessons"
    else:
        progress = fmt.percent(row.percent / 100)
    progress += (
        f" · {fmt.points(row.earned)} of {fmt.points(row.fte)} points · {state} · "
        f"{fmt.hours(row.hours)}"
    )
    return CourseFigures(
        id=row.id,
        title=row.title,
        provider=row.provider,
        name=fmt.course_name(row.provider, row.title),
        standing=state,
        bar=max(0.0, min(100.0, row.percent)),
        cells=Cells(
            fte=fmt.points(row.fte),
            lessons=f"{row.lessons_done}/{row.lessons_total}" if row.lessons_total else fmt.MISSING,
            done=fmt.percent(row.percent / 100),
            earned=fmt.points(row.earned),
            planned=fmt.points(row.planned),
            hours=fmt.hours_number(row.hours),
            cost=_cost(row.cost_spent, row.budget, s.currency),
            memory=_memory_cells(numbers),
        ),
        fte_note=(
            f"revised from {fmt.points(course.fte)}" if abs(course.fte - row.fte) > 1e-9 else ""
        ),
        progress=progress,
        revisions=revisions,
    )


def _cost(spent: float, budget: float, currency: str) -> str:
    if budget > 0:
        return f"{fmt.money(spent, currency)} / {fmt.money(budget, currency)}"
    return fmt.money(spent, currency) if spent > 0 else fmt.MISSING


def _memory_cells(m: CourseMemory | None) -> MemoryCells:
    if m is None:
        return MemoryCells(*(fmt.MISSING,) * 7)
    parts = [
        f"{m.total} cards: {m.new} new, {m.learning} learning, {m.young} young, {m.mature} mature"
    ]
    if m.suspended:
        parts.append(f"{m.suspended} suspended")
    if fmt.known(m.retention) is not None:
        parts.append(f"retention {fmt.percent(m.retention)}")
    if fmt.known(m.knowledge) is not None:
        parts.append(f"FSRS: ≈ {fmt.count(m.knowledge)} cards remembered")
    return MemoryCells(
        new=fmt.count(m.new),
        learning=fmt.count(m.learning),
        young=fmt.count(m.young),
        mature=fmt.count(m.mature),
        suspended=fmt.count(m.suspended),
        retention=fmt.percent(m.retention),
        knowledge=fmt.count(m.knowledge),
        line=" · ".join(parts),
    )


def _totals(s: Snapshot, memory: Mapping[str, CourseMemory]) -> Cells:
    def total(key: str) -> str:
        rows = [memory[c.id] for c in s.courses if c.id in memory]
        known = [v for v in (fmt.known(getattr(m, key)) for m in rows) if v is not None]
        return fmt.count(sum(known)) if known else fmt.MISSING

    lessons = sum(c.lessons_total for c in s.courses)
    return Cells(
        fte=fmt.points(s.total),
        lessons=(f"{sum(c.lessons_done for c in s.courses)}/{lessons}" if lessons else fmt.MISSING),
        done=fmt.percent(s.earned / s.total) if s.total > 0 else fmt.MISSING,
        earned=fmt.points(s.earned),
        planned=fmt.points(s.planned),
        hours=fmt.hours_number(s.spent_hours),
        cost=_cost(s.cost_spent, s.cost_budget, s.currency),
        memory=MemoryCells(
            new=total("new"),
            learning=total("learning"),
            young=total("young"),
            mature=total("mature"),
            suspended=total("suspended"),
            retention="",  # not a sum of the courses' retention
            knowledge=total("knowledge"),
        ),
    )


def _warning(s: Snapshot) -> str:
    if s.trim is None and not s.trim_note:
        return ""
    text = (
        f"This plan is {fmt.times(s.overcommitment)} what fits in {s.weeks} weeks "
        f"({fmt.points(s.total)} points for a capacity of {fmt.points(s.capacity)})."
    )
    return f"{text} {s.trim_note}" if s.trim_note else text


def _trimmed(s: Snapshot, c: CourseProgress) -> str:
    return fmt.points(trim_value((s.trim or {})[c.id]))


def _revision_lines(plan: Plan, log: ProgressLog, today: dt.date) -> dict[str, tuple[str, ...]]:
    """Each course's re-allocations made by ``today`` (those the snapshot applies), one
    line each, oldest first: '2019-05-16 · FTE 1.5 → 1.0 · weeks 1–12 → 2–9 · reason'."""
    lines: dict[str, list[str]] = {}
    for rev, before, after in replay_revisions(plan, log, as_of=today):
        parts = [fmt.day(rev.date)]
        if after.fte != before.fte:
            parts.append(f"FTE {fmt.points(before.fte)} → {fmt.points(after.fte)}")
        (first, last), (new_first, new_last) = before.window(plan.weeks), after.window(plan.weeks)
        if (first, last) != (new_first, new_last):
            parts.append(f"weeks {first}–{last} → {new_first}–{new_last}")
        if rev.reason:
            parts.append(rev.reason)
        lines.setdefault(after.id, []).append(" · ".join(parts))
    return {course_id: tuple(course_lines) for course_id, course_lines in lines.items()}
