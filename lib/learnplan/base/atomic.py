"""Writing files so that a reader sees the old file or the whole new one, never half of one.

:func:`replace_file` writes a temporary file beside the target and renames it over the
target; :func:`create_file` does the same but never replaces anything that exists. The
temporary names are short and fixed in shape (``.learnplan-XXXXXXXX.tmp``), so a long
target name cannot make them too long, and every error names the target, not them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["TEMP_GLOB", "create_file", "replace_file", "scratch_file"]

#: Mode of a new file: readable by everyone, as a deck or report is meant to be shared.
NEW_FILE_MODE = 0o644
_PREFIX = ".learnplan-"
#: The names of the temporary files :func:`replace_file` and :func:`create_file` write
#: (a process killed while writing leaves one behind; it may be removed once old).
TEMP_GLOB = _PREFIX + "*.tmp"


def _named(exc: OSError, target: Path) -> OSError:
    """``exc`` about ``target``: the learner never hears of our temporary files."""
    return OSError(exc.errno or errno.EIO, exc.strerror or str(exc), str(target))


def _folder(target: Path) -> Path:
    return target.parent


@contextlib.contextmanager
def scratch_file(beside: str | os.PathLike[str], suffix: str = ".tmp") -> Iterator[Path]:
    """A new empty temporary file in the folder of ``beside``, removed afterwards whatever
    happens. Errors creating it name ``beside``."""
    target = Path(beside)
    try:
        fd, name = tempfile.mkstemp(prefix=_PREFIX, suffix=suffix, dir=_folder(target))
    except OSError as exc:
        raise _named(exc, target) from None
    os.close(fd)
    try:
        yield Path(name)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


def _write_temp(target: Path, write: Callable[[BinaryIO], None], mode: int) -> str:
    """A temporary file beside ``target`` holding what ``write`` wrote, synced, with
    ``mode``. The caller renames or links it into place, then removes the name."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=_PREFIX, suffix=".tmp", dir=_folder(target))
    except OSError as exc:
        raise _named(exc, target) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename in (tmp, None):
            raise _named(exc, target) from None
        raise
    return tmp


def _as_writer(content: bytes | Callable[[BinaryIO], None]) -> Callable[[BinaryIO], None]:
    if not isinstance(content, bytes):
        return content
    data = content

    def write(handle: BinaryIO) -> None:
        handle.write(data)

    return write


def replace_file(path: str | os.PathLike[str], content: bytes | Callable[[BinaryIO], None]) -> Path:
    """Write ``content`` (bytes, or a function writing to a binary file) to ``path``
    atomically: afterwards ``path`` holds the whole new content, or, on any failure, what
    it held before. An existing file keeps its permissions, and a symlink stays a
    symlink (the file it points to is replaced). Returns ``path``."""
    target = Path(path)
    real = Path(os.path.realpath(target))
    try:
        mode = stat.S_IMODE(os.stat(real).st_mode)
    except FileNotFoundError:
        mode = NEW_FILE_MODE
    except OSError as exc:
        raise _named(exc, target) from None
    tmp = _write_temp(real, _as_writer(content), mode)
    try:
        os.replace(tmp, real)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise _named(exc, target) from None
    return target


def create_file(path: str | os.PathLike[str], content: bytes) -> Path:
    """Write ``content`` to a new file at ``path``, atomically, never replacing anything:
    raises ``FileExistsError`` if ``path`` exists (even as a dangling symlink)."""
    target = Path(path)
    tmp = _write_temp(target, _as_writer(content), NEW_FILE_MODE)
    try:
        try:
            # A hard link fails if the name exists, and puts the whole file there at once.
            os.link(tmp, target)
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                raise _named(exc, target) from None
            # A file system without hard links: "x" mode still never replaces anything.
            try:
                with open(target, "xb") as handle:
                    handle.write(content)
            except FileExistsError:
                raise
            except OSError as exc2:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(target)
                raise _named(exc2, target) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return target
