"""Anki's own importer as the update path runs it, and our packages' notes read without it.

:func:`import_package` runs ``col.import_anki_package`` with the update path's options
(note types merged, notes updated) or File › Import's defaults. The rest reads and
filters one of our own ``.apkg`` files with ``sqlite3``: the notes the importer left out
are applied from the package, and notes whose card kind changed are kept out of it.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from anki.collection import Collection, ImportAnkiPackageOptions
    from anki.import_export_pb2 import ImportResponse
    from anki.notes import Note


def import_options(*, plain: bool = False) -> ImportAnkiPackageOptions:
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


def import_package(col: Collection, path: str | Path, *, plain: bool = False) -> ImportResponse.Log:
    """Run Anki's own importer on ``path``; returns its log."""
    from anki.collection import ImportAnkiPackageRequest

    request = ImportAnkiPackageRequest(package_path=str(path), options=import_options(plain=plain))
    return col.import_anki_package(request).log


def without_notes(src: str | Path, guids: set[str], dst: Path) -> Path:
    """A copy of our package ``src`` without the notes ``guids`` (and their cards)."""
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
class PackageNotes:
    by_guid: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]]  # fields, tags
    guid_by_id: dict[int, str]


def read_package_notes(path: str | Path) -> PackageNotes:
    """Notes (named fields and tags) of one of our packages, read from its own SQLite."""
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
    return PackageNotes(by_guid=by_guid, guid_by_id=guid_by_id)


def apply_package_note(
    note: Note, entry: tuple[tuple[tuple[str, str], ...], tuple[str, ...]]
) -> None:
    fields, tags = entry
    for name, value in fields:
        if name in note:
            note[name] = value
    note.tags = list(tags)
