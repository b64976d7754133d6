"""The memory tracker's saved state: its tallies and marks as plain data, and back.

The form (:data:`STATE_VERSION` 1) is a JSON object of plain lists and numbers, columns
rather than records (~6 MB for 100k cards; ``json`` or ``marshal`` can store it): ids in
ascending order as differences, each card's group and bucket, memory states as runs of
four numbers, study days as [group, day, answers, ms, passed, failed]. It names the plan,
its start, its course tags and the retention window it was made for; a state of another
version or made for another plan is not used, and a malformed one is refused whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import accumulate, chain, repeat
from operator import le, sub
from typing import Any

from learnplan.collection.memory.knowledge import Memory
from learnplan.collection.memory.ledger import Card, Ledger, Marks
from learnplan.model.plan import Plan
from learnplan.progress.recall import SUSPENDED

#: Format of :func:`dump`; a state of another version is not used.
STATE_VERSION = 1


def identity(plan: Plan, retention_days: int) -> dict[str, Any]:
    """What a state was made for: a state is used only where all of it is the same."""
    return {
        "plan": plan.id,
        # Days before the plan's start (and the retention window) are not kept.
        "start": plan.start.isoformat(),
        "courses": [plan.course_tag(c.id).lower() for c in plan.courses],
        "retention_days": retention_days,
    }


def _deltas(ids: list[int]) -> list[int]:
    # Ascending ids as differences: a third of the digits to write and parse.
    return [ids[0], *map(sub, ids[1:], ids[:-1])] if ids else []


def _undeltas(deltas: Iterable[Any]) -> list[int]:
    ids = list(accumulate(map(int, deltas)))
    if any(map(le, ids[1:], ids[:-1])):
        raise ValueError("ids out of order")
    return ids


def dump(ledger: Ledger, marks: Marks, made_for: dict[str, Any]) -> dict[str, Any]:
    """The state of ``ledger`` read up to ``marks``, for the :func:`identity` ``made_for``."""
    cids = sorted(ledger.card_mod)
    cards = ledger.cards
    course_cids = list(filter(cards.__contains__, cids))
    card_groups, card_buckets = (
        map(list, zip(*map(cards.__getitem__, course_cids), strict=True))
        if course_cids
        else ([], [])
    )
    with_memory = sorted(chain.from_iterable(m.items() for m in ledger.with_memory))
    nids = sorted(ledger.note_gid)
    return {
        "version": STATE_VERSION,
        **made_for,
        "crt": marks.crt,
        "epoch": marks.epoch,
        "fsrs": marks.fsrs,
        "today": marks.today,
        "cutoff": marks.cutoff,
        "retention_first": marks.retention_first,
        "sigs": [*marks.cards_sig, *marks.notes_sig, marks.rev_last, marks.rev_count],
        "groups": [list(g) for g in ledger.groups],
        "notes": _deltas(nids),
        "note_groups": list(map(ledger.note_gid.__getitem__, nids)),
        "cards": _deltas(cids),
        "card_mods": list(map(ledger.card_mod.__getitem__, cids)),
        "course_cards": _deltas(course_cids),
        "card_groups": card_groups,
        "card_buckets": card_buckets,
        "memory_cards": _deltas([cid for cid, _ in with_memory]),
        "memory": list(chain.from_iterable(memory for _, memory in with_memory)),
        "days": [
            [gid, day, *agg]
            for gid, per_day in enumerate(ledger.days)
            for day, agg in per_day.items()
        ],
    }


def load(state: Any, made_for: dict[str, Any], n_courses: int) -> tuple[Ledger, Marks] | None:
    """The tallies and marks of a :func:`dump` made for ``made_for`` (an :func:`identity`
    of a plan of ``n_courses`` courses); None for a state of another version or identity,
    or a malformed one."""
    try:
        return _load(state, made_for, n_courses)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None


def _load(
    state: dict[str, Any], made_for: dict[str, Any], n_courses: int
) -> tuple[Ledger, Marks] | None:
    if state.get("version") != STATE_VERSION or any(state.get(k) != v for k, v in made_for.items()):
        return None
    groups = [tuple(int(c) for c in g) for g in state["groups"]]
    if not groups or groups[0] or any(not 0 <= c < n_courses for g in groups for c in g):
        return None
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

    ledger = Ledger(n_courses)
    ledger.groups = groups
    ledger.group_ids = {g: i for i, g in enumerate(groups)}
    if len(ledger.group_ids) != ngroups:
        raise ValueError("a group twice")
    ledger.note_gid = dict(zip(nids, note_groups, strict=True))
    ledger.card_mod = dict(zip(cids, mods, strict=True))
    # tuple.__new__ builds the named tuples without a Python-level call each.
    ledger.cards = cards = dict(
        zip(
            course,
            map(tuple.__new__, repeat(Card), zip(card_groups, card_buckets, strict=True)),
            strict=True,
        )
    )
    if not cards.keys() <= ledger.card_mod.keys():
        raise ValueError("course cards missing from cards")
    ledger.buckets = [[0] * 5 for _ in groups]
    for (gid, bucket), count in Counter(zip(card_groups, card_buckets, strict=True)).items():
        ledger.buckets[gid][bucket] = count
    with_memory: list[dict[int, Memory]] = [{} for _ in groups]
    ledger.with_memory = with_memory
    fields = iter(memory)
    for cid, (stability, decay, last, day) in zip(
        memory_cards, zip(fields, fields, fields, fields, strict=True), strict=True
    ):
        with_memory[cards[cid].gid][cid] = (stability, decay, last, int(day))
    ledger.days = [{} for _ in groups]
    for gid, day, *agg in state["days"]:
        if len(agg) != 4 or not 0 <= int(gid) < ngroups:
            raise ValueError("bad day")
        ledger.days[int(gid)][int(day)] = list(map(int, agg))
    c_n, c_t, c_m, c_s, n_n, n_t, n_m, n_s, rev_last, rev_count = sigs
    marks = Marks(
        crt=int(state["crt"]),
        epoch=int(state["epoch"]),
        fsrs=bool(state["fsrs"]),
        today=int(state["today"]),
        cutoff=int(state["cutoff"]),
        retention_first=int(state["retention_first"]),
        cards_sig=(int(c_n), float(c_t), int(c_m), bool(c_s)),
        notes_sig=(int(n_n), float(n_t), int(n_m), bool(n_s)),
        rev_last=int(rev_last),
        rev_count=int(rev_count),
    )
    return ledger, marks
