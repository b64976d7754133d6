"""Writing assigned ids back: only the ids are inserted, every other byte is kept."""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path

import pytest

from learnplan.base.errors import PlanError
from learnplan.model.plan import Card, Plan
from learnplan.reading.outline import load_plan
from learnplan.reading.writeback import write_back_ids

PLAN_YAML = """\
# My plan — comments, quoting and odd spacing must survive.
plan: {id: p, title: "P", start: 2020-01-06}
courses:
  - id: c1
    title: 'Course one'   # a comment
    fte: 1
    cards:
      - front: "Block card"     # trailing comment
        back: |
          multi
          line
      - {front: Flow card, back: 'b'}
      - [ignored]
      - notes/a.md
      - id: has0id01
        front: kept
        back: kept
    lessons:
      - id: l1
        title: L1
        cards:
          -   front: Wide indent
              back: x
          - {id: flow0id1, front: a, back: b}
          - {  front: Spaced flow, back: c }
"""

CARDS_MD = """\
---
tags: [t]
---
# Title

## Plain question
Answer.

## Attributes already {.reversed lesson=l1}
Answer.

## Trailing spaces\t\x20\x20
Answer.

## Has an id {#mdid0001}
Answer.

## The capital is {{c1::Paris}}
"""


def _setup(
    root: Path,
    plan_text: str = PLAN_YAML,
    md_text: str = CARDS_MD,
    newline: bytes = b"\n",
    bom: bytes = b"",
) -> None:
    (root / "notes").mkdir(parents=True)
    (root / "plan.yaml").write_bytes(bom + plan_text.encode().replace(b"\n", newline))
    (root / "notes" / "a.md").write_bytes(bom + md_text.encode().replace(b"\n", newline))


def _without_list_entry(text: str) -> str:
    return text.replace("      - [ignored]\n", "")


def _new_keys(plan: Plan) -> dict[int, str]:
    return {c.source.line: c.key for c in _all(plan) if c.new_key and c.source and c.key}


def _all(plan: Plan) -> list[Card]:
    return [card for course in plan.courses for card in course.cards]


@pytest.mark.parametrize("newline,bom", [(b"\n", b""), (b"\r\n", b""), (b"\r\n", b"\xef\xbb\xbf")])
def test_ids_are_inserted_and_nothing_else_changes(
    tmp_path: Path, newline: bytes, bom: bytes
) -> None:
    _setup(tmp_path, _without_list_entry(PLAN_YAML), newline=newline, bom=bom)
    yaml_before = (tmp_path / "plan.yaml").read_bytes()
    md_before = (tmp_path / "notes" / "a.md").read_bytes()
    plan = load_plan(tmp_path / "plan.yaml")
    yaml_keys = {
        c.source.line: c.key
        for c in _all(plan)
        if c.new_key and c.source and c.source.path.suffix == ".yaml"
    }
    md_keys = {
        c.source.line: c.key
        for c in _all(plan)
        if c.new_key and c.source and c.source.path.suffix == ".md"
    }
    assert sorted(yaml_keys) == [8, 12, 21, 24] and sorted(md_keys) == [6, 9, 12, 18]

    changed = write_back_ids(plan)

    assert changed == [tmp_path / "plan.yaml", tmp_path / "notes" / "a.md"]
    nl = newline.decode()
    expected_yaml = (
        _without_list_entry(PLAN_YAML)
        .replace(
            '      - front: "Block card"',
            f'      - id: {yaml_keys[8]}\n        front: "Block card"',
        )
        .replace("      - {front: Flow card", f"      - {{id: {yaml_keys[12]}, front: Flow card")
        .replace(
            "          -   front: Wide indent",
            f"          -   id: {yaml_keys[21]}\n              front: Wide indent",
        )
        .replace(
            "          - {  front: Spaced", f"          - {{id: {yaml_keys[24]},   front: Spaced"
        )
    )
    assert (tmp_path / "plan.yaml").read_bytes() == bom + expected_yaml.replace("\n", nl).encode()
    expected_md = (
        CARDS_MD.replace("## Plain question", f"## Plain question {{#{md_keys[6]}}}")
        .replace("{.reversed lesson=l1}", f"{{#{md_keys[9]} .reversed lesson=l1}}")
        .replace("## Trailing spaces\t  ", f"## Trailing spaces {{#{md_keys[12]}}}\t  ")
        .replace("{{c1::Paris}}", f"{{{{c1::Paris}}}} {{#{md_keys[18]}}}")
    )
    assert (tmp_path / "notes" / "a.md").read_bytes() == bom + expected_md.replace(
        "\n", nl
    ).encode()
    assert yaml_before != (tmp_path / "plan.yaml").read_bytes()
    assert md_before != (tmp_path / "notes" / "a.md").read_bytes()

    # The ids round-trip: the same cards come back with the written keys, nothing new.
    again = load_plan(tmp_path / "plan.yaml", assign_ids=False)
    assert not any(c.new_key for c in _all(again))
    assert {
        c.source.line: c.key for c in _all(again) if c.source and c.source.path.suffix == ".md"
    } == {6: md_keys[6], 9: md_keys[9], 12: md_keys[12], 15: "mdid0001", 18: md_keys[18]}
    assert {c.key for c in _all(again)} == {
        *yaml_keys.values(),
        *md_keys.values(),
        "has0id01",
        "flow0id1",
        "mdid0001",
    }
    assert [(c.front, c.back, c.kind, c.lesson) for c in _all(again)] == [
        (c.front, c.back, c.kind, c.lesson) for c in _all(plan)
    ]
    # A second build assigns nothing and writes nothing.
    assert write_back_ids(again) == []
    assert not list(tmp_path.rglob(".*.tmp"))


