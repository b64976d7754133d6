"""A cloze numbered from c2 (say, after deleting c1): accepted as written, never renumbered.

What a learner expects: the deletion they wrote is asked, once, and its reviews stay its
own. Anki makes one card per cloze number it finds — "Card 2" for c2 alone — and a card's
number is what ties it to its reviews; renumbering c2 to c1 would hand c2's history to a
new card. So learnplan builds what Anki makes from the text, and an update that adds or
removes another number keeps c2's card as it is.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from learnplan.cards.cloze import anki_card_count, cloze_ordinals
from learnplan.model.plan import Card, Course, Plan
from learnplan.reading.card_syntax import has_cloze

if TYPE_CHECKING:
    from anki.collection import Collection

# Cloze text, and whether the reader takes it (a deletion numbered from 1, text inside).
CLOZES = [
    ("{{c1::}} and {{c2::x}}", True),
    ("{{c1::a {{c2::b}} c}}", True),
    ("x {{c1::a {{c2::}} c}}", True),
    ("{{c2::{{c3::x}}}}", True),
    ("{{c1::{{c2::}}}}", False),
    ("{{c1::a::h {{c2::b}} c}}", True),
    ("{{c1:: }}", False),
    ("{{c1::}}", False),
    ("{{c2::}}", False),
    ("{{c1::::hint}}", False),
    ("{{c0::x}}", False),
    ("{{c10::x}}", True),
    ("{{c1::x::hint}}", True),
    ("{{c1::a::b::c}}", True),
    ("{{c01::a}}", True),
    ("{{C1::a}}", False),
    ("{{c::x}}", False),
    ("{{c1,3::x}}", True),
    ("{{c1,,2::x}}", True),
    ("{{c0,2::x}}", True),
    ("{{c1,99999::x}}", True),
    ("{{c99999::a}}", False),
    ("{{c65535::a}}", True),
    ("{{c499::a}} {{c500::b}}", True),
    ("{{c1000::a}}", True),  # Anki makes card 500 of any number above it
    ("{{c1::a {{c2::b}}", False),  # never closed: its inner deletion goes with it
    ("{{c1::a {{c2::b}} c {{c3::d}}", False),
    ("{{c1::a}} }} {{c2::b}}", True),
    ("{{c1::a}", False),
    ("{{c1::a}}}", True),
    ("{{{c1::x}}}", True),
    ("{{c1::a\nb}}", True),
    ("{{c1::$\\frac{a}{b}$}}", True),
    ("{{c1::$a_{b}}$}}", True),
    ("".join(f"{{{{c{n}::" for n in range(1, 13)) + "x" + "}}" * 12, True),  # 10 deep at most
    ("{{c1::" * 200 + "x" + "}}" * 200, True),
    ("{{c1::" * 200 + "}}", False),
    ("no cloze {{c1:b}}", False),
    ("plain", False),
]


@pytest.fixture(scope="module")
def cloze_col(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    pytest.importorskip("anki")
    from helpers_anki import collection

    with collection(tmp_path_factory.mktemp("cloze")) as col:
        yield col


@pytest.mark.parametrize(("text", "usable"), CLOZES)
def test_the_cards_of_a_cloze_are_those_anki_makes(
    cloze_col: Collection, text: str, usable: bool
) -> None:
    from anki.decks import DEFAULT_DECK_ID

    note = cloze_col.new_note(cloze_col.models.by_name("Cloze") or {})
    note["Text"] = text
    cloze_col.add_note(note, DEFAULT_DECK_ID)
    cards = note.cards()
    empty = {cid for n in cloze_col.get_empty_cards().notes for cid in n.card_ids}
    made = sorted(card.ord for card in cards if card.id not in empty)
    assert cloze_ordinals(text) == tuple(made)
    # With no deletion Anki still makes card 1, which it lists as empty.
    assert sorted(card.ord for card in cards) == (made or [0])
    assert has_cloze(text) == usable
    assert not usable or made  # the reader never takes a cloze that makes no card


def test_cloze_ordinals_follow_the_numbers_written() -> None:
    assert cloze_ordinals("a {{c2::b}} c") == (1,)
    assert cloze_ordinals("{{c1::a}} {{c3::b}} {{c1::c}}") == (0, 2)
    # c0 makes no card; an empty deletion does (Anki 26.9 makes "Card 2" of {{c2::}}).
    assert cloze_ordinals("{{c0::a}} {{c2::}}") == (1,)
    assert cloze_ordinals("{{c0::a}}") == ()
    assert anki_card_count(Card("k", "cloze", "x {{c2::y}}", "")) == 1
    assert anki_card_count(Card("k", "reversed", "x", "y")) == 2


def _plan(text: str) -> Plan:
    course = Course(id="c", provider="P", title="C", fte=1.0, cards=(Card("z", "cloze", text, ""),))
    return Plan(id="cz", title="Cloze", start=dt.date(2026, 1, 5), courses=(course,))


def test_a_cloze_with_only_c2_makes_card_2_and_keeps_it(tmp_path: Path) -> None:
    pytest.importorskip("anki")
    from anki.collection import Collection
    from anki.scheduler_pb2 import CardAnswer
    from helpers_anki import db, v3

    from learnplan.collection.update import update_collection

    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        update_collection(
            col,
            _plan("The rank of $A$ is {{c2::the number of pivots}}."),
            timestamp=time.time() - 60,
        )
        (card,) = [col.get_card(cid) for cid in col.find_cards("")]
        assert card.ord == 1  # "Card 2", as in Anki
        assert "[...]" in card.question() and "the number of pivots" in card.answer()
        deck = col.decks.id_for_name("Cloze")
        assert deck is not None
        col.decks.select(deck)
        queued = v3(col).get_queued_cards(fetch_limit=1).cards[0]
        card.start_timer()
        v3(col).answer_card(
            v3(col).build_answer(card=card, states=queued.states, rating=CardAnswer.GOOD)
        )
        reviews = db(col).all("select * from revlog")
        # Adding c1 later adds card 1; card 2 keeps its id and its review.
        update_collection(col, _plan("The {{c1::rank}} of $A$ is {{c2::the number of pivots}}."))
        cards = {col.get_card(cid).ord: cid for cid in col.find_cards("")}
        assert cards[1] == card.id and sorted(cards) == [0, 1]
        assert db(col).all("select * from revlog") == reviews
        assert col.get_card(card.id).reps == 1
    finally:
        col.close()


def test_check_counts_the_cards_anki_makes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from learnplan.cli import main

    (tmp_path / "plan.yaml").write_text(
        "plan: {id: p, title: P, start: 2026-01-05}\n"
        "courses:\n  - id: c\n    provider: X\n    title: C\n    fte: 1\n    cards:\n"
        "      - {id: a, cloze: 'x {{c2::y}}'}\n"
        "      - {id: b, cloze: '{{c1::x}} {{c2::y}} {{c3::z}}'}\n"
        "      - {id: r, front: f, back: b, reversed: true}\n",
        encoding="utf-8",
    )
    assert main(["check", str(tmp_path / "plan.yaml")]) == 0
    total = next(line for line in capsys.readouterr().out.splitlines() if "Total" in line)
    assert total.split()[-2:] == ["3", "6"]  # 3 notes; 1 + 3 + 2 cards


def test_a_built_package_holds_every_card_anki_makes(tmp_path: Path) -> None:
    """The text the reader and the builder once disagreed on: the package holds the cards
    Anki makes when it adds such a note itself."""
    pytest.importorskip("anki")
    from helpers_anki import collection, import_package

    from learnplan.building.apkg import write_package
    from learnplan.building.deck import build_package

    texts = {
        "e1": "{{c1::}} and {{c2::x}}",
        "n1": "{{c1::a {{c2::b}} c}}",
        "m1": "{{c1,3::x}} and {{c2::y::hint}}",
    }
    course = Course(
        id="c",
        provider="P",
        title="C",
        fte=1.0,
        cards=tuple(Card(key, "cloze", text, "") for key, text in texts.items()),
    )
    plan = Plan(id="cz", title="Cloze", start=dt.date(2026, 1, 5), courses=(course,))
    apkg = write_package(build_package(plan, timestamp=time.time() - 60), tmp_path / "c.apkg")
    with collection(tmp_path / "anki") as col:
        import_package(col, apkg)
        ords = {
            col.get_note(nid)["Text"]: sorted(card.ord for card in col.get_note(nid).cards())
            for nid in col.find_notes("")
        }
    assert ords == {
        "{{c1::}} and {{c2::x}}": [0, 1],
        "{{c1::a {{c2::b}} c}}": [0, 1],
        "{{c1,3::x}} and {{c2::y::hint}}": [0, 1, 2],
    }


def test_the_quick_reading_of_plain_clozes_agrees_with_the_full_one() -> None:
    """``deletions`` takes a short way for deletions one after another; on any text it
    must give what reading token by token gives."""
    import random

    from learnplan.cards.cloze import _read_deletions, cloze_numbers, deletions

    pieces = ["{{c1::", "{{c2::", "{{c1,2::", "{{c0::", "{{c::", "{{c99999::", "{{c007::"]
    pieces += ["}}", "}", "{", "::", "hint", "a", " ", "$x$", "{{", "c1::"]
    rng = random.Random(20_261_201)
    quick = 0
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12)))
        if rng.random() < 0.5:  # mostly well-formed: the short way's own case
            text = "".join(
                f"{rng.choice(pieces[:4] + pieces[6:7])}{rng.choice(pieces[10:])}}}}} x "
                for _ in range(rng.randrange(1, 4))
            )
        assert deletions(text) == _read_deletions(text), text
        numbers = {n for d in _read_deletions(text) for n in d.numbers if n > 0}
        assert cloze_numbers(text) == numbers, text
        quick += "{{c" in text and text.count("}}") == text.count("{{c")
    assert quick > 1000  # the short way was taken often enough to matter
