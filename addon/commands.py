"""What the panel's page asks for: tick a lesson, log study or a cost, re-allocate, trim,
browse, export the report, switch or adopt a plan, deal with a damaged record.

Each command arrives from the page as ``pycmd("lp:" + JSON)`` (see ``page.py``); the
panel's controller passes it here. Writes go through the controller's ``CollectionOp``
(one named undo step each), reads through ``QueryOp``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import aqt
from aqt.operations import QueryOp
from aqt.utils import askUser, getSaveFile, tooltip

from learnplan.base.atomic import replace_file
from learnplan.collection.studyday import study_today
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

from . import forms, store
from .loader import build_report, report_name
from .markup import esc

if TYPE_CHECKING:
    from anki.collection import Collection, OpChanges
    from aqt.main import AnkiQt
    from aqt.qt import QWidget
    from aqt.webview import AnkiWebView

    from .cache import FigureCache
    from .loader import Loaded


def fresh_question(key: str) -> str:
    """What the panel asks before its fix for the problem ``key`` (``store.start_fresh``),
    chosen by the record's kind, as that fix is."""
    kind, _, name = key.partition(":")
    if kind == "file":
        return (
            f"Hide the unreadable record '{key}'?\n\nThe file stays in the collection's "
            "media folder, unchanged; the panel stops reporting it."
        )
    if kind == "plan":
        return (
            f"Stop following this plan ({key})?\n\nIts progress stays recorded: adopting "
            "the plan again shows it."
        )
    if kind == "aside":
        return (
            f"Apply the record file '{name}' that came with an imported deck?\n\nIts "
            "entries then count as your own progress. Apply it only if these records are "
            "yours."
        )
    return (
        f"Remove the unreadable record '{key}' and start fresh?\n\nExport it first if you "
        "may want it back. (Edit › Undo can still restore it until Anki closes.)"
    )


class PanelController(Protocol):
    """What the commands need of the panel (addon/panel.py), which owns them: the panel
    imports this module, so this module names the panel's side by its shape only."""

    mw: AnkiQt
    body: QWidget
    web: AnkiWebView
    loaded: Loaded | None

    def write(self, action: str, op: Callable[[Collection], OpChanges]) -> None: ...
    def ask_report_path(self, name: str) -> str | None: ...
    def figure_cache(self) -> FigureCache | None: ...
    def show(self) -> None: ...


