"""The Learning Plan panel's refresh work at scale (run by hand, not part of the tests)::

    .venv/bin/python benchmarks/panel.py [--runs 5]

Times ``addon.loader.load`` — exactly what the panel's ``QueryOp`` runs off Anki's main
thread: read the adopted plan and progress log from the collection config, refresh the
per-course memory numbers (``learnplan.collection.memory.MemoryTracker``), compute the progress
snapshot, draw the burn-up chart and render the panel's HTML. It runs on a copy of the
100,000-card / 1,000,000-review collection that benchmarks/progress.py builds and
caches (built here first if missing), with the bench plan adopted and a progress log of
ticked lessons, sessions, costs and a re-allocation.

Prints medians for: the first refresh after opening (full: a new tracker); the first
refresh after restarting Anki with the tracker state saved in the last session (nothing
changed since, and 20 answers made elsewhere since), with the cost and size of that
state file; a refresh with nothing changed; a refresh after 20 answers through the real scheduler
(incremental); the parts of a refresh; and reading the cached figures that the panel
shows at once while the first refresh runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import progress as progress_bench  # noqa: E402  (benchmarks/progress.py: the generator)
from anki.collection import Collection  # noqa: E402

from addon import loader, store  # noqa: E402
from addon.cache import FigureCache, TrackerFiles  # noqa: E402
from learnplan.model.plan import Lesson, Plan  # noqa: E402
from learnplan.progress.log import (  # noqa: E402
    CostPaid,
    ProgressLog,
    Revision,
    Session,
    add_cost,
    add_revision,
    add_session,
)


def bench_plan(today: dt.date) -> Plan:
    """benchmarks/progress.py's plan (same course tags), given lessons to tick."""
    plan = progress_bench.bench_plan(today - dt.timedelta(days=progress_bench.DAYS - 7))
    courses = tuple(
        dataclasses.replace(c, lessons=tuple(Lesson(f"l{i}", f"Lesson {i}") for i in range(9)))
        for c in plan.courses
    )
    return dataclasses.replace(plan, courses=courses)


def progress_log(plan: Plan, today: dt.date) -> ProgressLog:
    from learnplan.progress.log import mark_lesson_done

    log = ProgressLog(plan.id)
    for n, course in enumerate(plan.courses):
        for i, lesson in enumerate(course.lessons[: 1 + n % 7]):
            log = mark_lesson_done(log, course.id, lesson.id, plan.start + dt.timedelta(days=i * 7))
        for week in range(10):
            day = plan.start + dt.timedelta(days=week * 7 + n % 7)
            log = add_session(log, Session(day, course.id, 1.5, note=f"week {week + 1}"))
    log = add_cost(log, CostPaid(today, plan.courses[0].id, 45.0))
    return add_revision(log, Revision(today, plan.courses[1].id, "bench", fte=0.25))


