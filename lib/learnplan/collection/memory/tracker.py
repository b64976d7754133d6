"""The memory tracker: a full read of a collection, then incremental refreshes.

:class:`MemoryTracker` keeps its tallies (:class:`~.ledger.Ledger`) between calls so that a
refresh after a few answers reads only the new revlog rows and the changed cards; anything
it cannot account for exactly (undo, deletions, a changed rollover hour) makes it start
over, so its results always equal a fresh full read. Its state can be saved
(:meth:`MemoryTracker.to_state`, see :mod:`.state`) and restored in the next session
(:meth:`MemoryTracker.from_state`), which makes the first refresh there incremental too.

A full read runs the revlog queries (most of its time, inside SQLite with the GIL
released) on a worker thread while this one parses the cards and sorts them into courses.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from itertools import repeat
from typing import TYPE_CHECKING, Any

from learnplan.collection.memory import reads, sql, state
from learnplan.collection.memory.knowledge import KNOWLEDGE_STEP
from learnplan.collection.memory.ledger import Ledger, Marks
from learnplan.collection.studyday import study_day_ending
from learnplan.model.plan import Plan
from learnplan.progress.recall import RETENTION_DAYS, CourseMemory

if TYPE_CHECKING:
    from anki.collection import Collection

#: New cards with review history (e.g. imported with scheduling), or cards of notes that
#: changed course, above this many make the tracker start over instead of reading their
#: revlog rows card by card.
BACKFILL_LIMIT = 2000


class _Reset(Exception):
    """Something changed that the incremental path cannot account for exactly."""


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building 100k-entry structures.

    None of them hold cycles, but every few hundred new objects trigger a collection, and
    the older generations' passes walk the whole heap (Anki's included): ~40% of the time
    of a full read or a restore.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _window_days(plan: Plan, today: int, cutoff: int) -> tuple[int, int]:
    """First and last study day number of the plan's window."""
    today_date = study_day_ending(cutoff)
    first = today - (today_date - plan.start).days
    last = today - (today_date - (plan.end - dt.timedelta(days=1))).days
    return first, last


