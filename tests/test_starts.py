"""The bundled plan starts when the learner does; a learner's own start date is kept.

"The learner's own start date" is ``--start`` (or the add-on's "Start it today"), else
the ``start:`` of an outline the learner wrote. The bundled plan's ``start:`` is the day
its author began in 2019: without ``--start`` it starts on the coming Monday (today on a
Monday), in ``build``, ``check``, ``report`` and ``import``; ``--start 2019-05-06``
reproduces the original.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from learnplan.building.manifest import read_package_manifest
from learnplan.cli import main
from learnplan.reading.outline import default_plan_path, load_plan
from learnplan.reading.starts import coming_monday, is_bundled, learner_start

ORIGINAL = dt.date(2019, 5, 6)


def test_coming_monday() -> None:
    monday = dt.date(2026, 1, 5)
    assert coming_monday(monday) == monday
    for offset in range(1, 7):
        assert coming_monday(monday + dt.timedelta(days=offset)) == dt.date(2026, 1, 12)


def test_only_the_bundled_plan_moves_its_start(tmp_path: Path) -> None:
    bundled = load_plan(default_plan_path(), assign_ids=False)
    assert bundled.start == ORIGINAL  # the file (and the library's reader) keeps history
    wednesday = dt.date(2026, 3, 4)
    assert learner_start(bundled, None, today=wednesday).start == dt.date(2026, 3, 9)
    spelled = tmp_path / "link.yaml"
    spelled.symlink_to(default_plan_path())
    assert is_bundled(spelled) and is_bundled(None)
    assert learner_start(bundled, spelled, today=wednesday).start == dt.date(2026, 3, 9)
    assert learner_start(bundled, None, start=ORIGINAL, today=wednesday).start == ORIGINAL
    own = tmp_path / "plan.yaml"
    own.write_text(default_plan_path().read_text(encoding="utf-8"), encoding="utf-8")
    assert not is_bundled(own)
    assert learner_start(bundled, own, today=wednesday).start == ORIGINAL


def _expected(run: Callable[[], Any]) -> tuple[Any, set[dt.date]]:
    """Run, and the coming Mondays of the days it ran on (it may cross midnight)."""
    before = dt.date.today()
    result = run()
    return result, {coming_monday(before), coming_monday(dt.date.today())}


def test_report_build_and_check_start_on_the_coming_monday(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, mondays = _expected(lambda: main(["report", "--json"]))
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and dt.date.fromisoformat(data["plan"]["start"]) in mondays
    assert data["headline"].startswith("Starts ") or data["headline"].startswith("Week 1 of 12")

    assert main(["report", "--json", "--start", "2019-05-06", "--today", "2019-06-12"]) == 0
    original = json.loads(capsys.readouterr().out)
    assert original["plan"]["start"] == "2019-05-06"
    assert original["headline"].startswith("Week 6 of 12: 0.0 of 7.4 points")

    code, mondays = _expected(lambda: main(["build", "-o", "z.apkg"]))
    out = capsys.readouterr().out
    manifest = read_package_manifest(tmp_path / "z.apkg")
    assert code == 0 and manifest is not None and manifest.plan.start in mondays
    assert "starts on the coming Monday; choose with --start" in out
    assert main(["build", "-o", "z.apkg", "--start", "2019-05-06"]) == 0
    manifest = read_package_manifest(tmp_path / "z.apkg")
    assert manifest is not None and manifest.plan.start == ORIGINAL
    capsys.readouterr()

    code, mondays = _expected(lambda: main(["check"]))
    first = capsys.readouterr().out.splitlines()[0]
    assert code == 0 and any(f"12 weeks from {m.isoformat()}" in first for m in mondays)


def test_a_learners_own_outline_keeps_its_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = tmp_path / "plan.yaml"
    text = default_plan_path().read_text(encoding="utf-8").replace("cards: notes/", "# ")
    own.write_text(text.replace("start: 2019-05-06", "start: 2024-02-05"), encoding="utf-8")
    assert main(["report", str(own), "--json", "-o", str(tmp_path / "r.json")]) == 0
    assert json.loads(capsys.readouterr().out)["plan"]["start"] == "2024-02-05"


def test_import_into_a_collection_starts_on_the_coming_monday(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("anki")
    from anki.collection import Collection

    from learnplan.collection.recordstore import read

    path = tmp_path / "collection.anki2"
    Collection(str(path)).close()
    code, mondays = _expected(lambda: main(["import", "--collection", str(path)]))
    assert code == 0, capsys.readouterr().err
    col = Collection(str(path))
    try:
        followed = read(col).records.plan("zero-to-dl")
        assert followed is not None and followed.start in mondays
    finally:
        col.close()
    # Updating again keeps the day the collection follows it from.
    assert main(["import", "--collection", str(path), "--start", "2026-02-02"]) == 0
    assert main(["import", "--collection", str(path)]) == 0
    col = Collection(str(path))
    try:
        followed = read(col).records.plan("zero-to-dl")
        assert followed is not None and followed.start == dt.date(2026, 2, 2)
    finally:
        col.close()