def timed(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def restart(col: Collection, plan: Plan, runs: int, work: Path) -> None:
    """The first refresh of a session whose previous one saved the tracker's state."""
    files = TrackerFiles(work / "user_files", col.path)
    session = loader.TrackerBox(files)
    loader.load(col, session)
    session.wait()  # saved after that full read, on the box's own thread
    tracker = session.tracker
    assert tracker is not None
    size = files.path(plan.id).stat().st_size
    to_state, _ = timed(tracker.to_state, runs)
    state = tracker.to_state()
    write, _ = timed(lambda: files.write(plan.id, state), runs)
    read, _ = timed(lambda: files.read(plan.id), runs)

    def first_after_restart() -> loader.Loaded:
        box = loader.TrackerBox(files)
        loaded = loader.load(col, box)
        assert box.restored
        return loaded

    same, _ = timed(first_after_restart, runs)
    print(f"panel refresh, first after restart (saved)  {ms(same)}")
    changed: list[float] = []
    loaded = None
    answered = 0
    for _ in range(runs):
        # The last session saved at close; then answers elsewhere arrive (a sync).
        box = loader.TrackerBox(files)
        loader.load(col, box)
        box.close()
        box.wait()
        answered = progress_bench.answer_some(col, 20)
        t0 = time.perf_counter()
        loaded = first_after_restart()
        changed.append(time.perf_counter() - t0)
    print(f"  same, {answered} answers since the save        {ms(statistics.median(changed))}")
    assert loaded is not None
    print(
        f"  restored html == full html: {loaded.html == loader.load(col, loader.TrackerBox()).html}"
    )
    print(
        f"  state file {size / 2**20:.2f} MiB (marshal+zlib); save (on a thread):"
        f" to_state {ms(to_state).strip()} + write {ms(write).strip()};"
        f" file read {ms(read).strip()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    runs = max(1, args.runs)

    cached = progress_bench.cached_path(progress_bench.LATE)
    if not cached.exists():
        t0 = time.perf_counter()
        progress_bench.build(cached, progress_bench.LATE)
        print(f"built {cached} in {time.perf_counter() - t0:.1f} s")
    work = Path(tempfile.mkdtemp(prefix="learnplan-panel-bench-"))
    try:
        path = work / "collection.anki2"
        shutil.copyfile(cached, path)
        col = Collection(str(path))
        try:
            run(col, runs, work)
        finally:
            col.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def run(col: Collection, runs: int, work: Path) -> None:
    from addon import markup, viewmodel
    from learnplan.collection.studyday import study_today
    from learnplan.figures.compute import figures
    from learnplan.render.chart import burnup_svg

    today = study_today(col)
    plan = bench_plan(today)
    store.adopt_plan(col, plan)
    store.update_log(col, plan.id, lambda _: progress_log(plan, today), "Bench")
    assert col.db is not None
    revlog = col.db.scalar("select count() from revlog")
    print(
        f"cards {col.card_count()}, revlog {revlog}, courses {len(plan.courses)}, "
        f"runs {runs} (medians)"
    )

    full, _ = timed(lambda: loader.load(col, loader.TrackerBox()), runs)
    print(f"panel refresh, first (full memory read)     {ms(full)}")
    restart(col, plan, runs, work)
    box = loader.TrackerBox()
    loaded = loader.load(col, box)
    same, _ = timed(lambda: loader.load(col, box), runs)
    print(f"panel refresh, nothing changed              {ms(same)}")
    incremental: list[float] = []
    answered = 0
    for _ in range(runs):
        answered = progress_bench.answer_some(col, 20)
        t0 = time.perf_counter()
        loaded = loader.load(col, box)
        incremental.append(time.perf_counter() - t0)
    print(
        f"panel refresh after {answered} answers (incremental) {ms(statistics.median(incremental))}"
    )
    fresh = loader.load(col, loader.TrackerBox())
    print(f"  incremental html == full html: {fresh.html == loaded.html}")

    # The parts of one refresh (nothing changed in between).
    fig = loaded.figures
    assert loaded.plan is not None and fig is not None
    reads, _ = timed(lambda: store.read(col), runs)
    memory, _ = timed(lambda: box.refresh(col, loaded.plan or plan), runs)
    snap_s, _ = timed(
        lambda: figures(plan, loaded.log or ProgressLog(plan.id), fig.memory, today), runs
    )
    chart_s, _ = timed(lambda: burnup_svg(fig.snapshot), runs)

    def render() -> str:
        view = viewmodel.build_view(fig, chart_svg=burnup_svg(fig.snapshot))
        return markup.render_html(view)

    render_s, _ = timed(render, runs)
    print(f"  of which reading the records              {ms(reads)}")
    print(f"  of which MemoryTracker.refresh            {ms(memory)}")
    print(f"  of which the figures (snapshot, formatted) {ms(snap_s)}")
    print(f"  of which burn-up chart                    {ms(chart_s)}")
    print(f"  of which view model + HTML (incl. chart)  {ms(render_s)}")
    print(f"  panel HTML size: {len(loaded.html.encode()) / 1024:.0f} KiB")

    cache_path = work / "panel-cache.json"
    FigureCache(cache_path).put(plan.id, loaded.html)
    shown, _ = timed(lambda: FigureCache(cache_path).get(), runs)
    print(f"cached figures read on open (new session)   {ms(shown)}")


if __name__ == "__main__":
    sys.exit(main())
