"""learnplan.collection.recordstore on a real anki Collection: record files in the media folder,
moving the old config layout (and again when an older device's config sync brings it
back), Check Database and Check Media, and the summary in the root deck."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from anki.collection import Collection
from old_layout import DAY, old_config, old_log, plan, write_old_config

from learnplan.collection import recordstore
from learnplan.collection.studyday import study_today
from learnplan.collection.summary import find_block
from learnplan.progress.entries import FILE_RE, MAX_FILE_BYTES, make_entry, random_name
from learnplan.progress.log import Session, add_session, mark_lesson_done, unmark_lesson_done
from learnplan.progress.log_json import log_to_json


def _files(col: Collection) -> list[str]:
    return recordstore.record_names(Path(col.media.dir()))


def _learnplan_keys(col: Collection) -> set[str]:
    return {k for k in col.all_config() if k.startswith("learnplan.")}


def test_old_config_is_read_as_before_and_moved_once(col: Collection) -> None:
    write_old_config(col)
    before = recordstore.read(col)
    assert [p.id for p in before.records.plans] == ["p1", "p2"]
    assert before.records.current == "p1"
    assert before.records.log("p1") == old_log()
    assert before.problems == ()
    assert set(before.movable) == set(old_config())

    recordstore.move_old_config(col)
    assert col.undo_status().undo == recordstore.MOVE_UNDO_NAME
    assert _learnplan_keys(col) == set()
    [name] = _files(col)
    after = recordstore.read(col)
    assert after.records == before.records
    assert after.movable == ()
    assert all(after.files[e] == name for e in after.records.adopted_by.values())

    # An older device's config sync brings the keys back: moved again, nothing added.
    write_old_config(col)
    assert recordstore.read(col).records == before.records
    recordstore.move_old_config(col)
    assert _files(col) == [name] and _learnplan_keys(col) == set()
    assert recordstore.read(col).records == before.records


def test_config_coming_back_with_more_is_a_union_and_a_change_since_wins(
    col: Collection,
) -> None:
    write_old_config(col)
    recordstore.move_old_config(col)
    # A change made since the move: a lesson unticked.
    recordstore.change_log(col, "p1", lambda lg: unmark_lesson_done(lg, "c1", "l1"))
    # The older device logged another session in its config, which sync brings back.
    config = old_config()
    config["learnplan.log.p1"] = log_to_json(
        add_session(old_log(), Session(DAY, "c2", 3.0, note="old device"))
    )
    write_old_config(col, config)
    recordstore.move_old_config(col)
    log = recordstore.read(col).records.log("p1")
    assert [d.lesson for d in log.lessons_done] == ["l2"]  # the untick since still wins
    assert [s.hours for s in log.sessions] == [1.0, 1.0, 3.0]  # no duplicates
    assert _learnplan_keys(col) == set()


def test_damaged_old_key_stays_and_the_rest_moves(col: Collection) -> None:
    config = old_config()
    config["learnplan.log.p2"] = {"version": 1, "plan": "p2", "sessions": "lots"}
    write_old_config(col, config)
    recordstore.move_old_config(col)
    assert _learnplan_keys(col) == {"learnplan.log.p2"}
    assert col.get_config("learnplan.log.p2") == config["learnplan.log.p2"]
    [problem] = recordstore.read(col).problems
    assert problem.key == "config:learnplan.log.p2" and "sessions" in problem.message


def test_check_database_and_check_media_keep_record_files(col: Collection) -> None:
    recordstore.adopt(col, plan())
    recordstore.change_log(col, "p1", lambda lg: add_session(lg, Session(DAY, "c1", 2.0)))
    names = _files(col)
    assert len(names) == 2 and all(FILE_RE.match(n) for n in names)
    check = col.media.check()
    assert not set(names) & set(check.unused) and not set(names) & set(check.missing)
    col.fix_integrity()  # Tools > Check Database
    assert _files(col) == names
    assert len(recordstore.read(col).records.log("p1").sessions) == 1


def test_an_oversized_or_foreign_file_is_reported_never_read(col: Collection) -> None:
    big = Path(col.media.dir()) / random_name()
    with big.open("wb") as out:
        out.truncate(MAX_FILE_BYTES + 1)
    [problem] = recordstore.read(col).problems
    assert "too large" in problem.message
    assert big.stat().st_size == MAX_FILE_BYTES + 1  # left as it is


def test_a_file_changed_by_hand_is_read_again(col: Collection) -> None:
    recordstore.adopt(col, plan())
    [name] = _files(col)
    path = Path(col.media.dir()) / name
    assert recordstore.read(col).problems == ()
    path.write_text(path.read_text(encoding="utf-8")[:-5], encoding="utf-8")
    assert [p.key for p in recordstore.read(col).problems] == [f"file:{name}"]


def test_written_files_never_replace_a_file(col: Collection) -> None:
    recordstore.adopt(col, plan())
    [name] = _files(col)
    path = Path(col.media.dir()) / name
    content = path.read_bytes()
    assert recordstore.write(col, []) is None and _files(col) == [name]  # nothing: no file
    # Asked to write other entries under that very name: a new file, the old one kept.
    entry = make_entry("session", "p1", Session(DAY, "c1", 4.0))
    written = recordstore.write(col, [entry], name=name)
    assert written is not None and written != name and FILE_RE.match(written)
    assert path.read_bytes() == content
    assert sorted(_files(col)) == sorted([name, written])
    # Anki's renamed copy (name-<sha1>.json) went to the media trash, not left behind.
    assert sorted(p.name for p in Path(col.media.dir()).iterdir()) == sorted([name, written])
    assert [s.hours for s in recordstore.read(col).records.log("p1").sessions] == [4.0]


# --- the summary in the root deck's description


def _deck(col: Collection, name: str) -> dict[str, Any]:
    did = col.decks.id_for_name(name)
    assert did is not None
    deck = col.decks.get(did)
    assert deck is not None
    return deck


def _desc(col: Collection, name: str) -> str:
    return str(_deck(col, name)["desc"])


def _set_desc(col: Collection, name: str, text: str) -> None:
    deck = _deck(col, name)
    deck["desc"] = text
    col.decks.save(deck)


def test_summary_written_by_a_change_and_rewritten_only_when_stale(col: Collection) -> None:
    p = plan()
    col.decks.id(p.title)
    recordstore.adopt(col, p)
    first = _desc(col, p.title)
    found = find_block(first)
    assert found is not None and found[1] == study_today(col)
    stored = recordstore.read(col)
    assert recordstore.stale_summaries(col, stored) == []
    assert recordstore.refresh_summaries(col) == []  # nothing to do: nothing written

    # A phone's older copy of the deck wins a sync: the description loses the block.
    _set_desc(col, p.title, "Phone's text")
    assert recordstore.stale_summaries(col, recordstore.read(col)) == ["p1"]
    assert recordstore.refresh_summaries(col) == ["p1"]
    assert _desc(col, p.title).endswith("Phone's text") and find_block(_desc(col, p.title))

    # A session moves no points: the summary still fits, and the deck is not written.
    now = _desc(col, p.title)
    recordstore.change_log(col, "p1", lambda lg: add_session(lg, Session(DAY, "c1", 1.0)))
    assert _desc(col, p.title) == now
    # Records that arrive from another device and move points make the block stale.
    tick = mark_lesson_done(recordstore.read(col).records.log("p1"), "c1", "l1", DAY)
    recordstore.write(col, [make_entry("done", "p1", tick.lessons_done[0])])
    assert recordstore.stale_summaries(col, recordstore.read(col)) == ["p1"]


def test_refresh_summaries_works_from_the_records_it_is_given(col: Collection) -> None:
    p = plan()
    col.decks.id(p.title)
    before = recordstore.read(col)  # read before the plan was adopted
    recordstore.adopt(col, p)
    _set_desc(col, p.title, "Phone's text")
    assert recordstore.refresh_summaries(col, stored=before) == []  # it follows no plan
    assert _desc(col, p.title) == "Phone's text"
    assert recordstore.refresh_summaries(col, stored=recordstore.read(col)) == ["p1"]
    assert find_block(_desc(col, p.title)) is not None


def test_no_root_deck_no_summary(col: Collection) -> None:
    recordstore.adopt(col, plan())
    assert col.decks.id_for_name(plan().title) is None  # nothing created for it
    assert recordstore.stale_summaries(col, recordstore.read(col)) == []
