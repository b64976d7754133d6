"""The panel's refresh work, without Qt: read the collection, compute, render HTML.

:func:`load` is what the panel's ``QueryOp`` runs off the main thread (and what
benchmarks/panel.py times): the stored plan and log, the per-course memory numbers
(learnplan.collection.memory, incrementally through a :class:`TrackerBox` kept between
refreshes and saved between sessions), the plan's figures
(:func:`learnplan.figures.compute.figures`, the same the report shows) and the rendered
HTML. :func:`build_report` reads the same for the shareable report (no panel). Only plain
reads here; writes go through ``store``.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from learnplan.collection.memory import MemoryTracker
from learnplan.collection.studyday import study_today
from learnplan.figures.compute import figures
from learnplan.figures.format import points
from learnplan.figures.model import Figures
from learnplan.model.plan import Plan, slugify
from learnplan.progress.log import ProgressLog
from learnplan.progress.recall import CourseMemory

from . import markup, store, viewmodel
from .cache import TrackerFiles

if TYPE_CHECKING:
    from anki.collection import Collection


@dataclass(frozen=True)
class Loaded:
    """Everything read from the collection for one render (built off the main thread)."""

    html: str
    plan: Plan | None = None
    log: ProgressLog | None = None
    today: dt.date = field(default_factory=dt.date.today)
    figures: Figures | None = None  # what the panel shows (and the report would)
    #: Old config records to move, or a deck summary that no longer fits the records:
    #: the panel then runs ``store.upkeep`` (a write, so not here).
    upkeep: bool = False


class TrackerBox:
    """The incremental memory tracker of the plan last shown, kept between refreshes and,
    given ``files``, between sessions.

    A different (or re-imported, or revised) plan gets another tracker, restored from the
    state saved for it when there is one (the tracker checks it against the collection
    and reads only what changed since), else a new one. The state is saved after a new
    tracker's first refresh (a full read: the one worth keeping), for a plan switched
    away from, and at :meth:`close` (the profile closing) when refreshed since. Saving
    runs on its own thread, so the panel shows its figures first; a lock keeps it apart
    from refreshes. Only one refresh at a time: the panel never runs two at once.
    """

    def __init__(self, files: TrackerFiles | None = None) -> None:
        self.plan: Plan | None = None
        self.tracker: MemoryTracker | None = None
        self.files = files
        self._lock = threading.Lock()
        #: Whether the current tracker was given a saved state (MemoryTracker.from_state
        #: still starts over when the state does not fit the plan or the collection).
        self.restored = False
        self._new = False  # a tracker not restored, before its first (full) refresh
        self._unsaved = False  # refreshed since its state was last read or written
        self._damaged: MemoryTracker | None = None
        self._savers: list[threading.Thread] = []
        self._write_lock = threading.Lock()
        self._taken = 0  # states taken for saving, in order
        self._written: dict[str, int] = {}  # plan id -> the last of them written

    def refresh(self, col: Collection, plan: Plan) -> dict[str, CourseMemory]:
        with self._lock:
            if self.tracker is None or self.plan != plan:
                old, old_plan = self.tracker, self.plan
                # The plan switched away from keeps its state for when it comes back
                # (a revised plan's old state is of no use: same file, other plan).
                if old is not None and old_plan is not None and old_plan.id != plan.id:
                    self._save_retired(old, old_plan.id)
                self.plan, self.tracker = plan, self._restore(plan)
            tracker = self.tracker
            try:
                memory = tracker.refresh(col)
            except BaseException:
                # Possibly half updated: neither kept nor saved.
                self._damaged, self.plan, self.tracker = tracker, None, None
                self._new = self._unsaved = False
                raise
            self._unsaved = True
            if self._new:
                self._new = False
                self._save_later(tracker, plan.id)
            return memory

    def _save_retired(self, tracker: MemoryTracker, plan_id: str) -> None:
        if self._unsaved:
            self._save_later(tracker, plan_id)

    def _restore(self, plan: Plan) -> MemoryTracker:
        state = self.files.read(plan.id) if self.files is not None else None
        self.restored, self._new, self._unsaved = state is not None, state is None, False
        if state is None:
            return MemoryTracker(plan)
        # A state of an older plan or format, or a malformed one, gives a new tracker
        # (a full read on its first refresh): from_state checks.
        return MemoryTracker.from_state(plan, state)

    def close(self) -> None:
        """Save the tracker's state if it was refreshed since last saved (profile closing).

        Returns at once: a refresh still running finishes first, then the state is
        written (Python waits for the thread before exiting).
        """
        if self.tracker is not None and self.plan is not None:
            self._save_later(self.tracker, self.plan.id)

    def wait(self) -> None:
        """Until every save started so far has finished."""
        for thread in list(self._savers):
            thread.join()

    def _save_later(self, tracker: MemoryTracker, plan_id: str) -> None:
        if self.files is None:
            return
        thread = threading.Thread(
            target=self._save, args=(tracker, plan_id), name="learnplan-tracker-save"
        )
        self._savers = [t for t in self._savers if t.is_alive()]
        self._savers.append(thread)
        thread.start()

    def _save(self, tracker: MemoryTracker, plan_id: str) -> None:
        files = self.files
        try:
            with self._lock:
                current = tracker is self.tracker
                if files is None or tracker is self._damaged or (current and not self._unsaved):
                    return
                state = tracker.to_state()
                if current:
                    self._unsaved = False
                self._taken += 1
                taken = self._taken
            # Encoding and writing need not hold up refreshes (the state is a copy), but
            # a state taken earlier must not overwrite a later one.
            with self._write_lock:
                if taken > self._written.get(plan_id, 0) and files.write(plan_id, state):
                    self._written[plan_id] = taken
        except Exception:
            # On a thread of its own, an error would reach Anki's error dialog; a state
            # not saved only makes the next session's first refresh a full read.
            return


def _offers(col: Collection, adopted_titles: dict[str, str]) -> list[viewmodel.Offer]:
    from learnplan.building.manifest import find_manifests

    offers: list[viewmodel.Offer] = []
    scan = find_manifests(Path(col.media.dir()))
    for manifest in scan.manifests:
        mp = manifest.plan
        if mp.id in adopted_titles or any(o.key.startswith(f"_learnplan-{mp.id}-") for o in offers):
            continue  # adopted already, or an older manifest of a plan already offered
        detail = f"{len(mp.courses)} courses, {points(mp.total_fte)} points, {mp.weeks} weeks"
        offers.append(
            viewmodel.Offer(
                Path(manifest.name).name,
                markup.esc(mp.title),
                markup.esc(detail),
                mp.start.isoformat(),
            )
        )
    # A manifest that could not be read is named (and skipped), never fatal to the panel.
    offers.extend(
        viewmodel.Offer(name, markup.esc(name), "", "", problem=markup.esc(text))
        for name, text in scan.bad_files()
    )
    return offers


def load(col: Collection, box: TrackerBox) -> Loaded:
    """Read the current plan, its log, offers and memory numbers; render the HTML.

    Never fails because of a stored record: what cannot be read is shown as a problem
    with a way out (export it, then hide it or start fresh), and a plan that cannot be
    shown leaves the panel on its list of plans, so the learner can switch or drop it.
    """
    today = study_today(col)
    stored = store.read(col)
    records = stored.records
    problems = [
        viewmodel.Problem(p.key, markup.esc(p.message), store.fix_label(p.key))
        for p in stored.problems
    ]
    plans = [(p.id, p.title) for p in records.plans]
    plan = records.current_plan
    offers = _offers(col, dict(plans))
    upkeep = store.upkeep_needed(col, stored)
    if plan is None:
        return Loaded(html=markup.render_empty(offers, problems, plans), today=today, upkeep=upkeep)

    log = records.log(plan.id)
    memory = box.refresh(col, plan)
    try:
        shown = figures(plan, log, memory, today)
        from learnplan.render.chart import burnup_svg

        view = viewmodel.build_view(
            shown,
            chart_svg=burnup_svg(shown.snapshot),
            plans=plans,
            offers=offers,
            problems=problems,
        )
        html = markup.render_html(view)
    except Exception as exc:  # the way out of a stored plan this version cannot show
        problems.append(
            viewmodel.Problem(
                f"plan:{plan.id}",
                markup.esc(
                    f"The plan '{plan.title}' could not be shown: {type(exc).__name__}: {exc}. "
                    "Export its record to keep it, switch to another plan, or stop "
                    "following it (its progress stays recorded)."
                ),
                store.fix_label(f"plan:{plan.id}"),
            )
        )
        others = [(pid, title) for pid, title in plans if pid != plan.id]
        return Loaded(
            html=markup.render_empty(offers, problems, others),
            today=today,
            upkeep=upkeep,
        )
    return Loaded(
        html=html,
        plan=plan,
        log=log,
        today=today,
        figures=shown,
        upkeep=upkeep,
    )


def report_name(plan: Plan, today: dt.date) -> str:
    """The default file name of a plan's report: ``<title-slug>-report-<date>.html``."""
    return f"{slugify(plan.title) or plan.id}-report-{today.isoformat()}.html"


def build_report(col: Collection) -> tuple[Plan, str]:
    """The current plan's shareable HTML report, from fresh numbers (like ``learnplan report
    --collection``): the stored plan and its log, Anki's memory numbers and study day.

    Raises ValueError when no plan is current; an error computing the plan's figures is
    raised as it is, never taken for "no plan".
    """
    from learnplan.collection.memory import course_memory
    from learnplan.render.report_html import report_html

    records = store.read(col).records
    plan = records.current_plan
    if plan is None:
        raise ValueError("There is no current Learning Plan to report on.")
    shown = figures(plan, records.log(plan.id), course_memory(col, plan), study_today(col))
    return plan, report_html(shown)
