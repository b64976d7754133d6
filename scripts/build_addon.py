"""Build dist/learning-plan.ankiaddon: the add-on, the learnplan library and its deps.

Usage: python scripts/build_addon.py [--out PATH] [--no-check]

The add-on's sources are staged in a temporary folder with the learnplan package and its
pure-Python runtime dependencies, copied from the environment running this script (they
must be installed: `pip install -e .`), in `_vendor/`. Every import of a vendored library
in the staged files is then rewritten into a relative import under the add-on's own
package (scripts/vendor_imports.py), so nothing is added to `sys.path` and Anki's or other
add-ons' `import yaml` keeps getting their own copy. The zip is written with
manifest.json at its root, as Anki's add-on installer expects. Compiled extensions are
left out on purpose: Anki ships its own Python, so every vendored package must work from
pure Python (PyYAML, ruamel.yaml and frozendict all fall back to their Python
implementations). The result is checked by scripts/check_addon.py: the add-on imported
from the zip alone (no site-packages) builds a package without touching `sys.path` or
adding any top-level module but its own.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from vendor_imports import Policy, rewrite_tree

from learnplan.base.atomic import replace_file

ROOT = Path(__file__).resolve().parents[1]
ADDON = ROOT / "addon"
VENDOR_DIR = "_vendor"
CHECK_SCRIPT = Path(__file__).resolve().with_name("check_addon.py")
DEFAULT_OUT = ROOT / "dist" / "learning-plan.ankiaddon"
LIBRARY = ROOT / "lib" / "learnplan"

#: The library's runtime requirements (pyproject.toml); their own requirements follow.
ROOT_REQUIREMENTS = ("genanki", "PyYAML", "ruamel.yaml", "markdown-it-py", "bleach")
#: Provided by Anki itself; never vendored.
PROVIDED_BY_ANKI = frozenset({"anki", "aqt", "protobuf", "orjson", "markdown", "requests"})
#: Top-level modules the add-on and its libraries may import from Anki's own Python.
HOST_MODULES = frozenset({"anki", "aqt"})
#: Optional imports of packages that are not vendored: made to fail as "not installed"
#: whatever Anki's Python holds (each is inside try/except or TYPE_CHECKING, or in code
#: learnplan never calls).
ABSENT_MODULES = {
    "_ruamel_yaml": "ruamel.yaml's optional C parser; the pure-Python one is used",
    "_ruamel_yaml_clibz": "ruamel.yaml's optional C parser; the pure-Python one is used",
    "chardet": "html5lib (in bleach) guesses the encoding of bytes; bleach passes text",
    "genshi": "html5lib's Genshi tree adapter, never used by bleach",
    "lxml": "html5lib's lxml tree builder and walker, never used by bleach",
    "tinycss2": "bleach.css_sanitizer, not used by learnplan",
    "linkify_it": "markdown-it's linkify option, off in learnplan",
    "typing_extensions": "imported by markdown-it only under TYPE_CHECKING",
    "ordereddict": "a Python 2 fallback in ruamel.yaml",
    "configobj": "ruamel.yaml's configobj walker, not used",
    "orjson": "frozendict's monkeypatch of orjson: Anki's orjson is left alone",
    "renderer": "chevron's Python 2 fallback after its relative import",
    "metadata": "chevron's Python 2 fallback after its relative import",
    "tokenizer": "chevron's Python 2 fallback after its relative import",
}
#: Imports by a name computed at run time, each read and found to work under the package.
_PYTHON_TAGS = (
    "names come from !!python/ tags in a YAML document and must already be imported by "
    "their absolute name; genanki and learnplan load no such tags"
)
REVIEWED_DYNAMIC = {
    ("_vendor/yaml/constructor.py", "FullConstructor.find_python_module"): _PYTHON_TAGS,
    ("_vendor/yaml/constructor.py", "FullConstructor.find_python_name"): _PYTHON_TAGS,
    ("_vendor/ruamel/yaml/constructor.py", "Constructor.find_python_module"): _PYTHON_TAGS,
    ("_vendor/ruamel/yaml/constructor.py", "Constructor.find_python_name"): _PYTHON_TAGS,
    ("_vendor/ruamel/yaml/main.py", "YAML.__init__"): (
        "plug-ins: learnplan passes none, and the official ones (*/__plug_in__.py beside "
        "ruamel/yaml, imported by absolute name) are never vendored: see DROP"
    ),
}
#: Vendored files left out of the add-on (paths under _vendor/, glob patterns).
DROP = (
    "_yaml",  # PyYAML's top-level shim for its C extension, which is not vendored
    "ruamel/yaml/clibz",  # the setup script of ruamel.yaml's optional C extension
    "ruamel/yaml/*/__plug_in__.py",  # ruamel.yaml plug-ins import by absolute name
)
_SKIP_SUFFIXES = (".so", ".pyd", ".dylib", ".dll", ".pyc", ".pyo", ".c", ".h")
_LICENSE = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|AUTHORS)", re.IGNORECASE)
# A fixed date for every entry, so the same sources give the same zip bytes.
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_distributions() -> list[metadata.Distribution]:
    """The root requirements and everything they need (no extras), minus Anki's own."""
    seen: dict[str, metadata.Distribution] = {}
    todo = list(ROOT_REQUIREMENTS)
    while todo:
        name = _norm(todo.pop())
        if name in seen or name in PROVIDED_BY_ANKI:
            continue
        dist = metadata.distribution(name)
        seen[name] = dist
        for req in dist.requires or []:
            if ";" in req and "extra" in req.split(";", 1)[1]:
                continue
            if ";" in req and "platform_python_implementation" in req:
                continue  # e.g. ruamel.yaml.clib: a C accelerator, optional
            todo.append(re.split(r"[\s;<>=!~\[(]", req, maxsplit=1)[0])
    return [seen[k] for k in sorted(seen)]


