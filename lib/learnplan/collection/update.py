"""The safe update path: re-import a rebuilt plan without losing anything the learner did.

Anki's importer (``col.import_anki_package``) keeps review history, but on its own it
replaces a note's tags with the package's, skips or overwrites hand edits depending on
timestamps, never moves existing cards to a new deck, matches decks by *name* (so a
renamed lesson gets a second deck) and skips notes whose ``mod`` is not newer. This
module builds the package with a timestamp that is guaranteed to apply, imports it with
note-type merging, and then repairs each of those points through the public collection
API only (no SQL writes, no schema changes of our own), inside one undo step.

What we shipped last time is remembered per plan (:mod:`learnplan.collection.shipped`);
the pure rules are in :mod:`learnplan.collection.update_rules`, Anki's importer and our
package's own notes in :mod:`learnplan.collection.importer`, and what an update did is an
:class:`~learnplan.collection.update_report.UpdateReport`.

``anki`` is imported lazily so the library works without it.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from learnplan.base.ids import note_guid
from learnplan.collection.decks import (
    PlanDecks,
    deck_key,
    find_plan_decks,
    made_decks,
    old_deck_key,
    plan_decks,
    remove_emptied,
    rename_in_place,
)
from learnplan.collection.importer import (
    PackageNotes,
    apply_package_note,
    import_package,
    read_package_notes,
    without_notes,
)
from learnplan.collection.manifests import remove_stale_manifests
from learnplan.collection.memory.reads import db
from learnplan.collection.recordstore import imported_record, recorded_decks
from learnplan.collection.shipped import load_shipped, save_record
from learnplan.collection.update_report import UpdateReport
from learnplan.collection.update_rules import (
    NoteBefore,
    fingerprint,
    hand_edited,
    in_namespace,
    merge_tags,
    next_timestamp,
    plan_notes,
    shipped_tags,
)
from learnplan.model.plan import Plan

if TYPE_CHECKING:
    from anki.cards import CardId
    from anki.collection import Collection
    from anki.decks import DeckId
    from anki.notes import Note, NoteId

UNDO_NAME = "Update Learning Plan"


# --- collection access ----------------------------------------------------------------


def _snapshot(col: Collection, plan_id: str, guids: set[str]) -> dict[str, NoteBefore]:
    """The plan's notes as they are now: by GUID (current plan, shipped) or by plan tag."""
    wanted: set[NoteId] = set(col.find_notes(f'"tag:{plan_id}::*"'))
    wanted.update(_note_ids_by_guid(col, guids).values())
    out: dict[str, NoteBefore] = {}
    for nid in sorted(wanted):
        note = col.get_note(nid)
        out[note.guid] = NoteBefore(
            nid=note.id,
            guid=note.guid,
            mod=note.mod,
            mid=note.mid,
            tags=tuple(note.tags),
            fields=tuple(note.items()),
            cards=tuple((c.id, c.did) for c in note.cards()),
        )
    return out


def _restore_fields(note: Note, before: NoteBefore) -> None:
    """Put the learner's field values back: by field name, else by position."""
    by_name = dict(before.fields)
    names = note.keys()
    for index, name in enumerate(names):
        if name in by_name:
            note[name] = by_name[name]
        elif index < len(before.fields) and before.fields[index][0] not in names:
            note[name] = before.fields[index][1]


# --- the update -----------------------------------------------------------------------


def update_timestamp(col: Collection, plan: Plan, requested: float | None = None) -> float:
    """The build time a package of ``plan`` needs so that Anki applies every note.

    Newer than every note in the collection (cheap, and safe whatever the learner
    touched) and than our last recorded build of this plan, so a same-second rebuild or
    a machine whose clock is behind the last build still updates.
    """
    newest_mod = int(db(col).scalar("select coalesce(max(mod), 0) from notes") or 0)
    last_built = float(imported_record(col, plan.id).get("built_at") or 0.0)
    return next_timestamp(requested, newest_mod, last_built)


def update_collection(
    col: Collection, plan: Plan, *, timestamp: float | None = None
) -> UpdateReport:
    """Build ``plan`` and import it into ``col`` keeping everything the learner did.

    Synchronous and side-effect-only on ``col``; all changes form one undo step named
    "Update Learning Plan". Raises :class:`learnplan.base.errors.PlanError` (before anything is
    written) if the plan cannot be built.
    """
    from learnplan.building.apkg import write_package
    from learnplan.building.deck import build_package

    built = build_package(plan, timestamp=update_timestamp(col, plan, timestamp))
    with tempfile.TemporaryDirectory(prefix="learnplan-update-") as tmp:
        path = write_package(built, Path(tmp) / f"{plan.id}.apkg")
        return update_from_package(col, plan, path, built_at=built.timestamp)


