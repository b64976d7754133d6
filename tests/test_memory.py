"""learnplan.collection.memory against a real Anki collection, real scheduler and Anki's own
counts."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import pytest

pytest.importorskip("anki")

import helpers_memory as hm
from anki.collection import Collection
from anki.scheduler_pb2 import CardAnswer
from helpers_anki import db
from helpers_memory import NOTES, NOW, TAG_A, TAG_B, add_notes, answer_card, course_rows

from learnplan.collection.memory import MemoryTracker, course_memory
from learnplan.model.plan import Course, Plan
from learnplan.progress.recall import CourseMemory

col = hm.col
dated_plan = hm.dated_plan
studied = hm.studied


def search(col: Collection, tag: str, query: str = "") -> int:
    return len(col.find_cards(f"tag:{tag} {query}"))


def test_imports_without_anki() -> None:
    code = (
        "import sys; sys.modules['anki'] = None; "
        "import learnplan.collection.memory as m; print(m.STATE_VERSION, m.MemoryTracker.__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1 MemoryTracker"


# --- against a real collection ------------------------------------------------------------


def test_card_buckets_match_anki_searches(studied: Collection) -> None:
    col = studied
    result = course_memory(col, hm.PLAN, now=NOW)
    assert set(result) == {"a", "b", "empty"}
    for course_id, tag in (("a", TAG_A), ("b", TAG_B)):
        got = result[course_id]
        assert got.new == search(col, tag, "is:new -is:suspended")
        assert got.learning == search(col, tag, "is:learn -is:suspended")
        assert got.young == search(col, tag, "is:review -is:learn -is:suspended prop:ivl<21")
        assert got.mature == search(col, tag, "is:review -is:learn -is:suspended prop:ivl>=21")
        assert got.suspended == search(col, tag, "is:suspended")
        assert got.total == search(col, tag)
        assert got.total == got.new + got.learning + got.young + got.mature + got.suspended
    a = result["a"]
    # The states really are mixed, so the comparisons above mean something.
    assert a.new and a.learning and a.young and a.mature and a.suspended
    assert result["empty"] == CourseMemory(
        course="empty",
        new=0,
        learning=0,
        young=0,
        mature=0,
        suspended=0,
        total=0,
        reviews_by_day=result["empty"].reviews_by_day,
        seconds_by_day=result["empty"].seconds_by_day,
        review_seconds=0.0,
        retention=None,
        knowledge=0.0,
    )
    assert all(n == 0 for _, n in result["empty"].reviews_by_day)


def test_child_tags_and_case_count_once_and_prefix_does_not_match(col: Collection) -> None:
    add_notes(col, NOTES)
    result = course_memory(col, hm.PLAN)
    # Course a: 6 + 1 + 2 (reversed) + 1 + 2 (reversed, mixed case) + 1 (also in b) cards.
    assert result["a"].total == 13
    # Course b: 5 notes x 2 cards + the note shared with a; not the "...::bb" note.
    assert result["b"].total == 11
    assert result["a"].new == 13


def test_reviews_time_and_retention_match_the_revlog(studied: Collection) -> None:
    col = studied
    result = course_memory(col, hm.PLAN, now=NOW)
    for course_id, tag in (("a", TAG_A), ("b", TAG_B)):
        rows = course_rows(col, tag)
        answers = [r for r in rows if r[1] > 0]
        got = result[course_id]
        assert sum(n for _, n in got.reviews_by_day) == len(answers)
        assert got.review_seconds == sum(r[5] for r in answers) / 1000
        assert sum(s for _, s in got.seconds_by_day) == pytest.approx(got.review_seconds)
        # Hand count: review-kind answers (and any with a previous interval >= 1 day).
        counted = [
            r
            for r in rows
            if r[1] > 0 and r[2] in (0, 1, 2) and (r[2] == 1 or r[3] >= 1 or r[3] <= -86400)
        ]
        passed = sum(1 for r in counted if r[1] > 1)
        assert counted, "the fixture must produce review-kind answers"
        assert got.retention == passed / len(counted)
    assert 0 < result["a"].retention < 1  # type: ignore[operator]


def test_retention_equals_ankis_true_retention(studied: Collection) -> None:
    col = studied
    result = course_memory(col, hm.PLAN, now=NOW, retention_days=30)
    for course_id, tag in (("a", TAG_A), ("b", TAG_B)):
        month = col._backend.graphs(search=f"tag:{tag}", days=0).true_retention.month
        passed = month.young_passed + month.mature_passed
        failed = month.young_failed + month.mature_failed
        assert passed + failed > 0
        assert result[course_id].retention == passed / (passed + failed)


def test_reviews_land_on_anki_study_days(col: Collection) -> None:
    add_notes(col, NOTES[:6])
    cids = col.find_cards("", order="c.id")
    rollover = int(col.get_config("rollover", 4))
    start_of_today = col.sched.day_cutoff - 86_400
    # 2 hours before today's rollover: still yesterday's study day.
    early = (start_of_today - 2 * 3600) * 1000
    for i, cid in enumerate(cids[:2]):
        answer_card(col, cid, CardAnswer.GOOD, at_ms=early + i, taken_ms=4_000 + 1_000 * i)
    three_days_ago = (start_of_today - 3 * 86_400 + 3600) * 1000
    for i, cid in enumerate(cids[2:5]):
        answer_card(col, cid, CardAnswer.GOOD, at_ms=three_days_ago + i, taken_ms=4_000 + 1_000 * i)
    result = course_memory(col, hm.PLAN)["a"]
    by_day = {d: n for d, n in result.reviews_by_day if n}
    secs = {d: s for d, s in result.seconds_by_day if s}

    def study_day(ms: int) -> dt.date:
        return (dt.datetime.fromtimestamp(ms / 1000) - dt.timedelta(hours=rollover)).date()

    assert by_day == {study_day(early): 2, study_day(three_days_ago): 3}
    assert secs == {study_day(early): 4.0 + 5.0, study_day(three_days_ago): 4.0 + 5.0 + 6.0}
    dates = [d for d, _ in result.reviews_by_day]
    assert dates[0] == hm.PLAN.start and dates[-1] == hm.PLAN.end - dt.timedelta(days=1)
    assert len(dates) == hm.PLAN.weeks * 7


def test_knowledge_only_with_fsrs_and_close_to_ankis(col: Collection) -> None:
    add_notes(col, NOTES)
    cids = col.find_cards("", order="c.id")
    for cid in cids[::3]:
        answer_card(col, cid, CardAnswer.GOOD)
    off = course_memory(col, hm.PLAN)
    assert all(m.knowledge is None for m in off.values())
    col.set_config("fsrs", True)
    for i, cid in enumerate(cids[1::3]):
        answer_card(col, cid, CardAnswer.EASY, at_ms=int(time.time() * 1000) - i * 3_600_000)
    now = time.time()
    on = course_memory(col, hm.PLAN, now=now)
    for course_id, tag in (("a", TAG_A), ("b", TAG_B)):
        anki_sum = col._backend.graphs(search=f"tag:{tag}", days=0).retrievability.sum_by_card
        knowledge = on[course_id].knowledge
        assert knowledge is not None and knowledge > 0
        # Anki computes in f32 at its own "now": close, not bit-identical.
        assert knowledge == pytest.approx(anki_sum, rel=1e-3)
    later = course_memory(col, hm.PLAN, now=now + 30 * 86_400)["a"].knowledge
    assert later is not None and later < on["a"].knowledge  # type: ignore[operator]


def snapshot(col: Collection) -> tuple[object, ...]:
    return (
        db(col).all("SELECT * FROM cards ORDER BY id"),
        db(col).all("SELECT id, mod, tags FROM notes ORDER BY id"),
        db(col).scalar("SELECT count() FROM revlog"),
        db(col).scalar("SELECT mod FROM col"),
        col.undo_status().undo,
    )


def test_reading_changes_nothing(studied: Collection) -> None:
    before = snapshot(studied)
    course_memory(studied, hm.PLAN)
    tracker = MemoryTracker(hm.PLAN)
    tracker.refresh(studied)
    tracker.refresh(studied)
    assert snapshot(studied) == before


def test_non_ascii_plan_id_matches_like_anki(col: Collection) -> None:
    plan = Plan(
        id="zéro",
        title="Zéro",
        start=dt.date.today(),
        courses=(Course(id="a", provider="P", title="A", fte=1.0),),
    )
    add_notes(
        col,
        [
            (["ZÉRO::course::a"], False),
            (["zéro::course::a::x"], True),
            (["zero::course::a"], False),
        ],
    )
    got = course_memory(col, plan)["a"].total
    assert got == len(col.find_cards("tag:zéro::course::a")) == 3


def test_knowledge_of_cards_without_last_review_time(studied: Collection) -> None:
    # Cards reviewed by older Anki versions carry no "lrt"; the last review is then taken
    # from due - interval, as Anki's own stats do.
    col = studied
    db(col).execute(
        "UPDATE cards SET data = json_remove(data, '$.lrt'), due = due - 3"
        " WHERE type = 2 AND data LIKE '%lrt%'"
    )
    assert db(col).scalar("SELECT count() FROM cards WHERE type = 2 AND data LIKE '%\"s\":%'")
    now = time.time()
    result = course_memory(col, hm.PLAN, now=now)
    for course_id, tag in (("a", TAG_A), ("b", TAG_B)):
        anki_sum = col._backend.graphs(search=f"tag:{tag}", days=0).retrievability.sum_by_card
        assert result[course_id].knowledge == pytest.approx(anki_sum, rel=1e-3)
