"""The examples in README.md and docs/ are run, so they cannot drift from the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from learnplan.cli import main
from learnplan.progress.log import log_from_json
from learnplan.reading.outline import default_plan_path, load_plan


def _block(path: Path, lang: str) -> str:
    match = re.search(rf"```{lang}\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
    assert match, f"no {lang} block in {path}"
    return match.group(1)


def test_readme_python_example_runs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    repo: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "my-plan"]) == 0
    capsys.readouterr()
    exec(compile(_block(repo / "README.md", "python"), "README.md", "exec"), {})
    out = capsys.readouterr().out
    plan = load_plan(tmp_path / "my-plan" / "plan.yaml")
    assert f"{plan.total_fte:g} points" in out
    assert (tmp_path / "my-plan.apkg").stat().st_size > 0


def test_progress_log_example_is_a_valid_log_for_the_bundled_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    data = json.loads(_block(repo / "docs" / "progress-log.md", "json"))
    log = log_from_json(data)
    plan = load_plan(default_plan_path())
    assert log.plan_id == plan.id
    for done in log.lessons_done:
        course = plan.course(done.course)
        assert course is not None and course.lesson(done.lesson) is not None
    path = tmp_path / "log.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["report", "--log", str(path), "--json", "--today", "2019-06-10"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "fastai-p1" in json.dumps(report)


def test_record_file_example_is_a_valid_record_file(repo: Path) -> None:
    from learnplan.progress.entries import OPS, decode_file
    from learnplan.progress.records import fold

    text = (repo / "docs" / "progress-log.md").read_text(encoding="utf-8")
    example = re.findall(r"```json\n(.*?)```", text, re.S)[1]
    got = decode_file("example.json", example.encode("utf-8"))
    assert got.errors == () and len(got.entries) == 2
    log = fold(got.entries).log("zero-to-dl")
    assert [(d.course, d.lesson) for d in log.lessons_done] == [("fastai-p1", "l01")]
    assert [s.hours for s in log.sessions] == [3.5]
    # Every operation the code knows is in the documented table, and no other.
    section = text[text.index("## In a collection: record files") :]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", section, re.M))
    assert documented == set(OPS)


def test_every_name_on_the_architecture_page_exists(repo: Path) -> None:
    """docs/architecture.md names modules and functions (``progress.maths.points``,
    ``addon.loader.load``): each must be importable, so the page cannot drift."""
    import importlib

    text = (repo / "docs" / "architecture.md").read_text(encoding="utf-8")
    found_names = re.findall(r"`((?:addon|[a-z_]+)(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`", text)
    names = {name for name in found_names if not name.endswith(".py")}  # file names
    assert len(names) > 30
    missing = []
    for name in sorted(names):
        dotted = name if name.startswith("addon.") else f"learnplan.{name}"
        parts = dotted.split(".")
        for split in range(len(parts), 0, -1):
            try:
                found: object = importlib.import_module(".".join(parts[:split]))
            except ImportError:
                continue
            for attr in parts[split:]:
                found = getattr(found, attr, None)
            if found is None:
                missing.append(name)
            break
        else:
            missing.append(name)
    assert missing == []
