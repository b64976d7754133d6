"""The SQL that reads the memory numbers from a collection, as text (:mod:`.reads` runs it).

- Anki's rules, rendered from the conditions of :mod:`learnplan.progress.recall`: a card's
  bucket, which revlog rows are answers, which count for true retention, which passed.
- The card -> group expression for the revlog grouping (a group is a set of courses, 0
  none): a ``CASE`` over the long runs of consecutive card ids (a course's cards are
  created together, one import per course), with the cards it puts in the wrong group
  listed so their rows can be moved; or, where courses interleave card by card, set
  lookups (exact, slower).
- The grouped revlog ``SELECT``s, one per slice of study days, and their batching into
  ``UNION ALL`` statements.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import compress, pairwise, repeat
from operator import ne
from typing import Any, NamedTuple

from learnplan.progress.recall import (
    ANSWERED,
    CARD_BUCKETS,
    OTHER_BUCKET,
    PASSED,
    RETENTION_ROWS,
    AllOf,
    AnyOf,
    Compare,
    Condition,
)

DAY_MS = 86_400_000
#: Card-id ranges above this many fall back to set lookups for the revlog grouping.
RANGE_LIMIT = 4096
#: Consecutive card ids of one group from which the revlog grouping gives them their own
#: id range; shorter runs are put right card by card (see :func:`group_by_runs`).
MIN_RUN = 64
#: Cards put right card by card above which the grouping uses set lookups instead.
EXCEPTION_LIMIT = 20_000
#: Revlog rows per grouped SELECT on a full read (see :func:`grouped_selects`).
REVLOG_SLICE = 10_000
MAX_COMPOUND = 400  # SELECTs per UNION ALL statement (SQLite allows 500 by default)
MAX_STATEMENT = 1_000_000  # characters of SQL per statement, about (parsing takes time)

# --- Anki's rules -----------------------------------------------------------------------


def condition_sql(condition: Condition) -> str:
    """``condition`` as an SQL expression over the row's columns (true or false, never
    NULL for the non-NULL integer columns of Anki's tables)."""
    if isinstance(condition, Compare):
        if not condition.column.isidentifier():
            raise ValueError(f"not a column name: {condition.column!r}")
        return f"{condition.column} {condition.op} {int(condition.value)}"
    if isinstance(condition, (AllOf, AnyOf)):
        joint = " AND " if isinstance(condition, AllOf) else " OR "
        return "(" + joint.join(map(condition_sql, condition.parts)) + ")"
    inner = condition_sql(condition.part)
    return f"NOT {inner}" if inner.startswith("(") else f"NOT ({inner})"


#: A card's bucket (see ``recall.card_bucket``), from its ``type``, ``queue`` and ``ivl``.
BUCKET_SQL = (
    "CASE "
    + " ".join(f"WHEN {condition_sql(c)} THEN {bucket}" for c, bucket in CARD_BUCKETS)
    + f" ELSE {OTHER_BUCKET} END"
)
ANSWERED_SQL = condition_sql(ANSWERED)
PASSED_SQL = condition_sql(PASSED)
RETENTION_SQL = condition_sql(RETENTION_ROWS)

#: Retention answers summed as one number: a passed one adds 1, a failed one FAILED.
FAILED = 1 << 32
PACKED_SQL = f"(CASE WHEN {PASSED_SQL} THEN 1 ELSE {FAILED} END)"


def unpack(packed: Any) -> tuple[int, int]:
    """(passed, failed) from a sum of :data:`PACKED_SQL` (NULL: none)."""
    total = int(packed or 0)
    return total % FAILED, total // FAILED


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def card_exprs(fsrs: bool, today: int) -> list[str]:
    """What is read of each card after its id: nid, mod, bucket, data (its FSRS memory
    state; NULL without FSRS) and the study day of its last review for data without one.
    """
    if not fsrs:
        return ["nid", "mod", BUCKET_SQL, "NULL", "NULL"]
    # Cards answered before Anki stored "lrt": like Anki's stats, the study day of the
    # last review is due - interval (review cards), counted in whole days; else today.
    due = "(CASE WHEN odid THEN odue ELSE due END)"
    fallback = f"CASE WHEN type IN (2, 3) AND {due} < 1000000000 THEN {due} - ivl ELSE {today} END"
    # The data column as it is: parsing its JSON in Python costs the reading thread time
    # it has while the revlog queries run; json_extract took SQLite ~30 ms.
    return ["nid", "mod", BUCKET_SQL, "data", fallback]


