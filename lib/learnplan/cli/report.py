"""``learnplan report``: the figures of a plan as JSON, Markdown with SVG charts, or one
HTML file; from a plan and a progress log file, or from a collection's own records."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import os
import sys
from pathlib import Path

from learnplan.base.errors import PlanError
from learnplan.cli.collection import current_plan, open_collection, read_memory
from learnplan.cli.exits import EXIT_OK
from learnplan.cli.inputs import parse_day, read_plan_with_sources
from learnplan.model.plan import slugify


def cmd_report(args: argparse.Namespace) -> int:
    from learnplan.figures.compute import figures
    from learnplan.progress.log import ProgressLog
    from learnplan.progress.log_file import load_log
    from learnplan.render.report import report_json
    from learnplan.render.report_html import report_html
    from learnplan.render.report_md import report_markdown

    today = parse_day(args.today) if args.today else dt.date.today()
    memory = None
    with contextlib.ExitStack() as stack:
        col = stack.enter_context(open_collection(args.collection)) if args.collection else None
        if args.plan is None and col is not None:
            # No PLAN: the collection's current plan with the progress recorded in it.
            if args.log:
                raise PlanError.at(
                    "--log",
                    0,
                    "give the PLAN with --log; without one the report uses "
                    "the collection's own records",
                )
            plan, log = current_plan(col, args.collection)
            if args.start:
                plan = dataclasses.replace(plan, start=parse_day(args.start, "--start"))
            sources: dict[Path, str] = {}
        else:
            plan, sources = read_plan_with_sources(args.plan, assign_ids=True, start=args.start)
            # Checked against the plan: an entry it cannot count is an error at its line.
            log = load_log(args.log, plan=plan) if args.log else ProgressLog(plan_id=plan.id)
        if col is not None:
            memory, today_anki = read_memory(col, plan)
            if not args.today:
                today = today_anki
    # The log's plan revisions are applied day by day; Anki's review time counts as spent.
    report = figures(plan, log, memory, today)

    if args.json:
        json.dump(report_json(report), sys.stdout, indent=2)
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
