"""scripts/build_addon.py: the .ankiaddon Anki would install (no desktop needed)."""

from __future__ import annotations

import ast
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from . import harness

CHECKED_LIBRARIES = {"learnplan", "genanki", "ruamel", "markdown_it", "bleach", "yaml"}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # main() runs the self-check (scripts/check_addon.py) on the zip it wrote.
    return harness.build_addon(tmp_path_factory.mktemp("dist") / "learning-plan.ankiaddon")


def _sources(package: Path) -> dict[str, str]:
    with zipfile.ZipFile(package) as zf:
        return {n: zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".py")}


def test_layout(package: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        names = zf.namelist()
    assert "manifest.json" in names and "__init__.py" in names and "config.json" in names
    assert "_vendor/__init__.py" in names  # the libraries are a subpackage of the add-on
    assert "_vendor/learnplan/__init__.py" in names
    assert any(n.startswith("_vendor/learnplan/data/zero-to-deep-learning/") for n in names)
    for dep in ("genanki/", "ruamel/yaml/", "markdown_it/", "bleach/", "yaml/", "frozendict/"):
        assert any(n.startswith("_vendor/" + dep) for n in names), dep
    assert not [n for n in names if n.startswith("_vendor/_yaml/")]  # C-extension shim
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".so"))]
    assert "meta.json" not in names  # Anki writes that per install


def test_no_test_hooks(package: Path) -> None:
    """Nothing in the shipped add-on reads the environment, runs code it is handed, or
    knows about the desktop test (which brings its driver as a separate add-on)."""
    sources = _sources(package)
    with zipfile.ZipFile(package) as zf:
        texts = {n: zf.read(n).decode("utf-8", "replace") for n in zf.namelist()}
    for marker in ("LEARNPLAN_TEST", "driver.py", "tests/desktop", "driver_addon"):
        assert not [n for n, text in texts.items() if marker in text], marker
    own = {n: src for n, src in sources.items() if not n.startswith("_vendor/")}
    assert {"__init__.py", "shell.py", "panel.py", "store.py"} <= set(own)
    for name, source in own.items():
        for node in ast.walk(ast.parse(source, name)):
            if isinstance(node, ast.Attribute):
                assert node.attr not in ("environ", "getenv", "environb"), f"{name}:{node.lineno}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("exec", "eval", "compile", "__import__"), (
                    f"{name}:{node.lineno}"
                )
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                modules.append(getattr(node, "module", None) or "")
                assert not {"runpy", "code", "importlib"} & {m.split(".")[0] for m in modules}


def test_no_absolute_import_of_a_vendored_library(package: Path) -> None:
    """Every import of a vendored library, in the add-on and in the libraries themselves,
    is relative: none can reach a top-level copy, nor add one to sys.modules."""
    vendored = harness.vendored_names(package)
    assert CHECKED_LIBRARIES | {"chevron", "mdurl", "webencodings"} <= vendored
    escaping = []
    for name, source in _sources(package).items():
        for node in ast.walk(ast.parse(source, name)):
            if isinstance(node, ast.Import):
                tops = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops = [node.module.split(".")[0]]
            else:
                continue
            escaping += [f"{name}:{node.lineno}: {t}" for t in tops if t in vendored]
    assert escaping == []
    store = _sources(package)["store.py"]
    assert "from ._vendor.learnplan.model.plan import" in store


def test_installed_addon_leaves_imports_alone(package: Path, tmp_path: Path) -> None:
    """The built add-on, installed under a numeric folder as AnkiWeb does and imported in a
    Python with only the standard library (scripts/check_addon.py): sys.path unchanged,
    no top-level module but its own, decoy copies of every library left alone - while
    its vendored learnplan, genanki, ruamel.yaml, markdown-it and bleach build packages
    that Anki imports."""
    from anki.collection import Collection
    from helpers_anki import import_package

    found: dict[str, Any] = harness.build_addon_module().check_installed(package, tmp_path)
    assert found["package"] == "1234567890"
    assert found["sys_path_unchanged"] is True
    foreign = [n for n in found["top_level_added"] if n not in sys.stdlib_module_names]
    assert foreign == ["1234567890"]
    assert set(found["loaded_by_build"]) >= CHECKED_LIBRARIES
    assert found["learnplan_file"].startswith(str(tmp_path / "addons21" / "1234567890"))
    modules = {m.rpartition(".")[2] for m in found["addon_modules"]}
    assert {"store", "viewmodel", "markup", "page", "loader", "forms", "cache"} <= modules
    assert {m.rpartition(".")[2] for m in found["need_anki"]} <= {
        "shell",
        "panel",
        "commands",
        "detect",
        "importing",
        "upkeep",
        "guard",
    }

    for key in ("apkg", "genanki_apkg"):  # learnplan's writer and genanki's own
        col = Collection(str(tmp_path / f"{key}.anki2"))
        try:
            log = import_package(col, found[key])
            assert len(log.new) == found["notes"] == col.note_count() == 80
            assert col.card_count() == found["cards"]
            assert col.decks.id_for_name("Zero to Deep Learning") is not None
            assert col.find_notes(f"tag:{found['plan_id']}::*")
        finally:
            col.close()

    col = Collection(str(tmp_path / "markdown.anki2"))
    try:
        import_package(col, found["markdown_apkg"])
        (nid,) = col.find_notes("")
        front, back = col.get_note(nid).fields[:2]
    finally:
        col.close()
    assert "<em>Which</em>" in front  # markdown-it
    assert "<table>" in back and "<td>int</td>" in back
    assert "<b>bold</b>" in back and "<script" not in back and "alert" not in back  # bleach


def test_manifest_is_valid_for_anki(package: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    addons = pytest.importorskip("aqt.addons")
    from anki.utils import int_version

    with zipfile.ZipFile(package) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    jsonschema.validate(manifest, addons.AddonManager._manifest_schema)
    assert manifest["package"] == "learning_plan"
    assert addons.package_name_valid(manifest["package"])
    # Installable on the Anki this was tested with.
    assert manifest["min_point_version"] <= int_version()


def test_same_sources_same_bytes(package: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.ankiaddon"
    assert harness.build_addon_module().main(["--out", str(again), "--no-check"]) == 0
    assert again.read_bytes() == package.read_bytes()


def test_install_like_anki(package: Path, tmp_path: Path) -> None:
    target = harness.install_addon(package, tmp_path)
    assert target == tmp_path / "addons21" / "learning_plan"
    assert (target / "_vendor" / "learnplan" / "model" / "plan.py").is_file()
    assert json.loads((target / "meta.json").read_text())["name"] == "Learning Plan"
