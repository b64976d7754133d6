"""learnplan.collection.memory against a real Anki collection, real scheduler and Anki's own
counts."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("anki")

from anki.collection import Collection
from anki.scheduler_pb2 import CardAnswer

from learnplan.collection import memory
from learnplan.collection.memory import MemoryTracker, course_memory
from learnplan.model.plan import Course, Plan
from learnplan.progress.recall import (
    CourseMemory,
    card_bucket,
    retention_eligible,
    tag_courses,
)

PLAN = Plan(
    id="zero-to-dl",
    title="Zero to DL",
    start=dt.date.today() - dt.timedelta(days=20),
    weeks=12,
    courses=(
        Course(id="a", provider="P", title="Course A", fte=1.0),
        Course(id="b", provider="P", title="Course B", fte=0.5),
        Course(id="empty", provider="P", title="Nothing yet", fte=0.2),
    ),
)
TAG_A = PLAN.course_tag("a")
TAG_B = PLAN.course_tag("b")
NOW = 1_900_000_000.0  # a fixed "now" for knowledge, so two reads can be compared exactly

# (tags, reversed card too?) -- child tags, mixed case, a prefix trap, two courses, none.
NOTES: list[tuple[list[str], bool]] = [
    *[([TAG_A, "zero-to-dl::lesson::a::l1"], False)] * 6,
    ([f"{TAG_A}::part1"], False),  # only through a child tag
    ([f"{TAG_A}::part1", f"{TAG_A}::part2"], True),  # two child tags: counts once
    ([TAG_A, f"{TAG_A}::part1"], False),  # tag and child: counts once
    (["Zero-To-DL::Course::A"], True),  # mixed case
    *[([TAG_B], True)] * 5,
    ([f"{TAG_B}b"], False),  # zero-to-dl::course::bb is not course b
    ([TAG_A, TAG_B], False),  # in both courses
    (["other::deck"], False),
    ([], False),
]


def add_notes(col: Collection, notes: list[tuple[list[str], bool]]) -> list[int]:
    basic = col.models.by_name("Basic")
    both = col.models.by_name("Basic (and reversed card)")
    assert basic is not None and both is not None
    ids = []
    for i, (tags, reverse) in enumerate(notes):
        note = col.new_note(both if reverse else basic)
        note["Front"] = f"question {i} {time.time()}"
        note["Back"] = "answer"
        note.tags = list(tags)
        col.add_note(note, 1)  # type: ignore[arg-type]
        ids.append(note.id)
    return ids


def answer_card(
    col: Collection, cid: int, rating: int, at_ms: int | None = None, taken_ms: int = 5_000
) -> None:
    """Answer one card through the v3 scheduler (its real next states), optionally back-dated."""
    states = col._backend.get_scheduling_states(cid)
    new_state = (states.again, states.hard, states.good, states.easy)[rating]
    col.sched.answer_card(
        CardAnswer(
            card_id=cid,
            current_state=states.current,
            new_state=new_state,
            rating=rating,  # type: ignore[arg-type]
            answered_at_millis=int(time.time() * 1000) if at_ms is None else at_ms,
            milliseconds_taken=taken_ms,
        )
    )


def answer(col: Collection, count: int, ratings: list[int]) -> int:
    """Answer up to ``count`` cards in the scheduler's own queue order, cycling ``ratings``."""
    done = 0
    while done < count:
        queued = col.sched.get_queued_cards(fetch_limit=1)
        if not queued.cards:
            break
        top = queued.cards[0]
        card = col.get_card(top.card.id)  # type: ignore[arg-type]
        card.start_timer()
        rating = ratings[done % len(ratings)]
        col.sched.answer_card(
            col.sched.build_answer(card=card, states=top.states, rating=rating)  # type: ignore[arg-type]
        )
        done += 1
    return done


