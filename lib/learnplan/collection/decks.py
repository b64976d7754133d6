"""The plan's decks in a collection: found, renamed in place, emptied ones removed.

Anki's importer matches decks by name and never moves a card, so a lesson, course or
provider that is renamed or renumbered (deck names carry the outline's order, see
:meth:`learnplan.model.plan.Plan.deck_name`) would get a second deck while its cards stay
in the first. Before an update imports, the decks the plan made earlier are found — from
the last update's record, from every manifest of the plan in the media folder (File >
Import brings one along, so a first import needs no record), and, failing both, from
where the plan's cards sit — and renamed to their new names; cards left in a deck the
plan no longer uses are moved (by the update) and decks that end up empty are removed.
A deck the learner made is never renamed or removed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnplan.model.plan import Plan, deck_part

__all__ = [
    "PlanDecks",
    "ancestors",
    "deck_key",
    "find_plan_decks",
    "made_decks",
    "needs_tidying",
    "old_deck_key",
    "plan_decks",
    "remove_emptied",
    "rename_in_place",
    "tidy_after_import",
]


def deck_key(course_id: str, lesson_id: str | None) -> str:
    return course_id if lesson_id is None else f"{course_id}/{lesson_id}"


def plan_decks(plan: Plan) -> dict[str, str]:
    """Every deck the plan's cards go to (course decks and lesson decks): key -> name."""
    decks: dict[str, str] = {}
    for course in plan.courses:
        decks[deck_key(course.id, None)] = plan.deck_name(course)
        for lesson in course.lessons:
            decks[deck_key(course.id, lesson.id)] = plan.deck_name(course, lesson)
    return decks


def old_deck_key(tags: Sequence[str], plan_id: str) -> str | None:
    """The deck key a note's previous plan tags put it in, or None if untagged."""
    lesson_prefix = f"{plan_id}::lesson::".lower()
    course_prefix = f"{plan_id}::course::".lower()
    course: str | None = None
    for tag in tags:
        low = tag.lower()
        if low.startswith(lesson_prefix):
            parts = tag[len(lesson_prefix) :].split("::")
            if len(parts) == 2:
                return deck_key(parts[0], parts[1])
        elif low.startswith(course_prefix):
            course = tag[len(course_prefix) :]
    return None if course is None else deck_key(course, None)


@dataclass(frozen=True)
class PlanDecks:
    """The decks the plan made in a collection before this update, by deck key."""

    by_key: dict[str, tuple[int, ...]] = field(default_factory=dict)  # best first
    roots: frozenset[str] = frozenset()  # top deck names of every version of the plan
    #: decks known only from where the plan's cards sit (never removed)
    guessed: frozenset[int] = frozenset()

    def holds(self, key: str | None, did: int) -> bool:
        return key is not None and did in self.by_key.get(key, ())

    def all_ids(self) -> set[int]:
        return {did for ids in self.by_key.values() for did in ids}


def _names_of_earlier_versions(col: Any, plan: Plan) -> list[Plan]:
    """The plan as each manifest in the media folder has it (newest first), then as the
    collection's records follow it."""
    from learnplan.building.manifest import find_manifests
    from learnplan.collection.recordstore import read

    versions = [m.plan for m in find_manifests(Path(col.media.dir())).manifests]
    versions = [v for v in versions if v.id == plan.id]
    followed = read(col).records.plan(plan.id)
    if followed is not None:
        versions.append(followed)
    return versions


