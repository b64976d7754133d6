"""The panel's refresh work, without Qt: read the collection, compute, render HTML.

:func:`load` is what the panel's ``QueryOp`` runs off the main thread (and what
benchmarks/panel.py times): the stored plan and log, the per-course memory numbers
(learnplan.memory, incrementally through a :class:`TrackerBox` kept between refreshes),
the progress snapshot and the rendered HTML. :func:`build_report` does the same reading
for the shareable report. Only plain reads here; writes go through ``store``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from learnplan.log import ProgressLog
from learnplan.memory import CourseMemory, MemoryTracker
from learnplan.plan import Plan, slugify
from learnplan.progress import Snapshot

from . import store, viewmodel

if TYPE_CHECKING:
    from anki.collection import Collection


@dataclass(frozen=True)
class Loaded:
    """Everything read from the collection for one render (built off the main thread)."""

    html: str
    plan: Plan | None = None
    log: ProgressLog | None = None
    today: dt.date = field(default_factory=dt.date.today)
    snapshot: Snapshot | None = None
    memory: dict[str, CourseMemory] = field(default_factory=dict)


class TrackerBox:
    """The incremental memory tracker of the plan last shown, kept between refreshes.

    A different (or re-imported, or revised) plan gets a fresh tracker. Only ever used by
    one refresh at a time: the panel never runs two at once.
    """

    def __init__(self) -> None:
        self.plan: Plan | None = None
        self.tracker: MemoryTracker | None = None

    def refresh(self, col: Collection, plan: Plan) -> dict[str, CourseMemory]:
        if self.tracker is None or self.plan != plan:
            self.plan, self.tracker = plan, MemoryTracker(plan)
        return self.tracker.refresh(col)


def study_today(col: Collection) -> dt.date:
    # Anki's day ends at day_cutoff (the rollover hour); the study day is the one
    # that started 24 hours before it.
    cutoff = dt.datetime.fromtimestamp(col.sched.day_cutoff)
    return (cutoff - dt.timedelta(days=1)).date()


def memory_numbers(memory: dict[str, CourseMemory]) -> dict[str, viewmodel.MemoryNumbers]:
    keys = ("new", "learning", "young", "mature", "suspended", "total", "retention", "knowledge")
    return {cid: {k: getattr(m, k) for k in keys} for cid, m in memory.items()}


def progress_snapshot(
    plan: Plan, log: ProgressLog, memory: dict[str, CourseMemory], today: dt.date
) -> Snapshot:
    """The snapshot with Anki's review time per course counted as spent effort."""
    from learnplan import progress

    return progress.snapshot(
        plan,
        log,
        today=today,
        anki_seconds={cid: m.review_seconds for cid, m in memory.items()} or None,
        anki_seconds_by_week=progress.seconds_by_week(
            plan, {cid: m.seconds_by_day for cid, m in memory.items()}
        )
        or None,
    )


def _offers(col: Collection, adopted_titles: dict[str, str]) -> list[viewmodel.Offer]:
    from learnplan.manifest import find_manifests

    offers: list[viewmodel.Offer] = []
    for manifest in find_manifests(Path(col.media.dir())):
        mp = manifest.plan
        if mp.id in adopted_titles or any(o.key.startswith(f"_learnplan-{mp.id}-") for o in offers):
            continue  # adopted already, or an older manifest of a plan already offered
        detail = f"{len(mp.courses)} courses, {mp.total_fte:g} points, {mp.weeks} weeks"
        offers.append(
            viewmodel.Offer(
                Path(manifest.name).name,
                viewmodel.esc(mp.title),
                viewmodel.esc(detail),
                mp.start.isoformat(),
            )
        )
    return offers


def load(col: Collection, box: TrackerBox) -> Loaded:
    """Read the current plan, its log, offers and memory numbers; render the HTML."""
    problems: list[viewmodel.Problem] = []
    today = study_today(col)
    try:
        adopted = store.read_adopted(col)
    except store.DamagedRecord as exc:
        problems.append(viewmodel.Problem(exc.key, viewmodel.esc(exc)))
        adopted = store.Adopted()

    plans: list[tuple[str, str]] = []
    plan: Plan | None = None
    for pid in adopted.plan_ids:
        try:
            p = store.read_plan(col, pid)
        except store.DamagedRecord as exc:
            problems.append(viewmodel.Problem(exc.key, viewmodel.esc(exc)))
            continue
        if p is None:
            continue
        plans.append((p.id, p.title))
        if pid == adopted.current:
            plan = p

    offers = _offers(col, dict(plans))
    if plan is None:
        return Loaded(html=viewmodel.render_empty(offers, problems), today=today)

    try:
        log = store.read_log(col, plan.id)
    except store.DamagedRecord as exc:
        problems.append(viewmodel.Problem(exc.key, viewmodel.esc(exc)))
        log = ProgressLog(plan_id=plan.id)
        # Show the plan with nothing ticked, but keep writes refused until the
        # learner has dealt with the damaged record (store.update_log re-reads it).

    memory = box.refresh(col, plan)
    snap = progress_snapshot(plan, log, memory, today)
    from learnplan.chart import burnup_svg

    view = viewmodel.build_view(
        plan,
        log,
        snap,
        memory=memory_numbers(memory),
        chart_svg=burnup_svg(snap),
        plans=plans,
        offers=offers,
        problems=problems,
    )
    return Loaded(
        html=viewmodel.render_html(view),
        plan=plan,
        log=log,
        today=today,
        snapshot=snap,
        memory=memory,
    )


def report_name(plan: Plan, today: dt.date) -> str:
    """The default file name of a plan's report: ``<title-slug>-report-<date>.html``."""
    return f"{slugify(plan.title) or plan.id}-report-{today.isoformat()}.html"


def build_report(col: Collection) -> tuple[Plan, str]:
    """The current plan's shareable HTML report, from fresh numbers (like ``learnplan report``)."""
    from learnplan.report import Report, report_html

    loaded = load(col, TrackerBox())
    if loaded.plan is None or loaded.snapshot is None:
        raise ValueError("There is no current Learning Plan to report on.")
    report = Report(plan=loaded.plan, snapshot=loaded.snapshot, memory=loaded.memory)
    return loaded.plan, report_html(report)


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file, so a failure leaves no half file."""
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=".learnplan-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o644)  # a report is meant to be shared; mkstemp makes it private
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
