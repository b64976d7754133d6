"""addon/store.py's upkeep on a real anki Collection: records still in the old config
layout are moved and the deck summaries written, in one undo step, from one read."""

from __future__ import annotations

from anki.collection import Collection
from old_layout import plan, write_old_config

from addon import store
from learnplan.collection import recordstore
from learnplan.collection.summary import find_block


def test_upkeep_moves_old_records_and_writes_the_summary_from_one_read(
    col: Collection,
) -> None:
    write_old_config(col)
    col.decks.id(plan().title)  # the root deck of p1, without a summary yet
    before = recordstore.read(col)
    assert before.movable and recordstore.stale_summaries(col, before) == ["p1"]

    store.upkeep(col)
    assert col.undo_status().undo == "Update Learning Plan Summary"
    after = recordstore.read(col)
    assert after.movable == ()
    assert after.records == before.records  # moving changed no record
    assert recordstore.stale_summaries(col, after) == []
    did = col.decks.id_for_name(plan().title)
    assert did is not None
    deck = col.decks.get(did)
    assert deck is not None and find_block(str(deck["desc"])) is not None
