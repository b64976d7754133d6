"""The plan manifest: JSON carried in a package as a ``_`` media file, found again in Anki.

Anki never overwrites an existing ``_`` media file, so every distinct manifest gets its
own name (``_learnplan-<plan id>-<sha256 of content[:12]>.json``); the newest one of a
plan is the one with the latest ``built_at``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learnplan.base.errors import Problem
from learnplan.base.filecache import FileCache
from learnplan.base.jsonlines import Location, json_lines
from learnplan.model.dictform import (
    DictFields,
    PlanDataError,
    located,
    read_plan_dict,
)
from learnplan.model.limits import MAX_INT_DIGITS, MAX_MANIFEST_BYTES, MAX_NAME
from learnplan.model.plan import Plan, plan_to_dict

__all__ = [
    "FORMAT",
    "VERSION",
    "Manifest",
    "ManifestError",
    "ManifestScan",
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
MANIFEST_KEYS = ("format", "version", "generator", "built_at", "plan")
#: The latest build time a manifest may claim (3000-01-01, in seconds since 1970).
MAX_BUILT_AT = 32_503_680_000.0
#: Problems listed for one bad manifest; the rest are counted.
MAX_PROBLEMS = 20


class ManifestError(PlanDataError):
    """A file that should be a plan manifest is not one (bad JSON, wrong format, a plan
    that breaks the plan rules). A :class:`learnplan.base.errors.PlanError` (and a
    ``ValueError``): one ``name:line: message`` per problem, the message starting with
    the JSON location when there is one."""


@dataclass(frozen=True)
class Manifest:
    plan: Plan
    built_at: float
    generator: str
    version: int
    name: str  # media file name ("" when parsed from bytes without one)


@dataclass(frozen=True)
class ManifestScan:
    """What a media folder holds: its readable manifests (grouped by plan id, newest
    first within each) and one problem per manifest file that could not be used."""

    manifests: tuple[Manifest, ...] = ()
    problems: tuple[Problem, ...] = ()

    def bad_files(self) -> list[tuple[str, str]]:
        """(file name, what is wrong) for each manifest file that could not be used: its
        first problem as ``name:line: message``, and how many more it has."""
        by_file: dict[str, list[Problem]] = {}
        for problem in self.problems:
            by_file.setdefault(Path(problem.path).name, []).append(problem)
        out: list[tuple[str, str]] = []
        for name, problems in by_file.items():
            first = problems[0]
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            out.append((name, f"{name}:{first.line}: {first.message}{more}"))
        return out


def _generator() -> str:
    from learnplan._version import __version__

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
    """The manifest in ``content``, checked by the plan rules (:mod:`learnplan.model.rules`).

    Raises :class:`ManifestError`, naming ``name`` (or "manifest") and the line of each
    problem in the JSON, e.g. ``_learnplan-p-0123456789ab.json:14: plan.courses[0].fte:
    course 'c1' fte must be 0 or more, not -2``.
    """
    where = name or "manifest"
    if len(content) > MAX_MANIFEST_BYTES:
        raise ManifestError(
            Problem(
                where,
                0,
                f"is {len(content) / 2**20:.1f} MB; a plan manifest is at most "
                f"{MAX_MANIFEST_BYTES // 2**20} MB",
            )
        )
    text, data = _decode(content, where)
    issues: list[tuple[Location, str]] = []
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ManifestError(Problem(where, 1, f"not a learnplan manifest (no format {FORMAT!r})"))
    f = DictFields(data, "manifest", (), issues)
    version = f.integer("version")
    if version is not None and not 1 <= version <= VERSION:
        # Another version may be laid out differently: nothing else in it is checked.
        message = f"unsupported manifest version {version}: this learnplan reads version {VERSION}"
        if version > VERSION:
            message += " (a newer one wrote it: update learnplan or the add-on)"
        raise ManifestError(_problems(where, text, [(("version",), message)]))
    f.check_keys(MANIFEST_KEYS, ("version", "built_at", "plan"))
    built_at = f.number("built_at", maximum=MAX_BUILT_AT)
    generator = f.text("generator", limit=MAX_NAME)
    plan = None
    if "plan" in data:
        plan, plan_issues = read_plan_dict(data["plan"])
        issues.extend((("plan", *location), message) for location, message in plan_issues)
    if issues or plan is None or version is None or built_at is None:
        raise ManifestError(_problems(where, text, issues))
    return Manifest(
        plan=plan,
        built_at=built_at,
        generator=generator or "",
        version=version,
        name=name,
    )


def _decode(content: bytes, where: str) -> tuple[str, Any]:
    """The manifest's text and its JSON value; ManifestError if it is not JSON."""
    try:
        text = content.decode("utf-8-sig")  # a byte-order mark is allowed, as in outlines
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise ManifestError(
            Problem(where, line, f"not valid JSON: not UTF-8 (byte offset {exc.start})")
        ) from None
    try:
        data = json.loads(text, object_pairs_hook=_JsonObject.of, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise ManifestError(
            Problem(where, exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})")
        ) from None
    except RecursionError:
        raise ManifestError(
            Problem(where, 0, "not valid JSON for a plan: nested far too deeply")
        ) from None
    except ValueError as exc:  # e.g. a number the parser cannot convert
        raise ManifestError(Problem(where, 0, f"not valid JSON: {exc}")) from None
    return text, data


