"""Menu entries, shortcut, deck-browser link and hooks: cheap, loaded at Anki start-up.

Nothing here imports the panel or the learnplan library; they load on first use so the
add-on costs Anki's start-up almost nothing. The library is imported like any other module:
the built add-on carries it in _vendor/ with its imports rewritten to point there
(scripts/build_addon.py), and a checkout linked by scripts/dev_install.sh uses the one
installed in the Python that runs Anki. Neither changes sys.path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aqt import gui_hooks
from aqt.qt import QAction, QKeySequence, QMenu

from . import settings
from .settings import addon_config, write_addon_config

if TYPE_CHECKING:
    from anki.collection import OpChanges
    from aqt.deckbrowser import DeckBrowser, DeckBrowserContent
    from aqt.main import AnkiQt

    from .panel import PanelController

OPEN_CMD = "learnplan:open"

_state: dict[str, Any] = {"controller": None}


def setup(mw: AnkiQt, module: str) -> None:
    settings.use_module(module)
    config = addon_config(mw)
    menu = QMenu("Learning Plan", mw)
    open_action = QAction("Open panel", mw)
    shortcut = str(config.get(settings.SHORTCUT) or "")
    if shortcut:
        open_action.setShortcut(QKeySequence(shortcut))
    open_action.triggered.connect(lambda: open_panel(mw))
    menu.addAction(open_action)
    import_action = QAction("Import outline…", mw)
    import_action.triggered.connect(lambda: _import_outline(mw, update=False))
    menu.addAction(import_action)
    update_action = QAction("Update from outline…", mw)
    update_action.triggered.connect(lambda: _import_outline(mw, update=True))
    menu.addAction(update_action)
    mw.form.menuTools.addSeparator()
    mw.form.menuTools.addMenu(menu)

    if config.get(settings.DECK_BROWSER_LINK, True):
        gui_hooks.deck_browser_will_render_content.append(_deck_browser_link)
    gui_hooks.webview_did_receive_js_message.append(_on_js_message)
    gui_hooks.profile_will_close.append(_close_panel)
    gui_hooks.operation_did_execute.append(lambda changes, handler: _after_op(mw, changes))
    gui_hooks.sync_did_finish.append(lambda: _after_sync(mw))
    gui_hooks.media_sync_did_start_or_stop.append(lambda running: _after_media_sync(mw, running))
    gui_hooks.profile_did_open.append(lambda: _remember_records(mw))


def controller(mw: AnkiQt) -> PanelController:
    if _state["controller"] is None:
        from .panel import PanelController

        _state["controller"] = PanelController(mw, addon_config, write_addon_config)
    ctl: PanelController = _state["controller"]
    return ctl


def open_panel(mw: AnkiQt) -> None:
    controller(mw).show()


def _import_outline(mw: AnkiQt, *, update: bool) -> None:
    from .importing import choose_and_import_outline

    choose_and_import_outline(mw, update=update, after=lambda: open_panel(mw))


def _after_op(mw: AnkiQt, changes: OpChanges) -> None:
    # An import changes note types and notes together; ordinary reviews and edits
    # don't, so this stays off the common path.
    if not (changes.notetype and changes.note_text) or mw.col is None:
        return
    from .detect import offer_new_plans, tidy_manifests
    from .guard import after_import

    after_import(mw)  # record files a shared deck carried are set aside

    def offer() -> None:
        ctl = _state["controller"]
        if ctl is not None and ctl.visible():
            return  # the open panel shows the offer itself
        offer_new_plans(mw, lambda: open_panel(mw))

    tidy_manifests(mw, then=offer)


def _remember_records(mw: AnkiQt) -> None:
    # Record files present now, or brought by a sync, are the learner's own; one that
    # appears with an import is not (guard.py).
    if mw.col is not None:
        from .guard import remember

        remember(mw.col)


def _after_sync(mw: AnkiQt) -> None:
    # Records from other devices may have arrived: keep the deck summaries in step.
    _remember_records(mw)
    ctl = _state["controller"]
    if mw.col is None or (ctl is not None and ctl.visible()):
        return  # the open panel refreshes and does the same itself
    from .upkeep import after_sync

    after_sync(mw)


def _after_media_sync(mw: AnkiQt, running: bool) -> None:
    if not running:
        _after_sync(mw)


def _close_panel() -> None:
    ctl = _state["controller"]
    if ctl is not None:
        ctl.close_for_profile()
        _state["controller"] = None


def _deck_browser_link(deck_browser: DeckBrowser, content: DeckBrowserContent) -> None:
    content.stats += (
        '<div style="margin-top:0.6em">'
        f'<a href="#" onclick="return pycmd(\'{OPEN_CMD}\')">Learning Plan</a>'
        "</div>"
    )


def _on_js_message(handled: tuple[bool, Any], message: str, context: Any) -> tuple[bool, Any]:
    if message != OPEN_CMD:
        return handled
    from aqt import mw

    if mw is not None:
        open_panel(mw)
    return True, None