def test_list_entry_that_is_not_a_card_is_rejected_before_writing(tmp_path: Path) -> None:
    _setup(tmp_path)
    with pytest.raises(PlanError):
        load_plan(tmp_path / "plan.yaml")


def test_file_mode_and_symlinks_are_kept(tmp_path: Path) -> None:
    _setup(tmp_path, _without_list_entry(PLAN_YAML))
    real = tmp_path / "notes" / "real.md"
    os.replace(tmp_path / "notes" / "a.md", real)
    os.symlink("real.md", tmp_path / "notes" / "a.md")
    os.chmod(tmp_path / "plan.yaml", 0o640)
    os.chmod(real, 0o600)
    plan = load_plan(tmp_path / "plan.yaml")
    write_back_ids(plan)
    assert stat.S_IMODE((tmp_path / "plan.yaml").stat().st_mode) == 0o640
    assert (tmp_path / "notes" / "a.md").is_symlink()
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert "{#" in real.read_text().split("\n")[5]


def test_a_key_that_would_read_as_a_number_is_quoted(tmp_path: Path) -> None:
    _setup(tmp_path, _without_list_entry(PLAN_YAML))
    plan = load_plan(tmp_path / "plan.yaml")
    numeric = iter(["12345678", "2e345678", "nul1ab2c", "true9abc"])

    def pin(card: Card) -> Card:
        if card.new_key and card.source and card.source.path.suffix == ".yaml":
            return dataclasses.replace(card, key=next(numeric))
        return card

    plan = dataclasses.replace(
        plan,
        courses=tuple(
            dataclasses.replace(c, cards=tuple(pin(k) for k in c.cards)) for c in plan.courses
        ),
    )
    write_back_ids(plan)
    text = (tmp_path / "plan.yaml").read_text()
    assert 'id: "12345678"' in text and 'id: "2e345678"' in text
    assert "id: nul1ab2c" in text
    again = load_plan(tmp_path / "plan.yaml", assign_ids=False)
    assert {"12345678", "2e345678", "nul1ab2c", "true9abc"} <= {c.key for c in _all(again)}


@pytest.mark.parametrize("target", ["plan.yaml", "notes/a.md"])
def test_file_edited_since_loading_is_refused_and_nothing_written(
    tmp_path: Path, target: str
) -> None:
    _setup(tmp_path, _without_list_entry(PLAN_YAML))
    plan = load_plan(tmp_path / "plan.yaml")
    edited = tmp_path / target
    text = edited.read_text()
    # The learner inserts a line at the top while the build runs: lines shift by one.
    edited.write_text(
        "# edited\n" + text
        if target.endswith(".yaml")
        else text.replace("# Title\n", "# Title\n\n")
    )
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(PlanError, match="changed since the plan was read"):
        write_back_ids(plan)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_nothing_to_write_for_a_plan_with_ids(tmp_path: Path) -> None:
    _setup(
        tmp_path,
        "plan: {id: p, title: P, start: 2020-01-06}\ncourses:\n"
        "  - {id: c, title: C, fte: 1, cards: notes/a.md}\n",
        "## Q {#k1}\nA\n",
    )
    plan = load_plan(tmp_path / "plan.yaml", assign_ids=False)
    assert write_back_ids(plan) == []


