"""The small two-course plan the update tests build, change and import (test_reimport.py's
matrix, test_update.py), and the note GUIDs its cards get."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from learnplan.base.ids import note_guid
from learnplan.model.plan import Card, Course, Lesson, Plan

PLAN_ID = "zdl"


def plan_cards() -> tuple[Card, ...]:
    return (
        Card("b1", "basic", "What does `fit_one_cycle` vary?", "The learning rate.", "l1"),
        Card("b2", "basic", "What is a tensor?", "An n-dimensional array.", "l1"),
        Card("r1", "reversed", "Rank of a matrix", "Dimension of its column space.", "l2"),
        Card(
            "z1",
            "cloze",
            "The derivative of $x^2$ is {{c1::$2x$}}; of $x^3$, {{c2::$3x^2$}}.",
            "Power rule.",
            "l2",
        ),
        Card("b3", "basic", "SGD stands for?", "Stochastic gradient descent.", "l2"),
        Card("b4", "basic", "Who teaches fast.ai?", "Jeremy Howard.", None),
    )


def make_plan(**course_changes: Any) -> Plan:
    course = Course(
        id="fastai1",
        provider="Fastai",
        title="Practical Deep Learning",
        fte=1.5,
        url="https://course19.fast.ai/",
        lessons=(Lesson("l1", "Lesson 1: Images"), Lesson("l2", "Lesson 2: Maths")),
        cards=plan_cards(),
    )
    other = Course(
        id="mit1806",
        provider="MIT",
        title="18.06 Linear Algebra",
        fte=0.7,
        cards=(Card("m1", "basic", "det(AB) =", "det(A) det(B)", None),),
    )
    course = dataclasses.replace(course, **course_changes)
    return Plan(id=PLAN_ID, title="Zero to DL", start=dt.date(2026, 1, 5), courses=(course, other))


def replace_card(plan: Plan, key: str, **changes: Any) -> Plan:
    course = plan.courses[0]
    cards = tuple(dataclasses.replace(c, **changes) if c.key == key else c for c in course.cards)
    return dataclasses.replace(
        plan, courses=(dataclasses.replace(course, cards=cards), *plan.courses[1:])
    )


def guid(key: str, course: str = "fastai1") -> str:
    return note_guid(PLAN_ID, course, key)
