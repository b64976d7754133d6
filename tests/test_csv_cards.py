"""Cards from spreadsheets: CSV/TSV card files, read with Anki's header lines, written back
with ids in place, and imported into a real collection (again after edits, keeping every
review)."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from learnplan.base.errors import PlanError
from learnplan.building.apkg import write_package
from learnplan.building.deck import build_package
from learnplan.model.plan import Card, Plan
from learnplan.reading.outline import load_plan
from learnplan.reading.writeback import write_back_ids

HEAD = """\
plan: {id: p, title: Vocab, start: 2020-01-06}
courses:
  - id: fr
    title: French
    fte: 1
    lessons:
      - {id: l1, title: Animals}
      - {id: l2, title: Food}
    cards: vocab.csv
"""


def _plan(tmp_path: Path, csv: str | bytes, *, name: str = "vocab.csv", head: str = HEAD) -> Path:
    (tmp_path / "plan.yaml").write_text(head.replace("vocab.csv", name), encoding="utf-8")
    data = csv if isinstance(csv, bytes) else csv.encode("utf-8")
    (tmp_path / name).write_bytes(data)
    return tmp_path / "plan.yaml"


def _cards(plan: Plan) -> list[Card]:
    return [card for course in plan.courses for card in course.cards]


def _errors(plan_file: Path) -> list[str]:
    with pytest.raises(PlanError) as caught:
        load_plan(plan_file, assign_ids=False)
    return [f"{Path(p.path).name}:{p.line}: {p.message}" for p in caught.value.problems]


# --- reading ---------------------------------------------------------------------------


def test_a_row_per_card_with_anki_header_lines(tmp_path: Path) -> None:
    plan = load_plan(
        _plan(
            tmp_path,
            "#separator:Semicolon\n#html:true\n#tags:vocab french\n# a comment\n"
            "id;front;back;lesson;tags;reversed\n"
            "a1;le chat;the cat;l1;animal noun;yes\n"
            'a2;"le\n**pain**";"the bread; a loaf";l2;;\n'
            "\n"
            "# a comment between rows\n"
            "a3;$x^2$;square;;;\n",
        ),
        assign_ids=False,
    )
    a1, a2, a3 = _cards(plan)
    assert (a1.key, a1.kind, a1.front, a1.back, a1.lesson) == (
        "a1",
        "reversed",
        "le chat",
        "the cat",
        "l1",
    )
    assert a1.tags == ("vocab", "french", "animal", "noun")
    assert (a2.front, a2.back, a2.lesson, a2.tags) == (
        "le\n**pain**",
        "the bread; a loaf",
        "l2",
        ("vocab", "french"),
    )
    assert a2.source is not None and a2.source.line == 7  # the record's first line
    assert a3.source is not None and a3.source.line == 11 and a3.lesson is None
    notes = {n.guid: n for n in build_package(plan, timestamp=1e9).notes}
    fields = sorted(n.fields[:2] for n in notes.values())
    assert ("\\(x^2\\)", "square") in fields  # maths in a cell
    assert ("<p>le\n<strong>pain</strong></p>", "the bread; a loaf") in fields  # Markdown


def test_columns_named_by_the_header_line_and_cloze_rows(tmp_path: Path) -> None:
    plan = load_plan(
        _plan(
            tmp_path,
            "#columns:cloze\textra\tid\n{{c1::Paris}} is in France\tcapital\tc1\n"
            "{{c1::Rome}} and {{c2::Milan}}\t\tc2\n",
            name="cities.tsv",
        ),
        assign_ids=False,
    )
    c1, c2 = _cards(plan)
    assert (c1.kind, c1.front, c1.back, c1.key) == (
        "cloze",
        "{{c1::Paris}} is in France",
        "capital",
        "c1",
    )
    assert (c2.back, c2.source and c2.source.line) == ("", 3)
    assert [len(n.ords) for n in build_package(plan, timestamp=1e9).notes] == [1, 2]


def test_html_false_shows_markup_as_text(tmp_path: Path) -> None:
    plan = load_plan(
        _plan(tmp_path, "#html:false\nfront,back,id\n<b>bold</b> & $a<b$,ok,h1\n"),
        assign_ids=False,
    )
    (note,) = build_package(plan, timestamp=1e9).notes
    assert note.fields[0] == "&lt;b&gt;bold&lt;/b&gt; &amp; \\(a&lt;b\\)"
    plan = load_plan(_plan(tmp_path, "front,back,id\n<b>bold</b>,ok,h1\n"), assign_ids=False)
    assert build_package(plan, timestamp=1e9).notes[0].fields[0] == "<b>bold</b>"


@pytest.mark.parametrize(
    ("csv", "expected"),
    [
        ("#separator:slash\nfront,back\n", "vocab.csv:1: #separator:slash is not a separator"),
        ("#html:maybe\nfront,back\n", "vocab.csv:1: #html:maybe must be true or false"),
        ("#deck:French\nfront,back\n", "vocab.csv:1: #deck: is not used in a plan's card file"),
        ("front,answer\nq,a\n", "vocab.csv:1: unknown column 'answer' in the first row"),
        ("front,extra\nq,a\n", "vocab.csv:1: the first row must name the columns front and back"),
        ("front,back\nq,a\n", None),
        ('front,back,id\nq,"a\nb\n', "vocab.csv:2: a quoted cell is never closed"),
        ('front,back,id\nq,"a"b,k\n', "vocab.csv:2: text after a cell's closing quote"),
        ("front,back,id\nq,a,k,extra\n", "vocab.csv:2: this row has 4 cells but 3 columns"),
        ("front,back,id\nq,,k1\n", "vocab.csv:2: card has no back"),
        ('front,back,id\n"q\nmore",,k1\n', "vocab.csv:2: card has no back"),
        ("front,back,id\n{{c1::q}},a,k1\n", "vocab.csv:2: front holds a cloze deletion"),
        ("front,back,id,lesson\nq,a,k1,l9\n", "vocab.csv:2: card names lesson 'l9'"),
        ("#lesson:l9\nfront,back,id\nq,a,k1\n", "vocab.csv:1: card names lesson 'l9'"),
        ("#lesson:L 9\nfront,back,id\nq,a,k1\n", "vocab.csv:1: header lesson 'L 9' is not a slug"),
        ("front,back,id\nq,a,Bad Id\n", "vocab.csv:2: card id 'Bad Id' is not a slug"),
        ("front,back,reversed,id\nq,a,perhaps,k1\n", "vocab.csv:2: card reversed must be true"),
        ("front,back,id,tags\nq,a,k1,a\x00b\n", "vocab.csv:2: tag 'a\\x00b' holds the control"),
        ("front,back,id\nq,a,k1\nr,b,k1\n", "vocab.csv:3: duplicate card id 'k1'"),
        ("front,back,,id\nq,a,,k1\nr,b,x,k2\n", "vocab.csv:3: column 3 has no name"),
    ],
)
def test_problems_are_reported_at_the_line_of_their_record(
    tmp_path: Path, csv: str, expected: str | None
) -> None:
    plan_file = _plan(tmp_path, csv)
    if expected is None:  # a card without an id is refused only with assign_ids=False
        assert _errors(plan_file) == [
            "vocab.csv:2: card has no id; build without --no-write to assign one"
        ]
        return
    errors = _errors(plan_file)
    assert errors[0].startswith(expected), errors


def test_errors_of_several_files_come_in_file_and_line_order(tmp_path: Path) -> None:
    head = HEAD.replace("    cards: vocab.csv\n", "    cards: [vocab.csv, more.csv]\n")
    plan_file = _plan(tmp_path, "front,back,id\nq,,k1\nq,a,k2\nr,,k3\n", head=head)
    (tmp_path / "more.csv").write_text("front,back,id\nq,a,k2\n", encoding="utf-8")
    assert _errors(plan_file) == [
        "vocab.csv:2: card has no back: add back: with the answer",
        "vocab.csv:4: card has no back: add back: with the answer",
        "more.csv:2: duplicate card id 'k2' in course 'fr' (first used at "
        f"{tmp_path / 'vocab.csv'}:3); give one of them a new id, or delete it to have one "
        "assigned",
    ]


# --- writing ids back -------------------------------------------------------------------


def test_ids_go_into_the_id_column_in_place(tmp_path: Path) -> None:
    original = (
        '\ufeff#tags:v\r\nfront,id,back\r\n"a, quoted",,x\r\nb,k9,y\r\n"c ""q""",""," z"\r\nd,,w'
    )
    plan_file = _plan(tmp_path, original)
    plan = load_plan(plan_file)
    keys = {c.front: c.key for c in _cards(plan)}
    assert write_back_ids(plan) == [tmp_path / "vocab.csv"]
    written = (tmp_path / "vocab.csv").read_bytes().decode("utf-8")
    quoted, first, last = keys['c "q"'], keys["a, quoted"], keys["d"]
    assert written == (
        f'\ufeff#tags:v\r\nfront,id,back\r\n"a, quoted",{first},x\r\nb,k9,y\r\n'
        f'"c ""q""","{quoted}"," z"\r\nd,{last},w'
    )
    again = {c.front: c.key for c in _cards(load_plan(plan_file, assign_ids=False))}
    assert again == keys


