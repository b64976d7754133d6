"""The fast table path gives markdown-it's exact HTML whenever it answers, and answers
for the plain tables cards usually hold."""

from __future__ import annotations

import random

from markdown_it import MarkdownIt

from learnplan.cards.fast_tables import fast_table
from learnplan.cards.markdown import _fast_inline
from learnplan.cards.render import render_card_text

MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])

CELLS = [
    "",
    "x",
    "f(x)",
    "1",
    "42",
    "a b",
    "**bold**",
    "*em*",
    "[link](https://example.org/a)",
    "`code`",
    "a | b",
    "\\|",
    "<b>x</b>",
    "&amp;",
    "$x^2$",
    " ",
    "  x  ",
    "\t",
    "-",
    ":",
    "é",
    "*",
    "_a_",
    "~~s~~",
]
DELIMITERS = ["---", "-", " --- ", ":---", "---:", ":-:", "", "--", "- -"]


PLAIN = CELLS[:10]


def _row(rng: random.Random, cells: int) -> str:
    pool = PLAIN if rng.random() < 0.6 else CELLS

    def choose() -> str:
        return rng.choice(pool)

    row = "|" + "|".join(f" {choose()} " for _ in range(cells)) + "|"
    return row if rng.random() < 0.9 else row.strip("|")


def _table(rng: random.Random) -> str:
    columns = rng.randint(1, 4)
    lines = [_row(rng, columns)]
    delimiter_cells = columns if rng.random() < 0.9 else rng.randint(1, 5)
    delimiters = DELIMITERS if rng.random() < 0.3 else DELIMITERS[:3]
    lines.append("|" + "|".join(rng.choice(delimiters) for _ in range(delimiter_cells)) + "|")
    lines += [_row(rng, rng.randint(0, 5)) for _ in range(rng.randint(0, 4))]
    if rng.random() < 0.1:
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(["", "text", "  | a |"]))
    return "\n".join(lines)


def test_fast_tables_agree_with_markdown_it_on_random_tables() -> None:
    rng = random.Random(1806)
    answered = 0
    for _ in range(3000):
        text = _table(rng)
        fast = fast_table(text, _fast_inline)
        if fast is not None:
            answered += 1
            assert fast == MD.render(text), text
    assert 300 < answered < 2700  # both outcomes are reached


def test_a_plain_table_renders_as_markdown_it_renders_it() -> None:
    text = "| x | f(x) |\n|---|---|\n| 1 | **42** |\n| 2 |"
    assert fast_table(text, _fast_inline) is not None
    assert render_card_text(text, allow_html=False, base_dir=None, source=None).html == (
        MD.render(text).rstrip("\n")
    )
