"""One set of plan rules: what each value of a plan may be, on every route a plan comes by.

A plan reaches learnplan as an outline (``outline.py``), as the dict form inside the
manifest of a shared package (``manifest.py``), or as a record stored in a collection
(:func:`learnplan.model.plan.plan_from_dict`). Every route reads its values through
:class:`Fields` and the plan-level checks here, so a value accepted by one route is
accepted by all and a bad one is refused with the same message. Only where a problem is
reported differs: a line of an outline file, or a location in the JSON.

The limits are far beyond any real plan (docs/outline.md lists them). They exist so that
a hostile or broken file fails fast with a clear message instead of exhausting memory or
time, or overflowing the date arithmetic downstream.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from learnplan.base.errors import PlanError, Problem
from learnplan.model.plan import Course, Lesson, Plan, Resource, plan_to_dict
from learnplan.reading.markdown_cards import is_slug, is_tag


class PlanDataError(PlanError, ValueError):
    """Plan data in its dict form that breaks the plan rules.

    A :class:`PlanError`; also a ``ValueError``, which is what ``plan_from_dict`` raised
    before, so callers written against that keep working.
    """


#: The plan has no courses (an outline's ``courses:`` and the dict form's list alike).
NO_COURSES = "courses: must be a non-empty list of courses (each starts with '- id:')"

# --- limits (documented in docs/outline.md, "Limits")

#: Characters in a title or a provider name.
MAX_NAME = 300
#: Characters in a URL.
MAX_URL = 2000
#: Characters in one side of a card (front, back, cloze text or extra).
MAX_CARD_TEXT = 100_000
#: Characters in one tag, and tags on one card.
MAX_TAG = 100
MAX_TAGS = 100
MAX_COURSES = 1000
#: Lessons in one course.
MAX_LESSONS = 1000
MAX_RESOURCES = 1000
#: Cards in a whole plan (a 100,000-card plan is well inside it).
MAX_CARDS = 500_000
MAX_WEEKS = 520
MAX_HOURS_PER_WEEK = 168
MAX_HOURS_PER_POINT = 10_000
MAX_FTE = 1000
#: A course's or resource's cost, in the plan's currency.
MAX_COST = 1e12
#: A lesson's weight or hours.
MAX_LESSON_AMOUNT = 1e6
#: The first and last day a plan may start on: far from the ends of the calendar, so
#: every date computed from a plan (its end, forecasts) stays representable.
FIRST_START = dt.date(1970, 1, 1)
LAST_START = dt.date(2999, 12, 31)
#: The plan's dict form (settings, courses, lessons, resources; no cards) as compact
#: UTF-8 JSON. A manifest is read only when at most MAX_MANIFEST_BYTES, which leaves room
#: for its indentation and the few fields around the plan.
MAX_PLAN_BYTES = 2 * 1024 * 1024
MAX_MANIFEST_BYTES = 4 * MAX_PLAN_BYTES
#: YAML nesting: a plan needs about 7 levels; the cap stops a nesting bomb early.
MAX_YAML_DEPTH = 64
#: Integers written with more digits than this are read as infinite, on every route
#: (Python refuses to convert very long digit strings, and no plan value needs them).
MAX_INT_DIGITS = 400

# --- the keys of each mapping

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

# The dict form (plan_to_dict) has the settings and the lists in one mapping, no cards,
# and a few derived keys per course that are written for readers and never read back.
DICT_PLAN_KEYS = (*PLAN_KEYS, "courses", "resources")
DICT_COURSE_KEYS = tuple(k for k in COURSE_KEYS if k != "cards")
DICT_COURSE_DERIVED = ("tag", "deck", "card_count")
DICT_LESSON_KEYS = tuple(k for k in LESSON_KEYS if k != "cards")


# --- describing values in messages


def type_name(value: Any) -> str:
    """What kind of value this is, in the learner's words (never a Python class name)."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return "a value of an unsupported kind"


