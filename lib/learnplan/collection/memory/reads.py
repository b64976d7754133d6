"""The memory numbers' reads of a collection: the SQL of :mod:`.sql` run through Anki's DB
bridge. Plain ``SELECT``s only, never a write.

Moving rows into Python through the bridge costs about a microsecond a row but little per
byte, so rows are grouped inside SQLite before they leave it (a million revlog rows by
(group, day)) and cards cross it as a few long strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from learnplan.collection.memory.sql import (
    REVLOG_COLUMNS,
    GroupPlan,
    Window,
    grouped_selects,
    like_escape,
    misplaced,
    moved_selects,
    union_all,
    unpack,
)

if TYPE_CHECKING:
    from anki.collection import Collection
    from anki.dbproxy import DBProxy

#: Rows per read of cards or notes (bounds the strings and lists held at once).
CHUNK = 25_000
SEP = "\x7f"  # between the values of a column in column_chunks

#: A table's (row count, sum of mod, max mod, settled); see :func:`signatures`.
Sig = tuple[int, float, int, bool]
#: (group, study day, answers, milliseconds, retention passed, failed)
Grouped = tuple[int, int, int, int, int, int]
#: (wrong group, right group, study day, answers, ms, retention passed, failed)
Move = tuple[int, int, int, int, int, int, int]


def db(col: Collection) -> DBProxy:
    db = col.db
    if db is None:
        raise RuntimeError("the collection is closed")
    return db


def column_chunks(
    col: Collection, source: str, exprs: Sequence[str]
) -> Iterator[tuple[list[str], ...]]:
    """Columns ``id, *exprs`` of ``source`` in id order, as strings (NULL is ""), CHUNK
    rows a time.

    Each chunk crosses the DB bridge as one row of ``group_concat`` strings: 100k rows
    arrive ~4x faster than row by row. All aggregates of one query step over the same rows
    in the same order, so the columns line up; a value containing the separator shows up
    as a column of the wrong length, and that chunk is then read row by row.
    """
    names = ["id", *(f"c{i}" for i in range(len(exprs)))]
    inner = ", ".join(["id", *(f"{e} AS c{i}" for i, e in enumerate(exprs))])
    # The separator as a literal: char() would be called for every row. DEL, not a
    # control character: those cross the bridge's JSON as six-byte escapes (~10 ms more
    # for 100k notes' tags).
    concat = ", ".join(f"group_concat(ifnull({n}, ''), '{SEP}')" for n in names)
    query = (
        f"SELECT count(), max(id), {concat} FROM"
        f" (SELECT {inner} FROM {source} WHERE id > ? ORDER BY id LIMIT {CHUNK})"
    )
    last = -(2**63)
    while True:
        row = db(col).first(query, last)
        count = int(row[0]) if row else 0
        if not count or row is None:
            return
        top = int(row[1])
        columns = tuple(str(text).split(SEP) for text in row[2:])
        if any(len(c) != count for c in columns):
            rows = db(col).all(
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


def card_rows(col: Collection, exprs: Sequence[str], where: str, *args: Any) -> list[Sequence[Any]]:
    """``id, *exprs`` of the cards ``where`` selects."""
    return db(col).all(f"SELECT {', '.join(['id', *exprs])} FROM cards WHERE {where}", *args)


def notes_by_tags(col: Collection, plan_id: str) -> list[Sequence[Any]]:
    """Every note, grouped by tag string: (tags, count, sum of mod, max mod, comma-joined
    ids). Notes without a tag that starts with the plan's course prefix have tags "".

    Most notes share a handful of tag strings, so the ids cross the bridge but (most of)
    the tags do not. Notes of no course are read too, for the notes' signature.
    """
    prefix = f"{plan_id}::course::"
    tags = "ifnull(tags, '')"
    args = []
    # LIKE folds ASCII case only; that is enough to pre-filter by an ASCII prefix.
    if prefix.isascii():
        tags = f"CASE WHEN tags LIKE ? ESCAPE '\\' THEN {tags} ELSE '' END"
        args.append(f"% {like_escape(prefix)}%")
    return db(col).all(
        f"SELECT {tags} AS t, count(), total(mod), coalesce(max(mod), 0),"
        " group_concat(id) FROM notes GROUP BY t",
        *args,
    )


def revlog_sig(col: Collection) -> tuple[int, int]:
    """The revlog's (max id, count)."""
    row = db(col).first(
        # count() alone uses SQLite's fast count; with max() beside it, it scans.
        "SELECT (SELECT coalesce(max(id), 0) FROM revlog), (SELECT count() FROM revlog)"
    )
    return (int(row[0]), int(row[1])) if row else (0, 0)


def signatures(col: Collection, started: int) -> tuple[Sig, Sig, tuple[int, int]]:
    """Cards' and notes' (count, sum of mod, max mod, settled); revlog's (max id, count).

    Any edit changes a table's sum of ``mod``. ``mod`` has one-second resolution, so while
    the newest change is from the current second (``started``, taken before reading),
    more changes may follow with the same ``mod``: not settled yet.
    """
    # The revlog's apart: inside this UNION ALL its sub-selects take ~15 ms at 1M rows
    # (measured with Anki 26.9.3's SQLite 3.49), on their own well under 1 ms.
    rows = db(col).all(
        "SELECT count(), total(mod), coalesce(max(mod), 0) FROM cards"
        " UNION ALL SELECT count(), total(mod), coalesce(max(mod), 0) FROM notes"
    )
    (cn, ct, cm), (nn, nt, nm) = ((int(a), float(b), int(c)) for a, b, c in rows)
    return (cn, ct, cm, cm < started), (nn, nt, nm, nm < started), revlog_sig(col)


def deleted_cards(col: Collection) -> list[int]:
    """Ids of cards deleted since their reviews."""
    sql = "SELECT DISTINCT cid FROM revlog WHERE cid NOT IN (SELECT id FROM cards)"
    return list(map(int, db(col).list(sql)))


def revlog_by_group(
    col: Collection,
    plan: GroupPlan,
    today: int,
    window: Window,
    rev_count: int,
    deleted: Callable[[], list[int]],
) -> tuple[list[Grouped], list[Move]]:
    """The window's answers per group and study day, and those of the cards that
    ``plan.expr`` put in the wrong group, per (wrong group, right group) and day;
    ``deleted()`` gives the ids of deleted cards with reviews (asked only where runs need
    it). Reads only: it runs on a worker thread during a full read."""
    grouped: list[Grouped] = []
    if plan.expr != "0":
        selects = grouped_selects(plan.expr, plan.args, window, rev_count)
        for sql, params in union_all(selects):
            for gid, ago, count, ms, packed in db(col).all(sql, *params):
                if gid:
                    grouped.append(
                        (int(gid), today - int(ago), int(count), int(ms), *unpack(packed))
                    )
    pairs = misplaced(plan, deleted() if plan.starts else ())
    keys = list(pairs)
    moves: list[Move] = []
    for sql, params in union_all(moved_selects(pairs, window)):
        for k, ago, count, ms, packed in db(col).all(sql, *params):
            wrong, right = keys[int(k)]
            moves.append((wrong, right, today - int(ago), int(count), int(ms), *unpack(packed)))
    return grouped, moves


def revlog_rows(col: Collection, where: str, *args: Any) -> list[Sequence[Any]]:
    """(id, cid, ms, answered, counts for retention, passed) of the revlog rows ``where``
    selects (the rules as :mod:`.sql` renders them)."""
    return db(col).all(f"SELECT {REVLOG_COLUMNS} FROM revlog WHERE {where}", *args)
