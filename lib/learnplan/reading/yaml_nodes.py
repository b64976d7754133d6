"""A YAML document as plain values that remember where they were written.

Mappings and lists read from an outline are :class:`YamlMap` (a ``dict``) and
:class:`YamlList` (a ``list``), so the plan rules see ordinary values while messages can
point at the line of a key, a value or a list item. Lines are 0-based, counted as the
YAML readers count them; callers add the 1-based line the text starts on.
"""

from __future__ import annotations

from typing import Any


class YamlMap(dict[Any, Any]):
    """A mapping, its own line and the line of each key and of each value."""

    __slots__ = ("line", "lines")

    def __init__(self, line: int) -> None:
        # (dict.__init__ has nothing to do: not called, as this runs once per card)
        self.line = line
        #: The line of each key and of its value, in the order of the keys: one flat list,
        #: not an object per key, because a plan may hold 100,000s of card mappings.
        self.lines: list[int] = []

    def put(self, key: Any, value: Any, key_line: int, value_line: int) -> None:
        """Add ``key`` (the readers never change a mapping after building it)."""
        self[key] = value
        self.lines += (key_line, value_line)

    def _index(self, key: Any) -> int:
        for index, known in enumerate(self):  # a few keys: found at once, no list made
            if known == key:
                return 2 * index
        raise KeyError(key)

    def key_line(self, key: Any) -> int:
        return self.lines[self._index(key)]

    def value_line(self, key: Any) -> int:
        return self.lines[self._index(key) + 1]


class YamlList(list[Any]):
    """A list, its own line and the line of each item."""

    __slots__ = ("item_lines", "line")

    def __init__(self, line: int) -> None:
        self.line = line
        self.item_lines: list[int] = []

    def put(self, value: Any, line: int) -> None:
        self.append(value)
        self.item_lines.append(line)


# --- where things are, as 1-based lines (``offset`` is the line the text starts on)


def line_of(node: Any, offset: int) -> int:
    """The line a mapping or list starts on (``offset`` for any other value)."""
    line = getattr(node, "line", None)
    return line + offset if isinstance(line, int) else offset


def line_of_key(mapping: Any, key: Any, offset: int) -> int:
    try:
        return int(mapping.key_line(key)) + offset
    except (AttributeError, KeyError, TypeError):
        return line_of(mapping, offset)


def line_of_value(mapping: Any, key: Any, offset: int) -> int:
    """The line of ``key``'s value; for an empty value (YAML places it at the next
    token, which may be lines below), the line of the key."""
    if mapping.get(key) is None:
        return line_of_key(mapping, key, offset)
    try:
        return int(mapping.value_line(key)) + offset
    except (AttributeError, KeyError, TypeError):
        return line_of_key(mapping, key, offset)


def line_of_item(seq: Any, index: int, offset: int) -> int:
    try:
        return int(seq.item_lines[index]) + offset
    except (AttributeError, IndexError, TypeError):
        return line_of(seq, offset)