def shown(value: Any) -> str:
    """A value as a message may quote it: short, on one line, never a container's repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) < 10**18:
            return str(int(value))
        return f"{as_float(value):.3g}" if math.isfinite(as_float(value)) else "a huge number"
    if isinstance(value, float):
        return repr(float(value)) if math.isfinite(value) else str(value)
    if isinstance(value, str):
        text = str(value)
        if len(text) > 60:
            return f"{text[:40]!r}… ({len(text):,} characters)"
        return repr(text)
    return type_name(value)


def as_float(value: int | float) -> float:
    """``float(value)``, infinite for integers beyond the float range (never raises)."""
    try:
        return float(value)
    except OverflowError:
        return math.copysign(math.inf, value)


def _amount(limit: float) -> str:
    return f"{int(limit):,}" if float(limit).is_integer() else f"{limit:g}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_SURROGATE = re.compile("[\ud800-\udfff]")
# Control characters, and the line and paragraph separators YAML reads as line breaks.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def text_problem(value: str, *, limit: int, one_line: bool) -> str | None:
    """What is wrong with a text value (the end of a message: "is 400 characters long;
    ..."), or None. Single-line text holds no control characters; any text holds no
    lone surrogate (it cannot be written as UTF-8) and no NUL."""
    if len(value) > limit:
        return f"is {len(value):,} characters long; at most {limit:,} are allowed"
    if not value.isascii():
        found = _SURROGATE.search(value)
        if found is not None:
            return (
                f"holds U+{ord(found.group()):04X}, a lone surrogate that is not a character "
                "(it cannot be saved as UTF-8); remove it"
            )
    if one_line:
        found = _CONTROL.search(value.strip())
        if found is not None:
            return (
                f"holds the control character U+{ord(found.group()):04X}; write it on one line "
                "without control characters"
            )
    elif "\x00" in value:
        return "holds a NUL character (U+0000); remove it"
    return None


def card_text_problem(value: str) -> str | None:
    """:func:`text_problem` for one side of a card (several lines, up to MAX_CARD_TEXT)."""
    return text_problem(value, limit=MAX_CARD_TEXT, one_line=False)


def tag_problem(tag: Any) -> str | None:
    """What is wrong with one tag of a card, as a whole message, or None."""
    if not isinstance(tag, str) or not is_tag(tag):
        return f"tag {shown(tag)} is not valid: a tag is text without spaces"
    wrong = text_problem(tag, limit=MAX_TAG, one_line=True)
    return f"tag {shown(tag)} {wrong}" if wrong is not None else None


def too_many(what: str, count: int, limit: int, unit: str) -> str | None:
    """The message for a list longer than its limit, or None."""
    if count <= limit:
        return None
    return f"{what} has {count:,} {unit}; at most {limit:,} are allowed"


def duplicate_id(kind: str, value: str, first: str, scope: str = "") -> str:
    """The message for an id used twice; ``first`` says where it was first used."""
    unique = {
        "course": "; course ids must be unique",
        "lesson": "; lesson ids must be unique in a course",
        "resource": "",
    }[kind]
    return f"duplicate {kind} id {value!r}{scope} (first used at {first}){unique}"


class UniqueIds:
    """The ids met so far in one list (lessons of a course, resources), so each id used
    again is reported with where it was first used."""

    def __init__(self, kind: str, scope: str = "") -> None:
        self.kind = kind
        self.scope = scope
        self.first: dict[str, str] = {}

    def check(self, f: Fields) -> None:
        if "id" in f.bad or "id" not in f.mapping:
            return  # a bad id has been reported already
        value = str(f.mapping["id"])
        if value in self.first:
            f.problem("id", duplicate_id(self.kind, value, self.first[value], self.scope))
        else:
            self.first[value] = f.where("id")


def named(what: str, mapping: Any) -> str:
    """``course 'c1'`` when the mapping has a usable id, so messages say which one."""
    value = mapping.get("id") if isinstance(mapping, Mapping) else None
    return f"{what} '{value}'" if isinstance(value, str) and is_slug(value) else what


# --- typed access to one mapping


class Fields:
    """Typed access to one mapping of a plan (outline YAML or the dict form).

    Each reader says where a problem is (:meth:`report`, :meth:`where`); the checks and
    their messages are the same for all. A value that breaks a rule is returned as None
    and its key is added to ``bad``.
    """

    def __init__(self, mapping: Mapping[Any, Any], what: str) -> None:
        self.mapping = mapping
        self.what = what
        self.bad: set[str] = set()
        self.count = 0  # problems recorded for this mapping
        #: Keys written twice in the mapping (a JSON object may repeat a key; only the
        #: last value survives parsing, so the reader says which keys were repeated).
        self.duplicates: tuple[str, ...] = ()

    def report(self, key: Any, message: str, *, at_key: bool = False) -> None:
        """Record a problem with ``key``'s value (its key when ``at_key``; the mapping
        itself when ``key`` is None)."""
        raise NotImplementedError

    def where(self, key: str) -> str:
        """Where ``key``'s value is, for a later message to point back to ("line 12")."""
        raise NotImplementedError

    def problem(self, key: str | None, message: str) -> None:
        if key is not None:
            self.bad.add(key)
        self.count += 1
        self.report(key, message)

    def check_keys(
        self, allowed: tuple[str, ...], required: tuple[str, ...], ignored: tuple[str, ...] = ()
    ) -> None:
        for key in self.mapping:
            if isinstance(key, str) and (key in allowed or key in ignored):
                continue
            self.count += 1
            self.report(
                key,
                f"unknown key {shown(key)} in {self.what}; expected one of: " + ", ".join(allowed),
                at_key=True,
            )
        for key in self.duplicates:
            self.problem(
                key,
                f"duplicate key {shown(key)} in {self.what}; each key may appear once in a mapping",
            )
        for key in required:
            if key not in self.mapping:
                self.problem(None, f"{self.what} is missing the required key '{key}'")
                self.bad.add(key)

    def text(
        self, key: str, *, required: bool = False, limit: int = MAX_NAME, one_line: bool = True
    ) -> str | None:
        if key not in self.mapping:
            return None
        value = self.mapping[key]
        if not isinstance(value, str):
            hint = " (put it in quotes)" if isinstance(value, (int, float)) else ""
            self.problem(key, f"{self.what} {key} must be text, not {type_name(value)}{hint}")
            return None
        wrong = text_problem(value, limit=limit, one_line=one_line)
        if wrong is not None:
            self.problem(key, f"{self.what} {key} {wrong}")
            return None
        if required and not value.strip():
            self.problem(key, f"{self.what} {key} is empty")
            return None
        return str(value)

    def slug(self, key: str) -> str | None:
        value = self.mapping.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.problem(key, f"{self.what} {key} {shown(value)} must be text: put it in quotes")
            return None
        text = self.text(key)
        if text is None:
            return None
        if not is_slug(text):
            self.problem(
                key,
                f"{self.what} {key} {shown(text)} is not a slug: use lower-case letters, digits "
                "and '-', starting with a letter or digit (at most 64)",
            )
            return None
        return text

    def number(self, key: str, *, maximum: float, positive: bool = False) -> float | None:
        if key not in self.mapping:
            return None
        value = self.mapping[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            extra = " (remove the quotes)" if isinstance(value, str) and _is_number(value) else ""
            self.problem(key, f"{self.what} {key} must be a number, not {type_name(value)}{extra}")
            return None
        number = as_float(value)
        if math.isnan(number) or (isinstance(value, float) and math.isinf(number)):
            self.problem(key, f"{self.what} {key} must be a finite number, not {shown(value)}")
            return None
        if number < 0 or (positive and number == 0):
            bound = "greater than 0" if positive else "0 or more"
            self.problem(key, f"{self.what} {key} must be {bound}, not {shown(value)}")
            return None
        if number > maximum:
            self.problem(
                key, f"{self.what} {key} must be at most {_amount(maximum)}, not {shown(value)}"
            )
            return None
        return number

    def integer(self, key: str) -> int | None:
        if key not in self.mapping:
            return None
        value = self.mapping[key]
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float):
                detail = shown(value)
            else:
                quoted = isinstance(value, str) and value.strip().lstrip("+-").isdigit()
                detail = type_name(value) + (" (remove the quotes)" if quoted else "")
            self.problem(key, f"{self.what} {key} must be a whole number, not {detail}")
            return None
        return int(value)

    def boolean(self, key: str) -> bool | None:
        if key not in self.mapping:
            return None
        value = self.mapping[key]
        if not isinstance(value, bool):
            self.problem(key, f"{self.what} {key} must be true or false, not {type_name(value)}")
            return None
        return value

    def date(self, key: str) -> dt.date | None:
        if key not in self.mapping:
            return None
        value = self.mapping[key]
        if not isinstance(value, str):
            self.problem(
                key, f"{self.what} {key} must be a date like 2019-05-06, not {type_name(value)}"
            )
            return None
        try:
            if not _DATE.fullmatch(value.strip()):
                raise ValueError(value)
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            self.problem(
                key,
                f"{self.what} {key} {shown(value)} is not a valid date: write YYYY-MM-DD, "
                "e.g. 2019-05-06",
            )
            return None
        if not FIRST_START <= day <= LAST_START:
            self.problem(
                key,
                f"{self.what} {key} {day.isoformat()} is outside the days a plan may start "
                f"on ({FIRST_START.isoformat()} to {LAST_START.isoformat()})",
            )
            return None
        return day

    def tags(self, key: str) -> tuple[str, ...]:
        if key not in self.mapping:
            return ()
        value = self.mapping[key]
        if not isinstance(value, list):
            self.problem(key, f"{self.what} {key} must be a list, e.g. [calculus, proofs]")
            return ()
        wrong = too_many(f"{self.what} {key}", len(value), MAX_TAGS, "tags")
        if wrong is not None:
            self.problem(key, wrong)
            return ()
        tags: list[str] = []
        for item in value:
            wrong = tag_problem(item)
            if wrong is not None:
                self.problem(key, wrong)
                continue
            tags.append(str(item))
        return tuple(dict.fromkeys(tags))


