from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from learnplan.cli import main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_build_without_arguments_builds_the_bundled_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(["build"], capsys)
    assert code == 0, err
    apkg = tmp_path / "zero-to-deep-learning.apkg"
    assert apkg.is_file() and apkg.stat().st_size > 0
    assert "Zero to Deep Learning" in out
    assert "7.4 FTE points against a capacity of 4.0 (1.85×)" in out and "$367" in out
    # Only the package: no temp files, no leftovers beside it.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["zero-to-deep-learning.apkg"]
    assert gc.isenabled()  # the build pauses the collector, and resumes it


def test_console_script_is_installed(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("learnplan")
    result = subprocess.run(
        [str(exe), "check"], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Total" in result.stdout


def test_check_prints_table_totals_capacity_and_overcommitment(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(["check"], capsys)
    assert code == 0
    assert "Capacity: 4.0 points (12 weeks × 40.0 h / 120.0 h per point)" in out
    assert "Overcommitment: 1.85×" in out
    total = next(line for line in out.splitlines() if line.lstrip().startswith("Total"))
    assert "7.4" in total and "$367" in total
    for provider in ("Fastai", "Deeplearning.ai", "MIT", "3Blue1Brown", "Khan Academy", "Udemy"):
        assert provider in out
    assert "$45" in out and "$11" in out and "$300" in out
    # The suggested trim scales every course by capacity / total, rounded down as the
    # panel shows and applies it: 1.5 × 4.0 / 7.4 = 0.811 -> 0.81, 0.2 × 4.0 / 7.4 = 0.108
    # -> 0.1 (points are written as every figure writes them).
    assert "  1.5 -> 0.81" in out and "Single Variable Calculus" + " " * 28 + "0.2 -> 0.1\n" in out
    # Notes as written, and the Anki cards they make (reversed: 2, cloze: 1 per number).
    assert total.split()[-3:] == ["195", "80", "90"]
    # A name too long for its column is cut visibly, in the table and in the trim list.
    assert "18.065 Matrix Methods in Data Analysis, Signal Processing, …" in out
    assert "  18.065 Matrix Methods in Data Analysis, Signal Pr…  0.7 -> 0.37" in out  # 0.378
    assert not any(line.endswith(("Signal", "Signal Pr")) for line in out.splitlines())


def test_check_shows_the_plan_figures_as_the_panel_and_report_do(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from learnplan.figures.compute import figures
    from learnplan.progress.log import ProgressLog
    from learnplan.reading.outline import default_plan_path, load_plan

    code, out, _ = _run(["check"], capsys)
    assert code == 0
    plan = load_plan(default_plan_path())
    shown = figures(plan, ProgressLog(plan.id), None, plan.start)
    # The trim, course by course, as the panel lists it (and applies it).
    lines = out.splitlines()
    trim = lines[next(i for i, x in enumerate(lines) if x.endswith("trim that fits:")) + 1 :]
    assert [tuple(x.split()[-3::2]) for x in trim] == [(t.fte, t.suggested) for t in shown.trim]
    assert len(trim) == 12
    # Capacity and overcommitment as the panel's warning writes them.
    assert shown.warning.endswith("(7.4 points for a capacity of 4.0).")
    assert "1.85×" in shown.warning and "Overcommitment: 1.85×" in out
    total = next(line for line in lines if line.lstrip().startswith("Total"))
    assert total.split()[1] == shown.totals.fte


def test_check_says_a_plan_that_fits_fits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", str(tmp_path / "p")]) == 0
    capsys.readouterr()
    code, out, _ = _run(["check", str(tmp_path / "p" / "plan.yaml")], capsys)
    assert code == 0
    assert "The plan fits: 2.2 of 4.0 points (55% of capacity), 1.8 points to spare." in out
    assert "Overcommitment" not in out and "trim" not in out


def test_bad_plan_exits_2_with_path_line_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "plan:\n  id: p\n  title: P\n  start: 2024-01-01\n"
        "courses:\n  - id: c\n    provider: X\n    title: C\n    fte: -1\n",
        encoding="utf-8",
    )
    before = plan.read_bytes()
    code, _, err = _run(["build", str(plan), "-o", str(tmp_path / "out.apkg")], capsys)
    assert code == 2
    assert f"{plan}:9:" in err
    assert "Traceback" not in err
    assert plan.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]
    assert gc.isenabled()  # resumed after a failed build too


def test_missing_plan_file_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["check", str(tmp_path / "nope.yaml")], capsys)
    assert code == 2
    assert "nope.yaml" in err


def test_init_then_build_assigns_ids_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(["init", "myplan"], capsys)
    assert code == 0, err
    plan_file = next((tmp_path / "myplan").glob("*.yaml"))
    _add_card_without_id(tmp_path / "myplan")
    code, out, err = _run(["check", str(plan_file)], capsys)
    assert code == 0, err
    assert "1 cards have no id yet" in out
    code, out, err = _run(["build", str(plan_file), "-o", "first.apkg"], capsys)
    assert code == 0, err
    assert "assigned 1 new card ids" in out
    snapshot = {p: p.read_bytes() for p in (tmp_path / "myplan").rglob("*") if p.is_file()}
    # A second build finds every id in place and rewrites nothing.
    code, out, err = _run(["build", str(plan_file), "-o", "second.apkg"], capsys)
    assert code == 0, err
    assert "assigned" not in out
    assert snapshot == {p: p.read_bytes() for p in (tmp_path / "myplan").rglob("*") if p.is_file()}
    code, out, err = _run(["build", str(plan_file), "--no-write", "-o", "third.apkg"], capsys)
    assert code == 0, err


def _add_card_without_id(plan_dir: Path) -> None:
    notes = next((plan_dir / "notes").glob("*.md"))
    with notes.open("a", encoding="utf-8") as f:
        f.write("\n## What is a pivot?\nThe first non-zero entry of a row after elimination.\n")


def test_no_write_fails_on_cards_without_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "p"]) == 0
    plan_file = next((tmp_path / "p").glob("*.yaml"))
    _add_card_without_id(tmp_path / "p")
    capsys.readouterr()
    before = {p: p.read_bytes() for p in (tmp_path / "p").rglob("*") if p.is_file()}
    code, _, err = _run(["build", str(plan_file), "--no-write", "-o", "x.apkg"], capsys)
    assert code == 2
    assert "no id" in err
    assert not (tmp_path / "x.apkg").exists()
    assert before == {p: p.read_bytes() for p in (tmp_path / "p").rglob("*") if p.is_file()}