class MemoryTracker:
    """Per-course memory numbers kept up to date cheaply between calls.

    The first :meth:`refresh` reads everything; later ones read only what changed. Results
    always equal ``course_memory(col, plan, now=...)`` for the same ``now`` step.
    """

    def __init__(self, plan: Plan, *, retention_days: int = RETENTION_DAYS) -> None:
        self.plan = plan
        self.retention_days = retention_days
        self._course_tags = {plan.course_tag(c.id).lower(): i for i, c in enumerate(plan.courses)}
        self._ledger = Ledger(len(plan.courses))
        self._marks: Marks | None = None  # None: nothing read (or restored) yet
        #: The moment (epoch seconds) of the last refresh's knowledge.
        self.knowledge_time: float = 0.0

    @property
    def _ready(self) -> bool:
        return self._marks is not None

    # -- public ------------------------------------------------------------------------

    def refresh(self, col: Collection, *, now: float | None = None) -> dict[str, CourseMemory]:
        """Every course's numbers now. ``now`` (epoch seconds, default the clock rounded
        down to :data:`~.knowledge.KNOWLEDGE_STEP`) only affects ``knowledge``."""
        with _no_gc():
            return self._refresh(col, now)

    def to_state(self) -> dict[str, Any]:
        """Everything a later :meth:`refresh` needs, as plain data (dicts, lists, str,
        int, float, bool: ``json`` or ``marshal`` can store it; ~6 MB for 100k cards).

        Hand it to :meth:`from_state` in the next session: the first refresh is then
        incremental instead of a full read. Empty before the first refresh.
        """
        if self._marks is None:
            return {}
        with _no_gc():
            return state.dump(self._ledger, self._marks, self._identity())

    @classmethod
    def from_state(
        cls, plan: Plan, saved: Any, *, retention_days: int = RETENTION_DAYS
    ) -> MemoryTracker:
        """A tracker continuing from :meth:`to_state`'s output.

        The state is checked on the first :meth:`refresh` like any incremental refresh:
        anything that changed in the collection since is read incrementally, and a state
        of another collection, or one the collection has moved away from (undo,
        deletions, a full sync, another rollover hour) makes that refresh a full read. A
        state of another plan or format, or a malformed one, gives a fresh tracker.
        """
        tracker = cls(plan, retention_days=retention_days)
        with _no_gc():
            restored = state.load(saved, tracker._identity(), len(plan.courses))
        if restored is not None:
            tracker._ledger, tracker._marks = restored
        return tracker

    def _identity(self) -> dict[str, Any]:
        return state.identity(self.plan, self.retention_days)

    def _refresh(self, col: Collection, now: float | None) -> dict[str, CourseMemory]:
        clock = time.time() if now is None else now
        self.knowledge_time = (
            math.floor(clock / KNOWLEDGE_STEP) * KNOWLEDGE_STEP if now is None else clock
        )
        today = int(col.sched.today)
        cutoff = int(col.sched.day_cutoff)
        fsrs = bool(col.get_config("fsrs", False))
        epoch = cutoff - 86_400 * today
        crt = int(col.crt)
        marks = self._marks
        if marks is None or (epoch, fsrs, crt) != (marks.epoch, marks.fsrs, marks.crt):
            self._full(col, crt, today, cutoff, fsrs)
        else:
            try:
                self._incremental(col, marks, today, cutoff)
            except _Reset:
                self._full(col, crt, today, cutoff, fsrs)
        return self._results()

    # -- full read ---------------------------------------------------------------------

    def _full(self, col: Collection, crt: int, today: int, cutoff: int, fsrs: bool) -> None:
        self._marks = None
        ledger = self._ledger = Ledger(len(self.plan.courses))
        retention_first = today - self.retention_days + 1
        # The cards' and notes' signatures come from the very rows read (so they match
        # them), the revlog's before its rows are grouped: a change made while we read
        # shows up on the next refresh.
        started = int(time.time())
        rev_last, rev_count = reads.revlog_sig(col)
        first_day, _ = _window_days(self.plan, today, cutoff)
        window = sql.Window(
            last_ms=cutoff * 1000 - 1,
            oldest=today - min(first_day, retention_first),
            retention_ago=today - retention_first,
            rev_last=rev_last,
        )
        # (The notes' rows, ~1.6 MB of ids at 100k notes, are not kept past this line.)
        notes = reads.notes_by_tags(col, self.plan.id)
        ledger.note_gid, notes_sig = ledger.notes(notes, self._course_tags, started)
        del notes
        texts = list(reads.column_chunks(col, "cards", sql.card_exprs(fsrs, today)))
        # First the search for deleted cards (needs no cards), then the grouping (needs
        # their ids), on the worker thread.
        with ThreadPoolExecutor(max_workers=1) as pool:
            deleted = pool.submit(reads.deleted_cards, col)
            chunks = []
            ids: list[int] = []
            gids: list[int] = []
            for chunk in texts:
                cids = list(map(int, chunk[0]))
                groups = list(map(ledger.note_gid.get, map(int, chunk[1]), repeat(0)))
                chunk[0].clear()  # the texts of ids are parsed: free them
                chunk[1].clear()
                chunks.append((chunk, cids, groups))
                ids += cids
                gids += groups
            del texts
            # Interleaved courses: set lookups (exact; deleted cards are in none).
            plan = sql.group_by_runs(ids, gids) or sql.group_by_sets(ids, gids)
            revlog = pool.submit(
                reads.revlog_by_group, col, plan, today, window, rev_count, deleted.result
            )
            while chunks:
                ledger.add_card_columns(*chunks.pop(0))
            if fsrs:
                ledger.update_knowledge(self.knowledge_time, today)
            grouped, moves = revlog.result()
        mods = ledger.card_mod.values()
        newest = max(mods, default=0)
        # total(mod) in SQLite: exact for integers below 2**53, as is this sum.
        cards_sig = (len(mods), float(sum(mods)), newest, newest < started)
        ledger.add_grouped(grouped)
        # Answers the grouping put in the wrong group: out of that one, into their own.
        ledger.add_grouped(((w, *agg) for w, _, *agg in moves if w), -1)
        ledger.add_grouped((r, *agg) for _, r, *agg in moves if r)
        self._marks = Marks(
            crt=crt,
            epoch=cutoff - 86_400 * today,
            fsrs=fsrs,
            today=today,
            cutoff=cutoff,
            retention_first=retention_first,
            cards_sig=cards_sig,
            notes_sig=notes_sig,
            rev_last=rev_last,
            rev_count=rev_count,
        )

    # -- incremental -------------------------------------------------------------------

    def _incremental(self, col: Collection, marks: Marks, today: int, cutoff: int) -> None:
        # Same epoch as the last full read (checked by refresh), so day numbers agree.
        self._marks = marks = replace(marks, today=today, cutoff=cutoff)
        # Cards first, under the old note -> course mapping; then notes whose courses
        # changed move their cards (and those cards' reviews) to the new groups.
        cards_sig, notes_sig, (last, count) = reads.signatures(col, int(time.time()))
        if cards_sig[:3] != marks.cards_sig[:3] or not marks.cards_sig[3]:
            self._recard(col, cards_sig)
        if notes_sig[:3] != marks.notes_sig[:3] or not marks.notes_sig[3]:
            self._renote(col)
            self._marks = replace(self._marks, notes_sig=notes_sig)
        self._new_reviews(col, last, count)

    def _recard(self, col: Collection, sig: reads.Sig) -> None:
        marks = self._current()
        ledger = self._ledger
        count, total, newest, settled = marks.cards_sig
        # Once settled, cards at the newest mod we saw cannot have changed since.
        since = newest + 1 if settled else newest
        rows = reads.card_rows(col, self._card_exprs(), "mod >= ?", since)
        fresh: list[int] = []
        for row in rows:
            cid, mod = int(row[0]), int(row[2])
            old = ledger.card_mod.get(cid)
            if old is None:
                count += 1
                fresh.append(cid)
            else:
                total -= old
            total += mod
        if (count, total) != sig[:2]:
            raise _Reset  # deletions, undo restoring older mods: start over
        for row in rows:
            ledger.drop_card(int(row[0]))
        ledger.add_cards(rows)
        if len(fresh) > BACKFILL_LIMIT:
            raise _Reset
        # New cards may arrive with older history (an import with scheduling): count it,
        # and add it for the ones in a course.
        backfilled = self._apply_history(col, fresh, +1)
        self._marks = replace(marks, cards_sig=sig, rev_count=marks.rev_count + backfilled)

    def _renote(self, col: Collection) -> None:
        ledger = self._ledger
        old = ledger.note_gid
        new, _ = ledger.notes(reads.notes_by_tags(col, self.plan.id), self._course_tags, 0)
        ledger.note_gid = new
        moved = [nid for nid in old.keys() | new.keys() if old.get(nid, 0) != new.get(nid, 0)]
        if not moved:
            return
        if len(moved) > BACKFILL_LIMIT:
            raise _Reset
        where = f"nid IN ({','.join('?' * len(moved))})"
        rows = reads.card_rows(col, self._card_exprs(), where, *moved)
        moved_cards = [int(r[0]) for r in rows]
        if len(moved_cards) > BACKFILL_LIMIT:
            raise _Reset
        # Take the cards' reviews out under their old group, then back in under the new.
        self._apply_history(col, moved_cards, -1)
        for cid in moved_cards:
            ledger.drop_card(cid)
        ledger.add_cards(rows)
        self._apply_history(col, moved_cards, +1)

    def _apply_history(self, col: Collection, cids: list[int], sign: int) -> int:
        """Add (or take out) the stored reviews of ``cids`` under their current groups;
        returns how many revlog rows they have."""
        if not cids:
            return 0
        marks = self._current()
        where = f"cid IN ({','.join('?' * len(cids))}) AND id <= ?"
        rows = reads.revlog_rows(col, where, *cids, marks.rev_last)
        self._add_reviews(rows, sign)
        return len(rows)

    def _new_reviews(self, col: Collection, last: int, count: int) -> None:
        marks = self._current()
        if last == marks.rev_last and count == marks.rev_count:
            return
        if last < marks.rev_last:
            raise _Reset  # an answer was undone
        rows = reads.revlog_rows(col, "id > ? AND id <= ?", marks.rev_last, last)
        if marks.rev_count + len(rows) != count:
            raise _Reset  # rows removed or inserted below the last id we saw
        self._add_reviews(rows, +1)
        self._marks = replace(marks, rev_last=last, rev_count=count)

    def _add_reviews(self, rows: list[Any], sign: int) -> None:
        marks = self._current()
        first_day, _ = _window_days(self.plan, marks.today, marks.cutoff)
        self._ledger.add_reviews(
            rows,
            sign,
            today=marks.today,
            last_ms=marks.cutoff * 1000 - 1,
            # Retention counts exist per day from the last full read's window onwards.
            floor=min(first_day, marks.retention_first),
            retention_first=marks.retention_first,
        )

    def _card_exprs(self) -> list[str]:
        marks = self._current()
        return sql.card_exprs(marks.fsrs, marks.today)

    def _current(self) -> Marks:
        if self._marks is None:
            raise RuntimeError("the tracker has read nothing yet")
        return self._marks

    # -- results -----------------------------------------------------------------------

    def _results(self) -> dict[str, CourseMemory]:
        marks = self._current()
        today = marks.today
        first_day, last_day = _window_days(self.plan, today, marks.cutoff)
        return self._ledger.results(
            self.plan,
            today=today,
            today_date=study_day_ending(marks.cutoff),
            window=range(first_day, last_day + 1),
            retention_first=today - self.retention_days + 1,
            knowledge_at=self.knowledge_time if marks.fsrs else None,
        )