# --- the rules of each kind of mapping, shared by every reader


def plan_settings(f: Fields) -> tuple[dict[str, Any] | None, int | None]:
    """The plan's settings as Plan() keywords (None if unusable), and the weeks that
    course windows are checked against (None if unknown). ``f`` holds the settings."""
    plan_id = f.slug("id")
    title = f.text("title", required=True)
    start = f.date("start")
    weeks = f.integer("weeks")
    if weeks is not None and not 1 <= weeks <= MAX_WEEKS:
        f.problem("weeks", f"plan weeks must be between 1 and {MAX_WEEKS}, not {shown(weeks)}")
        weeks = None
    hours_per_week = f.number("hours_per_week", positive=True, maximum=math.inf)
    if hours_per_week is not None and hours_per_week > MAX_HOURS_PER_WEEK:
        f.problem(
            "hours_per_week",
            f"plan hours_per_week is {hours_per_week:g}, but a week has {MAX_HOURS_PER_WEEK} hours",
        )
        hours_per_week = None
    hours_per_point = f.number("hours_per_point", positive=True, maximum=MAX_HOURS_PER_POINT)
    currency = f.text("currency")
    if currency is not None and not (
        len(currency) == 3 and currency.isascii() and currency.isalpha() and currency.isupper()
    ):
        f.problem(
            "currency",
            f"plan currency {shown(currency)} must be a 3-letter code such as USD or EUR",
        )
        currency = None
    allow_html = f.boolean("allow_html")
    known_weeks = None if "weeks" in f.bad else (weeks or 12)
    if plan_id is None or title is None or start is None or f.count:
        return None, known_weeks
    out: dict[str, Any] = {"id": plan_id, "title": title.strip(), "start": start}
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


