"""The safe update path: re-import a rebuilt plan without losing anything the learner did.

Anki's importer (``col.import_anki_package``) keeps review history, but on its own it
replaces a note's tags with the package's, skips or overwrites hand edits depending on
timestamps, never moves existing cards to a new deck, matches decks by *name* (so a
renamed lesson gets a second deck) and skips notes whose ``mod`` is not newer. This
module builds the package with a timestamp that is guaranteed to apply, imports it with
note-type merging, and then repairs each of those points through the public collection
API only (no SQL writes, no schema changes of our own), inside one undo step.

What we shipped last time is remembered per plan:

- an ``imported`` record entry of the plan (:mod:`learnplan.collection.recordstore`; small:
  timestamp, deck ids, and the name of the fingerprint file), so it syncs between
  devices like the learner's progress;
- a ``_``-prefixed media file ``_lpstate-<plan id>-<sha>.json`` with, per note GUID, a
  hash of the fields as imported and the package's own non-namespaced tags. A note whose
  fields no longer hash to what we shipped was edited by hand.

``anki`` is imported lazily so the library works without it.
"""

from __future__ import annotations

import hashlib
import json
import math
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnplan.base.ids import note_guid
from learnplan.collection.decks import (
    PlanDecks,
    ancestors,
    deck_key,
    find_plan_decks,
    old_deck_key,
    plan_decks,
    remove_emptied,
    rename_in_place,
)
from learnplan.collection.manifests import remove_stale_manifests
from learnplan.model.plan import Course, Lesson, Plan

STATE_FILE_PREFIX = "_lpstate-"
UNDO_NAME = "Update Learning Plan"


@dataclass(frozen=True)
class UpdateReport:
    """What one update did. Note ids unless said otherwise; every tuple is sorted."""

    plan_id: str
    timestamp: float  # the package's build time (note mod)
    new: tuple[int, ...] = ()  # notes added by this update
    updated: tuple[int, ...] = ()  # existing notes whose plan content applied
    unchanged: tuple[int, ...] = ()  # existing notes with nothing to change
    moved: tuple[int, ...] = ()  # card ids moved to their new lesson/course deck
    kept_user_edits: tuple[int, ...] = ()  # hand-edited notes whose edits were kept
    restored_tags: tuple[int, ...] = ()  # notes whose own tags were put back
    removed: tuple[int, ...] = ()  # notes no longer in the plan, tagged <plan>::removed
    conflicting: tuple[str, ...] = ()  # GUIDs Anki's importer refused (note type clash)
    renamed_decks: tuple[tuple[str, str], ...] = ()  # (old name, new name)
    removed_decks: tuple[str, ...] = ()  # decks of the plan left empty, removed
    # OpChanges of the merged undo step, so the add-on's CollectionOp can refresh the UI.
    changes: Any = field(default=None, compare=False, repr=False)

    def summary(self) -> str:
        lines = [
            f"Learning plan '{self.plan_id}' updated: {len(self.new)} new, "
            f"{len(self.updated)} updated, {len(self.unchanged)} unchanged note(s)."
        ]
        if self.moved:
            lines.append(f"{len(self.moved)} card(s) moved to their new lesson deck.")
        if self.renamed_decks:
            lines.append(f"{len(self.renamed_decks)} deck(s) renamed:")
            lines.extend(f"  {old} -> {new}" for old, new in self.renamed_decks)
        if self.removed_decks:
            lines.append(f"{len(self.removed_decks)} empty deck(s) of the plan removed.")
        if self.restored_tags:
            lines.append(f"Your own tags were kept on {len(self.restored_tags)} note(s).")
        if self.kept_user_edits:
            lines.append(
                f"{len(self.kept_user_edits)} note(s) you edited by hand were NOT overwritten "
                f"(search: nid:{','.join(map(str, self.kept_user_edits))})."
            )
        if self.removed:
            lines.append(
                f"{len(self.removed)} note(s) are no longer in the plan; they were kept and "
                f"tagged {self.plan_id}::removed (nothing was deleted)."
            )
        if self.conflicting:
            lines.append(
                f"{len(self.conflicting)} note(s) were left as they were because their card "
                "kind (note type) changed; give such a card a new id to start it afresh."
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class _Before:
    """A note as it was before the import."""

    nid: int
    guid: str
    mod: int
    mid: int  # note type id
    tags: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]  # (field name, value) in order
    cards: tuple[tuple[int, int], ...]  # (card id, deck id)


