"""The Markdown card-file splitter and the helpers shared by the readers."""

from __future__ import annotations

from pathlib import Path

import pytest

from learnplan.base.errors import PlanError
from learnplan.reading.card_syntax import has_cloze
from learnplan.reading.headings import HeadingAttrs, add_id_to_heading, parse_heading
from learnplan.reading.markdown_cards import CardRow, split_card_file
from learnplan.reading.source_text import read_source_text, split_lines

P = Path("cards.md")


def _rows(text: str) -> list[CardRow]:
    return split_card_file(text, P)[1]


def _attrs(row: CardRow) -> HeadingAttrs:
    return HeadingAttrs(*row[5:9])


def test_cards_split_on_level_two_headings() -> None:
    front_matter, rows, problems = split_card_file(
        "---\nlesson: l1\n---\n# Title\n\n## First {#a1}\nanswer one\n\n"
        "## Second\n\n  indented answer\n\n\n# Section\n\n## Third {#a3}\nQ more\n%\nback\n",
        P,
    )
    assert problems == []
    assert front_matter is not None
    assert front_matter.text == "lesson: l1\n" and front_matter.first_line == 2
    first, second, third = rows
    assert (first[0], first[3], first[4], first[5]) == (6, "First", "answer one", "a1")
    assert (second[0], second[4], _attrs(second)) == (9, "  indented answer", HeadingAttrs())
    assert (third[3], third[4], third[2]) == ("Third\n\nQ more", "back", "basic")


def test_percent_right_after_heading_keeps_front_the_heading() -> None:
    (card,) = _rows("## Q {#k}\n%\nA\n")
    assert (card[3], card[4]) == ("Q", "A")


def test_cloze_detection_and_extra() -> None:
    (cloze, basic) = _rows(
        "## Paris is the {{c1::capital}} of France\nextra\n## {{c1}} is not a cloze\nback\n"
    )
    assert (cloze[2], cloze[4]) == ("cloze", "extra")
    assert basic[2] == "basic"


def test_cloze_may_end_the_heading_without_being_taken_for_attributes() -> None:
    (card,) = _rows("## The capital is {{c1::Paris}}\n")
    assert (card[2], card[3], card[5]) == ("cloze", "The capital is {{c1::Paris}}", None)


@pytest.mark.parametrize(
    "heading,title,attrs",
    [
        ("Q", "Q", HeadingAttrs()),
        ("Q {#k1}", "Q", HeadingAttrs(key="k1")),
        (
            "Q {#k1 .reversed lesson=l2 tags=a,b::c}",
            "Q",
            HeadingAttrs("k1", True, "l2", ("a", "b::c")),
        ),
        ("Is 3 in {1, 2} {}", "Is 3 in {1, 2}", HeadingAttrs()),
        ("Closing hashes ## {#k}", "Closing hashes", HeadingAttrs(key="k")),
        ("Q {#k}   ", "Q", HeadingAttrs(key="k")),
        ("$\\{x\\}$", "$\\{x\\}$", HeadingAttrs()),
    ],
)
def test_parse_heading(heading: str, title: str, attrs: HeadingAttrs) -> None:
    assert parse_heading(heading) == (title, attrs, None)


@pytest.mark.parametrize(
    "heading,fragment",
    [
        ("Q {#a #b}", "two ids"),
        ("Q {#Caps}", "not a slug"),
        ("Q {.rev}", "unknown attribute '.rev'"),
        ("Is 3 in {1, 2}", "end the heading with {}"),
        ("Q {tags=}", "tags= is empty"),
        ("Q {lesson=Big}", "not a lesson id"),
    ],
)
def test_bad_headings(heading: str, fragment: str) -> None:
    assert fragment in (parse_heading(heading)[2] or "")


@pytest.mark.parametrize(
    "line,expected",
    [
        ("## Q", "## Q {#new1}"),
        ("## Q   ", "## Q {#new1}   "),
        ("## Q {.reversed}", "## Q {#new1 .reversed}"),
        ("## Q {}", "## Q {#new1}"),
        ("## Q {  lesson=l1 }", "## Q {#new1 lesson=l1 }"),
        ("## The capital is {{c1::Paris}}", "## The capital is {{c1::Paris}} {#new1}"),
        ("  ## Indented", "  ## Indented {#new1}"),
    ],
)
def test_add_id_to_heading(line: str, expected: str) -> None:
    new = add_id_to_heading(line, "new1")
    assert new == expected
    assert parse_heading(new.lstrip()[3:])[1].key == "new1"


def test_has_cloze() -> None:
    assert has_cloze("a {{c1::b}} c")
    assert has_cloze("{{c12::b::hint}}")
    assert has_cloze("{{c1::$\\frac{a}{b}$}}")
    assert not has_cloze("{{c0::b}}")
    assert not has_cloze("{{c1::}}")
    assert not has_cloze("{{c1::::hint}}")
    assert not has_cloze("no cloze {{c1:b}}")


def test_split_lines_only_on_newlines() -> None:
    assert split_lines("a\r\nb\x0cc\u2028d\n") == ["a", "b\x0cc\u2028d"]
    assert split_lines("") == []


def test_read_source_text(tmp_path: Path) -> None:
    path = tmp_path / "f.md"
    path.write_bytes(b"\xef\xbb\xbf## Q\r\nA\r\n")
    assert read_source_text(path) == "## Q\r\nA\r\n"
    path.write_bytes(b"ok\nok\n\xc3(\n")
    with pytest.raises(PlanError) as caught:
        read_source_text(path)
    assert caught.value.problems[0].line == 3
    assert "byte offset 6" in caught.value.problems[0].message


