"""Record files that arrive with an imported deck are set aside, not applied.

Anki's importer copies every ``_`` media file of a package into the collection, so a deck
someone shared can carry ``_learnplan-rec-*`` files, which would otherwise count as the
learner's own progress (a tick, a forgotten plan). Record files reach this computer by
three routes only: this add-on writes them, a sync brings them from the learner's other
devices, or an import copies them out of a package. So the add-on remembers which record
files are in the media folder when the profile opens and after every sync; a file that
is new after an import, written by neither, came with the package: it is set aside
(one undo step) and the panel offers to apply it. An import while a media sync is
running is not judged (the two cannot be told apart then).

What this cannot see: a deck imported on a phone, whose record files then sync here.
README ("Syncing between devices") says so.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from anki.collection import Collection, OpChanges
    from aqt.main import AnkiQt

UNDO_NAME = "Set Aside Imported Records"

#: The start of every record file's name (learnplan.progress.entries.FILE_PREFIX; a test
#: keeps them equal): remembering runs when a profile opens, before the library loads.
PREFIX = "_learnplan-rec-"

#: media folder -> the record files known to have come from a trusted route
_known: dict[str, frozenset[str]] = {}


def remember(col: Collection) -> None:
    """Take the record files now in the media folder as the learner's own (cheap: a
    listing of the folder, no library)."""
    folder = col.media.dir()
    try:
        with os.scandir(folder) as found:
            _known[folder] = frozenset(e.name for e in found if e.name.startswith(PREFIX))
    except OSError:
        _known.pop(folder, None)


def arrived_with_import(col: Collection) -> list[str]:
    """The record files that came with the import that just ran (none when the add-on
    has no earlier look at this media folder to compare with)."""
    from learnplan.collection import recordstore

    known = _known.get(col.media.dir())
    return [] if known is None else recordstore.arrived_since(col, known)


def set_aside(col: Collection, names: list[str]) -> OpChanges:
    """Set the files aside as one named undo step, and count them as seen."""
    from learnplan.collection import recordstore

    from . import undo

    changes = undo.step(col, UNDO_NAME, lambda: recordstore.set_aside(col, names))
    remember(col)
    return changes


def after_import(mw: AnkiQt) -> None:
    """Check an import that just finished (called on the main thread)."""
    col = mw.col
    if col is None:
        return
    syncer = getattr(mw, "media_syncer", None)
    if syncer is not None and syncer.is_syncing():
        return
    names = arrived_with_import(col)
    if not names:
        remember(col)
        return
    from aqt.operations import CollectionOp
    from aqt.utils import tooltip

    from . import undo

    undo.install()

    def done(_: object) -> None:
        tooltip(
            f"The deck you imported carried {len(names)} Learning Plan progress record"
            f"{'s' if len(names) != 1 else ''}. They were set aside and change nothing; "
            "the Learning Plan panel shows them if you want to apply them.",
            period=8000,
        )

    CollectionOp(mw, lambda c: set_aside(c, names)).success(done).run_in_background()
