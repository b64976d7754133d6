"""The quick way to read the usual card (inline_cards.quick_card, for an inline mapping
and a CSV row) must give exactly what the full check gives: the same cards at the same
lines, and the same problems, for every kind of card, good or bad."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from learnplan.base.errors import PlanError
from learnplan.model.plan import Plan
from learnplan.reading import csv_cards, inline_cards
from learnplan.reading.outline import load_plan

IMAGE = Path(__file__).parent / "fixtures" / "outline" / "example" / "notes" / "img"

FRONTS = [
    "What is a tensor?",
    "What does `fit_one_cycle` vary?",
    "**Bold** and *italic*, a [link](https://example.org)",
    "The rank of $A$ is $r$",
    "$$\\int_0^1 x\\,dx$$ and \\(a^2\\)",
    "Café crème — déjà vu",
    "Ελληνικά and 日本語",
    "a < b and b > c",
    "<b>bold</b> in HTML",
    "<script>x</script> stays text",
    "![eigen](img/eigen.png)",
    '<img src="img/eigen.png">',
    "  padded text  ",
    "two\nlines",
    "\\$5 is five dollars",
    "x" * 300,
]
CLOZES = [
    "{{c1::Paris}} is in France",
    "{{c1::Rome}} and {{c2::Milan::city}}",
    "{{c1::}} and {{c2::x}}",
    "{{c1::a {{c2::b}} c}}",
    "{{c1::$\\frac{a}{b}$}} over {{c2::c}}",
    "{{c1::Zürich}} is in Switzerland",
    "{{c2::<b>HTML</b>}} in a cloze",
    "![eigen](img/eigen.png) shows {{c1::an eigenvector}}",
]
# Values the rules refuse, one of which a card of a plan with errors may hold.
BAD: dict[str, list[Any]] = {
    "front": ["", "   ", "![missing](img/none.png)", "{{c1::a cloze}} as a front", "$x"],
    "back": ["", "  "],
    "cloze": ["", "{{c0::nothing}}", "{{c1::}}", "no deletion", "{{c1::a {{c2::b}}"],
    "id": ["Bad_ID", "", "dup00001"],
    "lesson": ["l9", "Bad Lesson", ""],
    "tags": [["bad tag"], "t3 t4", 5],
    "reversed": ["yes", 1],
    "unknown": ["x"],
}


def _mapping(rng: random.Random, lesson_here: str | None, bad: bool) -> dict[str, Any]:
    card: dict[str, Any] = {}
    if rng.random() < 0.4:
        card["id"] = f"k{rng.randrange(10**6):06d}"
    if rng.random() < 0.5:
        card["front"], card["back"] = rng.choice(FRONTS), rng.choice(FRONTS)
        if rng.random() < 0.4:
            card["reversed"] = rng.random() < 0.5
    else:
        card["cloze"] = rng.choice(CLOZES)
        if rng.random() < 0.5:
            card["extra"] = rng.choice(FRONTS)
    if lesson_here is None and rng.random() < 0.4:
        card["lesson"] = rng.choice(["l1", "l2"])
    elif lesson_here is not None and rng.random() < 0.2:
        card["lesson"] = lesson_here
    if rng.random() < 0.3:
        card["tags"] = rng.choice([["t1"], ["t1", "t2"], []])
    if bad and rng.random() < 0.15:
        name = rng.choice(sorted(BAD))
        card[name] = rng.choice(BAD[name])
        if name == "front" and "cloze" in card and rng.random() < 0.5:
            del card["cloze"]  # a front without a back, say
    return card


def _yaml(card: dict[str, Any], indent: str) -> list[str]:
    # Plain scalars where YAML reads them as written, JSON's quoting elsewhere.
    def scalar(value: Any) -> str:
        if isinstance(value, str) and value.replace(" ", "").isalnum() and value.strip():
            return value if value == value.strip() and not value[0].isdigit() else json.dumps(value)
        return json.dumps(value, ensure_ascii=False)

    items = [f"{name}: {scalar(value)}" for name, value in card.items()]
    if len(items) <= 3 and not any("\n" in item for item in items):
        return [f"{indent}- {{{', '.join(items)}}}"]
    return [f"{indent}- {items[0]}", *(f"{indent}  {item}" for item in items[1:])]


def _csv(rng: random.Random, bad: bool) -> str:
    columns = ["front", "back", "cloze", "extra", "id", "lesson", "tags", "reversed"]
    rng.shuffle(columns)
    columns = [c for c in columns if c in ("front", "back", "cloze") or rng.random() < 0.7]
    out = io.StringIO()
    if rng.random() < 0.3:
        out.write("#html:false\n")
    if rng.random() < 0.3:
        out.write("#tags:deck wide\n")
    writer = csv.writer(out, lineterminator=rng.choice(["\n", "\r\n"]))
    writer.writerow(columns)
    for _ in range(rng.randrange(3, 12)):
        card = _mapping(rng, None, bad)
        row = []
        for column in columns:
            value = card.get(column, "")
            if isinstance(value, list):
                value = " ".join(value)
            elif value is True or value is False:
                value = rng.choice(["yes", "true", "x"] if value else ["no", "false", ""])
            row.append(str(value))
        writer.writerow(row)
    return out.getvalue()


def _write_plan(folder: Path, rng: random.Random) -> Path:
    folder.mkdir()
    bad = rng.random() < 0.5
    shutil.copytree(IMAGE, folder / "img")
    lines = ["plan: {id: p, title: P, start: 2024-01-01}", "courses:"]
    for course in ("c1", "c2"):
        lines += [f"  - id: {course}", "    title: A course", "    fte: 1", "    lessons:"]
        for lesson in ("l1", "l2"):
            lines += [f"      - id: {lesson}", "        title: L", "        cards:"]
            for _ in range(rng.randrange(0, 5)):
                lines += _yaml(_mapping(rng, lesson, bad), "          ")
        lines.append("    cards:")
        for _ in range(rng.randrange(1, 8)):
            lines += _yaml(_mapping(rng, None, bad), "      ")
        name = f"{course}.{rng.choice(['csv', 'tsv', 'csv'])}"
        text = _csv(rng, bad)
        (folder / name).write_text(
            text.replace(",", "\t") if name.endswith(".tsv") else text, encoding="utf-8"
        )
        lines.append(f"      - {name}")
    (folder / "plan.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "plan.yaml"


def _load(plan_file: Path) -> Plan | list[tuple[str, int, str]]:
    try:
        plan = load_plan(plan_file)
    except PlanError as exc:
        return [(str(p.path), p.line, p.message) for p in exc.problems]
    # A new card's key is random: compare everything else.
    return dataclasses.replace(
        plan,
        courses=tuple(
            dataclasses.replace(
                course,
                cards=tuple(
                    dataclasses.replace(card, key=None) if card.new_key else card
                    for card in course.cards
                ),
            )
            for course in plan.courses
        ),
    )


def test_the_quick_cards_are_the_cards_the_full_check_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(11)
    plan_files = [_write_plan(tmp_path / f"p{n}", rng) for n in range(150)]
    real = inline_cards.quick_card
    taken = 0

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal taken
        card = real(*args, **kwargs)
        taken += card is not None
        return card

    with monkeypatch.context() as patch:
        patch.setattr(inline_cards, "quick_card", counted)
        patch.setattr(csv_cards, "quick_card", counted)
        quick = [_load(path) for path in plan_files]
    with monkeypatch.context() as patch:
        patch.setattr(inline_cards, "quick_card", lambda *args, **kwargs: None)
        patch.setattr(csv_cards, "quick_card", lambda *args, **kwargs: None)
        full = [_load(path) for path in plan_files]
    for path, with_quick, without in zip(plan_files, quick, full, strict=True):
        assert with_quick == without, path
    # The sample is varied enough: plans that load and plans refused, many quick cards.
    loaded = [result for result in quick if isinstance(result, Plan)]
    cards = sum(len(course.cards) for plan in loaded for course in plan.courses)
    print(f"{len(loaded)} plans loaded ({cards} cards), {taken} cards read the quick way")
    assert 20 <= len(loaded) <= 130
    assert taken >= 500


def test_an_inline_card_needing_the_full_check_is_tried_the_quick_way_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from learnplan.reading import outline

    (tmp_path / "plan.yaml").write_text(
        "plan: {id: p, title: P, start: 2024-01-01}\ncourses:\n"
        "  - id: c\n    title: C\n    fte: 1\n    cards:\n"
        "      - {id: a1, front: Q, back: A}\n"
        "      - {id: a2, front: Q, back: A, tags: [t]}\n",  # tags: the full check
        encoding="utf-8",
    )
    real = inline_cards.quick_mapping_card
    tried: list[int] = []

    def counted(*args: Any) -> Any:
        tried.append(args[2].line)
        return real(*args)

    monkeypatch.setattr(outline, "quick_mapping_card", counted)
    monkeypatch.setattr(inline_cards, "quick_mapping_card", counted)
    plan = load_plan(tmp_path / "plan.yaml")
    assert [card.tags for card in plan.courses[0].cards] == [(), ("t",)]
    assert sorted(tried) == [6, 7]
