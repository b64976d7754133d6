"""Deck order = outline order, in Anki's own deck list (``col.decks.deck_tree()``).

Anki sorts decks by name, case-insensitively and character by character ("Lecture 10"
before "Lecture 2"), so deck names carry the outline's position. These tests read the
deck tree of a real collection after Anki's own importer, and check that inserting,
reordering and renaming lessons later keeps it right — renamed in place by the update
path (also after a first File > Import), reviews untouched, no empty deck left behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("anki")

from anki.collection import Collection
from anki.scheduler_pb2 import CardAnswer

from learnplan.building.apkg import write_package
from learnplan.building.deck import build_package
from learnplan.collection.decks import plan_decks
from learnplan.collection.importer import import_package
from learnplan.collection.update import update_collection
from learnplan.model.plan import Card, Course, Lesson, Plan
from learnplan.reading.outline import default_plan_path, load_plan


def tree(col: Any) -> dict[str, Any]:
    """The deck tree as nested {name: children}, in the order Anki lists it."""

    def walk(node: Any) -> dict[str, Any]:
        return {child.name: walk(child) for child in node.children}

    return walk(col.decks.deck_tree())


def titles(level: dict[str, Any]) -> list[str]:
    """The names at one level, without their position numbers."""
    return [name.split(" · ", 1)[1] for name in level]


def _lessons(course: str, names: list[str]) -> tuple[Lesson, ...]:
    return tuple(Lesson(f"{course}-{i}", name) for i, name in enumerate(names))


def _course(cid: str, provider: str, title: str, lessons: tuple[Lesson, ...]) -> Course:
    cards = tuple(
        Card(f"{cid}-k{i}", "basic", f"{title}: {lesson.title}?", "Yes.", lesson.id)
        for i, lesson in enumerate(lessons)
    )
    return Course(id=cid, provider=provider, title=title, fte=0.5, lessons=lessons, cards=cards)


def make_plan() -> Plan:
    lectures = [f"Lecture {n}: topic {n}" for n in range(1, 41)]  # a 40-lesson course
    ranges = [f"Lesson {a}–{b}" for a, b in ((1, 7), (8, 14), (15, 21))]
    words = ["Vectors", "Spans", "Matrices", "Determinants", "Eigenvectors"]
    return Plan(
        id="order",
        title="Order Plan",
        start=dt.date(2026, 1, 5),
        courses=(
            _course("la", "MIT", "18.06 Linear Algebra", _lessons("la", lectures)),
            _course("dl", "Fastai", "Deep Learning", _lessons("dl", ranges)),
            _course("calc", "MIT", "18.01 Calculus", _lessons("calc", ["Zeta", "Alpha", "mu"])),
            _course("eola", "3Blue1Brown", "Essence", _lessons("eola", words)),
        ),
    )


def assert_outline_order(col: Any, plan: Plan) -> None:
    decks = tree(col)[plan.title]
    providers = list(dict.fromkeys(c.provider for c in plan.courses))
    assert titles(decks) == providers
    for provider_name, courses in decks.items():
        provider = provider_name.split(" · ", 1)[1]
        in_plan = [c for c in plan.courses if c.provider == provider]
        assert titles(courses) == [c.title for c in in_plan]
        for course, (_, lessons) in zip(in_plan, courses.items(), strict=True):
            used = {card.lesson for card in course.cards}
            assert titles(lessons) == [x.title for x in course.lessons if x.id in used]


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Any]:
    c = Collection(str(tmp_path / "collection.anki2"))
    yield c
    c.close()


def plain_import(col: Any, plan: Plan, folder: Path, stamp: float) -> Any:
    path = write_package(build_package(plan, timestamp=stamp), folder / f"p{int(stamp)}.apkg")
    return import_package(col, path, plain=True)


def study(col: Any, count: int = 12) -> None:
    """Answer cards through the real scheduler, so there are reviews to keep."""
    col.decks.select(col.decks.id_for_name("Order Plan"))
    for _ in range(count):
        queued = col.sched.get_queued_cards(fetch_limit=1).cards
        if not queued:
            break
        card = col.get_card(queued[0].card.id)
        card.start_timer()
        col.sched.answer_card(
            col.sched.build_answer(card=card, states=queued[0].states, rating=CardAnswer.GOOD)
        )


def history(col: Any) -> tuple[Any, ...]:
    return (
        col.db.all("select id, nid, ord, type, queue, due, ivl, reps from cards order by id"),
        col.db.all("select * from revlog order by id"),
    )


def where_cards_are(col: Any, plan: Plan) -> None:
    """Every card is in the deck its lesson has in ``plan``; no deck of the plan is
    empty or unknown to it."""
    wanted = plan_decks(plan)
    for course in plan.courses:
        for card in course.cards:
            nid = col.find_notes(f'"tag:{plan.id}::lesson::{course.id}::{card.lesson}"')
            for cid in col.find_cards(f"nid:{','.join(map(str, nid))}"):
                name = col.decks.name(col.get_card(cid).did)
                assert name == wanted[f"{course.id}/{card.lesson}"], name
    parents = {name.rsplit("::", 1)[0] for name in wanted.values()}
    for entry in col.decks.all_names_and_ids():
        if entry.name.startswith(plan.title + "::"):
            assert entry.name in wanted.values() or entry.name in parents, entry.name


def test_the_deck_list_follows_the_outline(col: Any, tmp_path: Path) -> None:
    plan = make_plan()
    plain_import(col, plan, tmp_path, time.time() - 60)
    assert_outline_order(col, plan)
    la = tree(col)["Order Plan"]["01 · MIT"]["01 · 18.06 Linear Algebra"]
    assert list(la)[:3] == [
        "01 · Lecture 1: topic 1",
        "02 · Lecture 2: topic 2",
        "03 · Lecture 3: topic 3",
    ]
    assert list(la)[-1] == "40 · Lecture 40: topic 40"


def test_the_bundled_plan_lists_in_outline_order(col: Any, tmp_path: Path) -> None:
    plan = load_plan(default_plan_path(), assign_ids=False)
    plain_import(col, plan, tmp_path, time.time() - 60)
    decks = tree(col)[plan.title]
    assert titles(decks) == list(dict.fromkeys(c.provider for c in plan.courses))
    mit = decks["04 · MIT"]
    assert titles(mit)[:3] == [
        "Single Variable Calculus",
        "18.02 Multivariable Calculus",
        "18.06 Linear Algebra",
    ]
    # Lessons without cards have no deck; the others keep their outline position.
    course = next(c for c in plan.courses if c.id == "mit-1806")
    with_cards = [
        lesson for lesson in course.lessons if any(c.lesson == lesson.id for c in course.cards)
    ]
    lectures = mit["03 · 18.06 Linear Algebra"]
    assert titles(lectures) == [lesson.title for lesson in with_cards]
    assert [name.split(" · ")[0] for name in lectures] == [
        f"{course.lessons.index(lesson) + 1:02d}" for lesson in with_cards
    ]
    # ... which is not the order of their titles ("Lecture 10" < "Lecture 2").
    assert titles(lectures) != sorted(titles(lectures), key=str.casefold)


def _reworked(plan: Plan) -> Plan:
    """A lesson inserted first, two lessons swapped, a course and a lesson renamed and a
    provider moved to the front."""
    la, dl, calc, eola = plan.courses
    new = Lesson("la-new", "Lecture 0: Why linear algebra")
    lessons = list(la.lessons)
    lessons[3], lessons[4] = lessons[4], lessons[3]
    lessons[5] = dataclasses.replace(lessons[5], title="Lecture 6: Column space, renamed")
    la = dataclasses.replace(
        la,
        title="18.06SC Linear Algebra",
        lessons=(new, *lessons),
        cards=(*la.cards, Card("la-new-k", "basic", "Why?", "Because.", "la-new")),
    )
    return dataclasses.replace(plan, courses=(eola, la, dl, calc))


@pytest.mark.parametrize("first", ["plain", "update"])
def test_reworking_the_outline_renames_decks_in_place(col: Any, tmp_path: Path, first: str) -> None:
    # "plain": the README's first step (File > Import), so the update has no record yet.
    v1 = make_plan()
    if first == "plain":
        plain_import(col, v1, tmp_path, time.time() - 60)
    else:
        update_collection(col, v1, timestamp=time.time() - 60)
    study(col)
    deck_ids = {name: did for name, did in ((d.name, d.id) for d in col.decks.all_names_and_ids())}
    cards_before, revlog_before = history(col)
    decks_before = len(col.decks.all_names_and_ids())

    v2 = _reworked(v1)
    report = update_collection(col, v2)

    assert_outline_order(col, v2)
    where_cards_are(col, v2)
    cards_after, revlog_after = history(col)
    assert revlog_after == revlog_before
    assert [c for c in cards_after if c[0] in {b[0] for b in cards_before}] == cards_before
    assert len(cards_after) == len(cards_before) + 1  # the new lesson's card
    # In place: the old lesson decks carry their new names (same deck ids).
    old = "Order Plan::01 · MIT::01 · 18.06 Linear Algebra::04 · Lecture 4: topic 4"
    new = "Order Plan::02 · MIT::01 · 18.06SC Linear Algebra::06 · Lecture 4: topic 4"
    assert col.decks.id_for_name(new) == deck_ids[old]
    assert col.decks.id_for_name(old) is None
    assert report.renamed_decks and not report.moved
    # One more deck (the new lesson) and one provider deck fewer to count: nothing empty.
    assert len(col.decks.all_names_and_ids()) == decks_before + 1


def test_file_import_of_a_rebuilt_plan_then_update_tidies_up(col: Any, tmp_path: Path) -> None:
    v1 = make_plan()
    plain_import(col, v1, tmp_path, time.time() - 120)
    study(col)
    cards_before, revlog_before = history(col)
    v2 = _reworked(v1)
    plain_import(col, v2, tmp_path, time.time() - 60)
    # What File > Import does on its own: new decks for every new name, cards left behind.
    old_home = "Order Plan::01 · MIT::01 · 18.06 Linear Algebra::01 · Lecture 1: topic 1"
    assert col.decks.id_for_name(old_home) is not None
    assert col.decks.card_count(col.decks.id_for_name(old_home), include_subdecks=False) == 1

    report = update_collection(col, v2)
    assert_outline_order(col, v2)
    where_cards_are(col, v2)
    assert col.decks.id_for_name(old_home) is None
    assert report.removed_decks
    cards_after, revlog_after = history(col)
    assert revlog_after == revlog_before
    kept = {b[0] for b in cards_before}
    assert [c for c in cards_after if c[0] in kept] == cards_before


def test_after_a_file_import_of_a_rebuild_the_add_on_tidies_the_decks(
    col: Any, tmp_path: Path
) -> None:
    """What the add-on runs after File > Import (addon/detect.py): no outline needed."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from addon import detect

    v1 = make_plan()
    plain_import(col, v1, tmp_path, time.time() - 120)
    study(col)
    # A card the learner filed in a deck of their own stays there.
    own = col.decks.id("My hard cards")
    filed = col.find_cards('"tag:order::lesson::dl::dl-1"')
    col.set_deck(filed, own)
    cards_before, revlog_before = history(col)
    step = col.undo_status().undo
    assert detect.tidy_after_import(col) is not None
    assert col.undo_status().undo == step  # nothing to tidy: no undo step either

    v2 = _reworked(v1)
    plain_import(col, v2, tmp_path, time.time() - 60)
    manifests = list(Path(col.media.dir()).glob("_learnplan-order-*"))
    assert len(manifests) == 2
    detect.tidy_after_import(col)
    assert col.undo_status().undo == detect.TIDY_UNDO_NAME
    assert_outline_order(col, v2)
    assert [col.get_card(cid).did for cid in filed] == [own] * len(filed)
    wanted = plan_decks(v2)
    for entry in col.decks.all_names_and_ids():
        if entry.name.startswith("Order Plan::") and entry.name.count("::") == 3:
            assert entry.name in wanted.values(), entry.name  # no old lesson deck left
    cards_after, revlog_after = history(col)
    assert revlog_after == revlog_before
    assert [c for c in cards_after if c[0] in {b[0] for b in cards_before}] == cards_before
    # The older manifest went once its decks were gone.
    assert len(list(Path(col.media.dir()).glob("_learnplan-order-*"))) == 1
