"""Media hygiene: older manifests of a plan go once nothing needs them; records stay.

Each imported build brings a manifest (~13 KB for the bundled plan). The newest of each
plan is kept, and an older one as long as it names decks that still exist (the update
path finds a File > Import's decks by those names); record files (the learner's
progress) and the update path's ``_lpstate-*`` files are never removed. Files go through
Anki's media API (``col.media.trash_files``), so the deletion syncs.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("anki")

from anki.collection import Collection
from test_deck_order import make_plan, plain_import

from learnplan.collection import recordstore
from learnplan.collection.manifests import remove_stale_manifests, stale_manifests
from learnplan.collection.update import update_collection
from learnplan.model.plan import Card, Lesson


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Any]:
    c = Collection(str(tmp_path / "collection.anki2"))
    yield c
    c.close()


def media(col: Any, prefix: str) -> list[str]:
    return sorted(p.name for p in Path(col.media.dir()).iterdir() if p.name.startswith(prefix))


def _edited(version: int) -> Any:
    plan = make_plan()
    la = plan.courses[0]
    card = Card(f"v{version}", "basic", f"Version {version}?", "Yes.", la.lessons[0].id)
    la = dataclasses.replace(la, cards=(*la.cards, card))
    return dataclasses.replace(plan, courses=(la, *plan.courses[1:]))


def test_rebuilds_leave_one_manifest_and_every_record(col: Any, tmp_path: Path) -> None:
    now = time.time()
    for version in range(3):  # three File > Imports, decks unchanged
        plain_import(col, _edited(version), tmp_path, now - 300 + 60 * version)
    manifests = media(col, "_learnplan-order-")
    assert len(manifests) == 3
    recordstore.adopt(col, _edited(2))  # a record file: the learner's progress
    records = media(col, "_learnplan-rec-")
    assert records

    removed = remove_stale_manifests(col)
    assert sorted(removed) == sorted(set(manifests) - {media(col, "_learnplan-order-")[0]})
    assert len(media(col, "_learnplan-order-")) == 1
    assert media(col, "_learnplan-rec-") == records
    # Trashed through Anki's media API: the media database marks them deleted (so the
    # next media sync removes them on the other devices too), and Check Media agrees.
    assert all(not (Path(col.media.dir()) / name).exists() for name in removed)
    check = col.media.check()
    assert not check.missing and not set(removed) & set(check.unused)

    # The update path tidies up after itself, keeping every state file it wrote.
    update_collection(col, _edited(3))
    update_collection(col, _edited(4))
    assert len(media(col, "_learnplan-order-")) == 1
    assert len(media(col, "_lpstate-order-")) == 2
    assert set(records) < set(media(col, "_learnplan-rec-"))  # kept, and more added


def test_an_older_manifest_stays_while_the_update_path_needs_it(col: Any, tmp_path: Path) -> None:
    v1 = make_plan()
    plain_import(col, v1, tmp_path, time.time() - 120)
    la = v1.courses[0]
    renamed = (Lesson(la.lessons[0].id, "Lecture 1: renamed"), *la.lessons[1:])
    v2 = dataclasses.replace(
        v1, courses=(dataclasses.replace(la, lessons=renamed), *v1.courses[1:])
    )
    plain_import(col, v2, tmp_path, time.time() - 60)
    # v1's deck for lecture 1 still exists (its cards are in it): its manifest is kept.
    assert stale_manifests(col) == [] and len(media(col, "_learnplan-order-")) == 2
    update_collection(col, v2)  # renames... and moves the cards, then tidies
    assert len(media(col, "_learnplan-order-")) == 1


def test_other_plans_and_unreadable_files_are_left_alone(col: Any, tmp_path: Path) -> None:
    plain_import(col, _edited(0), tmp_path, time.time() - 120)
    other = dataclasses.replace(_edited(0), id="other", title="Other")
    plain_import(col, other, tmp_path, time.time() - 60)
    bad = col.media.write_data("_learnplan-order-0123456789ab.json", b"{not json")
    assert remove_stale_manifests(col) == []
    assert bad in media(col, "_learnplan-order-")
    assert len(media(col, "_learnplan-other-")) == 1
