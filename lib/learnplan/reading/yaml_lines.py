"""The fastest YAML reader: the block YAML most plans are written in, read line by line.

Most outlines, and all large ones in practice, are block mappings and lists of one-line
values: plain, quoted, or literal blocks (``|``). This reader takes exactly that, in pure
Python (so the add-on inside Anki gets it too), and gives the same values at the same
lines as the exact reader. Anything else — flow ``[...]``/``{...}``, a value continued on
the next line, an escape other than ``\\\\ \\" \\/ \\n \\t``, a folded block, an anchor,
a tag, any mistake — raises :class:`NotFast` for the next reader
(:mod:`learnplan.reading.yaml_fast`). The comparison test covers both
(tests/test_yaml_load.py).
"""

from __future__ import annotations

import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from learnplan.reading.yaml_fast import NUMERIC_START, NotFast, plain_document, plain_value
from learnplan.reading.yaml_nodes import YamlList, YamlMap

# A line: its indent, a list item's dash, a key as plans write them (then ':' and a space
# or the end of the line), the rest.
_LINE = re.compile(r"( *)(?:(-)(?: +|$))?(?:([A-Za-z_][A-Za-z0-9_.-]*):(?: +|$))?(.*)").match
# The keys of that form YAML reads as true, false or null.
_NOT_TEXT_KEYS = frozenset(
    {"true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL"}
)
# (Unrolled loops: linear time even when the closing quote is missing.)
_DOUBLE = re.compile(r'"([^"\\]*(?:\\[\\"/nt][^"\\]*)*)"(?: *| +#.*)').fullmatch
_SINGLE = re.compile(r"'([^']*(?:''[^']*)*)'(?: *| +#.*)").fullmatch
# A plain value may not start with these (flow, anchor, alias, tag, block scalar,
# reserved); '-', '?' and ':' only when followed by a space.
_NOT_PLAIN_START = frozenset("[]{},#&*!|>%@`")
_SPECIAL_START = _NOT_PLAIN_START | frozenset("'\"-?:")
# Plain values that may be other than text: those starting like a number, and these.
_WORDS = _NOT_TEXT_KEYS | {"~", "<<", "="}
_LITERALS = {"|": "clip", "|-": "strip"}


def load_lines(text: str) -> Any:
    """``text`` as :class:`YamlMap` and :class:`YamlList` values (0-based lines).

    Raises :class:`NotFast` for anything this reader leaves to the next one."""
    if not plain_document(text):
        raise NotFast
    return read_lines(text)


def read_lines(text: str) -> Any:
    """:func:`load_lines` for a text :func:`plain_document` has accepted."""
    return _Lines(text).read()


def _scalar(value: str) -> Any:
    """The value written after ``key: `` or ``- `` (not empty, not a comment)."""
    first = value[0]
    if first in _SPECIAL_START:
        if first == '"':
            found = _DOUBLE(value)
            if found is None:
                raise NotFast
            inner: str = found.group(1)
            # The escapes taken here mean in JSON what they mean in YAML (and the text
            # holds no control character): json's own C scanner decodes them.
            return scanstring(value, 1, True)[0] if "\\" in inner else inner
        if first == "'":
            found = _SINGLE(value)
            if found is None:
                raise NotFast
            return found.group(1).replace("''", "'")
        if first in _NOT_PLAIN_START or len(value) == 1 or value[1] == " ":
            raise NotFast  # flow, anchor, alias, tag, block scalar...; "- ", "? ", ": "
    comment = value.find(" #")
    if comment >= 0:
        value = value[:comment]
    value = value.rstrip(" ")
    if ": " in value or value[-1] == ":":
        raise NotFast  # a mistake, or a mapping on one line: the next readers say which
    return plain_value(value)


