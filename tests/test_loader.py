"""addon/loader.py on a real collection: the default plan's deck imported by Anki's own
importer, cards answered by the real scheduler, progress written through addon/store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import re
import resource
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from anki.collection import Collection
from helpers_anki import answer

from addon import loader, store, undo
from addon.cache import TRACKER_MAGIC, TrackerFiles
from learnplan.base.atomic import TEMP_GLOB, replace_file
from learnplan.building.manifest import NAME_RE
from learnplan.collection.memory import MemoryTracker, course_memory
from learnplan.collection.studyday import study_today
from learnplan.model.plan import Plan
from learnplan.progress.log import (
    LessonDone,
    Revision,
    Session,
    add_revision,
    add_session,
    mark_lesson_done,
)


@pytest.fixture
def apkg(default_plan: Plan, default_package: Path) -> tuple[Plan, Path]:
    return default_plan, default_package


@pytest.fixture
def col(default_col: Collection) -> Collection:
    return default_col


def _answer(col: Collection, deck: str, count: int) -> int:
    """Answer ``count`` cards of ``deck`` with Good through the real v3 scheduler."""
    from anki.scheduler_pb2 import CardAnswer

    return answer(col, deck, [CardAnswer.GOOD] * count)


@contextmanager
def _file_size_limit(size: int) -> Iterator[None]:
    """Writes past ``size`` bytes fail with EFBIG, as on a full disk (a real OS error)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


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


def _bad_manifests(col: Collection) -> dict[str, bytes]:
    """A shared deck's broken manifests, dropped into the media folder beside the good one:
    one that is not JSON, one that parses but breaks the plan rules (a start date that
    overflowed the date arithmetic and failed every later detection and panel load)."""
    media = Path(col.media.dir())
    good = next(p for p in media.iterdir() if NAME_RE.match(p.name))
    data = json.loads(good.read_bytes())
    data["plan"]["start"] = "9999-12-31"
    bad = {
        "_learnplan-broken-000000000000.json": b"{not json",
        "_learnplan-hostile-000000000000.json": json.dumps(data, indent=1).encode(),
    }
    for name, content in bad.items():
        (media / name).write_bytes(content)
    return bad


def test_a_bad_shared_manifest_is_named_and_the_others_still_offered(col: Collection) -> None:
    hostile = _bad_manifests(col)["_learnplan-hostile-000000000000.json"].decode()
    line = next(n for n, row in enumerate(hostile.splitlines(), 1) if "9999-12-31" in row)
    page = loader.load(col, loader.TrackerBox()).html
    assert "Zero to Deep Learning" in page and "Start it today" in page
    assert "_learnplan-broken-000000000000.json:1: not valid JSON" in page
    assert (
        f"_learnplan-hostile-000000000000.json:{line}: plan.start: plan start 9999-12-31 is "
        "outside" in page
    )
    assert page.count("could not be read and was skipped") == 2


def test_a_bad_shared_manifest_leaves_the_current_plan_working(
    col: Collection, apkg: tuple[Plan, Path]
) -> None:
    store.adopt_plan(col, apkg[0])
    _bad_manifests(col)
    loaded = loader.load(col, loader.TrackerBox())
    assert loaded.plan is not None and loaded.plan.id == apkg[0].id
    assert loaded.figures is not None
    assert "_learnplan-broken-000000000000.json:1: not valid JSON" in loaded.html


def test_table_shows_the_collections_card_numbers(col: Collection, apkg: tuple[Plan, Path]) -> None:
    plan = dataclasses.replace(apkg[0], start=study_today(col))
    store.adopt_plan(col, plan)
    course = plan.courses[2]  # answer some cards of one course only
    answered = _answer(col, plan.deck_name(course), 3)
    assert answered == 3
    box = loader.TrackerBox()
    loaded = loader.load(col, box)
    assert loaded.plan is not None and loaded.plan.id == plan.id
    assert loaded.figures is not None
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
    plan = dataclasses.replace(apkg[0], start=study_today(col))
    store.adopt_plan(col, plan)
    today = study_today(col)
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
    assert loaded.figures is not None
    assert _cells(loaded.html, course.id)[0] == "1.0*"
    assert 'title="revised from 1.5"' in loaded.html
    assert f"{today.isoformat()} · FTE 1.5 → 1.0 · too much" in loaded.html
    assert loaded.figures.snapshot.total == pytest.approx(plan.total_fte - 0.5)
    assert col.undo_status().undo == "Re-allocate Course"
    # Edit > Undo: Anki's undo, then the add-on's state_did_undo hook.
    undo.JOURNAL.after_undo(col, col.undo())
    assert _cells(loader.load(col, box).html, course.id)[0] == "1.5"


