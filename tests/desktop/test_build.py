"""scripts/build_addon.py: the .ankiaddon Anki would install (no desktop needed)."""

from __future__ import annotations

import importlib.util
import json
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from . import harness


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_addon", harness.ROOT / "scripts" / "build_addon.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_addon"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist") / "learning-plan.ankiaddon"
    # main() runs the self-check: every vendored package imports without site-packages.
    assert _build_module().main(["--out", str(out)]) == 0
    return out


def test_layout(package: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        names = zf.namelist()
    assert "manifest.json" in names and "__init__.py" in names and "config.json" in names
    assert "_vendor/learnplan/__init__.py" in names
    assert any(n.startswith("_vendor/learnplan/data/zero-to-deep-learning/") for n in names)
    for dep in ("genanki/", "ruamel/yaml/", "markdown_it/", "bleach/", "yaml/", "frozendict/"):
        assert any(n.startswith("_vendor/" + dep) for n in names), dep
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".so"))]
    assert "meta.json" not in names  # Anki writes that per install


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
    assert _build_module().main(["--out", str(again), "--no-check"]) == 0
    assert again.read_bytes() == package.read_bytes()


def test_install_like_anki(package: Path, tmp_path: Path) -> None:
    target = harness.install_addon(package, tmp_path)
    assert target == tmp_path / "addons21" / "learning_plan"
    assert (target / "_vendor" / "learnplan" / "plan.py").is_file()
    assert json.loads((target / "meta.json").read_text())["name"] == "Learning Plan"
