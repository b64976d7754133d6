"""learnplan.collection.memory.tracker: incremental refreshes equal a full read."""

from __future__ import annotations

import pytest

pytest.importorskip("anki")

import helpers_memory as hm
from anki.collection import Collection
from anki.scheduler_pb2 import CardAnswer
from helpers_anki import db
from helpers_memory import NOW, TAG_A, TAG_B, add_notes, answer, answer_card

from learnplan.collection.memory import MemoryTracker, course_memory, reads
from learnplan.progress.recall import CourseMemory

col = hm.col
dated_plan = hm.dated_plan
studied = hm.studied


def check_same(tracker: MemoryTracker, col: Collection) -> dict[str, CourseMemory]:
    incremental = tracker.refresh(col, now=NOW)
    fresh = course_memory(col, hm.PLAN, now=NOW)
    assert incremental == fresh
    return incremental


def test_incremental_refresh_equals_fresh(studied: Collection) -> None:
    col = studied
    tracker = MemoryTracker(hm.PLAN)
    first = check_same(tracker, col)

    # More answers, including review-kind rows for retention.
    cids = col.find_cards(f"tag:{TAG_B} is:new")
    col.sched.set_due_date(cids[:3], "0")
    assert answer(col, 8, [CardAnswer.AGAIN, CardAnswer.GOOD]) > 0
    # Answers just either side of today's rollover land on different study days.
    start_ms = (col.sched.day_cutoff - 86_400) * 1000
    late_cids = col.find_cards(f"tag:{TAG_B} -is:suspended -is:buried")
    answer_card(col, late_cids[0], CardAnswer.GOOD, at_ms=start_ms - 60_000)
    answer_card(col, late_cids[1], CardAnswer.GOOD, at_ms=start_ms + 60_000)
    second = check_same(tracker, col)
    assert second != first

    # Suspend and unsuspend.
    col.sched.suspend_cards(col.find_cards(f"tag:{TAG_A} is:review")[:2])
    col.sched.unsuspend_cards(col.find_cards(f"tag:{TAG_A} is:suspended")[:1])
    check_same(tracker, col)

    # Tag changes move notes (and their reviews) between courses.
    reviewed_a = col.find_notes(f"tag:{TAG_A} -tag:{TAG_B} rated:1")
    assert reviewed_a
    col.tags.bulk_add(reviewed_a[:1], TAG_B)
    col.tags.bulk_remove(reviewed_a[:1], TAG_A)
    moved = check_same(tracker, col)
    assert moved["b"].total > second["b"].total

    # A new note, a deleted note, and an undone answer.
    add_notes(col, [([f"{TAG_A}::late"], False)])
    check_same(tracker, col)
    col.remove_notes(col.find_notes(f"tag:{TAG_B} rated:1")[:1])
    check_same(tracker, col)
    col.sched.set_due_date(col.find_cards(f"tag:{TAG_A} is:review")[:1], "0")
    check_same(tracker, col)
    before_undo = db(col).scalar("SELECT count() FROM revlog")
    assert answer(col, 1, [CardAnswer.GOOD]) == 1
    check_same(tracker, col)
    col.undo()
    assert db(col).scalar("SELECT count() FROM revlog") == before_undo
    check_same(tracker, col)

    # FSRS switched off and on again.
    col.set_config("fsrs", False)
    assert all(m.knowledge is None for m in check_same(tracker, col).values())
    col.set_config("fsrs", True)
    check_same(tracker, col)


def test_tracker_reads_only_new_rows(studied: Collection) -> None:
    col = studied
    tracker = MemoryTracker(hm.PLAN)
    tracker.refresh(col, now=NOW)
    full_reads = []
    real_full = tracker._full

    def counting_full(*args: object) -> None:
        full_reads.append(args)
        real_full(*args)  # type: ignore[arg-type]

    tracker._full = counting_full  # type: ignore[method-assign,assignment]
    col.sched.set_due_date(col.find_cards(f"tag:{TAG_A} is:new")[:2], "0")
    answer(col, 3, [CardAnswer.GOOD])
    check_same(tracker, col)
    assert full_reads == []


def test_full_read_signatures_equal_the_incremental_checks(studied: Collection) -> None:
    col = studied
    # A full read takes the cards' and notes' signatures from the rows it reads; they
    # must be what the incremental refresh compares against, or it would read again.
    tracker = MemoryTracker(hm.PLAN)
    tracker.refresh(col, now=NOW)
    cards_sig, notes_sig, revlog_sig = reads.signatures(col, 0)
    marks = tracker._marks
    assert marks is not None
    assert marks.cards_sig[:3] == cards_sig[:3]
    assert marks.notes_sig[:3] == notes_sig[:3]
    assert (marks.rev_last, marks.rev_count) == revlog_sig
    assert cards_sig[0] == col.card_count() and notes_sig[0] == col.note_count()
