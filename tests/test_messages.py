"""What the CLI says when something is wrong: ``path:line: message`` for a file (line 0:
the whole file), ``learnplan: message`` when there is no file to point at — one rule,
sorted by file and line, never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from learnplan.base.errors import Problem
from learnplan.cli import in_file_order, main

LINE = re.compile(r"^(?:\S[^\n]*?:\d+: |learnplan: )")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err


def test_problems_come_file_by_file_in_line_order() -> None:
    problems = [
        Problem("b.md", 9, "x"),
        Problem("plan.yaml", 12, "y"),
        Problem("b.md", 2, "z"),
        Problem("plan.yaml", 0, "w"),
    ]
    assert [str(p) for p in in_file_order(problems)] == [
        "b.md:2: z",
        "b.md:9: x",
        "plan.yaml:0: w",
        "plan.yaml:12: y",
    ]


def test_the_cli_prints_a_plans_problems_sorted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "b.md").write_text(
        "## Fine {#f1}\nyes\n\n## $a}$ {#b1}\nno\n\n## $$x {#b2}\nno\n", encoding="utf-8"
    )
    (tmp_path / "plan.yaml").write_text(
        "plan: {id: p, title: P, start: 2026-01-05}\n"
        "courses:\n"
        "  - {id: c1, provider: X, title: One, fte: 1, cards: notes/b.md}\n"
        "  - id: c2\n    provider: X\n    title: Two\n    fte: 1\n    cards:\n"
        "      - {id: k1, front: '$\\frac{1}{2$', back: half}\n",
        encoding="utf-8",
    )
    code, err = _run(["check", str(tmp_path / "plan.yaml")], capsys)
    assert code == 2
    lines = err.splitlines()
    assert [line.split(": ")[0] for line in lines] == [
        f"{tmp_path / 'notes' / 'b.md'}:4",
        f"{tmp_path / 'notes' / 'b.md'}:7",
        f"{tmp_path / 'plan.yaml'}:9",
    ]


def test_every_message_follows_the_one_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "log.json").write_text('{"version": 1, "plan": "zero-to-dl",\n "x": [}')
    (tmp_path / "other.json").write_text(
        '{"version": 1,\n "plan": "zero-to-dl",\n'
        ' "sessions": [{"date": "2026-01-05", "course": "nope",'
        ' "hours": 1}]}\n'
    )
    assert main(["init", "mine"]) == 0
    capsys.readouterr()
    cases = [
        (["init", "mine"], 2),
        (["report", "--log", "log.json"], 2),
        (["report", "--log", "other.json"], 2),
        (["report", "--log", "missing.json"], 2),
        (["build", "--start", "soon"], 2),
        (["report", "--collection", "missing.anki2"], 2),
        (["check", "missing.yaml"], 2),
    ]
    for argv, expected in cases:
        code, err = _run(argv, capsys)
        assert code == expected, (argv, err)
        assert err and all(LINE.match(line) for line in err.splitlines()), (argv, err)
        assert "Traceback" not in err
    code, err = _run(["report", "--log", "other.json"], capsys)
    assert err == (
        "other.json:3: sessions[0]: 1 h studied on 2026-01-05: no course 'nope' in plan "
        "'zero-to-dl' (its courses: fastai-p1, fastai-p2, dlai, pim, mit-1801, mit-1802, "
        "mit-1806, mit-18065, 3b1b, khan, udemy-swift, udemy-pyds); fix the id or remove "
        "the entry\n"
    )


def test_without_anki_a_collection_command_says_what_to_install(tmp_path: Path) -> None:
    path = tmp_path / "collection.anki2"
    path.write_bytes(b"SQLite format 3\x00")  # past the check that it is a database
    code = (
        "import sys; sys.modules['anki'] = None\n"  # as if the package were not installed
        "from learnplan.cli import main\n"
        f"raise SystemExit(main(['report', '--collection', {str(path)!r}]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr == (
        "learnplan: working with a collection needs Anki's Python package: install it with "
        "pip install 'learnplan[anki]' (the environment scripts/run.sh makes has it)\n"
    )
