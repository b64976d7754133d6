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
from pathlib import Path

import pytest

from learnplan.cards.cloze import anki_card_count, cloze_ordinals
from learnplan.model.plan import Card, Course, Plan


def test_cloze_ordinals_follow_the_numbers_written() -> None:
    assert cloze_ordinals("a {{c2::b}} c") == (1,)
    assert cloze_ordinals("{{c1::a}} {{c3::b}} {{c1::c}}") == (0, 2)
    assert cloze_ordinals("{{c0::a}} {{c2::}}") == ()
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
