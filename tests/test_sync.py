"""Records across devices, through Anki's own sync server (``python -m anki.syncserver``).

Each test has two or three real collections ("devices") syncing with a real server, in
the orders the issue measured (where records kept in collection config were lost), plus
undo, concurrent re-allocations, tick against untick, a device joining by full download
and a forced full sync. Every test ends with every entry on every device and on the
server, and the reviews answered by the real scheduler intact.

Anki compares modification times in whole seconds, so each step that changes a device
starts in a later second than the step before (:func:`next_second` waits for the wall
clock to get there; nothing depends on how fast the machine is).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers_anki import open_collection

from addon import undo
from learnplan.collection import recordstore
from learnplan.collection.studyday import study_today
from learnplan.collection.summary import find_block
from learnplan.figures.format import points
from learnplan.model.plan import Card, Course, Lesson, Plan
from learnplan.progress.entries import decode_file
from learnplan.progress.log import (
    Revision,
    Session,
    add_revision,
    add_session,
    mark_lesson_done,
    unmark_lesson_done,
)
from learnplan.progress.records import fold
from learnplan.reading.outline import default_plan_path, load_plan

pytestmark = pytest.mark.sync

USERS = 12
_user = itertools.count(1)


@dataclass(frozen=True)
class Server:
    url: str
    base: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("syncserver")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, SYNC_BASE=str(base), SYNC_HOST="127.0.0.1", SYNC_PORT=str(port))
    env.update({f"SYNC_USER{i}": f"user{i}:pass{i}" for i in range(1, USERS + 1)})
    log = (base / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "anki.syncserver"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((base / "server.log").read_text()) from None
                time.sleep(0.05)
        yield Server(f"http://127.0.0.1:{port}/", base)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def next_second() -> None:
    """Wait until the wall clock is in a later whole second than now."""
    start = int(time.time())
    while int(time.time()) <= start:
        time.sleep(0.02)


class Device:
    """One collection with its own media folder, logged in to the test's server user."""

    def __init__(self, folder: Path, server: Server, user: int) -> None:
        folder.mkdir(parents=True)
        self.col: Any = open_collection(folder)
        self.auth = self.col.sync_login(f"user{user}", f"pass{user}", server.url)
        self.journal = undo.Journal()

    def sync(self, *, full: str = "download") -> str:
        """A sync as Anki runs it: the collection, then the media. When Anki requires a
        full sync and leaves the choice to the learner, ``full`` says which they chose."""
        from anki.sync_pb2 import SyncCollectionResponse as R

        out = self.col.sync_collection(self.auth, sync_media=False)
        required = out.required
        if required in (R.FULL_SYNC, R.FULL_UPLOAD, R.FULL_DOWNLOAD):
            upload = required == R.FULL_UPLOAD or (required == R.FULL_SYNC and full == "upload")
            self.col.close_for_full_sync()
            self.col.full_upload_or_download(
                auth=self.auth, server_usn=out.server_media_usn, upload=upload
            )
            self.col.reopen(after_full_sync=True)
            self.journal.clear()  # what the add-on does when a sync starts
        self.col.sync_media(self.auth)
        deadline = time.monotonic() + 120
        while self.col.media_sync_status().active:
            assert time.monotonic() < deadline, "media sync did not finish"
            time.sleep(0.02)
        return str(R.ChangesRequired.Name(required))

    def records(self) -> Any:
        return recordstore.read(self.col).records

    def log(self, plan_id: str = "zero-to-dl") -> Any:
        return self.records().log(plan_id)

    def files(self) -> set[str]:
        return set(recordstore.record_names(Path(self.col.media.dir())))

    def change(self, action: str, change: Any, plan_id: str = "zero-to-dl") -> None:
        """A change in the panel: one undo step, in this device's journal."""
        undo.step(
            self.col,
            action,
            lambda: recordstore.change_log(self.col, plan_id, change),
            journal=self.journal,
        )

    def answer(self, count: int) -> None:
        """Answer ``count`` new cards of the plan's first course with Good."""
        from anki.cards import Card
        from anki.scheduler_pb2 import CardAnswer

        deck = self.col.decks.id_for_name("Zero to Deep Learning")
        self.col.decks.select(deck)
        for _ in range(count):
            queued = self.col.sched.get_queued_cards(fetch_limit=1)
            top = queued.cards[0]
            card = Card(self.col)
            card._load_from_backend_card(top.card)
            card.start_timer()
            self.col.sched.answer_card(
                self.col.sched.build_answer(card=card, states=top.states, rating=CardAnswer.GOOD)
            )

    def reviews(self) -> list[tuple[int, int, int, int]]:
        rows: list[tuple[int, int, int, int]] = self.col.db.all(
            "select id, cid, ease, ivl from revlog order by id"
        )
        return rows

    def close(self) -> None:
        self.col.close()


