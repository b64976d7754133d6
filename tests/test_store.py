"""addon/store.py against a real anki Collection: named undo steps, redo, damaged records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from anki.collection import Collection

from addon import store
from learnplan.log import ProgressLog, Session, add_session, mark_lesson_done
from learnplan.plan import Course, Lesson, Plan, plan_to_dict

DAY = dt.date(2019, 5, 20)


def _plan(plan_id: str = "p1", title: str = "Plan One") -> Plan:
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
                lessons=(Lesson("l01", "Geometry"), Lesson("l02", "Elimination", hours=2)),
            ),
            Course(id="c2", provider="Fastai", title="Part 1", fte=1.5, cost=45.0),
        ),
    )


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    c = Collection(str(tmp_path / "collection.anki2"))
    try:
        yield c
    finally:
        c.close()


def test_fresh_collection_has_nothing(col: Collection) -> None:
    assert store.read_adopted(col) == store.Adopted()
    assert store.read_plan(col, "p1") is None
    assert store.read_log(col, "p1") == ProgressLog(plan_id="p1")


def test_adopt_round_trips_plan_and_is_one_named_undo_step(
    col: Collection,
) -> None:
    plan = _plan()
    store.adopt_plan(col, plan)
    assert store.read_adopted(col) == store.Adopted(plan_ids=("p1",), current="p1")
    back = store.read_plan(col, "p1")
    assert back is not None
    assert plan_to_dict(back) == plan_to_dict(plan)
    assert col.undo_status().undo == "Adopt Learning Plan"

    col.undo()
    # Both keys written by the step are restored together.
    assert store.read_adopted(col) == store.Adopted()
    assert store.read_plan(col, "p1") is None


def test_second_plan_becomes_current_and_switch_back(col: Collection) -> None:
    store.adopt_plan(col, _plan("p1"))
    store.adopt_plan(col, _plan("p2", "Plan Two"))
    assert store.read_adopted(col) == store.Adopted(plan_ids=("p1", "p2"), current="p2")
    store.set_current(col, "p1")
    assert store.read_adopted(col).current == "p1"
    assert col.undo_status().undo == "Switch Learning Plan"
    with pytest.raises(ValueError, match="not adopted"):
        store.set_current(col, "nope")


def test_mark_lesson_done_undo_redo(col: Collection) -> None:
    store.adopt_plan(col, _plan())
    store.update_log(
        col, "p1", lambda log: mark_lesson_done(log, "c1", "l01", DAY), "Mark Lesson Done"
    )
    done = store.read_log(col, "p1").lessons_done
    assert [(d.course, d.lesson, d.date) for d in done] == [("c1", "l01", DAY)]
    status = col.undo_status()
    assert status.undo == "Mark Lesson Done"

    col.undo()
    assert store.read_log(col, "p1").lessons_done == ()
    assert col.undo_status().redo == "Mark Lesson Done"
    # The adoption before it is untouched by undoing the tick.
    assert store.read_adopted(col).current == "p1"

    col.redo()
    assert len(store.read_log(col, "p1").lessons_done) == 1


def test_applied_trim_is_one_undo_step(col: Collection) -> None:
    from addon import forms
    from learnplan.log import add_revision, apply_revisions
    from learnplan.progress import snapshot

    # 0.7 + 1.5 = 2.2 points in 2 weeks at 40 h/week = 0.67 capacity: over
    plan = dataclasses.replace(_plan(), weeks=2)
    store.adopt_plan(col, plan)
    revisions = forms.trim_revisions(snapshot(plan, ProgressLog("p1"), today=DAY), DAY)
    assert len(revisions) == 2

    def change(log: ProgressLog) -> ProgressLog:
        for revision in revisions:
            log = add_revision(log, revision)
        return log

    store.update_log(col, "p1", change, "Apply Trim")
    trimmed = apply_revisions(plan, store.read_log(col, "p1"))
    assert trimmed.total_fte <= trimmed.capacity
    assert col.undo_status().undo == "Apply Trim"
    col.undo()  # both courses come back in one step
    assert store.read_log(col, "p1").revisions == ()
    col.redo()
    assert len(store.read_log(col, "p1").revisions) == 2


def test_log_session_survives_reopen(tmp_path: Path) -> None:
    path = str(tmp_path / "c.anki2")
    c = Collection(path)
    session = Session(date=DAY, course="c2", hours=2.5, note="lesson 1 video")
    store.update_log(c, "p1", lambda log: add_session(log, session), "Log Study Session")
    c.close()
    c = Collection(path)
    try:
        assert store.read_log(c, "p1").sessions == (session,)
    finally:
        c.close()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({"version": 99, "plan": "p1"}, "newer"),
        ({"version": 1, "plan": "p1", "lessons_done": "everything"}, "lessons_done"),
        ("just text", "JSON object"),
        ({"version": 1, "plan": "other"}, "belongs to plan 'other'"),
    ],
)
def test_damaged_log_is_reported_exported_and_never_overwritten(
    col: Collection, tmp_path: Path, raw: object, reason: str
) -> None:
    key = store.log_key("p1")
    col.set_config(key, raw)
    with pytest.raises(store.DamagedRecord, match=reason) as info:
        store.read_log(col, "p1")
    assert info.value.raw == raw
    assert key in str(info.value) and "Export" in str(info.value)

    with pytest.raises(store.DamagedRecord):
        store.update_log(
            col, "p1", lambda log: mark_lesson_done(log, "c1", "l01", DAY), "Mark Lesson Done"
        )
    with pytest.raises(store.DamagedRecord):
        store.adopt_plan(col, _plan())
    assert col.get_config(key) == raw
    assert store.read_adopted(col) == store.Adopted()

    exported = store.export_record(col, key, tmp_path / "saved.json")
    assert json.loads(exported.read_text(encoding="utf-8")) == {"key": key, "value": raw}

    store.start_fresh(col, key)
    assert store.read_log(col, "p1") == ProgressLog(plan_id="p1")
    assert col.undo_status().undo == "Start Fresh"
    col.undo()
    assert col.get_config(key) == raw


def test_damaged_plans_index_and_plan(col: Collection) -> None:
    col.set_config(store.PLANS_KEY, {"version": 2, "plans": ["p1"], "current": "p1"})
    with pytest.raises(store.DamagedRecord, match="newer"):
        store.read_adopted(col)
    col.set_config(store.PLANS_KEY, {"version": 1, "plans": ["p1"], "current": "zz"})
    with pytest.raises(store.DamagedRecord, match="current"):
        store.read_adopted(col)
    store.start_fresh(col, store.PLANS_KEY)
    assert store.read_adopted(col) == store.Adopted()

    col.set_config(store.plan_key("p1"), {"title": "no id"})
    with pytest.raises(store.DamagedRecord, match="missing the required key 'id'"):
        store.read_plan(col, "p1")


def test_stored_plan_is_small(col: Collection) -> None:
    # Collection config goes out with every sync: nulls are not stored.
    store.adopt_plan(col, _plan())
    raw = col.get_config(store.plan_key("p1"))
    assert "null" not in json.dumps(raw)