def test_pathological_lines_still_parse_correctly() -> None:
    # Shapes that make naive regexes quadratic; here they must simply give the right answer.
    assert parse_heading(" " * 20000 + "a #") == ("a", HeadingAttrs(), None)
    assert parse_heading("x" + " #" * 5000)[0] == "x" + " #" * 4999
    assert not has_cloze("{{c1::" * 20000)
    # Anki keeps ten deletions open at most and drops one never closed, with what it
    # holds (tests/test_cloze.py checks such text against Anki).
    assert not has_cloze("{{c1::" * 20000 + "}}")
    assert has_cloze("{{c1::" * 20000 + "x" + "}}" * 20000)


# --- the fast paths for the usual shapes must agree with the general rules


@pytest.mark.parametrize(
    "heading,expected",
    [
        # the usual block, taken by one pattern
        ("Q {#k1 .reversed lesson=l2}", ("Q", HeadingAttrs("k1", True, "l2"), None)),
        ("Q {#k1\t.reversed}", ("Q", HeadingAttrs("k1", True), None)),
        ("Q {#k1   lesson=l3}", ("Q", HeadingAttrs("k1", lesson="l3"), None)),
        ("Why? ## {#k1 lesson=l3}", ("Why?", HeadingAttrs("k1", lesson="l3"), None)),
        ("Q {a} {#k1}", ("Q {a}", HeadingAttrs("k1"), None)),
        ("Q\t{#" + "a" * 64 + "}", ("Q", HeadingAttrs("a" * 64), None)),
        # near misses: the general rules decide
        ("Q {#k1 lesson=l3 .reversed}", ("Q", HeadingAttrs("k1", True, "l3"), None)),
        ("Q {#k1 .reversed .reversed}", ("Q", HeadingAttrs("k1", True), None)),
        ("Q {#k1 lesson=l1 lesson=l2}", ("Q", HeadingAttrs("k1", lesson="l2"), None)),
        ("Q {#k1 tags=b,a,b lesson=l1}", ("Q", HeadingAttrs("k1", False, "l1", ("b", "a")), None)),
        ("Q {#k1\u2003lesson=l1}", ("Q", HeadingAttrs("k1", lesson="l1"), None)),
        ("{#k1}", ("", HeadingAttrs("k1"), None)),
        ("x{#k1}", ("x{#k1}", HeadingAttrs(), None)),
        ("Q\u2003{#k1}", ("Q\u2003{#k1}", HeadingAttrs(), None)),
        ("Q {#k1}}", ("Q {#k1}}", HeadingAttrs(), None)),
        ("Q {{#k1}", ("Q {{#k1}", HeadingAttrs(), None)),
    ],
)
def test_usual_attribute_blocks_and_near_misses(
    heading: str, expected: tuple[str, HeadingAttrs, str | None]
) -> None:
    assert parse_heading(heading) == expected


@pytest.mark.parametrize(
    "heading,fragment",
    [
        ("Q {#k1 lesson=L3}", "lesson='L3' is not a lesson id"),
        ("Q {#k1 lesson=-x}", "lesson='-x' is not a lesson id"),
        ("Q {#-k1}", "card id '-k1' is not a slug"),
        ("Q {#" + "a" * 65 + "}", "is not a slug"),
        ("Q {#k1 lesson=}", "lesson='' is not a lesson id"),
        ("Q {#k1 .Reversed}", "unknown attribute '.Reversed'"),
    ],
)
def test_bad_blocks_that_look_usual_are_still_refused(heading: str, fragment: str) -> None:
    title, attrs, error = parse_heading(heading)
    assert (title, attrs) == (heading, HeadingAttrs())
    assert fragment in (error or "")


def test_split_card_file_gives_every_card_and_problem_in_order() -> None:
    text = (
        "---\nlesson: l1\n---\n"
        "stray text\n"
        "## Q1 {#a1 lesson=l2}\nA1\n\n"
        "## Q2 {#a2 .reversed}\n```\n## fenced, not a card\n```\n%\nback\n%\n"
        "## {{c1::cloze}} {#a3 tags=x}\nextra\n"
        "## Q4 {#BAD}\nA4\n"
        "  ## Q5 indented {#a5}\n\n  A5\n\n"
    )
    front_matter, rows, problems = split_card_file(text, P)
    assert front_matter is not None and front_matter.text == "lesson: l1\n"
    assert [str(p) for p in problems] == [
        "cards.md:4: text outside any card; start each card with a '## ' heading (only '# ' "
        "titles may stand outside cards)",
        "cards.md:14: second '%' separator in one card (first at line 12); a card has one "
        "front and one back",
        "cards.md:17: card id 'BAD' is not a slug: use lower-case letters, digits and '-', "
        "starting with a letter or digit",
    ]
    assert [(r[0], r[2], r[5], (r[0], r[1])) for r in rows] == [
        (5, "basic", "a1", (5, 7)),
        (8, "reversed", "a2", (8, 14)),
        (15, "cloze", "a3", (15, 16)),
        (19, "basic", "a5", (19, 22)),
    ]
    assert [_attrs(r) for r in rows] == [
        HeadingAttrs("a1", lesson="l2"),
        HeadingAttrs("a2", reversed=True),
        HeadingAttrs("a3", tags=("x",)),
        HeadingAttrs("a5"),
    ]
    assert rows[1][4] == "back"
    assert rows[1][3] == "Q2\n\n```\n## fenced, not a card\n```"
    assert (rows[3][3], rows[3][4]) == ("Q5 indented", "  A5")
