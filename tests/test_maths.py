"""Maths in cards, rendered by Anki itself: every form renders as written or is an error.

Each card is built into a package, imported into a real collection, and shown with
``card.question()`` / ``card.answer()``. What MathJax would read is the rendered HTML's
text: every ``\\(``/``\\[`` must be closed, the braces of each span must balance, no ``$``
may be left over, and the cloze must hide (front) and show (back) exactly its part.
"""

from __future__ import annotations

import datetime as dt
import html
import html.parser
import re
from pathlib import Path
from typing import Any

import pytest

from learnplan.base.errors import PlanError
from learnplan.cards.maths import extract_maths, maths_problems
from learnplan.cards.render import render_card_text
from learnplan.model.plan import Card, Course, Plan

# (card text, per card ordinal: (maths on the front, maths on the back)). "[...]" is what
# Anki shows for the hidden part; maths whose whole span is hidden is not on the front.
RENDERS: list[tuple[str, dict[int, tuple[list[str], list[str]]]]] = [
    # maths inside a cloze, written with no space before the closing $
    (
        r"$(AB)^T =$ {{c1::$B^T A^T$}}",
        {0: (["(AB)^T ="], ["(AB)^T =", "B^T A^T"])},
    ),
    (r"$x =$ {{c1::$3$}}", {0: (["x ="], ["x =", "3"])}),
    # a cloze inside maths, its text ending in the braces of TeX
    (
        r"$(A^{-1})^T = {{c1::(A^T)^{-1}}}$",
        {0: (["(A^{-1})^T = [...]"], ["(A^{-1})^T = (A^T)^{-1}"])},
    ),
    # "::" of TeX inside maths inside a cloze is not Anki's hint separator
    (r"Ratio {{c1::$a::b$}}", {0: ([], ["a::b"])}),
    # "}}" of TeX inside maths inside a cloze does not end the cloze
    (
        r"{{c1::$\frac{a}{b_{1}}$}} and $\frac{c}{d_{2}}$",
        {0: ([r"\frac{c}{d_{2}}"], [r"\frac{a}{b_{1}}", r"\frac{c}{d_{2}}"])},
    ),
    # display maths, with a cloze inside and around
    (
        r"$$\sum_{i} {{c1::x_{i}}}$$",
        {0: ([r"\sum_{i} [...]"], [r"\sum_{i} x_{i}"])},
    ),
    (
        r"Area: {{c1::$$\int_0^1 x\,dx = \frac{1}{2}$$}}",
        {0: ([], [r"\int_0^1 x\,dx = \frac{1}{2}"])},
    ),
    # a hint inside maths
    (r"$x = {{c1::3::a number}}$", {0: (["x = [a number]"], ["x = 3"])}),
    # two clozes in one formula: each card hides its own
    (
        r"$a = {{c1::b}} + {{c2::c_{d}}}$",
        {
            0: (["a = [...] + c_{d}"], ["a = b + c_{d}"]),
            1: (["a = b + [...]"], ["a = b + c_{d}"]),
        },
    ),
    # the delimiters Anki uses itself, written by the learner
    (
        r"\(x_{1}\) and {{c1::\[y^{2}\]}}",
        {0: (["x_{1}"], ["x_{1}", "y^{2}"])},
    ),
    # maths and a cloze side by side with Markdown
    (
        r"**Bold** $a_1 * b_1$ is {{c1::$\det(A)$::a number}}",
        {0: (["a_1 * b_1"], ["a_1 * b_1", r"\det(A)"])},
    ),
]

