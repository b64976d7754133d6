"""The plan manifest: JSON carried in a package as a ``_`` media file, found again in Anki.

Anki never overwrites an existing ``_`` media file, so every distinct manifest gets its
own name (``_learnplan-<plan id>-<sha256 of content[:12]>.json``); the newest one of a
plan is the one with the latest ``built_at``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .plan import Plan, plan_from_dict, plan_to_dict

__all__ = [
    "FORMAT",
    "VERSION",
    "Manifest",
    "ManifestError",
    "encode_manifest",
    "find_manifests",
    "manifest_name",
    "parse_manifest",
    "read_manifest",
    "read_package_manifest",
]

FORMAT = "learnplan-manifest"
VERSION = 1
PREFIX = "_learnplan-"
NAME_RE = re.compile(r"^_learnplan-.+-[0-9a-f]{12}\.json$")


class ManifestError(ValueError):
    """A file that should be a plan manifest is not one (bad JSON, wrong format)."""


@dataclass(frozen=True)
class Manifest:
    plan: Plan
    built_at: float
    generator: str
    version: int
    name: str  # media file name ("" when parsed from bytes without one)


def _generator() -> str:
    from . import __version__

    return f"learnplan {__version__}"


def encode_manifest(plan: Plan, built_at: float) -> bytes:
    """The manifest's bytes: deterministic for the same plan and time."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "generator": _generator(),
        "built_at": built_at,
        "plan": plan_to_dict(plan),
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def manifest_name(plan_id: str, content: bytes) -> str:
    return f"{PREFIX}{plan_id}-{hashlib.sha256(content).hexdigest()[:12]}.json"


def parse_manifest(content: bytes, name: str = "") -> Manifest:
    where = name or "manifest"
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{where}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ManifestError(f"{where}: not a learnplan manifest (no format {FORMAT!r})")
    version = data.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise ManifestError(f"{where}: unsupported manifest version {version!r}")
    built_at = data.get("built_at")
    if not isinstance(built_at, (int, float)) or isinstance(built_at, bool):
        raise ManifestError(f"{where}: 'built_at' must be a number")
    plan_data = data.get("plan")
    if not isinstance(plan_data, dict):
        raise ManifestError(f"{where}: 'plan' must be an object")
    try:
        plan = plan_from_dict(plan_data)
    except ValueError as exc:
        raise ManifestError(f"{where}: {exc}") from exc
    return Manifest(
        plan=plan,
        built_at=float(built_at),
        generator=str(data.get("generator", "")),
        version=version,
        name=name,
    )


def read_manifest(path: str | os.PathLike[str]) -> Manifest:
    """Read one manifest file. Raises ``ManifestError`` (a ``ValueError``) if it is bad."""
    p = Path(path)
    try:
        content = p.read_bytes()
    except OSError as exc:
        raise ManifestError(f"{p}: cannot read: {exc.strerror or exc}") from exc
    return parse_manifest(content, str(p))


def find_manifests(media_dir: Path) -> list[Manifest]:
    """All readable manifests in a media folder, grouped by plan id, newest first within each.

    Unreadable or foreign files are skipped: one bad file must not hide the others.
    """
    found: list[Manifest] = []
    try:
        entries = list(os.scandir(media_dir))
    except OSError:
        return []
    for entry in entries:
        if not NAME_RE.match(entry.name):
            continue
        try:
            manifest = read_manifest(entry.path)
        except ManifestError:
            continue
        found.append(manifest)
    found.sort(key=lambda m: (m.plan.id, -m.built_at, m.name))
    return found


def read_package_manifest(package: str | os.PathLike[str]) -> Manifest | None:
    """The manifest inside a built ``.apkg``, or None if it has none or is unreadable."""
    try:
        with zipfile.ZipFile(package) as zf:
            media = json.loads(zf.read("media").decode("utf-8"))
            if not isinstance(media, dict):
                return None
            for index, name in media.items():
                if isinstance(name, str) and NAME_RE.match(name):
                    return parse_manifest(zf.read(str(index)), name)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return None
    return None