def test_report_has_the_headline_and_a_dated_name(
    col: Collection, apkg: tuple[Plan, Path], tmp_path: Path
) -> None:
    plan = dataclasses.replace(apkg[0], start=study_today(col) - dt.timedelta(days=9))
    store.adopt_plan(col, plan)
    today = study_today(col)
    course = plan.courses[1]
    log_change = [
        lambda lg: mark_lesson_done(lg, course.id, course.lessons[0].id, today),
        lambda lg: add_session(lg, Session(today, course.id, 2.0)),
    ]
    for change in log_change:
        store.update_log(col, plan.id, change, "Test")
    reported, page = loader.build_report(col)
    assert reported.id == plan.id
    from learnplan.figures.headline import headline
    from learnplan.progress.snapshot import snapshot

    snap = snapshot(plan, store.read_log(col, plan.id), today=today)
    assert html.escape(headline(snap)) in page
    assert loader.report_name(plan, today) == f"zero-to-deep-learning-report-{today}.html"
    out = replace_file(tmp_path / "r.html", page.encode("utf-8"))  # as the panel saves it
    assert out.read_text(encoding="utf-8") == page
    assert list(tmp_path.glob(TEMP_GLOB)) == []


def test_report_without_a_plan_is_refused(col: Collection) -> None:
    with pytest.raises(ValueError, match="no current Learning Plan"):
        loader.build_report(col)


