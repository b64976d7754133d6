"""addon/cache.py: the panel's last figures, per plan, kept in a file between sessions."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from addon import cache
from learnplan.base.atomic import TEMP_GLOB


def test_figures_survive_a_new_session(tmp_path: Path) -> None:
    path = cache.cache_file(tmp_path / "user_files", str(tmp_path / "collection.anki2"))
    first = cache.FigureCache(path)
    assert first.get() is None
    first.put("a", "<p>plan a</p>")
    first.put("b", "<p>plan b</p>")
    again = cache.FigureCache(path)  # as after restarting Anki
    assert again.get() == "<p>plan b</p>"  # the plan shown last
    assert again.get("a") == "<p>plan a</p>"
    assert again.get("zzz") is None
    assert list(path.parent.glob(TEMP_GLOB)) == []  # no temporary file left behind


def test_figures_already_shown_last_are_not_written_again(tmp_path: Path) -> None:
    path = tmp_path / "panel.json"
    figures = cache.FigureCache(path)
    figures.put("a", "<p>a</p>")
    figures.put("b", "<p>b</p>")
    written = path.stat()
    figures.put("b", "<p>b</p>")  # a refresh that changed nothing
    cache.FigureCache(path).put("b", "<p>b</p>")  # nor after restarting Anki
    assert path.stat().st_ino == written.st_ino  # the file was not replaced
    assert path.stat().st_mtime_ns == written.st_mtime_ns
    figures.put("a", "<p>a</p>")  # unchanged, but now the plan shown last
    assert path.stat().st_ino != written.st_ino
    assert cache.FigureCache(path).get() == "<p>a</p>"
    changed = path.stat()
    figures.put("a", "<p>a, later</p>")
    assert path.stat().st_ino != changed.st_ino
    assert cache.FigureCache(path).get() == "<p>a, later</p>"


def test_each_collection_has_its_own_file(tmp_path: Path) -> None:
    one = cache.cache_file(tmp_path, "/profiles/User 1/collection.anki2")
    two = cache.cache_file(tmp_path, "/profiles/User 2/collection.anki2")
    assert one != two and one.parent == two.parent == tmp_path


def test_damaged_or_old_files_are_no_cache(tmp_path: Path) -> None:
    path = tmp_path / "panel.json"
    path.write_text("{not json", encoding="utf-8")
    assert cache.FigureCache(path).get() is None
    old = {"format": cache.FORMAT - 1, "current": "a", "plans": {"a": "<p>old markup</p>"}}
    path.write_text(json.dumps(old), encoding="utf-8")
    assert cache.FigureCache(path).get() is None
    # and a damaged file is replaced by the next good write
    fresh = cache.FigureCache(path)
    fresh.put("a", "<p>new</p>")
    assert cache.FigureCache(path).get("a") == "<p>new</p>"


def test_only_the_latest_plans_are_kept(tmp_path: Path) -> None:
    figures = cache.FigureCache(tmp_path / "panel.json")
    for i in range(cache.MAX_PLANS + 3):
        figures.put(f"p{i}", f"<p>{i}</p>")
    again = cache.FigureCache(tmp_path / "panel.json")
    assert again.get("p0") is None
    assert again.get(f"p{cache.MAX_PLANS + 2}") == f"<p>{cache.MAX_PLANS + 2}</p>"


def test_an_unwritable_folder_only_loses_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    figures = cache.FigureCache(blocker / "sub" / "panel.json")  # parent is a file
    figures.put("a", "<p>a</p>")  # must not raise
    assert figures.get() == "<p>a</p>"  # still there for this session


# --- TrackerFiles: the memory tracker's state per plan ---------------------------------

STATE = {"version": 1, "plan": "p", "cards": [1, 2, 3] * 1000, "memory": [0.5, 1e-300, 3.25]}


def test_tracker_state_round_trips_per_collection_and_plan(tmp_path: Path) -> None:
    files = cache.TrackerFiles(tmp_path / "user_files", str(tmp_path / "collection.anki2"))
    assert files.read("p") is None
    assert files.write("p", STATE)
    assert files.read("p") == STATE
    assert files.read("q") is None
    assert files.path("p") != files.path("q")
    assert files.path("p").parent == tmp_path / "user_files"
    assert files.path("p").name.startswith("tracker-") and files.path("p").suffix == ".bin"
    assert files.path("p").stat().st_size < 1000  # compressed: repeated values cost little
    again = cache.TrackerFiles(tmp_path / "user_files", str(tmp_path / "collection.anki2"))
    assert again.read("p") == STATE  # as after restarting Anki
    other = cache.TrackerFiles(tmp_path / "user_files", str(tmp_path / "other.anki2"))
    assert other.path("p") != files.path("p") and other.read("p") is None
    assert not files.write("p", {})  # a tracker never refreshed has nothing to save
    assert files.read("p") == STATE


def test_tracker_files_of_another_format_are_ignored(tmp_path: Path) -> None:
    files = cache.TrackerFiles(tmp_path, str(tmp_path / "collection.anki2"))
    files.write("p", STATE)
    data = files.path("p").read_bytes()
    older = data.replace(cache.TRACKER_MAGIC, b"learnplan-tracker\x00\x04", 1)
    files.path("p").write_bytes(older)
    assert files.read("p") is None
    files.path("p").write_bytes(json.dumps(STATE).encode())
    assert files.read("p") is None


def test_only_the_latest_tracker_files_are_kept(tmp_path: Path) -> None:
    import os

    files = cache.TrackerFiles(tmp_path, str(tmp_path / "collection.anki2"))
    neighbour = cache.TrackerFiles(tmp_path, str(tmp_path / "other.anki2"))
    neighbour.write("n", STATE)
    for i in range(cache.MAX_TRACKERS + 2):
        files.write(f"p{i}", STATE)
        os.utime(files.path(f"p{i}"), (1000 + i, 1000 + i))  # distinct, ordered times
    files.write("p0", STATE)  # written again: the newest now
    kept = {f"p{i}" for i in range(cache.MAX_TRACKERS + 2) if files.read(f"p{i}") is not None}
    assert len(kept) == cache.MAX_TRACKERS and "p0" in kept and "p1" not in kept
    assert neighbour.read("n") == STATE  # another collection's files are left alone


def test_an_unwritable_folder_only_loses_the_tracker_state(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    files = cache.TrackerFiles(blocker / "sub", str(tmp_path / "collection.anki2"))
    assert not files.write("p", STATE)  # must not raise
    assert files.read("p") is None


def test_a_temporary_file_left_by_a_killed_write_goes_once_it_is_old(tmp_path: Path) -> None:
    files = cache.TrackerFiles(tmp_path, str(tmp_path / "collection.anki2"))
    stale = tmp_path / TEMP_GLOB.replace("*", "killed")
    stale.write_bytes(b"half a state")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    running = tmp_path / TEMP_GLOB.replace("*", "running")  # another write, in progress
    running.write_bytes(b"half a state")
    assert files.write("p", {"cards": [1, 2, 3]})
    assert not stale.exists() and running.exists()
    assert files.read("p") == {"cards": [1, 2, 3]}