def test_written_ids_keep_notes_and_reviews_in_anki(tmp_path: Path) -> None:
    # The whole loop with real parts: build -> write back -> import; then the learner edits
    # and reorders cards, rebuilds, and Anki updates the same notes instead of adding new.
    from helpers_anki import collection, import_package

    from learnplan.building.apkg import write_package
    from learnplan.building.deck import build_package

    root = tmp_path / "plan"
    _setup(root, _without_list_entry(PLAN_YAML))
    plan = load_plan(root / "plan.yaml")
    out = tmp_path / "p.apkg"
    built = build_package(plan, timestamp=1_600_000_000)
    write_back_ids(plan)
    write_package(built, out)
    with collection(tmp_path / "anki") as col:
        first = import_package(col, out)
        note_count = col.note_count()
        assert len(first.new) == note_count == len(_all(plan))
        guids = {col.get_note(nid).guid for nid in col.find_notes("")}

        md = root / "notes" / "a.md"
        text = md.read_text()
        # Reorder two cards and edit one's answer.
        plain = text[text.index("## Plain question") : text.index("## Attributes")]
        text = text.replace(plain, "").replace("## Has an id", plain + "## Has an id")
        md.write_text(text.replace("Answer.\n\n## Has an id", "Edited.\n\n## Has an id"))
        again = load_plan(root / "plan.yaml", assign_ids=False)
        write_package(build_package(again, timestamp=1_600_000_100), out)
        second = import_package(col, out)
        assert second.new == [] and col.note_count() == note_count
        assert len(second.updated) >= 1
        assert {col.get_note(nid).guid for nid in col.find_notes("")} == guids
        assert col.find_notes('"Edited."')


# --- lines counted as the readers count them (issue 9, case 2)

_TWO_CARDS = (
    "plan: {{id: p, title: P, start: 2020-01-06}}\n"
    "courses:\n"
    "  - id: c\n"
    "    title: {title}\n"
    "    fte: 1\n"
    "    cards:\n"
    "      - front: First question\n"
    # Titles are one line (the plan rules refuse a line break in one); a card's text may
    # hold any of them.
    "        back: {back}\n"
    "      - {{front: Second question, back: A2}}\n"
    "      - front: Third question\n"
    "        back: A3\n"
)


def _fronts_to_keys(plan: Plan) -> dict[str, str | None]:
    return {c.front: c.key for c in _all(plan)}


def _write_back_and_reload(folder: Path) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """(the keys assigned in memory, the keys the files hold afterwards), by card front."""
    plan = load_plan(folder / "plan.yaml")
    assigned = _fronts_to_keys(plan)
    write_back_ids(plan)
    return assigned, _fronts_to_keys(load_plan(folder / "plan.yaml", assign_ids=False))


def test_a_lone_cr_in_a_quoted_string_does_not_move_ids_to_other_cards(tmp_path: Path) -> None:
    # The measured case: the YAML reader counts the CR as a line break, so every card
    # below it is one line further down than a split on "\n" says.
    (tmp_path / "plan.yaml").write_bytes(_TWO_CARDS.format(title='"Week\rB"', back="A1").encode())
    assigned, written = _write_back_and_reload(tmp_path)
    assert written == assigned
    assert all(written.values())
    text = (tmp_path / "plan.yaml").read_bytes()
    assert b'title: "Week\rB"\n' in text  # the learner's CR stays where it was


@pytest.mark.parametrize(
    "title",
    [
        '"a\rb\rc"',  # several lone CRs
        "'a\rb'",  # single-quoted
        '"a\r\nb"',  # a CRLF inside a quoted string (a folded line)
        '"a\x85b"',  # NEL, \u2028 and \u2029: line breaks in YAML 1.1, text to the reader
        '"a\u2028b"',
        '"a\u2029b"',
        '"\ufeffa\ufeffb"',  # U+FEFF: not counted as a column by the reader
        "plain # a comment ended by a lone CR\r# and another",
    ],
)
def test_every_kind_of_line_break_keeps_ids_on_their_cards(tmp_path: Path, title: str) -> None:
    (tmp_path / "plan.yaml").write_bytes(_TWO_CARDS.format(title="C", back=title).encode())
    assigned, written = _write_back_and_reload(tmp_path)
    assert written == assigned and all(written.values())


def test_u_feff_before_a_flow_card_on_its_line(tmp_path: Path) -> None:
    # The reader does not count U+FEFF as a column: the card's "{" is one character
    # further right than its column says.
    (tmp_path / "plan.yaml").write_bytes(
        _TWO_CARDS.format(title="T", back="A1").encode()
        + (
            '    lessons: [{id: l1, title: "\ufeff\ufeff", cards: [{front: Fourth, back: A4}]}]\n'
        ).encode()
    )
    assigned, written = _write_back_and_reload(tmp_path)
    assert written == assigned and all(written.values())
    assert len(written) == 4


