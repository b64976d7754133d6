"""learnplan.collection.import_plan on a real collection, and the add-on's outline import
(addon/importing.py) that uses it: a first import follows the plan from its own start;
updating a plan the collection follows keeps the day it is followed from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

from anki.collection import Collection
from helpers_plans import PLAN_ID, make_plan

from addon import importing, store
from learnplan.collection.import_plan import import_and_adopt
from learnplan.collection.recordstore import read
from learnplan.collection.studyday import study_today
from learnplan.reading.outline import load_plan

FIRST = dt.date(2025, 3, 3)
OWN = dt.date(2025, 9, 1)


def _followed_start(col: Collection, plan_id: str) -> dt.date:
    followed = read(col).records.plan(plan_id)
    assert followed is not None
    return followed.start


def test_a_first_import_adopts_the_plan_from_its_own_start(col: Collection) -> None:
    plan = dataclasses.replace(make_plan(), start=FIRST)
    imported = import_and_adopt(col, plan, keep_start=True)
    assert imported.plan.start == FIRST
    assert imported.report.plan_id == PLAN_ID and len(imported.report.new) > 0
    assert col.find_notes(f'"tag:{plan.course_tag(plan.courses[0].id)}"')
    assert read(col).records.current == PLAN_ID
    assert _followed_start(col, PLAN_ID) == FIRST


def test_updating_a_followed_plan_keeps_its_start_unless_told(col: Collection) -> None:
    import_and_adopt(col, dataclasses.replace(make_plan(), start=FIRST), keep_start=True)
    store.adopt_plan(col, dataclasses.replace(make_plan(), start=OWN))  # "Start it today"
    again = import_and_adopt(col, dataclasses.replace(make_plan(), start=FIRST), keep_start=True)
    assert again.plan.start == OWN and again.report.new == ()
    assert _followed_start(col, PLAN_ID) == OWN
    # A start the learner names themselves (the CLI's --start) wins.
    told = import_and_adopt(col, dataclasses.replace(make_plan(), start=FIRST), keep_start=False)
    assert told.plan.start == FIRST
    assert _followed_start(col, PLAN_ID) == FIRST


def test_update_from_outline_keeps_the_day_the_plan_is_followed_from(
    col: Collection, outline_example: Path, tmp_path: Path
) -> None:
    outline = tmp_path / "outline"
    shutil.copytree(outline_example, outline)  # new card ids may be written back
    path = str(outline / "plan.yaml")
    first = importing.import_outline(col, path)
    outline_start = load_plan(path, assign_ids=False).start
    assert _followed_start(col, first.plan_id) == outline_start
    # The learner follows it from today (the panel's "Start it today").
    plan = store.read_plan(col, first.plan_id)
    assert plan is not None
    today = study_today(col)
    assert today != outline_start
    store.adopt_plan(col, dataclasses.replace(plan, start=today))
    again = importing.import_outline(col, path)  # Tools › Update from outline…
    assert again.plan_id == first.plan_id
    assert _followed_start(col, first.plan_id) == today
    assert col.undo_status().undo == "Update Learning Plan"
