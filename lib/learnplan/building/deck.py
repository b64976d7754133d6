"""Plan -> Anki package (.apkg), following the identity rules of docs/outline.md
("Identity and card ids") and docs/updating.md.

``build_package`` renders and validates every card (nothing is written);
:func:`learnplan.building.apkg.write_package` writes the package.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from learnplan.base.errors import PlanError, Problem
from learnplan.base.ids import note_guids, stable_id
from learnplan.base.pause import paused_gc
from learnplan.building.built import BuiltDeck, BuiltNote, BuiltPackage
from learnplan.building.manifest import encode_manifest, manifest_name, read_package_manifest
from learnplan.building.notetypes import source_html
from learnplan.cards.cloze import cloze_ordinals
from learnplan.cards.files import media_name
from learnplan.cards.render import clean_html, render_card_text
from learnplan.model.plan import Card, CardKind, Course, Lesson, Plan, slugify

__all__ = ["build_package"]

_PROGRESS_EVERY = 1000


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