class _JsonObject(dict[str, Any]):
    """A JSON object that remembers which keys it repeated (JSON keeps the last value;
    the plan rules refuse a repeated key, as in YAML)."""

    duplicates: tuple[str, ...] = ()

    @classmethod
    def of(cls, pairs: list[tuple[str, Any]]) -> _JsonObject:
        obj = cls(pairs)
        if len(obj) != len(pairs):
            counts = Counter(key for key, _ in pairs)
            obj.duplicates = tuple(key for key, count in counts.items() if count > 1)
        return obj


def _json_int(text: str) -> int | float:
    # As in the YAML reader (limits.MAX_INT_DIGITS): a number this long is infinite.
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        return -math.inf if text.startswith("-") else math.inf
    return int(text)


def _problems(where: str, text: str, issues: list[tuple[Location, str]]) -> list[Problem]:
    shown = issues[:MAX_PROBLEMS]
    lines = json_lines(text, {location for location, _ in shown})
    problems = [
        Problem(where, lines.get(location, 1), located(location, message))
        for location, message in shown
    ]
    if len(issues) > len(shown):
        problems.append(Problem(where, 0, f"and {len(issues) - len(shown)} more problems"))
    return problems


#: Manifests (or their problems) by file: the panel looks at every manifest of the
#: media folder on each refresh, and a manifest file is never changed once written.
_parsed: FileCache[Manifest | tuple[Problem, ...]] = FileCache(limit=1_000)


def read_manifest(path: str | os.PathLike[str]) -> Manifest:
    """Read one manifest file (at most MAX_MANIFEST_BYTES are read). Raises
    :class:`ManifestError` (a PlanError and a ``ValueError``) if it is bad.

    A file is parsed once per process while its size, modification time and inode stay
    the same; every reader then gets the same (frozen) :class:`Manifest`."""
    p = Path(path)
    try:
        got = _parsed.get(p, _parse_file)
    except OSError as exc:
        raise ManifestError(Problem(p, 0, f"cannot read: {exc.strerror or exc}")) from None
    if isinstance(got, Manifest):
        return got
    raise ManifestError(list(got))


def _parse_file(path: Path, _st: os.stat_result) -> Manifest | tuple[Problem, ...]:
    try:
        return parse_manifest(_read_limited(path), str(path))
    except ManifestError as exc:
        return tuple(exc.problems)


def _read_limited(path: Path) -> bytes:
    try:
        # Non-blocking, so that a FIFO with a manifest's name cannot hang the reader.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise ManifestError(Problem(path, 0, f"cannot read: {exc.strerror or exc}")) from None
    with os.fdopen(fd, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise ManifestError(Problem(path, 0, "cannot read: not a regular file"))
            return handle.read(MAX_MANIFEST_BYTES + 1)
        except OSError as exc:
            raise ManifestError(Problem(path, 0, f"cannot read: {exc.strerror or exc}")) from None


def find_manifests(media_dir: Path) -> ManifestScan:
    """Every manifest file in a media folder: the good ones, grouped by plan id and
    newest first within each, and a problem for each bad one.

    A bad file (unreadable, too large, not JSON, a plan that breaks the rules) never
    hides the others: it is reported with its name and skipped. A missing folder holds
    nothing.
    """
    found: list[Manifest] = []
    problems: list[Problem] = []
    try:
        # A media folder holds tens of thousands of files and a few manifests: only the
        # manifests' names are kept (and sorted); the cheap prefix test goes first.
        names = sorted(
            n for n in os.listdir(media_dir) if n.startswith(PREFIX) and NAME_RE.match(n)
        )
    except OSError:
        return ManifestScan()
    for name in names:
        path = os.path.join(media_dir, name)
        try:
            found.append(read_manifest(path))
        except ManifestError as exc:
            if not os.path.lexists(path):
                continue  # removed meanwhile (an older manifest tidied away): not a problem
            problems.extend(exc.problems)
    found.sort(key=lambda m: (m.plan.id, -m.built_at, m.name))
    return ManifestScan(tuple(found), tuple(problems))


def read_package_manifest(package: str | os.PathLike[str]) -> Manifest | None:
    """The manifest inside a built ``.apkg``, or None if it has none or it is unreadable
    (a package's files are read only up to MAX_MANIFEST_BYTES)."""
    try:
        with zipfile.ZipFile(package) as zf:
            media = json.loads(_zip_read(zf, "media").decode("utf-8"))
            if not isinstance(media, dict):
                return None
            for index, name in media.items():
                if isinstance(name, str) and NAME_RE.match(name):
                    return parse_manifest(_zip_read(zf, str(index)), name)
    except (
        OSError,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        RecursionError,
        EOFError,
        NotImplementedError,  # a compression method zipfile cannot read
        RuntimeError,  # an encrypted member
    ):
        return None
    return None


def _zip_read(zf: zipfile.ZipFile, member: str) -> bytes:
    # The sizes in a zip's directory may lie: read no more than the limit either way.
    with zf.open(member) as handle:
        data = handle.read(MAX_MANIFEST_BYTES + 1)
    if len(data) > MAX_MANIFEST_BYTES:
        raise ValueError(f"{member} is larger than a manifest may be")
    return data