def test_a_lone_cr_in_a_markdown_card_file_keeps_ids_on_their_cards(tmp_path: Path) -> None:
    _setup(
        tmp_path,
        "plan: {id: p, title: P, start: 2020-01-06}\ncourses:\n"
        "  - {id: c, title: C, fte: 1, cards: notes/a.md}\n",
        "# T\r## not a card\n\n## One\rwith a CR\nA\r\n\n## Two\nB\u2028C\n\n## Three\nC\n",
    )
    assigned, written = _write_back_and_reload(tmp_path)
    assert written == assigned and all(written.values())
    assert len(written) == 3


def test_an_edit_that_would_not_read_back_the_same_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The card is found at its line, but the edited text would read back differently:
    # only the read-back check can see that, and nothing may be written.
    from learnplan.reading import writeback

    (tmp_path / "plan.yaml").write_bytes(_TWO_CARDS.format(title="T", back="A1").encode())
    plan = load_plan(tmp_path / "plan.yaml")
    before = (tmp_path / "plan.yaml").read_bytes()
    monkeypatch.setattr(writeback, "_yaml_scalar", lambda key: f"{key}: {key}")
    with pytest.raises(PlanError, match=r"plan.yaml:7: cannot write the new id into this card"):
        write_back_ids(plan)
    assert (tmp_path / "plan.yaml").read_bytes() == before


def test_random_line_breaks_never_put_an_id_on_the_wrong_card(tmp_path: Path) -> None:
    """Seeded mutations: odd characters in quoted strings, comments and card text. Every
    plan that loads either gets each id on its own card or is refused untouched."""
    import random

    rng = random.Random(9)
    oddities = ["\r", "\r\n", "\n", "\x85", "\u2028", "\u2029", "\ufeff", "\t", " "]
    template = (
        (
            'plan: {id: p, title: "P{0}", start: 2020-01-06}  # c{1}\n'
            "courses:\n"
            "  - id: c\n"
            "    title: 'C{2}'\n"
            "    fte: 1\n"
            "    cards:\n"
            '      - front: "Q1{3}"\n'
            "        back: A1\n"
            '      - {front: "Q2{4}", back: "A2{5}"}  # x{6}\n'
            '      - cloze: "{{{{c1::Q3}}}}{7}"\n'
            "    lessons:\n"
            "      - id: l1\n"
            '        title: "L{8}"\n'
            "        cards:\n"
            "          -  front: 'Q4{9}'\n"
            "             back: A4\n"
            "          - [not, a, card]\n"
        )
        .replace("{{{{", "\0")
        .replace("}}}}", "\1")
    )
    template = template.replace("- [not, a, card]\n", "- {front: Q5, back: A5}\n")
    tried = refused = 0
    for case in range(300):
        parts = ["".join(rng.choice(oddities) for _ in range(rng.randint(0, 3))) for _ in range(10)]
        text = template
        for i, part in enumerate(parts):
            text = text.replace("{" + str(i) + "}", part)
        text = text.replace("\0", "{{").replace("\1", "}}")
        folder = tmp_path / str(case)
        folder.mkdir()
        (folder / "plan.yaml").write_bytes(text.encode())
        try:
            plan = load_plan(folder / "plan.yaml")
        except PlanError:
            continue
        tried += 1
        assigned = _fronts_to_keys(plan)
        before = (folder / "plan.yaml").read_bytes()
        try:
            write_back_ids(plan)
        except PlanError:
            refused += 1
            assert (folder / "plan.yaml").read_bytes() == before
            continue
        assert _fronts_to_keys(load_plan(folder / "plan.yaml", assign_ids=False)) == assigned
    print(f"{tried} plans loaded, {refused} refused")
    assert tried >= 100, tried  # the mutations mostly give plans that load
    assert refused <= tried // 10, (refused, tried)


def test_a_markdown_edit_that_would_not_read_back_the_same_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from learnplan.reading import writeback

    _setup(
        tmp_path,
        "plan: {id: p, title: P, start: 2020-01-06}\ncourses:\n"
        "  - {id: c, title: C, fte: 1, cards: notes/a.md}\n",
        "## One\nA\n\n## Two\nB\n",
    )
    plan = load_plan(tmp_path / "plan.yaml")
    before = _tree_bytes(tmp_path)
    # An edit that would split a card in two: only the read-back check can see it.
    monkeypatch.setattr(writeback, "add_id_to_heading", lambda line, key: f"{line}\n## {key}")
    with pytest.raises(PlanError, match=r"a\.md:1: cannot write the new id into this card"):
        write_back_ids(plan)
    assert _tree_bytes(tmp_path) == before


