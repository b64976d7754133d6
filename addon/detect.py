"""After File › Import: notice a learnplan deck's plan and offer to follow it.

Runs only after an operation that changed note types and notes (what an import does),
scans the media folder for plan manifests in the background, and asks once per plan per
session. Loaded lazily by shell.py, so it may import the library.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aqt.operations import CollectionOp, QueryOp
from aqt.utils import askUser, showWarning

from learnplan.building.manifest import find_manifests
from learnplan.collection.manifests import remove_stale_manifests

from . import store

if TYPE_CHECKING:
    from anki.collection import Collection, OpChanges
    from aqt.main import AnkiQt

_asked: set[str] = set()  # manifest names offered this session


def unadopted_plans(col: Collection) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(manifest name, plan title) for plans in the media folder not yet followed, and
    (file name, what is wrong) for each manifest file that could not be read."""
    # Never raises for a damaged record: reads report it as a problem (the panel shows it).
    adopted = set(store.read_adopted(col).plan_ids)
    scan = find_manifests(Path(col.media.dir()))
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for manifest in scan.manifests:
        plan = manifest.plan
        if plan.id in adopted or plan.id in seen:
            continue
        seen.add(plan.id)
        out.append((Path(manifest.name).name, plan.title))
    return out, scan.bad_files()


def offer_new_plans(mw: AnkiQt, open_panel: Callable[[], None]) -> None:
    def found(result: tuple[list[tuple[str, str]], list[tuple[str, str]]]) -> None:
        plans, bad = result
        # A broken or hostile manifest (from a shared deck) is named once per session and
        # skipped; it never stops the other plans from being offered.
        bad = [(name, text) for name, text in bad if name not in _asked]
        _asked.update(name for name, _ in bad)
        if bad:
            showWarning(
                "A learning plan in this collection could not be read, so it was skipped "
                "(your own plans are not affected):\n\n"
                + "\n".join(text for _, text in bad)
                + "\n\nIt came with a shared deck. To stop this message, delete the file "
                "from the collection's media folder.",
                parent=mw,
                title="Learning Plan",
            )
        fresh = [(name, title) for name, title in plans if name not in _asked]
        if not fresh:
            return
        _asked.update(name for name, _ in fresh)
        titles = ", ".join(f"“{title}”" for _, title in fresh)
        if askUser(
            f"The deck you imported comes with the learning plan {titles}.\n\n"
            "Open the Learning Plan panel to follow it?",
            parent=mw,
            title="Learning Plan",
        ):
            open_panel()

    QueryOp(parent=mw, op=unadopted_plans, success=found).run_in_background()


#: The undo step of the tidying after a File › Import (only when something moved).
TIDY_UNDO_NAME = "Tidy Learning Plan Decks"


def tidy_after_import(col: Collection) -> OpChanges:
    """After an import: for each plan with an older manifest beside the newest, its cards
    left in decks an earlier build made (File › Import never moves a card, and makes a
    new deck for a renamed or renumbered one) move to the decks the newest build names,
    and emptied decks go — one undo step, only when something moved. Then the older
    manifests nothing needs are trashed. The library decides what moves and what goes:
    :mod:`learnplan.collection.decks`, :mod:`learnplan.collection.manifests`."""
    from anki.collection import OpChanges

    from learnplan.collection.decks import needs_tidying, tidy_after_import

    newest: dict[str, Any] = {}
    versions: dict[str, int] = {}
    for manifest in find_manifests(Path(col.media.dir())).manifests:  # newest first
        newest.setdefault(manifest.plan.id, manifest.plan)
        versions[manifest.plan.id] = versions.get(manifest.plan.id, 0) + 1
    untidy = [plan for pid, plan in newest.items() if versions[pid] > 1]
    untidy = [plan for plan in untidy if needs_tidying(col, plan)]
    changes = OpChanges()
    if untidy:
        step = col.add_custom_undo_entry(TIDY_UNDO_NAME)
        for plan in untidy:
            tidy_after_import(col, plan, undo=step)
        changes = col.merge_undo_entries(step)
    remove_stale_manifests(col)
    return changes


def tidy_manifests(mw: AnkiQt, then: Callable[[], None]) -> None:
    """Run :func:`tidy_after_import` in the background, then ``then`` (which may look at
    the manifests that are left)."""
    # Tidying is housekeeping: if it fails, things stay as they are and the offer comes.
    CollectionOp(parent=mw, op=tidy_after_import).success(lambda _: then()).failure(
        lambda _: then()
    ).run_in_background()
