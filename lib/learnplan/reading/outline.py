"""Reading a plan: the YAML outline and its card files -> :class:`Plan`.

Everything is validated before anything is returned, and every problem is reported as
``path:line: message`` (collected where the reader can carry on, so one run shows many).
The format is documented in docs/outline.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from learnplan.base.errors import PlanError
from learnplan.base.pause import paused_gc
from learnplan.cards.maths import check_plan_maths
from learnplan.model.fields import UniqueIds, duplicate_id, named, too_many, type_name
from learnplan.model.limits import (
    COURSE_KEYS,
    LESSON_KEYS,
    MAX_CARDS,
    MAX_COURSES,
    MAX_LESSONS,
    MAX_RESOURCES,
    NO_COURSES,
    PLAN_KEYS,
    RESOURCE_KEYS,
    TOP_KEYS,
)
from learnplan.model.plan import Course, Lesson, Plan, Resource, SourceRef
from learnplan.model.rules import (
    course_values,
    lesson_values,
    plan_settings,
    plan_size_problem,
    resource_values,
)
from learnplan.reading.card_files import read_card_file
from learnplan.reading.context import ReadContext, YamlFields
from learnplan.reading.inline_cards import quick_mapping_card, read_card_fully
from learnplan.reading.pending import Pending, finish_cards
from learnplan.reading.source_text import read_source_text
from learnplan.reading.yaml_load import parse_yaml
from learnplan.reading.yaml_nodes import line_of, line_of_item, line_of_value

__all__ = ["default_plan_path", "load_plan", "load_plan_and_sources", "parse_yaml"]


def default_plan_path() -> Path:
    """The bundled plan: Zero to Deep Learning (README.md, "The bundled plan")."""
    return Path(__file__).parents[1] / "data" / "zero-to-deep-learning" / "plan.yaml"


def load_plan(
    path: str | os.PathLike[str], *, assign_ids: bool = True, check_maths: bool = True
) -> Plan:
    """Read and validate a plan. Cards written without an id get a fresh random key in
    memory (``Card.new_key``), for :func:`learnplan.reading.writeback.write_back_ids`; with
    ``assign_ids=False`` such cards are an error instead.

    ``check_maths=False`` leaves the cards' maths to the renderer, which checks it with
    the same function and reports the same problems: for a caller that builds the
    package at once (:func:`learnplan.building.deck.build_package` renders every card),
    so a large plan's maths is not read twice."""
    return load_plan_and_sources(path, assign_ids=assign_ids, check_maths=check_maths)[0]


def load_plan_and_sources(
    path: str | os.PathLike[str], *, assign_ids: bool = True, check_maths: bool = True
) -> tuple[Plan, dict[Path, str]]:
    """:func:`load_plan`, and every file the plan was read from — the outline, its card
    files (even those holding no card) and the images its cards show — as ``{path: what
    it is}`` (paths with symlinks resolved), so that nothing ever writes over them."""
    plan_file = Path(os.path.abspath(path))
    reader = _Reader(plan_file)
    with paused_gc():
        plan = reader.read(assign_ids=assign_ids)
    if check_maths:
        check_plan_maths(plan)  # maths that would not render as written (cards/maths.py)
    sources = {Path(os.path.realpath(plan_file)): "the plan's outline"}
    for real in reader.used_files:
        sources.setdefault(real, "a card file of the plan")
    for (_, _, what), (found, _) in reader.resolved.items():
        if found is not None:
            label = "an image the plan uses" if what == "image" else f"a {what} of the plan"
            sources.setdefault(Path(os.path.realpath(found)), label)
    return plan, sources