def test_a_file_without_an_id_column_gets_one_last(tmp_path: Path) -> None:
    plan_file = _plan(tmp_path, "front,back,lesson\nq1,a1\nq2,a2,l2\n")
    plan = load_plan(plan_file)
    keys = [c.key for c in _cards(plan)]
    write_back_ids(plan)
    assert (tmp_path / "vocab.csv").read_text() == (
        f"front,back,lesson,id\nq1,a1,,{keys[0]}\nq2,a2,l2,{keys[1]}\n"
    )
    (tmp_path / "vocab.csv").write_text("#columns:front\tback\nq1\ta1\n")
    (tmp_path / "plan.yaml").write_text(HEAD.replace("vocab.csv", "vocab.tsv"))
    (tmp_path / "vocab.tsv").write_text("#columns:front\tback\nq1\ta1\n")
    plan = load_plan(tmp_path / "plan.yaml")
    (card,) = _cards(plan)
    write_back_ids(plan)
    assert (tmp_path / "vocab.tsv").read_text() == f"#columns:front\tback\tid\nq1\ta1\t{card.key}\n"


def test_a_file_changed_since_it_was_read_is_left_alone(tmp_path: Path) -> None:
    plan_file = _plan(tmp_path, "front,back,id\nq1,a1,\n")
    plan = load_plan(plan_file)
    (tmp_path / "vocab.csv").write_text("front,back,id\nother,a1,\n")
    with pytest.raises(PlanError, match=r"vocab\.csv:2: the file changed since the plan was read"):
        write_back_ids(plan)
    assert (tmp_path / "vocab.csv").read_text() == "front,back,id\nother,a1,\n"


