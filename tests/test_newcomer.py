"""A new learner's first hour, scripted: init, build, import, report — issue 11's acceptance.

The learner runs ``learnplan init``, adds a 40-lecture course with a Markdown card file
full of maths (every form of test_maths.py: maths in clozes, clozes in maths, ``::`` and
``}}`` in both, display maths), checks and builds it, imports the package with File >
Import into a real collection, then lets ``learnplan import`` take it over, ticks a
lesson and asks for a report. Along the way: the deck list in outline order, every card
rendering through Anki with its maths whole, the plan starting on the coming Monday, a
first report that makes sense, and the broken maths of the issue caught at path:line.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("anki")

from anki.collection import Collection
from test_deck_order import tree
from test_maths import ERRORS, RENDERS, _same_tex, mathjax_spans

from learnplan.building.deck import build_package
from learnplan.cli import main
from learnplan.collection.importer import import_package
from learnplan.reading.outline import load_plan
from learnplan.reading.starts import coming_monday

COURSE = """
  - id: la40
    provider: MIT OpenCourseWare
    title: Linear Algebra, 40 lectures
    fte: 1.0
    cards: notes/maths.md
    lessons:
{lessons}
"""


def _write_plan(folder: Path) -> None:
    plan = folder / "plan.yaml"
    lessons = "\n".join(
        f'      - {{id: lec{n:02d}, title: "Lecture {n}: part {n}", hours: 1.5}}'
        for n in range(1, 41)
    )
    text = plan.read_text(encoding="utf-8")
    # The new course goes after the starter's courses, before its resources.
    head, tail = text.split("\nresources:", 1)
    plan.write_text(
        head.rstrip("\n") + "\n" + COURSE.format(lessons=lessons) + "\nresources:" + tail
    )
    cards = ["# Maths, as a learner writes it", ""]
    for i, (text_, _) in enumerate(RENDERS):
        # Spread over the lectures, so that lecture 10 and up have cards too.
        cards += [f"## {text_} {{lesson=lec{(i * 4) % 40 + 1:02d}}}", "", ""]
    cards += ["## What is $\\det(AB)$? {lesson=lec40}", "$\\det A \\det B$", ""]
    (folder / "notes" / "maths.md").write_text("\n".join(cards), encoding="utf-8")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_newcomers_first_hour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    first_day = dt.date.today()
    code, out, err = _run(["init", "my-plan"], capsys)
    assert code == 0, err
    folder = tmp_path / "my-plan"
    _write_plan(folder)

    # The maths the issue found broken is refused at its line, before anything is built.
    broken = folder / "notes" / "broken.md"
    broken.write_text(
        "".join(f"## {text} {{lesson=lec01}}\nAn answer.\n\n" for text, _ in ERRORS),
        encoding="utf-8",
    )
    plan_file = folder / "plan.yaml"
    with_broken = plan_file.read_text(encoding="utf-8").replace(
        "cards: notes/maths.md", "cards: [notes/maths.md, notes/broken.md]"
    )
    plan_file.write_text(with_broken, encoding="utf-8")
    code, out, err = _run(["check", str(plan_file)], capsys)
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == len(ERRORS)
    for n, ((_, message), line) in enumerate(zip(ERRORS, lines, strict=True)):
        assert line.startswith(f"{broken}:{3 * n + 1}: card ") and message in line, line
    plan_file.write_text(with_broken.replace(", notes/broken.md]", "]"), encoding="utf-8")
    broken.unlink()

    code, out, err = _run(["check", str(plan_file)], capsys)
    assert code == 0, err
    assert "Linear Algebra, 40 lectures" in out and "The plan fits" in out
    code, out, err = _run(["build", str(plan_file), "-o", "my-plan.apkg"], capsys)
    assert code == 0, err
    assert "assigned" in out  # ids written back into the card file
    plan = load_plan(plan_file)
    assert plan.start in {coming_monday(first_day), coming_monday(dt.date.today())}

    # File > Import, the README's first step.
    colpath = tmp_path / "collection.anki2"
    col = Collection(str(colpath))
    try:
        log = import_package(col, tmp_path / "my-plan.apkg", plain=True)
        assert not log.conflicting
        decks = tree(col)[plan.title]
        # (Anki makes the decks that cards go to: the starter's fast.ai course has none.)
        providers = list(dict.fromkeys(c.provider for c in plan.courses if c.cards))
        assert [name.split(" · ", 1)[1] for name in decks] == providers
        assert list(decks)[-1] == "03 · MIT OpenCourseWare"  # numbered as in the outline
        lectures = list(decks["03 · MIT OpenCourseWare"]["01 · Linear Algebra, 40 lectures"])
        used = sorted({c.lesson for c in plan.course("la40").cards if c.lesson})  # type: ignore[union-attr]
        assert lectures == [
            f"{lesson[3:]} · Lecture {int(lesson[3:])}: part {int(lesson[3:])}" for lesson in used
        ]
        _every_card_renders(col, plan)
    finally:
        col.close()

    # learnplan takes over the collection (the update path after a File > Import).
    code, out, err = _run(["import", str(plan_file), "--collection", str(colpath)], capsys)
    assert code == 0, err
    assert "0 new" in out and "renamed" not in out  # nothing duplicated, nothing moved
    code, out, err = _run(["log", "--collection", str(colpath), "done", "la40", "lec01"], capsys)
    assert code == 0, err
    code, out, err = _run(["report", "--collection", str(colpath), "--json"], capsys)
    assert code == 0 and err == "", err
    report = json.loads(out)
    assert report["headline"].startswith(("Starts ", "Week 1 of 12"))
    assert report["log"]["lessons_done"][0][:2] == ["la40", "lec01"]
    assert "Week 3" not in report["headline"] and "ended" not in report["headline"]
    code, out, err = _run(["report", "--collection", str(colpath), "-o", "first.md"], capsys)
    assert code == 0, err
    assert (tmp_path / "first.md").read_text(encoding="utf-8").startswith("# My Plan")


def _every_card_renders(col: Any, plan: Any) -> None:
    """Each maths card of the course renders through Anki as test_maths expects."""
    from learnplan.base.ids import note_guid

    course = plan.course("la40")
    expected = dict(RENDERS)
    checked = 0
    for card in course.cards:
        nid = col.db.scalar(
            "select id from notes where guid = ?", note_guid(plan.id, course.id, card.key)
        )
        note = col.get_note(nid)
        if card.front not in expected:
            (anki_card,) = note.cards()
            assert [_same_tex(s) for s in mathjax_spans(anki_card.answer())] == [
                r"\det(AB)",
                r"\det A \det B",
            ]
            continue
        for anki_card in note.cards():
            front, back = expected[card.front][anki_card.ord]
            assert [_same_tex(s) for s in mathjax_spans(anki_card.question())] == front
            assert [_same_tex(s) for s in mathjax_spans(anki_card.answer())] == back
            checked += 1
    assert checked >= len(RENDERS)
    assert build_package(plan).card_count == sum(
        len(n.cards()) for n in map(col.get_note, col.find_notes(""))
    )
