"""The examples in README.md and docs/ are run, so they cannot drift from the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from learnplan.cli import main
from learnplan.progress.log_json import log_from_json
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


def test_readme_check_example_is_what_check_prints(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """Each line of the README's ``learnplan check`` example is printed as shown, lines
    shown together follow each other, and "..." stands for lines left out."""
    text = (repo / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```\n\$ learnplan check\n(.*?)```", text, re.S)
    assert match, "no learnplan check example in README.md"
    assert main(["check"]) == 0
    printed = capsys.readouterr().out.splitlines()
    at, gap = 0, False
    for line in match.group(1).splitlines():
        if line == "...":
            gap = True
            continue
        found = printed.index(line, at) if gap and line in printed[at:] else at
        assert printed[found : found + 1] == [line], (line, printed[at : at + 3])
        at, gap = found + 1, False


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


def _synopsis(repo: Path) -> set[tuple[str, ...]]:
    """(command, option, ...) of every line of the README's CLI synopsis."""
    text = (repo / "README.md").read_text(encoding="utf-8")
    block = text[text.index("## The CLI") :]
    block = block[block.index("```\n") + 4 :]
    block = block[: block.index("\n```")]
    shown: set[tuple[str, ...]] = set()
    for line in re.sub(r"\n +(?=\[)", " ", block).splitlines():  # continuations joined
        words = line.split("  ")[0].split()
        assert words[0] == "learnplan", line
        command = [w for w in words[1:] if w.isidentifier() and w.islower()][:2]
        if words[1] != "log":
            command = command[:1]
        options = sorted({w.strip("[]|") for w in words if w.strip("[]").startswith("-")})
        shown.add((*command, *options))
    assert len(shown) == 8, shown
    return shown


def test_every_readme_command_works_where_run_sh_sets_up(tmp_path: Path, repo: Path) -> None:
    """A copy of the project, set up by scripts/run.sh from nothing (a fresh .venv), runs
    each command of the README's synopsis, with every option it shows — the ones that
    read and write an Anki collection included (run.sh installs the ``anki`` extra)."""
    import shutil
    import subprocess

    copy = tmp_path / "learnplan"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(repo / "lib", copy / "lib", ignore=ignore)
    shutil.copytree(repo / "scripts", copy / "scripts", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(repo / name, copy / name)
    work = tmp_path / "work"
    work.mkdir()
    setup = subprocess.run(
        ["sh", str(copy / "scripts" / "run.sh")],
        capture_output=True,
        text=True,
        cwd=work,
        check=False,
        timeout=900,
    )
    assert setup.returncode == 0, setup.stderr
    learnplan = str(copy / ".venv" / "bin" / "learnplan")
    python = str(copy / ".venv" / "bin" / "python")
    subprocess.run(
        [python, "-c", "from anki.collection import Collection; Collection('c.anki2').close()"],
        cwd=work,
        check=True,
    )
    (work / "log.json").write_text(
        '{"version": 1, "plan": "my-plan", "lessons_done": [["linear-algebra", "l1", '
        '"2026-01-06"]]}',
        encoding="utf-8",
    )
    day = ["--date", "2026-01-06"]
    note = ["--lesson", "l1", "--note", "lecture one"]
    html = ["--html", "-o", "r.html", "--force", "--start", "2026-01-05"]
    script = [
        ["init", "my-plan"],
        ["check", "my-plan/plan.yaml", "--start", "2026-01-05"],
        ["build", "my-plan/plan.yaml", "-o", "mine.apkg", "--start", "2026-01-05"],
        ["build", "-o", "mine.apkg", "--no-write", "--force"],
        ["import", "my-plan/plan.yaml", "--collection", "c.anki2", "--start", "2026-01-05"],
        ["log", "--collection", "c.anki2", "session", "linear-algebra", "2", *day, *note],
        ["log", "--collection", "c.anki2", "done", "linear-algebra", "l1", *day],
        ["log", "--collection", "c.anki2", "cost", "gpu", "50", *day],
        ["report", "--collection", "c.anki2", "--json"],
        ["report", "my-plan/plan.yaml", "--log", "log.json", "--collection", "c.anki2", *html],
        ["report", "my-plan/plan.yaml", "--log", "log.json", "--json"],
    ]
    ran: set[tuple[str, ...]] = set()
    for argv in script:
        result = subprocess.run(
            [learnplan, *argv], capture_output=True, text=True, cwd=work, check=False
        )
        assert result.returncode == 0, (argv, result.stderr)
        command = tuple(argv[:1] if argv[0] != "log" else ["log", argv[3]])
        ran.add((*command, *sorted({w for w in argv if w.startswith("-")})))
    for shown in _synopsis(repo):
        command = shown[: 2 if shown[0] == "log" else 1]
        options = set(shown[len(command) :])
        done = set().union(*(set(r[len(command) :]) for r in ran if r[: len(command)] == command))
        assert options <= done, (shown, done)
    assert (work / "r.html").stat().st_size > 0 and (work / "mine.apkg").stat().st_size > 0
