"""addon/store.py and addon/undo.py against a real anki Collection: named undo steps,
Edit > Undo and Redo through the journal (what the add-on's hooks call), records that
cannot be read."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from anki.collection import Collection
from helpers_anki import open_collection

from addon import loader, store, undo
from learnplan.collection import recordstore
from learnplan.model.plan import Course, Lesson, Plan, plan_to_dict
from learnplan.progress.entries import encode_file, make_entry, random_name
from learnplan.progress.log import (
    ProgressLog,
    Session,
    add_session,
    mark_lesson_done,
    unmark_lesson_done,
)
from learnplan.progress.migration import OLD_PLANS_KEY

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
def journal() -> undo.Journal:
    return undo.Journal()


def _undo(col: Collection, journal: undo.Journal) -> None:
    """Edit > Undo: Anki's undo, then the add-on's state_did_undo and op hooks."""
    journal.after_undo(col, col.undo())
    journal.after_operation(col)


def _redo(col: Collection, journal: undo.Journal) -> None:
    """Edit > Redo: Anki's redo, then the add-on's operation_did_execute hook."""
    col.redo()
    journal.after_operation(col)


def _tick(col: Collection, journal: undo.Journal, lesson: str = "l01") -> None:
    undo.step(
        col,
        "Mark Lesson Done",
        lambda: recordstore.change_log(
            col, "p1", lambda lg: mark_lesson_done(lg, "c1", lesson, DAY)
        ),
        journal=journal,
    )


def test_fresh_collection_has_nothing(col: Collection) -> None:
    assert store.read_adopted(col) == store.Adopted()
    assert store.read_plan(col, "p1") is None
    assert store.read_log(col, "p1") == ProgressLog(plan_id="p1")
    assert store.read(col).problems == ()


def test_adopt_round_trips_plan_and_is_one_named_undo_step(
    col: Collection, journal: undo.Journal
) -> None:
    plan = _plan()
    undo.step(col, "Adopt Learning Plan", lambda: recordstore.adopt(col, plan), journal=journal)
    assert store.read_adopted(col) == store.Adopted(plan_ids=("p1",), current="p1")
    back = store.read_plan(col, "p1")
    assert back is not None
    assert plan_to_dict(back) == plan_to_dict(plan)
    assert col.undo_status().undo == "Adopt Learning Plan"
    # Nothing of the learner's records is in the config, which sync replaces wholesale.
    assert [k for k in col.all_config() if k.startswith("learnplan.")] == [undo.MARKER_KEY]

    _undo(col, journal)
    assert store.read_adopted(col) == store.Adopted()
    assert store.read_plan(col, "p1") is None
    assert col.undo_status().redo == "Adopt Learning Plan"
    _redo(col, journal)
    assert store.read_adopted(col) == store.Adopted(plan_ids=("p1",), current="p1")


def test_second_plan_becomes_current_and_switch_back(col: Collection) -> None:
    store.adopt_plan(col, _plan("p1"))
    store.adopt_plan(col, _plan("p2", "Plan Two"))
    assert store.read_adopted(col) == store.Adopted(plan_ids=("p1", "p2"), current="p2")
    store.set_current(col, "p1")
    assert store.read_adopted(col).current == "p1"
    assert col.undo_status().undo == "Switch Learning Plan"
    with pytest.raises(ValueError, match="not adopted"):
        store.set_current(col, "nope")


def test_mark_lesson_done_undo_redo_undo(col: Collection, journal: undo.Journal) -> None:
    store.adopt_plan(col, _plan())
    _tick(col, journal)
    done = store.read_log(col, "p1").lessons_done
    assert [(d.course, d.lesson, d.date) for d in done] == [("c1", "l01", DAY)]
    assert col.undo_status().undo == "Mark Lesson Done"

    _undo(col, journal)
    assert store.read_log(col, "p1").lessons_done == ()
    assert col.undo_status().redo == "Mark Lesson Done"
    # The adoption before it is untouched by undoing the tick.
    assert store.read_adopted(col).current == "p1"

    _redo(col, journal)
    assert len(store.read_log(col, "p1").lessons_done) == 1
    assert col.undo_status().undo == "Mark Lesson Done"
    # The redone step can be undone again: its new entries are taken back.
    _undo(col, journal)
    assert store.read_log(col, "p1").lessons_done == ()
    applied, undone = journal.steps()
    assert [s.name for s in undone] == ["Mark Lesson Done"] and applied == ()


def test_an_undone_step_is_recognised_by_its_marker_too(
    col: Collection, journal: undo.Journal
) -> None:
    store.adopt_plan(col, _plan())
    _tick(col, journal)
    out = col.undo()
    out.counter = 10**6  # an undo entry number the journal never saw
    assert journal.after_undo(col, out)
    assert store.read_log(col, "p1").lessons_done == ()


def test_an_undo_of_something_else_takes_nothing_back(
    col: Collection, journal: undo.Journal
) -> None:
    store.adopt_plan(col, _plan())
    _tick(col, journal)
    col.decks.id("Another deck")
    _undo(col, journal)  # undoes adding the deck, not the tick
    assert len(store.read_log(col, "p1").lessons_done) == 1


def test_two_steps_undone_and_redone_in_order(col: Collection, journal: undo.Journal) -> None:
    store.adopt_plan(col, _plan())
    _tick(col, journal, "l01")
    _tick(col, journal, "l02")

    def ticked() -> list[str]:
        return [d.lesson for d in store.read_log(col, "p1").lessons_done]

    _undo(col, journal)
    _undo(col, journal)
    assert ticked() == []
    _redo(col, journal)
    assert ticked() == ["l01"]
    _redo(col, journal)
    assert ticked() == ["l01", "l02"]


def test_another_operation_ends_redo(col: Collection, journal: undo.Journal) -> None:
    store.adopt_plan(col, _plan())
    _tick(col, journal)
    _undo(col, journal)
    deck = col.decks.id("Something else")  # any other undoable operation
    journal.after_operation(col)
    assert deck and col.undo_status().redo == ""
    assert journal.steps()[1] == ()  # nothing left that could be redone
    assert store.read_log(col, "p1").lessons_done == ()


def test_untick_is_an_entry_and_undo_brings_the_tick_back(
    col: Collection, journal: undo.Journal
) -> None:
    store.adopt_plan(col, _plan())
    _tick(col, journal)
    undo.step(
        col,
        "Unmark Lesson Done",
        lambda: recordstore.change_log(col, "p1", lambda lg: unmark_lesson_done(lg, "c1", "l01")),
        journal=journal,
    )
    assert store.read_log(col, "p1").lessons_done == ()
    _undo(col, journal)
    assert [d.lesson for d in store.read_log(col, "p1").lessons_done] == ["l01"]


def test_applied_trim_is_one_undo_step(col: Collection, journal: undo.Journal) -> None:
    from addon import forms
    from learnplan.progress.log import add_revision, apply_revisions
    from learnplan.progress.snapshot import snapshot

    # 0.7 + 1.5 = 2.2 points in 2 weeks at 40 h/week = 0.67 capacity: over
    plan = dataclasses.replace(_plan(), weeks=2)
    store.adopt_plan(col, plan)
    revisions = forms.trim_revisions(snapshot(plan, ProgressLog("p1"), today=DAY), DAY)
    assert len(revisions) == 2

    def change(log: ProgressLog) -> ProgressLog:
        for revision in revisions:
            log = add_revision(log, revision)
        return log

    undo.step(col, "Apply Trim", lambda: recordstore.change_log(col, "p1", change), journal=journal)
    trimmed = apply_revisions(plan, store.read_log(col, "p1"))
    assert trimmed.total_fte <= trimmed.capacity
    assert col.undo_status().undo == "Apply Trim"
    _undo(col, journal)  # both courses come back in one step
    assert store.read_log(col, "p1").revisions == ()
    _redo(col, journal)
    assert len(store.read_log(col, "p1").revisions) == 2


def test_log_session_survives_reopen(tmp_path: Path) -> None:
    path = str(tmp_path / "c.anki2")
    c = open_collection(tmp_path, "c.anki2")
    session = Session(date=DAY, course="c2", hours=2.5, note="lesson 1 video")
    store.update_log(c, "p1", lambda log: add_session(log, session), "Log Study Session")
    c.close()
    c = Collection(path)
    try:
        assert store.read_log(c, "p1").sessions == (session,)
    finally:
        c.close()


def test_summary_in_the_root_deck_follows_the_step_and_its_undo(
    col: Collection, journal: undo.Journal
) -> None:
    plan = _plan()
    root = col.decks.id(plan.title)
    assert root is not None
    deck = col.decks.get(root)
    assert deck is not None
    deck["desc"] = "My own words <i>kept</i>."
    col.decks.save(deck)
    store.adopt_plan(col, plan)

    def description() -> str:
        got = col.decks.get(root)
        assert got is not None
        return str(got["desc"])

    adopted = description()
    assert adopted.endswith("My own words <i>kept</i>.")
    assert "0.0 earned" in adopted
    _tick(col, journal)
    assert "0.23 earned" in description()  # a third of the 0.7 course's weight (1 of 1+2 h)
    _undo(col, journal)
    assert description() == adopted  # Anki's undo restores the description itself


# --- records that cannot be read


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({"version": 99, "plan": "p1"}, "newer"),
        ({"version": 1, "plan": "p1", "lessons_done": "everything"}, "lessons_done"),
        ("just text", "JSON object"),
        ({"version": 1, "plan": "other"}, "belongs to plan 'other'"),
    ],
)
def test_damaged_old_log_is_reported_exported_kept_and_started_fresh(
    col: Collection, tmp_path: Path, raw: object, reason: str
) -> None:
    key = "learnplan.log.p1"
    col.set_config(key, raw)
    stored = store.read(col)
    [problem] = stored.problems
    assert problem.key == f"config:{key}"
    assert reason in problem.message and "Export" in problem.message
    assert stored.movable == ()

    # Ordinary changes work and never touch it.
    store.adopt_plan(col, _plan())
    store.update_log(
        col, "p1", lambda log: mark_lesson_done(log, "c1", "l01", DAY), "Mark Lesson Done"
    )
    assert col.get_config(key) == raw
    assert len(store.read_log(col, "p1").lessons_done) == 1

    exported = store.export_record(col, f"config:{key}", tmp_path / "saved.json")
    assert json.loads(exported.read_text(encoding="utf-8")) == {"key": key, "value": raw}
    assert store.export_name(f"config:{key}") == "config-learnplan.log.p1.json"

    store.start_fresh(col, f"config:{key}")
    assert col.get_config(key, None) is None
    assert store.read(col).problems == ()
    assert col.undo_status().undo == "Start Fresh"
    col.undo()
    assert col.get_config(key) == raw


def test_damaged_record_file_is_reported_exported_exactly_and_hidden(
    col: Collection, tmp_path: Path, journal: undo.Journal
) -> None:
    store.adopt_plan(col, _plan())
    name = random_name()
    content = b'{"format": "learnplan-records", "version": 1, "entries": [tru'
    (Path(col.media.dir()) / name).write_bytes(content)
    good = [make_entry("session", "p1", Session(DAY, "c1", 1.0))]
    half = random_name()  # one good entry and one that is not
    data = json.loads(encode_file(good))
    data["entries"].append({"id": "0" * 32, "at": 5, "op": "session", "plan": "p1"})
    (Path(col.media.dir()) / half).write_text(json.dumps(data), encoding="utf-8")

    problems = {p.key: p.message for p in store.read(col).problems}
    assert set(problems) == {f"file:{name}", f"file:{half}"}
    assert "not valid JSON" in problems[f"file:{name}"]
    assert "entries[1].data" in problems[f"file:{half}"]
    # The good entry of the half-damaged file counts.
    assert [s.hours for s in store.read_log(col, "p1").sessions] == [1.0]

    out = store.export_record(col, f"file:{name}", tmp_path / "kept.json")
    assert out.read_bytes() == content
    assert store.export_name(f"file:{name}") == name

    undo.step(col, "Start Fresh", lambda: recordstore.dismiss(col, f"file:{name}"), journal=journal)
    assert [p.key for p in store.read(col).problems] == [f"file:{half}"]
    assert (Path(col.media.dir()) / name).read_bytes() == content  # never deleted
    _undo(col, journal)
    assert len(store.read(col).problems) == 2


def test_newer_record_file_is_reported_not_read(col: Collection) -> None:
    name = random_name()
    newer = {"format": "learnplan-records", "version": 2, "entries": "something else"}
    (Path(col.media.dir()) / name).write_text(json.dumps(newer), encoding="utf-8")
    [problem] = store.read(col).problems
    assert "newer Learning Plan" in problem.message
    assert store.fix_label(problem.key) == "Hide it"


def test_damaged_plans_index_keeps_it_and_the_plans_stay_visible(col: Collection) -> None:
    col.set_config(OLD_PLANS_KEY, {"version": 2, "plans": ["p1"], "current": "p1"})
    col.set_config("learnplan.plan.p1", plan_to_dict(_plan()))
    stored = store.read(col)
    assert [p.key for p in stored.problems] == [f"config:{OLD_PLANS_KEY}"]
    assert "newer" in stored.problems[0].message
    assert [p.id for p in stored.records.plans] == ["p1"]  # can't tell: kept adopted
    recordstore.move_old_config(col)
    assert col.get_config(OLD_PLANS_KEY)["version"] == 2  # left exactly as it was
    assert col.get_config("learnplan.plan.p1", None) is None  # moved into a record file
    assert store.read_plan(col, "p1") is not None


def test_a_plan_that_cannot_be_shown_offers_the_way_out(col: Collection, tmp_path: Path) -> None:
    store.adopt_plan(col, _plan("p1"))
    store.adopt_plan(col, _plan("p2", "Plan Two"))
    key = "plan:p2"
    assert store.fix_label(key) == "Stop following it"
    raw = json.loads(store.export_record(col, key, tmp_path / "p2.json").read_text())
    assert raw["format"] == "learnplan-records" and raw["entries"][0]["data"]["id"] == "p2"
    store.start_fresh(col, key)
    assert store.read_adopted(col) == store.Adopted(plan_ids=("p1",), current="p1")


def test_upkeep_does_nothing_when_nothing_is_needed(col: Collection) -> None:
    store.adopt_plan(col, _plan())
    before = col.undo_status()
    store.upkeep(col)
    assert col.undo_status() == before


def test_upkeep_is_needed_for_old_config_records_until_it_ran(col: Collection) -> None:
    store.adopt_plan(col, _plan())
    assert not store.upkeep_needed(col)
    # A sync brought back a plan in the old config layout: it waits to be moved.
    col.set_config(OLD_PLANS_KEY, {"version": 1, "plans": ["p2"], "current": "p1"})
    col.set_config("learnplan.plan.p2", plan_to_dict(_plan("p2", "Plan Two")))
    stored = store.read(col)
    assert store.upkeep_needed(col) and store.upkeep_needed(col, stored)
    assert loader.load(col, loader.TrackerBox()).upkeep  # the panel then runs it
    store.upkeep(col)
    assert not store.upkeep_needed(col)
    assert not loader.load(col, loader.TrackerBox()).upkeep
    assert col.get_config("learnplan.plan.p2", None) is None
    assert store.read_plan(col, "p2") is not None
