"""addon/detect.py on a real collection: after an import, plans in the media folder are
offered and a bad manifest is named, never fatal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from anki.collection import Collection

from addon import detect, store
from learnplan.building.manifest import NAME_RE
from learnplan.model.plan import Plan


@pytest.fixture
def col(default_col: Collection) -> Collection:
    return default_col


def test_an_imported_plan_is_offered(col: Collection) -> None:
    plans, bad = detect.unadopted_plans(col)
    assert [title for _, title in plans] == ["Zero to Deep Learning"]
    assert bad == []


def test_a_bad_manifest_is_named_and_detection_goes_on(col: Collection, default_plan: Plan) -> None:
    media = Path(col.media.dir())
    data = json.loads(next(p for p in media.iterdir() if NAME_RE.match(p.name)).read_bytes())
    data["plan"]["id"] = "other"
    data["plan"]["courses"][0]["fte"] = -2
    # Sorted before the good one: detection used to stop at the first bad file it parsed.
    (media / "_learnplan-aaa-000000000000.json").write_text(json.dumps(data, indent=1))
    (media / "_learnplan-aab-000000000000.json").write_bytes(b"[" * 200_000)
    plans, bad = detect.unadopted_plans(col)
    assert [title for _, title in plans] == ["Zero to Deep Learning"]
    assert [name for name, _ in bad] == [
        "_learnplan-aaa-000000000000.json",
        "_learnplan-aab-000000000000.json",
    ]
    assert "plan.courses[0].fte: course 'fastai-p1' fte must be 0 or more, not -2" in bad[0][1]
    assert bad[1][1] == (
        "_learnplan-aab-000000000000.json:0: not valid JSON for a plan: nested far too deeply"
    )
    # Once the plan is adopted, only the problems remain to be told.
    store.adopt_plan(col, default_plan)
    plans, bad = detect.unadopted_plans(col)
    assert plans == [] and len(bad) == 2
