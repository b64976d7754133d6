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
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aqt
from aqt import gui_hooks
from aqt.operations import CollectionOp, QueryOp
from aqt.qt import (
    QCheckBox,
    QCloseEvent,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QStandardPaths,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from aqt.utils import askUser, getSaveFile, openLink, restoreGeom, saveGeom, tooltip
from aqt.webview import AnkiWebView

from learnplan.base.atomic import replace_file
from learnplan.model.plan import Plan
from learnplan.progress.log import (
    CostPaid,
    ProgressLog,
    Session,
    add_cost,
    add_revision,
    add_session,
    mark_lesson_done,
    unmark_lesson_done,
)

from . import forms, settings, store, undo, upkeep, viewmodel
from .cache import FigureCache, TrackerFiles, cache_file
from .loader import Loaded, TrackerBox, build_report, load, report_name, study_today

if TYPE_CHECKING:
    from anki.collection import Collection, OpChanges
    from aqt.main import AnkiQt

GEOM_KEY = "learnplan_panel"
REFRESH_DELAY_MS = 400

ConfigGetter = Callable[["AnkiQt"], dict[str, Any]]
ConfigWriter = Callable[["AnkiQt", dict[str, Any]], None]

# Clicks on [data-lp-cmd] become pycmd("lp:" + JSON); forms contribute their fields.
# lpRender keeps open course sections, and what the learner is typing, across refreshes.
PANEL_JS = """
function lpRender(html) {
  const root = document.getElementById('lp-root');
  const open = new Set([...root.querySelectorAll('details[open]')]
      .map(d => d.dataset.lpCourse));
  const active = document.activeElement;
  const typing = active && active.id && root.contains(active) && 'value' in active
      ? [active.id, active.value] : null;
  root.innerHTML = html;
  root.querySelectorAll('details[data-lp-course]').forEach(d => {
    if (open.has(d.dataset.lpCourse)) d.open = true;
  });
  if (typing) {
    const again = document.getElementById(typing[0]);
    if (again) { again.value = typing[1]; again.focus(); }
  }
  document.body.dataset.lpUpdating = '0';
  document.body.dataset.lpRendered = String(Number(document.body.dataset.lpRendered || 0) + 1);
}
function lpOpenCourse(id) {
  const d = document.querySelector('details[data-lp-course="' + CSS.escape(id) + '"]');
  if (!d) return;
  d.open = true;
  d.scrollIntoView({block: 'start'});
}
document.addEventListener('click', function (evt) {
  const opener = evt.target.closest('[data-lp-open]');
  if (opener) { evt.preventDefault(); lpOpenCourse(opener.dataset.lpOpen); return; }
  const el = evt.target.closest('[data-lp-cmd]');
  if (!el) return;
  evt.preventDefault();
  const msg = JSON.parse(el.dataset.lpCmd);
  if (el.dataset.lpForm) {
    const form = document.querySelector(
        'form[data-lp-form="' + CSS.escape(el.dataset.lpForm) + '"]');
    new FormData(form).forEach((value, key) => { msg[key] = String(value); });
  }
  pycmd('lp:' + JSON.stringify(msg));
});
"""

#: Marks the figures shown at once (from the cache) until fresh ones arrive; also
#: records what was first shown, so the desktop test can tell a cached start from a
#: fast refresh.
_FIRST_SHOWN_JS = (
    "document.body.dataset.lpUpdating = '1';"
    "window.lpFirstHeadline = (document.getElementById('lp-headline') || {}).textContent"
    " || '';"
)


def _user_files() -> Path:
    # Anki keeps an add-on's user_files folder across updates of the add-on.
    return Path(__file__).resolve().parent / "user_files"


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
        self._tracker = TrackerBox()
        self._cache: FigureCache | None = None
        self._refreshing = False
        self._again = False
        self._page_loaded = False
        self._upkeep_allowed = True
        undo.install()

        self.body = QWidget()
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        self.web = AnkiWebView(parent=self.body, title="Learning Plan")
        self.web.set_bridge_command(self._on_bridge, self)
        layout.addWidget(self.web, 1)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 2, 8, 4)
        self.dock_box = QCheckBox("Dock beside Anki")
        self.dock_box.setChecked(bool(get_config(mw).get(settings.DOCK, False)))
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
        gui_hooks.sync_did_finish.append(self._after_sync)
        gui_hooks.media_sync_did_start_or_stop.append(self._after_media_sync)
        gui_hooks.theme_did_change.append(self._schedule_refresh)
        undo.listeners.append(self._schedule_refresh)  # an undo or redo was recorded
        self._place(docked=self.dock_box.isChecked())

    # --- showing ---------------------------------------------------------------------

    def visible(self) -> bool:
        host = self.dock if self.dock_box.isChecked() else self.window
        return host is not None and host.isVisible()

    def figure_cache(self) -> FigureCache | None:
        col = self.mw.col
        if col is None:
            return None
        if self._cache is None:
            self._cache = FigureCache(cache_file(_user_files(), col.path))
        return self._cache

    def show(self) -> None:
        if not self._page_loaded:
            # The last figures at once, marked "updating…" until the QueryOp's arrive:
            # opening the panel never waits on the collection.
            cache = self.figure_cache()
            cached = cache.get() if cache is not None else None
            content = cached or '<p class="lp-muted">Loading…</p>'
            self.web.stdHtml(
                '<div id="lp-updating" role="status">updating…</div>'
                f'<div id="lp-root">{content}</div><script>{_FIRST_SHOWN_JS}</script>',
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
        self._write_config(self.mw, {settings.DOCK: docked})
        self._place(docked=docked)
        self.show()

    def close_for_profile(self) -> None:
        gui_hooks.operation_did_execute.remove(self._on_op)
        gui_hooks.reviewer_did_answer_card.remove(self._on_answer)
        gui_hooks.sync_did_finish.remove(self._after_sync)
        gui_hooks.media_sync_did_start_or_stop.remove(self._after_media_sync)
        gui_hooks.theme_did_change.remove(self._schedule_refresh)
        undo.listeners.remove(self._schedule_refresh)
        self._timer.stop()
        # The memory tracker's state, for a quick first refresh next session; written on
        # a thread of its own after any refresh still running.
        self._tracker.close()
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
        self._upkeep_allowed = True
        if changes.config or changes.card or changes.note_text or changes.deck or changes.tag:
            self._schedule_refresh()

    def _after_sync(self) -> None:
        # Records from other devices arrive with the media sync, after this one.
        self._upkeep_allowed = True
        self._schedule_refresh()

    def _after_media_sync(self, running: bool) -> None:
        if not running:
            self._after_sync()

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
        if box.files is None:
            # Read (lazily, inside the background load) and written in user_files too.
            box.files = TrackerFiles(_user_files(), self.mw.col.path)
        self.web.eval("document.body.dataset.lpUpdating = '1'")

        def done(loaded: Loaded) -> None:
            self._finish_refresh()
            self._loaded = loaded
            self.web.eval(f"lpRender({json.dumps(loaded.html)})")
            cache = self.figure_cache()
            if cache is not None and loaded.plan is not None:
                cache.put(loaded.plan.id, loaded.html)
            if loaded.upkeep and self._upkeep_allowed:
                # Once until something else changes: a summary that cannot be written
                # must not start a loop of writes.
                self._upkeep_allowed = False
                upkeep.run(self.mw, parent=self.body, initiator=self, after=self.refresh)

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
            if isinstance(exc, ValueError):
                tooltip(viewmodel.esc(exc), period=6000)
            else:
                tooltip(f"{action} failed: {viewmodel.esc(exc)}", period=6000)
            self.refresh()

        CollectionOp(self.body, op).success(lambda _: self.refresh()).failure(
            failure
        ).run_in_background(initiator=self)

    def _change_log(
        self, plan_id: str, action: str, change: Callable[[ProgressLog], ProgressLog]
    ) -> None:
        """One undoable change to the plan's progress log, named for Edit > Undo."""
        self._write(action, lambda col: store.update_log(col, plan_id, change, action))

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
            self._change_log(
                plan.id, "Unmark Lesson Done", lambda lg: unmark_lesson_done(lg, course, lesson)
            )
        else:
            self._change_log(
                plan.id, "Mark Lesson Done", lambda lg: mark_lesson_done(lg, course, lesson, today)
            )

    def _cmd_session(self, args: dict[str, Any]) -> None:
        current = self._current()
        if current is None:
            return
        plan, _, today = current
        try:
            hours = forms.positive_number(args.get("hours"), "Hours")
            day = forms.study_date(args.get("date"), today)
        except ValueError as exc:
            tooltip(viewmodel.esc(exc))
            return
        session = Session(
            date=day,
            course=str(args.get("course")),
            hours=hours,
            note=str(args.get("note") or "").strip(),
        )
        self._change_log(plan.id, "Log Study Session", lambda lg: add_session(lg, session))

    def _cmd_cost(self, args: dict[str, Any]) -> None:
        current = self._current()
        if current is None:
            return
        plan, _, today = current
        try:
            amount = forms.positive_number(args.get("amount"), "Amount")
            day = forms.study_date(args.get("date"), today)
        except ValueError as exc:
            tooltip(viewmodel.esc(exc))
            return
        cost = CostPaid(date=day, item=str(args.get("item")), amount=amount)
        self._change_log(plan.id, "Log Cost", lambda lg: add_cost(lg, cost))

    def _cmd_realloc(self, args: dict[str, Any]) -> None:
        current = self._current()
        loaded = self._loaded
        if current is None or loaded is None or loaded.snapshot is None:
            return
        plan, _, today = current
        course = str(args.get("course"))
        row = next((c for c in loaded.snapshot.courses if c.id == course), None)
        if row is None:
            return
        try:
            revision = forms.reallocation(
                row.id,
                today,
                (row.fte, row.start_week, row.end_week),
                args,
                plan.weeks,
            )
        except ValueError as exc:
            tooltip(viewmodel.esc(exc), period=5000)
            return
        self._change_log(plan.id, "Re-allocate Course", lambda lg: add_revision(lg, revision))

    def _cmd_trim(self, args: dict[str, Any]) -> None:
        current = self._current()
        loaded = self._loaded
        if current is None or loaded is None or loaded.snapshot is None:
            return
        plan, _, today = current
        revisions = forms.trim_revisions(loaded.snapshot, today)
        if not revisions:
            return

        def change(log: ProgressLog) -> ProgressLog:
            for revision in revisions:
                log = add_revision(log, revision)
            return log

        self._change_log(plan.id, "Apply Trim", change)

    def _cmd_browse(self, args: dict[str, Any]) -> None:
        current = self._current()
        if current is None:
            return
        plan = current[0]
        course = str(args.get("course"))
        if plan.course(course) is None:
            return
        # tag: also matches the course's child tags; quoted so odd ids stay one term.
        aqt.dialogs.open("Browser", self.mw, search=(f'"tag:{plan.course_tag(course)}"',))

    def ask_report_path(self, name: str) -> str | None:
        """Where the learner wants the report (the folder used last time by default)."""
        folder = str(self._get_config(self.mw).get(settings.REPORT_FOLDER) or "") or (
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        )
        path, _ = QFileDialog.getSaveFileName(
            self.body,
            "Export progress report",
            str(Path(folder) / name),
            "HTML report (*.html)",
        )
        if not path:
            return None
        if not path.lower().endswith((".html", ".htm")):
            path += ".html"
        self._write_config(self.mw, {settings.REPORT_FOLDER: str(Path(path).parent)})
        return path

    def _cmd_report(self, args: dict[str, Any]) -> None:
        current = self._current()
        if current is None:
            return
        plan, _, today = current
        path = self.ask_report_path(report_name(plan, today))
        if not path:
            return
        target = Path(path)

        def write(col: Collection) -> Path:
            _, text = build_report(col)
            return replace_file(target, text.encode("utf-8"))

        def saved(result: Path) -> None:
            tooltip(f"Progress report saved to {viewmodel.esc(result)}", period=6000)

        def failed(exc: Exception) -> None:
            tooltip(f"The report could not be saved: {viewmodel.esc(exc)}", period=8000)

        QueryOp(parent=self.body, op=write, success=saved).failure(failed).with_progress(
            "Writing the progress report…"
        ).run_in_background()

    def _cmd_switch(self, args: dict[str, Any]) -> None:
        plan_id = str(args.get("plan"))
        cache = self.figure_cache()
        cached = cache.get(plan_id) if cache is not None else None
        if cached:
            self.web.eval(f"lpRender({json.dumps(cached)}); document.body.dataset.lpUpdating='1'")
        self._write("Switch Learning Plan", lambda col: store.set_current(col, plan_id))

    def _cmd_adopt(self, args: dict[str, Any]) -> None:
        name = Path(str(args.get("key"))).name  # a file name in the media folder, no path
        from_today = args.get("start") == "today"

        def adopt(col: Collection) -> OpChanges:
            from learnplan.building.manifest import read_manifest

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
            fname=store.export_name(key),
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
        question = {
            "Hide it": f"Hide the unreadable record '{key}'?\n\nThe file stays in the "
            "collection's media folder, unchanged; the panel stops reporting it.",
            "Stop following it": f"Stop following this plan ({key})?\n\nIts progress "
            "stays recorded: adopting the plan again shows it.",
        }.get(
            store.fix_label(key),
            f"Remove the unreadable record '{key}' and start fresh?\n\nExport it first "
            "if you may want it back. (Edit › Undo can still restore it until Anki closes.)",
        )
        if not askUser(question, parent=self.body):
            return
        self._write("Start Fresh", lambda col: store.start_fresh(col, key))

    def _cmd_import(self, args: dict[str, Any]) -> None:
        from .importing import choose_and_import_outline

        choose_and_import_outline(self.mw, update=False, after=self.show)

    def _cmd_link(self, args: dict[str, Any]) -> None:
        url = str(args.get("url"))
        if url.startswith(("https://", "http://")):
            openLink(url)
