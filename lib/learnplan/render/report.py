"""The progress report: one set of figures, three writers.

The JSON form is written here; the Markdown (:mod:`learnplan.render.report_md`) and HTML
(:mod:`learnplan.render.report_html`) forms lay out the same
:class:`~learnplan.figures.model.Figures`, so the three cannot disagree with each other
or with the panel. This module holds what the writers share, such as the notes that
explain the columns (every column of :mod:`learnplan.figures.model`, in its order).
"""

from __future__ import annotations

from typing import Any

from learnplan._version import __version__
from learnplan.figures.model import MEMORY_COLUMNS, Figures, figures_to_dict
from learnplan.model.plan import plan_to_dict
from learnplan.progress.log_json import log_to_json
from learnplan.progress.snapshot import snapshot_to_dict

#: Version of the dict form written by :func:`report_json`.
REPORT_VERSION = 1

GENERATOR = f"learnplan {__version__}"


def memory_note() -> str:
    """What the memory table's less obvious columns count."""
    explained = [c for c in MEMORY_COLUMNS if c.key in ("retention", "knowledge")]
    return " ".join(f"{c.label}: {c.description}." for c in explained)


def next_up_text(f: Figures) -> str | None:
    """The "Next up" line's text, with why: "Fastai — Part 1: Lesson 3 (behind …)"."""
    if f.next_up is None:
        return None
    return f"{f.next_up.text} ({f.next_up.note})"


def tile_text(value: str, note: str) -> str:
    """A tile as one line of text (Markdown has no room for a second)."""
    return f"{value} ({note})" if note else value


def report_json(f: Figures) -> dict[str, Any]:
    """The report as JSON-ready data: the plan, the raw numbers (``snapshot``, ``memory``),
    every figure as the report and the panel show it (``figures``) and the progress log
    they come from (``log``, in the progress log file's form). ``json.dumps`` takes it as
    it is."""
    memory = (
        {
            cid: {c.key: getattr(m, c.key) for c in MEMORY_COLUMNS}
            for cid, m in f.memory.items()
            if any(row.id == cid for row in f.snapshot.courses)
        }
        if f.memory
        else None
    )
    return {
        "version": REPORT_VERSION,
        "generator": GENERATOR,
        "headline": f.headline,
        "plan": plan_to_dict(f.plan),
        "snapshot": snapshot_to_dict(f.snapshot),
        "memory": memory,
        "figures": figures_to_dict(f),
        "log": log_to_json(f.log),
    }
