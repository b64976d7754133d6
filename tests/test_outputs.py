"""What an output may replace: only what learnplan wrote, never a plan's own files."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from learnplan.base.errors import PlanError
from learnplan.building.outputs import CHART, HTML_REPORT, MARKDOWN_REPORT, PACKAGE, check_output
from learnplan.figures.compute import figures
from learnplan.render.report_html import report_html
from learnplan.render.report_md import report_markdown


def _refused(path: Path, kind: object = PACKAGE, **kw: object) -> str:
    with pytest.raises(PlanError) as info:
        check_output(path, kind, **{"sources": {}, **kw})  # type: ignore[arg-type]
    (problem,) = info.value.problems
    assert problem.line == 0
    return f"{problem.path}:{problem.line}: {problem.message}"


def test_a_new_file_in_an_existing_folder_is_fine(tmp_path: Path) -> None:
    check_output(tmp_path / "new.apkg", PACKAGE, sources={})


def test_the_folder_must_exist_and_be_a_folder(tmp_path: Path) -> None:
    assert "does not exist; create it first" in _refused(tmp_path / "no" / "x.apkg")
    (tmp_path / "f").write_text("x")
    assert "is not a folder" in _refused(tmp_path / "f" / "x.apkg")
    assert "is a folder; give a file name ending in .apkg" in _refused(tmp_path)


def test_sources_are_recognised_by_identity_and_never_replaced(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("plan: {}\n")
    os.link(plan, tmp_path / "hard.yaml")
    os.symlink("plan.yaml", tmp_path / "soft.yaml")
    sources = {plan: "the plan's outline"}
    for name in ("plan.yaml", "hard.yaml", "soft.yaml", "./x/../plan.yaml"):
        (tmp_path / "x").mkdir(exist_ok=True)
        message = _refused(tmp_path / name, sources=sources, force=True, shown=name)
        assert message.startswith(f"{name}:0: is the plan's outline; learnplan never writes")


def test_only_files_of_the_same_kind_are_replaced_without_force(tmp_path: Path) -> None:
    import datetime as dt

    from learnplan.building.apkg import write_package
    from learnplan.building.deck import build_package
    from learnplan.progress.log import ProgressLog
    from learnplan.reading.outline import default_plan_path, load_plan

    plan = load_plan(default_plan_path())
    write_package(build_package(plan), tmp_path / "deck.apkg")
    report = figures(plan, ProgressLog(plan_id=plan.id), None, dt.date(2019, 6, 1))
    (tmp_path / "r.html").write_text(report_html(report))
    text, charts = report_markdown(report, chart_prefix="r")
    (tmp_path / "r.md").write_text(text)
    chart_name, svg = next(iter(charts.items()))
    (tmp_path / chart_name).write_text(svg)
    (tmp_path / "other.txt").write_text("mine")
    ours = {
        "deck.apkg": PACKAGE,
        "r.html": HTML_REPORT,
        "r.md": MARKDOWN_REPORT,
        chart_name: CHART,
    }
    for name, kind in ours.items():
        check_output(tmp_path / name, kind, sources={})  # its own kind: fine
        for other_name, other in ours.items():
            if other is not kind:
                assert f"already exists and is not {kind.what}" in _refused(
                    tmp_path / other_name, kind
                )
                check_output(tmp_path / other_name, kind, sources={}, force=True)
        assert "use --force" in _refused(tmp_path / "other.txt", kind)


def test_a_zip_that_is_not_a_learnplan_package_is_kept(tmp_path: Path) -> None:
    for name, members in {
        "plain.zip": {"a.txt": "x"},
        "export.apkg": {"collection.anki21": "x", "media": "{}"},
        "bad-media.apkg": {"collection.anki2": "x", "media": "not json"},
        "fake.apkg": {"collection.anki2": "x", "media": '{"0": "_other-abc.json"}'},
    }.items():
        with zipfile.ZipFile(tmp_path / name, "w") as zf:
            for member, data in members.items():
                zf.writestr(member, data)
        assert "is not an Anki package built by learnplan" in _refused(tmp_path / name)
    (tmp_path / "truncated.apkg").write_bytes(b"PK\x03\x04 broken")
    assert "is not an Anki package" in _refused(tmp_path / "truncated.apkg")


def test_odd_outputs(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    assert "is not a regular file" in _refused(tmp_path / "fifo", force=True)
    os.symlink("nowhere/x.apkg", tmp_path / "dangling.apkg")
    assert "symbolic link to a missing file" in _refused(tmp_path / "dangling.apkg")
    assert "too long" in _refused(tmp_path / ("x" * 300))
