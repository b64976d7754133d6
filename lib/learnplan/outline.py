"""Reading a plan: the YAML outline and its Markdown card files -> :class:`Plan`.

Everything is validated before anything is returned, and every problem is reported as
``path:line: message`` (collected where the reader can carry on, so one run shows many).
The format is documented in docs/outline.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .cardfile import (
    has_cloze,
    is_slug,
    is_tag,
    looks_like_cloze,
    read_source_text,
    split_card_file,
    split_lines,
)
from .cards import image_sources
from .errors import PlanError, Problem
from .ids import new_card_key
from .plan import Card, CardKind, Course, Lesson, Plan, Resource, SourceRef
from .planfiles import FileRefError, image_file, image_url, resolve_inside

PLAN_KEYS = (
    "id",
    "title",
    "start",
    "weeks",
    "hours_per_week",
    "hours_per_point",
    "currency",
    "allow_html",
)
TOP_KEYS = ("plan", "courses", "resources")
COURSE_KEYS = (
    "id",
    "provider",
    "title",
    "fte",
    "cost",
    "url",
    "start_week",
    "end_week",
    "cards",
    "lessons",
)
LESSON_KEYS = ("id", "title", "weight", "hours", "url", "cards")
RESOURCE_KEYS = ("id", "title", "provider", "cost", "url")
CARD_KEYS = ("id", "front", "back", "cloze", "extra", "reversed", "tags", "lesson")
FRONT_MATTER_KEYS = ("lesson", "tags")
MAX_WEEKS = 520
# Deeper YAML than this is never a plan; the cap stops a nesting bomb before recursion does.
MAX_YAML_DEPTH = 64


def default_plan_path() -> Path:
    """The bundled plan: Zero to Deep Learning (DESIGN.md's seed plan)."""
    return Path(__file__).parent / "data" / "zero-to-deep-learning" / "plan.yaml"


def load_plan(path: str | os.PathLike[str], *, assign_ids: bool = True) -> Plan:
    """Read and validate a plan. Cards written without an id get a fresh random key in
    memory (``Card.new_key``), for :func:`learnplan.writeback.write_back_ids`; with
    ``assign_ids=False`` such cards are an error instead."""
    return load_plan_and_sources(path, assign_ids=assign_ids)[0]


def load_plan_and_sources(
    path: str | os.PathLike[str], *, assign_ids: bool = True
) -> tuple[Plan, dict[Path, str]]:
    """:func:`load_plan`, and every file the plan was read from — the outline, its card
    files (even those holding no card) and the images its cards show — as ``{path: what
    it is}`` (paths with symlinks resolved), so that nothing ever writes over them."""
    plan_file = Path(os.path.abspath(path))
    reader = _Reader(plan_file)
    plan = reader.read(assign_ids=assign_ids)
    sources = {Path(os.path.realpath(plan_file)): "the plan's outline"}
    for real in reader.used_files:
        sources.setdefault(real, "a card file of the plan")
    for (_, _, what), (found, _) in reader.resolved.items():
        if found is not None:
            label = "an image the plan uses" if what == "image" else f"a {what} of the plan"
            sources.setdefault(Path(os.path.realpath(found)), label)
    return plan, sources


# --- YAML loading


@functools.cache
def _yaml_classes() -> tuple[Any, Any]:
    """ruamel's composer and constructor, made strict (built once, on first use)."""
    from ruamel.yaml.composer import Composer, ComposerError
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.events import AliasEvent

    class SafeComposer(Composer):
        # Aliases (and the anchors they need) are refused while composing, before any
        # object graph exists: an alias bomb fails in linear time with a clear message.
        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.parser.peek_event()
            if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
                raise ComposerError(
                    None,
                    None,
                    "YAML anchors and aliases (&name, *name, <<) are not allowed in a plan; "
                    "write the values out",
                    event.start_mark,
                )
            return super().compose_node(parent, index)

    class DateAsText(RoundTripConstructor):
        pass

    # Dates stay text so a bad date is reported by us with its line, not by datetime.
    DateAsText.add_constructor(
        "tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str
    )

    return SafeComposer, DateAsText


def _yaml_loader() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")  # a fresh one per document: ruamel's loaders keep state
    yaml.Composer, yaml.Constructor = _yaml_classes()
    yaml.allow_duplicate_keys = False
    yaml.max_depth = MAX_YAML_DEPTH
    return yaml


def parse_yaml(text: str, path: Path, first_line: int = 1) -> Any:
    """Round-trip YAML (so nodes carry ``.lc`` line numbers). Raises PlanError."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return _yaml_loader().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark is not None else first_line
        what = exc.problem or exc.context or "invalid YAML"
        if "duplicate key" in str(what):
            what = f"{what}; each key may appear once in a mapping"
        raise PlanError.at(path, line, f"YAML error: {what}") from None
    except YAMLError as exc:
        raise PlanError.at(path, first_line, f"YAML error: {exc}") from None
    except RecursionError:
        raise PlanError.at(path, first_line, "YAML nested too deeply") from None


# --- helpers over ruamel's commented maps


def _line_of_key(mapping: Any, key: str, offset: int) -> int:
    try:
        return int(mapping.lc.key(key)[0]) + offset
    except (AttributeError, KeyError, TypeError):
        return _line_of(mapping, offset)


def _line_of_value(mapping: Any, key: str, offset: int) -> int:
    if mapping.get(key) is None:  # ruamel places an empty value at the next token
        return _line_of_key(mapping, key, offset)
    try:
        return int(mapping.lc.value(key)[0]) + offset
    except (AttributeError, KeyError, TypeError):
        return _line_of_key(mapping, key, offset)


def _line_of(node: Any, offset: int) -> int:
    try:
        return int(node.lc.line) + offset
    except AttributeError:
        return offset


def _line_of_item(seq: Any, index: int, offset: int) -> int:
    try:
        return int(seq.lc.item(index)[0]) + offset
    except (AttributeError, KeyError, TypeError, IndexError):
        return _line_of(seq, offset)


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


@dataclass
class _Fields:
    """Typed access to one YAML mapping, recording problems with their lines."""

    reader: _Reader
    path: Path
    mapping: Any
    what: str
    offset: int = 1
    bad: set[str] = field(default_factory=set)
    count: int = 0  # problems recorded for this mapping

    def line(self, key: str | None = None) -> int:
        if key is None:
            return _line_of(self.mapping, self.offset)
        return _line_of_value(self.mapping, key, self.offset)

    def problem(self, key: str | None, message: str) -> None:
        if key is not None:
            self.bad.add(key)
        self.count += 1
        self.reader.add(self.path, self.line(key), message)

    def check_keys(self, allowed: tuple[str, ...], required: tuple[str, ...]) -> None:
        for key in self.mapping:
            if not isinstance(key, str) or key not in allowed:
                self.count += 1
                self.reader.add(
                    self.path,
                    _line_of_key(self.mapping, key, self.offset),
                    f"unknown key {key!r} in {self.what}; expected one of: " + ", ".join(allowed),
                )
        for key in required:
            if key not in self.mapping:
                self.problem(None, f"{self.what} is missing the required key '{key}'")
                self.bad.add(key)

    def text(self, key: str, *, required: bool = False) -> str | None:
        if key not in self.mapping:
            return None
        value = self.mapping[key]
        if not isinstance(value, str):
            hint = " (put it in quotes)" if isinstance(value, (int, float)) else ""
            self.problem(key, f"{self.what} {key} must be text, not {_type_name(value)}{hint}")
            return None
        if required and not value.strip():
            self.problem(key, f"{self.what} {key} is empty")
            return None
        return value

    def slug(self, key: str) -> str | None:
        value = self.mapping.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.problem(key, f"{self.what} {key} {value!r} must be text: put it in quotes")
            return None
        text = self.text(key)
        if text is None:
            return None
        if not is_slug(text):
            self.problem(
                key,
                f"{self.what} {key} {text!r} is not a slug: use lower-case letters, digits "
                "and '-', starting with a letter or digit (at most 64)",
            )
            return None
        return text

    def number(self, key: str, *, positive: bool = False) -> float | None:
        if key not in self.mapping:
            return None
        value = self.mapping[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            extra = " (remove the quotes)" if isinstance(value, str) and _is_float(value) else ""
            self.problem(key, f"{self.what} {key} must be a number, not {_type_name(value)}{extra}")
            return None
        number = float(value)
        if not math.isfinite(number):
            self.problem(key, f"{self.what} {key} must be a finite number, not {value}")
            return None
        if number < 0 or (positive and number == 0):
            bound = "greater than 0" if positive else "0 or more"
            self.problem(key, f"{self.what} {key} must be {bound}, not {value}")
            return None
        return number

    def integer(self, key: str) -> int | None:
        if key not in self.mapping:
            return None
        value = self.mapping[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, f"{self.what} {key} must be a whole number, not {_type_name(value)}")
            return None
        return int(value)

    def boolean(self, key: str) -> bool | None:
        if key not in self.mapping:
            return None
        value = self.mapping[key]
        if not isinstance(value, bool):
            self.problem(key, f"{self.what} {key} must be true or false, not {_type_name(value)}")
            return None
        return value

    def tags(self, key: str) -> tuple[str, ...]:
        if key not in self.mapping:
            return ()
        value = self.mapping[key]
        if not isinstance(value, list):
            self.problem(key, f"{self.what} {key} must be a list, e.g. [calculus, proofs]")
            return ()
        tags: list[str] = []
        for item in value:
            if not isinstance(item, str) or not is_tag(item):
                self.problem(key, f"tag {item!r} is not valid: a tag is text without spaces")
                continue
            tags.append(item)
        return tuple(dict.fromkeys(tags))


def _named(what: str, mapping: Any) -> str:
    """``course 'c1'`` when the mapping has a usable id, so messages say which one."""
    value = mapping.get("id")
    return f"{what} '{value}'" if isinstance(value, str) and is_slug(value) else what


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- the reader


@dataclass
class _Pending:
    """Cards read for a course, before lessons are checked and ids assigned.

    Each card is built once, as it will be returned (one without an id gets its key with
    dataclasses.replace). Where to point a message about its lesson or id is kept in
    parallel lists rather than an object per card: a plan may hold 100,000s of cards.
    """

    cards: list[Card] = field(default_factory=list)
    lesson_lines: list[int] = field(default_factory=list)  # where the lesson was named
    id_lines: list[int] = field(default_factory=list)

    def add(self, card: Card, lesson_line: int, id_line: int) -> None:
        self.cards.append(card)
        self.lesson_lines.append(lesson_line)
        self.id_lines.append(id_line)

    def extend(self, other: _Pending) -> None:
        self.cards.extend(other.cards)
        self.lesson_lines.extend(other.lesson_lines)
        self.id_lines.extend(other.id_lines)


def _source(card: Card) -> SourceRef:
    assert card.source is not None  # the reader builds every card with its source
    return card.source


class _Reader:
    def __init__(self, plan_file: Path) -> None:
        self.plan_file = plan_file
        self.plan_dir = plan_file.parent
        self.problems: list[Problem] = []
        self.used_files: dict[Path, tuple[Path, int]] = {}
        # _inside's answers for this read, by (name, base folder, what)
        self.resolved: dict[tuple[str, Path, str], tuple[Path | None, str | None]] = {}

    def add(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def fail_if_problems(self) -> None:
        if self.problems:
            raise PlanError(self.problems)

    # -- top level

    def read(self, *, assign_ids: bool) -> Plan:
        text = read_source_text(self.plan_file)
        if not text.strip():
            raise PlanError.at(
                self.plan_file,
                1,
                "the plan file is empty; start from `learnplan init` or docs/outline.md",
            )
        data = parse_yaml(text, self.plan_file)
        if not isinstance(data, dict):
            raise PlanError.at(
                self.plan_file,
                _line_of(data, 1) if data is not None else 1,
                f"the plan must be a mapping with keys {', '.join(TOP_KEYS)}, not "
                f"{_type_name(data)}",
            )
        top = _Fields(self, self.plan_file, data, "plan file")
        top.check_keys(TOP_KEYS, ("plan", "courses"))
        settings, weeks = (
            self._settings(data["plan"], _line_of_value(data, "plan", 1))
            if "plan" in data
            else (None, None)
        )
        courses = self._courses(data, weeks, assign_ids)
        resources = self._resources(data)
        self.fail_if_problems()
        if settings is None:  # every way to get here records a problem; be safe anyway
            raise PlanError.at(self.plan_file, 1, "the plan has no usable plan: settings")
        return Plan(
            courses=courses,
            resources=resources,
            source=SourceRef(self.plan_file, _line_of(data["plan"], 1)),
            **settings,
        )

    def _settings(self, node: Any, line: int) -> tuple[dict[str, Any] | None, int | None]:
        """Plan settings as Plan() keywords (None if unusable), and the weeks that
        course windows are checked against (None if unknown)."""
        if not isinstance(node, dict):
            self.add(
                self.plan_file,
                line,
                f"plan: must be a mapping of settings (id, title, "
                f"start, ...), not {_type_name(node)}",
            )
            return None, None
        f = _Fields(self, self.plan_file, node, "plan")
        f.check_keys(PLAN_KEYS, ("id", "title", "start"))
        out: dict[str, Any] = {}
        plan_id = f.slug("id")
        title = f.text("title", required=True)
        start = self._date(f, "start")
        weeks = f.integer("weeks")
        if weeks is not None and not 1 <= weeks <= MAX_WEEKS:
            f.problem("weeks", f"plan weeks must be between 1 and {MAX_WEEKS}, not {weeks}")
            weeks = None
        hours_per_week = f.number("hours_per_week", positive=True)
        if hours_per_week is not None and hours_per_week > 168:
            f.problem(
                "hours_per_week",
                f"plan hours_per_week is {hours_per_week:g}, but a week has 168 hours",
            )
            hours_per_week = None
        hours_per_point = f.number("hours_per_point", positive=True)
        currency = f.text("currency")
        if currency is not None and not (
            len(currency) == 3 and currency.isascii() and currency.isalpha() and currency.isupper()
        ):
            f.problem(
                "currency", f"plan currency {currency!r} must be a 3-letter code such as USD or EUR"
            )
            currency = None
        allow_html = f.boolean("allow_html")
        known_weeks = None if "weeks" in f.bad else (weeks or 12)
        if plan_id is None or title is None or start is None or f.count:
            return None, known_weeks
        out.update(id=plan_id, title=title.strip(), start=start)
        for key, value in (
            ("weeks", weeks),
            ("hours_per_week", hours_per_week),
            ("hours_per_point", hours_per_point),
            ("currency", currency),
            ("allow_html", allow_html),
        ):
            if value is not None:
                out[key] = value
        return out, known_weeks

    @staticmethod
    def _date(f: _Fields, key: str) -> dt.date | None:
        if key not in f.mapping:
            return None
        value = f.mapping[key]
        if not isinstance(value, str):
            f.problem(key, f"plan {key} must be a date like 2019-05-06, not {_type_name(value)}")
            return None
        try:
            if len(value.strip()) != 10:
                raise ValueError(value)
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            f.problem(
                key, f"plan {key} {value!r} is not a valid date: write YYYY-MM-DD, e.g. 2019-05-06"
            )
            return None

    # -- courses

    def _mappings(self, node: list[Any], what: str, keys: str) -> Iterator[dict[str, Any]]:
        """The list's items that are mappings; each other item is reported at its line."""
        for index, item in enumerate(node):
            if isinstance(item, dict):
                yield item
            else:
                self.add(
                    self.plan_file,
                    _line_of_item(node, index, 1),
                    f"each {what} must be a mapping ({keys}), not {_type_name(item)}",
                )

    def _courses(self, data: Any, weeks: int | None, assign_ids: bool) -> tuple[Course, ...]:
        if "courses" not in data:
            return ()
        node = data["courses"]
        if not isinstance(node, list) or not node:
            self.add(
                self.plan_file,
                _line_of_value(data, "courses", 1),
                "courses: must be a non-empty list of courses (each starts with '- id:')",
            )
            return ()
        courses: list[Course] = []
        seen: dict[str, int] = {}
        for item in self._mappings(node, "course", "id, title, fte, ..."):
            course = self._course(item, weeks, assign_ids)
            if course is None:
                continue
            if course.id in seen:
                self.add(
                    self.plan_file,
                    _line_of_value(item, "id", 1),
                    f"duplicate course id {course.id!r} (first used at line "
                    f"{seen[course.id]}); course ids must be unique",
                )
                continue
            seen[course.id] = _line_of_value(item, "id", 1)
            courses.append(course)
        return tuple(courses)

    def _course(self, node: Any, weeks: int | None, assign_ids: bool) -> Course | None:
        f = _Fields(self, self.plan_file, node, _named("course", node))
        f.check_keys(COURSE_KEYS, ("id", "title", "fte"))
        course_id = f.slug("id")
        provider = f.text("provider")
        title = f.text("title", required=True)
        fte = f.number("fte")
        cost = f.number("cost")
        url = f.text("url")
        start_week = f.integer("start_week")
        end_week = f.integer("end_week")
        if weeks is not None:
            for key, value in (("start_week", start_week), ("end_week", end_week)):
                if value is not None and not 1 <= value <= weeks:
                    f.problem(key, f"{f.what} {key} {value} is outside the plan's weeks 1..{weeks}")
        if start_week is not None and end_week is not None and end_week < start_week:
            f.problem(
                "end_week",
                f"{f.what} ends (week {end_week}) before it starts (week "
                f"{start_week}); swap start_week and end_week",
            )
        lessons, lesson_cards = self._lessons(f)
        cards = self._card_list(f, "cards", default_lesson=None) if "cards" in node else _Pending()
        for group in lesson_cards:
            cards.extend(group)
        if course_id is None or title is None or fte is None or f.bad:
            return None
        final_cards = self._finish_cards(course_id, lessons, cards, assign_ids)
        return Course(
            id=course_id,
            provider=(provider or "").strip(),
            title=title.strip(),
            fte=fte,
            cost=cost or 0.0,
            url=url,
            start_week=start_week,
            end_week=end_week,
            lessons=lessons,
            cards=final_cards,
            source=SourceRef(self.plan_file, f.line()),
        )

    def _lessons(self, course: _Fields) -> tuple[tuple[Lesson, ...], list[_Pending]]:
        if "lessons" not in course.mapping:
            return (), []
        node = course.mapping["lessons"]
        if node is None:
            return (), []
        if not isinstance(node, list):
            course.problem(
                "lessons",
                f"{course.what} lessons must be a list (each starts "
                f"with '- id:'), not {_type_name(node)}",
            )
            return (), []
        lessons: list[Lesson] = []
        groups: list[_Pending] = []
        seen: dict[str, int] = {}
        for item in self._mappings(node, "lesson", "id, title, ..."):
            f = _Fields(self, self.plan_file, item, _named("lesson", item))
            f.check_keys(LESSON_KEYS, ("id", "title"))
            lesson_id = f.slug("id")
            title = f.text("title", required=True)
            weight = f.number("weight", positive=True)
            hours = f.number("hours", positive=True)
            url = f.text("url")
            if lesson_id is not None and lesson_id in seen:
                f.problem(
                    "id",
                    f"duplicate lesson id {lesson_id!r} in {course.what} (first "
                    f"used at line {seen[lesson_id]}); lesson ids must be unique in a "
                    "course",
                )
            elif lesson_id is not None:
                seen[lesson_id] = f.line("id")
            if "cards" in item:
                groups.append(self._card_list(f, "cards", default_lesson=lesson_id))
            if lesson_id is None or title is None or f.bad:
                continue
            lessons.append(Lesson(lesson_id, title.strip(), weight, hours, url))
        return tuple(lessons), groups

    # -- cards

    def _card_list(self, owner: _Fields, key: str, *, default_lesson: str | None) -> _Pending:
        node = owner.mapping[key]
        in_lesson = default_lesson is not None
        cards = _Pending()
        if node is None:  # `cards:` left empty while editing
            return cards
        if isinstance(node, str):
            self._card_file(node, owner.line(key), default_lesson, cards)
            return cards
        if not isinstance(node, list):
            owner.problem(
                key,
                f"{owner.what} cards must be a file name, a list of file names "
                f"or a list of cards, not {_type_name(node)}",
            )
            return cards
        for index, item in enumerate(node):
            line = _line_of_item(node, index, 1)
            if isinstance(item, str):
                self._card_file(item, line, default_lesson, cards)
            elif isinstance(item, dict):
                card = self._inline_card(item, default_lesson, in_lesson)
                if card is not None:
                    cards.add(*card)
            else:
                self.add(
                    self.plan_file,
                    line,
                    "each entry of cards must be a card (front/back "
                    f"or cloze) or a Markdown file name, not {_type_name(item)}",
                )
        return cards

    def _inline_card(
        self, node: Any, default_lesson: str | None, in_lesson: bool
    ) -> tuple[Card, int, int] | None:
        """The card, the line naming its lesson and the line of its id."""
        f = _Fields(self, self.plan_file, node, "card")
        f.check_keys(CARD_KEYS, ())
        key = None
        if "id" in node and node["id"] is None:
            f.problem("id", "card id is empty; remove the key to have an id assigned")
        elif "id" in node:
            key = f.slug("id")
        front = f.text("front")
        back = f.text("back")
        cloze = f.text("cloze")
        extra = f.text("extra")
        reversed_ = f.boolean("reversed")
        tags = f.tags("tags")
        lesson = f.slug("lesson") if "lesson" in node else None
        if lesson is not None and in_lesson and lesson != default_lesson:
            f.problem(
                "lesson",
                f"this card is listed under lesson '{default_lesson}' but says "
                f"lesson: {lesson}; move it to the course's cards to choose its lesson",
            )
        if f.bad:
            return None
        kind: CardKind
        if "front" in node and "cloze" in node:
            f.problem(None, "a card has either front (with back) or cloze, not both")
            return None
        if "cloze" in node:
            assert cloze is not None
            for bad_key, why in (
                ("back", "use extra for a cloze's notes"),
                ("reversed", "a cloze card cannot be reversed"),
            ):
                if bad_key in node:
                    f.problem(bad_key, f"a cloze card has no {bad_key}: {why}")
            if not cloze.strip():
                f.problem("cloze", "cloze text is empty")
            elif not has_cloze(cloze):
                f.problem(
                    "cloze",
                    "cloze text has no deletion: mark the hidden part as "
                    "{{c1::answer}} (numbers start at 1, text not empty)",
                )
            if f.count:
                return None
            kind, text_front, text_back = "cloze", cloze.strip(), (extra or "").strip()
        elif "front" in node:
            assert front is not None
            if "extra" in node:
                f.problem("extra", "extra belongs to cloze cards; a front/back card uses back")
            if not front.strip():
                f.problem("front", "card front is empty: write the question")
            if looks_like_cloze(front):
                f.problem(
                    "front",
                    "front holds a cloze deletion {{c1::...}}: write it as "
                    "cloze: instead of front:",
                )
            if back is None or not back.strip():
                f.problem(
                    "back" if "back" in node else None,
                    "card has no back: add back: with the answer",
                )
            if f.count:
                return None
            assert back is not None
            kind = "reversed" if reversed_ else "basic"
            text_front, text_back = front.strip(), back.strip()
        else:
            f.problem(None, "card needs front: and back: (or cloze:)")
            return None
        line = f.line()
        self._check_images(
            text_front,
            self.plan_file,
            self.plan_dir,
            lambda _ref: f.line("cloze" if "cloze" in node else "front"),
        )
        self._check_images(
            text_back,
            self.plan_file,
            self.plan_dir,
            lambda _ref: f.line("extra" if "cloze" in node else "back"),
        )
        card = Card(
            key=key,
            kind=kind,
            front=text_front,
            back=text_back,
            lesson=lesson if lesson is not None else default_lesson,
            tags=tags,
            source=SourceRef(self.plan_file, line),
            base_dir=self.plan_dir,
        )
        return (
            card,
            f.line("lesson") if lesson is not None else line,
            f.line("id") if key is not None else line,
        )

    def _card_file(self, name: str, line: int, default_lesson: str | None, out: _Pending) -> None:
        """Adds the file's cards to ``out``."""
        path = self._inside(name, self.plan_dir, self.plan_file, line, "card file")
        if path is None:
            return
        real = Path(os.path.realpath(path))
        if real in self.used_files:
            first_path, first_line = self.used_files[real]
            self.add(
                self.plan_file,
                line,
                f"card file {name!r} is already used at "
                f"{first_path}:{first_line}; list each file once",
            )
            return
        self.used_files[real] = (self.plan_file, line)
        try:
            text = read_source_text(path)
        except PlanError as exc:
            self.problems.extend(exc.problems)
            return
        front_matter, rows, problems = split_card_file(text, path)
        self.problems.extend(problems)
        file_lesson, file_lesson_line = default_lesson, line
        file_tags: tuple[str, ...] = ()
        if front_matter is not None:
            fm = front_matter
            try:
                data = parse_yaml(fm.text, path, fm.first_line)
            except PlanError as exc:
                self.problems.extend(exc.problems)
                return
            if data is None:
                data = {}
            if not isinstance(data, dict):
                self.add(
                    path,
                    fm.first_line,
                    f"front matter must be a mapping (lesson:, tags:), not {_type_name(data)}",
                )
                return
            f = _Fields(self, path, data, "front matter", offset=fm.first_line)
            f.check_keys(FRONT_MATTER_KEYS, ())
            if "lesson" in data:
                lesson = f.slug("lesson")
                if lesson is not None:
                    file_lesson, file_lesson_line = lesson, f.line("lesson")
            file_tags = f.tags("tags")
        lines: list[str] = []  # split only when a card may hold an image
        add_card, add_lesson_line, add_id_line = (
            out.cards.append,
            out.lesson_lines.append,
            out.id_lines.append,
        )
        folder = path.parent
        for line, last_line, kind, front, back, key, _, card_lesson, tags in rows:
            if "![" in front or "<" in front or "![" in back or "<" in back:
                lines = lines or split_lines(text)
                for part in (front, back):
                    if "![" in part or "<" in part:
                        self._check_images(
                            part, path, folder, _line_finder(lines, (line, last_line), line)
                        )
            lesson, lesson_line = file_lesson, file_lesson_line
            if card_lesson is not None:
                lesson, lesson_line = card_lesson, line
            if file_tags:
                tags = tuple(dict.fromkeys((*file_tags, *tags)))
            # Positional: this runs once per card of a large plan (fields in plan.py order).
            add_card(Card(key, kind, front, back, lesson, tags, SourceRef(path, line), folder))
            add_lesson_line(lesson_line)
            add_id_line(line)

    def _finish_cards(
        self, course_id: str, lessons: tuple[Lesson, ...], pending: _Pending, assign_ids: bool
    ) -> tuple[Card, ...]:
        lesson_ids = {lesson.id for lesson in lessons}
        id_lines = pending.id_lines
        seen: dict[str, int] = {}  # card id -> index of its first card in pending
        for index, card in enumerate(pending.cards):
            key = card.key
            if key is None:
                continue
            first = seen.setdefault(key, index)
            if first != index:
                self.add(
                    _source(card).path,
                    id_lines[index],
                    f"duplicate card id {key!r} in "
                    f"course '{course_id}' (first used at "
                    f"{_source(pending.cards[first]).path}:{id_lines[first]}); give one "
                    "of them a new id, or delete it to have one assigned",
                )
        cards: list[Card] = []
        append = cards.append
        for index, card in enumerate(pending.cards):
            if card.lesson is not None and card.lesson not in lesson_ids:
                known = ", ".join(sorted(lesson_ids)) or "none"
                self.add(
                    _source(card).path,
                    pending.lesson_lines[index],
                    f"card names lesson "
                    f"{card.lesson!r}, which course '{course_id}' does not have (its "
                    f"lessons: {known})",
                )
                continue
            if card.key is None:
                if not assign_ids:
                    self.add(
                        _source(card).path,
                        _source(card).line,
                        "card has no id; build without --no-write to assign one",
                    )
                    continue
                key = _fresh_key(seen)
                seen[key] = index
                card = dataclasses.replace(card, key=key, new_key=True)
            append(card)
        return tuple(cards)

    # -- resources

    def _resources(self, data: Any) -> tuple[Resource, ...]:
        if "resources" not in data or data["resources"] is None:
            return ()
        node = data["resources"]
        if not isinstance(node, list):
            self.add(
                self.plan_file,
                _line_of_value(data, "resources", 1),
                f"resources: must be a list, not {_type_name(node)}",
            )
            return ()
        out: list[Resource] = []
        seen: dict[str, int] = {}
        for item in self._mappings(node, "resource", "id, title, cost, ..."):
            f = _Fields(self, self.plan_file, item, _named("resource", item))
            f.check_keys(RESOURCE_KEYS, ("id", "title", "cost"))
            rid = f.slug("id")
            title = f.text("title", required=True)
            provider = f.text("provider")
            cost = f.number("cost")
            url = f.text("url")
            if rid is not None and rid in seen:
                f.problem("id", f"duplicate resource id {rid!r} (first used at line {seen[rid]})")
            elif rid is not None:
                seen[rid] = f.line("id")
            if rid is None or title is None or cost is None or f.bad:
                continue
            out.append(
                Resource(
                    rid,
                    title.strip(),
                    cost,
                    (provider or "").strip(),
                    url,
                    SourceRef(self.plan_file, f.line()),
                )
            )
        return tuple(out)

    # -- paths

    def _inside(self, name: str, base: Path, path: Path, line: int, what: str) -> Path | None:
        """``name`` resolved against ``base`` if it stays in the plan folder and exists."""
        key = (name, base, what)
        if key not in self.resolved:  # many cards may show the same image
            try:
                found = (
                    image_file(name, base, self.plan_dir)
                    if what == "image"
                    else resolve_inside(name, base, self.plan_dir, what)
                )
                self.resolved[key] = (found, None)
            except FileRefError as exc:
                self.resolved[key] = (None, str(exc))
        found, message = self.resolved[key]
        if message is not None:
            self.add(path, line, message)
        return found

    def _check_images(
        self, text: str, path: Path, base: Path, line_of: Callable[[str], int]
    ) -> None:
        # The same sources, decoded the same way, as the renderer reads (cards.py).
        for src in image_sources(text):
            self._inside(src, base, path, line_of(src), "image")


def _line_finder(lines: list[str], span: tuple[int, int], default: int) -> Callable[[str], int]:
    def find(src: str) -> int:
        spellings = {src, image_url(src), unquote(image_url(src))}
        for number in range(span[0], min(span[1], len(lines)) + 1):
            if any(spelling and spelling in lines[number - 1] for spelling in spellings):
                return number
        return default

    return find


def _fresh_key(taken: dict[str, Any]) -> str:
    # Random, not derived from content or position, so edits and reordering keep ids.
    while True:
        key = new_card_key()
        if key not in taken:
            return key