# (card text, the start of the message)
ERRORS: list[tuple[str, str]] = [
    (r"$(AB)^T = $ {{c1::$B^T A^T$}}", "maths `$(AB)^T = $ {{c1::$`: a '$' after a space"),
    (r"$x = $ {{c1::$3$}}", "maths `$x = $ {{c1::$3$`: a '$' after a space"),
    (r"Costs $5 and $x$", "maths `$5 and $x$`: '$5' looks like money"),
    (r"$\frac{a}{b$ {{c1::x}}", r"maths `$\frac{a}{b$`: a '{' is never closed"),
    (r"$a}$ {{c1::x}}", "maths `$a}$`: a '}' closes no '{'"),
    (r"$x {{c1::y$}}", "maths `$x {{c1::y$`: a cloze '{{c…::' that starts inside maths"),
    (r"{{c1::$x}}$", "maths `$x}}$`: it starts inside a cloze and goes on past"),
    (r"{{c1::a}} $$x", "maths `$$x`: '$$' opens display maths that is never closed"),
    (r"{{c1::\(\frac{1}{2\)}}", r"maths `\(\frac{1}{2\)`: a '{' is never closed"),
]


class _Text(html.parser.HTMLParser):
    """The text of rendered HTML, as the browser gives it to MathJax (no style, no tags)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._style = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._style += tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style -= tag == "style"

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.parts.append(data)


def visible_text(rendered: str) -> str:
    parser = _Text()
    parser.feed(rendered)
    parser.close()
    return "".join(parser.parts)


def balanced(tex: str) -> bool:
    depth = 0
    for brace in re.sub(r"\\.|[^{}]", "", tex):
        depth += 1 if brace == "{" else -1
        if depth < 0:
            return False
    return depth == 0


def mathjax_spans(rendered: str) -> list[str]:
    """The maths MathJax finds in a rendered side, checked: every delimiter closed, no
    ``$`` or closer left in the text, each span's braces balanced."""
    text = visible_text(rendered)
    spans: list[str] = []
    outside: list[str] = []
    i = 0
    while True:
        found = re.compile(r"\\[(\[]").search(text, i)
        if found is None:
            outside.append(text[i:])
            break
        closer = "\\)" if found.group() == "\\(" else "\\]"
        end = text.find(closer, found.end())
        assert end >= 0, f"unclosed {found.group()} in {text!r}"
        outside.append(text[i : found.start()])
        span = text[found.end() : end]
        assert balanced(span), f"unbalanced braces in {span!r}"
        assert "{{c" not in span, f"cloze markup left in {span!r}"
        spans.append(span)
        i = end + 2
    rest = "".join(outside)
    assert "$" not in rest and "\\)" not in rest and "\\]" not in rest, rest
    assert "{{c" not in rest, rest
    return spans


def _same_tex(got: str) -> str:
    # The only change to the learner's TeX is a space between "}" and "}" (TeX ignores it).
    return re.sub(r"\}\s+(?=\})", "}", " ".join(got.split()))


def _plan(texts: list[str]) -> Plan:
    cards = tuple(Card(f"m{i}", "cloze", text, "", None) for i, text in enumerate(texts))
    course = Course(id="la", provider="MIT", title="Linear Algebra", fte=1.0, cards=cards)
    return Plan(id="maths", title="Maths", start=dt.date(2026, 1, 5), courses=(course,))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[int, tuple[str, str]]]:
    """Per card text, per ordinal: (question, answer) as Anki renders them."""
    pytest.importorskip("anki")
    from anki.collection import Collection
    from helpers_anki import db

    from learnplan.base.ids import note_guid
    from learnplan.building.apkg import write_package
    from learnplan.building.deck import build_package
    from learnplan.collection.importer import import_package

    folder = tmp_path_factory.mktemp("maths")
    texts = [text for text, _ in RENDERS]
    package = write_package(build_package(_plan(texts)), folder / "maths.apkg")
    col = Collection(str(folder / "collection.anki2"))
    try:
        import_package(col, package, plain=True)
        out: dict[str, dict[int, tuple[str, str]]] = {}
        for i, text in enumerate(texts):
            guid = note_guid("maths", "la", f"m{i}")
            nid = db(col).scalar("select id from notes where guid = ?", guid)
            note = col.get_note(nid)
            out[text] = {card.ord: (card.question(), card.answer()) for card in note.cards()}
        return out
    finally:
        col.close()


