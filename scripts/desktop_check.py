"""Measure Anki's start-up with and without the Learning Plan add-on (run by hand).

Usage: python scripts/desktop_check.py [--runs 5]

Builds the add-on, seeds two profile bases (one with the add-on installed from the built
.ankiaddon, one without), both holding the default plan's deck, and starts real Anki
under a private Xvfb several times each, alternating. The figure is the wall time from
launching the process until the main window titled "User 1 - Anki" exists (Anki sets
that title once the profile and collection are loaded). Anki is then quit with Ctrl+Q.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# What pytest's ``pythonpath`` gives the tests: the add-on package, tests/ and scripts/.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))

import build_addon  # noqa: E402

# tests/desktop/harness.py, imported by path as the tests do (tests/ is not a package).
harness: Any = importlib.import_module("desktop.harness")


def one_run(base: Path, display: str, log: Path, env: dict[str, str] | None = None) -> float:
    run = harness.start_anki(base, display, log, env or {})
    try:
        harness.wait_for_window(display, "User 1 - Anki", timeout=90)
        elapsed = float(time.monotonic() - run.started)
        time.sleep(1.0)  # let start-up work settle before quitting
        harness.press(display, "ctrl+q")
        run.wait(timeout=60)
    finally:
        run.kill()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    reason = harness.unavailable_reason()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        package = tmp / "learning-plan.ankiaddon"
        build_addon.main(["--out", str(package)])
        bases = {}
        for mode in ("without", "with"):
            base = harness.seed_profile(tmp / mode)
            harness.import_default_plan(base, tmp)
            if mode == "with":
                harness.install_addon(package, base)
            bases[mode] = base
        times: dict[str, list[float]] = {"without": [], "with": []}
        with harness.xvfb() as display:
            # One warm-up each so both modes see warm file caches.
            for mode, base in bases.items():
                one_run(base, display, tmp / f"{mode}-warmup.log")
            for i in range(args.runs):
                for mode, base in bases.items():
                    times[mode].append(one_run(base, display, tmp / f"{mode}-{i}.log"))
            # Python's own import profiler gives the add-on's share precisely.
            profiled = tmp / "importtime.log"
            one_run(bases["with"], display, profiled, {"PYTHONPROFILEIMPORTTIME": "1"})
        addon_us = [
            int(line.split("|")[1])
            for line in profiled.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.startswith("import time:") and line.rstrip().endswith("| learning_plan")
        ]
        heavy = [
            line.split("|")[-1].strip()
            for line in profiled.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.startswith("import time:")
            and any(m in line for m in ("learnplan", "genanki", "ruamel", "learning_plan.panel"))
        ]
        print(f"add-on import at start-up (cumulative): {sum(addon_us) / 1000:.1f} ms")
        print(f"heavy modules imported at start-up: {heavy or 'none'}")
        for mode, values in times.items():
            print(
                f"{mode:>7} add-on: median {statistics.median(values):.2f} s, "
                f"min {min(values):.2f} s, max {max(values):.2f} s "
                f"({', '.join(f'{v:.2f}' for v in values)})"
            )
        diff = statistics.median(times["with"]) - statistics.median(times["without"])
        print(f"difference of medians: {diff * 1000:+.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
