"""`learnplan import | log | report --collection` on a real collection file (no Qt)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers_anki import open_collection

from learnplan.cli import main
from learnplan.collection import recordstore
from learnplan.collection.summary import find_block


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def colpath(tmp_path: Path) -> Path:
    open_collection(tmp_path).close()
    return tmp_path / "collection.anki2"


@pytest.fixture
def imported(colpath: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    code, out, err = _run(["import", "--collection", str(colpath), "--start", "2026-01-05"], capsys)
    assert code == 0, err
    assert "80 new" in out and "current plan, from 2026-01-05" in out
    return colpath


def _open(path: Path) -> Any:
    from anki.collection import Collection

    return Collection(str(path))


def _state(path: Path) -> tuple[list[str], int, list[tuple[str, object]]]:
    """What a refused command must leave as it was: record files, collection, config."""
    col = _open(path)
    try:
        names = recordstore.record_names(Path(col.media.dir()))
        mod = col.mod
        config = sorted(col.all_config().items())
        return names, mod, config
    finally:
        col.close()


def test_import_makes_the_bundled_plan_current_with_its_decks_and_summary(imported: Path) -> None:
    col = _open(imported)
    try:
        stored = recordstore.read(col)
        plan = stored.records.current_plan
        assert plan is not None and plan.id == "zero-to-dl"
        assert plan.start.isoformat() == "2026-01-05"
        assert col.card_count() == 90
        assert stored.records.imported["zero-to-dl"]["state"].startswith("_lpstate-")
        did = col.decks.id_for_name("Zero to Deep Learning")
        desc = col.decks.get(did)["desc"]
        assert find_block(desc) is not None and "0.0 earned" in desc
    finally:
        col.close()


def test_import_again_keeps_the_start_the_collection_follows(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["import", "--collection", str(imported)], capsys)
    assert code == 0, err
    assert "80 unchanged" in out and "from 2026-01-05" in out
    code, out, err = _run(
        ["import", "--collection", str(imported), "--start", "2026-02-02"], capsys
    )
    assert code == 0, err
    col = _open(imported)
    try:
        plan = recordstore.read(col).records.current_plan
        assert plan is not None and plan.start.isoformat() == "2026-02-02"
    finally:
        col.close()


def test_log_then_report_from_the_collection(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    col = str(imported)
    code, out, err = _run(
        ["log", "--collection", col, "session", "fastai-p1", "2.5", "--date", "2026-01-06",
         "--lesson", "l01", "--note", "lecture 1"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert "Logged 2.5 h of fastai-p1 on 2026-01-06" in out
    code, out, err = _run(
        ["log", "--collection", col, "done", "fastai-p1", "l01", "--date", "2026-01-06"], capsys
    )
    assert code == 0, err
    # The headline under it counts the lesson just ticked.
    assert "0.21 of 7.4 points" in out.splitlines()[1], out
    code, out, _ = _run(["log", "--collection", col, "done", "fastai-p1", "l01"], capsys)
    assert code == 0 and "was done on 2026-01-06; nothing changed" in out
    code, out, err = _run(
        ["log", "--collection", col, "cost", "dlai", "45", "--date", "2026-01-07"], capsys
    )
    assert code == 0, err
    assert "Logged $45 for dlai on 2026-01-07" in out

    code, out, err = _run(
        ["report", "--collection", col, "--json", "--today", "2026-01-08"], capsys
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["log"] == {
        "version": 1,
        "plan": "zero-to-dl",
        "lessons_done": [["fastai-p1", "l01", "2026-01-06"]],
        "sessions": [
            {"date": "2026-01-06", "course": "fastai-p1", "hours": 2.5, "lesson": "l01",
             "note": "lecture 1"}
        ],
        "costs": [{"date": "2026-01-07", "item": "dlai", "amount": 45.0}],
    }  # fmt: skip
    # one of fastai Part 1's seven lessons: 1.5 / 7 = 0.21 points
    assert report["headline"].startswith("Week 1 of 12: 0.21 of 7.4 points")
    assert report["memory"]["fastai-p1"]["new"] > 0  # the collection's own numbers

    code, _, err = _run(
        ["report", "--collection", col, "--html", "-o", str(imported.parent / "r.html")], capsys
    )
    assert code == 0, err
    assert "Zero to Deep Learning" in (imported.parent / "r.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["session", "nope", "1"], "no course 'nope'"),
        (["session", "fastai-p1", "1", "--lesson", "l99"], "no lesson 'l99'"),
        (["session", "fastai-p1", "-1"], "HOURS: expected a number more than 0"),
        (["session", "fastai-p1", "lots"], "HOURS: expected a number more than 0"),
        (["done", "fastai-p1", "nope"], "no lesson 'nope' in course 'fastai-p1'"),
        (["done", "pim", "l01"], "no lesson 'l01' in course 'pim'"),
        (["cost", "dlai", "0"], "AMOUNT"),
        (["done", "fastai-p1", "l01", "--date", "2999-01-01"], "after today"),
        (["done", "fastai-p1", "l01", "--date", "yesterday"], "is not a date"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    imported: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    before = _state(imported)
    code, _, err = _run(["log", "--collection", str(imported), *argv], capsys)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert _state(imported) == before


def test_no_current_plan_is_bad_input(colpath: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["log", "--collection", str(colpath), "session", "c", "1"],
        ["report", "--collection", str(colpath), "--json"],
    ):
        code, _, err = _run(argv, capsys)
        assert code == 2 and "follows no Learning Plan yet" in err


def test_report_with_a_plan_and_a_log_file_still_works(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "log.json"
    log.write_text(json.dumps({"version": 1, "plan": "zero-to-dl"}), encoding="utf-8")
    from learnplan.reading.outline import default_plan_path

    code, out, err = _run(
        ["report", str(default_plan_path()), "--log", str(log), "--collection", str(imported),
         "--json"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["memory"]["fastai-p1"]["new"] > 0
    code, _, err = _run(["report", "--log", str(log), "--collection", str(imported)], capsys)
    assert code == 2 and "give the PLAN with --log" in err


@pytest.fixture
def held(imported: Path) -> Iterator[Path]:
    """The collection held open by another process, as Anki desktop holds it."""
    script = textwrap.dedent(
        """
        import sys
        from anki.collection import Collection
        col = Collection(sys.argv[1])
        print("held", flush=True)
        sys.stdin.read()
        col.close()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(imported)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        yield imported
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=60)


