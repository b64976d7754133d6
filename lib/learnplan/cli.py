"""``learnplan build | check | init | report``.

Exit status: 0 ok, 1 failure (I/O, environment), 2 bad input (``path:line: message``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .errors import PlanError
from .plan import Plan, slugify

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
_FORCE_HELP = (
    "replace an existing output file that learnplan did not write "
    "(the plan's own files are never replaced)"
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
        return result
    except PlanError as exc:
        print(str(exc), file=sys.stderr)
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
    build.add_argument("--force", action="store_true", help=_FORCE_HELP)
    build.set_defaults(func=_cmd_build)

    check = sub.add_parser("check", help="validate a plan and show its courses and totals")
    check.add_argument("plan", nargs="?", help="plan YAML file (default: the bundled plan)")
    check.set_defaults(func=_cmd_check)

    init = sub.add_parser("init", help="scaffold a new plan to edit")
    init.add_argument("directory", help="folder to create the plan in")
    init.set_defaults(func=_cmd_init)

    report = sub.add_parser("report", help="write a shareable progress report")
    report.add_argument("plan", nargs="?", help="plan YAML file (default: the bundled plan)")
    report.add_argument("--log", help="progress log JSON (default: an empty log)")
    report.add_argument("--collection", help="an Anki collection.anki2 for memory numbers")
    report.add_argument("--today", help="report as of this date (YYYY-MM-DD; default: today)")
    fmt = report.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print the figures as JSON")
    fmt.add_argument("--html", action="store_true", help="write one self-contained HTML file")
    report.add_argument("-o", "--output", help="output file (default: ./<plan>-report.md|.html)")
    report.add_argument("--force", action="store_true", help=_FORCE_HELP)
    report.set_defaults(func=_cmd_report)
    return parser


# --- build


def _load(path: str | None, *, assign_ids: bool = True) -> Plan:
    return _load_with_sources(path, assign_ids=assign_ids)[0]


def _load_with_sources(
    path: str | None, *, assign_ids: bool = True
) -> tuple[Plan, dict[Path, str]]:
    from .outline import default_plan_path, load_plan_and_sources

    return load_plan_and_sources(Path(path) if path else default_plan_path(), assign_ids=assign_ids)


def default_output(plan: Plan) -> Path:
    return Path.cwd() / f"{slugify(plan.title)}.apkg"


def _cmd_build(args: argparse.Namespace) -> int:
    from .deck import build_package, write_package
    from .outputs import PACKAGE, check_output
    from .writeback import write_back_ids

    started = time.monotonic()
    plan, sources = _load_with_sources(args.plan, assign_ids=not args.no_write)
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
    print(
        f"  {plan.total_fte:g} FTE points against a capacity of {plan.capacity:.1f} "
        f"({plan.overcommitment:.2f}x), budget {_money(plan.total_cost, plan.currency)}"
    )
    if changed:
        print(f"  assigned {new_ids} new card ids, written back to:")
        for path in changed:
            print(f"    {path}")
    print("Import it in Anki with File > Import (or the Learning Plan add-on's update).")
    return EXIT_OK


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
    plan = _load(args.plan, assign_ids=True)
    print(format_check(plan))
    missing = sum(1 for c in plan.courses for card in c.cards if card.new_key)
    if missing:
        print(f"\n{missing} cards have no id yet; `learnplan build` will assign and write them.")
    return EXIT_OK


def format_check(plan: Plan) -> str:
    headers = ("Provider", "Course", "FTE", "Cost", "Lessons", "Cards")
    rows: list[tuple[str, ...]] = [
        (
            c.provider,
            c.title,
            f"{c.fte:g}",
            _money(c.cost, plan.currency) if c.cost else "",
            str(len(c.lessons)),
            str(len(c.cards)),
        )
        for c in plan.courses
    ]
    rows += [
        (r.provider, r.title, "", _money(r.cost, plan.currency), "", "") for r in plan.resources
    ]
    total_lessons = sum(len(c.lessons) for c in plan.courses)
    total_cards = sum(len(c.cards) for c in plan.courses)
    footer = (
        "",
        "Total",
        f"{plan.total_fte:g}",
        _money(plan.total_cost, plan.currency),
        str(total_lessons),
        str(total_cards),
    )
    title_width = min(60, max(len(headers[1]), *(len(r[1]) for r in rows)) if rows else 10)
    widths = [max(len(h), *(len(r[i]) for r in [*rows, footer])) for i, h in enumerate(headers)]
    widths[1] = title_width

    def line(cells: tuple[str, ...]) -> str:
        out = []
        for i, cell in enumerate(cells):
            if i == 1 and len(cell) > title_width:
                cell = cell[: title_width - 1] + "…"
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
        "",
        f"Capacity: {plan.capacity:.1f} points ({plan.weeks} weeks × {plan.hours_per_week:g} h "
        f"/ {plan.hours_per_point:g} h per point)",
        f"Overcommitment: {plan.overcommitment:.2f}x",
    ]
    if plan.overcommitment > 1:
        from .progress import suggest_trim

        trim = suggest_trim(plan)
        lines.append(
            f"The plan is {plan.total_fte - plan.capacity:g} points over capacity. "
            "A proportional trim that fits:"
        )
        for course in plan.courses:
            if course.id in trim:
                lines.append(f"  {course.title[:50]:<50}  {course.fte:g} -> {trim[course.id]:.2f}")
    return "\n".join(lines)


def _money(amount: float, currency: str) -> str:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£", "NZD": "NZ$", "AUD": "A$"}.get(currency)
    text = f"{amount:,.2f}".removesuffix(".00")
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


# --- init


def _cmd_init(args: argparse.Namespace) -> int:
    from .scaffold import scaffold_plan

    written = scaffold_plan(Path(args.directory))
    print(f"Created a new plan in {args.directory}:")
    for path in written:
        print(f"  {path}")
    plan_file = next((p for p in written if p.suffix in (".yaml", ".yml")), written[0])
    print(f"Edit it, then run: learnplan check {plan_file} && learnplan build {plan_file}")
    return EXIT_OK


# --- report


def _cmd_report(args: argparse.Namespace) -> int:
    from .log import ProgressLog, load_log
    from .progress import seconds_by_week, snapshot
    from .report import Report, report_html, report_json, report_markdown

    plan, sources = _load_with_sources(args.plan, assign_ids=True)
    log = load_log(Path(args.log)) if args.log else ProgressLog(plan_id=plan.id)
    if log.plan_id != plan.id:
        raise PlanError.at(args.log, 0, f"this log is for plan '{log.plan_id}', not '{plan.id}'")
    today = _parse_day(args.today) if args.today else dt.date.today()
    memory = None
    by_week = None
    anki_seconds = None
    if args.collection:
        memory, today_anki = _read_collection(Path(args.collection), plan)
        if not args.today:
            today = today_anki
        by_week = seconds_by_week(plan, {cid: m.seconds_by_day for cid, m in memory.items()})
        anki_seconds = {cid: m.review_seconds for cid, m in memory.items()}
    # snapshot() applies the log's plan revisions itself, day by day.
    snap = snapshot(plan, log, today=today, anki_seconds=anki_seconds, anki_seconds_by_week=by_week)
    report = Report(plan=plan, snapshot=snap, memory=memory)

    if args.json:
        json.dump(report_json(report), sys.stdout, indent=2, default=str)
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
    from .atomic import replace_file
    from .outputs import CHART, HTML_REPORT, MARKDOWN_REPORT, check_output

    for path in sorted(files, key=lambda p: p != main):  # the one the learner named first
        kind = CHART if path != main else HTML_REPORT if args.html else MARKDOWN_REPORT
        shown = args.output if path == main and args.output else str(path)
        check_output(path, kind, sources=sources, force=args.force, shown=shown)
    for path, text in files.items():
        replace_file(path, text.encode("utf-8"))


def _parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PlanError.at("--today", 0, f"'{text}' is not a date like 2019-06-17") from None


def _read_collection(path: Path, plan: Plan) -> tuple[dict[str, Any], dt.date]:
    if not path.is_file():
        raise PlanError.at(path, 0, "no such collection file")
    try:
        from anki.collection import Collection
    except ImportError:
        raise PlanError.at(
            path, 0, "reading a collection needs the 'anki' package: pip install anki"
        ) from None
    from .memory import course_memory
    from .progress import study_day

    col = Collection(str(path))
    try:
        memory = course_memory(col, plan)
        cutoff = dt.datetime.fromtimestamp(col.sched.day_cutoff)
        today = study_day(cutoff - dt.timedelta(seconds=1), cutoff_hour=cutoff.hour)
    finally:
        col.close(downgrade=False)
    return dict(memory), today


if __name__ == "__main__":
    raise SystemExit(main())
