"""A built package -> an Anki package file (.apkg), atomically.

The writer fills genanki's own tables (without their secondary indexes) but inserts rows in
batches and zips with fixed dates, so the same plan and timestamp give the same bytes and
no temporary SQLite file is left behind (``genanki.Package.write_to_file`` leaks one).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from learnplan.base.atomic import replace_file, scratch_file
from learnplan.base.pause import paused_gc
from learnplan.building.built import BuiltPackage
from learnplan.building.notetypes import SPECS, build_models, model_ids
from learnplan.building.outputs import PACKAGE, check_output
from learnplan.cards.files import read_media
from learnplan.model.plan import CardKind

__all__ = ["plan_sources", "write_package"]


def _zip_info(name: str, timestamp: float) -> zipfile.ZipInfo:
    # A fixed date and mode make the archive's bytes depend only on its content.
    date = time.gmtime(max(timestamp, 315532800.0))[:6]  # the zip format starts in 1980
    info = zipfile.ZipInfo(name, date_time=date)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    return info


def _fill_collection(built: BuiltPackage, db_path: str) -> None:
    import genanki
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    ts = built.timestamp
    conn = sqlite3.connect(db_path)
    try:
        # The file is thrown away on failure, so durability buys nothing here.
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-65536")  # KiB: the whole table stays in memory
        conn.execute("PRAGMA page_size=32768")  # fewer, larger pages: faster bulk insert
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        # Tables only: a package's secondary indexes would only speed up queries on the
        # package itself, which nothing makes (Anki's importer reads it whole and indexes
        # the notes and cards in the collection they go into). Building them was a
        # fifth of the writing time.
        tables = [s for s in APKG_SCHEMA.split(";") if "CREATE INDEX" not in s]
        conn.executescript(";".join(tables))
        conn.executescript(APKG_COL)
        (decks_json,) = conn.execute("SELECT decks FROM col").fetchone()
        decks = json.loads(decks_json)
        for d in built.decks:
            decks[str(d.id)] = genanki.Deck(d.id, d.name, d.description).to_json()
        default_deck = built.decks[0].id if built.decks else 1
        models = build_models()
        ids = model_ids()
        used = {n.kind for n in built.notes}
        models_json = {
            str(ids[kind]): models[kind].to_json(ts, default_deck) for kind in SPECS if kind in used
        }
        conn.execute(
            "UPDATE col SET decks = ?, models = ?",
            (json.dumps(decks), json.dumps(models_json)),
        )
        # The values every row shares are written in the statement, not bound per row.
        mod = int(built.timestamp)
        conn.executemany(
            f"INSERT INTO notes VALUES(?,?,?,{mod},-1,?,?,?,0,0,'')", _note_rows(built, ids)
        )
        conn.executemany(
            f"INSERT INTO cards VALUES(?,?,?,?,{mod},-1,0,0,?,0,0,0,0,0,0,0,0,'')",
            _card_rows(built),
        )
        conn.commit()
    finally:
        conn.close()


def _note_rows(built: BuiltPackage, mids: dict[CardKind, int]) -> Iterator[tuple[Any, ...]]:
    """(id, guid, mid, tags, flds, sfld) of each note; mod, usn, csum, flags and data are
    the same for all. The same id sequence genanki uses: a note's id, then its cards'."""
    note_id = int(built.timestamp * 1000)
    tag_texts: dict[tuple[str, ...], str] = {}  # notes of a lesson share one tags tuple
    for guid, kind, fields, tags, _, ords in built.notes:
        tag_text = tag_texts.get(tags)
        if tag_text is None:
            tag_text = tag_texts[tags] = f" {' '.join(tags)} "
        yield (note_id, guid, mids[kind], tag_text, "\x1f".join(fields), fields[0])
        note_id += 1 + len(ords)


def _card_rows(built: BuiltPackage) -> Iterator[tuple[int, int, int, int, int]]:
    """(id, nid, did, ord, due) of each card; the rest is the same for all."""
    note_id = int(built.timestamp * 1000)
    # due = plan order, so new cards are introduced lesson by lesson.
    for due, (_, _, _, _, deck_id, ords) in enumerate(built.notes, start=1):
        for i, ord_ in enumerate(ords, start=1):
            yield (note_id + i, note_id, deck_id, ord_, due)
        note_id += 1 + len(ords)


def _write_zip(built: BuiltPackage, db_path: str, out: Any) -> None:
    names = [built.manifest_name, *(name for name, _ in built.media)]
    with zipfile.ZipFile(out, "w") as zf:
        with (
            open(db_path, "rb") as db,
            zf.open(_zip_info("collection.anki2", built.timestamp), "w", force_zip64=True) as entry,
        ):
            while chunk := db.read(1 << 20):
                entry.write(chunk)
        media_map = {str(i): name for i, name in enumerate(names)}
        zf.writestr(_zip_info("media", built.timestamp), json.dumps(media_map))
        zf.writestr(_zip_info("0", built.timestamp), built.manifest_bytes)
        for i, (name, path) in enumerate(built.media, start=1):
            # Read again, right here, and checked to be the very file that was approved.
            zf.writestr(_zip_info(str(i), built.timestamp), read_media(name, path))


def plan_sources(built: BuiltPackage) -> dict[Path, str]:
    """The files ``built`` was made from that a package must never overwrite: the outline,
    the card files holding its cards and the images they show (``{file: what it is}``)."""
    plan = built.plan
    sources: dict[Path, str] = {}
    if plan.source is not None:
        sources[plan.source.path] = "the plan's outline"
    last: Path | None = None
    for course in plan.courses:
        for card in course.cards:
            # Cards come file by file: each path object is met in runs.
            if card.source is not None and card.source.path is not last:
                last = card.source.path
                sources.setdefault(last, "a card file of the plan")
    for _, path in built.media:
        sources.setdefault(path, "an image the plan uses")
    return sources


def write_package(
    built: BuiltPackage, path: str | os.PathLike[str], *, force: bool = False
) -> Path:
    """Write ``built`` to ``path`` atomically: either the whole new file or the old one.

    Refuses with :class:`PlanError`, writing nothing, if ``path`` is one of the plan's own
    files, or exists and is not a package learnplan built (unless ``force``). Temporary
    files live next to the target (so the final rename is atomic) and are removed
    whatever happens.
    """
    target = Path(path)
    check_output(target, PACKAGE, sources=plan_sources(built), force=force)
    with scratch_file(target, ".anki2") as db_path:
        with paused_gc():
            _fill_collection(built, str(db_path))
        replace_file(target, lambda out: _write_zip(built, str(db_path), out))
    return target
