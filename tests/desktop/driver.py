"""Runs INSIDE Anki, imported by the test-only add-on in driver_addon.py once the main
window is ready (``harness.install_driver`` puts both into the test profile).

Drives the real panel through its page, the way a learner's clicks would: every action
is a DOM click or input in the AnkiWebView, which goes through the page's pycmd bridge,
the add-on's CollectionOp and the collection config. Writes status/results JSON and
screenshots into LEARNPLAN_TEST_OUT, then closes Anki normally.

Learning Plan is found through Anki's add-on manager, under whatever folder it was
installed in; ``shell`` is its shell module.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import aqt
from anki.consts import CARD_TYPE_NEW
from aqt import mw as _mw
from aqt.qt import QPoint, QTimer
from aqt.theme import Theme
from PyQt6 import sip

OUT = Path(os.environ["LEARNPLAN_TEST_OUT"])


def _installed_learning_plan() -> str:
    """The package Anki imported Learning Plan as (its add-on folder's name)."""
    for meta in _mw.addonManager.all_addon_meta():
        if meta.human_name() == "Learning Plan" and meta.dir_name in sys.modules:
            return str(meta.dir_name)
    raise RuntimeError("Learning Plan is not installed and loaded in this profile")


PACKAGE = _installed_learning_plan()
shell: Any = importlib.import_module(f"{PACKAGE}.shell")
# What the process held before any add-on was imported (recorded by driver_addon.py).
BEFORE_ADDONS: dict[str, Any] = sys.modules[__name__.rpartition(".")[0]].BEFORE_ADDONS
results: dict[str, Any] = {"steps": []}
Request = Callable[[Callable[[Any], None]], None]


def note(step: str, **values: Any) -> None:
    results["steps"].append({"step": step, "t": round(time.monotonic(), 3), **values})
    (OUT / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


def sleep(ms: int) -> Request:
    return lambda resume: QTimer.singleShot(ms, lambda: resume(None))


def js(expr: str) -> Request:
    def request(resume: Callable[[Any], None]) -> None:
        web = shell._state["controller"].web
        web.evalWithCallback(expr, resume)

    return request


def until(check: Callable[[], Any], what: str, timeout: float = 30.0) -> Request:
    """Poll a Python condition on the main thread; the value it returns is the result."""

    def request(resume: Callable[[Any], None]) -> None:
        deadline = time.monotonic() + timeout

        def poll() -> None:
            value = check()
            if value:
                resume(value)
            elif time.monotonic() > deadline:
                resume(TimeoutError(f"timed out waiting for {what}"))
            else:
                QTimer.singleShot(100, poll)

        poll()

    return request


def js_until(expr: str, what: str, timeout: float = 30.0) -> Request:
    """Poll a JS expression in the panel until it is truthy; returns its value."""

    def request(resume: Callable[[Any], None]) -> None:
        deadline = time.monotonic() + timeout

        def poll() -> None:
            ctl = shell._state["controller"]
            if ctl is None:
                retry(None)
                return
            ctl.web.evalWithCallback(expr, retry)

        def retry(value: Any) -> None:
            if value:
                resume(value)
            elif time.monotonic() > deadline:
                resume(TimeoutError(f"timed out waiting for {what}"))
            else:
                QTimer.singleShot(100, poll)

        poll()

    return request


def web_until(web: Callable[[], Any], expr: str, what: str, timeout: float = 30.0) -> Request:
    """Poll a JS expression in another webview (``web()`` may be None while it loads)."""

    def request(resume: Callable[[Any], None]) -> None:
        deadline = time.monotonic() + timeout

        def poll() -> None:
            view = web()
            if view is None:
                retry(None)
            else:
                view.evalWithCallback(expr, retry)

        def retry(value: Any) -> None:
            if value:
                resume(value)
            elif time.monotonic() > deadline:
                resume(TimeoutError(f"timed out waiting for {what}"))
            else:
                QTimer.singleShot(100, poll)

        poll()

    return request


def js_deck(expr: str) -> Request:
    """Evaluate in the main window's deck browser page (polls until the page answers)."""

    def request(resume: Callable[[Any], None]) -> None:
        deadline = time.monotonic() + 20

        def poll() -> None:
            _mw.deckBrowser.web.evalWithCallback(expr, retry)

        def retry(value: Any) -> None:
            if value is not None or time.monotonic() > deadline:
                resume(value)
            else:
                QTimer.singleShot(100, poll)

        poll()

    return request


def rendered() -> Request:
    return js("Number(document.body.dataset.lpRendered || 0)")


def text_of(element_id: str) -> Request:
    return js(f"(document.getElementById({json.dumps(element_id)}) || {{}}).textContent || ''")


def shot(name: str, widget: Any = None) -> None:
    """Screenshot the whole screen, or only ``widget``'s window (the panel as shown)."""
    window = "root" if widget is None else hex(int(widget.winId()))
    subprocess.run(["import", "-window", window, str(OUT / name)], check=True)


#: Where the page says its parts are, for tests/desktop/pixels.py to check the pixels of
#: the screenshot against: CSS-pixel rectangles in the viewport and computed colours.
LAYOUT_JS = """(() => {
  const box = e => {
    if (!e) return null;
    const r = e.getBoundingClientRect();
    return [r.left, r.top, r.width, r.height];
  };
  const q = s => document.querySelector(s);
  const lines = ['line.lp-capacity', 'line.lp-today', 'polyline.lp-earned'];
  const rects = {headline: box(q('#lp-headline')), chart: box(q('#lp-chart svg')),
                 table: box(q('#lp-table'))};
  const strokes = {};
  for (const sel of lines) {
    const e = q('#lp-chart ' + sel);
    rects[sel] = box(e);
    strokes[sel] = e ? getComputedStyle(e).stroke : null;
  }
  const clear = c => !c || c === 'transparent' || c === 'rgba(0, 0, 0, 0)';
  const bg = [document.body, document.documentElement]
    .map(e => getComputedStyle(e).backgroundColor).find(c => !clear(c));
  return {rects, strokes, background: bg || 'rgb(255, 255, 255)',
          night: document.documentElement.classList.contains('night-mode'),
          css_dpr: window.devicePixelRatio, viewport: [innerWidth, innerHeight]};
})()"""


def panel_shot(name: str, ctl: Any, *, whole_screen: bool = False) -> Generator[Request, Any, None]:
    """Screenshot the panel's window (or the whole screen) and note where the page says
    its parts are, in the same pixels (tests/desktop/pixels.py checks one against the
    other)."""
    layout = yield js(LAYOUT_JS)
    window = None if whole_screen else ctl.window
    corner = (
        ctl.web.mapToGlobal(QPoint(0, 0)) if whole_screen else ctl.web.mapTo(window, QPoint(0, 0))
    )
    shot(name, window)
    note(
        f"shot:{name}",
        name=name,
        offset=[corner.x(), corner.y()],
        qt_dpr=float(ctl.web.devicePixelRatioF()),
        **layout,
    )


def scenario() -> Generator[Request, Any, None]:
    yield until(lambda: _mw.col is not None and _mw.state == "deckBrowser", "deck browser")
    # Start-up must not have loaded the panel or the library (they load on first use).
    note(
        "ready",
        library_loaded=any(
            name == "learnplan" or name.startswith(f"{PACKAGE}._vendor") for name in sys.modules
        ),
        panel_loaded=any(name.endswith(".panel") for name in sys.modules),
    )
    (OUT / "ready").write_text("1", encoding="utf-8")

    # The harness presses Ctrl+Shift+L with xdotool now.
    ctl = yield until(lambda: shell._state["controller"], "panel opened by the shortcut")
    yield until(lambda: ctl.window.isVisible() or (ctl.dock and ctl.dock.isVisible()), "shown")
    note("panel-open", title=ctl.window.windowTitle())
    offer = yield js_until("(document.querySelector('.lp-offer') || {}).textContent", "plan offer")
    note("offer", text=" ".join(str(offer).split()))

    before = yield rendered()
    # "Start it today": the plan's weeks count from today, as for a new learner.
    yield js("document.querySelector('.lp-offer button').click()")
    yield js_until(
        f"Number(document.body.dataset.lpRendered) > {before} && "
        "document.getElementById('lp-headline') && 1",
        "adopted plan rendered",
    )
    headline = yield text_of("lp-headline")
    earned0 = yield text_of("lp-earned")
    note("adopted", headline=headline, earned=earned0, undo=_mw.form.actionUndo.text())

    # Tick the first lesson of the first course (opening its section as a learner would).
    yield js("document.querySelector('details.lp-course').open = true")
    yield sleep(300)
    lesson = yield js("document.querySelector('[data-lp-lesson]').dataset.lpLesson")
    before = yield rendered()
    yield js("document.querySelector('[data-lp-lesson]').click()")
    yield js_until(
        f"Number(document.body.dataset.lpRendered) > {before} && "
        f"document.querySelector('[data-lp-lesson=\"{lesson}\"]').checked",
        "ticked lesson shown",
    )
    earned1 = yield text_of("lp-earned")
    course_id = str(lesson).split("/")[0]
    progress1 = yield text_of(f"lp-progress-{course_id}")
    note(
        "ticked",
        lesson=lesson,
        earned=earned1,
        course_progress=progress1,
        undo=_mw.form.actionUndo.text(),
    )

    # Log a study session through the form.
    yield js(
        "document.getElementById('lp-session-course').value = "
        f"{json.dumps(course_id)};"
        "document.getElementById('lp-session-hours').value = '2.5';"
        "document.getElementById('lp-session-note').value = 'watched the lecture';"
    )
    session_date = yield js("document.getElementById('lp-session-date').value")
    before = yield rendered()
    yield js("document.getElementById('lp-session-add').click()")
    yield js_until(
        f"Number(document.body.dataset.lpRendered) > {before} && "
        "document.getElementById('lp-spent').textContent.startsWith('2.5 h')",
        "session shown",
    )
    spent1 = yield text_of("lp-spent")
    week1 = yield text_of("lp-week-hours")
    note(
        "session",
        spent=spent1,
        week_hours=week1,
        date=session_date,
        undo=_mw.form.actionUndo.text(),
    )
    yield sleep(300)

    # Edit > Undo removes the session (the last step) and the panel follows.
    before = yield rendered()
    _mw.form.actionUndo.trigger()
    yield js_until(
        f"Number(document.body.dataset.lpRendered) > {before} && "
        "document.getElementById('lp-spent').textContent.startsWith('0.0 h')",
        "undo shown",
    )
    spent2 = yield text_of("lp-spent")
    note("undone", spent=spent2, undo=_mw.form.actionUndo.text(), redo=_mw.form.actionRedo.text())

    # Re-allocate the course from its course view (opened by the table's "lessons"
    # button): 1.0 point instead of its planned FTE, with a reason.
    yield js(f"document.querySelector('[data-lp-open=\"{course_id}\"]').click()")
    fte0 = yield text_of(f"lp-fte-{course_id}")
    total0 = yield text_of("lp-fte-total")
    form = f'form[data-lp-form="realloc-{course_id}"]'
    yield js(
        f"document.querySelector('{form} [name=fte]').value = '1';"
        f"document.querySelector('{form} [name=reason]').value = 'more time for maths';"
    )
    before = yield rendered()
    yield js(f"document.querySelector('{form} button').click()")
    yield js_until(
        f"Number(document.body.dataset.lpRendered) > {before} && "
        f"document.getElementById('lp-fte-{course_id}').textContent === '1.0*'",
        "revised FTE shown",
    )
    fte1 = yield text_of(f"lp-fte-{course_id}")
    total1 = yield text_of("lp-fte-total")
    history = yield text_of(f"lp-history-{course_id}")
    note(
        "reallocated",
        fte_before=fte0,
        total_before=total0,
        fte=fte1,
        total=total1,
        history=history,
        undo=_mw.form.actionUndo.text(),
    )
    before = yield rendered()
    _mw.form.actionUndo.trigger()
    yield js_until(
        f"Number(document.body.dataset.lpRendered) > {before} && "
        f"document.getElementById('lp-fte-{course_id}').textContent === {json.dumps(fte0)}",
        "re-allocation undone",
    )
    fte2 = yield text_of(f"lp-fte-{course_id}")
    history2 = yield js(f"!!document.getElementById('lp-history-{course_id}')")
    note("realloc-undone", fte=fte2, history=history2, redo=_mw.form.actionRedo.text())
    # Redo it: the screenshots then show a revised course and its history.
    before = yield rendered()
    _mw.form.actionRedo.trigger()
    yield js_until(
        f"Number(document.body.dataset.lpRendered) > {before} && "
        f"document.getElementById('lp-fte-{course_id}').textContent === '1.0*'",
        "re-allocation redone",
    )

    # Tick a second lesson, then Edit > Undo: the tick is taken back (a retraction
    # entry), and stays gone when the panel is loaded again and after Anki restarts.
    second = yield js("[...document.querySelectorAll('[data-lp-lesson]')][1].dataset.lpLesson")
    box = f"document.querySelector('[data-lp-lesson=\"{second}\"]')"
    before = yield rendered()
    yield js(f"{box}.click()")
    yield js_until(
        f"Number(document.body.dataset.lpRendered) > {before} && {box}.checked",
        "second tick shown",
    )
    undo_text = _mw.form.actionUndo.text()
    before = yield rendered()
    _mw.form.actionUndo.trigger()
    yield js_until(
        f"Number(document.body.dataset.lpRendered) > {before} && !{box}.checked",
        "second tick undone",
    )
    note(
        "tick-undone",
        lesson=second,
        undo_before=undo_text,
        redo=_mw.form.actionRedo.text(),
    )

    # A course's name opens Anki's Browser on the course's tag.
    yield js("window.scrollTo(0, 0)")
    yield js(f"document.getElementById('lp-browse-{course_id}').click()")
    browser = yield until(lambda: aqt.dialogs._dialogs["Browser"][1], "browser opened")
    yield until(lambda: browser.table.len() > 0, "browser rows")
    search = browser.current_search()
    rows = browser.table.len()
    notes_mode = browser.table.is_notes_mode()
    expected = len(_mw.col.find_notes(search) if notes_mode else _mw.col.find_cards(search))
    note("browser", search=search, rows=rows, expected=expected, notes_mode=notes_mode)
    # Closing waits for the editor page to confirm the (unchanged) note is saved.
    yield until(lambda: browser.editor.web.isVisible() or True, "editor")
    yield sleep(1500)
    browser.close()
    yield until(
        lambda: sip.isdeleted(browser) or not browser.isVisible(), "browser closed", timeout=15
    )
    ctl.window.raise_()
    ctl.window.activateWindow()

    # Export the report; the file dialog's answer is given directly (as with the
    # outline import below), everything after it is the real button's path.
    asked: list[str] = []

    def answer(name: str) -> str:
        asked.append(name)
        return str(OUT / name)

    ctl.ask_report_path = answer
    yield js("document.getElementById('lp-export').click()")
    report = yield until(lambda: asked and (OUT / asked[0]).exists() and OUT / asked[0], "report")
    note("report", name=asked[0], size=report.stat().st_size)
    del ctl.ask_report_path

    # Opening in a new session shows the last figures at once (from the add-on's
    # user_files), before the first refresh can have answered.
    headline_now = yield text_of("lp-headline")
    cache_path = ctl.figure_cache().path
    shell._close_panel()  # what closing the profile does
    shell.open_panel(_mw)
    ctl = shell._state["controller"]
    first = yield js_until("window.lpFirstHeadline", "page with cached figures")
    yield js_until("Number(document.body.dataset.lpRendered) > 0", "fresh figures")
    updating = yield js("document.body.dataset.lpUpdating")
    ticked = yield js(
        "[...document.querySelectorAll('[data-lp-lesson]')]"
        ".filter(b => b.checked).map(b => b.dataset.lpLesson)"
    )
    note(
        "cached-open",
        first=first,
        headline=headline_now,
        cache_exists=cache_path.exists(),
        updating_after=updating,
        ticked=ticked,
    )

    # The panel as a learner sees it: the top (headline, tiles, chart), the course
    # table, and a course view with its lessons and re-allocation history.
    ctl.window.resize(900, 1000)
    yield sleep(600)
    yield from panel_shot("panel-light.png", ctl)
    yield js("document.getElementById('lp-table').scrollIntoView({block: 'start'})")
    yield sleep(300)
    yield from panel_shot("panel-light-table.png", ctl)
    yield js(f"lpOpenCourse({json.dumps(course_id)})")
    yield sleep(300)
    shot("panel-light-course.png", ctl.window)

    # Night mode: Anki's theme switch reaches the panel's webview.
    yield js("window.scrollTo(0, 0)")
    _mw.set_theme(Theme.DARK)
    night = yield js_until(
        "document.documentElement.classList.contains('night-mode') && 1", "night mode"
    )
    yield sleep(800)
    yield from panel_shot("panel-night.png", ctl)
    yield js("document.getElementById('lp-table').scrollIntoView({block: 'start'})")
    yield sleep(300)
    yield from panel_shot("panel-night-table.png", ctl)
    yield js("window.scrollTo(0, 0)")
    note("night", night=bool(night))
    _mw.set_theme(Theme.LIGHT)

    # "Dock beside Anki": the same panel moves into a dock on the main window.
    _mw.resize(1400, 950)  # a realistic main window for the docked screenshot
    ctl.dock_box.click()
    yield until(lambda: ctl.dock is not None and ctl.dock.isVisible(), "docked")
    yield sleep(800)
    yield from panel_shot("panel-docked.png", ctl, whole_screen=True)
    config = _mw.addonManager.getConfig(PACKAGE) or {}
    note("docked", window_visible=ctl.window.isVisible(), config_dock=config.get("dock"))
    ctl.dock_box.click()
    yield until(lambda: ctl.window.isVisible() and not ctl.dock.isVisible(), "undocked")

    # Close the window, then reopen it from the deck browser's link.
    ctl.window.close()
    yield until(lambda: not ctl.window.isVisible(), "closed")
    _mw.deckBrowser.refresh()
    found = yield js_deck("!!document.querySelector('a[onclick*=\"learnplan:open\"]')")
    yield js_deck("document.querySelector('a[onclick*=\"learnplan:open\"]').click(), true")
    yield until(lambda: ctl.window.isVisible(), "reopened from the deck browser")
    note("deck-link", found=found, reopened=ctl.window.isVisible())

    # Tools › Learning Plan › Import outline… (the file dialog's answer given directly):
    # a plan whose titles are all markup must show as text, and become the current plan.
    importing = importlib.import_module(PACKAGE + ".importing")
    before = yield rendered()
    importing.run_import(_mw, os.environ["LEARNPLAN_TEST_OUTLINE"])
    yield js_until(
        f"Number(document.body.dataset.lpRendered) > {before} && "
        "document.getElementById('lp-title').textContent.startsWith('Plan <b>')",
        "imported plan shown",
        timeout=60,
    )
    title = yield text_of("lp-title")
    course = yield js("document.querySelector('.lp-course-title').textContent")
    lesson = yield js("document.querySelector('[data-lp-lesson]').parentElement.textContent")
    # Elements the titles would create if they were treated as markup.
    injected = yield js(
        "document.querySelectorAll('#lp-root img, #lp-root script').length + "
        "[...document.querySelectorAll('#lp-root b, #lp-root i')]"
        ".filter(e => e.textContent === 'bold' || e.textContent === 'x').length"
    )
    decks = [d.name for d in _mw.col.decks.all_names_and_ids()]
    note(
        "outline-imported",
        title=title,
        course=course,
        lesson=" ".join(str(lesson).split()),
        injected=injected,
        decks=decks,
        undo=_mw.form.actionUndo.text(),
    )
    shot("panel-hostile.png")

    # Switch back to the default plan from the plans line.
    before = yield rendered()
    yield js("document.querySelector('.lp-plans a').click()")
    yield js_until(
        f"Number(document.body.dataset.lpRendered) > {before} && "
        "document.getElementById('lp-title').textContent === 'Zero to Deep Learning' && "
        "document.body.dataset.lpUpdating === '0'",
        "switched back",
    )
    note("switched", undo=_mw.form.actionUndo.text())

    # Answer a card in Anki's reviewer: the panel follows (operation_did_execute reports
    # the answered card) and its course table no longer counts the card as new.
    table = yield text_of("lp-table")
    new_cards = _mw.col.find_cards(f"({search}) is:new")
    _mw.col.decks.select(_mw.col.get_card(new_cards[0]).did)
    _mw.moveToState("review")
    yield until(
        lambda: _mw.reviewer.card is not None and _mw.reviewer.state == "question",
        "a card to review",
    )
    card = _mw.reviewer.card
    assert card is not None
    reviewed, was_new = card.id, card.type == CARD_TYPE_NEW
    _mw.reviewer._showAnswer()
    before = yield rendered()
    _mw.reviewer._answerCard(3)  # Good
    yield js_until(
        f"Number(document.body.dataset.lpRendered) > {before} && "
        f"document.getElementById('lp-table').textContent !== {json.dumps(table)}",
        "the answer shown in the panel",
    )
    note("answered", was_new=was_new, now_new=_mw.col.get_card(reviewed).type == CARD_TYPE_NEW)
    _mw.moveToState("deckBrowser")
    yield until(lambda: _mw.state == "deckBrowser", "back to the deck browser")

    # Profiles › Switch Profile with the panel open, and another profile opened from
    # Anki's profile window: the panel goes with its profile (no window left open, which
    # Anki would warn about), and the other profile's panel shows its own collection.
    _mw.pm.create("User 2")
    _mw.unloadProfileAndShowProfileManager()
    yield until(
        lambda: (
            _mw.col is None
            and getattr(_mw, "profileDiag", None) is not None
            and _mw.profileDiag.isVisible()
        ),
        "the profile window",
    )
    released = shell._state["controller"] is None
    left_open = [
        type(w).__name__
        for w in _mw.app.topLevelWidgets()
        if w.isVisible() and type(w).__name__ == "_PanelWindow"
    ]
    _mw.profileForm.profiles.setCurrentRow(_mw.pm.profiles().index("User 2"))
    _mw.onOpenProfile()
    yield until(
        lambda: _mw.col is not None and _mw.pm.name == "User 2" and _mw.state == "deckBrowser",
        "the other profile",
        timeout=60,
    )
    shell.open_panel(_mw)
    yield js_until("Number(document.body.dataset.lpRendered) > 0", "the other profile's panel")
    first = yield js("window.lpFirstHeadline")
    text = yield js("document.getElementById('lp-root').textContent")
    note(
        "profile-switched",
        released=released,
        left_open=left_open,
        profile=_mw.pm.name,
        first=first,
        text=" ".join(str(text).split()),
    )


def showcase() -> Generator[Request, Any, None]:
    """Screenshots of a plan five weeks in (seeded by harness.seed_showcase), light and
    night: the top of the panel and the course table."""
    yield until(lambda: _mw.col is not None and _mw.state == "deckBrowser", "deck browser")
    shell.open_panel(_mw)
    ctl = shell._state["controller"]
    ctl.window.move(0, 0)
    ctl.window.resize(900, 1000)
    yield js_until("Number(document.body.dataset.lpRendered) > 0", "panel rendered")
    page = yield js("document.getElementById('lp-root').textContent.slice(0, 300)")
    note("rendered", text=" ".join(str(page).split()))
    headline = yield text_of("lp-headline")
    knowledge = yield js("document.querySelector('#lp-table thead').textContent")
    row = yield js(
        "[...document.getElementById('lp-browse-fastai-p1').closest('tr').cells]"
        ".map(c => c.textContent.trim())"
    )
    note("showcase", headline=headline, header=knowledge, row=row)
    for theme, name in ((Theme.LIGHT, "light"), (Theme.DARK, "night")):
        _mw.set_theme(theme)
        yield sleep(800)
        yield js("window.scrollTo(0, 0)")
        yield sleep(300)
        yield from panel_shot(f"showcase-{name}.png", ctl)
        yield js("document.getElementById('lp-table').scrollIntoView({block: 'start'})")
        yield sleep(300)
        yield from panel_shot(f"showcase-{name}-table.png", ctl)
    _mw.set_theme(Theme.LIGHT)


def file_import() -> Generator[Request, Any, None]:
    """File › Import of a learnplan .apkg into a collection without the plan, the
    add-on's offer answered Yes, then Import outline… and Update from outline… after the
    learner marked, flagged and edited."""
    from anki.notes import NoteId
    from aqt.import_export.import_dialog import ImportDialog
    from aqt.import_export.importing import import_file
    from aqt.operations.card import set_card_flag
    from aqt.operations.tag import add_tags_to_notes
    from aqt.qt import QMessageBox

    yield until(lambda: _mw.col is not None and _mw.state == "deckBrowser", "deck browser")
    note("empty", notes=_mw.col.note_count(), panel=shell._state["controller"] is not None)

    # File › Import with the file dialog's answer given: Anki's own import page opens.
    import_file(_mw, os.environ["LEARNPLAN_TEST_APKG"])
    dialog = yield until(
        lambda: next(
            (w for w in _mw.app.topLevelWidgets() if isinstance(w, ImportDialog) and w.isVisible()),
            None,
        ),
        "Anki's import dialog",
    )
    buttons = yield web_until(
        lambda: dialog.web,
        "[...document.querySelectorAll('button')].map(b => b.textContent.trim())"
        ".filter(t => t === 'Import').length && "
        "[...document.querySelectorAll('button')].map(b => b.textContent.trim())",
        "the import page's Import button",
    )
    # The page's own button: it calls the backend's import through mediasrv, whose
    # op-changes hook is what tells add-ons (and detect.py) that an import happened.
    yield web_until(
        lambda: dialog.web,
        "[...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Import')"
        ".click() || 1",
        "click Import",
    )
    box = yield until(
        lambda: next(
            (
                w
                for w in _mw.app.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible() and "learning plan" in w.text()
            ),
            None,
        ),
        "the add-on's offer",
        timeout=60,
    )
    imported_notes = _mw.col.note_count()
    note(
        "offer-asked",
        text=box.text(),
        title=box.windowTitle(),
        buttons=buttons,
        notes=imported_notes,
    )
    shot("file-import-offer.png")
    yes = box.button(QMessageBox.StandardButton.Yes)
    # askUser runs its own event loop; answer from a fresh event, as a click would.
    QTimer.singleShot(0, yes.click)
    yield until(
        lambda: (
            shell._state["controller"] is not None
            and shell._state["controller"].visible()
            and shell._state["controller"]
        ),
        "panel opened by Yes",
    )
    offer = yield js_until("(document.querySelector('.lp-offer') || {}).textContent", "plan offer")
    before = yield rendered()
    yield js("document.querySelector('.lp-offer button').click()")
    yield js_until(
        f"Number(document.body.dataset.lpRendered) > {before} && "
        "document.getElementById('lp-headline') && 1",
        "adopted plan rendered",
    )
    headline = yield text_of("lp-headline")
    title = yield text_of("lp-title")
    note(
        "file-adopted",
        offer=" ".join(str(offer).split()),
        headline=headline,
        title=title,
        undo=_mw.form.actionUndo.text(),
    )
    if dialog.isVisible():
        dialog.reject()  # the import log's window, closed as the learner would

    # Tools › Learning Plan › Import outline… (file dialog answered): a small plan.
    importing = importlib.import_module(PACKAGE + ".importing")
    # The add-on's own copy: importing "learnplan" here would load the venv's.
    note_guid = importlib.import_module(f"{PACKAGE}._vendor.learnplan.base.ids").note_guid

    outline = Path(os.environ["LEARNPLAN_TEST_OUTLINE"])
    finished: list[str] = []

    def menu_after(tag: str) -> Callable[[], None]:
        def after() -> None:
            shell.open_panel(_mw)  # what the menu's import passes
            finished.append(tag)

        return after

    importing.run_import(_mw, str(outline), after=menu_after("import"))
    yield until(lambda: "import" in finished, "outline imported", timeout=60)

    def nid(key: str) -> NoteId:  # 0 if no note has the card's GUID
        db = _mw.col.db
        assert db is not None
        guid = note_guid("small", "c1", key)
        return NoteId(int(db.scalar("select id from notes where guid = ?", guid) or 0))

    keys = ("sum22", "capital", "sky")
    nids = {key: nid(key) for key in keys}
    capital_cid = _mw.col.get_note(nids["capital"]).card_ids()[0]
    # What the Browser's Toggle Mark and Flag › Red do.
    add_tags_to_notes(parent=_mw, note_ids=[nids["sum22"]], space_separated_tags="marked").success(
        lambda _: finished.append("marked")
    ).run_in_background()
    yield until(lambda: "marked" in finished, "note marked")
    set_card_flag(parent=_mw, card_ids=[capital_cid], flag=1).success(
        lambda _: finished.append("flagged")
    ).run_in_background()
    yield until(lambda: "flagged" in finished, "card flagged")
    note(
        "outline-before-update",
        nids=nids,
        capital_cid=capital_cid,
        capital_deck=_mw.col.decks.name(_mw.col.get_card(capital_cid).did),
    )

    # The learner edits the outline, then Update from outline… with the same file.
    outline.write_text(
        Path(os.environ["LEARNPLAN_TEST_OUTLINE_EDITED"]).read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    importing.run_import(_mw, str(outline), after=menu_after("update"))
    yield until(lambda: "update" in finished, "outline updated", timeout=60)
    col = _mw.col
    card = col.get_card(capital_cid)
    sky = col.get_note(nid("sky"))
    note(
        "outline-updated",
        nids={key: nid(key) for key in keys},
        sum22_tags=col.get_note(nid("sum22")).tags,
        capital_flag=card.user_flag(),
        capital_deck=col.decks.name(card.did),
        sky_back=sky["Back"],
        undo=_mw.form.actionUndo.text(),
    )


def run(gen: Generator[Request, Any, None]) -> None:
    def advance(value: Any) -> None:
        try:
            request = gen.throw(value) if isinstance(value, Exception) else gen.send(value)
        except StopIteration:
            finish(None)
            return
        except Exception:
            finish(traceback.format_exc())
            return
        request(advance)

    advance(None)


def finish(error: str | None) -> None:
    results["error"] = error
    results["done"] = error is None
    # After the scenario used the panel and the library: what did add-ons change?
    now = {name.partition(".")[0] for name in sys.modules}
    note(
        "isolation",
        package=PACKAGE,
        sys_path_before=BEFORE_ADDONS["sys_path"],
        sys_path=list(sys.path),
        top_level_added=sorted(now - set(BEFORE_ADDONS["top_level"])),
    )
    note("finish")
    # Close as the learner would; Anki saves and exits with status 0.
    QTimer.singleShot(200, _mw.close)


SCENARIOS = {"showcase": showcase, "file-import": file_import}
run(SCENARIOS.get(os.environ.get("LEARNPLAN_TEST_SCENARIO", ""), scenario)())
