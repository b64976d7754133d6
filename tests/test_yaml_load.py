"""The two YAML readers agree: what the fast one reads (libyaml, or PyYAML's pure-Python
parser as inside Anki) is exactly what the exact one (ruamel.yaml) reads — the same values
of the same kinds at the same lines — and everything else is left to the exact one.

Checked on seeded mutations of the bundled plan and of the docs example (the fuzz test's
mutations), on every form of a plain scalar the YAML 1.2 core schema knows, and on the
plain hints that replace a parser's message for the commonest mistakes.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_fuzz import MARKDOWN_LINES, TEXT_BITS, mutate_text

from learnplan.base.errors import PlanError
from learnplan.reading import yaml_fast
from learnplan.reading.outline import default_plan_path, load_plan
from learnplan.reading.yaml_exact import load_exact
from learnplan.reading.yaml_fast import NotFast, load_fast
from learnplan.reading.yaml_lines import load_lines
from learnplan.reading.yaml_load import parse_yaml
from learnplan.reading.yaml_nodes import YamlList, YamlMap

EXAMPLE = Path(__file__).resolve().parent / "fixtures" / "outline" / "example" / "plan.yaml"
SEED = 1806
CASES = 400


def located(node: Any) -> Any:
    """A document as comparable data: kinds of values (True is not 1), every line."""
    if isinstance(node, YamlMap):
        return (
            "map",
            node.line,
            [
                (
                    located(key),
                    node.key_line(key),
                    None if value is None else node.value_line(key),
                    located(value),
                )
                for key, value in node.items()
            ],
        )
    if isinstance(node, YamlList):
        return (
            "list",
            node.line,
            [(line, located(v)) for line, v in zip(node.item_lines, node, strict=True)],
        )
    for kind in (bool, int, float, str):
        if isinstance(node, kind):
            if kind is float:
                return ("float", repr(float(node)))
            return (kind.__name__, kind(node))
    assert node is None, type(node)
    return None


def exact_or_error(text: str) -> Any:
    try:
        return located(load_exact(text))
    except Exception as exc:  # any refusal is an outcome to compare with
        return ("error", type(exc).__name__)


# Block style throughout, as large plans are usually written: indentless lists, literal
# blocks, quotes, comments.
BLOCK_STYLE = """\
# A plan written in block style
plan:
  id: block   # the id
  title: 'Block: style'
  start: 2019-05-06
courses:
- id: c1
  title: "Course \\"one\\" \\\\ \\n two"
  fte: 1.5
  lessons:
  - id: l1
    title: Lesson 1
    cards:
    - id: k1
      front: What is {x}? It's 50% of [y]
      back: |
        Line one
          indented

        after a blank line
    - id: k2
      cloze: "The {{c1::answer}} is #1"
      extra: |-
        More.
  - id: l2
    title: Lesson 2
    weight: 2
  cards:
    - notes/a.md
    -   id: k3
        front: plain  # a comment
        back: x:y, a-b, -c, ?d, :e
resources:
- id: gpu
  title: GPU
  cost: 300