def server_files(server: Server, user: int) -> dict[str, bytes]:
    folder = server.base / f"user{user}" / "media"
    return {p.name: p.read_bytes() for p in folder.glob("_learnplan-rec-*.json")}


@dataclass
class World:
    server: Server
    user: int
    devices: list[Device]
    tmp: Path
    today: dt.date = dt.date.min  # Anki's study day when the fixture ran

    def add(self, name: str) -> Device:
        device = Device(self.tmp / name, self.server, self.user)
        self.devices.append(device)
        return device

    def check(self) -> Any:
        """Every entry on every device and on the server; the same state and reviews."""
        on_server = server_files(self.server, self.user)
        state = fold(e for name, data in on_server.items() for e in decode_file(name, data).entries)
        for device in self.devices:
            assert device.files() == set(on_server), "a device lacks a record file"
            assert device.records() == state
        reviews = self.devices[0].reviews()
        for device in self.devices[1:]:
            assert device.reviews() == reviews
        return state


@pytest.fixture
def world(server: Server, tmp_path: Path) -> Iterator[World]:
    """Device A imported the bundled plan (as `learnplan import` does) and uploaded it;
    device B downloaded it: both in step, as a learner's desktop and phone."""
    user = next(_user)
    assert user <= USERS
    w = World(server, user, [], tmp_path)
    a = w.add("a")
    from learnplan.collection.update import update_collection

    w.today = study_today(a.col)
    # The learner started two weeks ago (learnplan import --start).
    plan = dataclasses.replace(
        load_plan(default_plan_path()), start=w.today - dt.timedelta(days=14)
    )
    update_collection(a.col, plan)
    recordstore.adopt(a.col, plan)
    assert a.sync(full="upload") in ("FULL_SYNC", "FULL_UPLOAD")
    b = w.add("b")
    assert b.sync() in ("FULL_SYNC", "FULL_DOWNLOAD")
    w.check()
    next_second()
    try:
        yield w
    finally:
        for device in w.devices:
            device.close()


def _session(world: World, course: str, hours: float, note: str = "") -> Any:
    return lambda lg: add_session(lg, Session(world.today, course, hours, note=note))


# --- the four measured scenarios that lost records kept in config


def test_logged_then_other_device_reviews_and_syncs(world: World) -> None:
    a, b = world.devices
    a.change("Log Study Session", _session(world, "fastai-p1", 2.0))
    a.sync()
    next_second()
    b.answer(3)  # B, not synced since, reviews
    next_second()
    b.sync()
    next_second()
    a.sync()
    b.sync()
    state = world.check()
    assert [s.hours for s in state.log("zero-to-dl").sessions] == [2.0]
    assert len(a.reviews()) == 3


def test_offline_review_syncs_first_then_the_log(world: World) -> None:
    a, b = world.devices
    b.answer(3)
    next_second()
    a.change("Log Study Session", _session(world, "dlai", 1.5))
    next_second()
    b.sync()
    next_second()
    a.sync()
    b.sync()
    state = world.check()
    assert [s.course for s in state.log("zero-to-dl").sessions] == ["dlai"]
    assert len(b.reviews()) == 3


def test_two_devices_log_different_sessions_offline(world: World) -> None:
    a, b = world.devices
    a.change("Log Study Session", _session(world, "fastai-p1", 1.0, "on the desktop"))
    next_second()
    b.change("Log Study Session", _session(world, "mit-1806", 2.0, "on the laptop"))
    b.answer(2)
    next_second()
    a.sync()
    next_second()
    b.sync()
    a.sync()
    state = world.check()
    assert sorted(s.note for s in state.log("zero-to-dl").sessions) == [
        "on the desktop",
        "on the laptop",
    ]