# --- card -> group ----------------------------------------------------------------------


class GroupPlan(NamedTuple):
    """How the grouped revlog query tells a row's group from its ``cid``."""

    expr: str  # SQL over ``cid``: the group (0: no course)
    args: list[Any]  # its parameters
    #: Card ids whose rows ``expr`` puts in the wrong group: (that group, the right one).
    exceptions: dict[int, tuple[int, int]]
    starts: list[int]  # the runs' first card ids, ascending (none for set lookups)
    values: list[int]  # and their groups


def _range_case(starts: Sequence[int], values: Sequence[int], lo: int, hi: int) -> str:
    # A balanced CASE tree over sorted range starts: log2(n) comparisons a row.
    if hi - lo == 1:
        return str(values[lo])
    mid = (lo + hi) // 2
    left = _range_case(starts, values, lo, mid)
    right = _range_case(starts, values, mid, hi)
    return f"CASE WHEN cid < {starts[mid]} THEN {left} ELSE {right} END"


def group_by_runs(ids: list[int], gids: list[int]) -> GroupPlan | None:
    """A CASE over the runs of card ids of one group, or None where courses interleave
    too much for that (then :func:`group_by_sets`).

    A course's cards come in long runs of consecutive ids (one import each), so a CASE over
    the runs' first ids costs a few comparisons a row; cards added later one by one fall
    inside other runs and are listed as exceptions, to be put right from their own rows.
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
        return GroupPlan("0", [], exceptions, starts, values)
    tree = _range_case(starts, values, 0, len(starts))
    return GroupPlan(
        f"CASE WHEN cid < {starts[0]} THEN 0 ELSE {tree} END", [], exceptions, starts, values
    )


def group_by_sets(ids: list[int], gids: list[int]) -> GroupPlan:
    """One set lookup per group, biggest first (exact: nothing to put right). ``ids`` and
    ``gids`` as for :func:`group_by_runs`."""
    members: dict[int, list[int]] = {}
    for cid, gid in zip(ids, gids, strict=True):
        if gid:
            members.setdefault(gid, []).append(cid)
    if not members:
        return GroupPlan("0", [], {}, [], [])
    order = sorted(members, key=lambda g: -len(members[g]))
    whens = " ".join(f"WHEN cid IN (SELECT value FROM json_each(?)) THEN {g}" for g in order)
    return GroupPlan(
        f"CASE {whens} ELSE 0 END", [json.dumps(members[g]) for g in order], {}, [], []
    )


def misplaced(plan: GroupPlan, deleted: Iterable[int]) -> dict[tuple[int, int], list[int]]:
    """Card ids whose revlog rows ``plan.expr`` puts in the wrong group, per (that group,
    the right one): its exceptions and the ``deleted`` cards inside a run (their reviews
    stay in the revlog and belong to no course)."""
    moved = dict(plan.exceptions)
    starts, values = plan.starts, plan.values
    for cid in deleted:
        at = bisect_right(starts, cid)
        if at and values[at - 1]:
            moved[cid] = (values[at - 1], 0)
    pairs: dict[tuple[int, int], list[int]] = {}
    for cid, pair in moved.items():
        pairs.setdefault(pair, []).append(cid)
    return pairs


# --- the revlog, grouped ----------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The revlog rows a full read groups, by study day counted back from today's."""

    last_ms: int  # the last millisecond of today's study day
    oldest: int  # days ago of the first study day kept
    retention_ago: int  # days ago of the retention window's first study day
    rev_last: int  # the revlog's highest id when its signature was taken

    def day_start(self, ago: int) -> int:
        """The first revlog id of the study day ``ago`` days back."""
        return self.last_ms - (ago + 1) * DAY_MS + 1


Select = tuple[str, list[Any]]


