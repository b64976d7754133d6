"""learnplan: build course-tagged Anki decks from a study plan and track FTE progress.

The public API, for scripts::

    from learnplan import build_package, load_plan, write_package

    plan = load_plan("my-plan.yaml")   # validates everything; raises PlanError
    built = build_package(plan)        # a genanki package in memory
    write_package(built, "my-plan.apkg")

Progress tracking: :class:`ProgressLog` (the learner's records), :func:`snapshot` (where
they stand on a given day), :func:`learnplan.figures.compute.figures` (all of it as the
learner sees it, formatted once) and the report writers in :mod:`learnplan.render`.
Reading a collection (:mod:`learnplan.collection.memory`, :mod:`learnplan.collection.update`)
needs the ``anki`` package.
"""

from __future__ import annotations

from learnplan.base.errors import PlanError, Problem
from learnplan.building.apkg import write_package
from learnplan.building.built import BuiltPackage
from learnplan.building.deck import build_package
from learnplan.building.manifest import Manifest, ManifestScan, find_manifests, read_manifest
from learnplan.model.dictform import plan_from_dict
from learnplan.model.plan import Card, Course, Lesson, Plan, Resource, plan_to_dict
from learnplan.progress.log import (
    CostPaid,
    LessonDone,
    ProgressLog,
    Revision,
    Session,
    apply_revisions,
)
from learnplan.progress.log_fields import LogError
from learnplan.progress.log_file import load_log, save_log
from learnplan.progress.maths import suggest_trim
from learnplan.progress.snapshot import Snapshot, snapshot
from learnplan.reading.outline import default_plan_path, load_plan
from learnplan.reading.writeback import write_back_ids

from ._version import __version__

__all__ = [
    "BuiltPackage",
    "Card",
    "CostPaid",
    "Course",
    "Lesson",
    "LessonDone",
    "LogError",
    "Manifest",
    "ManifestScan",
    "Plan",
    "PlanError",
    "Problem",
    "ProgressLog",
    "Resource",
    "Revision",
    "Session",
    "Snapshot",
    "__version__",
    "apply_revisions",
    "build_package",
    "default_plan_path",
    "find_manifests",
    "load_log",
    "load_plan",
    "plan_from_dict",
    "plan_to_dict",
    "read_manifest",
    "save_log",
    "snapshot",
    "suggest_trim",
    "write_back_ids",
    "write_package",
]