# --- small pure helpers -------------------------------------------------------------


def fingerprint(values: Iterable[str]) -> str:
    """A short hash of a note's field values, for spotting hand edits."""
    return hashlib.sha256("\x1f".join(values).encode("utf-8")).hexdigest()[:16]


def in_namespace(tag: str, plan_id: str) -> bool:
    """True for the plan's own tags (``<plan id>::...``); tags are case-insensitive."""
    return tag.lower().startswith(plan_id.lower() + "::")


def plan_notes(plan: Plan) -> dict[str, tuple[Course, Lesson | None]]:
    """GUID -> (course, lesson) for every card of the plan."""
    out: dict[str, tuple[Course, Lesson | None]] = {}
    for course in plan.courses:
        for card in course.cards:
            if card.key is None:
                continue  # build_package refuses these with a PlanError
            lesson = course.lesson(card.lesson) if card.lesson else None
            out[note_guid(plan.id, course.id, card.key)] = (course, lesson)
    return out


def merge_tags(package_tags: Sequence[str], learner_tags: Sequence[str]) -> list[str]:
    """The package's tags plus the learner's own, without case-insensitive duplicates."""
    seen = {t.lower() for t in package_tags}
    out = list(package_tags)
    for tag in learner_tags:
        if tag.lower() not in seen:
            seen.add(tag.lower())
            out.append(tag)
    return out


def next_timestamp(requested: float | None, newest_mod: int, last_built: float) -> float:
    """A build time whose whole seconds beat every note mod and the last build.

    Anki compares note ``mod`` in whole seconds and only updates strictly newer notes,
    so a same-second rebuild or a clock behind the last build would otherwise be skipped.
    """
    ts = time.time() if requested is None else requested
    floor = max(newest_mod, math.floor(last_built)) + 1
    return float(max(math.floor(ts), floor))


# --- collection access ----------------------------------------------------------------


def load_record(col: Any, plan_id: str) -> dict[str, Any]:
    """What the last update of the plan recorded (empty before the first one)."""
    from learnplan.collection.recordstore import imported_record

    return imported_record(col, plan_id)


def _load_shipped(col: Any, record: dict[str, Any]) -> dict[str, list[Any]]:
    name = record.get("state")
    if not isinstance(name, str) or "/" in name or "\\" in name:
        return {}
    path = Path(col.media.dir()) / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    notes = data.get("notes") if isinstance(data, dict) else None
    return notes if isinstance(notes, dict) else {}


def _snapshot(col: Any, plan_id: str, guids: set[str]) -> dict[str, _Before]:
    """The plan's notes as they are now: by GUID (current plan, shipped) or by plan tag."""
    wanted: set[int] = set(col.find_notes(f'"tag:{plan_id}::*"'))
    for nid, guid in col.db.all("select id, guid from notes"):
        if guid in guids:
            wanted.add(nid)
    out: dict[str, _Before] = {}
    for nid in sorted(wanted):
        note = col.get_note(nid)
        out[note.guid] = _Before(
            nid=note.id,
            guid=note.guid,
            mod=note.mod,
            mid=note.mid,
            tags=tuple(note.tags),
            fields=tuple(note.items()),
            cards=tuple((c.id, c.did) for c in note.cards()),
        )
    return out


def import_options(*, plain: bool = False) -> Any:
    """Import options: ours, or File > Import's defaults (``plain=True``)."""
    from anki.collection import ImportAnkiPackageOptions
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as Cond

    if plain:
        return ImportAnkiPackageOptions()
    # ALWAYS ("mod differs") because merging note types marks notes modified now, which
    # would make IF_NEWER skip them; hand edits are restored afterwards from the snapshot.
    return ImportAnkiPackageOptions(
        merge_notetypes=True,
        update_notes=Cond.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS,
        update_notetypes=Cond.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS,
        with_scheduling=False,
        with_deck_configs=False,
    )


def import_package(col: Any, path: str | Path, *, plain: bool = False) -> Any:
    """Run Anki's own importer on ``path``; returns its log."""
    from anki.collection import ImportAnkiPackageRequest

    request = ImportAnkiPackageRequest(package_path=str(path), options=import_options(plain=plain))
    return col.import_anki_package(request).log


def _restore_fields(note: Any, before: _Before) -> None:
    """Put the learner's field values back: by field name, else by position."""
    by_name = dict(before.fields)
    names = note.keys()
    for index, name in enumerate(names):
        if name in by_name:
            note[name] = by_name[name]
        elif index < len(before.fields) and before.fields[index][0] not in names:
            note[name] = before.fields[index][1]


