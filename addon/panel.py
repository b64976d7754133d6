"""The "Learning Plan" window (or dock): a themed AnkiWebView rendered from the view model.

Reads run in ``QueryOp`` (off the main thread), writes in ``CollectionOp`` through
``store`` (one named undo step each). The page is loaded once; refreshes replace its
content through ``lpRender`` so open course sections and scroll position survive.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aqt import gui_hooks
from aqt.operations import CollectionOp, QueryOp
from aqt.qt import (
    QCheckBox,
    QCloseEvent,
    QDockWidget,
    QHBoxLayout,
    QMainWindow,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from aqt.utils import askUser, getSaveFile, openLink, restoreGeom, saveGeom, tooltip
from aqt.webview import AnkiWebView

from learnplan.log import (
    CostPaid,
    ProgressLog,
    Session,
    add_cost,
    add_session,
    mark_lesson_done,
    unmark_lesson_done,
)
from learnplan.plan import Plan

from . import store, viewmodel

if TYPE_CHECKING:
    from anki.collection import Collection, OpChanges
    from aqt.main import AnkiQt

GEOM_KEY = "learnplan_panel"
REFRESH_DELAY_MS = 400

ConfigGetter = Callable[["AnkiQt"], dict[str, Any]]
ConfigWriter = Callable[["AnkiQt", dict[str, Any]], None]

# Clicks on [data-lp-cmd] become pycmd("lp:" + JSON); forms contribute their fields.
# lpRender keeps open course sections open across refreshes.
PANEL_JS = """
function lpRender(html) {
  const root = document.getElementById('lp-root');
  const open = new Set([...root.querySelectorAll('details[open]')]
      .map(d => d.dataset.lpCourse));
  root.innerHTML = html;
  root.querySelectorAll('details[data-lp-course]').forEach(d => {
    if (open.has(d.dataset.lpCourse)) d.open = true;
  });
  document.body.dataset.lpRendered = String(Number(document.body.dataset.lpRendered || 0) + 1);
}
document.addEventListener('click', function (evt) {
  const el = evt.target.closest('[data-lp-cmd]');
  if (!el) return;
  evt.preventDefault();
  const msg = JSON.parse(el.dataset.lpCmd);
  if (el.dataset.lpForm) {
    const form = document.querySelector('form[data-lp-form="' + el.dataset.lpForm + '"]');
    new FormData(form).forEach((value, key) => { msg[key] = String(value); });
  }
  pycmd('lp:' + JSON.stringify(msg));
});
"""


@dataclass(frozen=True)
class Loaded:
    """Everything read from the collection for one render (built off the main thread)."""

    html: str
    plan: Plan | None = None
    log: ProgressLog | None = None
    today: dt.date = field(default_factory=dt.date.today)
    error: str = ""


def study_today(col: Collection) -> dt.date:
    # Anki's day ends at day_cutoff (the rollover hour); the study day is the one
    # that started 24 hours before it.
    cutoff = dt.datetime.fromtimestamp(col.sched.day_cutoff)
    return (cutoff - dt.timedelta(days=1)).date()


def _memory(col: Collection, plan: Plan, box: list[tuple[Plan, Any]]) -> dict[str, dict[str, Any]]:
    """Per-course memory numbers via learnplan.memory, when that module is available.

    ``box`` keeps the (plan, tracker) pair between refreshes: the tracker is incremental,
    and a different (or re-imported) plan needs a fresh one.
    """
    import importlib

    try:
        # learnplan.memory is optional at this stage of integration.
        memory: Any = importlib.import_module("learnplan.memory")
    except ImportError:
        return {}
    if not box or box[0][0] != plan:
        box[:] = [(plan, memory.MemoryTracker(plan))]
    numbers = box[0][1].refresh(col)
    return {cid: dataclasses.asdict(m) for cid, m in numbers.items()}


def load(col: Collection, tracker_box: list[tuple[Plan, Any]]) -> Loaded:
    """Read the current plan, its log, offers and memory numbers; render the HTML."""
    from learnplan import progress
    from learnplan.manifest import find_manifests

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

    offers: list[viewmodel.Offer] = []
    stored_titles = dict(plans)
    for manifest in find_manifests(Path(col.media.dir())):
        mp = manifest.plan
        if mp.id in stored_titles or any(o.key.startswith(f"_learnplan-{mp.id}-") for o in offers):
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

    if plan is None:
        return Loaded(html=viewmodel.render_empty(offers, problems), today=today)

    try:
        log = store.read_log(col, plan.id)
    except store.DamagedRecord as exc:
        problems.append(viewmodel.Problem(exc.key, viewmodel.esc(exc)))
        log = ProgressLog(plan_id=plan.id)
        # Show the plan with nothing ticked, but keep writes refused until the
        # learner has dealt with the damaged record (store.update_log re-reads it).

    memory = _memory(col, plan, tracker_box)
    anki_seconds = {cid: float(m.get("review_seconds") or 0.0) for cid, m in memory.items()}
    by_week: dict[int, dict[str, float]] = {}
    for cid, m in memory.items():
        for day, seconds in m.get("seconds_by_day") or ():
            week = progress.week_of(plan, day)
            if 1 <= week <= plan.weeks:
                by_week.setdefault(week, {}).setdefault(cid, 0.0)
                by_week[week][cid] += float(seconds)
    snap = progress.snapshot(
        plan,
        log,
        today=today,
        anki_seconds=anki_seconds or None,
        anki_seconds_by_week=by_week or None,
    )
    chart_svg = ""
    try:
        from learnplan.chart import burnup_svg

        chart_svg = burnup_svg(snap)
    except ImportError:
        pass
    view = viewmodel.build_view(
        plan,
        log,
        snap,
        memory=memory,
        chart_svg=chart_svg,
        plans=plans,
        offers=offers,
        problems=problems,
    )
    return Loaded(html=viewmodel.render_html(view), plan=plan, log=log, today=today)


class _PanelWindow(QWidget):
    def closeEvent(self, event: QCloseEvent | None) -> None:
        saveGeom(self, GEOM_KEY)
        super().closeEvent(event)


class PanelController:
    """Owns the panel for one profile: shows it, refreshes it, handles its commands."""

    def __init__(self, mw: AnkiQt, get_config: ConfigGetter, write_config: ConfigWriter) -> None:
        self.mw = mw
        self._get_config = get_config
        self._write_config = write_config
        self._loaded: Loaded | None = None
        self._tracker: list[tuple[Plan, Any]] = []
        self._refreshing = False
        self._again = False
        self._page_loaded = False

        self.body = QWidget()
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        self.web = AnkiWebView(parent=self.body, title="Learning Plan")
        self.web.set_bridge_command(self._on_bridge, self)
        layout.addWidget(self.web, 1)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 2, 8, 4)
        self.dock_box = QCheckBox("Dock beside Anki")
        self.dock_box.setChecked(bool(get_config(mw).get("dock", False)))
        self.dock_box.toggled.connect(self._on_dock_toggled)
        bar.addWidget(self.dock_box)
        bar.addStretch(1)
        layout.addLayout(bar)

        self.window = _PanelWindow(None, Qt.WindowType.Window)
        self.window.setWindowTitle("Learning Plan")
        QVBoxLayout(self.window).setContentsMargins(0, 0, 0, 0)
        restoreGeom(self.window, GEOM_KEY, default_size=(860, 940))
        self.dock: QDockWidget | None = None

        self._timer = QTimer(self.body)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)
        gui_hooks.operation_did_execute.append(self._on_op)
        gui_hooks.reviewer_did_answer_card.append(self._on_answer)
        gui_hooks.sync_did_finish.append(self._schedule_refresh)
        gui_hooks.theme_did_change.append(self._schedule_refresh)
        self._place(docked=self.dock_box.isChecked())

    # --- showing ---------------------------------------------------------------------

    def visible(self) -> bool:
        host = self.dock if self.dock_box.isChecked() else self.window
        return host is not None and host.isVisible()

    def show(self) -> None:
        if not self._page_loaded:
            self.web.stdHtml(
                '<div id="lp-root"><p class="lp-muted">Loading…</p></div>',
                head=f"<style>{viewmodel.PANEL_CSS}</style><script>{PANEL_JS}</script>",
                js=[],
                context=self,
            )
            self._page_loaded = True
        if self.dock_box.isChecked() and self.dock is not None:
            self.dock.show()
            self.dock.raise_()
        else:
            self.window.show()
            self.window.raise_()
            self.window.activateWindow()
        self.refresh()

    def _place(self, *, docked: bool) -> None:
        if docked:
            if self.window.isVisible():
                saveGeom(self.window, GEOM_KEY)
            self.window.hide()
            if self.dock is None:
                self.dock = QDockWidget("Learning Plan", self.mw)
                self.dock.setObjectName("learnplan_dock")
                self.dock.setMinimumWidth(380)
                self.dock.setAllowedAreas(
                    Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
                )
            self.dock.setWidget(self.body)
            if isinstance(self.mw, QMainWindow):
                self.mw.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        else:
            if self.dock is not None:
                self.dock.setWidget(None)
                self.dock.hide()
            window_layout = self.window.layout()
            if window_layout is not None:
                window_layout.addWidget(self.body)
        self.body.show()

    def _on_dock_toggled(self, docked: bool) -> None:
        self._write_config(self.mw, {"dock": docked})
        self._place(docked=docked)
        self.show()

    def close_for_profile(self) -> None:
        gui_hooks.operation_did_execute.remove(self._on_op)
        gui_hooks.reviewer_did_answer_card.remove(self._on_answer)
        gui_hooks.sync_did_finish.remove(self._schedule_refresh)
        gui_hooks.theme_did_change.remove(self._schedule_refresh)
        self._timer.stop()
        if self.window.isVisible():
            saveGeom(self.window, GEOM_KEY)
        self.web.cleanup()
        if self.dock is not None:
            self.mw.removeDockWidget(self.dock)
            self.dock.deleteLater()
        self.window.deleteLater()

    # --- refreshing ------------------------------------------------------------------

    def _on_op(self, changes: OpChanges, handler: object | None) -> None:
        if handler is self:
            return  # our own writes refresh directly
        if changes.config or changes.card or changes.note_text or changes.deck or changes.tag:
            self._schedule_refresh()

    def _on_answer(self, *args: object) -> None:
        self._schedule_refresh()

    def _schedule_refresh(self) -> None:
        if self.visible():
            self._timer.start(REFRESH_DELAY_MS)

    def refresh(self) -> None:
        if self.mw.col is None:
            return
        if self._refreshing:
            self._again = True  # one more after this one, never a queue
            return
        self._refreshing = True
        box = self._tracker

        def done(loaded: Loaded) -> None:
            self._finish_refresh()
            self._loaded = loaded
            self.web.eval(f"lpRender({json.dumps(loaded.html)})")

        def failed(exc: Exception) -> None:
            self._finish_refresh()
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            html = (
                '<div class="lp-problem"><p>The Learning Plan panel could not read this '
                f"collection: {viewmodel.esc(detail)}</p></div>"
            )
            self.web.eval(f"lpRender({json.dumps(html)})")

        QueryOp(parent=self.body, op=lambda col: load(col, box), success=done).failure(
            failed
        ).run_in_background()

    def _finish_refresh(self) -> None:
        self._refreshing = False
        if self._again:
            self._again = False
            QTimer.singleShot(0, self.refresh)

    # --- commands from the page ------------------------------------------------------

    def _on_bridge(self, message: str) -> Any:
        if not message.startswith("lp:"):
            return None
        try:
            args = json.loads(message[3:])
        except json.JSONDecodeError:
            return None
        if not isinstance(args, dict):
            return None
        handler = getattr(self, f"_cmd_{args.get('cmd')}", None)
        if handler is None:
            return None
        handler(args)
        return None

    def _write(self, action: str, op: Callable[[Collection], OpChanges]) -> None:
        def failure(exc: Exception) -> None:
            if isinstance(exc, store.DamagedRecord | ValueError):
                tooltip(viewmodel.esc(exc), period=6000)
            else:
                tooltip(f"{action} failed: {viewmodel.esc(exc)}", period=6000)
            self.refresh()

        CollectionOp(self.body, op).success(lambda _: self.refresh()).failure(
            failure
        ).run_in_background(initiator=self)

    def _current(self) -> tuple[Plan, ProgressLog, dt.date] | None:
        loaded = self._loaded
        if loaded is None or loaded.plan is None or loaded.log is None:
            return None
        return loaded.plan, loaded.log, loaded.today

    def _cmd_tick(self, args: dict[str, Any]) -> None:
        current = self._current()
        if current is None:
            return
        plan, log, today = current
        course, lesson = str(args.get("course")), str(args.get("lesson"))
        if any(d.course == course and d.lesson == lesson for d in log.lessons_done):
            self._write(
                "Unmark Lesson Done",
                lambda col: store.update_log(
                    col,
                    plan.id,
                    lambda lg: unmark_lesson_done(lg, course, lesson),
                    "Unmark Lesson Done",
                ),
            )
        else:
            self._write(
                "Mark Lesson Done",
                lambda col: store.update_log(
                    col,
                    plan.id,
                    lambda lg: mark_lesson_done(lg, course, lesson, today),
                    "Mark Lesson Done",
                ),
            )

    @staticmethod
    def _number(value: object, what: str) -> float:
        try:
            number = float(str(value))
        except ValueError:
            raise ValueError(f"{what} must be a number") from None
        if not number > 0 or number != number or number == float("inf"):
            raise ValueError(f"{what} must be more than 0")
        return number

    def _cmd_session(self, args: dict[str, Any]) -> None:
        current = self._current()
        if current is None:
            return
        plan, _, today = current
        try:
            hours = self._number(args.get("hours"), "Hours")
        except ValueError as exc:
            tooltip(str(exc))
            return
        session = Session(
            date=today,
            course=str(args.get("course")),
            hours=hours,
            note=str(args.get("note") or "").strip(),
        )
        self._write(
            "Log Study Session",
            lambda col: store.update_log(
                col, plan.id, lambda lg: add_session(lg, session), "Log Study Session"
            ),
        )

    def _cmd_cost(self, args: dict[str, Any]) -> None:
        current = self._current()
        if current is None:
            return
        plan, _, today = current
        try:
            amount = self._number(args.get("amount"), "Amount")
        except ValueError as exc:
            tooltip(str(exc))
            return
        cost = CostPaid(date=today, item=str(args.get("item")), amount=amount)
        self._write(
            "Log Cost",
            lambda col: store.update_log(col, plan.id, lambda lg: add_cost(lg, cost), "Log Cost"),
        )

    def _cmd_switch(self, args: dict[str, Any]) -> None:
        plan_id = str(args.get("plan"))
        self._write("Switch Learning Plan", lambda col: store.set_current(col, plan_id))

    def _cmd_adopt(self, args: dict[str, Any]) -> None:
        name = Path(str(args.get("key"))).name  # a file name in the media folder, no path
        from_today = args.get("start") == "today"

        def adopt(col: Collection) -> OpChanges:
            from learnplan.manifest import read_manifest

            plan = read_manifest(Path(col.media.dir()) / name).plan
            if from_today:
                # A shared plan carries its author's dates; most learners start now.
                plan = dataclasses.replace(plan, start=study_today(col))
            return store.adopt_plan(col, plan)

        self._write("Adopt Learning Plan", adopt)

    def _cmd_export(self, args: dict[str, Any]) -> None:
        key = str(args.get("key"))
        path = getSaveFile(
            self.body,  # type: ignore[arg-type]
            "Export Learning Plan record",
            "learnplan_export",
            "JSON",
            ".json",
            fname=f"{key}.json",
        )
        if not path:
            return

        def saved(result: Path) -> None:
            tooltip(f"Saved to {viewmodel.esc(result)}")

        QueryOp(
            parent=self.body,
            op=lambda col: store.export_record(col, key, path),
            success=saved,
        ).run_in_background()

    def _cmd_fresh(self, args: dict[str, Any]) -> None:
        key = str(args.get("key"))
        if not askUser(
            f"Replace the unreadable record '{key}' with an empty one?\n\n"
            "Export it first if you may want it back. (Edit › Undo can still restore it "
            "until Anki closes.)",
            parent=self.body,
        ):
            return
        self._write("Start Fresh", lambda col: store.start_fresh(col, key))

    def _cmd_import(self, args: dict[str, Any]) -> None:
        from .importing import choose_and_import_outline

        choose_and_import_outline(self.mw, update=False, after=self.show)

    def _cmd_link(self, args: dict[str, Any]) -> None:
        url = str(args.get("url"))
        if url.startswith(("https://", "http://")):
            openLink(url)
