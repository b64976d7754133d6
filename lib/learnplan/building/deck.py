"""Plan -> Anki package (.apkg), following the identity rules of docs/outline.md
("Identity and card ids") and docs/updating.md.

``build_package`` renders and validates every card (nothing is written); ``write_package``
writes the package atomically. The writer fills genanki's own tables (without their
secondary indexes) but inserts rows in batches and zips with fixed dates, so the same plan
and timestamp give the same bytes and no temporary SQLite file is left behind
(``genanki.Package.write_to_file`` leaks one).
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from learnplan.base.atomic import replace_file, scratch_file
from learnplan.base.errors import PlanError, Problem
from learnplan.base.ids import note_guids, stable_id
from learnplan.base.pause import paused_gc
from learnplan.building.manifest import encode_manifest, manifest_name, read_package_manifest
from learnplan.building.notetypes import SPECS, build_models, model_ids, source_html
from learnplan.building.outputs import PACKAGE, check_output
from learnplan.cards.cloze import cloze_ordinals
from learnplan.cards.files import media_name, read_media
from learnplan.cards.render import clean_html, render_card_text
from learnplan.model.plan import Card, CardKind, Course, Lesson, Plan, slugify

__all__ = ["BuiltDeck", "BuiltNote", "BuiltPackage", "build_package", "write_package"]

_PROGRESS_EVERY = 1000


class BuiltNote(NamedTuple):
    # A named tuple rather than a frozen dataclass: built once per card, it is several
    # times quicker to make, and as immutable.
    guid: str
    kind: CardKind
    fields: tuple[str, str, str]
    tags: tuple[str, ...]
    deck_id: int
    ords: tuple[int, ...]  # card template ordinals (cloze: N-1 for each cN)


@dataclass(frozen=True)
class BuiltDeck:
    id: int
    name: str
    description: str = ""


@dataclass(frozen=True)
class BuiltPackage:
    """A rendered, validated plan, ready for :func:`write_package`."""

    plan: Plan
    timestamp: float
    decks: tuple[BuiltDeck, ...]
    notes: tuple[BuiltNote, ...]
    media: tuple[tuple[str, Path], ...]  # (media name, source file), sorted by name
    manifest_name: str
    manifest_bytes: bytes

    @property
    def note_count(self) -> int:
        return len(self.notes)

    @property
    def card_count(self) -> int:
        return sum(len(n.ords) for n in self.notes)

    @functools.cached_property
    def package(self) -> Any:
        """The same content as a ``genanki.Package``, for inspection.

        Its media list holds the image source paths, whose file names are not the hashed
        names the fields use, and it lacks the manifest: write with :func:`write_package`.
        """
        import genanki

        models = build_models()
        decks = {d.id: genanki.Deck(d.id, d.name, d.description) for d in self.decks}
        for n in self.notes:
            decks[n.deck_id].add_note(
                genanki.Note(models[n.kind], list(n.fields), guid=n.guid, tags=list(n.tags))
            )
        return genanki.Package(list(decks.values()), media_files=[str(p) for _, p in self.media])


def _problem(card: Card | Course, message: str) -> Problem:
    src = card.source
    return Problem(src.path, src.line, message) if src else Problem("<plan>", 0, message)


def _own_tags(plan: Plan, card: Card) -> tuple[str, ...]:
    tags: list[str] = []
    for tag in card.tags:
        slug = "::".join(slugify(part) for part in tag.split("::") if part.strip())
        # A hand-written tag under the plan's namespace could add a second course tag.
        if slug and not slug.startswith(f"{plan.id}::"):
            tags.append(slug)
    return tuple(tags)


def _resolve_timestamp(timestamp: float | None, previous: str | os.PathLike[str] | None) -> float:
    ts = time.time() if timestamp is None else float(timestamp)
    if previous is not None and os.path.exists(previous):
        before = read_package_manifest(previous)
        # Anki only updates notes whose mod (whole seconds) is strictly newer.
        if before is not None and ts < before.built_at + 1:
            ts = before.built_at + 1
    return ts


def build_package(
    plan: Plan,
    *,
    timestamp: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    previous: str | os.PathLike[str] | None = None,
) -> BuiltPackage:
    """Render and validate every card of ``plan``.

    ``timestamp`` (seconds) becomes every note's ``mod``; it defaults to now and is raised
    to at least one second after the build recorded in ``previous`` (an earlier .apkg).
    Raises ``PlanError`` listing every bad card; nothing is written.
    """
    ts = _resolve_timestamp(timestamp, previous)
    total = sum(len(c.cards) for c in plan.courses)
    problems: list[Problem] = []
    notes: list[BuiltNote] = []
    decks: dict[int, BuiltDeck] = {}
    media: dict[str, Path] = {}
    seen_courses: set[str] = set()
    done = 0
    root = plan.source.path.parent if plan.source is not None else None
    with paused_gc():
        for course in plan.courses:
            if course.id in seen_courses:
                problems.append(_problem(course, f"course id {course.id!r} is used twice"))
                continue
            seen_courses.add(course.id)
            course_deck = stable_id("deck", plan.id, course.id)
            course_source = clean_html(source_html(course, None))
            # The deck description (shown on Anki's deck overview) links the course too.
            decks[course_deck] = BuiltDeck(course_deck, plan.deck_name(course), course_source)
            base_tags: tuple[str, ...] = (
                plan.course_tag(course.id),
                plan.provider_tag(course.provider),
            )
            lessons: dict[str, tuple[int, tuple[str, ...], str, Lesson]] = {}
            keys: dict[str, Card] = {}
            guid = note_guids(plan.id, course.id)
            for card in course.cards:
                done += 1
                if progress is not None and done % _PROGRESS_EVERY == 0:
                    progress(done, total)
                note = _build_note(plan, course, card, keys, lessons, problems, media, root)
                if note is None:
                    continue
                deck_id, tags, source = course_deck, base_tags, course_source
                if card.lesson is not None:
                    deck_id, tags, source, _ = lessons[card.lesson]
                    if deck_id not in decks:
                        decks[deck_id] = BuiltDeck(
                            deck_id, plan.deck_name(course, lessons[card.lesson][3]), source
                        )
                own = _own_tags(plan, card) if card.tags else ()
                # Positional, as this runs once per card (fields in BuiltNote's order).
                notes.append(
                    BuiltNote(
                        guid(card.key or ""),
                        note[0],
                        (note[1], note[2], source),
                        tags + own if own else tags,
                        deck_id,
                        note[3],
                    )
                )
    if problems:
        raise PlanError(problems)
    if progress is not None:
        progress(total, total)
    content = encode_manifest(plan, ts)
    return BuiltPackage(
        plan=plan,
        timestamp=ts,
        decks=tuple(decks.values()),
        notes=tuple(notes),
        media=tuple(sorted(media.items())),
        manifest_name=manifest_name(plan.id, content),
        manifest_bytes=content,
    )


def _build_note(
    plan: Plan,
    course: Course,
    card: Card,
    keys: dict[str, Card],
    lessons: dict[str, tuple[int, tuple[str, ...], str, Lesson]],
    problems: list[Problem],
    media: dict[str, Path],
    root: Path | None,
) -> tuple[CardKind, str, str, tuple[int, ...]] | None:
    """Rendered (kind, first field, second field, ords), or None after recording problems.
    Local images must be inside ``root`` (the plan folder)."""
    if card.key is None:
        problems.append(_problem(card, "card has no id yet (build without --no-write)"))
        return None
    first = keys.get(card.key)
    if first is not None:
        where = f" (first at line {first.source.line})" if first.source else ""
        problems.append(
            _problem(card, f"card id {card.key!r} is used twice in course {course.id!r}{where}")
        )
        return None
    keys[card.key] = card
    if card.lesson is not None and card.lesson not in lessons:
        lesson = course.lesson(card.lesson)
        if lesson is None:
            problems.append(
                _problem(card, f"unknown lesson {card.lesson!r} in course {course.id!r}")
            )
            return None
        lessons[card.lesson] = (
            stable_id("deck", plan.id, course.id, lesson.id),
            (
                plan.course_tag(course.id),
                plan.lesson_tag(course.id, lesson.id),
                plan.provider_tag(course.provider),
            ),
            clean_html(source_html(course, lesson)),
            lesson,
        )
    sides = ("cloze text", "extra") if card.kind == "cloze" else ("front", "back")
    try:
        front = render_card_text(
            card.front,
            allow_html=plan.allow_html,
            base_dir=card.base_dir,
            source=card.source,
            root=root,
            html=card.raw_html,
            side=sides[0],
        )
        back = render_card_text(
            card.back,
            allow_html=plan.allow_html,
            base_dir=card.base_dir,
            source=card.source,
            root=root,
            html=card.raw_html,
            side=sides[1],
        )
    except PlanError as exc:
        problems.extend(exc.problems)
        return None
    if not front.html.strip():
        what = "cloze text" if card.kind == "cloze" else "front"
        problems.append(
            _problem(card, f"card {card.key!r} has an empty {what}: Anki would make no card")
        )
        return None
    ords: tuple[int, ...]
    if card.kind == "cloze":
        ords = cloze_ordinals(front.html)
        if not ords:
            problems.append(
                _problem(card, f"cloze card {card.key!r} has no {{{{c1::...}}}} deletion")
            )
            return None
    elif card.kind == "reversed":
        if not back.html.strip():
            problems.append(
                _problem(card, f"reversed card {card.key!r} needs a back to ask in reverse")
            )
            return None
        ords = (0, 1)
    else:
        ords = (0,)
    if front.media or back.media:
        for path in (*front.media, *back.media):
            media[media_name(path)] = path
    return card.kind, front.html, back.html, ords


# --- writing


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
