"""``learnplan build`` (a plan into an ``.apkg``) and ``learnplan init`` (a new plan)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from learnplan.base.errors import PlanError
from learnplan.cli.exits import EXIT_OK
from learnplan.cli.inputs import read_plan_with_sources
from learnplan.figures import format as fmt
from learnplan.model.plan import Plan, slugify


def default_output(plan: Plan) -> Path:
    return Path.cwd() / f"{slugify(plan.title)}.apkg"


def cmd_build(args: argparse.Namespace) -> int:
    from learnplan.base.pause import paused_gc

    # One pause for the whole build: the reader, the renderer and the writer pause the
    # collector each, and on each resume it would scan everything the step made.
    with paused_gc():
        return _build(args)


def _build(args: argparse.Namespace) -> int:
    from learnplan.building.apkg import write_package
    from learnplan.building.deck import build_package
    from learnplan.building.outputs import PACKAGE, check_output
    from learnplan.reading.writeback import write_back_ids

    started = time.monotonic()
    # The build renders every card and reports maths problems itself: read it once.
    plan, sources = read_plan_with_sources(
        args.plan, assign_ids=not args.no_write, start=args.start, check_maths=False
    )
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
    fit = fmt.times(plan.overcommitment) if plan.overcommitment > 1 else "fits"
    print(
        f"  {fmt.points(plan.total_fte)} FTE points against a capacity of "
        f"{fmt.points(plan.capacity)} ({fit}), budget {fmt.money(plan.total_cost, plan.currency)}"
    )
    print(f"  {plan.weeks} weeks from {fmt.day(plan.start)}{_start_note(args)}")
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


def cmd_init(args: argparse.Namespace) -> int:
    from learnplan.reading.scaffold import scaffold_plan

    written = scaffold_plan(Path(args.directory))
    print(f"Created a new plan in {args.directory}:")
    for path in written:
        print(f"  {path}")
    plan_file = next((p for p in written if p.suffix in (".yaml", ".yml")), written[0])
    print(f"Edit it, then run: learnplan check {plan_file} && learnplan build {plan_file}")
    return EXIT_OK
