"""Keeping the records tidy after a sync, or when the panel finds work to do.

Old config records that a sync brought back are moved into a record file again (nothing
is duplicated: see ``learnplan.progress.migration.migrate_config``), and a plan's deck summary that
no longer fits the records (other devices' entries arrived, or a phone's version of the
deck replaced the description) is written again. Reads in a ``QueryOp``, the write in a
``CollectionOp``; nothing is written when nothing is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aqt.operations import CollectionOp, QueryOp

from . import store

if TYPE_CHECKING:
    from aqt.main import AnkiQt
    from aqt.qt import QWidget


def run(
    mw: AnkiQt,
    *,
    parent: QWidget | None = None,
    initiator: object | None = None,
    after: Callable[[], None] | None = None,
) -> None:
    """Do the upkeep now (the caller knows it is needed)."""

    def done(_: Any) -> None:
        if after is not None:
            after()

    CollectionOp(parent or mw, store.upkeep).success(done).run_in_background(initiator=initiator)


def after_sync(mw: AnkiQt) -> None:
    """Check, off the main thread, and do the upkeep only if it is needed."""
    if mw.col is None:
        return

    def checked(need: bool) -> None:
        if need and mw.col is not None:
            run(mw)

    QueryOp(parent=mw, op=store.upkeep_needed, success=checked).run_in_background()
