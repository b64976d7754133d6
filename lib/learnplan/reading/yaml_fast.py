"""The fast YAML reader: PyYAML's parser events (libyaml's C parser when installed) built
into :class:`YamlMap` and :class:`YamlList` values.

It reads the YAML that plans are made of — mappings, lists, text, numbers, true/false,
dates — and gives exactly what the exact reader (:mod:`learnplan.reading.yaml_exact`,
YAML 1.2 as ruamel.yaml reads it) gives for it: the same values at the same lines. For
anything else it raises :class:`NotFast` and leaves the document to that reader: an error
of any kind, a tag, an anchor or alias, a key that is not text, a number written in a
rarer form, a ``%`` directive, line breaks YAML 1.1 and 1.2 count differently. A test
compares both readers on many broken and unusual documents (tests/test_yaml_load.py).
"""

from __future__ import annotations

import math
import re
from typing import Any

from learnplan.model.limits import MAX_INT_DIGITS, MAX_YAML_DEPTH
from learnplan.reading.yaml_nodes import YamlList, YamlMap


class NotFast(Exception):
    """The document needs the exact reader."""


def _loader_class() -> Any:
    import yaml

    # CSafeLoader exists only when PyYAML was built with libyaml; inside Anki the add-on
    # carries PyYAML's pure-Python parser, which gives the same events.
    return getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader


# Besides characters YAML does not allow at all: those YAML 1.1 (PyYAML) and 1.2 (ruamel)
# count differently as line breaks or columns (U+0085, U+2028, U+2029, U+FEFF), and a tab
# (ruamel refuses some that libyaml takes as text).
_NOT_PLAIN = re.compile(
    "[^\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# The bytes a plain ASCII document may hold.
_ASCII_TEXT = bytes(range(0x20, 0x7F)) + b"\n\r"


def plain_document(text: str) -> bool:
    """False when ``text`` holds what only the exact reader reads as it should: a
    character YAML refuses or versions count differently, a tab, a carriage return not
    followed by a line feed, a line starting with '%' (a directive may change the YAML
    version). This scans the whole document, once."""
    if text.isascii():
        if text.encode("ascii").translate(None, _ASCII_TEXT):
            return False
    elif _NOT_PLAIN.search(text) is not None:
        return False
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return False
    return not (text.startswith("%") or "\n%" in text)


# The plain scalars of the YAML 1.2 core schema as ruamel.yaml resolves them (its
# resolver.py, version 1.2), and the forms of numbers read here; other numbers go to the
# exact reader, which knows every form.
_BOOLS = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
_NULLS = frozenset({"~", "null", "Null", "NULL"})
_FLOAT_12 = re.compile(
    r"""[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN)""",
    re.X,
).fullmatch
_INT_12 = re.compile(r"[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+").fullmatch
_SIMPLE_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)").fullmatch
_SIMPLE_FLOAT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\.[0-9]+").fullmatch
#: The first characters of a plain scalar that may be a number.
NUMERIC_START = frozenset("-+0123456789.")


def plain_value(text: str) -> Any:
    """A plain (unquoted) scalar's value, as ruamel.yaml constructs it."""
    if not text:
        return None
    first = text[0]
    if first in NUMERIC_START:
        if _FLOAT_12(text):
            if _SIMPLE_FLOAT(text):
                return float(text)
            raise NotFast
        if _INT_12(text):
            if _SIMPLE_INT(text):
                if len(text.lstrip("+-")) > MAX_INT_DIGITS:
                    return -math.inf if first == "-" else math.inf
                return int(text)
            raise NotFast
        return text  # a date stays text, as the exact reader keeps it; so does the rest
    if first in "tTfF":
        value = _BOOLS.get(text)
        return text if value is None else value
    if first in "~nN" and text in _NULLS:
        return None
    if text in ("<<", "="):  # a merge key, YAML's "value" key
        raise NotFast
    return text


def load_fast(text: str) -> Any:
    """``text`` as :class:`YamlMap` and :class:`YamlList` values (0-based lines).

    Raises :class:`NotFast` for anything this reader leaves to the exact one."""
    if not plain_document(text):
        raise NotFast
    return read_events(text)


def read_events(text: str) -> Any:
    """:func:`load_fast` for a text :func:`plain_document` has accepted."""
    import yaml

    try:
        loader = _loader_class()(text)
    except (yaml.YAMLError, UnicodeError):
        raise NotFast from None
    try:
        return _build(loader.get_event)
    except (yaml.YAMLError, UnicodeError, ValueError, RecursionError):
        raise NotFast from None
    finally:
        loader.dispose()


def _build(next_event: Any) -> Any:
    from yaml.events import (
        DocumentEndEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
        StreamStartEvent,
    )

    # One loop over the events, with no call per value: this reads every card of a plan.
    stack: list[tuple[Any, Any, int]] = []  # (container, key in it, line of that key)
    current: Any = None  # the mapping or list being filled
    key: Any = None
    key_line = 0
    expect_key = False
    root: Any = None
    documents = 0
    while True:
        event = next_event()
        kind = type(event)
        if kind is ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                raise NotFast
            value = event.value
            if event.implicit[0]:
                value = plain_value(value)
            line = event.start_mark.line
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                raise NotFast
            if expect_key or len(stack) >= MAX_YAML_DEPTH:
                raise NotFast  # a mapping or list as a key; or nested deeper than allowed
            line = event.start_mark.line
            stack.append((current, key, key_line))
            current = YamlMap(line) if kind is MappingStartEvent else YamlList(line)
            expect_key = kind is MappingStartEvent
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            value, line = current, current.line
            current, key, key_line = stack.pop()
            if current is None:
                root = value
                continue
            expect_key = False  # a finished container is a value, never a key here
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise NotFast  # the exact reader says that one document is expected
            continue
        elif kind is StreamEndEvent:
            return root
        elif kind is StreamStartEvent or kind is DocumentEndEvent:
            continue
        else:  # an alias
            raise NotFast
        # ``value`` (written at ``line``) goes into the current container.
        if current is None:
            root = value
        elif expect_key:
            if type(value) is not str or value in current:
                raise NotFast  # a key that is not text, or a duplicate key
            key, key_line, expect_key = value, line, False
        elif type(current) is YamlMap:
            current.put(key, value, key_line, line)
            expect_key = True
        else:
            current.put(value, line)
