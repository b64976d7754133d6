"""Edit > Undo and Redo for changes kept as record files.

A change in the panel is one named undo step (:func:`step`): Anki's undo restores its
collection changes (the deck summary), but not the record file it added — media files
are outside Anki's undo. So the add-on keeps a journal for the session: which entries
each of its steps wrote. When Anki undoes one of those steps (``state_did_undo`` gives
the step's number), the journal writes a ``retract`` entry taking them back; when Anki
redoes it, the journal writes the same changes again as new entries. Both are entries
like any other, so an undo on this device reaches the others through sync too. Those
writes run as ``CollectionOp``s, queued after Anki's own undo or redo.

Redo has no hook of its own. Each step also sets a small marker in the collection config
(``learnplan.undo``: a random token per step, undoable with the step), so after any
operation the journal can tell that the last step it saw undone is back in force. The
marker is only ever compared with tokens of this session (and forgotten when a sync
starts, which also ends Anki's undo history), so a config replaced by a sync never looks
like a redo. No Qt here except in :func:`install`.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from learnplan.collection import recordstore
from learnplan.progress.entries import Entry, copy_entry, retract

if TYPE_CHECKING:
    from anki.collection import Collection, OpChanges, OpChangesAfterUndo

MARKER_KEY = "learnplan.undo"


@dataclass(frozen=True)
class Step:
    name: str
    counter: int  # Anki's number for the undo entry now holding the change
    token: str
    entries: tuple[Entry, ...]


class Journal:
    """This session's undoable steps that wrote entries (a stack, like Anki's)."""

    def __init__(self) -> None:
        self._applied: list[Step] = []
        self._undone: list[Step] = []
        self._lock = threading.Lock()

    def record(self, step: Step) -> None:
        with self._lock:
            self._undone.clear()  # a new step ends Anki's redo history
            self._applied.append(step)

    def after_undo(self, col: Collection, out: OpChangesAfterUndo) -> bool:
        """Anki undid an entry (``out`` is what ``col.undo()`` returned, as the
        ``state_did_undo`` hook passes it): take back that step's entries, if it is ours."""
        counter, redo_counter = int(out.counter), int(out.new_status.last_step)
        marker = col.get_config(MARKER_KEY, None)
        with self._lock:
            found = next((s for s in self._applied if s.counter == counter), None)
            if found is None and self._applied:
                # Anki's number for a redone step is read after the fact; should it have
                # been missed, the marker still tells: our last step, named as the undone
                # one, is no longer the one in force.
                top = self._applied[-1]
                if top.name == out.operation and marker != top.token:
                    found = top
            if found is None:
                return False
            self._applied.remove(found)
            self._undone.append(replace(found, counter=redo_counter))
        if found.entries:
            recordstore.write(col, [retract([e.id for e in found.entries])])
        return True

    def after_operation(self, col: Collection) -> bool:
        """After any operation: if it was Edit > Redo of one of our undone steps, write
        that step's entries again (as new entries)."""
        with self._lock:
            if not self._undone:
                return False
        marker = col.get_config(MARKER_KEY, None)
        status = col.undo_status()
        with self._lock:
            # Tokens are unique: only a redo brings an undone step's token back.
            redone = next((s for s in self._undone if s.token == marker), None)
            if redone is None:
                if not status.redo:
                    self._undone.clear()  # nothing can be redone any more
                return False
            self._undone.remove(redone)
        again = tuple(copy_entry(e) for e in redone.entries)
        if again:
            recordstore.write(col, again)
        with self._lock:
            self._applied.append(replace(redone, counter=status.last_step, entries=again))
        return True

    def waiting(self) -> bool:
        """Whether an undone step could still be redone (so operations are worth a look)."""
        with self._lock:
            return bool(self._undone)

    def clear(self) -> None:
        with self._lock:
            self._applied.clear()
            self._undone.clear()

    def steps(self) -> tuple[tuple[Step, ...], tuple[Step, ...]]:
        """(applied, undone), oldest first (for tests)."""
        with self._lock:
            return tuple(self._applied), tuple(self._undone)


JOURNAL = Journal()


def step(
    col: Collection, action: str, body: Callable[[], object], *, journal: Journal = JOURNAL
) -> OpChanges:
    """Run ``body`` as one undo step named ``action``; its entries go into the journal."""
    token = secrets.token_hex(8)
    counter = col.add_custom_undo_entry(action)
    try:
        with recordstore.capture() as written:
            body()
    finally:
        # Even after a failure part-way, what was written can still be undone.
        col.set_config(MARKER_KEY, token, undoable=True)
        changes = col.merge_undo_entries(counter)
        journal.record(Step(action, counter, token, tuple(written)))
    return changes


_installed: dict[str, Any] = {}
#: Called (on the main thread) after the journal wrote entries for an undo or a redo.
listeners: list[Callable[[], None]] = []


def install() -> None:
    """Connect the journal to Anki's undo, operations, sync and profile hooks (once).

    The journal's own writes run as ``CollectionOp``s (off the main thread, one after the
    other with Anki's), then tell :data:`listeners`, so an open panel shows the result.
    """
    if _installed:
        return
    from anki.collection import OpChanges
    from aqt import gui_hooks, mw
    from aqt.operations import CollectionOp

    def run(work: Callable[[Collection], bool]) -> None:
        if mw is None or mw.col is None:
            return

        def op(col: Collection) -> OpChanges:
            work(col)
            return OpChanges()  # media only: nothing for Anki's screens to redraw

        def done(_: OpChanges) -> None:
            for listener in list(listeners):
                listener()

        CollectionOp(mw, op).success(done).run_in_background(initiator=JOURNAL)

    def undone(out: OpChangesAfterUndo) -> None:
        run(lambda col: JOURNAL.after_undo(col, out))

    def operated(changes: OpChanges, handler: object | None) -> None:
        if handler is not JOURNAL and JOURNAL.waiting():
            run(JOURNAL.after_operation)

    gui_hooks.state_did_undo.append(undone)
    gui_hooks.operation_did_execute.append(operated)
    gui_hooks.sync_will_start.append(JOURNAL.clear)
    gui_hooks.profile_will_close.append(JOURNAL.clear)
    _installed.update(undone=undone, operated=operated)
