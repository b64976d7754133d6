"""addon/loader.py on a real collection: the default plan's deck imported by Anki's own
importer, cards answered by the real scheduler, progress written through addon/store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from anki.collection import Collection
from helpers_anki import import_package

from addon import loader, store
from learnplan.deck import build_package, write_package
from learnplan.log import Revision, Session, add_revision, add_session, mark_lesson_done
from learnplan.outline import default_plan_path, load_plan
from learnplan.plan import Plan


@pytest.fixture(scope="module")
def apkg(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, Path]:
    plan = load_plan(default_plan_path(), assign_ids=False)
    out = tmp_path_factory.mktemp("deck") / "default.apkg"
    return plan, write_package(build_package(plan), out)


@pytest.fixture
def col(tmp_path: Path, apkg: tuple[Plan, Path]) -> Iterator[Collection]:
    _plan, path = apkg
    c = Collection(str(tmp_path / "collection.anki2"))
    try:
        import_package(c, path)
        yield c
    finally:
        c.close()


def _answer(col: Collection, deck: str, count: int) -> int:
    """Answer ``count`` cards of ``deck`` with Good through the real v3 scheduler."""
    from anki.cards import Card
    from anki.scheduler.v3 import Scheduler
    from anki.scheduler_pb2 import CardAnswer

    deck_id = col.decks.id_for_name(deck)
    assert deck_id is not None
    col.decks.select(deck_id)
    sched = col.sched
    assert isinstance(sched, Scheduler)
    done = 0
    while done < count:
        queued = sched.get_queued_cards(fetch_limit=1)
        if not queued.cards:
            break
        top = queued.cards[0]
        card = Card(col)
        card._load_from_backend_card(top.card)
        card.start_timer()
        sched.answer_card(sched.build_answer(card=card, states=top.states, rating=CardAnswer.GOOD))
        done += 1
    return done


def _cells(page: str, course_id: str) -> list[str]:
    """The text of a course's table row, cell by cell."""
    row = page[page.index(f'id="lp-browse-{course_id}"') :]
    row = row[: row.index("</tr>")]
    cells = [c.split(">", 1)[1] if ">" in c else c for c in row.split("<td")[1:]]
    return [html.unescape(re.sub(r"<[^>]+>", "", c.split("</td>")[0])) for c in cells]


def test_no_plan_offers_the_imported_one(col: Collection) -> None:
    loaded = loader.load(col, loader.TrackerBox())
    assert loaded.plan is None
    assert "Zero to Deep Learning" in loaded.html and "Start it today" in loaded.html


def test_table_shows_the_collections_card_numbers(col: Collection, apkg: tuple[Plan, Path]) -> None:
    plan = dataclasses.replace(apkg[0], start=loader.study_today(col))
    store.adopt_plan(col, plan)
    course = plan.courses[2]  # answer some cards of one course only
    answered = _answer(col, plan.deck_name(course), 3)
    assert answered == 3
    box = loader.TrackerBox()
    loaded = loader.load(col, box)
    assert loaded.plan is not None and loaded.plan.id == plan.id
    assert loaded.snapshot is not None
    tag = f'"tag:{plan.course_tag(course.id)}"'
    total = len(col.find_cards(tag))
    learning = len(col.find_cards(f"{tag} is:learn"))
    assert learning == 3  # Good on a new card leaves it in learning
    cells = _cells(loaded.html, course.id)
    # [..., new, learn, young, mature, retention] after FTE, done, earned, hours, cost
    assert cells[-5:-1] == [str(total - learning), str(learning), "0", "0"]
    other = plan.courses[0]
    assert _cells(loaded.html, other.id)[-5] == str(
        len(col.find_cards(f'"tag:{plan.course_tag(other.id)}"'))
    )
    # the same tracker, refreshed after more answers, follows the collection
    _answer(col, plan.deck_name(course), 2)
    again = loader.load(col, box)
    assert _cells(again.html, course.id)[-4] == str(len(col.find_cards(f"{tag} is:learn")))


def test_revision_changes_the_fte_shown_and_undo_restores_it(
    col: Collection, apkg: tuple[Plan, Path]
) -> None:
    plan = dataclasses.replace(apkg[0], start=loader.study_today(col))
    store.adopt_plan(col, plan)
    today = loader.study_today(col)
    course = plan.courses[0]  # 1.5 points
    box = loader.TrackerBox()
    assert _cells(loader.load(col, box).html, course.id)[0] == "1.5"
    store.update_log(
        col,
        plan.id,
        lambda lg: add_revision(lg, Revision(today, course.id, "too much", fte=1.0)),
        "Re-allocate Course",
    )
    loaded = loader.load(col, box)
    assert loaded.snapshot is not None
    assert _cells(loaded.html, course.id)[0] == "1*"
    assert 'title="revised from 1.5"' in loaded.html
    assert f"{today.isoformat()} · FTE 1.5 → 1 · too much" in loaded.html
    assert loaded.snapshot.total == pytest.approx(plan.total_fte - 0.5)
    assert col.undo_status().undo == "Re-allocate Course"
    col.undo()
    assert _cells(loader.load(col, box).html, course.id)[0] == "1.5"


def test_report_has_the_headline_and_a_dated_name(
    col: Collection, apkg: tuple[Plan, Path], tmp_path: Path
) -> None:
    plan = dataclasses.replace(apkg[0], start=loader.study_today(col) - dt.timedelta(days=9))
    store.adopt_plan(col, plan)
    today = loader.study_today(col)
    course = plan.courses[1]
    log_change = [
        lambda lg: mark_lesson_done(lg, course.id, course.lessons[0].id, today),
        lambda lg: add_session(lg, Session(today, course.id, 2.0)),
    ]
    for change in log_change:
        store.update_log(col, plan.id, change, "Test")
    reported, page = loader.build_report(col)
    assert reported.id == plan.id
    from learnplan.progress import snapshot
    from learnplan.report import Report, headline

    snap = snapshot(plan, store.read_log(col, plan.id), today=today)
    assert html.escape(headline(Report(plan=plan, snapshot=snap))) in page
    assert loader.report_name(plan, today) == f"zero-to-deep-learning-report-{today}.html"
    out = loader.write_text_atomic(tmp_path / "r.html", page)
    assert out.read_text(encoding="utf-8") == page
    assert list(tmp_path.glob(".learnplan-*")) == []


def test_report_without_a_plan_is_refused(col: Collection) -> None:
    with pytest.raises(ValueError, match="no current Learning Plan"):
        loader.build_report(col)
