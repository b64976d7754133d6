"""``learnplan build | check | init | report | import | log``.

Exit status: 0 ok, 1 failure (I/O, environment, a collection Anki holds open), 2 bad
input (``path:line: message``). This module reads the command line and turns every
error into its message and exit status; each command lives in its own module:
:mod:`~learnplan.cli.build` (build, init), :mod:`~learnplan.cli.check`,
:mod:`~learnplan.cli.report` and :mod:`~learnplan.cli.collection` (import, log).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from learnplan._version import __version__
from learnplan.base.errors import PlanError, Problem
from learnplan.cli.build import cmd_build, cmd_init
from learnplan.cli.check import cmd_check
from learnplan.cli.collection import cmd_import, cmd_log
from learnplan.cli.exits import EXIT_BAD_INPUT, EXIT_FAILURE, CollectionUnavailable, MissingAnki
from learnplan.cli.report import cmd_report

__all__ = ["in_file_order", "main"]

_FORCE_HELP = (
    "replace an existing output file that learnplan did not write "
    "(the plan's own files are never replaced)"
)

_START_HELP = (
    "the plan starts on this day (YYYY-MM-DD; default: the plan's own start, or for the "
    "bundled plan the coming Monday; --start 2019-05-06 is its original)"
)


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
    build.set_defaults(func=cmd_build)

    check = sub.add_parser("check", help="validate a plan and show its courses and totals")
    check.add_argument("plan", nargs="?", help="plan YAML file (default: the bundled plan)")
    check.add_argument("--start", help=_START_HELP)
    check.set_defaults(func=cmd_check)

    init = sub.add_parser("init", help="scaffold a new plan to edit")
    init.add_argument("directory", help="folder to create the plan in")
    init.set_defaults(func=cmd_init)

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
    report.set_defaults(func=cmd_report)

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
    imp.set_defaults(func=cmd_import)

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
        command.set_defaults(func=cmd_log)
    return parser
