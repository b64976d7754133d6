"""The "Learning Plan" window (or dock): a themed AnkiWebView rendered from the view model.

Reads run in ``QueryOp`` (off the main thread), writes in ``CollectionOp`` through
``store`` (one named undo step each). The page is loaded once; refreshes replace its
content through ``lpRender`` so open course sections and scroll position survive.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from aqt.utils import restoreGeom, saveGeom, tooltip
from aqt.webview import AnkiWebView

from . import settings, undo, upkeep
from .cache import FigureCache, TrackerFiles, cache_file
from .commands import PanelCommands
from .loader import Loaded, TrackerBox, load
from .markup import esc
from .page import FIRST_SHOWN_JS, PANEL_CSS, PANEL_JS

if TYPE_CHECKING:
    from anki.collection import Collection, OpChanges
    from aqt.main import AnkiQt

GEOM_KEY = "learnplan_panel"
REFRESH_DELAY_MS = 400

ConfigGetter = Callable[["AnkiQt"], dict[str, Any]]
ConfigWriter = Callable[["AnkiQt", dict[str, Any]], None]


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
        self.loaded: Loaded | None = None
        self._tracker = TrackerBox()
        self._cache: FigureCache | None = None
        self.commands = PanelCommands(self)
        self._closed = False
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
                f'<div id="lp-root">{content}</div><script>{FIRST_SHOWN_JS}</script>',
                head=f"<style>{PANEL_CSS}</style><script>{PANEL_JS}</script>",
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
        """Release the panel before its profile closes: unhook, close its window and dock.

        Anki expects every window closed by then (it warns "Window should have been
        closed" otherwise), and nothing of this collection may outlive it: a refresh
        still running is dropped when it ends, so neither its figures nor its cache entry
        can reach the next profile's panel.
        """
        self._closed = True
        gui_hooks.operation_did_execute.remove(self._on_op)
        gui_hooks.sync_did_finish.remove(self._after_sync)
        gui_hooks.media_sync_did_start_or_stop.remove(self._after_media_sync)
        gui_hooks.theme_did_change.remove(self._schedule_refresh)
        undo.listeners.remove(self._schedule_refresh)
        self._timer.stop()
        self.loaded = None
        # The memory tracker's state, for a quick first refresh next session; written on
        # a thread of its own after any refresh still running.
        self._tracker.close()
        if self.window.isVisible():
            self.window.close()  # saves its geometry (closeEvent) and hides it
        if self.dock is not None:
            self.dock.hide()
            self.mw.removeDockWidget(self.dock)
        self.web.cleanup()
        if self.dock is not None:
            self.dock.deleteLater()
        self.window.deleteLater()

    # --- refreshing ------------------------------------------------------------------

    def _on_op(self, changes: OpChanges, handler: object | None) -> None:
        # Answering a card in the reviewer arrives here too (changes.card). No listener on
        # reviewer_did_answer_card: with one, Anki reloads each answered card on the main
        # thread (aqt/reviewer.py, after_answer).
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

    def _schedule_refresh(self) -> None:
        if self.visible():
            self._timer.start(REFRESH_DELAY_MS)

    def refresh(self) -> None:
        if self._closed or self.mw.col is None:
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
            if self._closed:
                return  # read from the collection of a profile closed since
            self._finish_refresh()
            self.loaded = loaded
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
            if self._closed:
                return
            self._finish_refresh()
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            html = (
                '<div class="lp-problem"><p>The Learning Plan panel could not read this '
                f"collection: {esc(detail)}</p></div>"
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
        handler = getattr(self.commands, f"cmd_{args.get('cmd')}", None)
        if handler is None:
            return None
        handler(args)
        return None

    def write(self, action: str, op: Callable[[Collection], OpChanges]) -> None:
        """Run ``op`` as one undoable ``CollectionOp``, then refresh; errors as tooltips."""

        def failure(exc: Exception) -> None:
            if isinstance(exc, ValueError):
                tooltip(esc(exc), period=6000)
            else:
                tooltip(f"{action} failed: {esc(exc)}", period=6000)
            self.refresh()

        CollectionOp(self.body, op).success(lambda _: self.refresh()).failure(
            failure
        ).run_in_background(initiator=self)

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