class _Reader(ReadContext):
    """Reads the outline's own mappings: plan settings, courses, lessons, resources."""

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
                line_of(data, 1) if data is not None else 1,
                f"the plan must be a mapping with keys {', '.join(TOP_KEYS)}, not "
                f"{type_name(data)}",
            )
        top = YamlFields(self, self.plan_file, data, "plan file")
        top.check_keys(TOP_KEYS, ("plan", "courses"))
        settings, weeks = (
            self._settings(data["plan"], line_of_value(data, "plan", 1))
            if "plan" in data
            else (None, None)
        )
        courses = self._courses(data, weeks, assign_ids)
        resources = self._resources(data)
        self.fail_if_problems()
        if settings is None:  # every way to get here records a problem; be safe anyway
            raise PlanError.at(self.plan_file, 1, "the plan has no usable plan: settings")
        plan = Plan(
            courses=courses,
            resources=resources,
            source=SourceRef(self.plan_file, line_of(data["plan"], 1)),
            **settings,
        )
        wrong = plan_size_problem(plan)
        if wrong is not None:
            raise PlanError.at(self.plan_file, 0, wrong)
        return plan

    def _settings(self, node: Any, line: int) -> tuple[dict[str, Any] | None, int | None]:
        """Plan settings as Plan() keywords (None if unusable), and the weeks that
        course windows are checked against (None if unknown)."""
        if not isinstance(node, dict):
            self.add(
                self.plan_file,
                line,
                f"plan: must be a mapping of settings (id, title, "
                f"start, ...), not {type_name(node)}",
            )
            return None, None
        f = YamlFields(self, self.plan_file, node, "plan")
        f.check_keys(PLAN_KEYS, ("id", "title", "start"))
        return plan_settings(f)

    # -- courses

    def _mappings(self, node: list[Any], what: str, keys: str) -> Iterator[dict[str, Any]]:
        """The list's items that are mappings; each other item is reported at its line."""
        for index, item in enumerate(node):
            if isinstance(item, dict):
                yield item
            else:
                self.add(
                    self.plan_file,
                    line_of_item(node, index, 1),
                    f"each {what} must be a mapping ({keys}), not {type_name(item)}",
                )

    def _courses(self, data: Any, weeks: int | None, assign_ids: bool) -> tuple[Course, ...]:
        if "courses" not in data:
            return ()
        node = data["courses"]
        if not isinstance(node, list) or not node:
            self.add(self.plan_file, line_of_value(data, "courses", 1), NO_COURSES)
            return ()
        wrong = too_many("the plan", len(node), MAX_COURSES, "courses")
        if wrong is not None:
            self.add(self.plan_file, line_of_value(data, "courses", 1), wrong)
            return ()
        courses: list[Course] = []
        seen: dict[str, str] = {}
        for item in self._mappings(node, "course", "id, title, fte, ..."):
            course = self._course(item, weeks, assign_ids)
            if course is None:
                continue
            if course.id in seen:
                self.add(
                    self.plan_file,
                    line_of_value(item, "id", 1),
                    duplicate_id("course", course.id, seen[course.id]),
                )
                continue
            seen[course.id] = f"line {line_of_value(item, 'id', 1)}"
            courses.append(course)
        return tuple(courses)

    def _course(self, node: Any, weeks: int | None, assign_ids: bool) -> Course | None:
        f = YamlFields(self, self.plan_file, node, named("course", node))
        f.check_keys(COURSE_KEYS, ("id", "title", "fte"))
        values = course_values(f, weeks)
        lessons, lesson_cards = self._lessons(f)
        cards = self._card_list(f, "cards", default_lesson=None) if "cards" in node else Pending()
        for group in lesson_cards:
            cards.extend(group)
        self._count_cards(len(cards.cards), f)
        if values is None or f.bad:
            return None
        final_cards = finish_cards(self, values["id"], lessons, cards, assign_ids)
        return Course(
            **values,
            lessons=lessons,
            cards=final_cards,
            source=SourceRef(self.plan_file, f.line()),
        )

    def _count_cards(self, count: int, course: YamlFields) -> None:
        """Adds a course's cards to the plan's count; past MAX_CARDS, says so once."""
        before, self.card_count = self.card_count, self.card_count + count
        if before <= MAX_CARDS < self.card_count:
            self.add(
                self.plan_file,
                course.line(),
                f"the plan has more than {MAX_CARDS:,} cards by {course.what}; split it into "
                "several plans",
            )

    def _lessons(self, course: YamlFields) -> tuple[tuple[Lesson, ...], list[Pending]]:
        if "lessons" not in course.mapping:
            return (), []
        node = course.mapping["lessons"]
        if node is None:
            return (), []
        if not isinstance(node, list):
            course.problem(
                "lessons",
                f"{course.what} lessons must be a list (each starts "
                f"with '- id:'), not {type_name(node)}",
            )
            return (), []
        wrong = too_many(course.what, len(node), MAX_LESSONS, "lessons")
        if wrong is not None:
            course.problem("lessons", wrong)
            return (), []
        lessons: list[Lesson] = []
        groups: list[Pending] = []
        unique = UniqueIds("lesson", f" in {course.what}")
        for item in self._mappings(node, "lesson", "id, title, ..."):
            f = YamlFields(self, self.plan_file, item, named("lesson", item))
            f.check_keys(LESSON_KEYS, ("id", "title"))
            values = lesson_values(f)
            lesson_id = None if "id" in f.bad else str(item["id"])
            unique.check(f)
            if "cards" in item:
                groups.append(self._card_list(f, "cards", default_lesson=lesson_id))
            if values is None or f.bad:
                continue
            lessons.append(Lesson(**values))
        return tuple(lessons), groups

    # -- cards

    def _card_list(self, owner: YamlFields, key: str, *, default_lesson: str | None) -> Pending:
        node = owner.mapping[key]
        in_lesson = default_lesson is not None
        cards = Pending()
        if node is None:  # `cards:` left empty while editing
            return cards
        if isinstance(node, str):
            read_card_file(self, node, owner.line(key), default_lesson, cards)
            return cards
        if not isinstance(node, list):
            owner.problem(
                key,
                f"{owner.what} cards must be a file name, a list of file names "
                f"or a list of cards, not {type_name(node)}",
            )
            return cards
        plan_file, plan_dir = self.plan_file, self.plan_dir
        # Bound once: this runs for every inline card of a plan.
        add_card, add_lesson_line, add_lesson_file, add_id_line = (
            cards.cards.append,
            cards.lesson_lines.append,
            cards.lesson_files.append,
            cards.id_lines.append,
        )
        for index, item in enumerate(node):
            if isinstance(item, dict):
                read = quick_mapping_card(plan_file, plan_dir, item, default_lesson, in_lesson, 1)
                if read is None:
                    read = read_card_fully(
                        self, plan_file, plan_dir, item, default_lesson, in_lesson
                    )
                if read is not None:  # as Pending.add does, for a card of the plan file
                    add_card(read[0])
                    add_lesson_line(read[1])
                    add_lesson_file(plan_file)
                    add_id_line(read[2])
                continue
            line = line_of_item(node, index, 1)
            if isinstance(item, str):
                read_card_file(self, item, line, default_lesson, cards)
            else:
                self.add(
                    plan_file,
                    line,
                    "each entry of cards must be a card (front/back "
                    f"or cloze) or a Markdown file name, not {type_name(item)}",
                )
        return cards

    # -- resources

    def _resources(self, data: Any) -> tuple[Resource, ...]:
        if "resources" not in data or data["resources"] is None:
            return ()
        node = data["resources"]
        if not isinstance(node, list):
            self.add(
                self.plan_file,
                line_of_value(data, "resources", 1),
                f"resources: must be a list, not {type_name(node)}",
            )
            return ()
        wrong = too_many("the plan", len(node), MAX_RESOURCES, "resources")
        if wrong is not None:
            self.add(self.plan_file, line_of_value(data, "resources", 1), wrong)
            return ()
        out: list[Resource] = []
        unique = UniqueIds("resource")
        for item in self._mappings(node, "resource", "id, title, cost, ..."):
            f = YamlFields(self, self.plan_file, item, named("resource", item))
            f.check_keys(RESOURCE_KEYS, ("id", "title", "cost"))
            values = resource_values(f)
            unique.check(f)
            if values is None or f.bad:
                continue
            out.append(Resource(**values, source=SourceRef(self.plan_file, f.line())))
        return tuple(out)
