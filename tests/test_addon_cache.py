"""addon/cache.py: the panel's last figures, per plan, kept in a file between sessions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from addon import cache


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
    assert list(path.parent.glob(".panel-*")) == []  # no temporary file left behind


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
