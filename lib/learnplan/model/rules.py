"""One set of plan rules: what each value of a plan may be, on every route a plan comes by.

A plan reaches learnplan as an outline (:mod:`learnplan.reading.outline`), as the dict
form inside the manifest of a shared package (:mod:`learnplan.building.manifest`), or as
a record stored in a collection (:func:`learnplan.model.dictform.plan_from_dict`). Every
route reads each mapping (the settings, a course, a lesson, a resource) through the rules
here, on :class:`~learnplan.model.fields.Fields`; the limits they apply are in
:mod:`learnplan.model.limits`.
"""

from __future__ import annotations

import json
import math
from typing import Any

from learnplan.model.fields import Fields, shown
from learnplan.model.limits import (
    MAX_COST,
    MAX_FTE,
    MAX_HOURS_PER_POINT,
    MAX_HOURS_PER_WEEK,
    MAX_LESSON_AMOUNT,
    MAX_PLAN_BYTES,
    MAX_URL,
    MAX_WEEKS,
)
from learnplan.model.plan import Plan, plan_to_dict

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
