"""How much of each course the learner still remembers, read from an Anki collection.

Per course (its notes are those tagged ``plan.course_tag(id)`` or a child of it, matched
case-insensitively like Anki's ``tag:`` search): card counts by state, reviews and review
time per study day, true retention and, with FSRS on, estimated knowledge.

Everything is read with plain ``SELECT``s (never a write) and aggregated inside SQLite:
moving rows into Python through Anki's DB bridge costs about a microsecond a row, so a
million revlog rows must be grouped by (course, day) before they leave the database. The
card -> course mapping reaches SQL as a ``CASE`` over the long runs of consecutive card
ids (a course's cards are created together, one import per course); the few cards added
later inside another course's run, and reviews of deleted cards, are then moved to their
own group from their own rows (grouped in SQLite as well). A collection where courses
interleave card by card falls back to set lookups (exact, slower). Cards cross the bridge
as a few long strings, notes grouped by tag string, and the revlog queries run on a worker
thread (inside SQLite, without the GIL) while the cards are parsed and sorted into
courses. SQLite's sort for the (course, day) grouping is most of a full read's time
(~0.18 s of ~0.5 s at 1M reviews); it has no hash aggregation to avoid it.

:class:`MemoryTracker` keeps the per-card and per-day state between calls so that a
refresh after a few answers reads only the new revlog rows and the changed cards; anything
it cannot account for exactly (undo, deletions, a changed rollover hour) makes it start
over, so its results always equal a fresh :func:`course_memory`. Its state can be saved
(:meth:`MemoryTracker.to_state`) and restored in the next session
(:meth:`MemoryTracker.from_state`), which makes the first refresh there incremental too:
a full read of 100k cards and 1M reviews takes ~0.5 s, a restore under half of that.

``anki`` is imported only for type checking: the functions take a live collection.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import math
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import accumulate, chain, compress, pairwise, repeat
from operator import le, ne, sub
from typing import TYPE_CHECKING, Any, NamedTuple

from learnplan.model.plan import Plan
from learnplan.progress.recall import (
    FSRS5_DEFAULT_DECAY,
    LEARNING,
    MATURE,
    MATURE_IVL,
    NEW,
    RETENTION_DAYS,
    SUSPENDED,
    YOUNG,
    CourseMemory,
    retention_eligible,
    tag_courses,
)

if TYPE_CHECKING:
    from anki.collection import Collection
    from anki.dbproxy import DBProxy

#: Knowledge (sum of retrievability) is evaluated at ``now`` rounded down to this many
#: seconds, so refreshes within the step reuse per-card values; R moves ~1e-5 a minute.
KNOWLEDGE_STEP = 600
#: Card-id ranges above this many fall back to set lookups for the revlog grouping.
RANGE_LIMIT = 4096
#: New cards with review history (e.g. imported with scheduling) above this many make
#: the tracker start over instead of reading their revlog rows card by card.
BACKFILL_LIMIT = 2000
#: Format of MemoryTracker.to_state(); a state of another version is not used.
STATE_VERSION = 1
#: Revlog rows per grouped SELECT on a full read (see _grouped_rows); whole study days.
REVLOG_SLICE = 10_000
#: Consecutive card ids of one group from which the revlog grouping gives them their own
#: id range; shorter runs are put right card by card (see _group_plan).
MIN_RUN = 64
#: Cards put right card by card above which the grouping uses set lookups instead.
EXCEPTION_LIMIT = 20_000

_DAY_MS = 86_400_000
_FAILED = 1 << 32  # a failed retention answer in the packed sum (passed ones add 1)
_PACKED = f"(CASE WHEN ease > 1 THEN 1 ELSE {_FAILED} END)"
_MAX_COMPOUND = 400  # SELECTs per UNION ALL statement (SQLite allows 500 by default)
_MAX_STATEMENT = 1_000_000  # characters of SQL per statement, about (parsing takes time)


def course_memory(
    col: Collection,
    plan: Plan,
    *,
    now: float | None = None,
    retention_days: int = RETENTION_DAYS,
) -> dict[str, CourseMemory]:
    """Memory numbers for every course of ``plan``, keyed by course id.

    ``now`` (epoch seconds, default the clock) only affects ``knowledge``.
    """
    return MemoryTracker(plan, retention_days=retention_days).refresh(col, now=now)


# --- pure helpers ----------------------------------------------------------------------


_ELIGIBLE_SQL = (
    "(ease > 0 AND type < 4 AND NOT (type = 3 AND factor = 0)"
    " AND (type = 1 OR lastIvl <= -86400 OR lastIvl >= 1))"
)


def _number(value: object) -> float | None:
    # JSON numbers only (bool is an int in Python, not a number in JSON).
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # an int beyond floats
            return None
    return None


def _days_ago(last_ms: int, rev_id: int) -> int:
    # Same rounding as SQLite's integer division (toward zero), so rows read one by one
    # land on the same day as rows grouped in SQL.
    diff = last_ms - rev_id
    return diff // _DAY_MS if diff >= 0 else -((-diff) // _DAY_MS)


_EXACT_SHIFT = 1074  # every finite float is a whole multiple of 2**-1074
_EXACT_ONE = 1 << _EXACT_SHIFT


def _exact(value: float) -> int:
    """``value`` as an exact integer count of 2**-1074."""
    num, den = value.as_integer_ratio()
    return num << (_EXACT_SHIFT - den.bit_length() + 1)


#: Rows per read of cards or notes (bounds the strings and lists held at once).
CHUNK = 25_000


_SEP = "\x7f"  # between the values of a column in _column_chunks


def _column_chunks(
    col: Collection, source: str, exprs: Sequence[str]
) -> Iterator[tuple[list[str], ...]]:
    """Columns ``id, *exprs`` of ``source`` in id order, as strings (NULL is ""), CHUNK
    rows a time.

    Each chunk crosses the DB bridge as one row of ``group_concat`` strings: the bridge
    costs about a microsecond a row but little per byte, so 100k rows arrive ~4x faster
    than row by row. All aggregates of one query step over the same rows in the same
    order, so the columns line up; a value containing the separator shows up as a column
    of the wrong length, and that chunk is then read row by row.
    """
    names = ["id", *(f"c{i}" for i in range(len(exprs)))]
    inner = ", ".join(["id", *(f"{e} AS c{i}" for i, e in enumerate(exprs))])
    # The separator as a literal: char() would be called for every row. DEL, not a
    # control character: those cross the bridge's JSON as six-byte escapes (~10 ms more
    # for 100k notes' tags).
    concat = ", ".join(f"group_concat(ifnull({n}, ''), '{_SEP}')" for n in names)
    query = (
        f"SELECT count(), max(id), {concat} FROM"
        f" (SELECT {inner} FROM {source} WHERE id > ? ORDER BY id LIMIT {CHUNK})"
    )
    last = -(2**63)
    while True:
        row = _db(col).first(query, last)
        count = int(row[0]) if row else 0
        if not count or row is None:
            return
        top = int(row[1])
        columns = tuple(str(text).split(_SEP) for text in row[2:])
        if any(len(c) != count for c in columns):
            rows = _db(col).all(
                f"SELECT {inner} FROM {source} WHERE id > ? AND id <= ? ORDER BY id",
                last,
                top,
            )
            columns = tuple(
                ["" if v is None else str(v) for v in values]
                for values in (zip(*rows, strict=True) if rows else [[] for _ in names])
            )
        yield columns
        if count < CHUNK:
            return
        last = top


def _deltas(ids: list[int]) -> list[int]:
    # Ascending ids as differences: a third of the digits to write and parse.
    return [ids[0], *map(sub, ids[1:], ids[:-1])] if ids else []


def _undeltas(deltas: Iterable[Any]) -> list[int]:
    ids = list(accumulate(map(int, deltas)))
    if any(map(le, ids[1:], ids[:-1])):
        raise ValueError("ids out of order")
    return ids


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building 100k-entry structures.

    None of them hold cycles, but every few hundred new objects trigger a collection,
    and the older generations' passes walk the whole heap (Anki's included): ~40% of the
    time of a full read or a restore.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _db(col: Collection) -> DBProxy:
    db = col.db
    if db is None:
        raise RuntimeError("the collection is closed")
    return db


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _range_case(starts: Sequence[int], values: Sequence[int], lo: int, hi: int) -> str:
    # A balanced CASE tree over sorted range starts: log2(n) comparisons a row.
    if hi - lo == 1:
        return str(values[lo])
    mid = (lo + hi) // 2
    left = _range_case(starts, values, lo, mid)
    right = _range_case(starts, values, mid, hi)
    return f"CASE WHEN cid < {starts[mid]} THEN {left} ELSE {right} END"


# --- the tracker -----------------------------------------------------------------------


_Sig = tuple[int, float, int, bool]
#: (stability, decay, last review in epoch secs or -1, the last review's study day if -1)
_Memory = tuple[float, float, float, int]


class _Card(NamedTuple):
    gid: int
    bucket: int


#: (group, study day, answers, milliseconds, retention passed, failed)
_Grouped = tuple[int, int, int, int, int, int]
#: (wrong group, right group, study day, answers, ms, retention passed, failed)
_Move = tuple[int, int, int, int, int, int, int]


class _Reset(Exception):
    """Something changed that the incremental path cannot account for exactly."""


class MemoryTracker:
    """Per-course memory numbers kept up to date cheaply between calls.

    The first :meth:`refresh` reads everything; later ones read only what changed. Results
    always equal ``course_memory(col, plan, now=...)`` for the same ``now`` step.
    """

    def __init__(self, plan: Plan, *, retention_days: int = RETENTION_DAYS) -> None:
        self.plan = plan
        self.retention_days = retention_days
        self._course_tags = {plan.course_tag(c.id).lower(): i for i, c in enumerate(plan.courses)}
        self._ready = False
        self.knowledge_time: float = 0.0
        # Knowledge: each card's R at knowledge_time, and per course the exact sum of
        # those values as an integer count of 2**-1074 (every float is one), so adding
        # and removing single cards gives exactly what a fresh sum gives.
        self._r: dict[int, float] = {}
        self._k_exact: list[int] = []
        self._k_pending: set[int] = set()
        self._k_all = True
        self._crt = 0
        # Per group (0: cards in no course): its courses, card counts per bucket, per
        # study day [answers, ms, retention passed, failed], and card id -> FSRS memory.
        self._groups: list[tuple[int, ...]] = [()]
        self._group_ids: dict[tuple[int, ...], int] = {(): 0}
        self._buckets: list[list[int]] = [[0] * 5]
        self._days: list[dict[int, list[int]]] = [{}]
        self._with_memory: list[dict[int, _Memory]] = [{}]
        self._tag_cache: dict[str, int] = {}
        self._note_gid: dict[int, int] = {}
        self._cards: dict[int, _Card] = {}
        self._card_mod: dict[int, int] = {}  # every card, in a course or not

    # -- public -------------------------------------------------------------------------

    def refresh(self, col: Collection, *, now: float | None = None) -> dict[str, CourseMemory]:
        with _no_gc():
            return self._refresh(col, now)

    def _refresh(self, col: Collection, now: float | None) -> dict[str, CourseMemory]:
        clock = time.time() if now is None else now
        at = math.floor(clock / KNOWLEDGE_STEP) * KNOWLEDGE_STEP if now is None else clock
        today = int(col.sched.today)
        cutoff = int(col.sched.day_cutoff)
        fsrs = bool(col.get_config("fsrs", False))
        epoch = cutoff - 86_400 * today
        crt = int(col.crt)
        if at != self.knowledge_time:
            self._k_all = True
        self.knowledge_time = at
        if not self._ready or (epoch, fsrs, crt) != (self._epoch, self._fsrs, self._crt):
            self._crt = crt
            self._full(col, today, cutoff, fsrs)
        else:
            try:
                self._incremental(col, today, cutoff)
            except _Reset:
                self._full(col, today, cutoff, fsrs)
        self._today, self._cutoff = today, cutoff
        return self._results(cutoff)

    def to_state(self) -> dict[str, Any]:
        """Everything a later :meth:`refresh` needs, as plain data (dicts, lists, str,
        int, float, bool: ``json`` or ``marshal`` can store it; ~6 MB for 100k cards).

        Hand it to :meth:`from_state` in the next session: the first refresh is then
        incremental instead of a full read. Empty before the first refresh.
        """
        if not self._ready:
            return {}
        with _no_gc():
            return self._state()

    def _state(self) -> dict[str, Any]:
        cids = sorted(self._card_mod)
        cards = self._cards
        course_cids = list(filter(cards.__contains__, cids))
        card_groups, card_buckets = (
            map(list, zip(*map(cards.__getitem__, course_cids), strict=True))
            if course_cids
            else ([], [])
        )
        with_memory = sorted(chain.from_iterable(m.items() for m in self._with_memory))
        nids = sorted(self._note_gid)
        return {
            "version": STATE_VERSION,
            **self._identity(),
            "crt": self._crt,
            "epoch": self._epoch,
            "fsrs": self._fsrs,
            "today": self._today,
            "cutoff": self._cutoff,
            "retention_first": self._retention_first,
            "sigs": [*self._cards_sig, *self._notes_sig, self._rev_last, self._rev_count],
            "groups": [list(g) for g in self._groups],
            "notes": _deltas(nids),
            "note_groups": list(map(self._note_gid.__getitem__, nids)),
            "cards": _deltas(cids),
            "card_mods": list(map(self._card_mod.__getitem__, cids)),
            "course_cards": _deltas(course_cids),
            "card_groups": card_groups,
            "card_buckets": card_buckets,
            "memory_cards": _deltas([cid for cid, _ in with_memory]),
            "memory": list(chain.from_iterable(memory for _, memory in with_memory)),
            "days": [
                [gid, day, *agg]
                for gid, per_day in enumerate(self._days)
                for day, agg in per_day.items()
            ],
        }

    @classmethod
    def from_state(
        cls, plan: Plan, state: Any, *, retention_days: int = RETENTION_DAYS
    ) -> MemoryTracker:
        """A tracker continuing from :meth:`to_state`'s output.

        The state is checked on the first :meth:`refresh` like any incremental refresh:
        anything that changed in the collection since is read incrementally, and a state
        of another collection, plan or format, or one the collection has moved away from
        (undo, deletions, a full sync, another rollover hour) makes that refresh a full
        read. A malformed state gives a fresh tracker.
        """
        tracker = cls(plan, retention_days=retention_days)
        try:
            with _no_gc():
                tracker._restore(state)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            tracker = cls(plan, retention_days=retention_days)
        return tracker

    def _identity(self) -> dict[str, Any]:
        return {
            "plan": self.plan.id,
            # Days before the plan's start (and the retention window) are not kept.
            "start": self.plan.start.isoformat(),
            "courses": [self.plan.course_tag(c.id).lower() for c in self.plan.courses],
            "retention_days": self.retention_days,
        }

    def _restore(self, state: dict[str, Any]) -> None:
        if state.get("version") != STATE_VERSION or any(
            state.get(k) != v for k, v in self._identity().items()
        ):
            return
        groups = [tuple(int(c) for c in g) for g in state["groups"]]
        n_courses = len(self.plan.courses)
        if not groups or groups[0] or any(not 0 <= c < n_courses for g in groups for c in g):
            return
        ngroups = len(groups)
        # map() rather than comprehensions: this runs over every card and note.
        nids = _undeltas(state["notes"])
        note_groups = list(map(int, state["note_groups"]))
        cids = _undeltas(state["cards"])
        mods = list(map(int, state["card_mods"]))
        course = _undeltas(state["course_cards"])
        card_groups = list(map(int, state["card_groups"]))
        card_buckets = list(map(int, state["card_buckets"]))
        memory_cards = _undeltas(state["memory_cards"])
        memory = list(map(float, state["memory"]))
        if (
            len(nids) != len(note_groups)
            or len(cids) != len(mods)
            or not len(course) == len(card_groups) == len(card_buckets)
            or len(memory) != 4 * len(memory_cards)
        ):
            raise ValueError("columns of different lengths")
        for values, low, high in (
            (note_groups, 1, ngroups - 1),
            (card_groups, 1, ngroups - 1),
            (card_buckets, 0, SUSPENDED),
        ):
            if values and not low <= min(values) <= max(values) <= high:
                raise ValueError("group or bucket out of range")
        sigs = list(state["sigs"])
        if len(sigs) != 10:
            raise ValueError("bad signatures")

        self._groups = groups
        self._group_ids = {g: i for i, g in enumerate(groups)}
        self._tag_cache = {}
        self._note_gid = dict(zip(nids, note_groups, strict=True))
        self._card_mod = dict(zip(cids, mods, strict=True))
        # tuple.__new__ builds the named tuples without a Python-level call each.
        self._cards = dict(
            zip(
                course,
                map(tuple.__new__, repeat(_Card), zip(card_groups, card_buckets, strict=True)),
                strict=True,
            )
        )
        if not self._cards.keys() <= self._card_mod.keys():
            raise ValueError("course cards missing from cards")
        self._buckets = [[0] * 5 for _ in groups]
        for (gid, bucket), count in Counter(zip(card_groups, card_buckets, strict=True)).items():
            self._buckets[gid][bucket] = count
        self._with_memory = [{} for _ in groups]
        cards = self._cards
        with_memory = self._with_memory
        fields = iter(memory)
        for cid, (stability, decay, last, day) in zip(
            memory_cards, zip(fields, fields, fields, fields, strict=True), strict=True
        ):
            with_memory[cards[cid].gid][cid] = (stability, decay, last, int(day))
        self._days = [{} for _ in groups]
        for gid, day, *agg in state["days"]:
            if len(agg) != 4:
                raise ValueError("bad day")
            self._days[int(gid)][int(day)] = list(map(int, agg))
        c_n, c_t, c_m, c_s, n_n, n_t, n_m, n_s, rev_last, rev_count = sigs
        self._cards_sig = (int(c_n), float(c_t), int(c_m), bool(c_s))
        self._notes_sig = (int(n_n), float(n_t), int(n_m), bool(n_s))
        self._rev_last, self._rev_count = int(rev_last), int(rev_count)
        self._crt = int(state["crt"])
        self._epoch = int(state["epoch"])
        self._fsrs = bool(state["fsrs"])
        self._today = int(state["today"])
        self._cutoff = int(state["cutoff"])
        self._retention_first = int(state["retention_first"])
        self._k_all = True
        self._ready = True

    # -- full read ----------------------------------------------------------------------

    def _full(self, col: Collection, today: int, cutoff: int, fsrs: bool) -> None:
        self._ready = False
        self._epoch = cutoff - 86_400 * today
        self._fsrs = fsrs
        self._today, self._cutoff = today, cutoff
        self._retention_first = today - self.retention_days + 1
        self._groups = [()]
        self._group_ids = {(): 0}
        self._tag_cache = {}
        self._note_gid = {}
        self._cards = {}
        self._card_mod = {}
        self._buckets = [[0] * 5]
        self._days = [{}]
        self._with_memory = [{}]
        self._k_all = True

        # The cards' and notes' signatures come from the very rows read (so they match
        # them), the revlog's before its rows are grouped: a change made while we read
        # shows up on the next refresh.
        started = int(time.time())
        self._rev_last, self._rev_count = self._revlog_sig(col)
        last_ms = cutoff * 1000 - 1
        first_day, _ = self._window_days(today, cutoff)
        oldest = today - min(first_day, self._retention_first)  # in days ago
        since = last_ms - (oldest + 1) * _DAY_MS + 1  # first revlog id of interest
        self._notes_sig = self._read_notes(col, started)
        texts = list(_column_chunks(col, "cards", self._card_exprs()))
        # The revlog queries (most of a full read's time, spent inside SQLite with the GIL
        # released) run on a worker thread while this one parses the cards: first the
        # search for deleted cards (needs no cards), then the grouping (needs their ids).
        with ThreadPoolExecutor(max_workers=1) as pool:
            deleted = pool.submit(self._deleted_cards, col)
            chunks = []
            ids: list[int] = []
            gids: list[int] = []
            for chunk in texts:
                cids = list(map(int, chunk[0]))
                groups = list(map(self._note_gid.get, map(int, chunk[1]), repeat(0)))
                chunk[0].clear()  # the texts of ids are parsed: free them
                chunk[1].clear()
                chunks.append((chunk, cids, groups))
                ids += cids
                gids += groups
            del texts
            plan = self._group_plan(ids, gids)
            if plan is not None:
                revlog = pool.submit(
                    self._read_revlog, col, *plan, today, oldest, since, deleted.result
                )
            else:  # interleaved courses: set lookups (exact; deleted cards are in none)
                expr, args = self._group_sets(ids, gids)
                revlog = pool.submit(
                    self._read_revlog, col, expr, args, {}, [], [], today, oldest, since, list
                )
            while chunks:
                self._read_card_columns(*chunks.pop(0))
            if self._fsrs:
                self._update_knowledge()
            grouped, moves = revlog.result()
        mods = self._card_mod.values()
        newest = max(mods, default=0)
        # total(mod) in SQLite: exact for integers below 2**53, as is this sum.
        self._cards_sig = (len(mods), float(sum(mods)), newest, newest < started)
        self._add_grouped(grouped)
        # Answers the grouping put in the wrong group: out of that one, into their own.
        self._add_grouped(((w, *agg) for w, _, *agg in moves if w), -1)
        self._add_grouped((r, *agg) for _, r, *agg in moves if r)
        self._ready = True

    def _gid(self, courses: tuple[int, ...]) -> int:
        gid = self._group_ids.get(courses)
        if gid is None:
            gid = len(self._groups)
            self._group_ids[courses] = gid
            self._groups.append(courses)
            self._buckets.append([0] * 5)
            self._days.append({})
            self._with_memory.append({})
        return gid

    def _tags_gid(self, tags: str) -> int:
        gid = self._tag_cache.get(tags)
        if gid is None:
            gid = self._gid(tag_courses(tags, self._course_tags))
            self._tag_cache[tags] = gid
        return gid

    def _read_notes(self, col: Collection, started: int) -> _Sig:
        """Map notes to groups; returns the notes' signature (see :meth:`_sigs`) from the
        same rows, settled if their newest ``mod`` is before ``started``."""
        prefix = f"{self.plan.id}::course::"
        # LIKE folds ASCII case only; that is enough to pre-filter by an ASCII prefix.
        # Other notes are read too (with tags "") for the signature.
        tags = "ifnull(tags, '')"
        args = []
        if prefix.isascii():
            tags = f"CASE WHEN tags LIKE ? ESCAPE '\\' THEN {tags} ELSE '' END"
            args.append(f"% {_like_escape(prefix)}%")
        # Grouped by tag string: most notes share a handful, so the ids cross the bridge
        # but (most of) the tags do not, and each tag string is mapped once.
        rows = _db(col).all(
            f"SELECT {tags} AS t, count(), total(mod), coalesce(max(mod), 0),"
            " group_concat(id) FROM notes GROUP BY t",
            *args,
        )
        note_gid: dict[int, int] = {}
        count, total, newest = 0, 0.0, 0
        for tag_text, n, mod_total, mod_max, nids in rows:
            count += int(n)
            total += float(mod_total)
            newest = max(newest, int(mod_max))
            gid = self._tags_gid(str(tag_text))
            if gid:
                note_gid.update(dict.fromkeys(map(int, str(nids).split(",")), gid))
        self._note_gid = note_gid
        return count, total, newest, newest < started

    def _card_columns(self) -> str:
        return ", ".join(["id", *self._card_exprs()])

    def _card_exprs(self) -> list[str]:
        """nid, mod, bucket (as card_bucket), data (FSRS), fallback last review day."""
        bucket = (
            f"CASE WHEN queue = -1 THEN {SUSPENDED} WHEN type = 0 THEN {NEW}"
            f" WHEN type = 2 THEN (CASE WHEN ivl < {MATURE_IVL} THEN {YOUNG} ELSE {MATURE} END)"
            f" ELSE {LEARNING} END"
        )
        if not self._fsrs:
            return ["nid", "mod", bucket, "NULL", "NULL"]
        # Cards answered before Anki stored "lrt": like Anki's stats, the study day of
        # the last review is due - interval (review cards), counted in whole days; else
        # today.
        due = "(CASE WHEN odid THEN odue ELSE due END)"
        fallback = (
            f"CASE WHEN type IN (2, 3) AND {due} < 1000000000"
            f" THEN {due} - ivl ELSE {self._today} END"
        )
        # The data column as it is: parsing its JSON here (see _memory) costs this thread
        # time it has while the revlog queries run; json_extract took SQLite ~30 ms.
        return ["nid", "mod", bucket, "data", fallback]

    def _card_rows(self, col: Collection, since_mod: int) -> list[Sequence[Any]]:
        return _db(col).all(f"SELECT {self._card_columns()} FROM cards WHERE mod >= ?", since_mod)

    @staticmethod
    def _memory(raw: str, fallback: int) -> _Memory | None:
        """The FSRS memory state in a card's ``data`` (JSON, with stability "s", "decay"
        and the last review's epoch seconds "lrt"), or None without a stability."""
        if '"s":' not in raw:  # most cards without a memory state: no parse
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        stability, decay, last = (_number(data.get(key)) for key in ("s", "decay", "lrt"))
        if stability is None or stability <= 0:
            return None
        if decay is None or decay <= 0:
            decay = FSRS5_DEFAULT_DECAY
        if last is None:
            return stability, decay, -1.0, int(fallback)
        return stability, decay, last, 0

    def _read_cards(self, rows: Iterable[Sequence[Any]]) -> None:
        note_gid = self._note_gid
        cards = self._cards
        card_mod = self._card_mod
        buckets = self._buckets
        with_memory = self._with_memory
        memory_of = self._memory
        pending = self._k_pending
        for cid, nid, mod, bucket, raw, fallback in rows:
            card_mod[cid] = mod
            gid = note_gid.get(nid, 0)
            if not gid:
                continue
            cards[cid] = _Card(gid, bucket)
            buckets[gid][bucket] += 1
            if raw:
                memory = memory_of(raw, fallback)
                if memory is not None:
                    with_memory[gid][cid] = memory
                    pending.add(cid)

    def _read_card_columns(
        self, chunk: tuple[list[str], ...], cids: list[int], groups: list[int]
    ) -> None:
        """:meth:`_read_cards` for columns from :func:`_column_chunks`, given the cards'
        ids and groups."""
        _, _, mod_texts, bucket_texts, raws, fallbacks = chunk
        self._card_mod.update(zip(cids, map(int, mod_texts), strict=True))
        cards = self._cards
        buckets = self._buckets
        with_memory = self._with_memory
        memory_of = self._memory
        pending = self._k_pending
        digit = {str(b): b for b in range(5)}
        for cid, gid, text, raw, fallback in zip(
            cids, groups, bucket_texts, raws, fallbacks, strict=True
        ):
            if not gid:
                continue
            bucket = digit[text]
            cards[cid] = _Card(gid, bucket)
            buckets[gid][bucket] += 1
            if raw:
                memory = memory_of(raw, int(fallback))
                if memory is not None:
                    with_memory[gid][cid] = memory
                    pending.add(cid)

    @staticmethod
    def _revlog_sig(col: Collection) -> tuple[int, int]:
        """The revlog's (max id, count)."""
        row = _db(col).first(
            # count() alone uses SQLite's fast count; with max() beside it, it scans.
            "SELECT (SELECT coalesce(max(id), 0) FROM revlog), (SELECT count() FROM revlog)"
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    @staticmethod
    def _sigs(col: Collection) -> tuple[_Sig, _Sig, tuple[int, int]]:
        """Cards' and notes' (count, sum of mod, max mod, settled); revlog's (max id, count).

        Any edit changes a table's sum of ``mod``. ``mod`` has one-second resolution, so
        while the newest change is from the current second, more changes may follow with
        the same ``mod``: not settled yet.
        """
        started = int(time.time())
        # The revlog's apart: inside this UNION ALL its sub-selects take ~15 ms at 1M rows
        # (measured with Anki 26.9.3's SQLite 3.49), on their own well under 1 ms.
        rows = _db(col).all(
            "SELECT count(), total(mod), coalesce(max(mod), 0) FROM cards"
            " UNION ALL SELECT count(), total(mod), coalesce(max(mod), 0) FROM notes"
        )
        (cn, ct, cm), (nn, nt, nm) = ((int(a), float(b), int(c)) for a, b, c in rows)
        rm, rn = MemoryTracker._revlog_sig(col)
        return (cn, ct, cm, cm < started), (nn, nt, nm, nm < started), (rm, rn)

    def _window_days(self, today: int, cutoff: int) -> tuple[int, int]:
        """First and last Anki day number of the plan window."""
        today_date = self._today_date(cutoff)
        first = today - (today_date - self.plan.start).days
        last = today - (today_date - (self.plan.end - dt.timedelta(days=1))).days
        return first, last

    @staticmethod
    def _today_date(cutoff: int) -> dt.date:
        # The local calendar date on which the current study day began.
        return dt.datetime.fromtimestamp(cutoff - 86_400).date()

    def _group_plan(
        self, ids: list[int], gids: list[int]
    ) -> tuple[str, list[Any], dict[int, tuple[int, int]], list[int], list[int]] | None:
        """How the grouped revlog query tells a row's group from ``cid``, or None where
        courses interleave too much for ranges (then :meth:`_group_sets`).

        A course's cards come in long runs of consecutive ids (one import each), so a CASE
        over the runs' first ids costs a few comparisons a row; cards added later one by
        one fall inside other runs and are put right afterwards from their own rows, as
        are reviews of deleted cards (see :meth:`_full`, :meth:`_read_revlog`).

        Returns the SQL expression (0: no course), its arguments, the "exceptions": card
        ids whose rows the expression puts in the wrong group, each with (that wrong group,
        the right one) (deleted cards are added by :meth:`_read_revlog`), and the runs'
        first ids and groups.

        ``ids`` are all card ids in ascending order and ``gids`` their groups.
        """
        n = len(ids)
        cuts = [0, *compress(range(1, n), map(ne, gids[1:], gids[:-1])), n] if n else []
        starts: list[int] = []
        values: list[int] = []
        exceptions: dict[int, tuple[int, int]] = {}
        current = 0
        for lo, hi in pairwise(cuts):
            gid = gids[lo]
            if gid == current:
                continue
            if hi - lo >= MIN_RUN:
                starts.append(ids[lo])
                values.append(gid)
                current = gid
            else:
                exceptions.update(zip(ids[lo:hi], zip(repeat(current), gids[lo:hi]), strict=True))
            if len(exceptions) > EXCEPTION_LIMIT or len(starts) > RANGE_LIMIT:
                return None
        if not starts:
            return "0", [], exceptions, starts, values
        tree = _range_case(starts, values, 0, len(starts))
        expr = f"CASE WHEN cid < {starts[0]} THEN 0 ELSE {tree} END"
        return expr, [], exceptions, starts, values

    @staticmethod
    def _group_sets(ids: list[int], gids: list[int]) -> tuple[str, list[Any]]:
        """Group expression for interleaved courses: one set lookup per group, biggest
        first (exact, slower per row than ranges). ``ids`` and ``gids`` as for
        :meth:`_group_plan`."""
        members: dict[int, list[int]] = {}
        for cid, gid in zip(ids, gids, strict=True):
            if gid:
                members.setdefault(gid, []).append(cid)
        if not members:
            return "0", []
        order = sorted(members, key=lambda g: -len(members[g]))
        whens = " ".join(f"WHEN cid IN (SELECT value FROM json_each(?)) THEN {g}" for g in order)
        return f"CASE {whens} ELSE 0 END", [json.dumps(members[g]) for g in order]

    def _read_revlog(
        self,
        col: Collection,
        expr: str,
        args: list[Any],
        exceptions: dict[int, tuple[int, int]],
        starts: list[int],
        values: list[int],
        today: int,
        oldest: int,
        since: int,
        deleted: Callable[[], list[int]],
    ) -> tuple[list[_Grouped], list[_Move]]:
        """The revlog's answers per group and day (see :meth:`_grouped_rows`), and those
        of the cards it put in the wrong group (see :meth:`_group_plan`), per (wrong group,
        right group) and day; ``deleted()`` gives the ids of deleted cards with reviews.
        Reads only: it runs on a worker thread during a full read."""
        grouped = self._grouped_rows(col, expr, args, today, oldest) if expr != "0" else []
        moved = dict(exceptions)
        if starts:
            # Reviews of deleted cards stay in the revlog and belong to no course.
            for cid in deleted():
                at = bisect_right(starts, cid)
                if at and values[at - 1]:
                    moved[cid] = (values[at - 1], 0)
        pairs: dict[tuple[int, int], list[int]] = {}
        for cid, pair in moved.items():
            pairs.setdefault(pair, []).append(cid)
        keys = list(pairs)
        last_ms = self._cutoff * 1000 - 1
        since_ret = last_ms - (today - self._retention_first + 1) * _DAY_MS + 1
        # Grouped in SQLite too, a few rows per card found by cid ("+id": not by scanning
        # the id range); the day and retention as in _grouped_rows, whose rows these are.
        select = (
            f"SELECT ? AS k, (? - id) / {_DAY_MS} AS ago, count(), sum(time),"
            f" sum(CASE WHEN id >= {since_ret} AND {_ELIGIBLE_SQL} THEN {_PACKED} END)"
            " FROM revlog WHERE cid IN (SELECT value FROM json_each(?))"
            " AND +id >= ? AND +id <= ? AND ease > 0 GROUP BY ago"
        )
        moves: list[_Move] = []
        for at in range(0, len(keys), _MAX_COMPOUND):
            part = keys[at : at + _MAX_COMPOUND]
            params: list[Any] = []
            for k, key in enumerate(part, at):
                params += [k, last_ms, json.dumps(pairs[key]), since, self._rev_last]
            for k, ago, count, ms, packed in _db(col).all(
                " UNION ALL ".join([select] * len(part)), *params
            ):
                r = int(packed or 0)
                wrong, right = keys[int(k)]
                moves.append(
                    (wrong, right, today - int(ago), int(count), int(ms), r % _FAILED, r // _FAILED)
                )
        return grouped, moves

    @staticmethod
    def _deleted_cards(col: Collection) -> list[int]:
        """Ids of cards deleted since their reviews."""
        return list(
            map(
                int,
                _db(col).list(
                    "SELECT DISTINCT cid FROM revlog WHERE cid NOT IN (SELECT id FROM cards)"
                ),
            )
        )

    def _grouped_rows(
        self, col: Collection, expr: str, args: list[Any], today: int, oldest: int
    ) -> list[_Grouped]:
        """(group, day, answers, ms, retention passed, failed) from the revlog, grouped in
        SQLite by ``expr`` (see :meth:`_group_plan`), for the last ``oldest`` + 1 days."""
        last_ms = self._cutoff * 1000 - 1
        rev_last = self._rev_last

        def day_start(ago: int) -> int:  # first revlog id of the study day ``ago`` days back
            return last_ms - (ago + 1) * _DAY_MS + 1

        since_ret = day_start(today - self._retention_first)
        # SQLite sorts for GROUP BY; sorting a day at a time is cheaper than one big sort
        # (which spills to disk at a million rows), and each (group, day) still comes
        # from one slice. Set lookups rebuild their sets for every query: one slice then.
        # The whole revlog's count stands in for the window's (counting that took ~17 ms
        # at 1M rows): more slices than needed only cost a few more small SELECTs.
        rows = self._rev_count
        slices = 1 if args else max(1, min(oldest + 1, rows // REVLOG_SLICE))
        step = -(-(oldest + 1) // slices)
        single = step == 1
        selects: list[str] = []
        params: list[Any] = []
        for top_ago in range(oldest, -1, -step):
            low = day_start(top_ago)
            high = day_start(top_ago - step) - 1 if top_ago - step >= 0 else rev_last
            high = min(high, rev_last)
            # A slice of one day groups by course only; retention is summed only where the
            # slice reaches into its window, and tested per row only where it straddles it.
            if low >= since_ret:
                retention = f"sum(CASE WHEN {_ELIGIBLE_SQL} THEN {_PACKED} END)"
            elif high < since_ret:
                retention = "NULL"
            else:
                retention = (
                    f"sum(CASE WHEN id >= {since_ret} AND {_ELIGIBLE_SQL} THEN {_PACKED} END)"
                )
            selects.append(
                f"SELECT {expr} AS g,"
                f" {'? AS ago' if single else f'(? - id) / {_DAY_MS} AS ago'},"
                f" count(), sum(time), {retention} FROM revlog"
                f" WHERE id >= ? AND id <= ? AND ease > 0 GROUP BY {'g' if single else 'g, ago'}"
            )
            params += [*args, top_ago if single else last_ms, low, high]
        out: list[_Grouped] = []
        # All slices in one statement: one trip through the bridge, and the GIL stays
        # released for the whole of it (it is re-taken between statements, which waits
        # for the other thread's switch interval).
        # A long group expression (many ranges) makes fewer SELECTs per statement.
        per = max(1, min(_MAX_COMPOUND, _MAX_STATEMENT // max(map(len, selects))))
        n_params = len(params) // len(selects)
        for at in range(0, len(selects), per):
            for gid, ago, count, ms, packed in _db(col).all(
                " UNION ALL ".join(selects[at : at + per]),
                *params[at * n_params : (at + per) * n_params],
            ):
                if gid:
                    r = int(packed or 0)
                    day = today - int(ago)
                    out.append((int(gid), day, int(count), int(ms), r % _FAILED, r // _FAILED))
        return out

    def _add_grouped(self, rows: Iterable[Sequence[int]], sign: int = 1) -> None:
        """Add (or take out) grouped (group, day, answers, ms, passed, failed) rows."""
        days = self._days
        for gid, day, count, ms, passed, failed in rows:
            agg = days[gid].setdefault(day, [0, 0, 0, 0])
            agg[0] += sign * count
            agg[1] += sign * ms
            agg[2] += sign * passed
            agg[3] += sign * failed

    # -- incremental --------------------------------------------------------------------

    def _incremental(self, col: Collection, today: int, cutoff: int) -> None:
        # Same epoch as the last full read (checked by refresh), so day numbers agree.
        self._today, self._cutoff = today, cutoff
        # Cards first, under the old note -> course mapping; then notes whose courses
        # changed move their cards (and those cards' reviews) to the new groups.
        cards_sig, notes_sig, top = self._sigs(col)
        if cards_sig[:3] != self._cards_sig[:3] or not self._cards_sig[3]:
            self._recard(col, cards_sig)
        if notes_sig[:3] != self._notes_sig[:3] or not self._notes_sig[3]:
            self._renote(col)
            self._notes_sig = notes_sig
        self._new_reviews(col, today, cutoff, top)

    def _renote(self, col: Collection) -> None:
        old = self._note_gid
        self._read_notes(col, 0)
        moved = [
            nid
            for nid in old.keys() | self._note_gid.keys()
            if old.get(nid, 0) != self._note_gid.get(nid, 0)
        ]
        if not moved:
            return
        if len(moved) > BACKFILL_LIMIT:
            raise _Reset
        placeholders = ",".join("?" * len(moved))
        rows = _db(col).all(
            f"SELECT {self._card_columns()} FROM cards WHERE nid IN ({placeholders})", *moved
        )
        moved_cards = [int(r[0]) for r in rows]
        if len(moved_cards) > BACKFILL_LIMIT:
            raise _Reset
        # Take the cards' reviews out under their old group, then back in under the new.
        self._apply_history(col, moved_cards, -1)
        for cid in moved_cards:
            self._drop_card(cid)
        self._read_cards(rows)
        self._apply_history(col, moved_cards, +1)

    def _drop_card(self, cid: int) -> None:
        card = self._cards.pop(cid, None)
        if card is not None:
            self._buckets[card.gid][card.bucket] -= 1
            self._with_memory[card.gid].pop(cid, None)
            self._k_pending.discard(cid)
            value = self._r.pop(cid, None)
            if value is not None:
                exact = _exact(value)
                for ci in self._groups[card.gid]:
                    self._k_exact[ci] -= exact

    def _recard(self, col: Collection, sig: _Sig) -> None:
        count, total, newest, settled = self._cards_sig
        # Once settled, cards at the newest mod we saw cannot have changed since.
        rows = self._card_rows(col, newest + 1 if settled else newest)
        fresh: list[int] = []
        for row in rows:
            cid, mod = int(row[0]), int(row[2])
            old = self._card_mod.get(cid)
            if old is None:
                count += 1
                fresh.append(cid)
            else:
                total -= old
            total += mod
        if (count, total) != sig[:2]:
            raise _Reset  # deletions, undo restoring older mods: start over
        for row in rows:
            cid = int(row[0])
            card = self._cards.get(cid)
            if card is not None:
                self._drop_card(cid)
        self._read_cards(rows)
        if len(fresh) > BACKFILL_LIMIT:
            raise _Reset
        # New cards may arrive with older history (an import with scheduling): count it,
        # and add it for the ones in a course.
        self._rev_count += self._apply_history(col, fresh, +1)
        self._cards_sig = sig

    def _apply_history(self, col: Collection, cids: list[int], sign: int) -> int:
        """Add (or remove) the stored reviews of ``cids`` under their current groups."""
        if not cids:
            return 0
        placeholders = ",".join("?" * len(cids))
        rows = _db(col).all(
            "SELECT id, cid, ease, type, lastIvl, factor, time FROM revlog"
            f" WHERE cid IN ({placeholders}) AND id <= ?",
            *cids,
            self._rev_last,
        )
        self._add_reviews(rows, sign)
        return len(rows)

    def _add_reviews(
        self, rows: Iterable[Sequence[Any]], sign: int, groups: dict[int, int] | None = None
    ) -> None:
        """Add (or take out) revlog rows under their cards' groups, or ``groups[cid]``."""
        last_ms = self._cutoff * 1000 - 1
        today = self._today
        first_day, _ = self._window_days(today, self._cutoff)
        # Retention counts exist per day from the last full read's window onwards.
        retention_first = self._retention_first
        floor = min(first_day, retention_first)
        cards = self._cards
        for rid, cid, ease, kind, last_ivl, factor, ms in rows:
            if groups is None:
                card = cards.get(int(cid))
                gid = 0 if card is None else card.gid
            else:
                gid = groups.get(int(cid), 0)
            if not gid or int(ease) <= 0:
                continue
            day = today - _days_ago(last_ms, int(rid))
            if day < floor:
                continue
            bucket = self._days[gid].setdefault(day, [0, 0, 0, 0])
            bucket[0] += sign
            bucket[1] += sign * int(ms)
            if day >= retention_first and retention_eligible(
                int(ease), int(kind), int(last_ivl), int(factor)
            ):
                bucket[2 if int(ease) > 1 else 3] += sign

    def _new_reviews(self, col: Collection, today: int, cutoff: int, top: tuple[int, int]) -> None:
        last, count = top
        if last == self._rev_last and count == self._rev_count:
            return
        if last < self._rev_last:
            raise _Reset  # an answer was undone
        rows = _db(col).all(
            "SELECT id, cid, ease, type, lastIvl, factor, time FROM revlog"
            " WHERE id > ? AND id <= ?",
            self._rev_last,
            last,
        )
        if self._rev_count + len(rows) != count:
            raise _Reset  # rows removed or inserted below the last id we saw
        self._today, self._cutoff = today, cutoff
        self._add_reviews(rows, +1)
        self._rev_last, self._rev_count = last, count

    # -- results ------------------------------------------------------------------------

    def _results(self, cutoff: int) -> dict[str, CourseMemory]:
        today = self._today
        first_day, last_day = self._window_days(today, cutoff)
        today_date = self._today_date(cutoff)
        window = range(first_day, last_day + 1)
        retention_first = today - self.retention_days + 1
        out: dict[str, CourseMemory] = {}
        per_course: list[list[int]] = [[] for _ in self.plan.courses]
        for gid, courses in enumerate(self._groups):
            for ci in courses:
                per_course[ci].append(gid)
        if self._fsrs:
            self._update_knowledge()
        for ci, course in enumerate(self.plan.courses):
            gids = per_course[ci]
            counts = [sum(self._buckets[g][b] for g in gids) for b in range(5)]
            reviews: list[tuple[dt.date, int]] = []
            seconds: list[tuple[dt.date, float]] = []
            total_ms = 0
            for day in window:
                n = ms = 0
                for g in gids:
                    agg = self._days[g].get(day)
                    if agg is not None:
                        n += agg[0]
                        ms += agg[1]
                date = today_date - dt.timedelta(days=today - day)
                reviews.append((date, n))
                seconds.append((date, ms / 1000.0))
                total_ms += ms
            passed = failed = 0
            for g in gids:
                for day, agg in self._days[g].items():
                    if retention_first <= day <= today:
                        passed += agg[2]
                        failed += agg[3]
            out[course.id] = CourseMemory(
                course=course.id,
                new=counts[NEW],
                learning=counts[LEARNING],
                young=counts[YOUNG],
                mature=counts[MATURE],
                suspended=counts[SUSPENDED],
                total=sum(counts),
                reviews_by_day=tuple(reviews),
                seconds_by_day=tuple(seconds),
                review_seconds=total_ms / 1000.0,
                retention=passed / (passed + failed) if passed + failed else None,
                knowledge=self._knowledge(ci) if self._fsrs else None,
            )
        return out

    def _update_knowledge(self) -> None:
        at = self.knowledge_time
        if self._k_all:
            self._r = {}
            self._k_exact = [0] * len(self.plan.courses)
            todo: Iterable[tuple[int, int, _Memory]] = (
                (gid, cid, memory)
                for gid, members in enumerate(self._with_memory)
                for cid, memory in members.items()
            )
        else:
            todo = (
                (self._cards[cid].gid, cid, self._with_memory[self._cards[cid].gid][cid])
                for cid in self._k_pending
            )
        r = self._r
        # Whole multiples of 2**-60 for R >= 2**-7 (int() of the scaled float is exact and
        # cheap); exact ratios for the rare smaller values.
        coarse = [0] * len(self._groups)
        fine = [0] * len(self._groups)
        factors: dict[float, float] = {}
        today = self._today
        for gid, cid, (stability, decay, last, day) in todo:
            factor = factors.get(decay)
            if factor is None:
                factor = factors[decay] = 0.9 ** (-1.0 / decay) - 1.0
            if last < 0:
                elapsed = (today - day) * 86_400.0 if today > day else 0.0
            else:
                elapsed = at - last if at > last else 0.0
            # retrievability(), inlined: this runs for every FSRS card on a full read.
            value = (1.0 + factor * elapsed / 86_400.0 / stability) ** -decay
            r[cid] = value
            if value >= 0.0078125:
                coarse[gid] += int(value * 1152921504606846976.0)  # 2**60
            else:
                fine[gid] += _exact(value)
        for gid in range(len(self._groups)):
            total = (coarse[gid] << (_EXACT_SHIFT - 60)) + fine[gid]
            if total:
                for ci in self._groups[gid]:
                    self._k_exact[ci] += total
        self._k_pending = set()
        self._k_all = False

    def _knowledge(self, ci: int) -> float:
        # int / int is correctly rounded: the same float as math.fsum of the values.
        return self._k_exact[ci] / _EXACT_ONE
