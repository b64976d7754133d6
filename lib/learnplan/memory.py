"""How much of each course the learner still remembers, read from an Anki collection.

Per course (its notes are those tagged ``plan.course_tag(id)`` or a child of it, matched
case-insensitively like Anki's ``tag:`` search): card counts by state, reviews and review
time per study day, true retention and, with FSRS on, estimated knowledge.

Everything is read with plain ``SELECT``s (never a write) and aggregated inside SQLite:
moving rows into Python through Anki's DB bridge costs about a microsecond a row, so a
million revlog rows must be grouped by (course, day) before they leave the database. The
card -> course mapping reaches SQL as a ``CASE`` over sorted card-id ranges, which is
cheap because a course's cards are created together (one import per course); a collection
where courses interleave card by card falls back to set lookups (exact, slower).

:class:`MemoryTracker` keeps the per-card and per-day state between calls so that a
refresh after a few answers reads only the new revlog rows and the changed cards; anything
it cannot account for exactly (undo, deletions, a changed rollover hour) makes it start
over, so its results always equal a fresh :func:`course_memory`.

``anki`` is imported only for type checking: the functions take a live collection.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from .plan import Plan

if TYPE_CHECKING:
    from anki.collection import Collection
    from anki.dbproxy import DBProxy

MATURE_IVL = 21  # days; Anki's young/mature boundary (stats, search, true retention)
RETENTION_DAYS = 28
#: Knowledge (sum of retrievability) is evaluated at ``now`` rounded down to this many
#: seconds, so refreshes within the step reuse per-card values; R moves ~1e-5 a minute.
KNOWLEDGE_STEP = 600
#: Decay for FSRS memory states that carry none (Anki's FSRS5_DEFAULT_DECAY).
FSRS5_DEFAULT_DECAY = 0.5
#: Card-id ranges above this many fall back to set lookups for the revlog grouping.
RANGE_LIMIT = 4096
#: New cards with review history (e.g. imported with scheduling) above this many make
#: the tracker start over instead of reading their revlog rows card by card.
BACKFILL_LIMIT = 2000
#: Revlog rows per grouped query on a full read (see _read_revlog).
REVLOG_SLICE = 25_000

_DAY_MS = 86_400_000
NEW, LEARNING, YOUNG, MATURE, SUSPENDED = range(5)


@dataclass(frozen=True)
class CourseMemory:
    course: str
    new: int
    learning: int  # learning + relearning
    young: int  # review, interval < 21 days
    mature: int  # review, interval >= 21 days
    suspended: int  # only here, not also in the buckets above; buried cards count by type
    total: int
    reviews_by_day: tuple[tuple[dt.date, int], ...]  # every study day of the plan window
    seconds_by_day: tuple[tuple[dt.date, float], ...]
    review_seconds: float  # answers within the plan window (Anki caps each answer's time)
    retention: float | None  # true retention over the last RETENTION_DAYS study days
    knowledge: float | None  # FSRS: sum of retrievability; None when FSRS is off


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


def card_bucket(ctype: int, queue: int, ivl: int) -> int:
    """Anki's card-count buckets, with suspended cards apart and buried ones by type."""
    if queue == -1:
        return SUSPENDED
    if ctype == 0:
        return NEW
    if ctype == 2:
        return YOUNG if ivl < MATURE_IVL else MATURE
    return LEARNING  # type 1 learning, 3 relearning


def retention_eligible(ease: int, kind: int, last_ivl: int, factor: int) -> bool:
    """Whether a revlog row counts for true retention, as in Anki's stats.

    Follows ``GraphsContext::calculate_true_retention`` in Anki's
    ``rslib/src/stats/graphs/retention.rs``: rows that carry a rating and affect
    scheduling (not manual/rescheduled entries, not filtered-deck previews without
    rescheduling), of review kind or of cards whose previous interval was at least a day.
    A row passes when its button is not Again (ease > 1).
    """
    if ease <= 0 or kind >= 4 or (kind == 3 and factor == 0):
        return False
    return kind == 1 or last_ivl <= -86_400 or last_ivl >= 1


