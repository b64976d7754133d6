"""What a file was parsed into, kept per process while the file stays the same.

The panel reads the same record files and plan manifests on every refresh; they are
never changed once written, but one replaced by hand (or by a sync) must be read again,
so each value is kept with the file's size, modification time, inode and device and
used only while all four still match.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

__all__ = ["FileCache"]

V = TypeVar("V")
_Stamp = tuple[int, int, int, int]


class FileCache(Generic[V]):
    """Values computed from files, by path. Thread-safe.

    Callers keep the values immutable (frozen dataclasses, tuples): every reader of a
    file gets the same object. ``compute`` should not raise for a bad file: return what
    is wrong as a value instead, so that it is cached too.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit  # entries; a long-running process that opens many collections
        self._values: dict[str, tuple[_Stamp, V]] = {}
        self._lock = threading.Lock()

    def get(self, path: Path, compute: Callable[[Path, os.stat_result], V]) -> V:
        """``compute(path, its stat)``, or what it returned before for the file as it is
        now. Raises ``OSError`` when the file cannot be stat'ed (nothing is kept)."""
        st = path.stat()
        stamp = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)
        key = str(path)
        with self._lock:
            hit = self._values.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        value = compute(path, st)
        with self._lock:
            if len(self._values) >= self._limit:
                self._values.clear()
            self._values[key] = (stamp, value)
        return value

    def clear(self) -> None:
        """Forget every value (the next read of each file parses it again)."""
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)
