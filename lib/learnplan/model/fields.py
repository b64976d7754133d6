"""Reading one mapping of a plan (outline YAML or the dict form), value by value, and
the messages that describe a value that breaks a rule.

Every route a plan comes by reads its values through :class:`Fields`, so a value accepted
by one route is accepted by all and a bad one is refused with the same message; only
where a problem is reported differs (a line of an outline, a location in the JSON).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from learnplan.model.limits import (
    FIRST_START,
    LAST_START,
    MAX_CARD_TEXT,
    MAX_NAME,
    MAX_TAG,
    MAX_TAGS,
)
from learnplan.model.plan import is_slug, is_tag

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
