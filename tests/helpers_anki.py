"""Small helpers for tests that use a real Anki collection (no mocks).

    col = open_collection(tmp_path)          # fresh collection.anki2 in tmp_path
    log = import_package(col, apkg_path)     # Anki's own importer, as the add-on uses it
    log.new, log.updated, log.duplicate, log.conflicting   # lists of imported notes
    col.close()

Or use the ``collection(tmp_path)`` context manager, which closes it for you, or the
``col`` fixture of tests/conftest.py. ``answer(col, deck, ratings)`` answers a deck's next
cards with Anki's own scheduler.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from anki.collection import Collection
    from anki.dbproxy import DBProxy
    from anki.import_export_pb2 import ImportResponse
    from anki.scheduler.v3 import Scheduler


def far_rollover() -> int:
    """An hour for Anki's day cutoff half a day away from now.

    Within minutes of the cutoff (4 am by default) the scheduler's learn-ahead and the
    study day change what is due and which day an answer counts for; a test collection
    with its cutoff half a day away behaves the same whatever the time the suite runs.
    """
    return (dt.datetime.now().hour + 12) % 24


def open_collection(folder: Path, name: str = "collection.anki2") -> Collection:
    """A real ``anki.collection.Collection`` at ``folder/name``; a new one gets its day
    cutoff half a day away (:func:`far_rollover`), an existing one is opened as it is."""
    from anki.collection import Collection

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    new = not path.exists()
    col = Collection(str(path))
    if new:
        col.set_config("rollover", far_rollover())
    return col


def db(col: Collection) -> DBProxy:
    """The database of an open collection (typed: ``col.db`` is None once it is closed)."""
    assert col.db is not None, "the collection is closed"
    return col.db


def v3(col: Collection) -> Scheduler:
    """The collection's scheduler: the v3 one, the only one Anki 26.9 runs (typed:
    ``col.sched`` may be a placeholder that refuses every call)."""
    from anki.scheduler.v3 import Scheduler

    sched = col.sched
    assert isinstance(sched, Scheduler), "the collection has no v3 scheduler"
    return sched


@contextlib.contextmanager
def collection(folder: Path, name: str = "collection.anki2") -> Iterator[Collection]:
    col = open_collection(folder, name)
    try:
        yield col
    finally:
        col.close()


def import_package(
    col: Collection,
    path: str | os.PathLike[str],
    *,
    update: str = "IF_NEWER",
    merge_notetypes: bool = True,
) -> ImportResponse.Log:
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


def answer(col: Collection, deck: str, ratings: Sequence[int], *, seconds: float = 0.0) -> int:
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
