"""Build speed and memory at 100,000 cards: bare genanki vs the whole learnplan build.

    .venv/bin/python benchmarks/build.py [--cards 100000] [--keep DIR]

Generates an outline (plan.yaml + one Markdown card file per course; a realistic mix of
plain, Markdown, math, reversed and cloze cards), then runs each measurement in its own
subprocess so peak memory (ru_maxrss) belongs to that measurement alone:

(a) bare genanki: the same notes (same rendered fields, guid given, same note types)
    written with ``genanki.Package.write_to_file``; the fields are loaded before timing;
    in both runs ``import genanki`` happens before the clock starts;
(b) learnplan: ``load_plan`` + ``build_package`` (render, validate) + ``write_package``.

Target: (b) <= 1.5 x (a) wall time, and peak memory < 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import resource
import subprocess
import sys
import tempfile
import time
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


def _card(rng: random.Random, key: str) -> str:
    """One card in the Markdown card-file syntax (docs/outline.md)."""
    r = rng.random()
    if r < 0.50:  # plain question and answer
        return f"## {_sentence(rng, 8)}? {{#{key}}}\n{_sentence(rng, 14)}.\n"
    if r < 0.62:  # some Markdown
        return (
            f"## What does `{rng.choice(WORDS)}_{rng.choice(WORDS)}()` return? {{#{key}}}\n"
            f"The **{rng.choice(WORDS)}** of the *{rng.choice(WORDS)}*:\n\n"
            f"- {_sentence(rng, 4)}\n- {_sentence(rng, 5)}\n"
        )
    if r < 0.65:  # rarer Markdown: a link and a table (these go through markdown-it)
        return (
            f"## See [{rng.choice(WORDS)}](https://example.org/{key}) for {_sentence(rng, 3)} "
            f"{{#{key}}}\n| x | f(x) |\n|---|---|\n| 1 | {rng.randint(1, 99)} |\n"
        )
    if r < 0.72:  # reversed
        return f"## {_sentence(rng, 3)} {{#{key} .reversed}}\n{_sentence(rng, 10)}.\n"
    if r < 0.87:  # math
        return (
            f"## What is $\\frac{{\\partial L}}{{\\partial w_{{{rng.randint(1, 9)}}}}}$? "
            f"{{#{key}}}\n"
            f"$$\\frac{{\\partial L}}{{\\partial w}} = \\sum_{{i=1}}^{{n}} x_i (y_i - "
            f"\\hat{{y}}_i)$$\n"
        )
    # cloze, sometimes with math inside
    if rng.random() < 0.5:
        return (
            f"## The derivative of $x^{rng.randint(2, 9)}$ is {{{{c1::$\\frac{{d}}{{dx}}x^n$}}}} "
            f"and {{{{c2::{rng.choice(WORDS)}}}}}. {{#{key}}}\n{_sentence(rng, 6)}.\n"
        )
    return f"## {_sentence(rng, 5)} is {{{{c1::{rng.choice(WORDS)}}}}}. {{#{key}}}\n"


def generate(folder: Path, total: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    (folder / "cards").mkdir(parents=True, exist_ok=True)
    per_course = total // len(COURSES)
    extra = total - per_course * len(COURSES)
    lines = [
        "plan:",
        "  id: bench",
        "  title: Benchmark Plan",
        "  start: 2019-05-06",
        "",
        "courses:",
    ]
    for index, (cid, provider, title, fte) in enumerate(COURSES):
        count = per_course + (1 if index < extra else 0)
        lines += [
            f"  - id: {cid}",
            f"    provider: {provider}",
            f'    title: "{title}"',
            f"    fte: {fte}",
            f"    url: https://example.org/{cid}",
            f"    cards: cards/{cid}.md",
            "    lessons:",
        ]
        lines += [f"      - id: l{i}\n        title: Lesson {i}" for i in range(1, LESSONS + 1)]
        # Lessons as front matter of chunks is not possible in one file, so each card
        # names its lesson in its heading attributes: the outline's own syntax.
        chunks = []
        for n in range(count):
            key = f"{cid[:3]}{n:06d}".replace("-", "x")
            card = _card(rng, key)
            lesson = 1 + n * LESSONS // max(count, 1)
            card = card.replace(f"{{#{key}", f"{{#{key} lesson=l{lesson}", 1)
            chunks.append(card)
        (folder / "cards" / f"{cid}.md").write_text("\n".join(chunks), "utf-8")
    (folder / "plan.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    return folder / "plan.yaml"


# --- measurements (each runs in a fresh subprocess)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_learnplan(plan_path: str, out: str) -> dict[str, float]:
    import genanki  # noqa: F401  # imported before timing, as in (a)

    from learnplan.building.deck import build_package, write_package
    from learnplan.reading.outline import load_plan

    t0 = time.perf_counter()
    plan = load_plan(plan_path, assign_ids=False)
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
        "notes": built.note_count,
        "cards": built.card_count,
        "peak_mb": _peak_mb(),
    }


def dump_fields(plan_path: str, out: str) -> None:
    """Rendered fields for the genanki run (not timed)."""
    from learnplan.building.deck import build_package
    from learnplan.reading.outline import load_plan

    built = build_package(load_plan(plan_path, assign_ids=False), timestamp=1_700_000_000)
    rows = [(n.kind, n.fields, n.guid, n.tags, n.deck_id) for n in built.notes]
    decks = [(d.id, d.name) for d in built.decks]
    with open(out, "wb") as f:
        pickle.dump((decks, rows), f, protocol=pickle.HIGHEST_PROTOCOL)


def measure_genanki(fields_path: str, out: str) -> dict[str, float]:
    import genanki

    from learnplan.building.notetypes import build_models

    with open(fields_path, "rb") as f:
        deck_rows, rows = pickle.load(f)
    t0 = time.perf_counter()
    models = build_models()
    decks = {did: genanki.Deck(did, name) for did, name in deck_rows}
    for kind, fields, guid, tags, deck_id in rows:
        decks[deck_id].add_note(genanki.Note(models[kind], list(fields), guid=guid, tags=tags))
    genanki.Package(list(decks.values())).write_to_file(out, timestamp=1_700_000_000)
    t1 = time.perf_counter()
    return {"total": t1 - t0, "notes": len(rows), "peak_mb": _peak_mb()}


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
        plan_path = generate(folder / "outline", args.cards)
        print(f"generated {args.cards} cards in {time.perf_counter() - t:.1f} s: {plan_path}")
        fields = str(folder / "fields.pickle")
        _run("dump", str(plan_path), fields)
        gen: list[dict[str, float]] = []
        lp: list[dict[str, float]] = []
        for _ in range(args.repeat):
            gen.append(_run("genanki", fields, str(folder / "genanki.apkg")))
            lp.append(_run("learnplan", str(plan_path), str(folder / "learnplan.apkg")))
        g = min(gen, key=lambda r: r["total"])
        best = min(lp, key=lambda r: r["total"])
        print(
            f"(a) bare genanki   : {g['total']:.2f} s  peak {g['peak_mb']:.0f} MB  "
            f"({int(g['notes'])} notes)"
        )
        print(
            f"(b) learnplan build: {best['total']:.2f} s  peak {best['peak_mb']:.0f} MB  "
            f"(load {best['load']:.2f} + render/validate {best['build']:.2f} + "
            f"write {best['write']:.2f}; {int(best['notes'])} notes, {int(best['cards'])} cards)"
        )
        ratio = best["total"] / g["total"]
        ok = ratio <= 1.5 and best["peak_mb"] < 500
        print(
            f"ratio (b)/(a): {ratio:.2f}  (best of {args.repeat}; target <= 1.5, peak < 500 MB)"
            f"  {'OK' if ok else 'MISSED'}"
        )
        print(
            f"package sizes: genanki {os.path.getsize(folder / 'genanki.apkg') / 1e6:.1f} MB, "
            f"learnplan {os.path.getsize(folder / 'learnplan.apkg') / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
