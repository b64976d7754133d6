"""Tools › Learning Plan › Import outline… / Update from outline…

Reads a YAML plan with learnplan, builds it and imports it with learnplan's safe update
path (Anki's own importer, note types merged, the learner's edits and tags kept) and
adopts the plan so the panel follows it, in a ``CollectionOp`` — off the main thread,
with Anki's progress window, one undo step (:mod:`.undo`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aqt.operations import CollectionOp
from aqt.utils import getFile, showInfo, showWarning, tooltip

from . import settings
from .settings import addon_config, write_addon_config

if TYPE_CHECKING:
    from anki.collection import Collection, OpChanges
    from aqt.main import AnkiQt


@dataclass(frozen=True)
class ImportResult:
    summary: str
    plan_id: str
    path: str
    written_ids: tuple[str, ...]
    changes: OpChanges  # so Anki refreshes the deck list


def import_outline(col: Collection, path: str) -> ImportResult:
    """Load, build, import and adopt; raises PlanError before writing on bad input.

    Updating a plan the collection already follows keeps the day it is followed from."""
    from learnplan.collection.import_plan import Imported, import_and_adopt
    from learnplan.collection.update import UNDO_NAME
    from learnplan.reading.outline import load_plan
    from learnplan.reading.starts import learner_start

    from . import undo

    # The bundled plan's 2019 start is history: a first import starts on the coming Monday.
    plan = learner_start(load_plan(path, assign_ids=True), path)
    done: list[Imported] = []

    def body() -> None:
        done.append(import_and_adopt(col, plan, keep_start=True))

    # The update and the adoption are one step for Edit > Undo, named like the update.
    changes = undo.step(col, UNDO_NAME, body)
    imported = done[0]
    written: tuple[str, ...] = ()
    if any(getattr(card, "new_key", False) for c in plan.courses for card in c.cards):
        # New card ids go back into the learner's files only after the import worked,
        # so a failed import leaves their files untouched.
        from learnplan.reading.writeback import write_back_ids

        written = tuple(str(p) for p in write_back_ids(plan))
    return ImportResult(imported.report.summary(), imported.plan.id, path, written, changes)


def choose_and_import_outline(mw: AnkiQt, *, update: bool, after: Callable[[], None]) -> None:
    remembered: dict[str, str] = dict(addon_config(mw).get(settings.OUTLINES) or {})
    start_dir = ""
    if update and remembered:
        start_dir = str(Path(next(reversed(remembered.values()))).parent)

    def chosen(path: str) -> None:
        run_import(mw, path, after=after)

    getFile(
        mw,
        "Update from outline" if update else "Import outline",
        cb=chosen,  # type: ignore[arg-type]
        filter="Learning Plan outline (*.yaml *.yml)",
        dir=start_dir or None,
        # getFile takes a remembered-folder key or an explicit folder, not both.
        key=None if start_dir else "learnplan_outline",
    )


def run_import(mw: AnkiQt, path: str, *, after: Callable[[], None] | None = None) -> None:
    from learnplan.base.errors import PlanError

    from . import undo

    undo.install()

    def success(result: ImportResult) -> None:
        outlines = dict(addon_config(mw).get(settings.OUTLINES) or {})
        outlines[result.plan_id] = result.path
        write_addon_config(mw, {settings.OUTLINES: outlines})
        text = result.summary
        if result.written_ids:
            text += "\n\nNew card ids were written into:\n" + "\n".join(result.written_ids)
        tooltip(text.replace("\n", "<br>"), period=6000)
        if after is not None:
            after()

    def failure(exc: Exception) -> None:
        if isinstance(exc, PlanError):
            showWarning(f"The outline has problems; nothing was imported.\n\n{exc}")
        elif isinstance(exc, OSError):
            showWarning(f"Could not read the outline: {exc}")
        else:
            showInfo(f"Import failed; nothing was imported.\n\n{type(exc).__name__}: {exc}")

    def op(col: Collection) -> Any:
        # Any: CollectionOp's type bound wants a settable `changes`; ours is frozen.
        return import_outline(col, path)

    CollectionOp(mw, op).success(success).failure(failure).run_in_background()