# --- the update -----------------------------------------------------------------------


def update_timestamp(col: Any, plan: Plan, requested: float | None = None) -> float:
    """The build time a package of ``plan`` needs so that Anki applies every note.

    Newer than every note in the collection (cheap, and safe whatever the learner
    touched) and than our last recorded build of this plan, so a same-second rebuild or
    a machine whose clock is behind the last build still updates.
    """
    newest_mod = int(col.db.scalar("select coalesce(max(mod), 0) from notes") or 0)
    last_built = float(load_record(col, plan.id).get("built_at") or 0.0)
    return next_timestamp(requested, newest_mod, last_built)


def update_collection(col: Any, plan: Plan, *, timestamp: float | None = None) -> UpdateReport:
    """Build ``plan`` and import it into ``col`` keeping everything the learner did.

    Synchronous and side-effect-only on ``col``; all changes form one undo step named
    "Update Learning Plan". Raises :class:`learnplan.base.errors.PlanError` (before anything is
    written) if the plan cannot be built.
    """
    from learnplan.building.deck import build_package, write_package

    built = build_package(plan, timestamp=update_timestamp(col, plan, timestamp))
    with tempfile.TemporaryDirectory(prefix="learnplan-update-") as tmp:
        path = write_package(built, Path(tmp) / f"{plan.id}.apkg")
        return update_from_package(col, plan, path, built_at=built.timestamp)


def update_from_package(
    col: Any, plan: Plan, path: str | Path, *, built_at: float | None = None
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
    record = load_record(col, plan.id)
    shipped = _load_shipped(col, record)
    before = _snapshot(col, plan.id, set(wanted_notes) | set(shipped))

    undo_start = col.add_custom_undo_entry(UNDO_NAME)
    recorded = record.get("decks")
    decks = find_plan_decks(
        col,
        plan,
        recorded if isinstance(recorded, dict) else {},
        ((b.tags, b.cards) for b in before.values()),
    )
    emptied = (decks.all_ids() - decks.guessed) | ancestors(col, decks.all_ids() - decks.guessed)
    renamed = rename_in_place(col, decks, wanted_decks, undo=undo_start)
    blocked = _kind_changes(plan, before)
    with tempfile.TemporaryDirectory(prefix="learnplan-update-") as tmp:
        if blocked:
            path = _without_notes(path, set(blocked), Path(tmp) / "filtered.apkg")
        log = import_package(col, path)
        package: _PackageNotes | None = None
        if log.conflicting or log.duplicate:
            package = _read_package_notes(path)
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

    edited = _hand_edited(before, shipped)
    deck_ids = {key: col.decks.id_for_name(name) for key, name in wanted_decks.items()}

    new: list[int] = []
    updated: list[int] = []
    unchanged: list[int] = []
    kept: list[int] = []
    restored: list[int] = []
    moved: list[tuple[int, int]] = []  # (card id, new deck id)
    removed: list[int] = []
    to_save: list[Any] = []
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
            _apply_package_note(note, package.by_guid[guid])
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
        previously_shipped = {t.lower() for t in _shipped_tags(shipped.get(guid))}
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
    moves_by_deck: dict[int, list[int]] = {}
    for cid, did in moved:
        moves_by_deck.setdefault(did, []).append(cid)
    for did, cids in moves_by_deck.items():
        col.set_deck(cids, did)
        col.merge_undo_entries(undo_start)  # Anki keeps a few dozen undo steps
    in_use = {d for d in deck_ids.values() if d is not None}
    removed_decks = remove_emptied(col, emptied, in_use, undo=undo_start)

    _save_record(col, plan, ts, deck_ids, state)
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


def _kind_changes(plan: Plan, before: dict[str, _Before]) -> dict[str, str]:
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


def _without_notes(src: str | Path, guids: set[str], dst: Path) -> Path:
    """A copy of our package ``src`` without the notes ``guids`` (and their cards)."""
    import sqlite3
    import zipfile

    with zipfile.ZipFile(src) as zin:
        entries = [(info, zin.read(info)) for info in zin.infolist()]
    db = dst.with_suffix(".anki2")
    with zipfile.ZipFile(dst, "w") as zout:
        for info, data in entries:
            if info.filename == "collection.anki2":
                db.write_bytes(data)
                conn = sqlite3.connect(db)
                try:
                    conn.executemany("delete from notes where guid = ?", [(g,) for g in guids])
                    conn.execute("delete from cards where nid not in (select id from notes)")
                    conn.commit()
                finally:
                    conn.close()
                data = db.read_bytes()
            zout.writestr(info, data)
    return dst


@dataclass(frozen=True)
class _PackageNotes:
    by_guid: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]]  # fields, tags
    guid_by_id: dict[int, str]