"""


class _BlockDumper(yaml.SafeDumper):  # type: ignore[misc]
    pass


_BlockDumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar(
        "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None
    ),
)


def _block(text: str) -> str:
    return str(
        yaml.dump(
            plain(yaml.safe_load(text)),
            Dumper=_BlockDumper,
            default_flow_style=False,
            sort_keys=False,
            allow_unicode=True,
            width=10**6,
        )
    )


def plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return str(node) if node is not None and not isinstance(node, (bool, int, float)) else node


def corpus() -> Iterator[tuple[str, str]]:
    rng = random.Random(SEED)
    flow = [default_plan_path().read_text("utf-8"), EXAMPLE.read_text("utf-8")]
    sources = [*flow, *(_block(text) for text in flow), BLOCK_STYLE]
    for source in sources:
        yield "unchanged", source
    for n in range(CASES):
        text, what = mutate_text(rng, rng.choice(sources), TEXT_BITS + MARKDOWN_LINES)
        yield f"#{n} {what}", text
    # Shapes a reader that remembers where the last key went could misread.
    yield "key after a list of text", "x:\n  d: 1\nlist:\n- a\n- id: x\n"
    yield "items after a nested list", "- id: a\n  t:\n  - x\n- id: b\n  t: [y]\n- id: c\n"
    rng_shapes = random.Random(SEED + 1)
    for n in range(SHAPES):
        yield f"shape #{n}", _block_text(rng_shapes, _tree(rng_shapes, 3), 0)
    # Quotes never closed on a long line: every reader must refuse them in linear time
    # (a backtracking pattern would not finish).
    for quote in ("'", '"', '"\\\\'):
        yield f"unclosed {quote}", f"plan:\n  title: {quote}{'a b ' * 25_000}\n"
    for value in SCALARS:
        yield f"plain {value!r}", f"plan:\n  title: {value}\n  list: [{value}, x]\n"
        yield f"key {value!r}", f"plan:\n  {value}: x\n"
        yield f"item {value!r}", f"- {value}\n- y\n"


SHAPES = 400
_KEYS = ["a", "d", "id", "t", "x", "title", "cards"]
_VALUES = ["a", "x", "d", "word two", "1", "1.5", "true", "'q: z'", '"e\\\\f"', "~", "a #c"]


def _tree(rng: random.Random, depth: int) -> Any:
    """A random mapping or list, a few levels deep, with few distinct keys (so that a
    key seen in one mapping turns up in others)."""
    if depth == 0 or rng.random() < 0.3:
        return rng.choice(_VALUES) if rng.random() < 0.85 else ["|", "line one\n  two"]
    if rng.random() < 0.5:
        keys = rng.sample(_KEYS, rng.randint(1, 3))
        return {key: _tree(rng, depth - 1) for key in keys}
    return [_tree(rng, depth - 1) for _ in range(rng.randint(1, 3))]


def _block_text(rng: random.Random, node: Any, indent: int) -> str:
    """``node`` in block style, as people write it: lists indented or not under their
    key, one or more spaces after a dash, literal blocks."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict) or (isinstance(value, list) and value[:1] != ["|"]):
                inner = indent + (0 if isinstance(value, list) and rng.random() < 0.5 else 2)
                lines.append(f"{pad}{key}:")
                lines.append(_block_text(rng, value, inner).rstrip("\n"))
            else:
                lines.append(f"{pad}{key}: {_scalar_text(value, indent)}")
    elif isinstance(node, list) and node[:1] != ["|"]:
        for item in node:
            dash = "-" + " " * rng.choice((1, 1, 3))
            if isinstance(item, dict):
                text = _block_text(rng, item, indent + len(dash)).lstrip(" ")
                lines.append(f"{pad}{dash}{text.rstrip(chr(10))}")
            elif isinstance(item, list) and item[:1] != ["|"]:
                lines.append(f"{pad}{dash.rstrip()}")
                lines.append(_block_text(rng, item, indent + 2).rstrip("\n"))
            else:
                lines.append(f"{pad}{dash}{_scalar_text(item, indent)}")
    return "\n".join(lines) + "\n"


def _scalar_text(value: Any, indent: int) -> str:
    if isinstance(value, list):  # a literal block
        body = "\n".join(" " * (indent + 2) + line for line in value[1].split("\n"))
        return f"|\n{body}"
    return str(value)


SCALARS = [
    "",
    "~",
    "null",
    "Null",
    "NULL",
    "nULL",
    "true",
    "True",
    "TRUE",
    "tRUE",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "0",
    "-0",
    "+0",
    "7",
    "+7",
    "-7",
    "007",
    "0o17",
    "0x1F",
    "0b101",
    "1_000",
    "12:30",
    "1:20:30",
    "9" * 500,
    "-" + "9" * 500,
    "1.5",
    "-1.5",
    "+1.5",
    "1.",
    ".5",
    "-.5",
    "1e5",
    "1E+5",
    "1.5e-3",
    ".5e+3",
    "1_0.5",
    "0.0",
    "-0.0",
    "01.5",
    ".inf",
    "-.Inf",
    "+.INF",
    ".nan",
    ".NaN",
    "nan",
    "inf",
    "2019-05-06",
    "2019-5-6",
    "2019-05-06 10:00:00",
    "2019-05-06T10:00:00Z",
    "2019-02-30",
    "<<",
    "=",
    "!",
    "-",
    ".",
    "+",
    "0x",
    "1e",
    "é",
    "a b",
    "a: b",
    "a #b",
    "'q'",
    '"q"',
    "[a, b]",
    "{a: b}",
]


def _events_with(loader: Any, text: str) -> Any:
    original = yaml_fast._loader_class
    yaml_fast._loader_class = lambda: loader
    try:
        return load_fast(text)
    finally:
        yaml_fast._loader_class = original


READERS: dict[str, Any] = {
    "line by line": load_lines,
    "pure-Python events": lambda text: _events_with(yaml.SafeLoader, text),
}
if hasattr(yaml, "CSafeLoader"):
    READERS["libyaml events"] = lambda text: _events_with(yaml.CSafeLoader, text)


