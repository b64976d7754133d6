"""The limits of a plan and the keys of each of its mappings, on every route a plan comes by.

The limits are far beyond any real plan (docs/outline.md lists them, "Limits"). They
exist so that a hostile or broken file fails fast with a clear message instead of
exhausting memory or time, or overflowing the date arithmetic downstream.
"""

from __future__ import annotations

import datetime as dt

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
