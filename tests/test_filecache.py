from __future__ import annotations

import os
from pathlib import Path

import pytest

from learnplan.base.filecache import FileCache


def test_a_file_is_computed_once_while_it_stays_the_same(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("one")
    calls: list[str] = []

    def compute(p: Path, st: os.stat_result) -> tuple[str, int]:
        calls.append(p.read_text())
        return (p.read_text(), st.st_size)

    cache: FileCache[tuple[str, int]] = FileCache(limit=10)
    assert cache.get(path, compute) == ("one", 3)
    assert cache.get(path, compute) == ("one", 3)
    assert calls == ["one"]
    # The same size, a later modification time: computed again.
    stamp = path.stat().st_mtime_ns
    path.write_text("two")
    os.utime(path, ns=(stamp, stamp + 1_000_000_000))
    assert cache.get(path, compute) == ("two", 3)
    # Another size: computed again.
    path.write_text("three")
    assert cache.get(path, compute) == ("three", 5)
    assert calls == ["one", "two", "three"]


def test_a_full_cache_starts_again_and_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    cache: FileCache[str] = FileCache(limit=2)
    paths = [tmp_path / f"{n}.txt" for n in range(3)]
    for path in paths:
        path.write_text(path.name)
        cache.get(path, lambda p, _st: p.read_text())
    assert len(cache) == 1  # full at the third: emptied, then the third kept
    missing = tmp_path / "missing.txt"
    with pytest.raises(FileNotFoundError):
        cache.get(missing, lambda p, _st: "never")
    assert len(cache) == 1
    cache.clear()
    assert len(cache) == 0