def test_a_collection_anki_holds_is_a_clear_failure_and_untouched(
    held: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sorted(p.name for p in (held.parent / "collection.media").iterdir())
    data = held.read_bytes()
    for argv in (
        ["log", "--collection", str(held), "session", "fastai-p1", "1"],
        ["import", "--collection", str(held)],
        ["report", "--collection", str(held), "--json"],
    ):
        code, _, err = _run(argv, capsys)
        assert code == 1, err
        assert err.startswith(f"{held}:0: cannot open the collection"), err
        assert "Anki already open" in err
        assert "nothing was changed" in err and "Traceback" not in err
    assert sorted(p.name for p in (held.parent / "collection.media").iterdir()) == files
    assert held.read_bytes() == data


def test_import_moves_old_config_records(colpath: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from old_layout import write_old_config

    col = _open(colpath)
    try:
        write_old_config(col)
    finally:
        col.close()
    code, _, err = _run(["import", "--collection", str(colpath)], capsys)
    assert code == 0, err
    col = _open(colpath)
    try:
        assert not [k for k in col.all_config() if k.startswith("learnplan.")]
        records = recordstore.read(col).records
        assert [p.id for p in records.plans] == ["p1", "p2", "zero-to-dl"]
        assert records.current == "zero-to-dl" and len(records.log("p1").sessions) == 2
    finally:
        col.close()


def test_records_naming_what_the_plan_no_longer_has_are_warned_about(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from learnplan.reading.outline import default_plan_path

    code, _, err = _run(
        ["log", "--collection", str(imported), "done", "fastai-p1", "l02", "--date", "2026-01-06"],
        capsys,
    )
    assert code == 0, err
    # The learner drops lesson l02 from their copy of the plan and updates.
    text = default_plan_path().read_text(encoding="utf-8")
    start = text.index("      - id: l02\n")
    end = text.index("      - id: l03\n")
    own = tmp_path / "plan" / "plan.yaml"
    own.parent.mkdir()
    shutil.copytree(default_plan_path().parent / "notes", own.parent / "notes")
    cards = own.parent / "notes" / "fastai-p1.md"
    cards.write_text(cards.read_text(encoding="utf-8").replace("lesson=l02}", "lesson=l03}"))
    own.write_text(text[:start] + text[end:], encoding="utf-8")
    code, _, err = _run(["import", str(own), "--collection", str(imported)], capsys)
    assert code == 0, err
    code, out, err = _run(["report", "--collection", str(imported), "--json"], capsys)
    assert code == 0
    assert err == (
        "learnplan: warning: lesson done on 2026-01-06: no lesson 'l02' in course "
        "'fastai-p1' (its lessons: l01, l03, l04, l05, l06, l07); it is not counted\n"
    )
    assert json.loads(out)["log"]["lessons_done"] == [["fastai-p1", "l02", "2026-01-06"]]


@pytest.mark.parametrize("content", [b"", b"hello\n", b"SQLite format 2\x00" + b"\x00" * 100])
def test_a_file_that_is_not_a_collection_is_bad_input_and_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    for argv in (
        ["log", "--collection", str(path), "session", "fastai-p1", "1"],
        ["import", "--collection", str(path)],
        ["report", "--collection", str(path), "--json"],
    ):
        code, out, err = _run(argv, capsys)
        assert code == 2, err
        assert err.startswith(f"{path}:0: not an Anki collection"), err
        assert "Traceback" not in err and out == ""
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