def test_the_fast_reader_reads_what_the_exact_one_reads_or_leaves_it() -> None:
    taken: Counter[str] = Counter()
    left: Counter[str] = Counter()
    refused = 0
    mismatches = []
    for name, text in corpus():
        exact = exact_or_error(text)
        refused += isinstance(exact, tuple) and exact[0] == "error"
        for parser, read in READERS.items():
            try:
                fast = located(read(text))
            except NotFast:
                left[parser] += 1
                continue
            taken[parser] += 1
            if fast != exact:
                mismatches.append(f"{parser}, {name}: {text[:200]!r}\n  fast  {fast!r:.300}")
    assert not mismatches, "\n".join(mismatches[:10])
    # Both outcomes are reached, or the comparison proves little.
    for parser in READERS:
        assert taken[parser] > 100 and left[parser] > 150, (parser, taken, left)
    assert refused > 50


def test_libyaml_is_used_when_installed() -> None:
    # The speed of large plans depends on it (benchmarks/build.py); inside Anki the
    # add-on falls back to the pure-Python parser, checked above.
    assert yaml_fast._loader_class() is getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _error(tmp_path: Path, text: str) -> str:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(plan_file)
    return str(caught.value).replace(str(plan_file), "plan.yaml")


HEAD = "plan:\n  id: p\n  title: P\n  start: 2020-01-06\ncourses:\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "plan:\n\tid: p\n",
            "plan.yaml:2: YAML error: a tab character where YAML expects spaces: indent with "
            "spaces only, and write a tab inside a value in quotes",
        ),
        (
            HEAD + "  - id: c\n    title: Lecture 1: The geometry\n    fte: 1\n",
            "plan.yaml:7: YAML error: a ': ' inside a value: put the whole value in quotes, "
            'e.g. title: "Week 1: Basics"',
        ),
        (
            HEAD + "  - {id: c, title: Lecture 1: The geometry, fte: 1}\n",
            "plan.yaml:6: YAML error: a ': ' inside a value in {...}, or the '{' of line 6 is "
            "never closed: put such values in quotes, and close '{' with '}'",
        ),
        (
            HEAD + '  - id: c\n    title: "Lecture 1\n    fte: 1\n',
            "plan.yaml:7: YAML error: a quoted value is never closed: add the closing quote "
            "(a quote inside the value is written \\\" between double quotes, '' between "
            "single quotes)",
        ),
        (
            HEAD + "  - id: c\n    title: C\n    fte: 1\n    cards:\n"
            "      - cloze: {{c1::Paris}} is the capital\n",
            "plan.yaml:10: YAML error: a value starting with '{' or '[' is read as a YAML "
            'mapping or list: put the whole value in quotes, e.g. cloze: "{{c1::Paris}} is '
            'the capital"',
        ),
        (
            HEAD + '  - id: c\n    title: "C" and D\n    fte: 1\n',
            "plan.yaml:7: YAML error: text after a closing quote: put the whole value in quotes",
        ),
        (
            HEAD + "  - id: c\n    title: C\n   fte: 1\n",
            "plan.yaml:8: YAML error: this line's indentation does not match the lines above: "
            "indent the keys of one mapping by the same number of spaces",
        ),
        (
            HEAD + "  - id: c\n    title C\n    fte: 1\n",
            "plan.yaml:7: YAML error: no ':' after the key on this line (YAML reads it as text "
            "that the next line continues): write key: value",
        ),
        (
            HEAD + "  - id: c\n    title: C\n    fte: 1\n---\nmore: x\n",
            "plan.yaml:9: YAML error: a second YAML document ('---'): a plan is one document; "
            "remove the line",
        ),
        (
            HEAD + "  - id: c\n    title: @home\n",
            "plan.yaml:7: YAML error: a value cannot start with '@' in YAML: put the whole "
            "value in quotes",
        ),
    ],
)
def test_the_commonest_yaml_mistakes_get_a_plain_hint(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert _error(tmp_path, text) == expected


def test_a_large_outline_is_read_by_the_fast_reader() -> None:
    lines = ["courses:"]
    for n in range(2000):
        lines += [f"  - id: c{n}", f"    fte: {n / 7:.3f}", "    title: 'x: y'"]
    text = "\n".join(lines) + "\n"
    fast = located(load_fast(text))
    assert fast == located(load_exact(text))
    data = parse_yaml(text, "plan.yaml")
    assert data["courses"][1999]["fte"] == float(f"{1999 / 7:.3f}")
    assert math.isfinite(data["courses"][5]["fte"])