_ELIGIBLE_SQL = (
    "(ease > 0 AND type < 4 AND NOT (type = 3 AND factor = 0)"
    " AND (type = 1 OR lastIvl <= -86400 OR lastIvl >= 1))"
)


def retrievability(stability: float, decay: float, elapsed_secs: float) -> float:
    """FSRS power forgetting curve (R = 0.9 after ``stability`` days), as Anki uses it."""
    factor = 0.9 ** (-1.0 / decay) - 1.0
    return float((1.0 + factor * max(elapsed_secs, 0.0) / 86_400.0 / stability) ** -decay)


def tag_courses(tags: str, course_tags: dict[str, int]) -> tuple[int, ...]:
    """Indices of the courses a note's tag string puts it in (tag or a child tag)."""
    found: set[int] = set()
    for tag in tags.split():
        low = tag.lower()
        hit = course_tags.get(low)
        if hit is not None:
            found.add(hit)
        start = 0
        while True:
            pos = low.find("::", start)
            if pos < 0:
                break
            hit = course_tags.get(low[:pos])
            if hit is not None:
                found.add(hit)
            start = pos + 2
    return tuple(sorted(found))


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


CHUNK = 25_000


def _chunks(
    col: Collection, select: str, condition: str = "", *args: Any
) -> Iterator[list[Sequence[Any]]]:
    """Rows of ``select ... WHERE condition`` in id order (id first), a chunk at a time.

    The DB bridge hands over every row at once as Python lists; reading 100k cards in
    one go costs several times the peak memory of reading them in slices.
    """
    where = f"({condition}) AND " if condition else ""
    query = f"{select} WHERE {where}id > ? ORDER BY id LIMIT {CHUNK}"
    last = -(2**63)
    while True:
        rows = _db(col).all(query, *args, last)
        if rows:
            yield rows
        if len(rows) < CHUNK:
            return
        last = int(rows[-1][0])


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

    # -- public -------------------------------------------------------------------------

    def refresh(self, col: Collection, *, now: float | None = None) -> dict[str, CourseMemory]:
        clock = time.time() if now is None else now
        at = math.floor(clock / KNOWLEDGE_STEP) * KNOWLEDGE_STEP if now is None else clock
        today = int(col.sched.today)
        cutoff = int(col.sched.day_cutoff)
        fsrs = bool(col.get_config("fsrs", False))
        epoch = cutoff - 86_400 * today
        if not self._ready or epoch != self._epoch or fsrs != self._fsrs:
            self._full(col, today, cutoff, fsrs)
        else:
            try:
                self._incremental(col, today, cutoff)
            except _Reset:
                self._full(col, today, cutoff, fsrs)
        self._today, self._cutoff = today, cutoff
        if at != self.knowledge_time:
            self._k_all = True
        self.knowledge_time = at
        return self._results(cutoff)

    # -- full read ----------------------------------------------------------------------

    def _full(self, col: Collection, today: int, cutoff: int, fsrs: bool) -> None:
        self._ready = False
        self._epoch = cutoff - 86_400 * today
        self._fsrs = fsrs
        self._today, self._cutoff = today, cutoff
        self._retention_first = today - self.retention_days + 1
        self._groups: list[tuple[int, ...]] = [()]
        self._group_ids: dict[tuple[int, ...], int] = {(): 0}
        self._tag_cache: dict[str, int] = {}
        self._note_gid: dict[int, int] = {}
        self._cards: dict[int, _Card] = {}
        self._card_mod: dict[int, int] = {}
        self._buckets: list[list[int]] = [[0] * 5]
        self._days: list[dict[int, list[int]]] = [{}]
        # Per group: card id -> FSRS memory, for cards that have one.
        self._with_memory: list[dict[int, _Memory]] = [{}]
        self._k_all = True

        # Signatures first: a change made while we read shows up on the next refresh.
        self._cards_sig, self._notes_sig, (self._rev_last, self._rev_count) = self._sigs(col)
        self._read_notes(col)
        for chunk in _chunks(col, f"SELECT {self._card_columns()} FROM cards"):
            self._read_cards(chunk)
        self._read_revlog(col, today, cutoff)
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

    def _read_notes(self, col: Collection) -> None:
        prefix = f"{self.plan.id}::course::"
        # LIKE folds ASCII case only; that is enough to pre-filter by an ASCII prefix.
        condition = "tags LIKE ? ESCAPE '\\'" if prefix.isascii() else ""
        args = [f"% {_like_escape(prefix)}%"] if condition else []
        note_gid: dict[int, int] = {}
        for chunk in _chunks(col, "SELECT id, tags FROM notes", condition, *args):
            for nid, tags in chunk:
                gid = self._tags_gid(str(tags))
                if gid:
                    note_gid[int(nid)] = gid
        self._note_gid = note_gid

    def _card_columns(self) -> str:
        """id, nid, mod, bucket (as card_bucket), FSRS "[s,decay,lrt]", fallback last review."""
        bucket = (
            f"CASE WHEN queue = -1 THEN {SUSPENDED} WHEN type = 0 THEN {NEW}"
            f" WHEN type = 2 THEN (CASE WHEN ivl < {MATURE_IVL} THEN {YOUNG} ELSE {MATURE} END)"
            f" ELSE {LEARNING} END"
        )
        if not self._fsrs:
            return f"id, nid, mod, {bucket}, NULL, NULL"
        # Cards answered before Anki stored "lrt": like Anki's stats, the study day of
        # the last review is due - interval (review cards), counted in whole days; else
        # today.
        due = "(CASE WHEN odid THEN odue ELSE due END)"
        fallback = (
            f"CASE WHEN type IN (2, 3) AND {due} < 1000000000"
            f" THEN {due} - ivl ELSE {self._today} END"
        )
        memory = (
            "CASE WHEN data LIKE '%\"s\":%' AND json_valid(data)"
            " THEN json_extract(data, '$.s', '$.decay', '$.lrt') END"
        )
        return f"id, nid, mod, {bucket}, {memory}, {fallback}"

    def _card_rows(self, col: Collection, since_mod: int) -> list[Sequence[Any]]:
        return _db(col).all(f"SELECT {self._card_columns()} FROM cards WHERE mod >= ?", since_mod)

    @staticmethod
    def _memory(raw: str, fallback: int) -> _Memory | None:
        # json_extract of three paths gives "[s,decay,lrt]" (numbers or null); splitting
        # it is several times faster than json.loads for 100k cards.
        s_text, decay_text, last_text = raw[1:-1].split(",")
        if s_text == "null" or float(s_text) <= 0:
            return None
        decay = FSRS5_DEFAULT_DECAY if decay_text == "null" else float(decay_text)
        if decay <= 0:
            decay = FSRS5_DEFAULT_DECAY
        if last_text == "null":
            return float(s_text), decay, -1.0, int(fallback)
        return float(s_text), decay, float(last_text), 0

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

    @staticmethod
    def _sigs(col: Collection) -> tuple[_Sig, _Sig, tuple[int, int]]:
        """Cards' and notes' (count, sum of mod, max mod, settled); revlog's (max id, count).

        Any edit changes a table's sum of ``mod``. ``mod`` has one-second resolution, so
        while the newest change is from the current second, more changes may follow with
        the same ``mod``: not settled yet. One round trip for all three.
        """
        started = int(time.time())
        rows = _db(col).all(
            "SELECT count(), total(mod), coalesce(max(mod), 0) FROM cards"
            " UNION ALL SELECT count(), total(mod), coalesce(max(mod), 0) FROM notes"
            # count() alone uses SQLite's fast count; with max() beside it, it scans.
            " UNION ALL SELECT (SELECT count() FROM revlog), 0,"
            " (SELECT coalesce(max(id), 0) FROM revlog)"
        )
        (cn, ct, cm), (nn, nt, nm), (rn, _, rm) = ((int(a), float(b), int(c)) for a, b, c in rows)
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

    def _group_expr(self, col: Collection) -> tuple[str, list[Any]]:
        """SQL expression giving a revlog row's group id from ``cid`` (0: no course)."""
        cards = self._cards
        # Reviews of deleted cards stay in the revlog; they belong to no course and must
        # break the id ranges they fall into.
        orphans = _db(col).list(
            "SELECT DISTINCT cid FROM revlog WHERE cid NOT IN (SELECT id FROM cards)"
        )
        ids = sorted([*self._card_mod, *(int(o) for o in orphans)])
        starts: list[int] = []
        values: list[int] = []
        prev = -1
        for cid in ids:
            card = cards.get(cid)
            gid = card.gid if card is not None else 0
            if gid != prev:
                starts.append(cid)
                values.append(gid)
                prev = gid
        if not starts:
            return "0", []
        if len(starts) <= RANGE_LIMIT:
            tree = _range_case(starts, values, 0, len(starts))
            return f"CASE WHEN cid < {starts[0]} THEN 0 ELSE {tree} END", []
        # Interleaved courses: one set lookup per group, biggest first.
        members: dict[int, list[int]] = {}
        for cid, card in cards.items():
            members.setdefault(card.gid, []).append(cid)
        order = sorted(members, key=lambda g: -len(members[g]))
        whens = " ".join(f"WHEN cid IN (SELECT value FROM json_each(?)) THEN {g}" for g in order)
        return f"CASE {whens} ELSE 0 END", [json.dumps(members[g]) for g in order]

    def _read_revlog(self, col: Collection, today: int, cutoff: int) -> None:
        last_ms = cutoff * 1000 - 1
        first_day, _ = self._window_days(today, cutoff)
        retention_first = today - self.retention_days + 1
        oldest = today - min(first_day, retention_first)  # in days ago

        def day_start(ago: int) -> int:  # first revlog id of the study day ``ago`` days back
            return last_ms - (ago + 1) * _DAY_MS + 1

        since_ret = day_start(today - retention_first)
        rows = _db(col).scalar(
            "SELECT count() FROM revlog WHERE id >= ? AND id <= ?",
            day_start(oldest),
            self._rev_last,
        )
        # SQLite sorts for GROUP BY; several sorts of slices of whole days are cheaper
        # than one big sort (and each (group, day) still comes from one slice).
        expr, args = self._group_expr(col)
        # Set lookups rebuild their sets for every query: one slice for those.
        slices = 1 if args else max(1, min(oldest + 1, int(rows or 0) // REVLOG_SLICE))
        step = -(-(oldest + 1) // slices)
        # The group expression is the costly part, so it runs once a row (the subquery
        # with LIMIT -1 is not flattened into the outer query), and retention is folded
        # in as a CASE that only rows of the retention window get past.
        sql = (
            f"SELECT g, (? - id) / {_DAY_MS} AS ago, count(), total(time),"
            " total(r = 2), total(r = 1) FROM"
            f" (SELECT {expr} AS g, id, time,"
            f" CASE WHEN id >= ? AND {_ELIGIBLE_SQL} THEN 1 + (ease > 1) END AS r"
            " FROM revlog WHERE id >= ? AND id <= ? AND ease > 0 LIMIT -1)"
            " WHERE g > 0 GROUP BY g, ago"
        )
        days = self._days
        for top_ago in range(oldest, -1, -step):
            low = day_start(top_ago)
            high = day_start(top_ago - step) - 1 if top_ago - step >= 0 else self._rev_last
            for gid, ago, count, ms, passed, failed in _db(col).all(
                sql, last_ms, *args, since_ret, low, min(high, self._rev_last)
            ):
                days[int(gid)][today - int(ago)] = [int(count), int(ms), int(passed), int(failed)]

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
        self._read_notes(col)
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

    def _add_reviews(self, rows: Iterable[Sequence[Any]], sign: int) -> None:
        last_ms = self._cutoff * 1000 - 1
        today = self._today
        first_day, _ = self._window_days(today, self._cutoff)
        # Retention counts exist per day from the last full read's window onwards.
        retention_first = self._retention_first
        floor = min(first_day, retention_first)
        cards = self._cards
        for rid, cid, ease, kind, last_ivl, factor, ms in rows:
            card = cards.get(int(cid))
            if card is None or int(ease) <= 0:
                continue
            day = today - _days_ago(last_ms, int(rid))
            if day < floor:
                continue
            bucket = self._days[card.gid].setdefault(day, [0, 0, 0, 0])
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