class _Lines:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        if "\r" in text:  # only as CRLF here (plain_document)
            self.lines = [line[:-1] if line.endswith("\r") else line for line in self.lines]

    def read(self) -> Any:
        # One pass, one regex per line; the usual line (another key of the mapping the
        # line before was in) takes the short way. This reads every card of a plan.
        stack: list[tuple[int, Any, bool, bool]] = []
        # ^ open blocks, innermost last: (indent, mapping or list, is a mapping, is a
        # list sharing its indent with the key it belongs to)
        root: Any = None
        # A key written with no value on its line: (mapping, key, key's line, indent)
        pending: tuple[YamlMap, str, int, int] | None = None
        top: Any = None  # the mapping the last key went into, at top_indent
        top_indent = -1
        prefix = "\n"  # top_indent spaces ("\n" when there is no such mapping: no line starts so)
        taken: set[str] = set()  # keys the line pattern has taken
        # When ``top`` is a list item's mapping: that list, and its item lines' start.
        item_list: Any = None
        item_prefix = "\n"
        skip = -1  # the last line a literal block took
        for number, line in enumerate(self.lines):
            if number <= skip:
                continue
            # The short way: another ``key: value`` of the mapping the last key went into,
            # with a key the pattern has taken before (the same reading, without it).
            key, sep, rest = line.partition(": ")
            if (
                sep
                and pending is None
                and key.startswith(prefix)
                and (name := key[top_indent:]) in taken
            ):
                key = name
                if rest[:1] == " ":
                    rest = rest.lstrip(" ")
                indent = top_indent
            elif (
                sep
                and pending is None
                and key.startswith(item_prefix)
                and stack[-1][1] is top
                and (name := key[top_indent:]) in taken
            ):
                # Another item of the list whose last item is the mapping ``top`` (no block
                # open inside it), starting a mapping at the same column.
                key = name
                if rest[:1] == " ":
                    rest = rest.lstrip(" ")
                indent = top_indent
                top = YamlMap(number)
                item_list.append(top)  # YamlList.put, inlined
                item_list.item_lines.append(number)
                stack[-1] = (indent, top, True, False)
            else:
                found = _LINE(line)
                assert found is not None  # every part of the pattern may be empty
                spaces, dash, key, rest = found.groups()
                if dash is None and key is None:
                    if not rest or rest[0] == "#":
                        continue
                    raise NotFast  # neither a key nor a list item (a value continued...)
                indent = len(spaces)
                if dash is not None or pending is not None or indent != top_indent:
                    if pending is not None:
                        owner, owner_key, key_line, owner_indent = pending
                        pending = None
                        item = dash is not None
                        if indent > owner_indent or (indent == owner_indent and item):
                            block: Any = YamlList(number) if item else YamlMap(number)
                            owner.put(owner_key, block, key_line, number)
                            stack.append((indent, block, not item, indent == owner_indent))
                        else:
                            owner.put(owner_key, None, key_line, key_line)
                    if root is None:
                        root = YamlMap(number) if dash is None else YamlList(number)
                        stack.append((indent, root, dash is None, False))
                    # Close the blocks this line is not in.
                    while stack and (
                        stack[-1][0] > indent
                        or (stack[-1][3] and stack[-1][0] == indent and dash is None)
                    ):
                        stack.pop()
                    if not stack or stack[-1][0] != indent:
                        raise NotFast  # a value continued on this line, or a mistake
                    _, container, is_map, _ = stack[-1]
                    if is_map == (dash is not None):
                        raise NotFast  # an item among keys, a key among items
                    if dash is not None:
                        if key is None:
                            if not rest or rest[0] == "#" or rest[:2] in ("-", "- "):
                                raise NotFast  # an item on the lines below; a list in a list
                            container.put(_scalar(rest), number)
                            top_indent, prefix = -1, "\n"
                            continue
                        # A mapping starting on the item's line, at the column of its key.
                        indent = found.start(3)
                        mapping = YamlMap(number)
                        container.put(mapping, number)
                        stack.append((indent, mapping, True, False))
                        item_list, item_prefix = container, line[:indent]
                        container = mapping
                    else:
                        item_prefix = "\n"  # (never the start of a line)
                    top, top_indent, prefix = container, indent, " " * indent
                if key in _NOT_TEXT_KEYS:
                    raise NotFast  # a key read as true, false or null
                taken.add(key)
            # ``key: rest`` in ``top``, the mapping at ``indent``
            if key in top:
                raise NotFast  # a duplicate key
            if not rest or rest[0] == "#":
                pending = (top, key, number, indent)
                continue
            first = rest[0]
            if first not in _SPECIAL_START and ":" not in rest and " #" not in rest:
                # The usual value: plain text on its line (what _scalar does, inlined).
                value: Any = rest.rstrip(" ")
                if first in NUMERIC_START or value in _WORDS:
                    value = plain_value(value)
            elif first == "|":
                value, skip = self._literal(rest, number, indent)
            else:
                value = _scalar(rest)
            top[key] = value
            top.lines += (number, number)
        if pending is not None:
            owner, owner_key, key_line, _ = pending
            owner.put(owner_key, None, key_line, key_line)
        return root

    def _literal(self, header: str, number: int, parent: int) -> tuple[str, int]:
        """A literal block scalar whose ``|`` is on line ``number``: its text, and the
        last line it takes (trailing blank lines are left to the caller, which skips
        them)."""
        chomping = _LITERALS.get(header.rstrip(" "))
        if chomping is None:
            raise NotFast  # |+, an indentation indicator, a comment after |
        lines = self.lines
        start = number + 1
        end = start
        indent = -1
        while end < len(lines):
            line = lines[end]
            content = line.lstrip(" ")
            if content:
                here = len(line) - len(content)
                if indent < 0:
                    if here <= parent:
                        raise NotFast  # an empty block
                    indent = here
                elif here < indent:
                    break
            elif len(line) > max(indent, 0):
                raise NotFast  # a blank line holding spaces the block might keep
            end += 1
        if indent < 0:
            raise NotFast
        body = [line[indent:] for line in lines[start:end]]
        while body and not body[-1]:
            body.pop()
        last = start + len(body) - 1
        if end == len(lines) and not self.text.endswith("\n"):
            raise NotFast  # the last line has no line break to keep
        text = "\n".join(body)
        return (text + "\n" if chomping == "clip" else text), last
