"""The memory tests' shared collection: a plan of three courses, notes tagged into them
(child tags, mixed case, a prefix trap, two courses, none) and cards studied into every
state through Anki's real v3 scheduler.

Its fixtures are taken into a test module by name (``col = helpers_memory.col``)."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.scheduler_pb2 import CardAnswer
from helpers_anki import db, open_collection, v3

from learnplan.collection.memory import MemoryTracker
from learnplan.model.plan import Course, Plan


def make_plan(today: dt.date) -> Plan:
    """The plan of these tests: it started 20 days before ``today``."""
    return Plan(
        id="zero-to-dl",
        title="Zero to DL",
        start=today - dt.timedelta(days=20),
        weeks=12,
        courses=(
            Course(id="a", provider="P", title="Course A", fte=1.0),
            Course(id="b", provider="P", title="Course B", fte=0.5),
            Course(id="empty", provider="P", title="Nothing yet", fte=0.2),
        ),
    )


#: Dated for each test by :func:`dated_plan` (when the test runs, never at import: the
#: suite may reach a module long after collecting it). Read it as ``helpers_memory.PLAN``.
PLAN = make_plan(dt.date.min + dt.timedelta(days=20))


@pytest.fixture(autouse=True)
def dated_plan() -> None:
    """Put the plan's start 20 days before today (taken into a module like ``col``)."""
    global PLAN
    PLAN = make_plan(dt.date.today())


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
    ids: list[int] = []
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
    v3(col).answer_card(
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
        queued = v3(col).get_queued_cards(fetch_limit=1)
        if not queued.cards:
            break
        top = queued.cards[0]
        card = col.get_card(top.card.id)
        card.start_timer()
        rating = ratings[done % len(ratings)]
        v3(col).answer_card(
            v3(col).build_answer(card=card, states=top.states, rating=rating)  # type: ignore[arg-type]
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


@contextlib.contextmanager
def memory_collection(folder: Path) -> Iterator[Collection]:
    """A new collection in ``folder``, closed afterwards."""
    collection = open_collection(folder)  # its day cutoff half a day away
    try:
        yield collection
    finally:
        collection.close()


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    with memory_collection(tmp_path) as collection:
        yield collection


@pytest.fixture
def studied(col: Collection) -> Collection:
    study(col)
    return col


def course_rows(col: Collection, tag: str) -> list[tuple[int, ...]]:
    """Revlog rows of a course's cards, found through Anki's own tag search."""
    cids = col.find_cards(f"tag:{tag}")
    if not cids:
        return []
    marks = ",".join(str(c) for c in cids)
    return [
        tuple(int(v) for v in row)
        for row in db(col).all(
            f"SELECT id, ease, type, lastIvl, factor, time FROM revlog WHERE cid IN ({marks})"
        )
    ]


def count_full_reads(tracker: MemoryTracker) -> list[object]:
    reads: list[object] = []
    real_full = tracker._full

    def counting_full(*args: object) -> None:
        reads.append(args)
        real_full(*args)  # type: ignore[arg-type]

    tracker._full = counting_full  # type: ignore[method-assign,assignment]
    return reads
