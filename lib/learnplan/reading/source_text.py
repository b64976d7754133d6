"""Reading a plan's source files: UTF-8 text of bounded size, and its lines."""

from __future__ import annotations

from pathlib import Path

from learnplan.base.errors import PlanError

#: Larger files are refused: a plan is hand-written, and a runaway file should fail fast.
MAX_FILE_BYTES = 20 * 1024 * 1024


def read_source_text(path: Path) -> str:
    """A plan source file as text: UTF-8 (an optional BOM is dropped), at most
    :data:`MAX_FILE_BYTES`. Raises :class:`PlanError` naming the file and line."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise PlanError.at(path, 0, "is a folder, not a file") from None
    except FileNotFoundError:
        raise PlanError.at(path, 0, "file not found") from None
    except OSError as exc:
        raise PlanError.at(path, 0, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise PlanError.at(
            path, 0, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it up"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PlanError.at(
            path,
            line,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at byte offset {exc.start}); "
            "save the file as UTF-8",
        ) from None


def split_lines(text: str) -> list[str]:
    """Lines without their endings. Only ``\\n`` and ``\\r\\n`` end a line, as in editors
    (``str.splitlines`` would also split on form feeds and Unicode separators)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if "\r" not in text:
        return lines
    return [line[:-1] if line.endswith("\r") else line for line in lines]