def course_values(f: Fields, weeks: int | None) -> dict[str, Any] | None:
    """A course's own values as Course() keywords (no lessons, cards or source), or None
    when one is unusable. Every problem is recorded either way."""
    course_id = f.slug("id")
    provider = f.text("provider")
    title = f.text("title", required=True)
    fte = f.number("fte", maximum=MAX_FTE)
    cost = f.number("cost", maximum=MAX_COST)
    url = _stripped(f.text("url", limit=MAX_URL))
    start_week = f.integer("start_week")
    end_week = f.integer("end_week")
    if weeks is not None:
        for key, value in (("start_week", start_week), ("end_week", end_week)):
            if value is not None and not 1 <= value <= weeks:
                f.problem(
                    key, f"{f.what} {key} {shown(value)} is outside the plan's weeks 1..{weeks}"
                )
    if start_week is not None and end_week is not None and end_week < start_week:
        f.problem(
            "end_week",
            f"{f.what} ends (week {end_week}) before it starts (week "
            f"{start_week}); swap start_week and end_week",
        )
    if course_id is None or title is None or fte is None or f.bad:
        return None
    return {
        "id": course_id,
        "provider": (provider or "").strip(),
        "title": title.strip(),
        "fte": fte,
        "cost": cost or 0.0,
        "url": url,
        "start_week": start_week,
        "end_week": end_week,
    }


