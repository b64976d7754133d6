"""The memory tracker's tallies, kept so that single cards and answers can be added and
taken out, and what they were read up to (:class:`Marks`).

Cards and answers are counted per *group*: the set of plan courses a note's tags put it in
(group 0: none; most notes are in one course, a few in several). Per group: card counts
per bucket, per study day [answers, ms, retention passed, failed], and its cards' FSRS
memory states; per card in a course its group and bucket, and for every card its ``mod``
(to notice changes). A course's numbers add up its groups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from learnplan.collection.memory.knowledge import Knowledge, Memory, parse_memory
from learnplan.collection.memory.reads import Sig
from learnplan.collection.memory.sql import DAY_MS
from learnplan.model.plan import Plan
from learnplan.progress.recall import (
    LEARNING,
    MATURE,
    NEW,
    SUSPENDED,
    YOUNG,
    CourseMemory,
    tag_courses,
)


class Card(NamedTuple):
    gid: int  # never 0: only cards in a course are kept
    bucket: int


@dataclass(frozen=True)
class Marks:
    """What the tallies were read from and up to."""

    crt: int  # the collection's creation time: another collection, another crt
    epoch: int  # cutoff - 86400 * today: the study days' numbering (rollover hour, zone)
    fsrs: bool
    today: int  # the study day at the last refresh, and its cutoff (epoch seconds)
    cutoff: int
    retention_first: int  # first study day with retention counts (the last full read's)
    cards_sig: Sig  # the cards and notes as last read (see reads.signatures)
    notes_sig: Sig
    rev_last: int  # the revlog as read: up to this id, this many rows
    rev_count: int


def days_ago(last_ms: int, rev_id: int) -> int:
    """Study days between a revlog id and ``last_ms`` (today's last millisecond), with
    SQLite's integer division (toward zero), so rows read one by one land on the same day
    as rows grouped in SQL."""
    diff = last_ms - rev_id
    return diff // DAY_MS if diff >= 0 else -((-diff) // DAY_MS)


class Ledger:
    """Per group of courses, the numbers of its cards and answers (see the module)."""

    def __init__(self, n_courses: int) -> None:
        self.groups: list[tuple[int, ...]] = [()]  # group -> its course indices
        self.group_ids: dict[tuple[int, ...], int] = {(): 0}
        self.buckets: list[list[int]] = [[0] * 5]
        self.days: list[dict[int, list[int]]] = [{}]
        self.with_memory: list[dict[int, Memory]] = [{}]
        self.tag_cache: dict[str, int] = {}  # a note's tag string -> its group
        self.note_gid: dict[int, int] = {}  # notes in a course -> group
        self.cards: dict[int, Card] = {}  # cards in a course
        self.card_mod: dict[int, int] = {}  # every card, in a course or not
        self.knowledge = Knowledge(n_courses)

    def gid(self, courses: tuple[int, ...]) -> int:
        gid = self.group_ids.get(courses)
        if gid is None:
            gid = len(self.groups)
            self.group_ids[courses] = gid
            self.groups.append(courses)
            self.buckets.append([0] * 5)
            self.days.append({})
            self.with_memory.append({})
        return gid

    def notes(
        self, rows: Iterable[Sequence[Any]], course_tags: dict[str, int], started: int
    ) -> tuple[dict[int, int], Sig]:
        """Notes in a course -> group, from ``reads.notes_by_tags`` rows, and the notes'
        signature from the same rows, settled if their newest ``mod`` is before
        ``started``."""
        note_gid: dict[int, int] = {}
        count, total, newest = 0, 0.0, 0
        cache = self.tag_cache
        for tag_text, n, mod_total, mod_max, nids in rows:
            count += int(n)
            total += float(mod_total)
            newest = max(newest, int(mod_max))
            tags = str(tag_text)
            gid = cache.get(tags)
            if gid is None:
                gid = cache[tags] = self.gid(tag_courses(tags, course_tags))
            if gid:
                note_gid.update(dict.fromkeys(map(int, str(nids).split(",")), gid))
        return note_gid, (count, total, newest, newest < started)

    def add_cards(self, rows: Iterable[Sequence[Any]]) -> None:
        """Add cards from rows of ``id`` and ``sql.card_exprs``."""
        note_gid = self.note_gid
        cards = self.cards
        card_mod = self.card_mod
        buckets = self.buckets
        with_memory = self.with_memory
        pending = self.knowledge.pending
        for cid, nid, mod, bucket, raw, fallback in rows:
            card_mod[cid] = mod
            gid = note_gid.get(nid, 0)
            if not gid:
                continue
            cards[cid] = Card(gid, bucket)
            buckets[gid][bucket] += 1
            if raw:
                memory = parse_memory(raw, fallback)
                if memory is not None:
                    with_memory[gid][cid] = memory
                    pending.add(cid)

    def add_card_columns(
        self, chunk: tuple[list[str], ...], cids: list[int], groups: list[int]
    ) -> None:
        """:meth:`add_cards` for columns from ``reads.column_chunks``, given the cards'
        ids and groups."""
        _, _, mod_texts, bucket_texts, raws, fallbacks = chunk
        self.card_mod.update(zip(cids, map(int, mod_texts), strict=True))
        cards = self.cards
        buckets = self.buckets
        with_memory = self.with_memory
        pending = self.knowledge.pending
        digit = {str(b): b for b in range(5)}
        for cid, gid, text, raw, fallback in zip(
            cids, groups, bucket_texts, raws, fallbacks, strict=True
        ):
            if not gid:
                continue
            bucket = digit[text]
            cards[cid] = Card(gid, bucket)
            buckets[gid][bucket] += 1
            if raw:
                memory = parse_memory(raw, int(fallback))
                if memory is not None:
                    with_memory[gid][cid] = memory
                    pending.add(cid)

    def drop_card(self, cid: int) -> None:
        """Take a card in a course out (its ``mod`` stays)."""
        card = self.cards.pop(cid, None)
        if card is not None:
            self.buckets[card.gid][card.bucket] -= 1
            self.with_memory[card.gid].pop(cid, None)
            self.knowledge.drop(cid, self.groups[card.gid])

    def add_grouped(self, rows: Iterable[Sequence[int]], sign: int = 1) -> None:
        """Add (or take out) grouped (group, day, answers, ms, passed, failed) rows."""
        days = self.days
        for gid, day, count, ms, passed, failed in rows:
            agg = days[gid].setdefault(day, [0, 0, 0, 0])
            agg[0] += sign * count
            agg[1] += sign * ms
            agg[2] += sign * passed
            agg[3] += sign * failed

    def add_reviews(
        self,
        rows: Iterable[Sequence[Any]],
        sign: int,
        *,
        today: int,
        last_ms: int,
        floor: int,
        retention_first: int,
    ) -> None:
        """Add (or take out) ``reads.revlog_rows`` under their cards' groups: answers on
        study days from ``floor``, retention from ``retention_first``."""
        cards = self.cards
        days = self.days
        for rid, cid, ms, answered, counts, passed in rows:
            card = cards.get(int(cid))
            if card is None or not answered:
                continue
            day = today - days_ago(last_ms, int(rid))
            if day < floor:
                continue
            agg = days[card.gid].setdefault(day, [0, 0, 0, 0])
            agg[0] += sign
            agg[1] += sign * int(ms)
            if counts and day >= retention_first:
                agg[2 if passed else 3] += sign

    def update_knowledge(self, at: float, today: int) -> None:
        self.knowledge.update(at, today, self.with_memory, self.cards, self.groups)

    def results(
        self,
        plan: Plan,
        *,
        today: int,
        today_date: dt.date,
        window: range,
        retention_first: int,
        knowledge_at: float | None,
    ) -> dict[str, CourseMemory]:
        """Each course's numbers: reviews per study day of ``window`` (day numbers; day
        ``today`` is ``today_date``), retention over the days from ``retention_first`` to
        today, and knowledge at ``knowledge_at`` (None: FSRS off)."""
        out: dict[str, CourseMemory] = {}
        per_course: list[list[int]] = [[] for _ in plan.courses]
        for gid, courses in enumerate(self.groups):
            for ci in courses:
                per_course[ci].append(gid)
        if knowledge_at is not None:
            self.update_knowledge(knowledge_at, today)
        for ci, course in enumerate(plan.courses):
            gids = per_course[ci]
            counts = [sum(self.buckets[g][b] for g in gids) for b in range(5)]
            reviews: list[tuple[dt.date, int]] = []
            seconds: list[tuple[dt.date, float]] = []
            total_ms = 0
            for day in window:
                n = ms = 0
                for g in gids:
                    agg = self.days[g].get(day)
                    if agg is not None:
                        n += agg[0]
                        ms += agg[1]
                date = today_date - dt.timedelta(days=today - day)
                reviews.append((date, n))
                seconds.append((date, ms / 1000.0))
                total_ms += ms
            passed = failed = 0
            for g in gids:
                for day, agg in self.days[g].items():
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
                knowledge=None if knowledge_at is None else self.knowledge.total(ci),
            )
        return out