def _read_package_notes(path: str | Path) -> _PackageNotes:
    """Notes (named fields and tags) of one of our packages, read from its own SQLite."""
    import sqlite3
    import unicodedata
    import zipfile

    with tempfile.TemporaryDirectory(prefix="learnplan-read-") as tmp:
        db = Path(tmp) / "collection.anki2"
        with zipfile.ZipFile(path) as zf:
            db.write_bytes(zf.read("collection.anki2"))
        conn = sqlite3.connect(db)
        try:
            models = json.loads(conn.execute("select models from col").fetchone()[0])
            rows = conn.execute("select id, guid, mid, flds, tags from notes").fetchall()
        finally:
            conn.close()
    names = {
        int(mid): [f["name"] for f in sorted(m["flds"], key=lambda f: f["ord"])]
        for mid, m in models.items()
    }
    by_guid: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = {}
    guid_by_id: dict[int, str] = {}
    for nid, guid, mid, flds, tags in rows:
        # Anki stores note text NFC-normalised; compare like with like.
        values = unicodedata.normalize("NFC", flds).split("\x1f")
        by_guid[guid] = (
            tuple(zip(names.get(int(mid), []), values, strict=False)),
            tuple(tags.split()),
        )
        guid_by_id[int(nid)] = guid
    return _PackageNotes(by_guid=by_guid, guid_by_id=guid_by_id)


def _apply_package_note(
    note: Any, entry: tuple[tuple[tuple[str, str], ...], tuple[str, ...]]
) -> None:
    fields, tags = entry
    for name, value in fields:
        if name in note:
            note[name] = value
    note.tags = list(tags)


def _shipped_tags(entry: list[Any] | None) -> list[str]:
    if entry and len(entry) > 1 and isinstance(entry[1], list):
        return [str(t) for t in entry[1]]
    return []


def _hand_edited(before: dict[str, _Before], shipped: dict[str, list[Any]]) -> set[str]:
    """GUIDs of notes whose fields are no longer what we shipped.

    Without a record (the plan so far came in through File > Import) we fall back on
    ``mod``: every note of one import shares the package's timestamp, so a note whose
    ``mod`` differs from the most common one was touched since. That can also be a tag
    change; keeping such a note's text and reporting it errs on the learner's side.
    """
    if shipped:
        return {
            guid
            for guid, b in before.items()
            if guid in shipped
            and shipped[guid]
            and fingerprint(v for _, v in b.fields) != shipped[guid][0]
        }
    if not before:
        return set()
    common, _ = Counter(b.mod for b in before.values()).most_common(1)[0]
    return {guid for guid, b in before.items() if b.mod != common}


def _note_ids_by_guid(col: Any, guids: set[str]) -> dict[str, int]:
    return {guid: nid for nid, guid in col.db.all("select id, guid from notes") if guid in guids}


def _cards_to_move(
    col: Any,
    prior: _Before,
    new_key: str,
    plan_id: str,
    deck_ids: dict[str, int | None],
    decks: PlanDecks,
) -> list[tuple[int, int]]:
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
    out: list[tuple[int, int]] = []
    for cid, did in prior.cards:
        if did == target:
            continue
        top = str(col.decks.name(did)).split("::")[0]
        if did in known if known else top in decks.roots:
            out.append((cid, target))
    return out


def _save_record(
    col: Any,
    plan: Plan,
    ts: float,
    deck_ids: dict[str, int | None],
    state: dict[str, list[Any]],
) -> None:
    data = json.dumps({"plan": plan.id, "notes": state}, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(data.encode("utf-8")).hexdigest()[:12]
    # write_data never overwrites: a new state gets a new name, an identical one is reused.
    name = col.media.write_data(f"{STATE_FILE_PREFIX}{plan.id}-{digest}.json", data.encode())
    record = {
        "built_at": ts,
        "updated_at": time.time(),
        "decks": {k: v for k, v in deck_ids.items() if v is not None},
        "state": name,
    }
    from learnplan.collection.recordstore import record_import

    record_import(col, plan.id, record)
