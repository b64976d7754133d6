"""``learnplan init``: a small, valid, commented starter plan for a learner to edit."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

from learnplan.base.atomic import create_file
from learnplan.base.errors import PlanError, Problem
from learnplan.model.plan import slugify
from learnplan.reading.starts import coming_monday

PLAN_NAME = "plan.yaml"
CARDS_NAME = "notes/example.md"

_PLAN = """\
# My learning plan. The format is described in docs/outline.md of learnplan.
# Check it with `learnplan check plan.yaml`, build the Anki deck with
# `learnplan build plan.yaml`, then import the .apkg in Anki (File > Import).

plan:
  id: {plan_id}                 # a slug; it prefixes every tag, so keep it once chosen
  title: {title}
  start: {start}           # first day of week 1
  weeks: 12                   # how long the plan runs
  hours_per_week: 40          # full-time study
  hours_per_point: 120        # 1 FTE point = one paper for a 12-week semester

courses:
  - id: linear-algebra        # a slug, unique in the plan; never rename it once built
    provider: MIT
    title: 18.06 Linear Algebra
    fte: 0.7                  # effort budget in FTE points
    cost: 0
    url: https://ocw.mit.edu/courses/18-06-linear-algebra-spring-2010/
    start_week: 1             # optional window inside the plan
    end_week: 8
    lessons:
      - id: l1
        title: "Lecture 1: The geometry of linear equations"
        hours: 3              # effort; lessons done earn their share of the FTE
        cards:                # cards can be written right here...
          - id: la-start1
            front: "What does $Ax = b$ ask, seen column by column?"
            back: Which combination of the columns of $A$ gives $b$.
      - id: l2
        title: "Lecture 2: Elimination with matrices"
        hours: 3
    cards: {cards_name}       # ...or in a Markdown file (one '## ' heading per card)

  - id: fastai-part1
    provider: Fastai
    title: Practical Deep Learning for Coders Part 1
    fte: 1.5
    lessons:
      - {{id: l1, title: "Lesson 1: Image classification", hours: 8}}
      - {{id: l2, title: "Lesson 2: Data cleaning and production", hours: 8}}

resources:                    # things that cost money but earn no FTE
  - id: gpu
    title: GPU server instance
    provider: AWS
    cost: 50
"""

_CARDS = """\
---
lesson: l2            # cards below belong to lesson l2 unless they say otherwise
tags: [matrices]      # extra Anki tags for every card in this file
---
# Linear algebra cards

## What does elimination turn $A$ into? {{#la-start2}}
An upper-triangular matrix $U$ (with the pivots on its diagonal).

## A matrix times a vector {{#la-start3 lesson=l1 .reversed}}
A combination of the matrix's columns, weighted by the vector's entries.

## Elimination fails when a pivot is {{{{c1::zero}}}} and no row exchange can fix it. {{#la-start4}}
The matrix is then singular.

## Write a longer question on the lines under the heading {{#la-start5}}
Everything up to a line holding only '%' is the front.
%
...and everything after it is the back. A card without an id in braces gets one
the first time you build, written back into this file.
"""


def scaffold_plan(directory: Path) -> list[Path]:
    """Write a starter plan into ``directory`` (created if missing).

    Returns the files written. Never replaces or changes anything that exists: refuses
    with :class:`PlanError`, writing nothing, if any of the files (or a non-folder where
    a folder must go) is already there; if writing fails half-way, what it created is
    removed again.
    """
    directory = Path(directory)
    plan_path = directory / PLAN_NAME
    cards_path = directory / CARDS_NAME
    existing = [p for p in (plan_path, cards_path) if p.exists() or p.is_symlink()]
    if existing:
        raise PlanError(
            [
                Problem(p, 0, "already exists; choose an empty folder (init never overwrites)")
                for p in existing
            ]
        )
    for folder in (directory, cards_path.parent):
        if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
            raise PlanError.at(folder, 0, "exists and is not a folder")
    name = directory.resolve().name or "my-plan"
    plan_id = slugify(name)
    title = " ".join(name.replace("-", " ").replace("_", " ").split()).title() or "My Plan"
    files = {
        plan_path: _PLAN.format(
            plan_id=plan_id,
            title=_yaml_text(title),
            start=coming_monday(dt.date.today()).isoformat(),
            cards_name=CARDS_NAME,
        ),
        cards_path: _CARDS.format(),
    }
    made: list[Path] = []  # files and folders this call created, to undo on failure
    try:
        for path, text in files.items():
            for folder in reversed([path.parent, *path.parent.parents]):
                if not folder.exists():
                    folder.mkdir()
                    made.append(folder)
            try:
                # Never replaces anything, even a file that appeared since the check.
                create_file(path, text.encode("utf-8"))
            except FileExistsError:
                raise PlanError.at(
                    path, 0, "already exists; choose an empty folder (init never overwrites)"
                ) from None
            made.append(path)
    except BaseException:
        for made_path in reversed(made):
            with contextlib.suppress(OSError):
                if made_path.is_dir():
                    made_path.rmdir()
                else:
                    made_path.unlink()
        raise
    return list(files)


def _yaml_text(text: str) -> str:
    # Double-quoted YAML is a superset of JSON strings, so json.dumps quotes it safely.
    import json

    return json.dumps(text, ensure_ascii=False)