def _tree_bytes(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _splice_right_to_left(text: str, edits: list[tuple[int, str]]) -> str:
    # How the ids were inserted before splice(): one copy of the text per edit.
    for offset, insert in sorted(edits, reverse=True):
        text = text[:offset] + insert + text[offset:]
    return text


def test_splice_gives_what_inserting_right_to_left_gave() -> None:
    import random

    from learnplan.reading.splice import splice

    rng = random.Random(5)
    for _ in range(300):
        text = "".join(rng.choice("ab\n\r: ") for _ in range(rng.randrange(0, 12)))
        # Few distinct offsets, so that several edits share one (ids into one flow line,
        # a CSV cell and the header's new column at the end of a line).
        offsets = rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randrange(1, 4)))
        edits = [
            (rng.choice(offsets), rng.choice(["id: x, ", "id: y, ", ",id", "k1", "", "id: x, "]))
            for _ in range(rng.randrange(0, 6))
        ]
        rng.shuffle(edits)
        assert splice(text, edits) == _splice_right_to_left(text, edits), (text, edits)
    assert splice("ab", [(1, "y"), (1, "x"), (1, "z")]) == "axyzb"


def _scalar_by_ruamel(key: str) -> str:
    # How every key was written before the fast path: whatever ruamel.yaml reads back.
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        loaded = YAML(typ="safe").load(f"k: {key}\n")
    except YAMLError:
        return f'"{key}"'
    return key if loaded == {"k": key} else f'"{key}"'


TRICKY_KEYS = [
    *("true", "True", "TRUE", "false", "yes", "no", "on", "off", "y", "n"),
    *("null", "Null", "NULL", "nul1ab2c", "~", "-", "--", ".", "..", "_", "a.b", "a_b"),
    *("1e3", "1E3", "2e345678", "1.", ".5", "1.5", "1.5e3", "+1", "-1", "0", "00", "007"),
    *("0x1", "0x1f", "0o7", "0b1", "1_000", "12345678", "1" * 40, "1.2.3", ".inf", ".nan"),
    *(".Inf", "NaN", "inf", "2020-01-01", "2020-1-1", "12:30", "a:b", "a b", "#x", "x#"),
    *("<<", "=", "a-b", "-a", "true9abc", "e3", "_1", "1_", "0.0", "-.5", "+.5"),
]


def test_yaml_scalar_writes_what_ruamel_reads_back(tmp_path: Path) -> None:
    from learnplan.base.ids import new_card_key
    from learnplan.reading.writeback import _yaml_scalar
    from learnplan.reading.yaml_load import parse_yaml, parse_yaml_roundtrip

    keys = [new_card_key() for _ in range(3000)] + TRICKY_KEYS
    written = {key: _yaml_scalar(key) for key in keys}
    assert written == {key: _scalar_by_ruamel(key) for key in keys}
    assert written["1e3"] == '"1e3"' and written["true"] == '"true"'
    assert written["nul1ab2c"] == "nul1ab2c" and written["~"] == '"~"'
    # And the plan's readers read each back as the key.
    text = "".join(f"k{n}: {scalar}\n" for n, scalar in enumerate(written.values()))
    for read in (parse_yaml, parse_yaml_roundtrip):
        loaded = read(text, tmp_path / "keys.yaml")
        assert [loaded[f"k{n}"] for n in range(len(keys))] == keys


@pytest.mark.parametrize("name", ["extra.yml", "extra.yaml"])
def test_a_markdown_card_file_named_like_yaml_gets_its_id(tmp_path: Path, name: str) -> None:
    # The reader reads every card file that is not CSV as Markdown; so does write-back.
    (tmp_path / "plan.yaml").write_text(
        "plan: {id: p, title: P, start: 2020-01-06}\ncourses:\n"
        f"  - {{id: c, title: C, fte: 1, cards: {name}}}\n",
        encoding="utf-8",
    )
    (tmp_path / name).write_text("## Question\nAnswer\n", encoding="utf-8")
    plan = load_plan(tmp_path / "plan.yaml")
    (key,) = _new_keys(plan).values()
    assert write_back_ids(plan) == [tmp_path / name]
    assert (tmp_path / name).read_text(encoding="utf-8") == f"## Question {{#{key}}}\nAnswer\n"
    assert [c.key for c in _all(load_plan(tmp_path / "plan.yaml", assign_ids=False))] == [key]
