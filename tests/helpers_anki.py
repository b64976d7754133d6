"""Small helpers for tests that use a real Anki collection (no mocks).

    col = open_collection(tmp_path)          # fresh collection.anki2 in tmp_path
    log = import_package(col, apkg_path)     # Anki's own importer, as the add-on uses it
    log.new, log.updated, log.duplicate, log.conflicting   # lists of imported notes
    col.close()

Or use the ``collection(tmp_path)`` context manager, which closes it for you.
``answer(col, deck, ratings)`` answers a deck's next cards with Anki's own scheduler.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any


def open_collection(folder: Path, name: str = "collection.anki2") -> Any:
    """A new (or existing) real ``anki.collection.Collection`` at ``folder/name``."""
    from anki.collection import Collection

    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / name))


@contextlib.contextmanager
def collection(folder: Path) -> Iterator[Any]:
    col = open_collection(folder)
    try:
        yield col
    finally:
        col.close()


def import_package(
    col: Any,
    path: str | os.PathLike[str],
    *,
    update: str = "IF_NEWER",
    merge_notetypes: bool = True,
) -> Any:
    """Import an .apkg with Anki's importer; returns the import log (``.new``, ``.updated``...).

    ``update`` is the name of an ``ImportAnkiPackageUpdateCondition`` (IF_NEWER, ALWAYS,
    NEVER) for both notes and note types — the settings the add-on's update path uses.
    """
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition

    condition = ImportAnkiPackageUpdateCondition.Value(
        f"IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_{update}"
    )
    request = ImportAnkiPackageRequest(
        package_path=str(path),
        options=ImportAnkiPackageOptions(
            merge_notetypes=merge_notetypes,
            update_notes=condition,
            update_notetypes=condition,
            with_scheduling=False,
            with_deck_configs=False,
        ),
    )
    return col.import_anki_package(request).log


def answer(col: Any, deck: str, ratings: Sequence[int], *, seconds: float = 0.0) -> int:
    """Answer ``deck``'s next cards through the real v3 scheduler, one per rating
    (``CardAnswer.AGAIN`` ... ``CardAnswer.EASY``), each as if after ``seconds`` of
    thought (Anki's review time); returns how many were answered."""
    import time

    from anki.cards import Card
    from anki.scheduler.v3 import Scheduler

    deck_id = col.decks.id_for_name(deck)
    assert deck_id is not None
    col.decks.select(deck_id)
    sched = col.sched
    assert isinstance(sched, Scheduler)
    done = 0
    for rating in ratings:
        queued = sched.get_queued_cards(fetch_limit=1)
        if not queued.cards:
            break
        top = queued.cards[0]
        card = Card(col)
        card._load_from_backend_card(top.card)
        card.timer_started = time.time() - seconds
        sched.answer_card(sched.build_answer(card=card, states=top.states, rating=rating))  # type: ignore[arg-type]
        done += 1
    return done