def update_from_package(
    col: Collection, plan: Plan, path: str | Path, *, built_at: float | None = None
) -> UpdateReport:
    """Import an already built package of ``plan`` the safe way (see the module doc).

    Build it with ``timestamp=update_timestamp(col, plan)`` so its notes' ``mod`` differs
    from every note in the collection (Anki skips a note whose ``mod`` is equal; such
    notes are then applied from the package here, so the result is the same, only
    slower). ``built_at`` defaults to the time recorded in the package's manifest.
    """
    if built_at is None:
        from learnplan.building.manifest import read_package_manifest

        manifest = read_package_manifest(path)
        built_at = manifest.built_at if manifest is not None else time.time()
    ts = float(built_at)
    wanted_notes = plan_notes(plan)
    wanted_decks = plan_decks(plan)
    record = imported_record(col, plan.id)
    shipped = load_shipped(col, record)
    before = _snapshot(col, plan.id, set(wanted_notes) | set(shipped))

    undo_start = col.add_custom_undo_entry(UNDO_NAME)
    decks = find_plan_decks(
        col, plan, recorded_decks(record), ((b.tags, b.cards) for b in before.values())
    )
    emptied = made_decks(col, decks)  # before the renames: their parents as they were
    renamed = rename_in_place(col, decks, wanted_decks, undo=undo_start)
    blocked = _kind_changes(plan, before)
    with tempfile.TemporaryDirectory(prefix="learnplan-update-") as tmp:
        if blocked:
            path = without_notes(path, set(blocked), Path(tmp) / "filtered.apkg")
        log = import_package(col, path)
        package: PackageNotes | None = None
        if log.conflicting or log.duplicate:
            package = read_package_notes(path)
    # The Python layer caches note types and the importer changed them behind its back;
    # aqt clears the same cache after any op that touches note types.
    col.models._clear_cache()
    refused = (
        [package.guid_by_id.get(n.id.nid, str(n.id.nid)) for n in log.conflicting]
        if package
        else []
    )
    conflicting = tuple(sorted({*refused, *blocked}))
    # Merging a changed note type marks the notes modified "now", which can equal the
    # package's whole-second mod; ALWAYS ("mod differs") then skips them as duplicates.
    # Apply what the importer left out from the package itself.
    stale = {int(n.id.nid) for n in log.duplicate}

    edited = hand_edited(before, shipped)
    deck_ids = {key: col.decks.id_for_name(name) for key, name in wanted_decks.items()}

    new: list[int] = []
    updated: list[int] = []
    unchanged: list[int] = []
    kept: list[int] = []
    restored: list[int] = []
    moved: list[tuple[CardId, DeckId]] = []  # (card, its new deck)
    removed: list[int] = []
    to_save: list[Note] = []
    state: dict[str, list[Any]] = {}
    guid_to_nid = _note_ids_by_guid(col, set(wanted_notes))

    for guid, (course, lesson) in wanted_notes.items():
        nid = guid_to_nid.get(guid)
        if nid is None:
            continue  # refused by the importer; listed in ``conflicting``
        if guid in blocked:
            if guid in shipped:
                state[guid] = shipped[guid]
            continue
        note = col.get_note(nid)
        applied = nid in stale and package is not None and guid in package.by_guid
        if applied and package is not None:
            apply_package_note(note, package.by_guid[guid])
        own = [t for t in note.tags if not in_namespace(t, plan.id)]
        state[guid] = [fingerprint(note.fields), own] if own else [fingerprint(note.fields)]
        prior = before.get(guid)
        if prior is None:
            new.append(nid)
            continue
        changed = applied
        if guid in edited and tuple(note.items()) != prior.fields:
            _restore_fields(note, prior)
            kept.append(nid)
            changed = True
        elif tuple(note.items()) != prior.fields:
            updated.append(nid)
        else:
            unchanged.append(nid)
        previously_shipped = {t.lower() for t in shipped_tags(shipped.get(guid))}
        learner_tags = [
            t
            for t in prior.tags
            if not in_namespace(t, plan.id) and t.lower() not in previously_shipped
        ]
        tags = merge_tags(note.tags, learner_tags)
        if tags != note.tags:
            note.tags = tags
            restored.append(nid)
            changed = True
        if changed:
            to_save.append(note)
        moved.extend(
            _cards_to_move(
                col,
                prior,
                deck_key(course.id, lesson.id if lesson else None),
                plan.id,
                deck_ids,
                decks,
            )
        )

    for guid, prior in before.items():
        if guid in wanted_notes:
            continue
        note = col.get_note(prior.nid)
        if not any(t.lower() == plan.removed_tag.lower() for t in note.tags):
            note.tags = [*note.tags, plan.removed_tag]
            to_save.append(note)
        removed.append(prior.nid)
        if guid in shipped:
            state[guid] = shipped[guid]  # keep remembering it, so it stays "ours"

    if to_save:
        col.update_notes(to_save)
    moves_by_deck: dict[DeckId, list[CardId]] = {}
    for cid, did in moved:
        moves_by_deck.setdefault(did, []).append(cid)
    for did, cids in moves_by_deck.items():
        col.set_deck(cids, did)
        col.merge_undo_entries(undo_start)  # Anki keeps a few dozen undo steps
    in_use = {d for d in deck_ids.values() if d is not None}
    removed_decks = remove_emptied(col, emptied, in_use, undo=undo_start)

    save_record(col, plan, ts, deck_ids, state)
    remove_stale_manifests(col, plan.id)  # the record now knows the decks: older ones go
    changes = col.merge_undo_entries(undo_start)
    return UpdateReport(
        plan_id=plan.id,
        timestamp=ts,
        new=tuple(sorted(new)),
        updated=tuple(sorted(updated)),
        unchanged=tuple(sorted(unchanged)),
        moved=tuple(sorted(cid for cid, _ in moved)),
        kept_user_edits=tuple(sorted(kept)),
        restored_tags=tuple(sorted(restored)),
        removed=tuple(sorted(removed)),
        conflicting=conflicting,
        renamed_decks=tuple(renamed),
        removed_decks=tuple(removed_decks),
        changes=changes,
    )


