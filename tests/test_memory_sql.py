"""learnplan.collection.memory.sql and .reads: the rules as SQL, the card -> course grouping
and its paths, against a real collection."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import product

import pytest

pytest.importorskip("anki")

import helpers_memory as hm
from anki.collection import Collection
from anki.scheduler_pb2 import CardAnswer
from helpers_anki import db
from helpers_memory import NOW, TAG_A, TAG_B, add_notes, answer, count_full_reads, course_rows

from learnplan.collection.memory import MemoryTracker, course_memory, ledger, reads, sql
from learnplan.progress.recall import (
    ANSWERED,
    CARD_BUCKETS,
    PASSED,
    RETENTION_ROWS,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    card_bucket,
    holds,
    retention_eligible,
)

col = hm.col
dated_plan = hm.dated_plan
studied = hm.studied


# --- the rules as SQL agree with the rules in Python --------------------------------------


def compares(condition: Condition) -> Iterator[Compare]:
    if isinstance(condition, Compare):
        yield condition
    elif isinstance(condition, (AllOf, AnyOf)):
        for part in condition.parts:
            yield from compares(part)
    else:
        yield from compares(condition.part)


def values_that_matter(conditions: list[Condition], domain: dict[str, set[int]]) -> list[set[int]]:
    """Per column: every value the rules compare with, one either side, and ``domain``."""
    out = {column: set(values) for column, values in domain.items()}
    for condition in conditions:
        for c in compares(condition):
            out[c.column] |= {c.value - 1, c.value, c.value + 1}
    return list(out.values())


CARD_VALUES = values_that_matter(
    [c for c, _ in CARD_BUCKETS],
    # Anki's card types and queues (buried: -2, -3; preview 4), a few intervals.
    {"type": {0, 1, 2, 3}, "queue": set(range(-3, 5)), "ivl": {0, 1, 365}},
)
REVLOG_VALUES = values_that_matter(
    [ANSWERED, PASSED, RETENTION_ROWS],
    # Eases 0-4, review kinds 0-5 (learn, review, relearn, filtered, manual, rescheduled),
    # intervals in days (positive) and seconds (negative), factors.
    {"ease": set(range(5)), "type": set(range(6)), "lastIvl": {-600, 30}, "factor": {2500}},
)


def test_every_combination_that_matters_is_covered() -> None:
    cards = list(product(*CARD_VALUES))
    revlog = list(product(*REVLOG_VALUES))
    # The thresholds themselves and both sides of them.
    assert {20, 21, 22} <= CARD_VALUES[2] and {-1, 0} <= CARD_VALUES[1]
    assert {-86_401, -86_400, -86_399, 0, 1, 2} <= REVLOG_VALUES[2] and 0 in REVLOG_VALUES[3]
    assert len({card_bucket(*c) for c in cards}) == 5
    assert Counter(retention_eligible(*r) for r in revlog).keys() == {True, False}


def test_card_buckets_in_sql_follow_card_bucket(col: Collection) -> None:
    # Every (type, queue, ivl) that matters on a card of a real collection: the bucket
    # the tracker reads through SQL is card_bucket's, on a full read and an incremental one.
    combos = list(product(*CARD_VALUES))
    add_notes(col, [([TAG_A], False)] * len(combos))
    cids = list(col.find_cards(f"tag:{TAG_A}", order="c.id"))
    assert len(cids) == len(combos)

    def set_states(shift: int) -> list[tuple[int, ...]]:
        states = combos[shift:] + combos[:shift]
        db(col).executemany(
            "UPDATE cards SET type = ?, queue = ?, ivl = ?, mod = mod + 1 WHERE id = ?",
            [(*state, cid) for cid, state in zip(cids, states, strict=True)],
        )
        return states

    def check(tracker: MemoryTracker, states: list[tuple[int, ...]]) -> None:
        result = tracker.refresh(col, now=NOW)["a"]
        got = {cid: tracker._ledger.cards[cid].bucket for cid in cids}
        assert got == {cid: card_bucket(*s) for cid, s in zip(cids, states, strict=True)}
        counts = Counter(got.values())
        assert (result.new, result.learning, result.young, result.mature, result.suspended) == (
            tuple(counts[b] for b in range(5))
        )

    tracker = MemoryTracker(hm.PLAN)
    check(tracker, set_states(0))
    full_reads = count_full_reads(tracker)
    check(tracker, set_states(7))  # every card changed: read again, incrementally
    assert full_reads == []


def test_retention_rows_in_sql_follow_retention_eligible(col: Collection) -> None:
    # Every (ease, type, lastIvl, factor) that matters, as revlog rows of a course's card
    # on today's study day: each row read as the Python rules say, and the day's answers,
    # time and retention counted as they say, on a full read and an incremental one.
    combos = list(product(*REVLOG_VALUES))
    add_notes(col, [([TAG_A], False)])
    (cid,) = col.find_cards(f"tag:{TAG_A}")
    start_ms = (col.sched.day_cutoff - 86_400) * 1000
    rules: dict[int, tuple[bool, bool, bool]] = {}  # revlog id -> answered, counts, passed
    times: dict[int, int] = {}

    def insert(first: int) -> None:
        rows = []
        for i, (ease, kind, last_ivl, factor) in enumerate(combos):
            rid = start_ms + first + i
            rows.append((rid, cid, -1, ease, kind, last_ivl, factor, 0, 1_000 + i))
            rules[rid] = (
                holds(ANSWERED, {"ease": ease}),
                retention_eligible(ease, kind, last_ivl, factor),
                holds(PASSED, {"ease": ease}),
            )
            times[rid] = 1_000 + i
        db(col).executemany(
            "INSERT INTO revlog (id, cid, usn, ease, type, lastIvl, factor, ivl, time)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def check(tracker: MemoryTracker) -> None:
        read = reads.revlog_rows(col, "cid = ?", cid)
        assert {rid: tuple(map(bool, flags)) for rid, _, _, *flags in read} == rules
        answers = [rid for rid, (answered, _, _) in rules.items() if answered]
        passed = sum(1 for a, counts, p in rules.values() if a and counts and p)
        failed = sum(1 for a, counts, p in rules.values() if a and counts and not p)
        assert passed and failed
        result = tracker.refresh(col, now=NOW)["a"]
        gid = tracker._ledger.group_ids[(0,)]
        today = col.sched.today
        assert tracker._ledger.days[gid] == {
            today: [len(answers), sum(times[r] for r in answers), passed, failed]
        }
        assert result.retention == passed / (passed + failed)
        assert result.review_seconds == sum(times[r] for r in answers) / 1000

    insert(0)
    tracker = MemoryTracker(hm.PLAN)
    check(tracker)
    full_reads = count_full_reads(tracker)
    insert(len(combos))
    check(tracker)
    assert full_reads == []


# --- grouping paths -----------------------------------------------------------------------


def test_range_and_set_lookup_paths_agree(
    studied: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    ranges = course_memory(studied, hm.PLAN, now=NOW)
    monkeypatch.setattr(sql, "RANGE_LIMIT", 0)
    lookups = course_memory(studied, hm.PLAN, now=NOW)
    assert lookups == ranges


def test_chunked_reads_agree(studied: Collection, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = course_memory(studied, hm.PLAN, now=NOW)
    monkeypatch.setattr(reads, "CHUNK", 3)
    monkeypatch.setattr(sql, "REVLOG_SLICE", 1)  # one grouped query per study day
    assert course_memory(studied, hm.PLAN, now=NOW) == whole


def test_day_rounding_matches_sqlite(col: Collection) -> None:
    # Rows read one by one (incremental) must land on the same day as rows grouped in SQL.
    last = col.sched.day_cutoff * 1000 - 1
    day = 86_400_000
    for rev_id in (last, last - day + 1, last - day, last - 5 * day - 7, last + 1, last + day + 5):
        sql_ago = db(col).scalar(f"SELECT (? - ?) / {day}", last, rev_id)
        assert ledger.days_ago(last, rev_id) == sql_ago
    assert ledger.days_ago(last, last - day) == 1
    assert ledger.days_ago(last, last - day + 1) == 0


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
    orphans = db(col).scalar("SELECT count() FROM revlog WHERE cid NOT IN (SELECT id FROM cards)")
    assert orphans > 0

    expected = course_memory(col, hm.PLAN, now=NOW)
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
        monkeypatch.setattr(sql, "REVLOG_SLICE", 1 if min_run == 2 else 10_000)
        monkeypatch.setattr(sql, "MAX_STATEMENT", 1 if min_run == 2 else 1_000_000)
        monkeypatch.setattr(sql, "MIN_RUN", min_run)
        monkeypatch.setattr(sql, "RANGE_LIMIT", range_limit)
        monkeypatch.setattr(sql, "EXCEPTION_LIMIT", exception_limit)
        assert course_memory(col, hm.PLAN, now=NOW) == expected, (min_run, range_limit)


def test_separator_inside_a_value_falls_back_to_rows(studied: Collection) -> None:
    col = studied
    before = course_memory(col, hm.PLAN, now=NOW)
    # Column chunks are joined with reads.SEP; a tag string containing it must still be
    # read right (here it just adds a tag that belongs to no course).
    nid = col.find_notes(f"tag:{TAG_A}")[0]
    db(col).execute("UPDATE notes SET tags = tags || ? WHERE id = ?", f"x{reads.SEP}y ", nid)
    assert reads.SEP in db(col).scalar("SELECT tags FROM notes WHERE id = ?", nid)
    assert course_memory(col, hm.PLAN, now=NOW) == before
