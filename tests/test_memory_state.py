"""learnplan.collection.memory.state: the tracker's saved state, restored in a later
session."""

from __future__ import annotations

import datetime as dt
import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("anki")

import helpers_memory as hm
from anki.collection import Collection
from anki.scheduler_pb2 import CardAnswer
from helpers_anki import db
from helpers_memory import NOTES, NOW, TAG_A, TAG_B, add_notes, answer, count_full_reads

from learnplan.collection.memory import STATE_VERSION, MemoryTracker, course_memory
from learnplan.model.plan import Plan

col = hm.col
dated_plan = hm.dated_plan
studied = hm.studied

#: The form of a saved state of version 1, as the add-on has stored them since.
V1_KEYS = [
    *("version", "plan", "start", "courses", "retention_days", "crt", "epoch", "fsrs"),
    *("today", "cutoff", "retention_first", "sigs", "groups", "notes", "note_groups"),
    *("cards", "card_mods", "course_cards", "card_groups", "card_buckets", "memory_cards"),
    *("memory", "days"),
]


def saved(tracker: MemoryTracker) -> Any:
    # Through JSON, as the add-on stores it.
    return json.loads(json.dumps(tracker.to_state()))


def test_restored_tracker_continues_incrementally(studied: Collection) -> None:
    col = studied
    tracker = MemoryTracker(hm.PLAN)
    assert tracker.to_state() == {}
    first = tracker.refresh(col, now=NOW)
    state = saved(tracker)

    restored = MemoryTracker.from_state(hm.PLAN, state)
    reads = count_full_reads(restored)
    assert restored.refresh(col, now=NOW) == first
    # The next session: more answers, a suspension, a tag change, a new note.
    col.sched.set_due_date(col.find_cards(f"tag:{TAG_B} is:new")[:3], "0")
    assert answer(col, 5, [CardAnswer.AGAIN, CardAnswer.GOOD]) > 0
    col.sched.suspend_cards(col.find_cards(f"tag:{TAG_A} is:review")[:1])
    col.tags.bulk_add(col.find_notes(f"tag:{TAG_A} -tag:{TAG_B}")[:1], TAG_B)
    add_notes(col, [([f"{TAG_B}::late"], True)])
    later = MemoryTracker.from_state(hm.PLAN, state)
    later_reads = count_full_reads(later)
    result = later.refresh(col, now=NOW)
    assert result == course_memory(col, hm.PLAN, now=NOW)
    assert result != first
    assert reads == [] and later_reads == []
    # And its own state round-trips again.
    again = MemoryTracker.from_state(hm.PLAN, saved(later))
    assert again.refresh(col, now=NOW) == result