def find_plan_decks(
    col: Any,
    plan: Plan,
    recorded: dict[str, Any],
    cards: Iterable[tuple[Sequence[str], Sequence[tuple[int, int]]]],
) -> PlanDecks:
    """The plan's existing decks: ``recorded`` (key -> deck id, from the last update),
    then the names every earlier version of the plan gave each key, then — for keys still
    without a deck — the deck holding most of the cards whose plan tags name the key.
    ``cards``: (tags, ((card id, deck id), ...)) of the plan's notes before the update.
    Within a key, the deck holding most of those cards comes first."""
    found: dict[str, list[int]] = {}

    def add(key: str, did: Any) -> None:
        if isinstance(did, int) and did not in found.setdefault(key, []):
            found[key].append(did)

    for key, did in recorded.items():
        if isinstance(key, str) and col.decks.name_if_exists(did) is not None:
            add(key, did)
    versions = _names_of_earlier_versions(col, plan)
    for version in versions:
        for key, name in plan_decks(version).items():
            add(key, col.decks.id_for_name(name))
    roots = frozenset(deck_part(p.title) for p in (plan, *versions))
    counts: dict[str, Counter[int]] = {}
    for tags, placed in cards:
        tagged = old_deck_key(tags, plan.id)
        if tagged is not None:
            counts.setdefault(tagged, Counter()).update(did for _, did in placed)
    guessed: set[int] = set()
    for key, counter in counts.items():
        if found.get(key):
            continue
        did, _ = counter.most_common(1)[0]
        name = col.decks.name_if_exists(did)
        if name is not None and str(name).split("::")[0] in roots:
            add(key, did)
            guessed.add(did)
    ordered = {
        key: tuple(sorted(ids, key=lambda d: -counts.get(key, Counter())[d]))
        for key, ids in found.items()
    }
    if recorded:
        # The deck the last update recorded stays first: it is the one renamed before.
        for key, did in recorded.items():
            if isinstance(did, int) and did in ordered.get(key, ()):
                ordered[key] = (did, *(d for d in ordered[key] if d != did))
    return PlanDecks(ordered, roots, frozenset(guessed))


def rename_in_place(
    col: Any, decks: PlanDecks, wanted: dict[str, str], *, undo: int | None = None
) -> list[tuple[str, str]]:
    """Rename each key's first deck to its new name, so its cards, options and history
    stay where they are. Parents go first (renaming a course deck carries its lesson
    decks along); a name held by another of the plan's decks that is itself being
    renamed is waited for (a cycle goes through a temporary name); a name held by any
    other deck is left alone (the update then moves the cards into that deck). Each
    rename is merged into the undo step ``undo`` as it is made (Anki keeps a few dozen
    undo steps: a long plan would otherwise push that step out)."""
    renamed: list[tuple[str, str]] = []
    for depth in sorted({key.count("/") for key in wanted}):
        pending: dict[int, str] = {}
        for key in (k for k in wanted if k.count("/") == depth):
            ids = decks.by_key.get(key, ())
            if ids and ids[0] not in decks.guessed:
                pending.setdefault(ids[0], wanted[key])
        originals = {did: str(col.decks.name(did)) for did in pending}
        while pending:
            progress = False
            for did, new in list(pending.items()):
                current = str(col.decks.name(did))
                holder = col.decks.id_for_name(new)
                if current == new:
                    del pending[did]
                elif holder is None or holder == did:
                    _undoable(col, undo, col.decks.rename(did, new))
                    del pending[did]
                    progress = True
                elif holder not in pending:
                    del pending[did]  # another deck has the name: leave this one be
            if pending and not progress:
                did = next(iter(pending))  # a cycle: step aside under a free name
                _undoable(col, undo, col.decks.rename(did, f"{pending[did]} ({did})"))
        renamed += [
            (old, str(col.decks.name(did)))
            for did, old in originals.items()
            if str(col.decks.name(did)) != old
        ]
    return renamed


def ancestors(col: Any, dids: Iterable[int]) -> set[int]:
    """The decks above ``dids`` (their top-level decks excluded)."""
    out: set[int] = set()
    for did in dids:
        name = col.decks.name_if_exists(did)
        parts = str(name).split("::") if name is not None else []
        for end in range(2, len(parts)):
            parent = col.decks.id_for_name("::".join(parts[:end]))
            if parent is not None:
                out.add(int(parent))
    return out


def _emptied(col: Any, candidates: Iterable[int], keep: Iterable[int]) -> list[tuple[str, int]]:
    """The ``candidates`` (decks the plan made) that hold no card and no deck, deepest
    first, except ``keep`` and top-level decks: (name, id)."""
    kept = set(keep) | ancestors(col, keep)
    named = [(col.decks.name_if_exists(did), did) for did in set(candidates) - kept]
    out: list[tuple[str, int]] = []
    for name, did in sorted(
        ((str(n), d) for n, d in named if n is not None), key=lambda p: -p[0].count("::")
    ):
        if "::" in name and col.decks.card_count(did, include_subdecks=True) == 0:
            out.append((name, did))
    return out


