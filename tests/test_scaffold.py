"""`learnplan init`: a starter plan that validates, and never overwrites anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from learnplan.base.errors import PlanError
from learnplan.reading.outline import load_plan
from learnplan.reading.scaffold import scaffold_plan


def test_scaffold_writes_a_valid_plan(tmp_path: Path) -> None:
    target = tmp_path / "deep-learning_2020"
    written = scaffold_plan(target)
    assert written == [target / "plan.yaml", target / "notes" / "example.md"]

    plan = load_plan(target / "plan.yaml", assign_ids=False)  # every card has an id
    assert plan.id == "deep-learning-2020"
    assert plan.title == "Deep Learning 2020"
    assert plan.start.weekday() == 0  # a Monday
    assert [c.id for c in plan.courses] == ["linear-algebra", "fastai-part1"]
    assert plan.total_fte == 2.2 and plan.total_cost == 50.0
    cards = {c.key: c for c in plan.courses[0].cards}
    assert {key: (c.kind, c.lesson) for key, c in cards.items()} == {
        "la-start1": ("basic", "l1"),
        "la-start2": ("basic", "l2"),
        "la-start3": ("reversed", "l1"),
        "la-start4": ("cloze", "l2"),
        "la-start5": ("basic", "l2"),
    }
    assert cards["la-start2"].tags == ("matrices",)
    assert cards["la-start5"].back.startswith("...and everything after it is the back.")
    # It is a file meant to be read: the settings are explained.
    text = (target / "plan.yaml").read_text()
    assert text.count("#") > 10 and "docs/outline.md" in text


def test_scaffold_into_an_existing_empty_folder(tmp_path: Path) -> None:
    written = scaffold_plan(tmp_path)
    assert all(p.is_file() for p in written)
    load_plan(tmp_path / "plan.yaml")


@pytest.mark.parametrize("existing", ["plan.yaml", "notes/example.md"])
def test_scaffold_refuses_to_overwrite(tmp_path: Path, existing: str) -> None:
    path = tmp_path / existing
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("mine\n")
    with pytest.raises(PlanError) as caught:
        scaffold_plan(tmp_path)
    assert "already exists" in str(caught.value)
    assert caught.value.problems[0].path == path
    assert path.read_text() == "mine\n"
    assert sorted(
        p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()
    ) == [existing]


def test_scaffold_refuses_a_file_as_folder(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(PlanError, match="not a folder"):
        scaffold_plan(tmp_path / "f")


def test_cli_init_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from learnplan.cli import main

    assert main(["init", str(tmp_path / "p")]) == 0
    assert main(["check", str(tmp_path / "p" / "plan.yaml")]) == 0
    out = capsys.readouterr().out
    assert "18.06 Linear Algebra" in out
    assert main(["init", str(tmp_path / "p")]) == 2


def test_scaffold_writes_nothing_when_a_folder_it_needs_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("my notes, not a folder\n")
    with pytest.raises(PlanError, match="notes:0: exists and is not a folder"):
        scaffold_plan(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes"]
    assert (tmp_path / "notes").read_text() == "my notes, not a folder\n"


def test_scaffold_undoes_what_it_made_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from learnplan.base.atomic import create_file as real
    from learnplan.reading import scaffold

    calls: list[Path] = []

    def fail_second(path: Path, data: bytes) -> Path:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(scaffold, "create_file", fail_second)
    with pytest.raises(OSError):
        scaffold_plan(tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_scaffold_never_replaces_a_file_that_appears_while_it_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from learnplan.base.atomic import create_file as real
    from learnplan.reading import scaffold

    def racing(path: Path, data: bytes) -> Path:
        if path.name == "example.md":
            path.write_text("written by someone else\n")
        return real(path, data)

    monkeypatch.setattr(scaffold, "create_file", racing)
    with pytest.raises(PlanError, match=r"example\.md:0: already exists"):
        scaffold_plan(tmp_path)
    assert (tmp_path / "notes" / "example.md").read_text() == "written by someone else\n"
    assert not (tmp_path / "plan.yaml").exists()