def test_stale_or_foreign_state_means_a_full_read(studied: Collection, tmp_path: Path) -> None:
    col = studied
    tracker = MemoryTracker(hm.PLAN)
    tracker.refresh(col, now=NOW)
    state = saved(tracker)

    def check(restored: MemoryTracker, expect_full: bool) -> None:
        reads = count_full_reads(restored)
        assert restored.refresh(col, now=NOW) == course_memory(col, hm.PLAN, now=NOW)
        assert bool(reads) == expect_full

    # Another collection with the same plan: different creation time, nothing shared.
    other = Collection(str(tmp_path / "other.anki2"))
    try:
        add_notes(other, NOTES[:3])
        other_tracker = MemoryTracker(hm.PLAN)
        other_tracker.refresh(other, now=NOW)
        other_state = saved(other_tracker)
    finally:
        other.close()
    if other_state["crt"] == state["crt"]:
        other_state["crt"] += 1  # created within the same second as the test collection
    check(MemoryTracker.from_state(hm.PLAN, other_state), True)

    # An answer saved in the state, then undone: the revlog went back below the state.
    col.sched.set_due_date(col.find_cards(f"tag:{TAG_A} is:new")[:1], "0")
    assert answer(col, 1, [CardAnswer.GOOD]) == 1
    tracker.refresh(col, now=NOW)
    undone = saved(tracker)
    col.undo()
    check(MemoryTracker.from_state(hm.PLAN, undone), True)

    # A plan with other courses, another format version, broken data: not used at all.
    changed = Plan(
        id=hm.PLAN.id,
        title=hm.PLAN.title,
        start=hm.PLAN.start,
        weeks=12,
        courses=hm.PLAN.courses[:2],
    )
    tracker.refresh(col, now=NOW)
    fresh_state = saved(tracker)
    assert not MemoryTracker.from_state(changed, fresh_state)._ready
    earlier = dt.timedelta(days=30)
    moved = Plan(
        id=hm.PLAN.id,
        title=hm.PLAN.title,
        start=hm.PLAN.start - earlier,
        courses=hm.PLAN.courses,
    )
    assert not MemoryTracker.from_state(moved, fresh_state)._ready
    assert not MemoryTracker.from_state(hm.PLAN, fresh_state, retention_days=7)._ready
    assert MemoryTracker.from_state(hm.PLAN, fresh_state)._ready
    bad: Any
    for bad in (
        None,
        [],
        {},
        {**fresh_state, "version": -1},
        {**fresh_state, "card_groups": fresh_state["card_groups"][:-1]},
        {**fresh_state, "cards": list(reversed(fresh_state["cards"]))},
        {**fresh_state, "groups": [[], [99]]},
        {**fresh_state, "days": [[1, 2, 3]]},
        {**fresh_state, "memory": ["x"] * len(fresh_state["memory"])},
    ):
        restored = MemoryTracker.from_state(hm.PLAN, bad)
        assert not restored._ready, bad if not isinstance(bad, dict) else sorted(bad)
        check(restored, True)
    # The unchanged state is used as is.
    check(MemoryTracker.from_state(hm.PLAN, fresh_state), False)


def test_state_keeps_the_version_1_form(studied: Collection) -> None:
    # States saved by earlier versions of the add-on (one per plan, in its user_files)
    # restore as long as the form is this one; another form needs another STATE_VERSION,
    # and then an old state only means one full read.
    col = studied
    tracker = MemoryTracker(hm.PLAN)
    tracker.refresh(col, now=NOW)
    state = saved(tracker)
    assert list(state) == V1_KEYS
    assert state["version"] == STATE_VERSION == 1
    assert (state["plan"], state["start"], state["retention_days"]) == (
        hm.PLAN.id,
        hm.PLAN.start.isoformat(),
        28,
    )
    assert state["courses"] == [hm.PLAN.course_tag(c.id).lower() for c in hm.PLAN.courses]
    assert state["crt"] == col.crt and state["today"] == col.sched.today
    assert state["cutoff"] == col.sched.day_cutoff and state["fsrs"] is True
    assert state["epoch"] == state["cutoff"] - 86_400 * state["today"]
    # Ids as differences from the previous one; per card its mod; per course card its
    # group and bucket; memory states as four numbers a card; days as six.
    cids = sorted(db(col).list("SELECT id FROM cards"))
    assert state["cards"] == [cids[0], *(b - a for a, b in pairwise(cids))]
    assert state["card_mods"] == [
        db(col).scalar("SELECT mod FROM cards WHERE id = ?", c) for c in cids
    ]
    assert len(state["course_cards"]) == len(state["card_groups"]) == len(state["card_buckets"])
    assert len(state["memory"]) == 4 * len(state["memory_cards"]) > 0
    assert state["groups"][0] == [] and all(len(day) == 6 for day in state["days"])
    assert len(state["sigs"]) == 10 and state["sigs"][0] == col.card_count()
    reads = count_full_reads(restored := MemoryTracker.from_state(hm.PLAN, state))
    assert restored.refresh(col, now=NOW) == course_memory(col, hm.PLAN, now=NOW)
    assert reads == []
