"""Good input: the documented example, inline and Markdown cards, line endings, BOM."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest

from learnplan.model.plan import Card, Plan, is_slug
from learnplan.reading.outline import default_plan_path, load_plan

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "tests" / "fixtures" / "outline" / "example"
DOC = REPO / "docs" / "outline.md"


def _copy_example(tmp_path: Path) -> Path:
    target = tmp_path / "mini-dl"
    shutil.copytree(EXAMPLE, target)
    return target


def _cards(plan: Plan) -> dict[str, tuple[str, Card]]:
    return {card.key or "": (course.id, card) for course in plan.courses for card in course.cards}


def test_doc_example_is_the_fixture_verbatim() -> None:
    # The worked example in docs/outline.md must be exactly what the tests load.
    blocks = re.findall(r"^```\w+ file=(\S+)\n(.*?)^```$", DOC.read_text("utf-8"), re.M | re.S)
    assert {name for name, _ in blocks} == {
        "plan.yaml",
        "notes/fastai-l2.md",
        "notes/linear-algebra.md",
    }
    for name, text in blocks:
        assert (EXAMPLE / name).read_text("utf-8") == text, name
    assert (EXAMPLE / "notes" / "img" / "eigen.png").read_bytes().startswith(b"\x89PNG")


def test_doc_example_loads_as_documented() -> None:
    plan = load_plan(EXAMPLE / "plan.yaml")
    assert (plan.id, plan.title, plan.start) == (
        "mini-dl",
        "Mini Deep Learning",
        dt.date(2019, 5, 6),
    )
    assert (plan.weeks, plan.hours_per_week, plan.hours_per_point, plan.currency) == (
        12,
        40.0,
        120.0,
        "USD",
    )
    assert plan.allow_html is False
    assert plan.total_fte == 2.2 and plan.total_cost == 300.0 and plan.capacity == 4.0
    assert plan.source is not None and plan.source.path == EXAMPLE / "plan.yaml"

    fastai, mit = plan.courses
    assert (fastai.id, fastai.provider, fastai.fte, fastai.cost) == (
        "fastai-part1",
        "Fastai",
        1.5,
        0.0,
    )
    assert fastai.url == "https://course19.fast.ai/"
    assert fastai.window(plan.weeks) == (1, 7)
    assert [(lesson.id, lesson.hours, lesson.weight) for lesson in fastai.lessons] == [
        ("l1", 6.0, None),
        ("l2", 6.0, None),
    ]
    assert fastai.lessons[0].title == "Lesson 1: Image classification"
    assert fastai.source is not None and fastai.source.line == 12
    assert (mit.id, mit.provider, mit.title, mit.fte) == (
        "mit-1806",
        "MIT",
        "18.06 Linear Algebra",
        0.7,
    )
    assert mit.window(plan.weeks) == (1, 12)
    assert [(lesson.id, lesson.weight) for lesson in mit.lessons] == [("rank", 2.0), ("eigen", 1.0)]
    (gpu,) = plan.resources
    assert (gpu.id, gpu.provider, gpu.cost) == ("gpu", "AWS", 300.0)
    assert plan.deck_name(fastai, fastai.lessons[0]) == (
        "Mini Deep Learning::01 · Fastai::01 · Practical Deep Learning for Coders Part 1 (2019)"
        "::01 · Lesson 1: Image classification"
    )

    cards = _cards(plan)
    # The table in docs/outline.md, row by row: (course, kind, lesson, tags).
    assert {key: (course, c.kind, c.lesson, c.tags) for key, (course, c) in cards.items()} == {
        "fa1lr001": ("fastai-part1", "basic", "l1", ()),
        "fa1tl002": ("fastai-part1", "cloze", "l1", ()),
        "fa2cl001": ("fastai-part1", "basic", "l2", ()),
        "fa2lr002": ("fastai-part1", "basic", "l2", ()),
        "la1rn001": ("mit-1806", "basic", "rank", ("linear-algebra", "theorem")),
        "la1rk002": ("mit-1806", "reversed", "rank", ("linear-algebra",)),
        "la1ev003": ("mit-1806", "basic", "eigen", ("linear-algebra",)),
        "la1sv004": ("mit-1806", "cloze", "rank", ("linear-algebra",)),
        "la0dims": ("mit-1806", "basic", "rank", ()),
        "la0eig01": ("mit-1806", "reversed", "eigen", ()),
    }
    assert not any(c.new_key for _, c in cards.values())

    c = cards["fa1lr001"][1]
    assert c.front == "What does `fit_one_cycle` vary over training?"
    assert c.back == "The learning rate (and momentum), up then down."
    assert c.source is not None and (c.source.path, c.source.line) == (EXAMPLE / "plan.yaml", 24)
    assert c.base_dir == EXAMPLE
    c = cards["fa1tl002"][1]
    assert c.front == "Starting from a pretrained model is called {{c1::transfer learning}}."
    assert c.back == ""
    c = cards["fa2cl001"][1]
    assert (c.front, c.back) == (
        "Why look at the images a model gets most wrong?",
        "They are often mislabelled: cleaning them improves the data set.",
    )
    assert c.source is not None and c.source.path == EXAMPLE / "notes" / "fastai-l2.md"
    assert c.source.line == 3 and c.base_dir == EXAMPLE / "notes"
    c = cards["fa2lr002"][1]
    assert (c.front, c.back) == (
        "Which learning rate do you pick from the LR finder plot?",
        "The steepest downward slope, well before the minimum.",
    )
    c = cards["la1rn001"][1]
    assert c.back == (
        "For $A \\in \\mathbb{R}^{m \\times n}$:\n"
        "$$\\operatorname{rank}(A) + \\operatorname{nullity}(A) = n$$"
    )
    assert c.source is not None and c.source.line == 7
    c = cards["la1ev003"][1]
    assert c.front == "An eigenvector's direction\n\ndoes not change under $A$:"
    assert c.back == "$Av = \\lambda v$, so $A$ only scales it. ![eigenvectors](img/eigen.png)"
    c = cards["la1sv004"][1]
    assert c.front == "The SVD writes any matrix as {{c1::$U \\Sigma V^T$}}."
    assert c.back == "$U$ and $V$ are orthogonal, $\\Sigma$ is diagonal."
    c = cards["la0dims"][1]
    assert c.front == "An $m \\times n$ matrix times an $n \\times p$ matrix gives what shape?"
    assert c.source is not None and c.source.line == 44
    c = cards["la0eig01"][1]
    assert (c.front, c.back) == (
        "Definition of an eigenvector $v$ of $A$",
        "$Av = \\lambda v$ with $v \\neq 0$",
    )
    assert c.source is not None and c.source.line == 48


def _rewrite(root: Path, transform: object) -> None:
    for path in root.rglob("*"):
        if path.suffix in (".yaml", ".md"):
            path.write_bytes(transform(path.read_bytes()))  # type: ignore[operator]


def _comparable(plan: Plan, root: Path) -> Plan:
    # Same plan read from another folder: compare everything but where it was read from.
    import dataclasses

    def relocate(card: Card) -> Card:
        assert card.source is not None and card.base_dir is not None
        return dataclasses.replace(card, source=None, base_dir=card.base_dir.relative_to(root))

    courses = tuple(
        dataclasses.replace(c, source=None, cards=tuple(relocate(k) for k in c.cards))
        for c in plan.courses
    )
    resources = tuple(dataclasses.replace(r, source=None) for r in plan.resources)
    return dataclasses.replace(plan, courses=courses, resources=resources)


@pytest.mark.parametrize(
    "name,transform",
    [
        ("crlf", lambda data: data.replace(b"\n", b"\r\n")),
        ("bom", lambda data: b"\xef\xbb\xbf" + data),
        ("bom+crlf", lambda data: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")),
    ],
)
def test_line_endings_and_bom_read_the_same(tmp_path: Path, name: str, transform: object) -> None:
    plain = _copy_example(tmp_path / "plain")
    other = _copy_example(tmp_path / name)
    _rewrite(other, transform)
    assert b"\r\n" in (other / "plan.yaml").read_bytes() or name == "bom"
    a = load_plan(plain / "plan.yaml")
    b = load_plan(other / "plan.yaml")
    assert _comparable(a, plain) == _comparable(b, other)
    # Line numbers are unchanged too.
    lines_a = [c.source.line for c in a.courses[1].cards if c.source]
    lines_b = [c.source.line for c in b.courses[1].cards if c.source]
    assert lines_a == lines_b and all("\r" not in c.front + c.back for c in b.courses[1].cards)


def test_cards_without_ids_get_fresh_random_keys(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "plan.yaml").write_text(
        "plan: {id: p, title: P, start: 2020-01-06}\n"
        "courses:\n"
        "  - id: c\n    title: C\n    fte: 1\n"
        "    cards:\n"
        "      - {front: same, back: same}\n"
        "      - {front: same, back: same}\n"
        "      - notes/a.md\n"
        "      - {id: kept0001, front: q, back: a}\n"
    )
    (tmp_path / "notes" / "a.md").write_text("## same\nsame\n")
    first = load_plan(tmp_path / "plan.yaml")
    second = load_plan(tmp_path / "plan.yaml")
    keys1 = [c.key for c in first.courses[0].cards]
    keys2 = [c.key for c in second.courses[0].cards]
    assert [c.new_key for c in first.courses[0].cards] == [True, True, True, False]
    assert keys1[3] == keys2[3] == "kept0001"
    new = [k for k in keys1[:3] if k is not None]
    # Identical text gets distinct keys, and a re-read draws new ones: never content-derived.
    assert len(set(new)) == 3 and all(is_slug(k) for k in new)
    assert set(new).isdisjoint(keys2[:3])


def test_markdown_file_from_course_and_lesson(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "plan.yaml").write_text(
        "plan: {id: p, title: P, start: 2020-01-06}\n"
        "courses:\n"
        "  - id: c\n    title: C\n    fte: 1\n"
        "    cards: [notes/course.md]\n"
        "    lessons:\n"
        "      - id: a\n        title: A\n        cards: notes/lesson.md\n"
        "      - id: b\n        title: B\n"
    )
    (tmp_path / "notes" / "course.md").write_text(
        "## no lesson {#k1}\nx\n\n## in b {#k2 lesson=b}\ny\n"
    )
    (tmp_path / "notes" / "lesson.md").write_text(
        "## from the lesson {#k3}\nx\n\n## moved to b {#k4 lesson=b tags=t1,t2}\ny\n"
    )
    plan = load_plan(tmp_path / "plan.yaml", assign_ids=False)
    got = {c.key: (c.lesson, c.tags) for c in plan.courses[0].cards}
    assert got == {"k1": (None, ()), "k2": ("b", ()), "k3": ("a", ()), "k4": ("b", ("t1", "t2"))}


def test_code_fences_hold_headings_and_percent_lines(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(
        "plan: {id: p, title: P, start: 2020-01-06}\n"
        "courses:\n  - id: c\n    title: C\n    fte: 1\n    cards: a.md\n"
    )
    (tmp_path / "a.md").write_text(
        "## What does this print? {#k1}\n"
        "```python\n## not a card\nprint('%')\n%\n```\n"
        "%\n"
        "A percent sign.\n"
        "### A sub-heading is card text\n"
        "more\n"
    )
    (card,) = load_plan(tmp_path / "plan.yaml").courses[0].cards
    assert card.front == "What does this print?\n\n```python\n## not a card\nprint('%')\n%\n```"
    assert card.back == "A percent sign.\n### A sub-heading is card text\nmore"


def test_remote_images_are_not_checked_and_inner_links_are_fine(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "real.png").write_bytes(b"\x89PNG")
    os.symlink("real.png", tmp_path / "img" / "alias.png")
    (tmp_path / "plan.yaml").write_text(
        "plan: {id: p, title: P, start: 2020-01-06}\n"
        "courses:\n  - id: c\n    title: C\n    fte: 1\n    cards:\n"
        "      - {id: k1, front: 'q ![a](https://example.com/x.png)',\n"
        "         back: '![b](img/alias.png)'}\n"
        "      - {id: k2, front: '<img src=\"img/real.png\">', back: '![c](<img/real.png>)'}\n"
    )
    plan = load_plan(tmp_path / "plan.yaml")
    assert [c.key for c in plan.courses[0].cards] == ["k1", "k2"]


def test_a_course_without_cards_or_lessons_and_defaults(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(
        "plan:\n  id: p\n  title: '  Spaced  '\n  start: '2020-01-06'\n"
        "courses:\n  - id: c\n    title: C\n    fte: 0\n"
    )
    plan = load_plan(tmp_path / "plan.yaml")
    assert (plan.title, plan.weeks, plan.hours_per_week, plan.hours_per_point, plan.currency) == (
        "Spaced",
        12,
        40.0,
        120.0,
        "USD",
    )
    (course,) = plan.courses
    assert (course.provider, course.cost, course.lessons, course.cards) == ("", 0.0, (), ())
    assert plan.resources == ()


def test_default_plan_path_points_into_the_package() -> None:
    path = default_plan_path()
    assert path.name == "plan.yaml"
    assert path.parent.name == "zero-to-deep-learning"
    assert path.parent.parent == REPO / "lib" / "learnplan" / "data"


def test_empty_cards_and_lessons_keys_are_allowed(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(
        "plan: {id: p, title: P, start: 2020-01-06}\n"
        "courses:\n  - id: c\n    title: C\n    fte: 1\n    cards:\n    lessons:\n"
        "resources:\n"
    )
    (course,) = load_plan(tmp_path / "plan.yaml").courses
    assert (course.cards, course.lessons) == ((), ())


def test_relative_str_path_gives_absolute_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The add-on and the CLI may run from any folder: sources must not depend on the cwd.
    root = _copy_example(tmp_path)
    monkeypatch.chdir(root)
    plan = load_plan("plan.yaml")
    assert plan.source is not None and plan.source.path == root / "plan.yaml"
    for course in plan.courses:
        for card in course.cards:
            assert card.source is not None and card.source.path.is_absolute()
            assert card.base_dir is not None and card.base_dir.is_absolute()


def test_make_card_makes_the_card_the_constructor_makes(tmp_path: Path) -> None:
    import dataclasses

    from learnplan.model.plan import SourceRef, make_card

    source = SourceRef(tmp_path, 3)
    quick = make_card("k1", "reversed", "Q", "A", "l1", ("t",), source, tmp_path, raw_html=False)
    plain = Card("k1", "reversed", "Q", "A", "l1", ("t",), source, tmp_path, raw_html=False)
    assert quick == plain and hash(quick) == hash(plain) and repr(quick) == repr(plain)
    assert dataclasses.asdict(quick) == dataclasses.asdict(plain)
    assert dataclasses.replace(quick, key="k2") == dataclasses.replace(plain, key="k2")
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.key = "k3"  # type: ignore[misc]