def lesson_values(f: Fields) -> dict[str, Any] | None:
    """A lesson's values as Lesson() keywords, or None when one is unusable."""
    lesson_id = f.slug("id")
    title = f.text("title", required=True)
    weight = f.number("weight", positive=True, maximum=MAX_LESSON_AMOUNT)
    hours = f.number("hours", positive=True, maximum=MAX_LESSON_AMOUNT)
    url = _stripped(f.text("url", limit=MAX_URL))
    if lesson_id is None or title is None or f.bad:
        return None
    return {"id": lesson_id, "title": title.strip(), "weight": weight, "hours": hours, "url": url}


def resource_values(f: Fields) -> dict[str, Any] | None:
    """A resource's values as Resource() keywords (no source), or None when unusable."""
    rid = f.slug("id")
    title = f.text("title", required=True)
    provider = f.text("provider")
    cost = f.number("cost", maximum=MAX_COST)
    url = _stripped(f.text("url", limit=MAX_URL))
    if rid is None or title is None or cost is None or f.bad:
        return None
    return {
        "id": rid,
        "title": title.strip(),
        "cost": cost,
        "provider": (provider or "").strip(),
        "url": url,
    }


def _stripped(text: str | None) -> str | None:
    return text.strip() if text is not None else None


def plan_size(plan: Plan) -> int:
    """Bytes of the plan's dict form as compact UTF-8 JSON (what MAX_PLAN_BYTES limits)."""
    text = json.dumps(plan_to_dict(plan), ensure_ascii=False, separators=(",", ":"))
    return len(text.encode("utf-8"))


def plan_size_problem(plan: Plan) -> str | None:
    size = plan_size(plan)
    if size <= MAX_PLAN_BYTES:
        return None
    return (
        f"the plan's settings, courses, lessons and resources take {size / 2**20:.1f} MB; "
        f"at most {MAX_PLAN_BYTES // 2**20} MB are allowed (shorten titles and URLs, or "
        "split the plan)"
    )


# --- the dict form (manifests and stored records)

Location = tuple[str | int, ...]


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
    """:func:`read_plan_dict`, raising :class:`PlanError` with one ``origin:0: location:
    message`` line per problem."""
    plan, issues = read_plan_dict(data)
    if plan is None:
        raise PlanDataError(
            [Problem(origin, 0, located(where, message)) for where, message in issues]
        )
    return plan