def test_a_report_that_fails_says_why_not_that_there_is_no_plan(
    col: Collection, apkg: tuple[Plan, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.adopt_plan(col, apkg[0])

    def fails(*args: object, **kwargs: object) -> None:
        raise ArithmeticError("these figures cannot be computed")

    # Fault injection: the plan rules keep every stored plan computable today, so no real
    # record makes the figures fail (the panel still has a way out, should one).
    monkeypatch.setattr(loader, "figures", fails)
    with pytest.raises(ArithmeticError, match="cannot be computed"):
        loader.build_report(col)


# --- the tracker's state saved between sessions ------------------------------------------


def _adopted(col: Collection, apkg: tuple[Plan, Path]) -> Plan:
    plan = dataclasses.replace(apkg[0], start=study_today(col))
    store.adopt_plan(col, plan)
    return plan


def _files(col: Collection, tmp_path: Path) -> TrackerFiles:
    return TrackerFiles(tmp_path / "user_files", col.path)


def test_saved_state_restores_next_session_with_fresh_results(
    col: Collection, apkg: tuple[Plan, Path], tmp_path: Path
) -> None:
    plan = _adopted(col, apkg)
    files = _files(col, tmp_path)
    assert _answer(col, plan.deck_name(plan.courses[0]), 4) == 4
    first = loader.TrackerBox(files)
    first.refresh(col, plan)
    first.wait()  # a new tracker's first refresh is a full read: saved at once
    assert files.path(plan.id).is_file()
    assert first.restored is False

    # More study during the session, saved when the profile closes.
    _answer(col, plan.deck_name(plan.courses[1]), 3)
    first.refresh(col, plan)
    first.close()
    first.wait()

    # Next session: restored from the file, then reviews made elsewhere (a sync).
    state = files.read(plan.id)
    assert state and MemoryTracker.from_state(plan, state).to_state()  # a usable state
    _answer(col, plan.deck_name(plan.courses[2]), 2)
    second = loader.TrackerBox(files)
    restored = second.refresh(col, plan)
    assert second.restored is True
    assert restored == course_memory(col, plan)
    assert restored[plan.courses[2].id].learning == 2
    assert loader.load(col, second).html == loader.load(col, loader.TrackerBox()).html


def test_closing_without_a_refresh_since_writes_nothing(
    col: Collection, apkg: tuple[Plan, Path], tmp_path: Path
) -> None:
    plan = _adopted(col, apkg)
    files = _files(col, tmp_path)
    first = loader.TrackerBox(files)
    first.refresh(col, plan)
    first.wait()
    box = loader.TrackerBox(files)
    box.refresh(col, plan)
    box.wait()
    assert box.restored is True
    path = files.path(plan.id)
    inode = path.stat().st_ino  # a save replaces the file: a new inode
    box.close()  # refreshed once since restoring: saved again
    box.wait()
    assert path.stat().st_ino != inode
    inode = path.stat().st_ino
    box.close()  # nothing refreshed since: no write
    box.wait()
    assert path.stat().st_ino == inode


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "empty"])
def test_a_damaged_state_file_means_a_fresh_tracker(
    col: Collection, apkg: tuple[Plan, Path], tmp_path: Path, damage: str
) -> None:
    plan = _adopted(col, apkg)
    files = _files(col, tmp_path)
    _answer(col, plan.deck_name(plan.courses[0]), 3)
    saver = loader.TrackerBox(files)
    saver.refresh(col, plan)
    saver.wait()
    path = files.path(plan.id)
    good = path.read_bytes()
    bad = {
        "garbage": b"\x00\xffnot a tracker state" * 50,
        "truncated": good[: len(good) // 2],
        "flipped": good[:-40] + bytes([good[-40] ^ 0x55]) + good[-39:],
        "empty": b"",
    }[damage]
    path.write_bytes(bad)
    assert files.read(plan.id) is None
    _answer(col, plan.deck_name(plan.courses[1]), 2)
    box = loader.TrackerBox(files)
    memory = box.refresh(col, plan)
    assert box.restored is False
    assert memory == course_memory(col, plan)
    box.wait()  # and the damaged file is replaced by a good one
    assert files.read(plan.id) is not None


def test_a_state_of_another_plan_or_collection_is_ignored(
    col: Collection, apkg: tuple[Plan, Path], tmp_path: Path
) -> None:
    plan = _adopted(col, apkg)
    files = _files(col, tmp_path)
    box = loader.TrackerBox(files)
    box.refresh(col, plan)
    box.wait()
    saved = files.path(plan.id).read_bytes()
    other = dataclasses.replace(plan, id="another-plan")
    files.path(other.id).write_bytes(saved)  # the right collection, another plan's name
    assert files.read(other.id) is None
    elsewhere = TrackerFiles(files.folder, str(tmp_path / "other" / "collection.anki2"))
    elsewhere.path(plan.id).write_bytes(saved)  # another collection's file name
    assert elsewhere.read(plan.id) is None

    # Same plan id, courses changed (a re-import): the old state is not used either.
    fewer = dataclasses.replace(plan, courses=plan.courses[1:])
    box = loader.TrackerBox(files)
    assert box.refresh(col, fewer) == course_memory(col, fewer)


def test_switching_plans_keeps_the_state_of_each(
    col: Collection, apkg: tuple[Plan, Path], tmp_path: Path
) -> None:
    plan = _adopted(col, apkg)
    other = dataclasses.replace(plan, id="second-plan", courses=plan.courses[:3])
    files = _files(col, tmp_path)
    box = loader.TrackerBox(files)
    box.refresh(col, plan)
    box.wait()
    _answer(col, plan.deck_name(plan.courses[0]), 2)
    box.refresh(col, plan)
    box.refresh(col, other)  # the first plan's newer state is saved on the way
    box.wait()
    state = files.read(plan.id)
    assert state is not None and files.read(other.id) is not None
    restored = MemoryTracker.from_state(plan, state)
    assert restored.refresh(col) == course_memory(col, plan)


def test_a_failed_save_leaves_the_previous_file(
    col: Collection, apkg: tuple[Plan, Path], tmp_path: Path
) -> None:
    plan = _adopted(col, apkg)
    files = _files(col, tmp_path)
    box = loader.TrackerBox(files)
    box.refresh(col, plan)
    box.wait()
    path = files.path(plan.id)
    before = path.read_bytes()
    _answer(col, plan.deck_name(plan.courses[0]), 2)
    box.refresh(col, plan)
    with _file_size_limit(len(TRACKER_MAGIC) + 16):  # the disk "fills up" mid-write
        box.close()
        box.wait()
    assert path.read_bytes() == before
    assert [p.name for p in files.folder.iterdir()] == [path.name]  # no temporary file
    restored = loader.TrackerBox(files)
    assert restored.refresh(col, plan) == course_memory(col, plan)
    assert restored.restored is True


def test_a_stored_plan_that_cannot_be_shown_leaves_a_way_out(
    col: Collection, apkg: tuple[Plan, Path]
) -> None:
    """A record whose plan this version cannot use (here a week given as text, which the
    plan rules refuse or the progress maths cannot take): the panel still renders, names
    the record, and offers export, a way to drop it, and the other plan."""
    import json

    from learnplan.model.plan import plan_to_dict
    from learnplan.progress.entries import encode_file, make_entry, random_name

    good = _adopted(col, apkg)
    bad = plan_to_dict(dataclasses.replace(good, id="bad-plan", title="Bad plan"))
    bad["courses"][0]["start_week"] = "3"
    entry = make_entry("current", "bad-plan").to_json() | {"op": "adopt", "data": bad}
    content = json.loads(encode_file([]))
    content["entries"] = [entry]
    (Path(col.media.dir()) / random_name()).write_text(json.dumps(content), encoding="utf-8")

    loaded = loader.load(col, loader.TrackerBox())
    page = html.unescape(loaded.html)
    assert '"cmd": "export"' in page and '"cmd": "fresh"' in page
    if loaded.plan is None:  # adopted, but it cannot be shown: switch, export or drop it
        assert "could not be shown" in page and "Stop following it" in page
        assert f'"cmd": "switch", "plan": "{good.id}"' in page
    else:  # refused by the plan rules: the good plan is shown, the record reported
        assert loaded.plan.id == good.id and "Hide it" in page


def test_progress_the_plan_cannot_count_is_shown_not_dropped(
    col: Collection, apkg: tuple[Plan, Path]
) -> None:
    from learnplan.collection import recordstore
    from learnplan.progress.entries import make_entry

    plan, _ = apkg
    store.adopt_plan(col, plan)
    today = study_today(col)
    course = plan.courses[0]
    page = loader.load(col, loader.TrackerBox()).html
    assert "lp-not-counted" not in page
    recordstore.write(
        col,
        [
            make_entry("session", plan.id, Session(today, "a-course-since-removed", 2.0)),
            make_entry("done", plan.id, LessonDone(course.id, "lesson-renamed", today)),
        ],
    )
    page = loader.load(col, loader.TrackerBox()).html
    block = page[page.index('id="lp-not-counted"') :]
    block = html.unescape(block[: block.index("</div>")])
    assert "is not counted" in block
    assert "a-course-since-removed" in block and "lesson-renamed" in block
