"""Reading a plan in its dict form (:func:`learnplan.model.plan.plan_to_dict`): the
manifest of a shared package and the plan a collection's records hold.

The values go through the same rules as an outline's (:mod:`learnplan.model.rules`); each
problem is reported at its JSON location (``courses[2].fte``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from learnplan.base.errors import PlanError, Problem
from learnplan.base.jsonlines import Location
from learnplan.model.fields import Fields, UniqueIds, duplicate_id, named, too_many, type_name
from learnplan.model.limits import (
    DICT_COURSE_DERIVED,
    DICT_COURSE_KEYS,
    DICT_LESSON_KEYS,
    DICT_PLAN_KEYS,
    MAX_COURSES,
    MAX_LESSONS,
    MAX_RESOURCES,
    NO_COURSES,
    RESOURCE_KEYS,
)
from learnplan.model.plan import Course, Lesson, Plan, Resource
from learnplan.model.rules import (
    course_values,
    lesson_values,
    plan_settings,
    plan_size_problem,
    resource_values,
)


class PlanDataError(PlanError, ValueError):
    """Plan data in its dict form that breaks the plan rules.

    A :class:`PlanError`; also a ``ValueError``, which is what ``plan_from_dict`` raised
    before, so callers written against that keep working.
    """


def location_text(location: Location) -> str:
    """``courses[2].fte`` for ("courses", 2, "fte"); "" for the top level."""
    out = ""
    for part in location:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def located(location: Location, message: str) -> str:
    """The message of a problem in the dict form, led by its JSON location if any."""
    return f"{location_text(location)}: {message}" if location else message


class DictFields(Fields):
    """:class:`Fields` of the dict form: each problem is recorded with its JSON location."""

    def __init__(
        self,
        mapping: Mapping[Any, Any],
        what: str,
        location: Location,
        issues: list[tuple[Location, str]],
    ) -> None:
        # plan_to_dict writes null for a value that is not set (a course without a url):
        # the same as leaving the key out.
        present = {key: value for key, value in mapping.items() if value is not None}
        super().__init__(present, what)
        self.duplicates = getattr(mapping, "duplicates", ())
        self.location = location
        self.issues = issues

    def report(self, key: Any, message: str, *, at_key: bool = False) -> None:
        where = self.location if key is None else (*self.location, str(key))
        self.issues.append((where, message))

    def where(self, key: str) -> str:
        return location_text((*self.location, key))


def _dict_list(
    data: Mapping[Any, Any],
    key: str,
    location: Location,
    issues: list[tuple[Location, str]],
    *,
    owner: str,
    item: str,
    limit: int,
) -> list[tuple[Location, Mapping[Any, Any]]]:
    """The mappings in ``data[key]`` with their locations; anything else is an issue."""
    value = data.get(key)
    if value is None:
        return []
    here = (*location, key)
    if not isinstance(value, list):
        issues.append((here, f"{owner} {key} must be a list, not {type_name(value)}"))
        return []
    wrong = too_many(owner, len(value), limit, key)
    if wrong is not None:
        issues.append((here, wrong))
        return []
    out: list[tuple[Location, Mapping[Any, Any]]] = []
    for index, entry in enumerate(value):
        if isinstance(entry, Mapping):
            out.append(((*here, index), entry))
        else:
            issues.append(
                ((*here, index), f"each {item} must be a mapping, not {type_name(entry)}")
            )
    return out


def read_plan_dict(data: Any) -> tuple[Plan | None, list[tuple[Location, str]]]:
    """The plan in its dict form, checked by the plan rules: (plan, []) or (None, issues),
    each issue being (JSON location, message)."""
    issues: list[tuple[Location, str]] = []
    if not isinstance(data, Mapping):
        issues.append(
            (
                (),
                f"a plan must be a mapping (id, title, start, courses, ...), not {type_name(data)}",
            )
        )
        return None, issues
    top = DictFields(data, "plan", (), issues)
    top.check_keys(DICT_PLAN_KEYS, ("id", "title", "start", "courses"))
    settings, weeks = plan_settings(top)

    courses: list[Course] = []
    seen: dict[str, str] = {}
    if data.get("courses") == []:
        issues.append((("courses",), NO_COURSES))
    items = _dict_list(
        data, "courses", (), issues, owner="the plan", item="course", limit=MAX_COURSES
    )
    for location, item in items:
        f = DictFields(item, named("course", item), location, issues)
        f.check_keys(DICT_COURSE_KEYS, ("id", "title", "fte"), DICT_COURSE_DERIVED)
        values = course_values(f, weeks)
        lessons = _dict_lessons(item, f.what, location, issues)
        if values is None or lessons is None:
            continue
        if values["id"] in seen:
            f.problem("id", duplicate_id("course", values["id"], seen[values["id"]]))
            continue
        seen[values["id"]] = f.where("id")
        courses.append(Course(**values, lessons=lessons))

    resources: list[Resource] = []
    unique = UniqueIds("resource")
    items = _dict_list(
        data, "resources", (), issues, owner="the plan", item="resource", limit=MAX_RESOURCES
    )
    for location, item in items:
        f = DictFields(item, named("resource", item), location, issues)
        f.check_keys(RESOURCE_KEYS, ("id", "title", "cost"))
        values = resource_values(f)
        unique.check(f)
        if values is not None and not f.bad:
            resources.append(Resource(**values))

    if issues or settings is None:
        return None, issues
    plan = Plan(**settings, courses=tuple(courses), resources=tuple(resources))
    wrong = plan_size_problem(plan)
    if wrong is not None:
        return None, [((), wrong)]
    return plan, []


def _dict_lessons(
    course: Mapping[Any, Any], what: str, location: Location, issues: list[tuple[Location, str]]
) -> tuple[Lesson, ...] | None:
    before = len(issues)
    lessons: list[Lesson] = []
    unique = UniqueIds("lesson", f" in {what}")
    items = _dict_list(
        course, "lessons", location, issues, owner=what, item="lesson", limit=MAX_LESSONS
    )
    for here, item in items:
        f = DictFields(item, named("lesson", item), here, issues)
        f.check_keys(DICT_LESSON_KEYS, ("id", "title"))
        values = lesson_values(f)
        unique.check(f)
        if values is not None and not f.bad:
            lessons.append(Lesson(**values))
    return tuple(lessons) if len(issues) == before else None


def plan_from_dict(data: Any, *, origin: str = "plan") -> Plan:
    """The plan in :func:`~learnplan.model.plan.plan_to_dict`'s form, checked by the same
    rules as an outline. ``plan_from_dict(plan_to_dict(p)) == p`` for every plan those
    rules accept, apart from its cards (not part of the dict form; the result has none)
    and source locations (which take no part in equality).

    Raises :class:`PlanDataError` (a :class:`~learnplan.base.errors.PlanError`, also a
    ``ValueError``) with one ``origin:0: location: message`` line per problem, e.g.
    ``plan:0: courses[2].fte: course 'c3' fte must be 0 or more, not -2.0``.
    """
    plan, issues = read_plan_dict(data)
    if plan is None:
        raise PlanDataError(
            [Problem(origin, 0, located(where, message)) for where, message in issues]
        )
    return plan
