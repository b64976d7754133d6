"""The learner's records as the add-on kept them before they moved to record files:
collection config keys written in exactly the form addon/store.py and learnplan/update.py
used (``learnplan.plans``, ``learnplan.plan.<id>`` without nulls, ``learnplan.log.<id>``
in log_to_json form, ``learnplan.imported.<id>``), for the migration tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from learnplan.model.plan import Course, Lesson, Plan, plan_to_dict
from learnplan.progress.log import (
    CostPaid,
    ProgressLog,
    Revision,
    Session,
    add_cost,
    add_revision,
    add_session,
    mark_lesson_done,
    set_percent,
)
from learnplan.progress.log_json import log_to_json

DAY = dt.date(2019, 5, 20)


def plan(plan_id: str = "p1", title: str = "Plan One") -> Plan:
    return Plan(
        id=plan_id,
        title=title,
        start=dt.date(2019, 5, 6),
        courses=(
            Course(
                id="c1",
                provider="MIT",
                title="Linear Algebra",
                fte=0.7,
                lessons=tuple(Lesson(f"l{i}", f"Lesson {i}") for i in range(1, 6)),
            ),
            Course(id="c2", provider="Fastai", title="Part 1", fte=1.5),
        ),
    )


def compact(value: Any) -> Any:
    """What the old store did to a plan before storing it (config syncs: no nulls)."""
    if isinstance(value, dict):
        return {k: compact(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [compact(v) for v in value]
    return value


def old_log() -> ProgressLog:
    log = ProgressLog("p1")
    log = mark_lesson_done(log, "c1", "l1", DAY)
    log = mark_lesson_done(log, "c1", "l2", DAY)
    log = add_session(log, Session(DAY, "c1", 1.0))
    log = add_session(log, Session(DAY, "c1", 1.0))  # the same twice: two sessions
    log = add_cost(log, CostPaid(DAY, "c2", 45.0))
    log = add_revision(log, Revision(DAY, "c2", "less", fte=1.0))
    return set_percent(log, "c2", DAY, 20.0)


def old_config() -> dict[str, Any]:
    return {
        "learnplan.plans": {"version": 1, "plans": ["p1", "p2"], "current": "p1"},
        "learnplan.plan.p1": compact(plan_to_dict(plan("p1"))),
        "learnplan.plan.p2": compact(plan_to_dict(plan("p2", "Plan Two"))),
        "learnplan.plan.gone": None,  # a plan dropped the old way (set to null)
        "learnplan.log.p1": log_to_json(old_log()),
        "learnplan.imported.p1": {
            "built_at": 1_700_000_000.0,
            "updated_at": 1_700_000_001.5,
            "decks": {"c1": 1_234_567_890_123},
            "state": "_lpstate-p1-0123456789ab.json",
        },
    }


def write_old_config(col: Any, config: dict[str, Any] | None = None) -> None:
    for key, value in (config or old_config()).items():
        col.set_config(key, value)