def test_second_plan_adopted_while_the_other_device_reviews(world: World) -> None:
    from learnplan.collection.update import update_collection

    a, b = world.devices
    small = Plan(
        id="small",
        title="Small Plan",
        start=world.today,
        weeks=4,
        courses=(
            Course(
                "c1",
                "",
                "Course One",
                0.5,
                lessons=(Lesson("l1", "Lesson One"),),
                cards=(Card("k1", "basic", "What is 2 + 2?", "4", lesson="l1"),),
            ),
        ),
    )
    update_collection(a.col, small)  # the update record of the second plan, too
    recordstore.adopt(a.col, small)
    next_second()
    b.answer(3)
    next_second()
    a.sync()
    next_second()
    b.sync()
    a.sync()
    state = world.check()
    assert [p.id for p in state.plans] == ["zero-to-dl", "small"]
    assert state.current == "small"
    assert state.imported["small"]["decks"] and state.imported["zero-to-dl"]["decks"]
    assert b.col.decks.id_for_name("Small Plan::01 · Other::01 · Course One::01 · Lesson One")


# --- more orders and conflicts


def test_undo_on_one_device_while_the_other_logs(world: World) -> None:
    a, b = world.devices
    a.change("Log Study Session", _session(world, "fastai-p1", 1.0, "kept on A"))
    a.change("Log Study Session", _session(world, "fastai-p1", 3.0, "undone on A"))
    a.journal.after_undo(a.col, a.col.undo())  # Edit > Undo on A (sync ends undo history)
    next_second()
    b.change("Log Study Session", _session(world, "dlai", 1.0, "logged on B"))
    b.answer(2)
    next_second()
    b.sync()
    next_second()
    a.sync()
    b.sync()
    state = world.check()
    assert sorted(s.note for s in state.log("zero-to-dl").sessions) == [
        "kept on A",
        "logged on B",
    ]
    assert len(a.files()) == 6  # adopt, 3 sessions, the retraction, and the update record


def test_the_same_course_re_allocated_on_both(world: World) -> None:
    a, b = world.devices
    a.change(
        "Re-allocate Course",
        lambda lg: add_revision(lg, Revision(world.today, "fastai-p2", "desktop", fte=1.0)),
    )
    next_second()
    b.change(
        "Re-allocate Course",
        lambda lg: add_revision(lg, Revision(world.today, "fastai-p2", "laptop", fte=0.8)),
    )
    next_second()
    b.sync()
    next_second()
    a.sync()
    b.sync()
    state = world.check()
    log = state.log("zero-to-dl")
    assert [r.reason for r in log.revisions] == ["desktop", "laptop"]  # both kept, in order
    from learnplan.progress.log import apply_revisions

    revised = apply_revisions(state.plan("zero-to-dl"), log).course("fastai-p2")
    assert revised is not None and revised.fte == 0.8  # the later one is in force


def test_tick_on_one_untick_on_the_other(world: World) -> None:
    a, b = world.devices
    day = world.today
    earlier, earliest = day - dt.timedelta(days=1), day - dt.timedelta(days=3)

    def tick(lesson: str, on: dt.date) -> Any:
        return lambda lg: mark_lesson_done(lg, "fastai-p1", lesson, on)

    def untick(lesson: str) -> Any:
        return lambda lg: unmark_lesson_done(lg, "fastai-p1", lesson)

    a.change("Mark Lesson Done", tick("l01", day - dt.timedelta(days=2)))
    a.sync()
    b.sync()
    next_second()
    b.change("Unmark Lesson Done", untick("l01"))  # B unticks l01 ...
    next_second()
    a.change("Unmark Lesson Done", untick("l01"))  # ... A, later, corrects its day
    a.change("Mark Lesson Done", tick("l01", earlier))
    a.change("Mark Lesson Done", tick("l03", earliest))  # both tick l03, A first
    next_second()
    b.change("Mark Lesson Done", tick("l03", day))
    next_second()
    b.sync()
    next_second()
    a.sync()
    b.sync()
    state = world.check()
    # The latest change of a lesson wins, whichever device syncs first; ticking a lesson
    # that is already ticked keeps the day it was first ticked.
    done = {d.lesson: d.date for d in state.log("zero-to-dl").lessons_done}
    assert done == {"l01": earlier, "l03": earliest}