class PanelCommands:
    """The page's commands (``cmd_<name>``), acting on the plan the panel shows."""

    def __init__(self, controller: PanelController) -> None:
        self.controller = controller

    def change_log(
        self, plan_id: str, action: str, change: Callable[[ProgressLog], ProgressLog]
    ) -> None:
        """One undoable change to the plan's progress log, named for Edit > Undo."""
        self.controller.write(action, lambda col: store.update_log(col, plan_id, change, action))

    def current(self) -> tuple[Plan, ProgressLog, dt.date] | None:
        """The plan shown, its log and Anki's study day, once the panel has loaded them."""
        loaded = self.controller.loaded
        if loaded is None or loaded.plan is None or loaded.log is None:
            return None
        return loaded.plan, loaded.log, loaded.today

    def cmd_tick(self, args: dict[str, Any]) -> None:
        current = self.current()
        if current is None:
            return
        plan, log, today = current
        course, lesson = str(args.get("course")), str(args.get("lesson"))
        if any(d.course == course and d.lesson == lesson for d in log.lessons_done):
            self.change_log(
                plan.id, "Unmark Lesson Done", lambda lg: unmark_lesson_done(lg, course, lesson)
            )
        else:
            self.change_log(
                plan.id, "Mark Lesson Done", lambda lg: mark_lesson_done(lg, course, lesson, today)
            )

    def add_entry(
        self, action: str, make: Callable[[dt.date], Callable[[ProgressLog], ProgressLog]]
    ) -> None:
        """Logs the entry ``make(today)`` reads from the panel's form; a ValueError it
        raises (a bad number or date) is shown and nothing is logged."""
        current = self.current()
        if current is None:
            return
        plan, _, today = current
        try:
            change = make(today)
        except ValueError as exc:
            tooltip(esc(exc))
            return
        self.change_log(plan.id, action, change)

    def cmd_session(self, args: dict[str, Any]) -> None:
        def make(today: dt.date) -> Callable[[ProgressLog], ProgressLog]:
            hours = forms.positive_number(args.get("hours"), "Hours")
            session = Session(
                date=forms.study_date(args.get("date"), today),
                course=str(args.get("course")),
                hours=hours,
                note=str(args.get("note") or "").strip(),
            )
            return lambda lg: add_session(lg, session)

        self.add_entry("Log Study Session", make)

    def cmd_cost(self, args: dict[str, Any]) -> None:
        def make(today: dt.date) -> Callable[[ProgressLog], ProgressLog]:
            amount = forms.positive_number(args.get("amount"), "Amount")
            cost = CostPaid(
                date=forms.study_date(args.get("date"), today),
                item=str(args.get("item")),
                amount=amount,
            )
            return lambda lg: add_cost(lg, cost)

        self.add_entry("Log Cost", make)

    def cmd_realloc(self, args: dict[str, Any]) -> None:
        ctl = self.controller
        current = self.current()
        loaded = ctl.loaded
        if current is None or loaded is None or loaded.figures is None:
            return
        plan, _, today = current
        course = str(args.get("course"))
        row = next((c for c in loaded.figures.snapshot.courses if c.id == course), None)
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
            tooltip(esc(exc), period=5000)
            return
        self.change_log(plan.id, "Re-allocate Course", lambda lg: add_revision(lg, revision))

    def cmd_trim(self, args: dict[str, Any]) -> None:
        ctl = self.controller
        current = self.current()
        loaded = ctl.loaded
        if current is None or loaded is None or loaded.figures is None:
            return
        plan, _, today = current
        revisions = forms.trim_revisions(loaded.figures.snapshot, today)
        if not revisions:
            return

        def change(log: ProgressLog) -> ProgressLog:
            for revision in revisions:
                log = add_revision(log, revision)
            return log

        self.change_log(plan.id, "Apply Trim", change)

    def cmd_browse(self, args: dict[str, Any]) -> None:
        ctl = self.controller
        current = self.current()
        if current is None:
            return
        plan = current[0]
        course = str(args.get("course"))
        if plan.course(course) is None:
            return
        # tag: also matches the course's child tags; quoted so odd ids stay one term.
        aqt.dialogs.open("Browser", ctl.mw, search=(f'"tag:{plan.course_tag(course)}"',))

    def cmd_report(self, args: dict[str, Any]) -> None:
        ctl = self.controller
        current = self.current()
        if current is None:
            return
        plan, _, today = current
        path = ctl.ask_report_path(report_name(plan, today))
        if not path:
            return
        target = Path(path)

        def write(col: Collection) -> Path:
            _, text = build_report(col)
            return replace_file(target, text.encode("utf-8"))

        def saved(result: Path) -> None:
            tooltip(f"Progress report saved to {esc(result)}", period=6000)

        def failed(exc: Exception) -> None:
            tooltip(f"The report could not be saved: {esc(exc)}", period=8000)

        QueryOp(parent=ctl.body, op=write, success=saved).failure(failed).with_progress(
            "Writing the progress report…"
        ).run_in_background()

    def cmd_switch(self, args: dict[str, Any]) -> None:
        ctl = self.controller
        plan_id = str(args.get("plan"))
        cache = ctl.figure_cache()
        cached = cache.get(plan_id) if cache is not None else None
        if cached:
            ctl.web.eval(f"lpRender({json.dumps(cached)}); document.body.dataset.lpUpdating='1'")
        ctl.write("Switch Learning Plan", lambda col: store.set_current(col, plan_id))

    def cmd_adopt(self, args: dict[str, Any]) -> None:
        ctl = self.controller
        name = Path(str(args.get("key"))).name  # a file name in the media folder, no path
        from_today = args.get("start") == "today"

        def adopt(col: Collection) -> OpChanges:
            from learnplan.building.manifest import read_manifest

            plan = read_manifest(Path(col.media.dir()) / name).plan
            if from_today:
                # A shared plan carries its author's dates; most learners start now.
                plan = dataclasses.replace(plan, start=study_today(col))
            return store.adopt_plan(col, plan)

        ctl.write("Adopt Learning Plan", adopt)

    def cmd_export(self, args: dict[str, Any]) -> None:
        ctl = self.controller
        key = str(args.get("key"))
        path = getSaveFile(
            ctl.body,  # type: ignore[arg-type]
            "Export Learning Plan record",
            "learnplan_export",
            "JSON",
            ".json",
            fname=store.export_name(key),
        )
        if not path:
            return

        def saved(result: Path) -> None:
            tooltip(f"Saved to {esc(result)}")

        QueryOp(
            parent=ctl.body,
            op=lambda col: store.export_record(col, key, path),
            success=saved,
        ).run_in_background()

    def cmd_fresh(self, args: dict[str, Any]) -> None:
        ctl = self.controller
        key = str(args.get("key"))
        if not askUser(fresh_question(key), parent=ctl.body):
            return
        ctl.write("Start Fresh", lambda col: store.start_fresh(col, key))

    def cmd_keep_aside(self, args: dict[str, Any]) -> None:
        key = str(args.get("key"))
        self.controller.write("Keep Record Aside", lambda col: store.keep_aside(col, key))

    def cmd_import(self, args: dict[str, Any]) -> None:
        ctl = self.controller
        from .importing import choose_and_import_outline

        choose_and_import_outline(ctl.mw, update=False, after=ctl.show)