def _wanted(rel: PurePosixPath) -> bool:
    parts = rel.parts
    if not parts or parts[0] == ".." or "__pycache__" in parts:
        return False
    if rel.name.endswith(_SKIP_SUFFIXES) or rel.suffix == ".pth":
        return False
    if parts[0].endswith(".dist-info"):
        return rel.name == "METADATA" or bool(_LICENSE.search(rel.name))
    return True


def vendor(target: Path) -> list[str]:
    """Fill ``target`` with learnplan and its runtime deps; returns the distributions."""
    target.mkdir(parents=True)
    shutil.copytree(
        LIBRARY,
        target / "learnplan",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    names: list[str] = []
    for dist in runtime_distributions():
        names.append(f"{dist.metadata['Name']} {dist.version}")
        for file in dist.files or []:
            rel = PurePosixPath(str(file))
            if not _wanted(rel):
                continue
            source = Path(str(dist.locate_file(file)))
            if not source.is_file():
                continue
            dest = target.joinpath(*rel.parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
    for pattern in DROP:
        for path in list(target.glob(pattern)):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    (target / "__init__.py").write_text(
        '"""Libraries vendored by scripts/build_addon.py, imported only as this package."""\n',
        encoding="utf-8",
    )
    (target / "VENDORED.txt").write_text("\n".join(names) + "\n", encoding="utf-8")
    return names


def vendored_names(target: Path) -> frozenset[str]:
    """The top-level import names under ``target`` (packages and modules)."""
    return frozenset(
        p.name if p.is_dir() else p.stem
        for p in target.iterdir()
        if (p.is_dir() and p.name.isidentifier()) or (p.suffix == ".py" and p.stem != "__init__")
    )


def stage(target: Path) -> list[str]:
    """The add-on as it ships, in ``target``: sources, vendored libraries, imports rewritten.

    Raises SystemExit naming every import the rewriting cannot make safe.
    """
    for path in _files(ADDON):
        dest = target / path.relative_to(ADDON)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    names = vendor(target / VENDOR_DIR)
    policy = Policy(
        vendored=vendored_names(target / VENDOR_DIR),
        host=HOST_MODULES,
        absent=ABSENT_MODULES,
        reviewed=REVIEWED_DYNAMIC,
        vendor_dir=VENDOR_DIR,
    )
    report = rewrite_tree(target, policy)
    if report.problems:
        raise SystemExit("cannot vendor safely:\n  " + "\n  ".join(report.problems))
    print(f"rewrote {report.rewritten} imports in {report.files} files")
    return names


def _files(base: Path) -> list[Path]:
    out = []
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base)
        if path.is_dir() or "__pycache__" in rel.parts or path.suffix in (".pyc", ".pyo"):
            continue
        if rel.parts[0] in ("meta.json", "user_files", VENDOR_DIR):
            continue  # Anki's own per-install files, never shipped; a stale old _vendor
        out.append(path)
    return out


def write_zip(staged: Path, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    entries: list[tuple[str, bytes]] = [("manifest.json", json.dumps(manifest, indent=2).encode())]
    for path in sorted(p for p in staged.rglob("*") if p.is_file()):
        entries.append((path.relative_to(staged).as_posix(), path.read_bytes()))

    def write(raw: BinaryIO) -> None:
        with zipfile.ZipFile(raw, "w") as zf:
            for name, data in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)

    return replace_file(out, write)


def check_installed(package: Path, work: Path, folder: str = "1234567890") -> dict[str, Any]:
    """Install ``package`` into ``work/addons21/<folder>`` and run scripts/check_addon.py.

    The check runs in a Python without site-packages (``-I -S``), so only the standard
    library and the add-on exist; ``folder`` is a number, as AnkiWeb installs, so nothing
    may rely on the name. Returns the check's findings (see check_addon.py); raises
    SystemExit when the check fails.
    """
    addons = work / "addons21"
    target = addons / folder
    with zipfile.ZipFile(package) as zf:
        bad = [n for n in zf.namelist() if n.endswith(_SKIP_SUFFIXES) or "__pycache__" in n]
        if bad:
            raise SystemExit(f"compiled or cached files in the package: {bad[:5]}")
        zf.extractall(target)
    result = work / "check.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-B", str(CHECK_SCRIPT), str(addons), folder, str(work)],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"the built add-on failed its check:\n{proc.stdout}{proc.stderr}")
    found: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    return found


def self_check(package: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        check_installed(package, Path(tmp))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--no-check", action="store_true", help="skip the import self-check")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="learning-plan-build-") as tmp:
        staged = Path(tmp) / "addon"
        names = stage(staged)
        print("vendored: " + ", ".join(names))
        out = write_zip(staged, args.out)
    if not args.no_check:
        self_check(out)
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
