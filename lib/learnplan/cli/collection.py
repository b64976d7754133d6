"""The commands that work in an Anki collection: ``learnplan import`` (a plan, as the
collection's current plan) and ``learnplan log`` (progress, as record entries), and
opening a collection for them and for ``learnplan report --collection``."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from learnplan.base.errors import PlanError
from learnplan.cli.exits import EXIT_OK, CollectionUnavailable, MissingAnki
from learnplan.cli.inputs import read_plan
from learnplan.figures import format as fmt
from learnplan.model.plan import Plan
from learnplan.progress.log import ProgressLog

#: The first bytes of every SQLite database, as every Anki collection is.
_SQLITE_HEADER = b"SQLite format 3\x00"


@contextlib.contextmanager
def open_collection(path_text: str) -> Iterator[Any]:
    """An open collection, closed afterwards. Anki holding it (its lock is exclusive) is
    a failure, exit 1, before anything is read or written."""
    path = Path(path_text)
    if not path.is_file():
        raise PlanError.at(path, 0, "no such collection file")
    with path.open("rb") as head:
        if head.read(16) != _SQLITE_HEADER:
            raise PlanError.at(
                path,
                0,
                "not an Anki collection (not an SQLite database): give the "
                "collection.anki2 file in your Anki profile's folder; nothing was changed",
            )
    try:
        from anki.collection import Collection
        from anki.errors import DBError
    except ImportError:
        raise MissingAnki(
            "working with a collection needs Anki's Python package: install it with "
            "pip install 'learnplan[anki]' (the environment scripts/run.sh makes has it)"
        ) from None
    try:
        col = Collection(str(path))
    except DBError as exc:
        raise CollectionUnavailable(
            f"{path}:0: cannot open the collection: {exc} Close Anki (or wait until it has "
            "finished syncing) and try again; nothing was changed."
        ) from None
    try:
        yield col
    finally:
        col.close(downgrade=False)


def current_plan(col: Any, where: str) -> tuple[Plan, ProgressLog]:
    """The collection's current plan and its progress log (problems on stderr)."""
    from learnplan.collection.recordstore import read
    from learnplan.progress.log_file import unknown_references

    stored = read(col)
    for problem in stored.problems:
        print(f"learnplan: warning: {problem.message}", file=sys.stderr)
    plan = stored.records.current_plan
    if plan is None:
        raise PlanError.at(
            where,
            0,
            "this collection follows no Learning Plan yet: run `learnplan import "
            "--collection` (or adopt one in Anki's Learning Plan panel) first",
        )
    log = stored.records.log(plan.id)
    for issue in unknown_references(plan, log):
        print(f"learnplan: warning: {issue.message}; it is not counted", file=sys.stderr)
    return plan, log


def read_memory(col: Any, plan: Plan) -> tuple[dict[str, Any], dt.date]:
    """The memory numbers of ``plan``'s courses, and Anki's study day."""
    from learnplan.collection.memory import course_memory
    from learnplan.collection.studyday import study_today

    return dict(course_memory(col, plan)), study_today(col)


def cmd_import(args: argparse.Namespace) -> int:
    from learnplan.collection.import_plan import import_and_adopt

    plan = read_plan(args.plan, assign_ids=True, start=args.start)
    with open_collection(args.collection) as col:
        # Updating a plan the collection follows keeps its start day, unless --start.
        # PlanError before anything is written.
        imported = import_and_adopt(col, plan, keep_start=not args.start)
    plan, report = imported.plan, imported.report
    written = []
    if any(card.new_key for c in plan.courses for card in c.cards):
        # Ids go back into the learner's files only once the import has succeeded.
        from learnplan.reading.writeback import write_back_ids

        written = write_back_ids(plan)
    print(report.summary())
    print(f"{plan.title} is the collection's current plan, from {fmt.day(plan.start)}.")
    for path in written:
        print(f"  new card ids written back to {path}")
    return EXIT_OK


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what}: expected a number more than 0, got '{text}'")
    return value


def cmd_log(args: argparse.Namespace) -> int:
    from learnplan.collection.recordstore import change_log
    from learnplan.collection.studyday import study_today
    from learnplan.figures.compute import figures
    from learnplan.progress.log import CostPaid, Session, add_cost, add_session, mark_lesson_done
    from learnplan.progress.log import study_date as checked_day
    from learnplan.progress.log_file import reference_problem

    with open_collection(args.collection) as col:
        plan, log = current_plan(col, args.collection)
        today = study_today(col)
        day = checked_day(args.date, today)
        # Everything is checked before anything is written.
        if args.what in ("session", "done"):
            wrong = reference_problem(plan, args.course, args.lesson)
            if wrong is not None:
                raise ValueError(wrong)

        def change(lg: ProgressLog) -> ProgressLog:
            if args.what == "session":
                return add_session(lg, session)
            if args.what == "done":
                return mark_lesson_done(lg, args.course, args.lesson, day)
            return add_cost(lg, cost)

        if args.what == "session":
            hours = _number(args.hours, "HOURS")
            session = Session(day, args.course, hours, args.lesson, args.note.strip())
            # The learner's own number, as given (a figure would round 0.25 h to 0.2 h).
            said = f"Logged {hours:g} h of {args.course} on {fmt.day(day)}"
        elif args.what == "done":
            ticked = next(
                (d for d in log.lessons_done if (d.course, d.lesson) == (args.course, args.lesson)),
                None,
            )
            if ticked is not None:
                print(
                    f"{args.course}/{args.lesson} was done on {fmt.day(ticked.date)}; "
                    "nothing changed."
                )
                return EXIT_OK
            said = f"Marked {args.course}/{args.lesson} done on {fmt.day(day)}"
        else:
            cost = CostPaid(day, args.item, _number(args.amount, "AMOUNT"))
            said = (
                f"Logged {fmt.money(cost.amount, plan.currency)} for {args.item} on {fmt.day(day)}"
            )
        change_log(col, plan.id, change)
        # What is stored now folds to change(log): log_entries writes exactly that change.
        headline = figures(plan, change(log), None, today).headline
    print(f"{said} in {plan.title}.")
    print(headline)
    return EXIT_OK
