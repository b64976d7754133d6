"""The plan model: frozen dataclasses and the FTE arithmetic that needs nothing else.

A plan is read from an outline (:mod:`learnplan.reading.outline`) or from its dict form,
the manifest embedded in a built package (:mod:`learnplan.model.dictform`). Everything
here is immutable and pure.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

CardKind = Literal["basic", "reversed", "cloze"]

#: An id of a plan, course, lesson, resource or card: lower-case letters, digits and '-'.
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_slug_match = SLUG.fullmatch  # bound once: it runs for every card of a large plan


@dataclass(frozen=True)
class SourceRef:
    """Where something was written, for ``path:line: message`` errors."""

    path: Path
    line: int  # 1-based

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Card:
    """One flashcard as the learner wrote it (Markdown source, not yet HTML).

    ``key`` is the card's stable identity within its course. It is ``None`` only while a
    card written without an ``id`` is waiting for one to be assigned and written back.
    """

    key: str | None
    kind: CardKind
    front: str  # cloze: the text with {{cN::...}}
    back: str  # cloze: the "Extra" field
    lesson: str | None = None  # lesson id within the course
    tags: tuple[str, ...] = ()
    source: SourceRef | None = None
    base_dir: Path | None = None  # images are resolved relative to this folder
    # True when the reader assigned ``key`` in memory; write-back puts it into the source.
    new_key: bool = False
    # False when the text holds no HTML: a "<" is shown as written (a CSV card file's
    # "#html:false", as in Anki's text import).
    raw_html: bool = True


_new = object.__new__
_set = object.__setattr__


def make_card(
    key: str | None,
    kind: CardKind,
    front: str,
    back: str,
    lesson: str | None,
    tags: tuple[str, ...],
    source: SourceRef | None,
    base_dir: Path | None,
    raw_html: bool = True,
) -> Card:
    """``Card(key, kind, front, back, lesson, tags, source, base_dir, raw_html=raw_html)``,
    the same object made in a third of the time: the readers make one per card of plans
    of 100,000 cards, and a frozen dataclass sets its fields one at a time. (Card has no
    ``__post_init__``; a test checks both ways give equal cards.)"""
    card: Card = _new(Card)
    _set(
        card,
        "__dict__",
        {
            "key": key,
            "kind": kind,
            "front": front,
            "back": back,
            "lesson": lesson,
            "tags": tags,
            "source": source,
            "base_dir": base_dir,
            "new_key": False,
            "raw_html": raw_html,
        },
    )
    return card


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    weight: float | None = None
    hours: float | None = None
    url: str | None = None

    @property
    def effective_weight(self) -> float:
        """Weight used for earned value: ``weight``, else ``hours``, else 1."""
        if self.weight is not None:
            return self.weight
        if self.hours is not None:
            return self.hours
        return 1.0


@dataclass(frozen=True)
class Course:
    id: str
    provider: str
    title: str
    fte: float
    cost: float = 0.0
    url: str | None = None
    start_week: int | None = None  # 1-based, inclusive
    end_week: int | None = None  # 1-based, inclusive
    lessons: tuple[Lesson, ...] = ()
    cards: tuple[Card, ...] = ()
    # Where a thing was written is not part of what it is (as for Plan.source): the same
    # course read from a manifest, a stored record or another file layout is equal.
    source: SourceRef | None = field(default=None, compare=False)

    def window(self, weeks: int) -> tuple[int, int]:
        """The course's weeks as (first, last), 1-based and inclusive."""
        first = self.start_week if self.start_week is not None else 1
        last = self.end_week if self.end_week is not None else weeks
        return first, last

    @functools.cached_property
    def total_weight(self) -> float:
        """The lessons' weights added up (each day of a burn-up asks again); worked out
        once per course, which a frozen course can do since its lessons never change.
        The cached value lives in the instance's ``__dict__``, outside the fields, so it
        takes no part in equality, hashing, ``asdict`` or ``dataclasses.replace``."""
        return sum(lesson.effective_weight for lesson in self.lessons)

    def lesson(self, lesson_id: str) -> Lesson | None:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        return None


