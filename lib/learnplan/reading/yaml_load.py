"""Loading the YAML of a plan: fast when it can be, exact always, errors in plain words.

:func:`parse_yaml` reads a document with the fastest reader that takes it — line by line
(:mod:`~learnplan.reading.yaml_lines`), then libyaml's events through PyYAML
(:mod:`~learnplan.reading.yaml_fast`) — and leaves the rest, errors included, to the exact
one (ruamel.yaml), so the values, their lines and every message are those of YAML 1.2 as
ruamel reads it, whichever reader ran. A parser's message for the commonest mistakes (a
tab, a ': ' inside a value, a quote never closed, a value starting with '{') is replaced
by a hint that says what to change.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from learnplan.base.errors import PlanError
from learnplan.reading.yaml_exact import load_exact, load_roundtrip
from learnplan.reading.yaml_fast import NotFast, plain_document, read_events
from learnplan.reading.yaml_lines import read_lines


def parse_yaml(text: str, path: Path | str, first_line: int = 1) -> Any:
    """``text`` as plain values, mappings and lists as :class:`YamlMap` and
    :class:`YamlList` (0-based lines). Raises :class:`PlanError` at ``path``, counting
    lines from ``first_line``."""
    if plain_document(text):
        for read in (read_lines, read_events):
            try:
                return read(text)
            except NotFast:
                pass
    return _exactly(load_exact, text, path, first_line)


def parse_yaml_roundtrip(text: str, path: Path | str) -> Any:
    """``text`` as ruamel.yaml's commented maps and sequences (line and column marks,
    flow style), for editing the file in place. Raises :class:`PlanError`."""
    return _exactly(load_roundtrip, text, path, 1)


def _exactly(load: Any, text: str, path: Path | str, first_line: int) -> Any:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    try:
        return load(text)
    except MarkedYAMLError as exc:
        line, message = _explained(exc, text)
        raise PlanError.at(path, line + first_line, f"YAML error: {message}") from None
    except ReaderError as exc:
        # A character YAML does not allow: said on one line, at its own line.
        char = exc.character
        shown = f"U+{char:04X}" if isinstance(char, int) else repr(char)
        line = first_line + text.count("\n", 0, exc.position)
        raise PlanError.at(
            path, line, f"YAML error: the character {shown} is not allowed in YAML ({exc.reason})"
        ) from None
    except YAMLError as exc:
        message = " ".join(str(exc).split())  # one line, like every problem
        raise PlanError.at(path, first_line, f"YAML error: {message}") from None
    except RecursionError:
        raise PlanError.at(path, first_line, "YAML nested too deeply") from None
    except ValueError as exc:  # a value the YAML constructors cannot convert
        message = " ".join(str(exc).split())
        raise PlanError.at(path, first_line, f"YAML error: {message}") from None


# --- plain hints for the commonest mistakes

_QUOTE_IT = "put the whole value in quotes"
_FLOW_START = re.compile(r"\s*(?:-\s+)*(?:[^\s:#][^:#]*:\s+)?([\[{])")
_QUOTED_START = re.compile(r"\s*(?:-\s+)*(?:[^\s:#][^:#]*:\s+)?([\"'])")


def _explained(exc: Any, text: str) -> tuple[int, str]:
    """(0-based line, message) for a parser's error: a hint for a common mistake, else
    the parser's own words."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line if mark is not None else 0
    problem = str(exc.problem or exc.context or "invalid YAML")
    context = str(exc.context or "")
    source = _line_text(text, line)
    if "cannot start any token" in problem:
        if "'\\t'" in problem:
            return line, (
                "a tab character where YAML expects spaces: indent with spaces only, "
                "and write a tab inside a value in quotes"
            )
        char = problem.split("'")[1] if problem.count("'") >= 2 else "this character"
        return line, f"a value cannot start with {char!r} in YAML: {_QUOTE_IT}"
    if "while scanning a quoted scalar" in context and exc.context_mark is not None:
        return exc.context_mark.line, (
            "a quoted value is never closed: add the closing quote (a quote inside the "
            "value is written \\\" between double quotes, '' between single quotes)"
        )
    if problem == "mapping values are not allowed here":
        if source.count(": ") + source.rstrip().endswith(":") >= 2:
            return line, f"a ': ' inside a value: {_QUOTE_IT}, e.g. title: \"Week 1: Basics\""
        above = _line_text(text, line - 1).strip()
        if above and ":" not in above and not above.startswith(("-", "#")):
            return line - 1, (
                "no ':' after the key on this line (YAML reads it as text that the next line "
                "continues): write key: value"
            )
        return line, (
            "this line is indented further than the key above it, or a ': ' is inside a "
            f"value: line up keys of one mapping, or {_QUOTE_IT}"
        )
    if "but got ':'" in problem and "flow" in context:
        opener = "{" if "mapping" in context else "["
        start = exc.context_mark.line + 1 if exc.context_mark is not None else line + 1
        return line, (
            f"a ': ' inside a value in {opener}...{_closer(opener)}, or the {opener!r} of "
            f"line {start} is never closed: put such values in quotes, and close "
            f"{opener!r} with {_closer(opener)!r}"
        )
    if problem.startswith("expected <block end>, but found"):
        found = problem.rsplit("found ", 1)[-1]
        if found == "'<scalar>'":
            if _FLOW_START.match(source):
                return line, (
                    "a value starting with '{' or '[' is read as a YAML mapping or list: "
                    f'{_QUOTE_IT}, e.g. cloze: "{{{{c1::Paris}}}} is the capital"'
                )
            if _QUOTED_START.match(source):
                return line, f"text after a closing quote: {_QUOTE_IT}"
        if found == "'-'":
            return line, (
                "a list item ('- ') where a key was expected: indent the items of a list "
                "under their key, each starting with '- '"
            )
        return line, (
            "this line's indentation does not match the lines above: indent the keys of "
            "one mapping by the same number of spaces"
        )
    if "could not find expected ':'" in problem and exc.context_mark is not None:
        return exc.context_mark.line, (
            "no ':' after the key on this line (YAML reads it as text that the next line "
            "continues): write key: value"
        )
    if "another document" in problem:
        return line, "a second YAML document ('---'): a plan is one document; remove the line"
    if "duplicate key" in problem:
        return line, f"{problem}; each key may appear once in a mapping"
    return line, problem


def _closer(opener: str) -> str:
    return "}" if opener == "{" else "]"


def _line_text(text: str, line: int) -> str:
    """Line ``line`` (0-based) of ``text`` as the YAML readers count lines."""
    lines = re.split("\r\n|[\r\n]", text)  # ruamel counts no other line break (YAML 1.2)
    return lines[line] if 0 <= line < len(lines) else ""