def grouped_selects(expr: str, args: list[Any], window: Window, rev_count: int) -> list[Select]:
    """SELECTs of (group, days ago, answers, ms, packed retention answers) over the
    window's answers, grouped by ``expr`` (see :class:`GroupPlan`) and study day.

    SQLite sorts for GROUP BY; sorting a slice of days at a time is cheaper than one big
    sort (which spills to disk at a million rows), and each (group, day) still comes from
    one slice. Set lookups rebuild their sets for every SELECT: one slice then. The whole
    revlog's count (``rev_count``) stands in for the window's (counting that took ~17 ms at
    1M rows): more slices than needed only cost a few more small SELECTs.
    """
    oldest = window.oldest
    since_ret = window.day_start(window.retention_ago)
    slices = 1 if args else max(1, min(oldest + 1, rev_count // REVLOG_SLICE))
    step = -(-(oldest + 1) // slices)
    single = step == 1
    selects: list[Select] = []
    for top_ago in range(oldest, -1, -step):
        low = window.day_start(top_ago)
        high = window.day_start(top_ago - step) - 1 if top_ago - step >= 0 else window.rev_last
        high = min(high, window.rev_last)
        # A slice of one day groups by course only; retention is summed only where the
        # slice reaches into its window, and tested per row only where it straddles it.
        if low >= since_ret:
            retention = f"sum(CASE WHEN {RETENTION_SQL} THEN {PACKED_SQL} END)"
        elif high < since_ret:
            retention = "NULL"
        else:
            retention = (
                f"sum(CASE WHEN id >= {since_ret} AND {RETENTION_SQL} THEN {PACKED_SQL} END)"
            )
        sql = (
            f"SELECT {expr} AS g,"
            f" {'? AS ago' if single else f'(? - id) / {DAY_MS} AS ago'},"
            f" count(), sum(time), {retention} FROM revlog"
            f" WHERE id >= ? AND id <= ? AND {ANSWERED_SQL}"
            f" GROUP BY {'g' if single else 'g, ago'}"
        )
        selects.append((sql, [*args, top_ago if single else window.last_ms, low, high]))
    return selects


def moved_selects(pairs: dict[tuple[int, int], list[int]], window: Window) -> list[Select]:
    """SELECTs of (index into ``pairs``, days ago, answers, ms, packed retention answers)
    for the cards of each pair (see :func:`misplaced`), as :func:`grouped_selects` counts
    them: a few rows per card, found by ``cid`` ("+id": not by scanning the id range)."""
    since_ret = window.day_start(window.retention_ago)
    sql = (
        f"SELECT ? AS k, (? - id) / {DAY_MS} AS ago, count(), sum(time),"
        f" sum(CASE WHEN id >= {since_ret} AND {RETENTION_SQL} THEN {PACKED_SQL} END)"
        " FROM revlog WHERE cid IN (SELECT value FROM json_each(?))"
        f" AND +id >= ? AND +id <= ? AND {ANSWERED_SQL} GROUP BY ago"
    )
    since = window.day_start(window.oldest)
    return [
        (sql, [k, window.last_ms, json.dumps(cids), since, window.rev_last])
        for k, cids in enumerate(pairs.values())
    ]


def union_all(selects: Sequence[Select]) -> Iterator[Select]:
    """The SELECTs joined into as few ``UNION ALL`` statements as SQLite takes: few trips
    through the DB bridge, and the GIL stays released for the whole of each statement (it
    is re-taken between statements, which waits for the other thread's switch interval).
    A long SELECT (a group expression of many ranges) makes fewer per statement."""
    if not selects:
        return
    per = max(1, min(MAX_COMPOUND, MAX_STATEMENT // max(len(sql) for sql, _ in selects)))
    for at in range(0, len(selects), per):
        part = selects[at : at + per]
        yield " UNION ALL ".join(sql for sql, _ in part), [p for _, ps in part for p in ps]


#: What incremental reads take of each revlog row (see ``Ledger.add_reviews``).
REVLOG_COLUMNS = f"id, cid, time, {ANSWERED_SQL}, {RETENTION_SQL}, {PASSED_SQL}"