def test_report_json_on_the_bundled_plan(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["report", "--json", "--today", "2019-05-06"], capsys)
    assert code == 0, err
    data = json.loads(out)
    text = json.dumps(data)
    assert "7.4" in text
    assert "1.85" in text
    assert "4.0" in text


def test_report_writes_markdown_with_charts_and_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(["report", "--today", "2019-06-17", "-o", "r.md"], capsys)
    assert code == 0, err
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    svgs = sorted(tmp_path.glob("*.svg"))
    assert svgs, "charts are written beside the Markdown report"
    for svg in svgs:
        assert svg.name in text
    code, _, err = _run(["report", "--html", "--today", "2019-06-17", "-o", "r.html"], capsys)
    assert code == 0, err
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<svg" in html and "<script" not in html


def test_report_rejects_a_damaged_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "log.json"
    log.write_text("{not json", encoding="utf-8")
    code, _, err = _run(["report", "--log", str(log), "--json"], capsys)
    assert code == 2
    assert "log.json" in err and "Traceback" not in err


@pytest.mark.skipif(os.name != "posix", reason="uses the shell script")
def test_run_script_is_the_readme_command(repo: Path) -> None:
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "sh scripts/run.sh" in readme and "sh scripts/test.sh" in readme
    ci = (repo / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test.sh" in ci


def test_report_with_a_collection_counts_memory_and_review_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import datetime as dt
    import time

    from anki.scheduler_pb2 import CardAnswer
    from helpers_anki import import_package, open_collection, v3

    start = dt.date.today() - dt.timedelta(days=3)
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        f"plan:\n  id: p\n  title: P\n  start: {start.isoformat()}\n"
        "courses:\n  - id: c\n    provider: X\n    title: C\n    fte: 1\n"
        "    lessons:\n      - id: l1\n        title: L1\n"
        "    cards:\n"
        "      - {id: a1, front: one, back: '1'}\n"
        "      - {id: a2, front: two, back: '2'}\n"
        "      - {id: a3, front: three, back: '3'}\n",
        encoding="utf-8",
    )
    apkg = tmp_path / "p.apkg"
    assert main(["build", str(plan), "-o", str(apkg)]) == 0
    col = open_collection(tmp_path / "anki")
    import_package(col, apkg)
    cids = sorted(col.find_cards("tag:p::course::c"))
    for cid in cids[:2]:  # two cards answered "good", 90 s each
        states = col._backend.get_scheduling_states(cid)
        v3(col).answer_card(
            CardAnswer(
                card_id=cid,
                current_state=states.current,
                new_state=states.good,
                rating=CardAnswer.GOOD,
                answered_at_millis=int(time.time() * 1000),
                milliseconds_taken=90_000,
            )
        )
    path = col.path
    col.close()
    capsys.readouterr()

    assert main(["report", str(plan), "--collection", path, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    memory = data["memory"]["c"] if isinstance(data["memory"], dict) else data["memory"][0]
    assert memory["new"] == 1
    assert memory["learning"] == 2
    # 2 answers of 90 s, each capped by the deck preset's 60 s maximum answer time, count
    # as spent effort: 120 s = 0.0333 h.
    assert data["snapshot"]["anki_hours"] == pytest.approx(120 / 3600, abs=1e-5)
    assert data["snapshot"]["courses"][0]["hours"] == pytest.approx(120 / 3600, abs=1e-5)


@pytest.mark.skipif(os.name != "posix", reason="uses the shell script")
def test_readme_run_command_builds_an_importable_default_deck(tmp_path: Path, repo: Path) -> None:
    from helpers_anki import import_package, open_collection

    root = repo
    result = subprocess.run(
        ["sh", str(root / "scripts" / "run.sh")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    apkg = tmp_path / "zero-to-deep-learning.apkg"
    col = open_collection(tmp_path / "anki")
    try:
        log = import_package(col, apkg)
        assert len(log.new) == 80 and not log.conflicting
        assert len(col.find_cards("tag:zero-to-dl::course::*")) == 90
        assert col.decks.by_name("Zero to Deep Learning::04 · MIT::03 · 18.06 Linear Algebra")
    finally:
        col.close()


# --- the learner's files are never an output (issue 9, cases 1 and 7)


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _learner_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A plan made with init, a card still without an id (so a build would write one
    back), and a precious file of the learner's own, as the working folder."""
    monkeypatch.chdir(tmp_path)
    assert main(["init", "p"]) == 0
    _add_card_without_id(tmp_path / "p")
    (tmp_path / "p" / "precious.txt").write_text("my notes\n")
    monkeypatch.chdir(tmp_path / "p")
    return tmp_path / "p"


@pytest.mark.parametrize("output", ["plan.yaml", "notes/example.md", "precious.txt"])
@pytest.mark.parametrize("plan_argument", [[], ["plan.yaml"]])
def test_build_never_replaces_a_file_it_did_not_write(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    output: str,
    plan_argument: list[str],
) -> None:
    # The measured case: `learnplan build -o plan.yaml` (plan argument forgotten) replaced
    # the outline with a package.
    folder = _learner_folder(tmp_path, monkeypatch)
    capsys.readouterr()
    before = _tree(folder)
    code, out, err = _run(["build", *plan_argument, "-o", output], capsys)
    assert code == 2, out
    assert err.startswith(f"{output}:0: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert _tree(folder) == before  # no package, no id written back, no temporary file
    if not plan_argument and output == "plan.yaml":
        assert "to build the plan in it, run: learnplan build plan.yaml" in err


def test_force_replaces_other_files_but_never_the_plans_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _learner_folder(tmp_path, monkeypatch)
    (folder / "img.png").write_bytes(b"\x89PNG")
    with (folder / "notes" / "example.md").open("a") as f:
        f.write("\n## With an image {#img1}\n![i](../img.png)\n")
    (folder / "notes" / "empty.md").write_text("# No cards here yet\n")
    text = (folder / "plan.yaml").read_text()
    (folder / "plan.yaml").write_text(
        text.replace("    cards: notes/example.md", "    cards: [notes/example.md, notes/empty.md]")
    )
    os.link(folder / "plan.yaml", folder / "hardlink.yaml")
    os.symlink("notes/example.md", folder / "link.md")
    capsys.readouterr()
    before = _tree(folder)
    for output in (
        "plan.yaml",
        "notes/example.md",
        "notes/empty.md",
        "img.png",
        "hardlink.yaml",
        "link.md",
        "./notes/../plan.yaml",
    ):
        for command in (["build", "plan.yaml"], ["report", "plan.yaml", "--html"]):
            code, _, err = _run([*command, "-o", output, "--force"], capsys)
            assert code == 2, (command, output)
            assert f"{output}:0: is " in err and "never writes over a plan's own files" in err
    assert _tree(folder) == before
    code, _, err = _run(["build", "plan.yaml", "-o", "precious.txt", "--force"], capsys)
    assert code == 0, err
    assert zipfile.is_zipfile(folder / "precious.txt")


def test_a_package_learnplan_built_is_rebuilt_in_place_but_an_anki_export_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _learner_folder(tmp_path, monkeypatch)
    assert main(["build", "plan.yaml", "-o", "deck.apkg"]) == 0
    first = (folder / "deck.apkg").read_bytes()
    assert main(["build", "plan.yaml", "-o", "deck.apkg"]) == 0
    assert (folder / "deck.apkg").read_bytes() != first  # a newer build of the same plan
    # A package exported from Anki (may hold the learner's reviews): no manifest of ours.
    with zipfile.ZipFile(folder / "export.apkg", "w") as zf:
        zf.writestr("collection.anki2", b"SQLite format 3\0")
        zf.writestr("media", "{}")
    export = (folder / "export.apkg").read_bytes()
    capsys.readouterr()
    code, _, err = _run(["build", "plan.yaml", "-o", "export.apkg"], capsys)
    assert code == 2
    assert "export.apkg:0: already exists and is not an Anki package built by learnplan" in err
    assert (folder / "export.apkg").read_bytes() == export
    assert main(["build", "plan.yaml", "-o", "export.apkg", "--force"]) == 0


def test_report_never_replaces_a_file_it_did_not_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _learner_folder(tmp_path, monkeypatch)
    log = folder / "log.json"
    log.write_text(json.dumps({"version": 1, "plan": "p"}))
    capsys.readouterr()
    before = _tree(folder)
    for args in (
        ["--html", "-o", "plan.yaml"],  # the measured case
        ["-o", "notes/example.md"],
        ["-o", "precious.txt"],
        ["--html", "-o", "precious.txt"],
        ["--log", "log.json", "-o", "log.json", "--force"],
    ):
        code, _, err = _run(["report", "plan.yaml", "--today", "2030-01-01", *args], capsys)
        assert code == 2, args
        assert err.startswith(f"{args[args.index('-o') + 1]}:0: "), err
        assert _tree(folder) == before, args
    # A chart name taken by a file of the learner's: nothing at all is written.
    (folder / "r-burnup.svg").write_text("<svg>my drawing</svg>")
    code, _, err = _run(["report", "plan.yaml", "-o", "r.md"], capsys)
    assert code == 2 and "r-burnup.svg:0: already exists and is not a chart" in err
    assert not (folder / "r.md").exists() and not (folder / "r-weekly.svg").exists()
    (folder / "r-burnup.svg").unlink()
    # Its own reports are rewritten without asking.
    for args in (
        ["-o", "r.md"],
        ["-o", "r.md"],
        ["--html", "-o", "r.html"],
        ["--html", "-o", "r.html"],
    ):
        code, _, err = _run(["report", "plan.yaml", *args], capsys)
        assert code == 0, (args, err)


def test_an_output_in_a_missing_folder_is_bad_input_naming_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _learner_folder(tmp_path, monkeypatch)
    capsys.readouterr()
    before = _tree(folder)
    for command in (["build", "plan.yaml"], ["report", "plan.yaml", "--html"], ["report"]):
        code, _, err = _run([*command, "-o", "missing/x.out"], capsys)
        assert code == 2
        assert err == "missing/x.out:0: the folder 'missing' does not exist; create it first\n"
    code, _, err = _run(["build", "plan.yaml", "-o", "precious.txt/x.apkg"], capsys)
    assert code == 2 and err.startswith("precious.txt/x.apkg:0: ")
    code, _, err = _run(["build", "plan.yaml", "-o", "n" * 300 + ".apkg"], capsys)
    assert code == 2 and "is too long for the file system" in err
    assert _tree(folder) == before


def test_a_card_file_name_too_long_for_the_file_system_is_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _learner_folder(tmp_path, monkeypatch)
    text = (folder / "plan.yaml").read_text()
    line = next(i for i, t in enumerate(text.split("\n"), 1) if "cards: notes/example.md" in t)
    (folder / "plan.yaml").write_text(
        text.replace("notes/example.md", "notes/" + "a" * 300 + ".md")
    )
    capsys.readouterr()
    for command in (["check"], ["build"], ["report", "--json"]):
        code, _, err = _run([*command, "plan.yaml"], capsys)
        assert code == 2, command
        assert f"plan.yaml:{line}: card file name 'notes/aaaa" in err
        assert "is too long for the file system" in err and "Errno" not in err


def test_a_failed_write_names_the_output_not_a_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import errno

    monkeypatch.chdir(tmp_path)
    assert main(["init", "p"]) == 0

    def full_disk(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", src)

    capsys.readouterr()
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", full_disk)
        code, _, err = _run(["build", "p/plan.yaml", "-o", "deck.apkg"], capsys)
    assert code == 1
    assert err == "deck.apkg:0: No space left on device\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]  # no temporary file left
