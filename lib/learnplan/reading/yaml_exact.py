"""The exact YAML reader: ruamel.yaml's round-trip loader, made strict.

It reads YAML 1.2 as written, keeps comments and formatting, and knows where every key and
value is, which the id write-back needs to edit a file in place. It is pure Python and
slow on large documents, so outlines are read with :mod:`learnplan.reading.yaml_fast`
when they can be; this reader decides every document that one leaves alone and every
error (so a message never depends on which reader ran).
"""

from __future__ import annotations

import functools
import math
from typing import Any

from learnplan.model.limits import MAX_INT_DIGITS, MAX_YAML_DEPTH
from learnplan.reading.yaml_nodes import YamlList, YamlMap

#: Tags a plan may carry: those of the values YAML itself makes (not !!str: ruamel keeps
#: such a value as a tagged object, not as text).
PLAIN_TAGS = frozenset(
    ["!"]
    + [
        f"tag:yaml.org,2002:{name}"
        for name in ("int", "float", "bool", "null", "seq", "map", "timestamp")
    ]
)


def tag_text(tag: str) -> str:
    """``!!python/name:os.system`` for the long form of a tag."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:") else tag


@functools.cache
def _yaml_classes() -> tuple[Any, Any]:
    """ruamel's composer and constructor, made strict (built once, on first use)."""
    from ruamel.yaml.composer import Composer, ComposerError
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.events import AliasEvent

    class SafeComposer(Composer):
        # Aliases (and the anchors they need) are refused while composing, before any
        # object graph exists: an alias bomb fails in linear time with a clear message.
        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.parser.peek_event()
            if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
                raise ComposerError(
                    None,
                    None,
                    "YAML anchors and aliases (&name, *name, <<) are not allowed in a plan; "
                    "write the values out",
                    event.start_mark,
                )
            # Other tags make values of other kinds (or of Python classes): refused here,
            # with their line, rather than met later as values no rule knows.
            tag = getattr(event, "ctag", None)
            if tag is not None and str(tag) not in PLAIN_TAGS:
                raise ComposerError(
                    None,
                    None,
                    f"the YAML tag {tag_text(str(tag))} is not allowed in a plan; remove "
                    "it (put text in quotes)",
                    event.start_mark,
                )
            return super().compose_node(parent, index)

    class DateAsText(RoundTripConstructor):
        def construct_yaml_int(self, node: Any) -> Any:
            # Python refuses to convert very long digit strings; like JSON's 1e999 such a
            # number is infinite, on every route (rules.MAX_INT_DIGITS).
            text = str(node.value).replace("_", "")
            if len(text.lstrip("+-")) > MAX_INT_DIGITS:
                return -math.inf if text.startswith("-") else math.inf
            return super().construct_yaml_int(node)

    # Dates stay text so a bad date is reported by us with its line, not by datetime.
    DateAsText.add_constructor(
        "tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str
    )
    DateAsText.add_constructor("tag:yaml.org,2002:int", DateAsText.construct_yaml_int)

    return SafeComposer, DateAsText


def load_roundtrip(text: str) -> Any:
    """``text`` as ruamel's commented maps and sequences (each with ``.lc`` line and
    column marks). Raises ruamel's errors, ``RecursionError`` and ``ValueError``."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")  # a fresh one per document: ruamel's loaders keep state
    yaml.Composer, yaml.Constructor = _yaml_classes()
    yaml.allow_duplicate_keys = False
    yaml.max_depth = MAX_YAML_DEPTH
    return yaml.load(text)


def load_exact(text: str) -> Any:
    """``text`` read by :func:`load_roundtrip`, as :class:`YamlMap` and :class:`YamlList`
    values with the same lines."""
    return _nodes(load_roundtrip(text))


def _nodes(value: Any) -> Any:
    # The document is at most MAX_YAML_DEPTH deep, so recursion is safe here.
    if isinstance(value, dict):
        out = YamlMap(_mark(value, None))
        for key, item in value.items():
            key_line = _mark(value, ("key", key))
            value_line = _mark(value, ("value", key))
            out.put(key, _nodes(item), key_line, value_line)
        return out
    if isinstance(value, list):
        seq = YamlList(_mark(value, None))
        for index, item in enumerate(value):
            seq.put(_nodes(item), _mark(value, ("item", index)))
        return seq
    return value


def _mark(node: Any, where: tuple[str, Any] | None) -> int:
    lc = node.lc
    try:
        if where is None:
            return int(lc.line)
        kind, key = where
        return int(getattr(lc, kind)(key)[0])
    except (AttributeError, KeyError, TypeError, IndexError):
        return int(lc.line)
