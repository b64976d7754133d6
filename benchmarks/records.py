"""Reading a collection's records as they grow: a year of daily use, and more.

Run by hand (not part of the tests)::

    .venv/bin/python benchmarks/records.py [--changes 2000] [--media 20000] [--runs 5]

Makes a fresh collection whose media folder holds ``--media`` other files (images of the
learner's cards) and the bundled plan adopted, then records ``--changes`` changes the
way the panel does (ticks, unticks, sessions, costs, re-allocations; one record file
each). Prints medians of: ``recordstore.read`` with every file parsed (a new session),
``recordstore.read`` again (files already parsed: what each panel refresh pays), the fold
alone, and one more change recorded (read, entries, file, deck summary).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from anki.collection import Collection

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from learnplan.collection import recordstore  # noqa: E402
from learnplan.progress.log import (  # noqa: E402
    CostPaid,
    ProgressLog,
    Revision,
    Session,
    add_cost,
    add_revision,
    add_session,
    mark_lesson_done,
    unmark_lesson_done,
)
from learnplan.progress.records import fold  # noqa: E402
from learnplan.reading.outline import default_plan_path, load_plan  # noqa: E402


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def _change(
    kind: float, course: str, lesson: str, day: dt.date
) -> Callable[[ProgressLog], ProgressLog]:
    """A learner's change: mostly ticks and sessions, some unticks, costs, re-allocations."""

    def change(log: ProgressLog) -> ProgressLog:
        if kind < 0.45:
            return mark_lesson_done(log, course, lesson, day)
        if kind < 0.55:
            return unmark_lesson_done(log, course, lesson)
        if kind < 0.9:
            return add_session(log, Session(day, course, 1.5))
        if kind < 0.97:
            return add_cost(log, CostPaid(day, course, 5.0))
        return add_revision(log, Revision(day, course, "bench", fte=0.5))

    return change


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=2000)
    parser.add_argument("--media", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="learnplan-records-bench-") as tmp:
        col = Collection(str(Path(tmp) / "collection.anki2"))
        try:
            media = Path(col.media.dir())
            for i in range(args.media):
                (media / f"image-{i:06d}.png").write_bytes(
                    b"\x89PNG" + bytes(rng.randrange(256) for _ in range(64))
                )
            plan = load_plan(default_plan_path())
            recordstore.adopt(col, plan)
            lessons = [(c.id, lesson.id) for c in plan.courses for lesson in c.lessons]
            day = plan.start
            built = time.perf_counter()
            for i in range(args.changes):
                day = plan.start + dt.timedelta(days=i * 84 // max(args.changes, 1))
                course, lesson = rng.choice(lessons)
                recordstore.change_log(col, plan.id, _change(rng.random(), course, lesson, day))
            built = time.perf_counter() - built
            files = len(recordstore.record_names(media))
            print(
                f"{files} record files, {args.media} other media files "
                f"(recorded in {built:.1f} s); medians of {args.runs} runs"
            )

            def cold() -> None:
                recordstore.reader._cache.clear()
                recordstore.read(col)

            print(f"read, every file parsed (new session)   {median_ms(cold, args.runs):8.1f} ms")
            recordstore.read(col)
            warm = median_ms(lambda: recordstore.read(col), args.runs)
            print(f"read, files already parsed (refresh)   {warm:8.1f} ms")
            folder = Path(col.media.dir())
            entries = [
                e
                for name in recordstore.record_names(folder)
                for e in recordstore.read_file(folder / name).entries
            ]
            folded = median_ms(lambda: fold(entries), args.runs)
            print(f"  of which the fold ({len(entries)} entries)   {folded:8.1f} ms")

            def one_more() -> None:
                recordstore.change_log(
                    col, plan.id, lambda log: add_session(log, Session(day, "dlai", 1.0))
                )

            print(
                f"one more change recorded               {median_ms(one_more, args.runs):8.1f} ms"
            )
        finally:
            col.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
