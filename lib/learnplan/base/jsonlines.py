"""Where a value sits in a JSON text: 1-based lines for ``path:line`` messages about
JSON files (plan manifests, progress logs)."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["Location", "json_lines"]

#: A value's place in a JSON document: object keys and list indexes from the top.
Location = tuple[str | int, ...]

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+', re.S)


def json_lines(text: str, wanted: set[Location]) -> dict[Location, int]:
    """The 1-based line where the value at each wanted location starts, from one pass
    over the JSON's tokens (no recursion, so any nesting is fine). Locations not in the
    text are left out."""
    found: dict[Location, int] = {}
    if not wanted:
        return found
    # One frame per open container: [location, next index or None for an object]
    stack: list[list[Any]] = []
    value_at: Location | None = ()  # where the next value goes; None: a key comes next
    key: str | None = None
    line, last = 1, 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ",:]}":
            if token == ":" and stack and key is not None:
                value_at = (*stack[-1][0], key)
            elif token == "," and stack:
                frame = stack[-1]
                if frame[1] is None:
                    value_at = None
                else:
                    frame[1] += 1
                    value_at = (*frame[0], frame[1])
            elif token in "]}" and stack:
                stack.pop()
                value_at = ()
            continue
        if value_at is None:  # an object's key
            if stack and token.startswith('"'):
                try:
                    key = str(json.loads(token))
                except ValueError:
                    key = None
            continue
        line += text.count("\n", last, match.start())
        last = match.start()
        if value_at in wanted:
            found[value_at] = line
        if token == "{":
            stack.append([value_at, None])
            value_at = None
        elif token == "[":
            stack.append([value_at, 0])
            value_at = (*value_at, 0)
        else:
            value_at = ()
    return found
