"""Small helpers for tests that use a real Anki collection (no mocks).

    col = open_collection(tmp_path)          # fresh collection.anki2 in tmp_path
    log = import_package(col, apkg_path)     # Anki's own importer, as the add-on uses it
    log.new, log.updated, log.duplicate, log.conflicting   # lists of imported notes
    col.close()

Or use the ``collection(tmp_path)`` context manager, which closes it for you.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def open_collection(folder: Path, name: str = "collection.anki2") -> Any:
    """A new (or existing) real ``anki.collection.Collection`` at ``folder/name``."""
    from anki.collection import Collection

    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / name))


@contextlib.contextmanager
def collection(folder: Path) -> Iterator[Any]:
    col = open_collection(folder)
    try:
        yield col
    finally:
        col.close()


def import_package(
    col: Any,
    path: str | os.PathLike[str],
    *,
    update: str = "IF_NEWER",
    merge_notetypes: bool = True,
) -> Any:
    """Import an .apkg with Anki's importer; returns the import log (``.new``, ``.updated``...).

    ``update`` is the name of an ``ImportAnkiPackageUpdateCondition`` (IF_NEWER, ALWAYS,
    NEVER) for both notes and note types — the settings the add-on's update path uses.
    """
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition

    condition = ImportAnkiPackageUpdateCondition.Value(
        f"IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_{update}"
    )
    request = ImportAnkiPackageRequest(
        package_path=str(path),
        options=ImportAnkiPackageOptions(
            merge_notetypes=merge_notetypes,
            update_notes=condition,
            update_notetypes=condition,
            with_scheduling=False,
            with_deck_configs=False,
        ),
    )
    return col.import_anki_package(request).log