def remove_emptied(
    col: Any, candidates: Iterable[int], keep: Iterable[int], *, undo: int | None = None
) -> list[str]:
    """Remove the ``candidates`` (decks the plan made) that now hold no card and no
    deck, deepest first, except ``keep`` and top-level decks; returns their names. Each
    removal is merged into the undo step ``undo``."""
    removed: list[str] = []
    for name, did in _emptied(col, candidates, keep):
        if col.decks.children(did):
            continue  # a deck of the learner's own inside it (the plan's went first)
        _undoable(col, undo, col.decks.remove([did]))
        removed.append(name)
    return removed


def _undoable(col: Any, undo: int | None, _changes: Any) -> None:
    if undo is not None:
        col.merge_undo_entries(undo)


def _out_of_place(col: Any, plan: Plan) -> tuple[dict[int, list[int]], PlanDecks]:
    wanted = plan_decks(plan)
    by_note: dict[int, tuple[list[str], list[tuple[int, int]]]] = {}
    nids = col.find_notes(f'"tag:{plan.id}::*"')
    for start in range(0, len(nids), 10_000):  # read-only SQL: one query per 10,000 notes
        chunk = ",".join(str(int(n)) for n in nids[start : start + 10_000])
        for nid, tags, cid, did in col.db.all(
            f"select n.id, n.tags, c.id, c.did from notes n join cards c on c.nid = n.id "
            f"where n.id in ({chunk})"
        ):
            by_note.setdefault(nid, (str(tags).split(), []))[1].append((cid, did))
    notes = list(by_note.values())
    from learnplan.collection.recordstore import imported_record, recorded_decks

    decks = find_plan_decks(col, plan, recorded_decks(imported_record(col, plan.id)), notes)
    out: dict[int, list[int]] = {}
    for tags, placed in notes:
        key = old_deck_key(tags, plan.id)
        target = col.decks.id_for_name(wanted[key]) if key in wanted else None
        for cid, did in placed:
            ours = decks.holds(key, did) and did not in decks.guessed
            if target is not None and did != target and ours:
                out.setdefault(int(target), []).append(cid)
    return out, decks


def needs_tidying(col: Any, plan: Plan) -> bool:
    """Whether :func:`tidy_after_import` would change anything."""
    moves, decks = _out_of_place(col, plan)
    return bool(moves) or bool(_emptied(col, *_tidy_scope(col, plan, decks)))


def made_decks(col: Any, decks: PlanDecks) -> set[int]:
    """The decks the plan made (not the guessed ones) and the decks above them: what may
    be removed once empty (see :func:`remove_emptied`)."""
    ours = decks.all_ids() - decks.guessed
    return ours | ancestors(col, ours)


def _tidy_scope(col: Any, plan: Plan, decks: PlanDecks) -> tuple[set[int], set[int]]:
    """(:func:`made_decks`, the decks the plan names now)."""
    wanted = plan_decks(plan).values()
    keep = {int(d) for d in (col.decks.id_for_name(n) for n in wanted) if d is not None}
    return made_decks(col, decks), keep


def tidy_after_import(col: Any, plan: Plan, *, undo: int | None = None) -> tuple[int, list[str]]:
    """After a File > Import of ``plan``: move its cards still sitting in a deck an
    earlier version of the plan made for their lesson or course (Anki's importer never
    moves a card, and makes a new deck for a renamed or renumbered one) to the deck they
    belong in now (a card the learner filed in a deck of their own stays), and remove
    the decks the plan made that are left empty. Returns (cards moved, names of the decks
    removed). Each change is merged into the undo step ``undo``."""
    moves, decks = _out_of_place(col, plan)
    candidates, keep = _tidy_scope(col, plan, decks)
    for did, cids in moves.items():
        _undoable(col, undo, col.set_deck(cids, did))
    removed = remove_emptied(col, candidates, keep, undo=undo)
    return sum(len(cids) for cids in moves.values()), removed
