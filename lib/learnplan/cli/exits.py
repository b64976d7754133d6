"""How a command ends: its exit status, and the failures that are not bad input."""

from __future__ import annotations

#: 0 ok, 1 failure (I/O, environment, a collection Anki holds open), 2 bad input.
EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class CollectionUnavailable(Exception):
    """The collection cannot be opened now (Anki holds it, or it is not a collection)."""


class MissingAnki(Exception):
    """The ``anki`` package (the ``anki`` extra) is not installed: an environment failure."""
