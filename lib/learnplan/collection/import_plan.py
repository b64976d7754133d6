"""Import a plan into a collection and follow it: what ``learnplan import --collection``
and the add-on's "Import outline…" / "Update from outline…" both do.

One rule lives here: updating a plan the collection already follows keeps the day the
learner follows it from (their "Start it today", or the first import's coming Monday for
the bundled plan), unless the caller names a start of the learner's own. Writing new card
ids back into the learner's files stays with the callers, after the import worked.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from learnplan.collection import recordstore
from learnplan.collection.update import update_collection
from learnplan.collection.update_report import UpdateReport
from learnplan.model.plan import Plan

if TYPE_CHECKING:
    from anki.collection import Collection

__all__ = ["Imported", "import_and_adopt"]


@dataclass(frozen=True)
class Imported:
    """What :func:`import_and_adopt` did: the plan as adopted (its start possibly the one
    the collection kept) and what the update did to the notes."""

    plan: Plan
    report: UpdateReport


def import_and_adopt(col: Collection, plan: Plan, *, keep_start: bool) -> Imported:
    """Import ``plan`` (the safe update: the learner's edits, tags and reviews kept) and
    make it the collection's current plan.

    With ``keep_start``, a plan the collection already follows keeps the start day it is
    followed from; pass False when the learner named the start themselves. A first import
    adopts ``plan`` as given. Raises :class:`learnplan.base.errors.PlanError` before
    anything is written if the plan cannot be built.
    """
    if keep_start:
        followed = recordstore.read(col).records.plan(plan.id)
        if followed is not None and followed.start != plan.start:
            plan = dataclasses.replace(plan, start=followed.start)
    report = update_collection(col, plan)
    recordstore.adopt(col, plan)
    return Imported(plan, report)
