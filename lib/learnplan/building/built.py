"""A built package: a plan's rendered, validated notes and decks, ready to write
(:mod:`learnplan.building.deck` builds it, :mod:`learnplan.building.apkg` writes it)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from learnplan.building.notetypes import build_models
from learnplan.model.plan import CardKind, Plan

__all__ = ["BuiltDeck", "BuiltNote", "BuiltPackage"]


class BuiltNote(NamedTuple):
    # A named tuple rather than a frozen dataclass: built once per card, it is several
    # times quicker to make, and as immutable.
    guid: str
    kind: CardKind
    fields: tuple[str, str, str]
    tags: tuple[str, ...]
    deck_id: int
    ords: tuple[int, ...]  # card template ordinals (cloze: N-1 for each cN)


@dataclass(frozen=True)
class BuiltDeck:
    id: int
    name: str
    description: str = ""


@dataclass(frozen=True)
class BuiltPackage:
    """A rendered, validated plan, ready for :func:`learnplan.building.apkg.write_package`."""

    plan: Plan
    timestamp: float
    decks: tuple[BuiltDeck, ...]
    notes: tuple[BuiltNote, ...]
    media: tuple[tuple[str, Path], ...]  # (media name, source file), sorted by name
    manifest_name: str
    manifest_bytes: bytes

    @property
    def note_count(self) -> int:
        return len(self.notes)

    @property
    def card_count(self) -> int:
        return sum(len(n.ords) for n in self.notes)

    @functools.cached_property
    def package(self) -> Any:
        """The same content as a ``genanki.Package``, for inspection.

        Its media list holds the image source paths, whose file names are not the hashed
        names the fields use, and it lacks the manifest: write it with
        :func:`learnplan.building.apkg.write_package`.
        """
        import genanki

        models = build_models()
        decks = {d.id: genanki.Deck(d.id, d.name, d.description) for d in self.decks}
        for n in self.notes:
            decks[n.deck_id].add_note(
                genanki.Note(models[n.kind], list(n.fields), guid=n.guid, tags=list(n.tags))
            )
        return genanki.Package(list(decks.values()), media_files=[str(p) for _, p in self.media])
