"""Per-course memory numbers at scale: learnplan.collection.memory against Anki's own stats backend.

Run by hand (not part of the tests)::

    .venv/bin/python benchmarks/progress.py [--runs 5] [--rebuild]

Builds once, and caches under ``$TMPDIR/learnplan-bench/``, a collection with 100,000
notes across 13 course tags (some only through child tags, some in mixed case, some in no
course), mixed card states (new, learning, relearning, young, mature, suspended, buried),
FSRS memory states, and 1,000,000 revlog rows spread over ~12 weeks. Each run works on a
fresh copy of the cached file, so the cache is never modified.

Prints medians of several runs for: a full ``course_memory``; an incremental
``MemoryTracker.refresh`` after ~20 more reviews; and Anki's own backend computing the same
per-course numbers (``find_cards`` searches per bucket, and the stats ``graphs`` call per
course, which is what the Statistics window uses for card counts, true retention and FSRS
knowledge). Peak memory (tracemalloc, Python allocations) for the learnplan paths.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import marshal
import random
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from anki.collection import Collection
from anki.dbproxy import DBProxy
from anki.scheduler.v3 import Scheduler

from learnplan.collection.memory import MemoryTracker, course_memory
from learnplan.model.plan import Course, Plan

NOTES = 100_000
REVLOG = 1_000_000
COURSES = 13
DAYS = 84
SEED = 20261128
T = TypeVar("T")
PLAN_ID = "zero-to-dl"

CACHE = Path(tempfile.gettempdir()) / "learnplan-bench"
OTHER = 0.05  # share of notes in no course (the learner's other decks)
LATE = 0.02  # share of notes added later, in random courses (--late 1 interleaves all)


def cached_path(late: float) -> Path:
    return CACHE / f"memory-{NOTES}-{REVLOG}-late{late:g}-v4.anki2"


def bench_plan(start: dt.date) -> Plan:
    courses = tuple(
        Course(id=f"course-{i:02d}", provider="Bench", title=f"Course {i}", fte=0.5)
        for i in range(COURSES)
    )
    return Plan(id=PLAN_ID, title="Bench plan", start=start, weeks=12, courses=courses)


def _course_of(rng: random.Random, i: int, late: float) -> int | None:
    """The course of note ``i`` (None: a note of the learner's other decks).

    Like a real collection: the learner's other decks came first, each course then
    arrived as one import (consecutive ids), and ``late`` of the notes were added later
    one by one, in random courses or none.
    """
    other = int(NOTES * OTHER)
    early = int(NOTES * (1 - late))
    if i < min(other, early):
        return None
    if i < early:
        return (i - other) * COURSES // (early - other)
    return None if rng.random() < OTHER else rng.randrange(COURSES)


def _note_tags(rng: random.Random, plan: Plan, i: int, late: float) -> str:
    index = _course_of(rng, i, late)
    if index is None:
        return " other::deck "
    course = plan.courses[index]
    tag = plan.course_tag(course.id)
    roll = rng.random()
    tags = [f"{PLAN_ID}::lesson::{course.id}::l{i % 9}"]
    if roll < 0.10:
        tags.append(f"{tag}::part-{i % 4}")  # only through a child tag
    elif roll < 0.15:
        tags.append(tag.upper())  # mixed case
    elif roll < 0.20:
        tags += [tag, f"{tag}::part-{i % 4}"]  # both: must count once
    else:
        tags.append(tag)
    return " " + " ".join(tags) + " "


def build(path: Path, late: float = LATE) -> None:
    """Write the bench collection with plain SQL inserts (the importer is 10x slower)."""
    rng = random.Random(SEED)
    if path.exists():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    col = Collection(str(path))
    try:
        col.set_config("fsrs", True)
        mid = col.models.by_name("Basic")["id"]  # type: ignore[index]
        plan = bench_plan(dt.date.today())
        now = int(time.time())
        today = col.sched.today
        cutoff = col.sched.day_cutoff
        base_nid = (now - DAYS * 86400) * 1000

        notes: list[tuple[Any, ...]] = []
        cards: list[tuple[Any, ...]] = []
        reviewed: list[int] = []
        for i in range(NOTES):
            nid = base_nid + i
            cid = nid
            front = f"question {i}"
            notes.append(
                (
                    nid,
                    f"g{i:08d}",
                    mid,
                    now,
                    -1,
                    _note_tags(rng, plan, i, late),
                    f"{front}\x1fanswer",
                    front,
                    0,
                    0,
                    "",
                )
            )
            roll = rng.random()
            ivl = 0
            data = ""
            if roll < 0.20:
                ctype, queue, due = 0, 0, i
            elif roll < 0.25:
                ctype, queue, due = 1, 1, now + rng.randrange(60, 3600)
            elif roll < 0.27:
                ctype, queue, due = 3, 1, now + rng.randrange(60, 3600)
                ivl = rng.randrange(1, 60)
            elif roll < 0.62:
                ctype, queue = 2, 2
                ivl = rng.randrange(1, 21)
                due = today + rng.randrange(-3, ivl + 1)
            else:
                ctype, queue = 2, 2
                ivl = rng.randrange(21, 200)
                due = today + rng.randrange(-5, ivl + 1)
            if ctype != 0:
                last = min(now - 60, cutoff - 86400 * rng.randrange(1, DAYS) + rng.randrange(86400))
                data = json.dumps(
                    {
                        "s": round(max(ivl, 1) * rng.uniform(0.8, 1.5), 4),
                        "d": round(rng.uniform(1, 10), 3),
                        "dr": 0.9,
                        "decay": 0.1542,
                        "lrt": last,
                    },
                    separators=(",", ":"),
                )
                reviewed.append(cid)
            special = rng.random()
            if special < 0.03:
                queue = -1  # suspended, any type
            elif special < 0.04:
                queue = -3  # buried, counts by its type
            cards.append(
                (
                    cid,
                    nid,
                    1,
                    0,
                    now,
                    -1,
                    ctype,
                    queue,
                    due,
                    ivl,
                    2500 if ctype else 0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    data,
                )
            )

        first_ms = (cutoff - DAYS * 86400) * 1000
        span = (now * 1000) - first_ms
        rev_ids = sorted(rng.sample(range(span), REVLOG))
        revlog: list[tuple[Any, ...]] = []
        for offset in rev_ids:
            cid = reviewed[rng.randrange(len(reviewed))]
            kind = rng.choices((0, 1, 2, 4), weights=(20, 70, 8, 2))[0]
            ease = 0 if kind == 4 else rng.choices((1, 2, 3, 4), weights=(12, 8, 70, 10))[0]
            last_ivl = rng.randrange(1, 120) if kind == 1 else -600
            revlog.append(
                (
                    first_ms + offset,
                    cid,
                    -1,
                    ease,
                    rng.randrange(1, 100),
                    last_ivl,
                    2500,
                    0 if kind == 4 else rng.randrange(1_000, 60_000),
                    kind,
                )
            )

        def insert() -> None:
            db(col).executemany("insert into notes values (?,?,?,?,?,?,?,?,?,?,?)", notes)
            db(col).executemany(
                "insert into cards values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cards
            )
            db(col).executemany("insert into revlog values (?,?,?,?,?,?,?,?,?)", revlog)

        db(col).transact(insert)
    finally:
        col.close()


def timed(fn: Callable[[], T], runs: int) -> tuple[float, T]:
    times = []
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def db(col: Collection) -> DBProxy:
    assert col.db is not None, "collection closed"
    return col.db


def sched(col: Collection) -> Scheduler:
    assert isinstance(col.sched, Scheduler), "v3 scheduler expected"
    return col.sched


def peak(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def answer_some(col: Collection, count: int) -> int:
    """Answer up to ``count`` due cards through the real v3 scheduler."""
    from anki.cards import Card
    from anki.scheduler_pb2 import CardAnswer

    done = 0
    while done < count:
        queued = sched(col).get_queued_cards(fetch_limit=1)
        if not queued.cards:
            break
        top = queued.cards[0]
        card = Card(col)
        card._load_from_backend_card(top.card)
        card.start_timer()
        sched(col).answer_card(
            sched(col).build_answer(card=card, states=top.states, rating=CardAnswer.GOOD)
        )
        done += 1
    return done


def anki_backend(col: Collection, plan: Plan) -> dict[str, tuple[float, ...]]:
    """The same numbers from Anki's own search and stats backend, one course at a time:
    five card counts, true retention over 30 days ("month"), knowledge (sum of R)."""
    out: dict[str, tuple[float, ...]] = {}
    for course in plan.courses:
        tag = f"tag:{plan.course_tag(course.id)}"
        counts = tuple(
            len(col.find_cards(f"{tag} {q}"))
            for q in (
                "is:new -is:suspended",
                "is:learn -is:suspended",
                "is:review -is:learn -is:suspended prop:ivl<21",
                "is:review -is:learn -is:suspended prop:ivl>=21",
                "is:suspended",
            )
        )
        graphs = col._backend.graphs(search=tag, days=30)
        tr = graphs.true_retention.month
        passed = tr.young_passed + tr.mature_passed
        failed = tr.young_failed + tr.mature_failed
        out[course.id] = (
            *counts,
            passed / (passed + failed) if passed + failed else -1.0,
            graphs.retrievability.sum_by_card,
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--late", type=float, default=LATE, help="share of notes added late")
    args = parser.parse_args(argv)

    cached = cached_path(args.late)
    if args.rebuild or not cached.exists():
        t0 = time.perf_counter()
        build(cached, args.late)
        print(f"built {cached} in {time.perf_counter() - t0:.1f} s")
    work = Path(tempfile.mkdtemp(prefix="learnplan-bench-"))
    try:
        path = work / "collection.anki2"
        shutil.copyfile(cached, path)
        col = Collection(str(path))
        try:
            run(col, args.runs)
        finally:
            col.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def run(col: Collection, runs: int) -> None:
    start = dt.date.today() - dt.timedelta(days=DAYS - 7)
    plan = bench_plan(start)
    print(
        f"cards {col.card_count()}, revlog {db(col).scalar('select count() from revlog')}, "
        f"courses {len(plan.courses)}, runs {runs} (medians)"
    )

    full_s, fresh = timed(lambda: course_memory(col, plan), runs)
    print(f"learnplan course_memory (full)            {full_s * 1000:8.1f} ms")

    tracker = MemoryTracker(plan)
    first_s, _ = timed(lambda: tracker.refresh(col), 1)
    print(f"MemoryTracker first refresh               {first_s * 1000:8.1f} ms")
    nothing_s, _ = timed(lambda: tracker.refresh(col), runs)
    print(f"MemoryTracker refresh, nothing changed    {nothing_s * 1000:8.1f} ms")
    inc: list[float] = []
    answered = 0
    for _ in range(runs):
        answered = answer_some(col, 20)
        t0 = time.perf_counter()
        result = tracker.refresh(col)
        inc.append(time.perf_counter() - t0)
    inc_s = statistics.median(inc)
    print(f"MemoryTracker refresh after {answered} answers    {inc_s * 1000:8.1f} ms")
    now = tracker.knowledge_time
    again = course_memory(col, plan, now=now)
    print(f"  incremental == fresh: {result == again}")

    # The next session: the tracker's state saved as JSON, ~20 answers later restored.
    save_s, saved = timed(lambda: json.dumps(tracker.to_state()), runs)
    print(
        f"MemoryTracker.to_state + json.dumps          {save_s * 1000:8.1f} ms"
        f"  ({len(saved) / 1e6:.1f} MB)"
    )
    answer_some(col, 20)
    text = str(saved)
    load_s, state = timed(lambda: json.loads(text), runs)
    from_s, _ = timed(lambda: MemoryTracker.from_state(plan, state), runs)
    restored: list[MemoryTracker] = []

    def restore_refresh() -> dict[str, Any]:
        restored.append(MemoryTracker.from_state(plan, state))
        t0 = time.perf_counter()
        out = restored[-1].refresh(col)
        refresh_times.append(time.perf_counter() - t0)
        return out

    refresh_times: list[float] = []
    restore_s, restored_result = timed(lambda: restore_refresh(), runs)
    print(f"restored: json.loads {load_s * 1000:.1f} ms, from_state {from_s * 1000:.1f} ms,")
    print(
        f"  first refresh (20 answers later) {statistics.median(refresh_times) * 1000:.1f} ms;"
        f" json.loads + from_state + refresh {load_s * 1000 + restore_s * 1000:8.1f} ms"
    )
    packed = marshal.dumps(tracker.to_state())
    unmarshal_s, _ = timed(lambda: marshal.loads(packed), runs)
    print(
        f"  or with marshal instead of JSON: loads {unmarshal_s * 1000:.1f} ms"
        f" ({len(packed) / 1e6:.1f} MB)"
    )
    full_reads = not restored[-1]._ready
    same = restored_result == course_memory(col, plan, now=restored[-1].knowledge_time)
    print(f"  restored == fresh: {same} (state used: {not full_reads})")

    anki_s, anki = timed(lambda: anki_backend(col, plan), max(1, runs // 2))
    print(f"Anki backend (5 searches + graphs) x{len(plan.courses)}   {anki_s * 1000:8.1f} ms")
    search_s, _ = timed(
        lambda: [len(col.find_cards(f"tag:{plan.course_tag(c.id)} is:new")) for c in plan.courses],
        runs,
    )
    print(f"  of which one find_cards per course x13  {search_s * 1000:8.1f} ms")
    graphs_s, _ = timed(
        lambda: [
            col._backend.graphs(search=f"tag:{plan.course_tag(c.id)}", days=30)
            for c in plan.courses
        ],
        max(1, runs // 2),
    )
    print(f"  of which stats graphs per course x13    {graphs_s * 1000:8.1f} ms")

    mine = course_memory(col, plan)  # after every answer above, like `anki`
    agree = all(
        anki[cid][:5] == (m.new, m.learning, m.young, m.mature, m.suspended)
        for cid, m in mine.items()
    )
    print(f"  card buckets agree with Anki's searches: {agree}")
    month = course_memory(col, plan, retention_days=30)
    same_retention = all(anki[cid][5] == m.retention for cid, m in month.items())
    print(f"  30-day retention equals Anki's true retention (month): {same_retention}")
    worst = max(
        abs((m.knowledge or 0.0) - anki[cid][6]) / max(anki[cid][6], 1e-9)
        for cid, m in month.items()
    )
    print(f"  knowledge vs Anki's sum of R: worst relative difference {worst:.2e}")
    sample = plan.courses[0].id
    m = mine[sample]
    print(
        f"  {sample}: learnplan new/learn/young/mature/susp {m.new}/{m.learning}/{m.young}/"
        f"{m.mature}/{m.suspended}, retention 28d {m.retention:.4f}, knowledge "
        f"{m.knowledge:.1f}, reviews {sum(n for _, n in m.reviews_by_day)}, "
        f"hours {m.review_seconds / 3600:.1f}"
    )
    a = anki[sample]
    print(
        f"  {sample}: anki      new/learn/young/mature/susp {int(a[0])}/{int(a[1])}/"
        f"{int(a[2])}/{int(a[3])}/{int(a[4])}, retention 30d {a[5]:.4f}, knowledge {a[6]:.1f}"
    )

    full_peak = peak(lambda: course_memory(col, plan))
    fresh_tracker = MemoryTracker(plan)
    tracker_peak = peak(lambda: fresh_tracker.refresh(col))
    print(
        f"peak Python memory: course_memory {full_peak / 1e6:.1f} MB, "
        f"tracker first refresh {tracker_peak / 1e6:.1f} MB"
    )
    del fresh


if __name__ == "__main__":
    sys.exit(main())