# --- the same cards in every form --------------------------------------------------------


def test_markdown_yaml_and_csv_forms_of_the_same_cards_build_the_same_package(
    tmp_path: Path,
) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        import build as bench  # benchmarks/build.py: the plans the speed targets use
    finally:
        sys.path.pop(0)
    packages = []
    for form, plan_file in bench.generate(tmp_path, 600).items():
        built = build_package(load_plan(plan_file, assign_ids=False), timestamp=1_700_000_000)
        packages.append(write_package(built, tmp_path / f"{form}.apkg").read_bytes())
    assert len(packages) == 3 and packages[0] == packages[1] == packages[2]


# --- through a real collection ----------------------------------------------------------

anki = pytest.importorskip("anki")


def _import(col: Any, plan_file: Path, out: Path, timestamp: float) -> Any:
    from helpers_anki import import_package

    plan = load_plan(plan_file)
    write_back_ids(plan)
    plan = load_plan(plan_file, assign_ids=False)
    return import_package(col, write_package(build_package(plan, timestamp=timestamp), out))


def test_csv_cards_in_a_real_collection_keep_their_reviews_after_edits(tmp_path: Path) -> None:
    from anki.scheduler_pb2 import CardAnswer
    from helpers_anki import collection, db, v3

    folder = tmp_path / "plan"
    folder.mkdir()
    plan_file = _plan(
        folder,
        "#tags:french\nfront,back,lesson,reversed\nle chat,the cat,l1,true\n"
        "le chien,the dog,l1,\nle pain,the bread,l2,\n",
    )
    first = float(int(time.time()) - 600)
    with collection(tmp_path / "col") as col:
        log = _import(col, plan_file, tmp_path / "v1.apkg", first)
        assert len(log.new) == 3
        assert col.card_count() == 4  # the reversed word makes two cards
        nid = db(col).scalar("select id from notes where flds like 'le chat%'")
        note = col.get_note(nid)
        note_type = note.note_type()
        assert note_type is not None and note_type["name"].startswith("Learning Plan")
        assert set(note.tags) >= {"p::course::fr", "p::lesson::fr::l1", "french"}
        assert col.decks.name(note.cards()[0].did).endswith("::01 · Animals")
        # Study: answer every card once.
        vocab = col.decks.id_for_name("Vocab")
        assert vocab is not None
        col.decks.select(vocab)
        for _ in range(4):
            top = v3(col).get_queued_cards(fetch_limit=1).cards[0]
            card = col.get_card(top.card.id)
            card.start_timer()
            v3(col).answer_card(
                v3(col).build_answer(card=card, states=top.states, rating=CardAnswer.EASY)
            )
        before = {
            row[0]: row for row in db(col).all("select id, nid, ord, type, ivl, due from cards")
        }
        revlog = db(col).all("select * from revlog order by id")
        assert len(revlog) == 4

        # The learner edits the spreadsheet: a new meaning, a new word, rows reordered.
        text = (folder / "vocab.csv").read_text(encoding="utf-8").splitlines()
        header, rows = text[:2], text[2:]
        rows = [rows[2], rows[0].replace("the cat", "the cat (m.)"), rows[1]]
        (folder / "vocab.csv").write_text(
            "\n".join([*header, *rows, "la pomme,the apple,l2,"]) + "\n", encoding="utf-8"
        )
        log = _import(col, plan_file, tmp_path / "v2.apkg", first + 60)
        assert (len(log.new), len(log.updated)) == (1, 3)
        after = {
            row[0]: row for row in db(col).all("select id, nid, ord, type, ivl, due from cards")
        }
        assert {cid: after[cid] for cid in before} == before  # same cards, same scheduling
        assert db(col).all("select * from revlog order by id") == revlog
        assert col.get_note(nid).fields[1] == "the cat (m.)"
        assert col.note_count() == 4


