"""The bundled "Zero to Deep Learning" plan: the seed figures (README.md, "The bundled plan";
the learner's own table), and a real import.

The expected rows below are the seed table, typed in by hand: the test compares
the bundled YAML against the design, not against itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers_anki import open_collection

from learnplan.building.apkg import write_package
from learnplan.building.deck import build_package
from learnplan.model.plan import Card, Plan
from learnplan.reading.outline import default_plan_path, load_plan

PLAN_TITLE = "Zero to Deep Learning"

# (course id, provider, title, FTE, cost) — the learner's seed table.
SEED_ROWS: list[tuple[str, str, str, float, float]] = [
    ("fastai-p1", "Fastai", "Practical Deep Learning for Coders Part 1 (2019)", 1.5, 0),
    ("fastai-p2", "Fastai", "Deep Learning Part 2 (2019)", 1.5, 0),
    ("dlai", "Deeplearning.ai", "Deep learning specialization", 0.5, 45),
    ("pim", "Jeremy Kun", "A Programmer's Introduction to Mathematics (book)", 0.5, 0),
    ("mit-1801", "MIT", "Single Variable Calculus", 0.2, 0),
    ("mit-1802", "MIT", "18.02 Multivariable Calculus", 0.4, 0),
    ("mit-1806", "MIT", "18.06 Linear Algebra", 0.7, 0),
    (
        "mit-18065",
        "MIT",
        "18.065 Matrix Methods in Data Analysis, Signal Processing, and Machine Learning",
        0.7,
        0,
    ),
    ("3b1b", "3Blue1Brown", "Essence of Linear Algebra & Calculus", 0.5, 0),
    ("khan", "Khan Academy", "Linear Algebra & Calculus", 0.3, 0),
    ("udemy-swift", "Udemy", "Swift - iOS app development", 0.3, 11),
    ("udemy-pyds", "Udemy", "Python for data science and machine learning", 0.3, 11),
]

_CLOZE_NUMBER = re.compile(r"\{\{c(\d+)::")


def expected_anki_cards(card: Card) -> int:
    """How many Anki cards one plan card should become (worked out from the text)."""
    if card.kind == "basic":
        return 1
    if card.kind == "reversed":
        return 2
    return len(set(_CLOZE_NUMBER.findall(card.front)))


def data_files() -> list[Path]:
    root = default_plan_path().parent
    return sorted(p for p in root.rglob("*") if p.is_file())


def digest_data() -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in data_files()}


@pytest.fixture(scope="module")
def plan() -> Plan:
    # assign_ids=False fails on any card without an id: the bundled plan must never need
    # ids written back into files that ship inside the package.
    return load_plan(default_plan_path(), assign_ids=False)


# --- the plan itself


def test_default_plan_path_is_the_bundled_yaml() -> None:
    path = default_plan_path()
    assert path.name == "plan.yaml"
    assert path.parent.name == "zero-to-deep-learning"
    assert path.is_file()


def test_plan_settings(plan: Plan) -> None:
    assert plan.id == "zero-to-dl"
    assert plan.title == PLAN_TITLE
    assert plan.start == dt.date(2019, 5, 6)
    assert plan.start.weekday() == 0  # a Monday
    assert plan.weeks == 12
    assert plan.hours_per_week == 40
    assert plan.hours_per_point == 120
    assert plan.currency == "USD"


def test_seed_totals(plan: Plan) -> None:
    assert len(plan.courses) == 12
    assert len(plan.resources) == 1
    assert plan.total_fte == pytest.approx(7.4)
    assert plan.total_cost == pytest.approx(367)
    assert plan.capacity == pytest.approx(4.0)
    # 7.4 / 4.0 = 1.85: nearly twice what fits, as the learner knew.
    assert plan.overcommitment == pytest.approx(1.85)


def test_every_seed_row(plan: Plan) -> None:
    got = [(c.id, c.provider, c.title, c.fte, c.cost) for c in plan.courses]
    assert [row[0] for row in got] == [row[0] for row in SEED_ROWS]
    for (cid, provider, title, fte, cost), course in zip(SEED_ROWS, plan.courses, strict=True):
        assert course.id == cid
        assert course.provider == provider, cid
        assert course.title == title, cid
        assert course.fte == pytest.approx(fte), cid
        assert course.cost == pytest.approx(cost), cid


def test_gpu_resource(plan: Plan) -> None:
    (gpu,) = plan.resources
    assert gpu.title == "GPU server instance (AWS p2, < 200 hours)"
    assert gpu.provider == "AWS"
    assert gpu.cost == pytest.approx(300)


def test_course_windows_fit_the_plan(plan: Plan) -> None:
    for course in plan.courses:
        first, last = course.window(plan.weeks)
        assert 1 <= first <= last <= plan.weeks, course.id


def test_every_course_has_lessons_and_cards(plan: Plan) -> None:
    for course in plan.courses:
        assert course.lessons, course.id
        assert course.total_weight > 0, course.id
        assert 4 <= len(course.cards) <= 10, (course.id, len(course.cards))
        lesson_ids = [lesson.id for lesson in course.lessons]
        assert len(lesson_ids) == len(set(lesson_ids)), course.id
        for lesson in course.lessons:
            assert lesson.title.strip(), (course.id, lesson.id)


def test_known_lesson_lists(plan: Plan) -> None:
    def course_lessons(cid: str) -> list[str]:
        course = plan.course(cid)
        assert course is not None
        return [lesson.id for lesson in course.lessons]

    assert course_lessons("fastai-p1") == [f"l{i:02d}" for i in range(1, 8)]
    assert course_lessons("fastai-p2") == [f"l{i:02d}" for i in range(8, 15)]
    assert course_lessons("dlai") == ["c1", "c2", "c3", "c4", "c5"]
    assert len(course_lessons("pim")) == 17
    # 18.06 (Spring 2010): lectures 1-34 plus the extra 24b quiz review.
    assert len(course_lessons("mit-1806")) == 35
    assert "l24b" in course_lessons("mit-1806")


def test_every_card_has_a_fixed_unique_id_and_a_lesson(plan: Plan) -> None:
    keys: list[str] = []
    for course in plan.courses:
        for card in course.cards:
            assert card.key is not None, card.source
            assert not card.new_key, card.source
            assert re.fullmatch(r"[a-z0-9]{8}", card.key), card.key
            assert card.lesson is not None, card.key
            assert course.lesson(card.lesson) is not None, (course.id, card.key)
            assert card.front.strip(), card.key
            keys.append(card.key)
    # Unique across the whole plan (the contract only needs per course): a card can then
    # move to another course in a later version without clashing.
    duplicates = [k for k, n in Counter(keys).items() if n > 1]
    assert not duplicates


def test_card_mix(plan: Plan) -> None:
    cards = [card for course in plan.courses for card in course.cards]
    kinds = Counter(card.kind for card in cards)
    assert 60 <= len(cards) <= 100
    assert kinds["cloze"] >= 10
    assert kinds["reversed"] >= 3
    assert kinds["basic"] >= 30
    for card in cards:
        if card.kind == "cloze":
            assert expected_anki_cards(card) >= 1, card.key
    # Both card sources are used: Markdown card files and inline YAML cards.
    sources = {card.source.path.suffix for card in cards if card.source is not None}
    assert sources == {".md", ".yaml"}


def test_math_covers_the_essentials(plan: Plan) -> None:
    text = "\n".join(
        f"{card.front}\n{card.back}" for course in plan.courses for card in course.cards
    )
    for needle in [
        r"f'(g(x))\, g'(x)",  # chain rule
        r"\operatorname{softmax}",
        r"-\sum_{k} y_k \log \hat y_k",  # cross-entropy
        r"w - \eta\, \nabla_w L",  # gradient descent
        r"A = U \Sigma V^T",  # SVD
        r"Av = \lambda v",  # eigenvector
        "{{c1::$n - r$}}",  # rank-nullity
        r"$m \times p$",  # matrix product shape
    ]:
        assert needle in text, needle
    assert "$$" in text


def test_bundled_data_is_small() -> None:
    files = data_files()
    assert sum(p.stat().st_size for p in files) < 300 * 1024
    assert {p.suffix for p in files} <= {".yaml", ".md", ".png", ".svg", ".jpg"}


# --- built and imported into a real collection


@dataclass(frozen=True)
class Imported:
    col: Any
    log: Any
    note_count: int
    card_count: int


@pytest.fixture(scope="module")
def imported(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition

    before = digest_data()
    folder = tmp_path_factory.mktemp("default-plan")
    built = build_package(plan, timestamp=1_557_100_800)  # 2019-05-06 00:00 UTC
    apkg = write_package(built, folder / "zero-to-dl.apkg")
    # Building must not touch the bundled files (no ids written back).
    assert digest_data() == before

    col = open_collection(folder)
    condition = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    response = col.import_anki_package(
        ImportAnkiPackageRequest(
            package_path=str(apkg),
            options=ImportAnkiPackageOptions(
                merge_notetypes=True,
                update_notes=condition,
                update_notetypes=condition,
                with_scheduling=False,
                with_deck_configs=False,
            ),
        )
    )
    try:
        yield Imported(col, response.log, built.note_count, built.card_count)
    finally:
        col.close()


def test_import_adds_every_note(plan: Plan, imported: Imported) -> None:
    total_notes = sum(len(c.cards) for c in plan.courses)
    assert imported.note_count == total_notes
    assert len(imported.log.new) == total_notes
    assert not imported.log.conflicting
    assert imported.col.note_count() == total_notes


def test_deck_tree(plan: Plan, imported: Imported) -> None:
    names = {d.name for d in imported.col.decks.all_names_and_ids()}
    # Numbered in outline order (providers by their first course; tests/test_deck_order.py).
    unnumbered = {re.sub(r"(^|::)\d\d · ", r"\1", name) for name in names}
    for _, provider, title, _, _ in SEED_ROWS:
        assert f"{PLAN_TITLE}::{provider}::{title}" in unnumbered, title
    # Lesson subdecks hang under their course, numbered by position (this is the 30th).
    assert (
        f"{PLAN_TITLE}::04 · MIT::03 · 18.06 Linear Algebra::30 · Lecture 29: Singular value "
        "decomposition" in names
    )


def test_every_note_has_exactly_one_course_tag(imported: Imported) -> None:
    col = imported.col
    note_ids = col.find_notes("")
    assert note_ids
    for nid in note_ids:
        tags = col.get_note(nid).tags
        course_tags = [t for t in tags if t.lower().startswith("zero-to-dl::course::")]
        assert len(course_tags) == 1, tags


def test_card_counts_per_course(plan: Plan, imported: Imported) -> None:
    col = imported.col
    total = 0
    for course in plan.courses:
        expected = sum(expected_anki_cards(card) for card in course.cards)
        # Anki matches a tag or its children, never a prefix: mit-1806 excludes mit-18065.
        found = col.find_cards(f'"tag:{plan.course_tag(course.id)}"')
        assert len(found) == expected, course.id
        in_deck = col.find_cards(f'"deck:{plan.deck_name(course)}"')
        assert len(in_deck) == expected, course.id
        total += expected
    assert imported.card_count == total
    assert col.card_count() == total


def test_math_reaches_mathjax(imported: Imported) -> None:
    col = imported.col
    inline = display = 0
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        html = card.question() + card.answer()
        assert "$$" not in html
        inline += "\\(" in html
        display += "\\[" in html
    assert inline >= 20
    assert display >= 5


def test_collection_passes_integrity_check(imported: Imported) -> None:
    message, ok = imported.col.fix_integrity()
    assert ok, message
