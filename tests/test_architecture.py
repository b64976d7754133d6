"""Rules of the code's layout that import-linter's contracts (pyproject.toml, run by
scripts/test.sh) do not state: one helper writes files through a temporary file, and no
module of the library imports the package's own ``__init__``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

#: Where our own Python lives (the add-on's vendored copies are built, not written).
SOURCES = ("lib/learnplan", "addon", "scripts", "benchmarks")
ATOMIC = Path("lib/learnplan/base/atomic.py")
#: What a hand-written "temporary file, then rename" is made of.
TEMP_THEN_RENAME = {
    ("os", "replace"),
    ("os", "rename"),
    ("os", "renames"),
    ("tempfile", "mkstemp"),
    ("tempfile", "NamedTemporaryFile"),
}


def _sources(repo: Path) -> list[Path]:
    return sorted(
        path.relative_to(repo)
        for folder in SOURCES
        for path in (repo / folder).rglob("*.py")
        if "_vendor" not in path.relative_to(repo).parts
    )


def temp_then_rename(source: str) -> list[tuple[int, str]]:
    """(line, name) of every use of :data:`TEMP_THEN_RENAME` in ``source``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in TEMP_THEN_RENAME
        ):
            found.append((node.lineno, f"{node.value.id}.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module in ("os", "tempfile"):
            found += [
                (node.lineno, f"{node.module}.{alias.name}")
                for alias in node.names
                if (node.module, alias.name) in TEMP_THEN_RENAME
            ]
    return found


def package_imports(source: str) -> list[int]:
    """Lines of ``source`` that import the ``learnplan`` package itself (its __init__)."""
    lines: list[int] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        if "learnplan" in names:
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("import os\nos.replace('a', 'b')\n", [(2, "os.replace")]),
        ("from tempfile import mkstemp as m\n", [(1, "tempfile.mkstemp")]),
        ("import tempfile\nfd, name = tempfile.mkstemp()\n", [(2, "tempfile.mkstemp")]),
        ("text = 'a'.replace('a', 'b')\nimport os\nos.path.join('a')\n", []),
    ],
)
def test_the_scan_finds_what_it_looks_for(source: str, found: list[tuple[int, str]]) -> None:
    assert temp_then_rename(source) == found


def test_only_the_atomic_helper_writes_through_a_temporary_file(repo: Path) -> None:
    # Every other "write a temporary file, then rename it" goes through
    # learnplan.base.atomic, so there is one place that gets it right (fsync, modes,
    # symlinks, errors that name the target, nothing left behind).
    sources = _sources(repo)
    assert ATOMIC in sources and len(sources) > 50
    assert temp_then_rename((repo / ATOMIC).read_text(encoding="utf-8"))  # it is the one
    found = {
        f"{path}:{line}: {name}"
        for path in sources
        if path != ATOMIC
        for line, name in temp_then_rename((repo / path).read_text(encoding="utf-8"))
    }
    assert found == set()


def test_no_library_module_imports_the_package_itself(repo: Path) -> None:
    # learnplan/__init__.py imports from every layer; a module importing it (say, for
    # __version__, which lives in learnplan._version) would import its own importers.
    assert package_imports("from learnplan import __version__\nimport learnplan\n") == [1, 2]
    found = [
        f"{path}:{line}"
        for path in _sources(repo)
        if path.parts[:2] == ("lib", "learnplan")
        for line in package_imports((repo / path).read_text(encoding="utf-8"))
    ]
    assert found == []
