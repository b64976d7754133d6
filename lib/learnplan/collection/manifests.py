"""Plan manifests in a collection's media folder: the newest of each plan is kept, older
ones are removed once nothing needs them.

Every imported build brings its own manifest (``_learnplan-<plan>-<sha>.json``, ~13 KB
for the bundled plan), and Anki's media sync copies each to every device, forever. An
older manifest of a plan is needed only while decks it names, and the newest does not,
still exist: the update path reads such names to find the decks a File > Import made
(:mod:`learnplan.collection.decks`). Other manifests are trashed through Anki's media
API, so the deletion syncs. Record files (``_learnplan-rec-*``, the learner's progress)
and the update path's ``_lpstate-*`` files are never touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from learnplan.building.manifest import find_manifests
from learnplan.collection.decks import plan_decks

__all__ = ["remove_stale_manifests", "stale_manifests"]


def stale_manifests(col: Any, plan_id: str | None = None) -> list[str]:
    """Names of the manifests of ``plan_id`` (or of every plan) that nothing needs: older
    than the plan's newest, and naming no deck that still exists unless the newest
    names it too. Unreadable files are not manifests to us, and are never listed."""
    scan = find_manifests(Path(col.media.dir()))  # grouped by plan, newest first
    stale: list[str] = []
    newest: dict[str, set[str]] = {}
    for manifest in scan.manifests:
        plan = manifest.plan
        if plan_id is not None and plan.id != plan_id:
            continue
        names = set(plan_decks(plan).values())
        if plan.id not in newest:
            newest[plan.id] = names
            continue
        gone = all(col.decks.id_for_name(name) is None for name in names - newest[plan.id])
        if gone:
            # Read from the folder: the name is the file's path. Only manifest names are
            # read (find_manifests' pattern), which no record file's name matches.
            stale.append(Path(manifest.name).name)
    return stale


def remove_stale_manifests(col: Any, plan_id: str | None = None) -> list[str]:
    """Trash :func:`stale_manifests` with Anki's media API (the deletion syncs); returns
    their names."""
    names = stale_manifests(col, plan_id)
    if names:
        col.media.trash_files(names)
    return names
