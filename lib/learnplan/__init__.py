"""learnplan: build course-tagged Anki decks from a study plan and track FTE progress."""

from __future__ import annotations

from .errors import PlanError, Problem
from .plan import Card, Course, Lesson, Plan, Resource, plan_from_dict, plan_to_dict

__version__ = "0.1.0"

__all__ = [
    "Card",
    "Course",
    "Lesson",
    "Plan",
    "PlanError",
    "Problem",
    "Resource",
    "__version__",
    "plan_from_dict",
    "plan_to_dict",
]
