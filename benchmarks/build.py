"""Build speed and memory at 100,000 cards, for every input form, against bare genanki.

    .venv/bin/python benchmarks/build.py [--cards 100000] [--repeat 3] [--keep DIR]

Generates the same cards (a realistic mix of plain, Markdown, math, reversed and cloze
cards over 12 courses of 20 lessons) as three plans: one Markdown card file per course,
all cards inline in the outline's YAML, one CSV card file per course. Checks that the
three give the very same notes, then runs each measurement in its own subprocess, so that
peak memory (ru_maxrss) belongs to that measurement alone, best of --repeat:

- bare genanki: the same notes (the same rendered fields, guid given, the same note
  types) written with ``genanki.Package.write_to_file``; the fields are loaded before
  timing; in every run ``import genanki`` happens before the clock starts;
- learnplan, for each form, as ``learnplan build`` does it: ``load_plan`` (read and
  validate; its maths left to the renderer, ``check_maths=False``) + ``build_package``
  (render, validate, the maths included) + ``write_package``, with the garbage
  collector paused once around the three (``learnplan build`` does the same).

Target: each form within 1.0x bare genanki's wall time, peak memory <= 300 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import pickle
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

COURSES = [
    ("fastai-1", "Fastai", "Practical Deep Learning for Coders Part 1 (2019)", 1.5),
    ("fastai-2", "Fastai", "Deep Learning Part 2 (2019)", 1.5),
    ("dlai", "Deeplearning.ai", "Deep learning specialization", 0.5),
    ("kun-math", "Jeremy Kun", "A Programmer's Introduction to Mathematics (book)", 0.5),
    ("mit-1801", "MIT", "Single Variable Calculus", 0.2),
    ("mit-1802", "MIT", "18.02 Multivariable Calculus", 0.4),
    ("mit-1806", "MIT", "18.06 Linear Algebra", 0.7),
    ("mit-18065", "MIT", "18.065 Matrix Methods", 0.7),
    ("3b1b", "3Blue1Brown", "Essence of Linear Algebra & Calculus", 0.5),
    ("khan", "Khan Academy", "Linear Algebra & Calculus", 0.3),
    ("swift", "Udemy", "Swift - iOS app development", 0.3),
    ("pyds", "Udemy", "Python for data science and machine learning", 0.3),
]
LESSONS = 20
FORMS = ("markdown", "inline YAML", "CSV")
TARGET_RATIO = 1.0
TARGET_PEAK_MB = 300
WORDS = (
    "matrix",
    "vector",
    "rank",
    "basis",
    "gradient",
    "descent",
    "learning",
    "rate",
    "loss",
    "function",
    "layer",
    "network",
    "weights",
    "bias",
    "activation",
    "convolution",
    "pooling",
    "embedding",
    "eigenvalue",
    "determinant",
    "inverse",
    "transpose",
    "derivative",
    "integral",
    "limit",
    "chain",
    "rule",
    "probability",
    "variance",
    "batch",
    "epoch",
    "dropout",
    "regularisation",
    "overfitting",
    "validation",
    "training",
    "test",
    "accuracy",
    "precision",
)


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize()


@dataclass(frozen=True)
class Spec:
    """One generated card, written the same way in each form."""

    key: str
    lesson: str
    kind: str  # basic, reversed or cloze
    front: str  # one line (a cloze: the text with its deletions)
    back: str  # lines; a cloze's extra, maybe empty


def _spec(rng: random.Random, key: str, lesson: str) -> Spec:
    """A realistic mix of plain, Markdown, math, reversed and cloze cards."""
    r = rng.random()
    if r < 0.50:  # plain question and answer
        return Spec(key, lesson, "basic", f"{_sentence(rng, 8)}?", f"{_sentence(rng, 14)}.")
    if r < 0.62:  # some Markdown
        return Spec(
            key,
            lesson,
            "basic",
            f"What does `{rng.choice(WORDS)}_{rng.choice(WORDS)}()` return?",
            f"The **{rng.choice(WORDS)}** of the *{rng.choice(WORDS)}*:\n\n"
            f"- {_sentence(rng, 4)}\n- {_sentence(rng, 5)}",
        )
    if r < 0.65:  # rarer Markdown: a link and a table (these go through markdown-it)
        return Spec(
            key,
            lesson,
            "basic",
            f"See [{rng.choice(WORDS)}](https://example.org/{key}) for {_sentence(rng, 3)}",
            f"| x | f(x) |\n|---|---|\n| 1 | {rng.randint(1, 99)} |",
        )
    if r < 0.72:  # reversed
        return Spec(key, lesson, "reversed", _sentence(rng, 3), f"{_sentence(rng, 10)}.")
    if r < 0.87:  # math
        return Spec(
            key,
            lesson,
            "basic",
            f"What is $\\frac{{\\partial L}}{{\\partial w_{{{rng.randint(1, 9)}}}}}$?",
            "$$\\frac{\\partial L}{\\partial w} = \\sum_{i=1}^{n} x_i (y_i - \\hat{y}_i)$$",
        )
    # cloze, sometimes with math inside
    if rng.random() < 0.5:
        return Spec(
            key,
            lesson,
            "cloze",
            f"The derivative of $x^{rng.randint(2, 9)}$ is {{{{c1::$\\frac{{d}}{{dx}}x^n$}}}} "
            f"and {{{{c2::{rng.choice(WORDS)}}}}}.",
            f"{_sentence(rng, 6)}.",
        )
    return Spec(
        key, lesson, "cloze", f"{_sentence(rng, 5)} is {{{{c1::{rng.choice(WORDS)}}}}}.", ""
    )


def _markdown(spec: Spec) -> str:
    """The card in the Markdown card-file syntax (docs/outline.md)."""
    attrs = f"#{spec.key}" + (" .reversed" if spec.kind == "reversed" else "")
    body = f"{spec.back}\n" if spec.back else ""
    return f"## {spec.front} {{{attrs} lesson={spec.lesson}}}\n{body}"


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ,.?()-]*[A-Za-z0-9.?)]")


def _yaml_scalar(text: str, indent: str) -> str:
    """As a learner writes it: plain where YAML allows, a block for several lines,
    else in double quotes."""
    if _PLAIN.fullmatch(text):
        return text
    if "\n" in text:
        return "|-\n" + "\n".join(f"{indent}  {line}" if line else "" for line in text.split("\n"))
    return json.dumps(text, ensure_ascii=False)


def _yaml(spec: Spec) -> str:
    """The card inline in the outline's YAML, in its lesson's list of cards."""
    pad = "      "
    lines = [f"    - id: {spec.key}"]
    if spec.kind == "cloze":
        lines.append(f"{pad}cloze: {_yaml_scalar(spec.front, pad)}")
        if spec.back:
            lines.append(f"{pad}extra: {_yaml_scalar(spec.back, pad)}")
    else:
        lines.append(f"{pad}front: {_yaml_scalar(spec.front, pad)}")
        lines.append(f"{pad}back: {_yaml_scalar(spec.back, pad)}")
        if spec.kind == "reversed":
            lines.append(f"{pad}reversed: true")
    return "\n".join(lines)


CSV_COLUMNS = ("id", "lesson", "front", "back", "reversed", "cloze", "extra")


def _csv_row(spec: Spec) -> list[str]:
    if spec.kind == "cloze":
        return [spec.key, spec.lesson, "", "", "", spec.front, spec.back]
    reversed_ = "true" if spec.kind == "reversed" else ""
    return [spec.key, spec.lesson, spec.front, spec.back, reversed_, "", ""]


def generate(folder: Path, total: int, seed: int = 7) -> dict[str, Path]:
    """The same cards as three plans — Markdown card files, inline YAML, CSV card files —
    in ``folder``/<form>; returns each plan file by form."""
    rng = random.Random(seed)
    per_course = total // len(COURSES)
    extra = total - per_course * len(COURSES)
    specs: list[list[Spec]] = []
    for index, (cid, *_) in enumerate(COURSES):
        count = per_course + (1 if index < extra else 0)
        specs.append(
            [
                _spec(rng, f"{cid[:3]}{n:06d}".replace("-", "x"), f"l{1 + n * LESSONS // count}")
                for n in range(count)
            ]
        )
    plans = {}
    for form in FORMS:
        root = folder / form.replace(" ", "-").lower()
        (root / "cards").mkdir(parents=True, exist_ok=True)
        lines = [
            "plan:",
            "  id: bench",
            "  title: Benchmark Plan",
            "  start: 2019-05-06",
            "",
            "courses:",
        ]
        for (cid, provider, title, fte), cards in zip(COURSES, specs, strict=True):
            lines += [
                f"- id: {cid}",
                f"  provider: {provider}",
                f'  title: "{title}"',
                f"  fte: {fte}",
                f"  url: https://example.org/{cid}",
                "  lessons:",
            ]
            lessons = [f"  - id: l{i}\n    title: Lesson {i}" for i in range(1, LESSONS + 1)]
            if form == "markdown":
                lines += lessons
                lines.append(f"  cards: cards/{cid}.md")
                text = "\n".join(_markdown(spec) for spec in cards)
                (root / "cards" / f"{cid}.md").write_text(text, "utf-8")
            elif form == "CSV":
                lines += lessons
                lines.append(f"  cards: cards/{cid}.csv")
                with open(root / "cards" / f"{cid}.csv", "w", encoding="utf-8", newline="") as f:
                    writer = csv.writer(f)
                    writer.writerow(CSV_COLUMNS)
                    writer.writerows(_csv_row(spec) for spec in cards)
            else:  # each lesson lists its cards (the same order: cards come lesson by lesson)
                for number, lesson in enumerate(lessons, start=1):
                    lines += [lesson, "    cards:"]
                    lines += [_yaml(spec) for spec in cards if spec.lesson == f"l{number}"]
        (root / "plan.yaml").write_text("\n".join(lines) + "\n", "utf-8")
        plans[form] = root / "plan.yaml"
    return plans


# --- measurements (each runs in a fresh subprocess)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_learnplan(plan_path: str, out: str) -> dict[str, float]:
    import genanki  # noqa: F401  # imported before timing, as in (a)

    from learnplan.base.pause import paused_gc
    from learnplan.building.apkg import write_package
    from learnplan.building.deck import build_package
    from learnplan.reading.outline import load_plan

    c0, t0 = time.process_time(), time.perf_counter()
    with paused_gc():  # as learnplan build does: one pause around the three steps
        plan = load_plan(plan_path, assign_ids=False, check_maths=False)
        t1 = time.perf_counter()
        built = build_package(plan, timestamp=1_700_000_000)
        t2 = time.perf_counter()
        write_package(built, out)
        t3 = time.perf_counter()
    return {
        "load": t1 - t0,
        "build": t2 - t1,
        "write": t3 - t2,
        "total": t3 - t0,
        "cpu": time.process_time() - c0,
        "notes": built.note_count,
        "cards": built.card_count,
        "peak_mb": _peak_mb(),
    }


def dump_fields(out: str, *plan_paths: str) -> None:
    """Rendered fields for the genanki run (not timed), after checking that every form
    gives the very same notes."""
    from learnplan.building.deck import build_package
    from learnplan.reading.outline import load_plan

    dumps = []
    for plan_path in plan_paths:
        built = build_package(load_plan(plan_path, assign_ids=False), timestamp=1_700_000_000)
        rows = [(n.kind, n.fields, n.guid, n.tags, n.deck_id) for n in built.notes]
        decks = [(d.id, d.name) for d in built.decks]
        dumps.append((decks, rows))
    if any(dump != dumps[0] for dump in dumps):
        raise SystemExit("the forms do not give the same notes")
    with open(out, "wb") as f:
        pickle.dump(dumps[0], f, protocol=pickle.HIGHEST_PROTOCOL)


def measure_genanki(fields_path: str, out: str) -> dict[str, float]:
    import genanki

    from learnplan.building.notetypes import build_models

    with open(fields_path, "rb") as f:
        deck_rows, rows = pickle.load(f)
    c0, t0 = time.process_time(), time.perf_counter()
    models = build_models()
    decks = {did: genanki.Deck(did, name) for did, name in deck_rows}
    for kind, fields, guid, tags, deck_id in rows:
        decks[deck_id].add_note(genanki.Note(models[kind], list(fields), guid=guid, tags=tags))
    genanki.Package(list(decks.values())).write_to_file(out, timestamp=1_700_000_000)
    t1 = time.perf_counter()
    return {
        "total": t1 - t0,
        "cpu": time.process_time() - c0,
        "notes": len(rows),
        "peak_mb": _peak_mb(),
    }


def _run(kind: str, *args: str) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--measure", kind, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate here and keep the files")
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, *rest = args.measure
        if kind == "learnplan":
            print(json.dumps(measure_learnplan(*rest)))
        elif kind == "genanki":
            print(json.dumps(measure_genanki(*rest)))
        elif kind == "dump":
            dump_fields(*rest)
            print("{}")
        return

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        t = time.perf_counter()
        plans = generate(folder, args.cards)
        sizes = ", ".join(
            f"{form} {sum(p.stat().st_size for p in plans[form].parent.rglob('*.*')) / 1e6:.1f} MB"
            for form in FORMS
        )
        print(f"generated {args.cards} cards in {time.perf_counter() - t:.1f} s ({sizes})")
        fields = str(folder / "fields.pickle")
        _run("dump", fields, *(str(plans[form]) for form in FORMS))
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in ("genanki", *FORMS)}
        # Interleaved, so that a busy moment of the machine hits every form alike.
        for _ in range(args.repeat):
            runs["genanki"].append(_run("genanki", fields, str(folder / "genanki.apkg")))
            for form in FORMS:
                out = str(folder / f"{form}.apkg")
                runs[form].append(_run("learnplan", str(plans[form]), out))
        best = {name: min(results, key=lambda r: r["total"]) for name, results in runs.items()}
        g = best["genanki"]
        print(
            f"bare genanki, the same notes  {g['total']:6.2f} s  (cpu {g['cpu']:.2f})  peak "
            f"{g['peak_mb']:4.0f} MB  ({int(g['notes'])} notes)"
        )
        missed = []
        for form in FORMS:
            b = best[form]
            ratio = b["total"] / g["total"]
            ok = ratio <= TARGET_RATIO and b["peak_mb"] <= TARGET_PEAK_MB
            missed += [] if ok else [form]
            print(
                f"learnplan, {form:<18}  {b['total']:6.2f} s  (cpu {b['cpu']:.2f})  peak "
                f"{b['peak_mb']:4.0f} MB  "
                f"{ratio:.2f}x  (read {b['load']:.2f} + render/validate {b['build']:.2f} + "
                f"write {b['write']:.2f}; {int(b['notes'])} notes, {int(b['cards'])} cards)"
                f"  {'OK' if ok else 'MISSED'}"
            )
        print(
            f"best of {args.repeat}; target: each form <= {TARGET_RATIO}x bare genanki, peak <= "
            f"{TARGET_PEAK_MB} MB" + (f"; missed: {', '.join(missed)}" if missed else "")
        )


if __name__ == "__main__":
    main()
