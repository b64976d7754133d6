"""``learnplan build | check | init | report | import | log``.

Exit status: 0 ok, 1 failure (I/O, environment, a collection Anki holds open), 2 bad
input (``path:line: message``).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import math
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from learnplan._version import __version__
from learnplan.base.errors import PlanError, Problem
from learnplan.model.plan import Plan, slugify

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
_FORCE_HELP = (
    "replace an existing output file that learnplan did not write "
    "(the plan's own files are never replaced)"
)

_START_HELP = (
    "the plan starts on this day (YYYY-MM-DD; default: the plan's own start, or for the "
    "bundled plan the coming Monday; --start 2019-05-06 is its original)"
)


class CollectionUnavailable(Exception):
    """The collection cannot be opened now (Anki holds it, or it is not a collection)."""


class MissingAnki(Exception):
    """The ``anki`` package (the ``anki`` extra) is not installed: an environment failure."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    # Messages on stderr: "path:line: message" when they are about a file (line 0: the
    # whole file), "learnplan: message" when there is no file to point at.
    try:
        result: int = args.func(args)
        return result
    except CollectionUnavailable as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILURE
    except MissingAnki as exc:
        print(f"learnplan: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except PlanError as exc:
        print("\n".join(str(p) for p in in_file_order(exc.problems)), file=sys.stderr)
        return EXIT_BAD_INPUT
    except ValueError as exc:  # LogError and friends: bad input that isn't a plan file
        print(f"learnplan: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # `learnplan check | head`: the reader has gone; stop quietly, as cat does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    except OSError as exc:
        if exc.filename is not None and exc.strerror:
            print(f"{exc.filename}:0: {exc.strerror}", file=sys.stderr)
        else:
            print(f"learnplan: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("learnplan: interrupted; nothing was written", file=sys.stderr)
        return EXIT_FAILURE


def in_file_order(problems: Sequence[Problem]) -> list[Problem]:
    """``problems`` file by file (in the order each file first comes up), each file's in
    line order (a whole-file problem, line 0, first)."""
    first: dict[str, int] = {}
    for problem in problems:
        first.setdefault(str(problem.path), len(first))
    return sorted(problems, key=lambda p: (first[str(p.path)], p.line))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="learnplan",
        description="Build course-tagged Anki decks from a study plan and track progress.",
    )
    parser.add_argument("--version", action="version", version=f"learnplan {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = sub.add_parser("build", help="build an .apkg from a plan (default: the bundled plan)")
    build.add_argument("plan", nargs="?", help="plan YAML file (default: Zero to Deep Learning)")
    build.add_argument("-o", "--output", help="output .apkg (default: ./<plan-title>.apkg)")
    build.add_argument(
        "--no-write",
        action="store_true",
        help="never write ids back into the plan's files; fail on cards without an id",
    )
    build.add_argument("--start", help=_START_HELP)
    build.add_argument("--force", action="store_true", help=_FORCE_HELP)
    build.set_defaults(func=_cmd_build)

    check = sub.add_parser("check", help="validate a plan and show its courses and totals")
    check.add_argument("plan", nargs="?", help="plan YAML file (default: the bundled plan)")
    check.add_argument("--start", help=_START_HELP)
    check.set_defaults(func=_cmd_check)

    init = sub.add_parser("init", help="scaffold a new plan to edit")
    init.add_argument("directory", help="folder to create the plan in")
    init.set_defaults(func=_cmd_init)

    report = sub.add_parser("report", help="write a shareable progress report")
    report.add_argument("plan", nargs="?", help="plan YAML file (default: the bundled plan)")
    report.add_argument("--log", help="progress log JSON (default: an empty log)")
    report.add_argument("--collection", help="an Anki collection.anki2 for memory numbers")
    report.add_argument("--today", help="report as of this date (YYYY-MM-DD; default: today)")
    report.add_argument("--start", help=_START_HELP)
    fmt = report.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print the figures as JSON")
    fmt.add_argument("--html", action="store_true", help="write one self-contained HTML file")
    report.add_argument("-o", "--output", help="output file (default: ./<plan>-report.md|.html)")
    report.add_argument("--force", action="store_true", help=_FORCE_HELP)
    report.set_defaults(func=_cmd_report)

    imp = sub.add_parser(
        "import", help="build a plan and import it into a collection, as its current plan"
    )
    imp.add_argument("plan", nargs="?", help="plan YAML file (default: the bundled plan)")
    imp.add_argument("--collection", required=True, help="the collection.anki2 to import into")
    imp.add_argument(
        "--start",
        help="the plan starts on this day (YYYY-MM-DD; default: as the collection follows "
        "it already, else the plan's own start, or for the bundled plan the coming Monday)",
    )
    imp.set_defaults(func=_cmd_import)

    log = sub.add_parser("log", help="record progress in a collection's current plan")
    log.add_argument("--collection", required=True, help="the collection.anki2 to record in")
    what = log.add_subparsers(dest="what", required=True, metavar="WHAT")
    session = what.add_parser("session", help="hours studied outside Anki")
    session.add_argument("course", help="course id")
    session.add_argument("hours", help="hours studied")
    session.add_argument("--lesson", help="lesson id")
    session.add_argument("--note", default="", help="a few words")
    done = what.add_parser("done", help="a lesson done")
    done.add_argument("course", help="course id")
    done.add_argument("lesson", help="lesson id")
    cost = what.add_parser("cost", help="money paid")
    cost.add_argument("item", help="a course id, a resource id, or free text")
    cost.add_argument("amount", help="the amount, in the plan's currency")
    for command in (session, done, cost):
        command.add_argument("--date", help="the study day (YYYY-MM-DD; default: today)")
        command.set_defaults(func=_cmd_log)
    return parser


# --- build


def _load(path: str | None, *, assign_ids: bool = True, start: str | None = None) -> Plan:
    return _load_with_sources(path, assign_ids=assign_ids, start=start)[0]


def _load_with_sources(
    path: str | None, *, assign_ids: bool = True, start: str | None = None
) -> tuple[Plan, dict[Path, str]]:
    """The plan at ``path`` (None: the bundled plan), starting on the learner's day
    (``start``, else its own; the bundled plan's is the coming Monday: reading/starts.py)."""
    from learnplan.reading.outline import default_plan_path, load_plan_and_sources
    from learnplan.reading.starts import learner_start

    day = _parse_day(start, "--start") if start else None
    plan, sources = load_plan_and_sources(
        Path(path) if path else default_plan_path(), assign_ids=assign_ids
    )
    return learner_start(plan, path, start=day), sources


def default_output(plan: Plan) -> Path:
    return Path.cwd() / f"{slugify(plan.title)}.apkg"


def _cmd_build(args: argparse.Namespace) -> int:
    from learnplan.building.deck import build_package, write_package
    from learnplan.building.outputs import PACKAGE, check_output
    from learnplan.reading.writeback import write_back_ids

    started = time.monotonic()
    plan, sources = _load_with_sources(args.plan, assign_ids=not args.no_write, start=args.start)
    out = Path(args.output) if args.output else default_output(plan)
    # Before anything is built or any id written back: a bad output is refused whole.
    try:
        check_output(out, PACKAGE, sources=sources, force=args.force, shown=args.output)
    except PlanError as exc:
        if args.plan is None and out.suffix.lower() in (".yaml", ".yml"):
            hint = f"; to build the plan in it, run: learnplan build {args.output}"
            raise PlanError.at(args.output, 0, exc.problems[0].message + hint) from None
        raise
    bar = _ProgressBar(sys.stderr, label="building", started=started)
    try:
        built = build_package(plan, previous=out if out.exists() else None, progress=bar.update)
    finally:
        bar.close()
    # Ids go back into the learner's files only once the whole build has succeeded.
    changed = write_back_ids(plan) if not args.no_write else []
    write_package(built, out, force=args.force)
    elapsed = time.monotonic() - started
    size = out.stat().st_size
    new_ids = sum(1 for c in plan.courses for card in c.cards if card.new_key)
    print(f"Built {plan.title}: {out}")
    print(
        f"  {len(plan.courses)} courses, {built.note_count} notes, {built.card_count} cards, "
        f"{len(built.media)} media files, {size / 1024:.0f} KiB in {elapsed:.1f} s"
    )
    fit = f"{plan.overcommitment:.2f}x" if plan.overcommitment > 1 else "fits"
    print(
        f"  {plan.total_fte:g} FTE points against a capacity of {plan.capacity:.1f} "
        f"({fit}), budget {_money(plan.total_cost, plan.currency)}"
    )
    print(f"  {plan.weeks} weeks from {plan.start.isoformat()}{_start_note(args)}")
    if changed:
        print(f"  assigned {new_ids} new card ids, written back to:")
        for path in changed:
            print(f"    {path}")
    print("Import it in Anki with File > Import (or the Learning Plan add-on's update).")
    return EXIT_OK


def _start_note(args: argparse.Namespace) -> str:
    from learnplan.reading.starts import is_bundled

    if args.start or not is_bundled(args.plan):
        return ""
    return " (the bundled plan starts on the coming Monday; choose with --start)"


class _ProgressBar:
    """A one-line bar on a terminal, shown only when a build takes more than a second."""

    def __init__(self, stream: TextIO, *, label: str, started: float, delay: float = 1.0) -> None:
        self._stream = stream
        self._label = label
        self._start = started
        self._delay = delay
        self._shown = False
        self._enabled = stream.isatty()

    def update(self, done: int, total: int) -> None:
        if not self._enabled or time.monotonic() - self._start < self._delay or total <= 0:
            return
        width = 30
        filled = int(width * done / total)
        self._stream.write(
            f"\r{self._label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        )
        self._stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self._stream.write("\n")
            self._stream.flush()


# --- check


def _cmd_check(args: argparse.Namespace) -> int:
    plan = _load(args.plan, assign_ids=True, start=args.start)
    print(format_check(plan))
    missing = sum(1 for c in plan.courses for card in c.cards if card.new_key)
    if missing:
        print(f"\n{missing} cards have no id yet; `learnplan build` will assign and write them.")
    return EXIT_OK


def format_check(plan: Plan) -> str:
    from learnplan.cards.cloze import anki_card_count

    headers = ("Provider", "Course", "FTE", "Cost", "Lessons", "Notes", "Cards")
    rows: list[tuple[str, ...]] = [
        (
            c.provider,
            c.title,
            f"{c.fte:g}",
            _money(c.cost, plan.currency) if c.cost else "",
            str(len(c.lessons)),
            str(len(c.cards)),
            str(sum(anki_card_count(card) for card in c.cards)),
        )
        for c in plan.courses
    ]
    rows += [
        (r.provider, r.title, "", _money(r.cost, plan.currency), "", "", "") for r in plan.resources
    ]
    footer = (
        "",
        "Total",
        f"{plan.total_fte:g}",
        _money(plan.total_cost, plan.currency),
        str(sum(len(c.lessons) for c in plan.courses)),
        str(sum(len(c.cards) for c in plan.courses)),
        str(sum(anki_card_count(card) for c in plan.courses for card in c.cards)),
    )
    title_width = min(60, max(len(headers[1]), *(len(r[1]) for r in rows)) if rows else 10)
    widths = [max(len(h), *(len(r[i]) for r in [*rows, footer])) for i, h in enumerate(headers)]
    widths[1] = title_width

    def line(cells: tuple[str, ...]) -> str:
        out = []
        for i, cell in enumerate(cells):
            if i == 1:
                cell = _cut(cell, title_width)
            out.append(cell.rjust(widths[i]) if i >= 2 else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    lines = [
        f"{plan.title} ({plan.id}): {plan.weeks} weeks from {plan.start.isoformat()}, "
        f"{plan.hours_per_week:g} h/week, {plan.hours_per_point:g} h per FTE point",
        "",
        line(headers),
        rule,
        *(line(r) for r in rows),
        rule,
        line(footer),
        "Notes are the cards you wrote; Cards, the Anki cards they make.",
        "",
        f"Capacity: {plan.capacity:.1f} points ({plan.weeks} weeks × {plan.hours_per_week:g} h "
        f"/ {plan.hours_per_point:g} h per point)",
        _fits(plan),
    ]
    if plan.overcommitment > 1:
        from learnplan.progress.maths import suggest_trim

        trim = suggest_trim(plan)
        lines.append(
            f"The plan is {plan.total_fte - plan.capacity:g} points over capacity. "
            "A proportional trim that fits:"
        )
        for course in plan.courses:
            if course.id in trim:
                lines.append(
                    f"  {_cut(course.title, 50):<50}  {course.fte:g} -> {trim[course.id]:.2f}"
                )
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, ending in "…" when it was cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _fits(plan: Plan) -> str:
    """How the plan's points compare with its capacity, in words."""
    if plan.overcommitment > 1:
        return f"Overcommitment: {plan.overcommitment:.2f}x"
    spare = plan.capacity - plan.total_fte
    if spare < 0.05:
        return f"The plan fits its capacity exactly ({plan.overcommitment:.2f}x)."
    return (
        f"The plan fits: {plan.total_fte:g} of {plan.capacity:.1f} points "
        f"({plan.overcommitment:.0%} of capacity), {spare:.1f} points to spare."
    )


def _money(amount: float, currency: str) -> str:
    from learnplan.figures.format import money

    return money(amount, currency)


# --- init


def _cmd_init(args: argparse.Namespace) -> int:
    from learnplan.reading.scaffold import scaffold_plan

    written = scaffold_plan(Path(args.directory))
    print(f"Created a new plan in {args.directory}:")
    for path in written:
        print(f"  {path}")
    plan_file = next((p for p in written if p.suffix in (".yaml", ".yml")), written[0])
    print(f"Edit it, then run: learnplan check {plan_file} && learnplan build {plan_file}")
    return EXIT_OK


# --- report


def _cmd_report(args: argparse.Namespace) -> int:
    from learnplan.figures.compute import figures
    from learnplan.progress.log import ProgressLog
    from learnplan.progress.log_file import load_log
    from learnplan.progress.log_json import log_to_json
    from learnplan.render.report import report_json
    from learnplan.render.report_html import report_html
    from learnplan.render.report_md import report_markdown

    today = _parse_day(args.today) if args.today else dt.date.today()
    memory = None
    with contextlib.ExitStack() as stack:
        col = stack.enter_context(_collection(args.collection)) if args.collection else None
        if args.plan is None and col is not None:
            # No PLAN: the collection's current plan with the progress recorded in it.
            if args.log:
                raise PlanError.at(
                    "--log",
                    0,
                    "give the PLAN with --log; without one the report uses "
                    "the collection's own records",
                )
            plan, log = _current(col, args.collection)
            if args.start:
                plan = dataclasses.replace(plan, start=_parse_day(args.start, "--start"))
            sources: dict[Path, str] = {}
        else:
            plan, sources = _load_with_sources(args.plan, assign_ids=True, start=args.start)
            # Checked against the plan: an entry it cannot count is an error at its line.
            log = load_log(args.log, plan=plan) if args.log else ProgressLog(plan_id=plan.id)
        if col is not None:
            memory, today_anki = _read_collection(col, plan)
            if not args.today:
                today = today_anki
    # The log's plan revisions are applied day by day; Anki's review time counts as spent.
    report = figures(plan, log, memory, today)

    if args.json:
        data = report_json(report)
        data["log"] = log_to_json(log)  # the progress log the figures come from
        json.dump(data, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
        return EXIT_OK
    if args.log:
        sources.setdefault(Path(os.path.realpath(args.log)), "the progress log")
    if args.collection:
        sources.setdefault(Path(os.path.realpath(args.collection)), "the Anki collection")
    stem = f"{slugify(plan.title)}-report"
    if args.html:
        out = Path(args.output) if args.output else Path.cwd() / f"{stem}.html"
        _write_outputs({out: report_html(report)}, sources, args, main=out)
        print(f"Wrote {out}")
        return EXIT_OK
    out = Path(args.output) if args.output else Path.cwd() / f"{stem}.md"
    try:
        text, charts = report_markdown(report, chart_prefix=out.stem)
    except ValueError:
        raise PlanError.at(
            args.output or str(out),
            0,
            "name the report with letters, digits, '.', '_' and '-' only (its charts are "
            "named after it)",
        ) from None
    # The charts first, so the report never links to a chart that is not there yet.
    files = {out.parent / name: svg for name, svg in charts.items()}
    files[out] = text
    _write_outputs(files, sources, args, main=out)
    print(f"Wrote {out} and {len(charts)} charts beside it")
    return EXIT_OK


def _write_outputs(
    files: dict[Path, str], sources: dict[Path, str], args: argparse.Namespace, *, main: Path
) -> None:
    """Check every output first (nothing is written if one is refused), then write each
    atomically."""
    from learnplan.base.atomic import replace_file
    from learnplan.building.outputs import CHART, HTML_REPORT, MARKDOWN_REPORT, check_output

    for path in sorted(files, key=lambda p: p != main):  # the one the learner named first
        kind = CHART if path != main else HTML_REPORT if args.html else MARKDOWN_REPORT
        shown = args.output if path == main and args.output else str(path)
        check_output(path, kind, sources=sources, force=args.force, shown=shown)
    for path, text in files.items():
        replace_file(path, text.encode("utf-8"))


def _parse_day(text: str, option: str = "--today") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PlanError.at(option, 0, f"'{text}' is not a date like 2019-06-17") from None


@contextlib.contextmanager
def _collection(path_text: str) -> Iterator[Any]:
    """An open collection, closed afterwards. Anki holding it (its lock is exclusive) is
    a failure, exit 1, before anything is read or written."""
    path = Path(path_text)
    if not path.is_file():
        raise PlanError.at(path, 0, "no such collection file")
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


def _current(col: Any, where: str) -> tuple[Plan, Any]:
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


def _read_collection(col: Any, plan: Plan) -> tuple[dict[str, Any], dt.date]:
    from learnplan.collection.memory import course_memory
    from learnplan.collection.studyday import study_today

    return dict(course_memory(col, plan)), study_today(col)


# --- import and log: progress kept in a collection


def _cmd_import(args: argparse.Namespace) -> int:
    from learnplan.collection.recordstore import adopt, read
    from learnplan.collection.update import update_collection

    plan = _load(args.plan, assign_ids=True, start=args.start)
    with _collection(args.collection) as col:
        if not args.start:
            # Updating a plan the collection follows keeps the learner's own start day.
            followed = read(col).records.plan(plan.id)
            if followed is not None:
                plan = dataclasses.replace(plan, start=followed.start)
        report = update_collection(col, plan)  # PlanError before anything is written
        adopt(col, plan)
    written = []
    if any(card.new_key for c in plan.courses for card in c.cards):
        # Ids go back into the learner's files only once the import has succeeded.
        from learnplan.reading.writeback import write_back_ids

        written = write_back_ids(plan)
    print(report.summary())
    print(f"{plan.title} is the collection's current plan, from {plan.start.isoformat()}.")
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


def _cmd_log(args: argparse.Namespace) -> int:
    from learnplan.collection.recordstore import change_log, read
    from learnplan.collection.studyday import study_today
    from learnplan.figures.compute import figures
    from learnplan.progress.log import (
        CostPaid,
        ProgressLog,
        Session,
        add_cost,
        add_session,
        mark_lesson_done,
    )
    from learnplan.progress.log import study_date as checked_day
    from learnplan.progress.log_file import reference_problem

    with _collection(args.collection) as col:
        plan, log = _current(col, args.collection)
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
            said = f"Logged {hours:g} h of {args.course} on {day.isoformat()}"
        elif args.what == "done":
            ticked = next(
                (d for d in log.lessons_done if (d.course, d.lesson) == (args.course, args.lesson)),
                None,
            )
            if ticked is not None:
                print(f"{args.course}/{args.lesson} was done on {ticked.date}; nothing changed.")
                return EXIT_OK
            said = f"Marked {args.course}/{args.lesson} done on {day.isoformat()}"
        else:
            cost = CostPaid(day, args.item, _number(args.amount, "AMOUNT"))
            said = f"Logged {_money(cost.amount, plan.currency)} for {args.item} on {day}"
        change_log(col, plan.id, change)
        now = read(col).records.log(plan.id)
        headline = figures(plan, now, None, today).headline
    print(f"{said} in {plan.title}.")
    print(headline)
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