def test_a_copy_of_the_example_plan_with_a_csv_file_loads(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent / "fixtures" / "outline" / "example"
    folder = tmp_path / "example"
    shutil.copytree(example, folder)
    text = (folder / "plan.yaml").read_text(encoding="utf-8")
    (folder / "plan.yaml").write_text(
        text.replace(
            "      - notes/linear-algebra.md\n",
            "      - notes/linear-algebra.md\n      - words.csv\n",
        ),
        encoding="utf-8",
    )
    (folder / "words.csv").write_text("id,front,back,lesson\nw1,rank,dimension,rank\n")
    plan = load_plan(folder / "plan.yaml", assign_ids=False)
    mit = plan.courses[1]
    assert [c.key for c in mit.cards if c.source and c.source.path.name == "words.csv"] == ["w1"]


def test_the_documented_example_reads_as_documented(tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "outline.md").read_text("utf-8")
    example = doc.split("## CSV and TSV card files")[1].split("```text\n")[1].split("```")[0]
    plan = load_plan(_plan(tmp_path, example), assign_ids=False)
    assert [(c.key, c.kind, c.front, c.back, c.lesson, c.tags) for c in _cards(plan)] == [
        ("fr0chat", "reversed", "le chat", "the cat", "l1", ("french", "vocab", "animal")),
        (
            "fr0pain",
            "basic",
            "le pain, la baguette",
            "the bread; **a loaf**",
            "l2",
            ("french", "vocab"),
        ),
        (
            "fr0sqr",
            "basic",
            "$x^2$",
            'the square of $x$, read "x squared"',
            None,
            ("french", "vocab"),
        ),
    ]