def _kind_changes(plan: Plan, before: dict[str, NoteBefore]) -> dict[str, str]:
    """Existing notes whose card kind (note type) the new plan changes: GUID -> reason.

    Left to itself, Anki's importer with merged note types fuses the old and the new
    note type (a basic note turned reversed gains "Front+"/"Card 1+" on every reversed
    note) or, between cloze and standard types, fails the whole import. Such notes are
    kept out of the import, untouched, and reported as conflicting.
    """
    from learnplan.building.notetypes import model_ids

    ids = model_ids()
    out: dict[str, str] = {}
    for course in plan.courses:
        for card in course.cards:
            if card.key is None:
                continue
            guid = note_guid(plan.id, course.id, card.key)
            prior = before.get(guid)
            if prior is not None and prior.mid != ids[card.kind]:
                out[guid] = f"card kind changed to {card.kind}"
    return out


def _note_ids_by_guid(col: Collection, guids: set[str]) -> dict[str, NoteId]:
    """The notes with these GUIDs, found by SQLite (read-only) rather than by reading
    every note's GUID into Python."""
    rows = db(col).all(
        "select id, guid from notes where guid in (select value from json_each(?)) order by id",
        json.dumps(sorted(guids)),
    )
    return {guid: nid for nid, guid in rows}


def _cards_to_move(
    col: Collection,
    prior: NoteBefore,
    new_key: str,
    plan_id: str,
    deck_ids: dict[str, DeckId | None],
    decks: PlanDecks,
) -> list[tuple[CardId, DeckId]]:
    """Cards of ``prior`` still sitting where the plan put them, whose deck changed.

    A card the learner filed somewhere else on purpose is left where it is: we only move
    it out of a deck the plan made for its previous lesson/course tag or for its new one
    (or, with no such deck known, out of any deck under the plan's top deck).
    """
    target = deck_ids.get(new_key)
    if target is None:
        return []
    old_key = old_deck_key(prior.tags, plan_id)
    known = (*decks.by_key.get(old_key or "", ()), *decks.by_key.get(new_key, ()))
    out: list[tuple[CardId, DeckId]] = []
    for cid, did in prior.cards:
        if did == target:
            continue
        top = str(col.decks.name(did)).split("::")[0]
        if did in known if known else top in decks.roots:
            out.append((cid, target))
    return out
