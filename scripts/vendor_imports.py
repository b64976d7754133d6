"""Rewrite imports so the add-on's vendored libraries live under its own package.

Anki imports every add-on as a top-level package named after its folder (``learning_plan``
from a .ankiaddon, a number from AnkiWeb), so the vendored copies of learnplan, genanki,
ruamel.yaml, ... must never be importable as top-level modules: that would shadow what Anki
and other add-ons import. The build stages the add-on and rewrites, in every staged
``.py`` file, each absolute import of a vendored name into a relative import of
``<add-on>._vendor.<name>`` (what pypa/vendoring does for pip, but relative, because the
folder name is not known at build time)::

    import yaml                    ->  from .._vendor import yaml
    import ruamel.yaml.tokens as t ->  from .._vendor.ruamel.yaml import tokens as t
    from learnplan.progress.log import X    ->  from ._vendor.learnplan.progress.log import X

An optional import of a package that is not vendored (a C accelerator, an unused extra)
becomes ``raise ModuleNotFoundError(..., name=...)``: what the import does when the
package is not installed, on every machine, instead of loading whatever copy Anki's Python
or another add-on happens to hold.

Every line keeps its number, so tracebacks still match the upstream sources. Imports that
cannot be followed statically (``__import__``, ``importlib.import_module``, lookups by
distribution or package name) are listed for the build, which fails unless each one has
been reviewed. Nothing here imports the code it rewrites.
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

STDLIB = frozenset(sys.stdlib_module_names)
#: Calls that import by a name computed at run time.
DYNAMIC_CALLS = frozenset(
    {"__import__", "import_module", "find_spec", "find_loader", "load_module"}
)
#: Modules that find code or files by a package or distribution name.
NAME_LOOKUP_MODULES = frozenset(
    {
        "importlib.metadata",
        "importlib.resources",
        "importlib_metadata",
        "importlib_resources",
        "pkg_resources",
        "pkgutil",
    }
)


@dataclass(frozen=True)
class Policy:
    """What the rewriting may do with each top-level module name it meets.

    ``vendored``: names under ``_vendor/``, rewritten to the add-on's copy. ``host``: left
    as they are (Anki's own packages). ``absent``: optional imports of packages that are
    not vendored, made to fail as "not installed" whatever else is installed in Anki's
    Python (name -> why that is fine).
    ``reviewed``: dynamic-import sites known to work under the package, keyed by
    (path relative to the add-on, qualified name of the enclosing function) -> why.
    Anything else outside the standard library is an error.
    """

    vendored: frozenset[str]
    host: frozenset[str]
    absent: Mapping[str, str]
    reviewed: Mapping[tuple[str, str], str]
    vendor_dir: str = "_vendor"


@dataclass
class Report:
    files: int = 0
    rewritten: int = 0
    problems: list[str] = field(default_factory=list)
    reviewed_seen: set[tuple[str, str]] = field(default_factory=set)
    absent_seen: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Edit:
    start: tuple[int, int]  # (line index, char column)
    end: tuple[int, int]
    text: str


def rewrite_tree(root: Path, policy: Policy) -> Report:
    """Rewrite every ``.py`` file under ``root`` (the staged add-on) in place.

    Returns the counts and the problems found; the caller fails the build on any problem.
    A review or an optional import that matches nothing is a problem too, so upgrades get
    looked at again.
    """
    report = Report()
    for path in sorted(root.rglob("*.py")):
        rel = PurePosixPath(path.relative_to(root).as_posix())
        source = path.read_text(encoding="utf-8")
        new_source, count = rewrite_source(source, rel, policy, report)
        report.files += 1
        if count:
            path.write_text(new_source, encoding="utf-8")
            report.rewritten += count
    for key in sorted(set(policy.reviewed) - report.reviewed_seen):
        report.problems.append(f"{key[0]}: reviewed dynamic import in {key[1]} no longer exists")
    for name in sorted(set(policy.absent) - report.absent_seen):
        report.problems.append(f"{name}: listed as an optional import, but nothing imports it")
    return report


def rewrite_source(
    source: str, rel: PurePosixPath, policy: Policy, report: Report
) -> tuple[str, int]:
    """The source with its imports rewritten, and how many statements changed.

    ``rel`` is the file's path inside the add-on: its folder depth decides how many dots
    reach the add-on's package. Problems are appended to ``report.problems``.
    """
    tree = ast.parse(source, filename=str(rel))
    lines = source.splitlines(keepends=True)
    level = len(rel.parent.parts) + 1  # from the module's package up to the add-on's
    edits: list[_Edit] = []
    for node, qualname in _walk(tree):
        if isinstance(node, ast.Import):
            edit = _rewrite_import(node, lines, level, rel, policy, report)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            edit = _rewrite_from(node, lines, level, rel, policy, report)
        else:
            edit = None
        if edit is not None:
            edits.append(edit)
        _check_dynamic(node, qualname, rel, policy, report)
    if not edits:
        return source, 0
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        (l1, c1), (l2, c2) = edit.start, edit.end
        lines[l1 : l2 + 1] = [lines[l1][:c1] + edit.text + lines[l2][c2:]]
    new_source = "".join(lines)
    if new_source.count("\n") != source.count("\n"):
        report.problems.append(f"{rel}: rewriting changed the line count")
    try:
        compile(new_source, str(rel), "exec", dont_inherit=True)
    except SyntaxError as exc:
        report.problems.append(f"{rel}:{exc.lineno}: rewritten import is not valid: {exc.msg}")
    return new_source, len(edits)


def _walk(tree: ast.AST) -> Iterator[tuple[ast.AST, str]]:
    """Every node with the qualified name of the function or class around it."""

    def visit(node: ast.AST, scope: tuple[str, ...]) -> Iterator[tuple[ast.AST, str]]:
        yield node, ".".join(scope) or "<module>"
        inner = scope
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            inner = (*scope, node.name)
        for child in ast.iter_child_nodes(node):
            yield from visit(child, inner)

    return visit(tree, ())


def _target(name: str, rel: PurePosixPath, line: int, policy: Policy, report: Report) -> str:
    """What to do with an absolute import of ``name``: "vendored", "absent" or "keep"."""
    top = name.partition(".")[0]
    if top in policy.vendored:
        return "vendored"
    if top in policy.absent:
        report.absent_seen.add(top)
        return "absent"
    if top not in STDLIB and top not in policy.host:
        report.problems.append(
            f"{rel}:{line}: imports {name!r}, which is not vendored, not in the standard "
            "library, not Anki's and not a known optional import"
        )
    return "keep"


def _absent(name: str) -> str:
    # What importing a package that is not installed does, without looking for it.
    top = name.partition(".")[0]
    return f"raise ModuleNotFoundError('not vendored: {top}', name={top!r})"


def _rewrite_import(
    node: ast.Import,
    lines: list[str],
    level: int,
    rel: PurePosixPath,
    policy: Policy,
    report: Report,
) -> _Edit | None:
    kinds = [_target(a.name, rel, node.lineno, policy, report) for a in node.names]
    if all(kind == "keep" for kind in kinds):
        return None
    dots = "." * level
    parts: list[str] = []
    for alias, kind in zip(node.names, kinds, strict=True):
        if kind == "keep":
            parts.append(f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else ""))
            continue
        if kind == "absent":
            parts.append(_absent(alias.name))
            break  # nothing after it runs
        parent, _, leaf = f"{policy.vendor_dir}.{alias.name}".rpartition(".")
        if alias.asname:
            parts.append(f"from {dots}{parent} import {leaf} as {alias.asname}")
        elif "." not in alias.name:
            parts.append(f"from {dots}{parent} import {leaf}")
        else:
            # "import a.b.c" imports a.b.c and binds "a": do both, without a new name left.
            top = alias.name.partition(".")[0]
            tmp = "_vendored_import_"
            parts.append(f"from {dots}{parent} import {leaf} as {tmp}")
            parts.append(f"del {tmp}")
            parts.append(f"from {dots}{policy.vendor_dir} import {top}")
    start, end = _span(node, lines)
    padding = "\n" * (end[0] - start[0])  # a statement over several lines keeps them
    return _Edit(start, end, "; ".join(parts) + padding)


def _rewrite_from(
    node: ast.ImportFrom,
    lines: list[str],
    level: int,
    rel: PurePosixPath,
    policy: Policy,
    report: Report,
) -> _Edit | None:
    assert node.module is not None
    kind = _target(node.module, rel, node.lineno, policy, report)
    if kind == "keep":
        return None
    start, end = _span(node, lines)
    if kind == "absent":
        return _Edit(start, end, _absent(node.module) + "\n" * (end[0] - start[0]))
    # Replace only "from <module>" and keep the rest (parentheses, comments, line breaks).
    text = _segment(lines, start, end)
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(text).readline)
        if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)
    ]
    first = tokens[0]
    imp = next(t for t in tokens if t.type == tokenize.NAME and t.string == "import")
    if first.string != "from" or first.start[0] != 1 or imp.start[0] != 1:
        report.problems.append(f"{rel}:{node.lineno}: cannot rewrite this import's layout")
        return None
    new = f"from {'.' * level}{policy.vendor_dir}.{node.module} "
    stop = (start[0], start[1] + imp.start[1])
    return _Edit(start, stop, new)


def _span(node: ast.stmt, lines: list[str]) -> tuple[tuple[int, int], tuple[int, int]]:
    """The node's (line, char column) start and end; ast gives UTF-8 byte columns."""
    assert node.end_lineno is not None and node.end_col_offset is not None
    l1, l2 = node.lineno - 1, node.end_lineno - 1
    return (l1, _chars(lines[l1], node.col_offset)), (l2, _chars(lines[l2], node.end_col_offset))


def _chars(line: str, byte_col: int) -> int:
    return len(line.encode("utf-8")[:byte_col].decode("utf-8"))


def _segment(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> str:
    if start[0] == end[0]:
        return lines[start[0]][start[1] : end[1]]
    middle = lines[start[0] + 1 : end[0]]
    return "".join([lines[start[0]][start[1] :], *middle, lines[end[0]][: end[1]]])


def _check_dynamic(
    node: ast.AST, qualname: str, rel: PurePosixPath, policy: Policy, report: Report
) -> None:
    what = None
    literal = None
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Name) and first.id in ("__name__", "__package__"):
            return  # the module's own name is right wherever the module lives
        if name in DYNAMIC_CALLS:
            what = f"{name}()"
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                literal = first.value
    elif isinstance(node, ast.Import):
        found = [a.name for a in node.names if _looks_up_names(a.name)]
        what = f"import {found[0]}" if found else None
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        found = [
            f"{node.module}.{a.name}"
            for a in node.names
            if _looks_up_names(node.module) or _looks_up_names(f"{node.module}.{a.name}")
        ]
        what = f"import {found[0]}" if found else None
    if what is None:
        return
    line = getattr(node, "lineno", 0)
    key = (str(rel), qualname)
    if literal is not None and literal.partition(".")[0] in policy.vendored:
        report.problems.append(
            f"{rel}:{line}: {what} names the vendored module {literal!r}, which does not "
            "exist outside the add-on's package"
        )
    elif key in policy.reviewed:
        report.reviewed_seen.add(key)
    else:
        report.problems.append(
            f"{rel}:{line}: {what} in {qualname} may import by a name the rewriting cannot "
            "see; make it work under the add-on's package, then add it to the reviewed list"
        )


def _looks_up_names(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in NAME_LOOKUP_MODULES)