@dataclass(frozen=True)
class Resource:
    """Something the plan pays for that earns no FTE (e.g. a GPU server)."""

    id: str
    title: str
    cost: float
    provider: str = ""
    url: str | None = None
    source: SourceRef | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    start: dt.date
    weeks: int = 12
    hours_per_week: float = 40.0
    hours_per_point: float = 120.0
    currency: str = "USD"
    allow_html: bool = False
    courses: tuple[Course, ...] = ()
    resources: tuple[Resource, ...] = ()
    source: SourceRef | None = field(default=None, compare=False)

    @property
    def total_fte(self) -> float:
        return round(sum(c.fte for c in self.courses), 6)

    @property
    def total_cost(self) -> float:
        return round(sum(c.cost for c in self.courses) + sum(r.cost for r in self.resources), 2)

    @property
    def capacity(self) -> float:
        """FTE points that fit in the plan: weeks × hours a week / hours a point."""
        return capacity(self.weeks, self.hours_per_week, self.hours_per_point)

    @property
    def overcommitment(self) -> float:
        """Total FTE / capacity (1.0 = exactly full; the seed plan is 1.85)."""
        return self.total_fte / self.capacity if self.capacity else float("inf")

    @property
    def end(self) -> dt.date:
        """The day after the plan's last day."""
        return self.start + dt.timedelta(weeks=self.weeks)

    def course(self, course_id: str) -> Course | None:
        for course in self.courses:
            if course.id == course_id:
                return course
        return None

    # Tags and deck names are part of the identity contract (docs/outline.md, "Identity and
    # card ids"; the tags under "The plan file"); keep them here
    # so the deck builder, the progress engine and the add-on agree.
    def course_tag(self, course_id: str) -> str:
        return f"{self.id}::course::{course_id}"

    def lesson_tag(self, course_id: str, lesson_id: str) -> str:
        return f"{self.id}::lesson::{course_id}::{lesson_id}"

    def provider_tag(self, provider: str) -> str:
        return f"{self.id}::provider::{slugify(provider)}"

    @property
    def removed_tag(self) -> str:
        return f"{self.id}::removed"

    def deck_name(self, course: Course, lesson: Lesson | None = None) -> str:
        """``<Plan title>::<NN · Provider>::<NN · Course>[::<NN · Lesson>]``.

        Anki lists decks sorted by name (case-insensitively, character by character), so
        each level is numbered in outline order, zero-padded to the same width: the deck
        list shows the plan in the order it was written, whatever the titles. Providers
        come in the order of their first course; courses are numbered within their
        provider, lessons within their course.
        """
        provider, course_number, lessons = self._deck_numbers.get(
            course.id, (deck_numbered(1, 1, course.provider or "Other"), "", {})
        )
        parts = [deck_part(self.title), provider, course_number + deck_part(course.title)]
        if lesson is not None:
            parts.append(lessons.get(lesson.id, "") + deck_part(lesson.title))
        return "::".join(parts)

    @functools.cached_property
    def _deck_numbers(self) -> dict[str, tuple[str, str, dict[str, str]]]:
        """Course id -> (its provider's numbered deck name part, the course's number,
        lesson id -> the lesson's number), computed once per plan."""
        groups: dict[str, list[Course]] = {}  # provider, as Anki compares names -> courses
        names: dict[str, str] = {}
        for c in self.courses:
            name = deck_part(c.provider or "Other")
            names.setdefault(name.casefold(), name)
            groups.setdefault(name.casefold(), []).append(c)
        out: dict[str, tuple[str, str, dict[str, str]]] = {}
        for p, (key, courses) in enumerate(groups.items(), start=1):
            provider = deck_numbered(p, len(groups), names[key])
            for n, c in enumerate(courses, start=1):
                lessons = {
                    lesson.id: deck_numbered(i, len(c.lessons), "")
                    for i, lesson in enumerate(c.lessons, start=1)
                }
                out.setdefault(c.id, (provider, deck_numbered(n, len(courses), ""), lessons))
        return out


def capacity(weeks: float, hours_per_week: float, hours_per_point: float) -> float:
    return weeks * hours_per_week / hours_per_point if hours_per_point else 0.0


def slugify(text: str) -> str:
    """Lower-case ASCII slug for tags (no spaces; Anki tags are case-insensitive)."""
    out: list[str] = []
    dash = False
    for ch in text.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-") or "x"


def is_slug(value: str) -> bool:
    """True for a usable id (:data:`SLUG`)."""
    return _slug_match(value) is not None


def is_tag(value: str) -> bool:
    """Anki tags are space-separated, so a tag may hold anything but whitespace."""
    return bool(value) and not any(ch.isspace() for ch in value)


DECK_NUMBER_SEPARATOR = " · "


def deck_numbered(position: int, count: int, title: str) -> str:
    """``title`` after its 1-based ``position`` among ``count`` siblings, zero-padded to
    at least two digits (so a course growing from 9 to 10 lessons renames nothing)."""
    width = max(2, len(str(count)))
    return f"{position:0{width}d}{DECK_NUMBER_SEPARATOR}{title}"


def deck_part(title: str) -> str:
    """One component of a deck name: '::' would split it, so it becomes ':'."""
    cleaned = " ".join(title.replace("::", ":").split())
    return cleaned or "Untitled"


# --- dict form (the manifest embedded in packages; also used by reports and the add-on)


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data: every setting, course, lesson and resource.

    Cards and source locations are not part of the dict form, by design: it is what the
    progress model needs (carried in every package's manifest and stored in the
    collection), while cards live in the notes. Each course also gets its ``tag``,
    ``deck`` and ``card_count``, for readers; :func:`learnplan.model.dictform.plan_from_dict`
    ignores them.
    """
    return {
        "id": plan.id,
        "title": plan.title,
        "start": plan.start.isoformat(),
        "weeks": plan.weeks,
        "hours_per_week": plan.hours_per_week,
        "hours_per_point": plan.hours_per_point,
        "currency": plan.currency,
        "allow_html": plan.allow_html,
        "courses": [
            {
                "id": c.id,
                "provider": c.provider,
                "title": c.title,
                "fte": c.fte,
                "cost": c.cost,
                "url": c.url,
                "start_week": c.start_week,
                "end_week": c.end_week,
                "tag": plan.course_tag(c.id),
                "deck": plan.deck_name(c),
                "card_count": len(c.cards),
                "lessons": [
                    {
                        "id": lesson.id,
                        "title": lesson.title,
                        "weight": lesson.weight,
                        "hours": lesson.hours,
                        "url": lesson.url,
                    }
                    for lesson in c.lessons
                ],
            }
            for c in plan.courses
        ],
        "resources": [
            {"id": r.id, "title": r.title, "cost": r.cost, "provider": r.provider, "url": r.url}
            for r in plan.resources
        ],
    }
