"""Shared fixtures: the repository's paths, the bundled plan and its package, and a real
Anki collection.

Nothing here edits ``sys.path``: the library is installed (``pip install -e .``), and
pyproject's ``[tool.pytest.ini_options] pythonpath`` puts the repository root (for the
add-on package, ``addon``) and ``scripts/`` on it; the helpers beside this file
(``helpers_anki``, ``helpers_yaml``, ``old_layout``) are importable because pytest puts
the folder of this rootdir conftest on the path.

``--delay-after-collection=SECONDS`` waits that long between collecting the tests and
running them: a test that took a timestamp or a date at import time (rather than when its
fixture runs) then sees a clock that moved on, as on a slow machine.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest
from helpers_anki import collection, import_package

from learnplan.building.apkg import write_package
from learnplan.building.deck import build_package
from learnplan.model.plan import Plan
from learnplan.reading.outline import default_plan_path, load_plan

if TYPE_CHECKING:
    from anki.collection import Collection

#: The repository's root folder.
REPO = Path(__file__).resolve().parents[1]
#: The example outline of docs/outline.md (plan.yaml, Markdown card files, an image).
OUTLINE_EXAMPLE = REPO / "tests" / "fixtures" / "outline" / "example"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--delay-after-collection",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long after collecting the tests, before running them (shows tests "
        "that took the time at import)",
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    delay = float(session.config.getoption("--delay-after-collection"))
    if delay > 0 and not session.config.option.collectonly:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"waiting {delay:g} s after collection")
        time.sleep(delay)


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository's root folder."""
    return REPO


@pytest.fixture(scope="session")
def outline_example() -> Path:
    """The example outline of docs/outline.md (read only: copy it before changing it)."""
    return OUTLINE_EXAMPLE


@pytest.fixture(scope="session")
def default_plan() -> Plan:
    """The bundled plan (Zero to Deep Learning), read without writing ids back."""
    return load_plan(default_plan_path(), assign_ids=False)


@pytest.fixture(scope="session")
def default_package(default_plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled plan's .apkg, built once for the session (build time: when built)."""
    out = tmp_path_factory.mktemp("default-package") / "default.apkg"
    return write_package(build_package(default_plan), out)


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    """A new, empty, real Anki collection in ``tmp_path`` (closed afterwards), with its day
    cutoff half a day away from now (see ``helpers_anki.far_rollover``)."""
    from addon import undo

    try:
        with collection(tmp_path) as c:
            yield c
    finally:
        # As when Anki closes a profile (the add-on's profile_will_close hook): the undo
        # journal of this session's steps goes, so no test sees another's steps.
        undo.JOURNAL.clear()


@pytest.fixture
def default_col(col: Collection, default_package: Path) -> Collection:
    """:func:`col` with the bundled plan's package imported by Anki's own importer."""
    import_package(col, default_package)
    return col


@pytest.fixture(scope="session")
def benchmark_build() -> ModuleType:
    """benchmarks/build.py (the outline the speed targets use), loaded from its file:
    benchmarks/ is not a package and stays off ``sys.path``."""
    path = REPO / "benchmarks" / "build.py"
    spec = importlib.util.spec_from_file_location("benchmarks_build", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
