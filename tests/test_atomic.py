"""Whole files or none: replacing and creating files through a temporary file."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

import pytest

from learnplan.base.atomic import create_file, replace_file, scratch_file


def test_replace_keeps_mode_and_symlinks_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old")
    os.chmod(real, 0o600)
    os.symlink("real.txt", tmp_path / "link.txt")
    replace_file(tmp_path / "link.txt", b"new")
    assert (tmp_path / "link.txt").is_symlink() and real.read_bytes() == b"new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600

    def writer(handle: BinaryIO) -> None:
        handle.write(b"written")

    replace_file(tmp_path / "fresh.txt", writer)
    assert (tmp_path / "fresh.txt").read_bytes() == b"written"
    assert stat.S_IMODE((tmp_path / "fresh.txt").stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.txt", "link.txt", "real.txt"]


def test_a_failure_keeps_the_old_file_and_names_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    def broken(handle: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError) as info:
        replace_file(target, broken)
    assert info.value.filename == str(target) and info.value.errno == errno.ENOSPC
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]
    with pytest.raises(OSError) as info:
        replace_file(tmp_path / "missing" / "x.bin", b"x")
    assert info.value.filename == str(tmp_path / "missing" / "x.bin")
    with pytest.raises(OSError) as info, scratch_file(tmp_path / "missing" / "x.bin"):
        pass
    assert info.value.filename == str(tmp_path / "missing" / "x.bin")


def test_create_never_replaces_anything(tmp_path: Path) -> None:
    create_file(tmp_path / "a.txt", b"first")
    with pytest.raises(FileExistsError):
        create_file(tmp_path / "a.txt", b"second")
    assert (tmp_path / "a.txt").read_bytes() == b"first"
    os.symlink("nowhere", tmp_path / "dangling")
    with pytest.raises(FileExistsError):
        create_file(tmp_path / "dangling", b"x")
    assert not (tmp_path / "nowhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "dangling"]