def test_a_third_device_joins_by_full_download(world: World) -> None:
    a, b = world.devices
    a.change("Log Study Session", _session(world, "fastai-p1", 1.0))
    b.answer(2)
    next_second()
    b.change("Mark Lesson Done", lambda lg: mark_lesson_done(lg, "fastai-p1", "l01", world.today))
    next_second()
    a.sync()
    next_second()
    b.sync()
    a.sync()
    c = world.add("c")
    assert c.sync() in ("FULL_SYNC", "FULL_DOWNLOAD")
    state = world.check()
    log = state.log("zero-to-dl")
    assert len(log.sessions) == 1 and len(log.lessons_done) == 1
    assert len(c.reviews()) == 2


def test_a_forced_full_sync_keeps_every_record(world: World) -> None:
    """A schema change on A forces a full sync. By Anki's own rule one side's collection
    replaces the other's: B downloads, and the reviews B made since its last sync are
    gone. The record files are media, which a full sync does not replace: B's offline
    session survives and reaches A and the server with the media sync."""
    a, b = world.devices
    a.answer(2)
    a.change("Log Study Session", _session(world, "fastai-p1", 1.0, "desktop"))
    a.col.mod_schema(check=False)  # e.g. a field added to a note type
    next_second()
    b.answer(1)  # made offline; lost by the full download below (Anki's rule)
    b.change("Log Study Session", _session(world, "mit-1806", 2.0, "laptop, offline"))
    next_second()
    assert a.sync(full="upload") in ("FULL_SYNC", "FULL_UPLOAD")
    next_second()
    assert b.sync(full="download") in ("FULL_SYNC", "FULL_DOWNLOAD")
    a.sync()
    state = world.check()
    assert sorted(s.note for s in state.log("zero-to-dl").sessions) == [
        "desktop",
        "laptop, offline",
    ]
    assert len(b.reviews()) == 2  # A's two reviews; B's offline one went with its collection


def test_the_phone_shows_the_summary_after_the_desktop_syncs(world: World) -> None:
    """B plays the phone: no add-on, it only reviews. Its newer copy of the root deck
    (a review changes the deck) wins the sync and carries an older description; the
    desktop writes the summary again after the sync, and the phone gets it next time."""
    a, b = world.devices
    a.change("Mark Lesson Done", lambda lg: mark_lesson_done(lg, "fastai-p1", "l01", world.today))
    a.sync()
    b.sync()
    next_second()
    a.change("Mark Lesson Done", lambda lg: mark_lesson_done(lg, "fastai-p1", "l02", world.today))
    next_second()
    b.answer(2)  # the phone reviews: its root deck is now the newer one
    next_second()
    b.sync()
    next_second()
    a.sync()
    recordstore.refresh_summaries(a.col)  # what the add-on does after a sync
    next_second()
    a.sync()
    b.sync()
    world.check()

    def summary(device: Device) -> str:
        deck = device.col.decks.get(device.col.decks.id_for_name("Zero to Deep Learning"))
        found = find_block(deck["desc"])
        assert found is not None
        return found[0]

    assert summary(b) == summary(a)
    assert recordstore.stale_summaries(b.col, recordstore.read(b.col)) == []
    # Two of fastai Part 1's seven lessons: 2/7 of 1.5 points.
    assert f"{points(2 / 7 * 1.5)} earned" in summary(b)


def test_an_older_manifest_tidied_on_one_device_goes_on_every_device(
    world: World, tmp_path: Path
) -> None:
    from learnplan.building.apkg import write_package
    from learnplan.building.deck import build_package
    from learnplan.collection.importer import import_package
    from learnplan.collection.manifests import remove_stale_manifests

    a, b = world.devices

    def manifests(device: Device) -> set[str]:
        return {p.name for p in Path(device.col.media.dir()).glob("_learnplan-zero-to-dl-*")}

    # File > Import of a rebuilt package on A: a second manifest, synced to B.
    plan = dataclasses.replace(load_plan(default_plan_path()), start=world.today)
    package = write_package(build_package(plan), tmp_path / "rebuilt.apkg")
    import_package(a.col, package, plain=True)
    assert len(manifests(a)) == 2
    a.sync()
    next_second()
    b.sync()
    assert manifests(b) == manifests(a)
    records = b.files()
    # A tidies (as the add-on does after an import); the deletion reaches B by media sync.
    (removed,) = remove_stale_manifests(a.col)
    next_second()
    a.sync()
    next_second()
    b.sync()
    assert manifests(b) == manifests(a) and removed not in manifests(b)
    assert b.files() == records  # every record file is still there
    world.check()