def study(col: Collection) -> None:
    """Mixed states and history: new, learning, relearning, young and mature reviews with
    passes and lapses (some back-dated), suspended and buried cards; FSRS on."""
    add_notes(col, NOTES)
    cids = list(col.find_cards("", order="c.id"))
    # "30!" gives a 30-day interval only with FSRS off (FSRS leaves ivl at 0).
    col.sched.set_due_date(cids[3::6], "30!")
    col.set_config("fsrs", True)
    day_ms = 86_400_000
    start_ms = (col.sched.day_cutoff - 86_400) * 1000
    good, again, easy = CardAnswer.GOOD, CardAnswer.AGAIN, CardAnswer.EASY
    for i, cid in enumerate(cids):
        kind = i % 6
        if kind == 1:  # learning
            answer_card(col, cid, good, taken_ms=3_000 + i)
        elif kind == 2:  # young review, passed or lapsed (relearning)
            col.sched.set_due_date([cid], "0")
            answer_card(col, cid, again if i % 4 == 0 else good, at_ms=start_ms - 2 * day_ms + i)
        elif kind == 3:  # mature; half of them reviewed (from a mature interval) today
            if i % 12 == 3:
                col.sched.set_due_date([cid], "0")
                answer_card(col, cid, again if i % 3 == 0 else easy)
        elif kind == 4:  # graduated straight away
            answer_card(col, cid, easy, at_ms=start_ms - 5 * day_ms + i)
        elif kind == 5:  # learning after a lapse of a new card
            answer_card(col, cid, again)
    col.sched.suspend_cards([cids[3], cids[4], cids[6]])
    col.sched.bury_cards([cids[5], cids[10]])


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    collection = Collection(str(tmp_path / "collection.anki2"))
    # Today's rollover half a day away, whatever the time the suite runs: within minutes of
    # it the scheduler's learn-ahead and day boundary change what is due.
    collection.set_config("rollover", (dt.datetime.now().hour + 12) % 24)
    try:
        yield collection
    finally:
        collection.close()


@pytest.fixture
def studied(col: Collection) -> Collection:
    study(col)
    return col


def search(col: Collection, tag: str, query: str = "") -> int:
    return len(col.find_cards(f"tag:{tag} {query}"))


def course_rows(col: Collection, tag: str) -> list[tuple[int, ...]]:
    """Revlog rows of a course's cards, found through Anki's own tag search."""
    cids = col.find_cards(f"tag:{tag}")
    if not cids:
        return []
    marks = ",".join(str(c) for c in cids)
    return [
        tuple(int(v) for v in row)
        for row in col.db.all(
            f"SELECT id, ease, type, lastIvl, factor, time FROM revlog WHERE cid IN ({marks})"
        )
    ]


# --- pure helpers ------------------------------------------------------------------------


def test_tag_courses_matches_tag_and_children_case_insensitively() -> None:
    tags = {"zero-to-dl::course::a": 0, "zero-to-dl::course::b": 1}
    assert tag_courses(" zero-to-dl::course::a ", tags) == (0,)
    assert tag_courses(" ZERO-to-DL::Course::A::Part-1 ", tags) == (0,)
    assert tag_courses(" zero-to-dl::course::ab zero-to-dl::course ", tags) == ()
    assert tag_courses(" zero-to-dl::course::b zero-to-dl::course::a::x ", tags) == (0, 1)


def test_card_bucket_keeps_suspended_apart_and_buried_by_type() -> None:
    assert card_bucket(0, 0, 0) == memory.NEW
    assert card_bucket(1, 1, 0) == memory.LEARNING
    assert card_bucket(3, 1, 5) == memory.LEARNING
    assert card_bucket(2, 2, 20) == memory.YOUNG
    assert card_bucket(2, 2, 21) == memory.MATURE
    assert card_bucket(2, -1, 40) == memory.SUSPENDED
    assert card_bucket(2, -3, 40) == memory.MATURE  # buried: by type


def test_retention_eligibility_follows_anki() -> None:
    assert retention_eligible(3, 1, 5, 2500)  # review
    assert retention_eligible(1, 1, 5, 2500)  # a failed review still counts
    assert not retention_eligible(3, 0, -600, 0)  # learning step
    assert retention_eligible(3, 2, 2, 2500)  # relearning of a card a day or more apart
    assert not retention_eligible(0, 4, 30, 2500)  # manual reschedule
    assert not retention_eligible(3, 3, 5, 0)  # filtered preview without rescheduling