@pytest.mark.parametrize(("text", "expected"), RENDERS, ids=[t for t, _ in RENDERS])
def test_maths_renders_in_anki_as_written(
    rendered: dict[str, dict[int, tuple[str, str]]],
    text: str,
    expected: dict[int, tuple[list[str], list[str]]],
) -> None:
    cards = rendered[text]
    assert sorted(cards) == sorted(expected), "Anki made other cards than the clozes say"
    for ord_, (front, back) in expected.items():
        question, answer = cards[ord_]
        assert [_same_tex(s) for s in mathjax_spans(question)] == front, question
        assert [_same_tex(s) for s in mathjax_spans(answer)] == back, answer
        if not any("[" in s for s in front):
            # The hidden part is not in maths: Anki shows "[...]" (or "[hint]") for it.
            assert re.search(r"\[[^\]]+\]", visible_text(question)), question


@pytest.mark.parametrize(("text", "message"), ERRORS, ids=[t for t, _ in ERRORS])
def test_maths_that_would_break_is_an_error_saying_why(text: str, message: str) -> None:
    problems = maths_problems(text)
    assert len(problems) == 1 and problems[0].startswith(message), problems
    with pytest.raises(PlanError) as info:
        render_card_text(text, allow_html=False, base_dir=None, source=None)
    assert info.value.problems[0].message.startswith(message)


def test_maths_errors_point_at_the_card_in_the_outline(tmp_path: Path) -> None:
    from learnplan.reading.outline import load_plan

    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "la.md").write_text(
        "# Cards\n\n## Fine $x$ {{c1::y}} {#ok}\n\n## $(AB)^T = $ {{c1::$B^T A^T$}} {#bad}\n\n"
        "## Also bad {#bad2}\n$\\frac{a}{b$\n",
        encoding="utf-8",
    )
    (tmp_path / "plan.yaml").write_text(
        "plan: {id: p, title: P, start: 2026-01-05}\n"
        "courses:\n"
        "  - id: la\n    provider: MIT\n    title: LA\n    fte: 1\n    cards: notes/la.md\n"
        "  - id: c2\n    provider: X\n    title: Y\n    fte: 1\n    cards:\n"
        "      - {id: y1, cloze: 'x {{c1::$a}}$'}\n",
        encoding="utf-8",
    )
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path / "plan.yaml")
    lines = str(info.value).splitlines()
    md = tmp_path / "notes" / "la.md"
    assert lines[0].startswith(f"{md}:5: card cloze text: maths `$(AB)^T = $ {{{{c1::$`")
    assert lines[1].startswith(f"{md}:7: card back: maths `$\\frac{{a}}{{b$`: a '{{' is never")
    assert lines[2].startswith(f"{tmp_path / 'plan.yaml'}:13: card cloze text: maths `$a}}}}$`")
    assert len(lines) == 3


def test_text_without_maths_is_untouched() -> None:
    for text in ("Plain {{c1::text}} here", "costs $5 and $6", r"\$x\$", "`$x$` code"):
        assert not maths_problems(text)
    assert extract_maths("no maths at all").text == "no maths at all"


def test_escaping_inside_maths_is_for_html_only() -> None:
    out = render_card_text(
        r'{{c1::$a<b & c>"d"::e$}}', allow_html=False, base_dir=None, source=None
    ).html
    assert out == r"{{c1::\(a&lt;b &amp; c&gt;&quot;d&quot;:<span></span>:e\)}}"


def test_the_quick_brace_scan_agrees_with_the_exact_one() -> None:
    """maths._braces takes a C-level pass for ordinary TeX; on any text (escaped braces,
    a trailing backslash, non-ASCII) it must give what the exact scan gives."""
    import random

    from learnplan.cards import maths

    rng = random.Random(20_190_506)
    alphabet = ["a", "{", "}", "\\", " ", "$", "^", "α", "\\{", "\\}", "\\\\"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert maths._braces(text) == maths._NOT_BRACE_RE.sub("", text), text
