"""Build dist/learning-plan.ankiaddon: the add-on, the learnplan library and its deps.

Usage: python scripts/build_addon.py [--out PATH] [--vendor-only]

The learnplan package and its pure-Python runtime dependencies are copied from the
environment running this script (they must be installed: `pip install -e .`) into
addon/_vendor/ (gitignored), then the zip is written with manifest.json at its root, as
Anki's add-on installer expects. Compiled extensions are left out on purpose: Anki ships
its own Python, so every vendored package must work from pure Python (PyYAML,
ruamel.yaml and frozendict all fall back to their Python implementations). The result is
checked by importing everything from the zip with site-packages disabled.
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

ROOT = Path(__file__).resolve().parents[1]
ADDON = ROOT / "addon"
VENDOR = ADDON / "_vendor"
DEFAULT_OUT = ROOT / "dist" / "learning-plan.ankiaddon"
LIBRARY = ROOT / "lib" / "learnplan"

#: The library's runtime requirements (pyproject.toml); their own requirements follow.
ROOT_REQUIREMENTS = ("genanki", "ruamel.yaml", "markdown-it-py", "bleach")
#: Provided by Anki itself; never vendored.
PROVIDED_BY_ANKI = frozenset({"anki", "aqt", "protobuf", "orjson", "markdown", "requests"})
#: What must import from the built zip with no site-packages (the self-check).
IMPORT_CHECK = (
    "learnplan, learnplan.plan, learnplan.log, learnplan.progress, genanki, ruamel.yaml, "
    "markdown_it, bleach, yaml, frozendict, chevron, cached_property"
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


def vendor(target: Path = VENDOR) -> list[str]:
    """Fill ``target`` with learnplan and its runtime deps; returns the distributions."""
    if target.exists():
        shutil.rmtree(target)
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
    (target / "VENDORED.txt").write_text("\n".join(names) + "\n", encoding="utf-8")
    return names


def _files(base: Path) -> list[Path]:
    out = []
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base)
        if path.is_dir() or "__pycache__" in rel.parts or path.suffix in (".pyc", ".pyo"):
            continue
        if rel.parts[0] in ("meta.json", "user_files"):
            continue  # Anki's own per-install files, never shipped
        out.append(path)
    return out


def write_zip(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    entries: list[tuple[str, bytes]] = [("manifest.json", json.dumps(manifest, indent=2).encode())]
    for path in _files(ADDON):
        entries.append((path.relative_to(ADDON).as_posix(), path.read_bytes()))
    fd, tmp = tempfile.mkstemp(prefix=".learning-plan-", suffix=".zip", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w") as zf:
            for name, data in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def self_check(package: Path) -> None:
    """Import the vendored packages from the zip alone (no site-packages): pure Python?"""
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(package) as zf:
        bad = [n for n in zf.namelist() if n.endswith(_SKIP_SUFFIXES) or "__pycache__" in n]
        if bad:
            raise SystemExit(f"compiled or cached files in the package: {bad[:5]}")
        zf.extractall(tmp)
        code = (
            f"import sys; sys.path.insert(0, {str(Path(tmp) / '_vendor')!r}); "
            f"import {IMPORT_CHECK}; import learnplan; "
            "assert learnplan.__file__.startswith(sys.path[0]), learnplan.__file__"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        subprocess.run([sys.executable, "-S", "-B", "-c", code], check=True, env=env, cwd=tmp)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--vendor-only", action="store_true", help="only fill addon/_vendor (dev installs)"
    )
    parser.add_argument("--no-check", action="store_true", help="skip the import self-check")
    args = parser.parse_args(argv)
    names = vendor()
    print("vendored: " + ", ".join(names))
    if args.vendor_only:
        return 0
    out = write_zip(args.out)
    if not args.no_check:
        self_check(out)
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