def test_imports_without_anki() -> None:
    code = (
        "import sys; sys.modules['anki'] = None; "
        "import learnplan.collection.memory as m; print(m.MATURE_IVL)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "21"


# --- against a real collection ------------------------------------------------------------


def test_card_buckets_match_anki_searches(studied: Collection) -> None:
    col = studied
    result = course_memory(col, PLAN, now=NOW)
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
    result = course_memory(col, PLAN)
    # Course a: 6 + 1 + 2 (reversed) + 1 + 2 (reversed, mixed case) + 1 (also in b) cards.
    assert result["a"].total == 13
    # Course b: 5 notes x 2 cards + the note shared with a; not the "...::bb" note.
    assert result["b"].total == 11
    assert result["a"].new == 13


def test_reviews_time_and_retention_match_the_revlog(studied: Collection) -> None:
    col = studied
    result = course_memory(col, PLAN, now=NOW)
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
    result = course_memory(col, PLAN, now=NOW, retention_days=30)
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
    result = course_memory(col, PLAN)["a"]
    by_day = {d: n for d, n in result.reviews_by_day if n}
    secs = {d: s for d, s in result.seconds_by_day if s}

    def study_day(ms: int) -> dt.date:
        return (dt.datetime.fromtimestamp(ms / 1000) - dt.timedelta(hours=rollover)).date()

    assert by_day == {study_day(early): 2, study_day(three_days_ago): 3}
    assert secs == {study_day(early): 4.0 + 5.0, study_day(three_days_ago): 4.0 + 5.0 + 6.0}
    dates = [d for d, _ in result.reviews_by_day]
    assert dates[0] == PLAN.start and dates[-1] == PLAN.end - dt.timedelta(days=1)
    assert len(dates) == PLAN.weeks * 7


def test_knowledge_only_with_fsrs_and_close_to_ankis(col: Collection) -> None:
    add_notes(col, NOTES)
    cids = col.find_cards("", order="c.id")
    for cid in cids[::3]:
        answer_card(col, cid, CardAnswer.GOOD)
    off = course_memory(col, PLAN)
    assert all(m.knowledge is None for m in off.values())
    col.set_config("fsrs", True)
    for i, cid in enumerate(cids[1::3]):
        answer_card(col, cid, CardAnswer.EASY, at_ms=int(time.time() * 1000) - i * 3_600_000)
    now = time.time()
    on = course_memory(col, PLAN, now=now)
    for course_id, tag in (("a", TAG_A), ("b", TAG_B)):
        anki_sum = col._backend.graphs(search=f"tag:{tag}", days=0).retrievability.sum_by_card
        knowledge = on[course_id].knowledge
        assert knowledge is not None and knowledge > 0
        # Anki computes in f32 at its own "now": close, not bit-identical.
        assert knowledge == pytest.approx(anki_sum, rel=1e-3)
    later = course_memory(col, PLAN, now=now + 30 * 86_400)["a"].knowledge
    assert later is not None and later < on["a"].knowledge  # type: ignore[operator]


def snapshot(col: Collection) -> tuple[object, ...]:
    return (
        col.db.all("SELECT * FROM cards ORDER BY id"),
        col.db.all("SELECT id, mod, tags FROM notes ORDER BY id"),
        col.db.scalar("SELECT count() FROM revlog"),
        col.db.scalar("SELECT mod FROM col"),
        col.undo_status().undo,
    )


def test_reading_changes_nothing(studied: Collection) -> None:
    before = snapshot(studied)
    course_memory(studied, PLAN)
    tracker = MemoryTracker(PLAN)
    tracker.refresh(studied)
    tracker.refresh(studied)
    assert snapshot(studied) == before


def check_same(tracker: MemoryTracker, col: Collection) -> dict[str, CourseMemory]:
    incremental = tracker.refresh(col, now=NOW)
    fresh = course_memory(col, PLAN, now=NOW)
    assert incremental == fresh
    return incremental


def test_incremental_refresh_equals_fresh(studied: Collection) -> None:
    col = studied
    tracker = MemoryTracker(PLAN)
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
    before_undo = col.db.scalar("SELECT count() FROM revlog")
    assert answer(col, 1, [CardAnswer.GOOD]) == 1
    check_same(tracker, col)
    col.undo()
    assert col.db.scalar("SELECT count() FROM revlog") == before_undo
    check_same(tracker, col)

    # FSRS switched off and on again.
    col.set_config("fsrs", False)
    assert all(m.knowledge is None for m in check_same(tracker, col).values())
    col.set_config("fsrs", True)
    check_same(tracker, col)


def test_tracker_reads_only_new_rows(studied: Collection) -> None:
    col = studied
    tracker = MemoryTracker(PLAN)
    tracker.refresh(col, now=NOW)
    full_reads = []
    real_full = tracker._full

    def counting_full(*args: object) -> None:
        full_reads.append(args)
        real_full(*args)  # type: ignore[arg-type]

    tracker._full = counting_full  # type: ignore[method-assign]
    col.sched.set_due_date(col.find_cards(f"tag:{TAG_A} is:new")[:2], "0")
    answer(col, 3, [CardAnswer.GOOD])
    check_same(tracker, col)
    assert full_reads == []


def test_range_and_set_lookup_paths_agree(
    studied: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    ranges = course_memory(studied, PLAN, now=NOW)
    monkeypatch.setattr(memory, "RANGE_LIMIT", 0)
    lookups = course_memory(studied, PLAN, now=NOW)
    assert lookups == ranges


def test_chunked_reads_agree(studied: Collection, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = course_memory(studied, PLAN, now=NOW)
    monkeypatch.setattr(memory, "CHUNK", 3)
    monkeypatch.setattr(memory, "REVLOG_SLICE", 1)  # one grouped query per study day
    assert course_memory(studied, PLAN, now=NOW) == whole


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


def test_day_rounding_matches_sqlite(col: Collection) -> None:
    # Rows read one by one (incremental) must land on the same day as rows grouped in SQL.
    last = col.sched.day_cutoff * 1000 - 1
    day = 86_400_000
    for rev_id in (last, last - day + 1, last - day, last - 5 * day - 7, last + 1, last + day + 5):
        sql_ago = col.db.scalar(f"SELECT (? - ?) / {day}", last, rev_id)
        assert memory._days_ago(last, rev_id) == sql_ago
    assert memory._days_ago(last, last - day) == 1
    assert memory._days_ago(last, last - day + 1) == 0


def test_memory_state_parsing_follows_json() -> None:
    parse = MemoryTracker._memory
    full = '{"s":4.2928,"d":9.398,"dr":0.9,"decay":0.1542,"lrt":1788891624}'
    assert parse(full, 7) == (4.2928, 0.1542, 1788891624.0, 0)
    # No last review time: the fallback study day; no or a bad decay: FSRS-5's.
    assert parse('{"s":2.5}', 7) == (2.5, memory.FSRS5_DEFAULT_DECAY, -1.0, 7)
    assert parse('{"s":2.5,"decay":0,"lrt":null}', 7) == (2.5, 0.5, -1.0, 7)
    # No usable stability, or not a JSON object: no memory state.
    for raw in ("", "{}", '{"s":0}', '{"s":null}', '{"s":true}', '{"S":2}', '{"s":2', '[{"s":2}]'):
        assert parse(raw, 7) is None, raw


def test_exact_sums_equal_fsum() -> None:
    # Knowledge is kept as an exact integer sum so single-card updates equal a fresh sum.
    import math
    import random

    rng = random.Random(7)
    values = [rng.random() ** rng.choice([1, 5, 40]) for _ in range(5000)]
    exact = sum(memory._exact(v) for v in values)
    assert exact / memory._EXACT_ONE == math.fsum(values)
    dropped = exact - sum(memory._exact(v) for v in values[:100])
    assert dropped / memory._EXACT_ONE == math.fsum(values[100:])


def test_knowledge_of_cards_without_last_review_time(studied: Collection) -> None:
    # Cards reviewed by older Anki versions carry no "lrt"; the last review is then taken
    # from due - interval, as Anki's own stats do.
    col = studied
    col.db.execute(
        "UPDATE cards SET data = json_remove(data, '$.lrt'), due = due - 3"
        " WHERE type = 2 AND data LIKE '%lrt%'"
    )
    assert col.db.scalar("SELECT count() FROM cards WHERE type = 2 AND data LIKE '%\"s\":%'")
    now = time.time()
    result = course_memory(col, PLAN, now=now)
    for course_id, tag in (("a", TAG_A), ("b", TAG_B)):
        anki_sum = col._backend.graphs(search=f"tag:{tag}", days=0).retrievability.sum_by_card
        assert result[course_id].knowledge == pytest.approx(anki_sum, rel=1e-3)


# --- grouping paths, saved state ----------------------------------------------------------


def test_grouping_paths_agree_with_deleted_cards_inside_runs(
    studied: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    col = studied
    # Long runs of one course with a few cards of other courses (and none) inside, some
    # reviewed, then reviewed notes deleted from the middle of a run: their revlog rows
    # stay behind under card ids that now belong to no card.
    mixed = [([TAG_B], False)] * 6 + [([TAG_A], False), (["other"], False)] + [([TAG_B], True)] * 4
    add_notes(col, mixed)
    col.sched.set_due_date(col.find_cards(f"tag:{TAG_B} is:new"), "0")
    assert answer(col, 30, [CardAnswer.GOOD, CardAnswer.AGAIN, CardAnswer.EASY]) == 30
    reviewed = col.find_notes(f"tag:{TAG_B} -tag:{TAG_A} rated:1")
    col.remove_notes(reviewed[1:3])
    orphans = col.db.scalar("SELECT count() FROM revlog WHERE cid NOT IN (SELECT id FROM cards)")
    assert orphans > 0

    expected = course_memory(col, PLAN, now=NOW)
    for course_id, tag in (("a", TAG_A), ("b", TAG_B)):
        answers = [r for r in course_rows(col, tag) if r[1] > 0]
        assert sum(n for _, n in expected[course_id].reviews_by_day) == len(answers)
    # Every card its own range; short runs put right card by card; set lookups.
    for min_run, range_limit, exception_limit in (
        (1, 4096, 20_000),
        (2, 4096, 20_000),
        (4, 4096, 20_000),
        (10**9, 4096, 20_000),
        (2, 4096, 0),
        (1, 0, 20_000),
    ):
        # One SELECT a day, one statement each (as with many ranges).
        monkeypatch.setattr(memory, "REVLOG_SLICE", 1 if min_run == 2 else 10_000)
        monkeypatch.setattr(memory, "_MAX_STATEMENT", 1 if min_run == 2 else 1_000_000)
        monkeypatch.setattr(memory, "MIN_RUN", min_run)
        monkeypatch.setattr(memory, "RANGE_LIMIT", range_limit)
        monkeypatch.setattr(memory, "EXCEPTION_LIMIT", exception_limit)
        assert course_memory(col, PLAN, now=NOW) == expected, (min_run, range_limit)


def test_separator_inside_a_value_falls_back_to_rows(studied: Collection) -> None:
    col = studied
    before = course_memory(col, PLAN, now=NOW)
    # Column chunks are joined with memory._SEP; a tag string containing it must still be
    # read right (here it just adds a tag that belongs to no course).
    nid = col.find_notes(f"tag:{TAG_A}")[0]
    col.db.execute("UPDATE notes SET tags = tags || ? WHERE id = ?", f"x{memory._SEP}y ", nid)
    assert memory._SEP in col.db.scalar("SELECT tags FROM notes WHERE id = ?", nid)
    assert course_memory(col, PLAN, now=NOW) == before


def test_full_read_signatures_equal_the_incremental_checks(studied: Collection) -> None:
    col = studied
    # A full read takes the cards' and notes' signatures from the rows it reads; they
    # must be what the incremental refresh compares against, or it would read again.
    tracker = MemoryTracker(PLAN)
    tracker.refresh(col, now=NOW)
    cards_sig, notes_sig, revlog_sig = tracker._sigs(col)
    assert tracker._cards_sig[:3] == cards_sig[:3]
    assert tracker._notes_sig[:3] == notes_sig[:3]
    assert (tracker._rev_last, tracker._rev_count) == revlog_sig
    assert cards_sig[0] == col.card_count() and notes_sig[0] == col.note_count()


def saved(tracker: MemoryTracker) -> Any:
    # Through JSON, as the add-on stores it.
    return json.loads(json.dumps(tracker.to_state()))


def count_full_reads(tracker: MemoryTracker) -> list[object]:
    reads: list[object] = []
    real_full = tracker._full

    def counting_full(*args: object) -> None:
        reads.append(args)
        real_full(*args)  # type: ignore[arg-type]

    tracker._full = counting_full  # type: ignore[method-assign]
    return reads


def test_restored_tracker_continues_incrementally(studied: Collection) -> None:
    col = studied
    tracker = MemoryTracker(PLAN)
    assert tracker.to_state() == {}
    first = tracker.refresh(col, now=NOW)
    state = saved(tracker)

    restored = MemoryTracker.from_state(PLAN, state)
    reads = count_full_reads(restored)
    assert restored.refresh(col, now=NOW) == first
    # The next session: more answers, a suspension, a tag change, a new note.
    col.sched.set_due_date(col.find_cards(f"tag:{TAG_B} is:new")[:3], "0")
    assert answer(col, 5, [CardAnswer.AGAIN, CardAnswer.GOOD]) > 0
    col.sched.suspend_cards(col.find_cards(f"tag:{TAG_A} is:review")[:1])
    col.tags.bulk_add(col.find_notes(f"tag:{TAG_A} -tag:{TAG_B}")[:1], TAG_B)
    add_notes(col, [([f"{TAG_B}::late"], True)])
    later = MemoryTracker.from_state(PLAN, state)
    later_reads = count_full_reads(later)
    result = later.refresh(col, now=NOW)
    assert result == course_memory(col, PLAN, now=NOW)
    assert result != first
    assert reads == [] and later_reads == []
    # And its own state round-trips again.
    again = MemoryTracker.from_state(PLAN, saved(later))
    assert again.refresh(col, now=NOW) == result


def test_stale_or_foreign_state_means_a_full_read(studied: Collection, tmp_path: Path) -> None:
    col = studied
    tracker = MemoryTracker(PLAN)
    tracker.refresh(col, now=NOW)
    state = saved(tracker)

    def check(restored: MemoryTracker, expect_full: bool) -> None:
        reads = count_full_reads(restored)
        assert restored.refresh(col, now=NOW) == course_memory(col, PLAN, now=NOW)
        assert bool(reads) == expect_full

    # Another collection with the same plan: different creation time, nothing shared.
    other = Collection(str(tmp_path / "other.anki2"))
    try:
        add_notes(other, NOTES[:3])
        other_tracker = MemoryTracker(PLAN)
        other_tracker.refresh(other, now=NOW)
        other_state = saved(other_tracker)
    finally:
        other.close()
    if other_state["crt"] == state["crt"]:
        other_state["crt"] += 1  # created within the same second as the test collection
    check(MemoryTracker.from_state(PLAN, other_state), True)

    # An answer saved in the state, then undone: the revlog went back below the state.
    col.sched.set_due_date(col.find_cards(f"tag:{TAG_A} is:new")[:1], "0")
    assert answer(col, 1, [CardAnswer.GOOD]) == 1
    tracker.refresh(col, now=NOW)
    undone = saved(tracker)
    col.undo()
    check(MemoryTracker.from_state(PLAN, undone), True)

    # A plan with other courses, another format version, broken data: not used at all.
    changed = Plan(
        id=PLAN.id, title=PLAN.title, start=PLAN.start, weeks=12, courses=PLAN.courses[:2]
    )
    tracker.refresh(col, now=NOW)
    fresh_state = saved(tracker)
    assert not MemoryTracker.from_state(changed, fresh_state)._ready
    earlier = dt.timedelta(days=30)
    moved = Plan(id=PLAN.id, title=PLAN.title, start=PLAN.start - earlier, courses=PLAN.courses)
    assert not MemoryTracker.from_state(moved, fresh_state)._ready
    assert not MemoryTracker.from_state(PLAN, fresh_state, retention_days=7)._ready
    assert MemoryTracker.from_state(PLAN, fresh_state)._ready
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
        restored = MemoryTracker.from_state(PLAN, bad)
        assert not restored._ready, bad if not isinstance(bad, dict) else sorted(bad)
        check(restored, True)
    # The unchanged state is used as is.
    check(MemoryTracker.from_state(PLAN, fresh_state), False)
