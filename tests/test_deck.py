from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from helpers_anki import collection, db, import_package

from learnplan.base.errors import PlanError
from learnplan.base.ids import note_guid, note_guids, stable_id
from learnplan.building.apkg import write_package
from learnplan.building.deck import build_package
from learnplan.building.manifest import read_package_manifest
from learnplan.building.notetypes import BASIC_NAME, CLOZE_NAME, REVERSED_NAME, SPECS
from learnplan.model.plan import Card, Course, Lesson, Plan, SourceRef

T0 = 1_700_000_000.0
PNG = b"\x89PNG\r\n\x1a\n not really a png, but bytes with a stable hash"


def sample_plan(folder: Path) -> Plan:
    """Two courses, lessons, every card kind, math, an image."""
    (folder / "img").mkdir(parents=True, exist_ok=True)
    (folder / "img" / "graph.png").write_bytes(PNG)
    src = folder / "cards.md"

    def card(key: str, kind: Any, front: str, back: str = "", line: int = 1, **kw: Any) -> Card:
        return Card(key, kind, front, back, source=SourceRef(src, line), base_dir=folder, **kw)

    la = Course(
        id="mit-1806",
        provider="MIT",
        title="18.06 Linear Algebra",
        fte=0.7,
        url="https://ocw.mit.edu/18-06",
        lessons=(Lesson("l1", "Lesson 1: Geometry"), Lesson("l2", "Lesson 2: Elimination")),
        cards=(
            card("a1", "basic", "What is $A_{ij}$?", "Row *i*, column *j*.", 3, lesson="l1"),
            card(
                "a2",
                "reversed",
                "Rank",
                "Dimension of the column space",
                5,
                lesson="l2",
                tags=("linear algebra", "exam::Midterm 1"),
            ),
            card("a3", "cloze", r"{{c1::$\frac{a}{b_{1}}$}} is a {{c2::fraction}}", "Extra", 7),
            card("a4", "basic", "A graph ![g](img/graph.png)", "See the graph.", 9),
        ),
    )
    fastai = Course(
        id="fastai-1",
        provider="Fastai",
        title="Practical Deep Learning for Coders Part 1 (2019)",
        fte=1.5,
        cards=(
            card("b1", "basic", "What does `fit_one_cycle` vary?", "The learning rate.", 11),
            card("b2", "cloze", "{{c1::SGD}} stands for stochastic gradient descent", "", 13),
        ),
    )
    return Plan(id="zdl", title="Zero to DL", start=dt.date(2019, 5, 6), courses=(la, fastai))


def built_file(tmp_path: Path, plan: Plan | None = None, ts: float = T0) -> Path:
    plan = plan or sample_plan(tmp_path / "plan")
    return write_package(build_package(plan, timestamp=ts), tmp_path / "out" / "zdl.apkg")


def note_of(col: Any, course_id: str, key: str) -> Any:
    nid = col.db.scalar("select id from notes where guid = ?", note_guid("zdl", course_id, key))
    assert nid, (course_id, key)
    return col.get_note(nid)


@pytest.fixture
def apkg(tmp_path: Path) -> Path:
    (tmp_path / "out").mkdir()
    return built_file(tmp_path)


# --- the package in a real collection


def test_import_creates_deck_tree_notes_and_cards(apkg: Path, tmp_path: Path) -> None:
    with collection(tmp_path / "col") as col:
        log = import_package(col, apkg)
        assert len(log.new) == 6 and not log.conflicting
        names = set(col.decks.all_names())
        assert {
            "Zero to DL::01 · MIT::01 · 18.06 Linear Algebra",
            "Zero to DL::01 · MIT::01 · 18.06 Linear Algebra::01 · Lesson 1: Geometry",
            "Zero to DL::01 · MIT::01 · 18.06 Linear Algebra::02 · Lesson 2: Elimination",
            "Zero to DL::02 · Fastai::01 · Practical Deep Learning for Coders Part 1 (2019)",
        } <= names
        # basic 1 + reversed 2 + cloze 2 + basic 1 | basic 1 + cloze 1
        assert len(col.find_cards("tag:zdl::course::mit-1806")) == 6
        assert len(col.find_cards("tag:zdl::course::fastai-1")) == 2
        assert (
            len(
                col.find_cards(
                    '"deck:Zero to DL::01 · MIT::01 · 18.06 Linear Algebra::02 · Lesson 2*"'
                )
            )
            == 2
        )
        course = col.decks.by_name("Zero to DL::01 · MIT::01 · 18.06 Linear Algebra")
        assert course is not None
        link = '<a href="https://ocw.mit.edu/18-06">MIT · 18.06 Linear Algebra</a>'
        assert course["desc"] == link
        assert col.fix_integrity()[1] is True


def test_every_note_has_exactly_one_course_tag_and_its_lesson_tag(
    apkg: Path, tmp_path: Path
) -> None:
    with collection(tmp_path / "col") as col:
        import_package(col, apkg)
        notes = [col.get_note(nid) for nid in col.find_notes("")]
        assert len(notes) == 6
        for note in notes:
            course_tags = [t for t in note.tags if "::course::" in t]
            assert len(course_tags) == 1, note.tags
            assert all(" " not in t for t in note.tags)
        a2 = note_of(col, "mit-1806", "a2")
        assert sorted(a2.tags) == sorted(
            [
                "zdl::course::mit-1806",
                "zdl::lesson::mit-1806::l2",
                "zdl::provider::mit",
                "linear-algebra",
                "exam::midterm-1",
            ]
        )


def test_note_types_keep_stable_ids_for_model_fields_and_templates(
    apkg: Path, tmp_path: Path
) -> None:
    with collection(tmp_path / "col") as col:
        import_package(col, apkg)
        for kind, name in (
            ("basic", BASIC_NAME),
            ("reversed", REVERSED_NAME),
            ("cloze", CLOZE_NAME),
        ):
            spec = SPECS[kind]  # type: ignore[index]
            model = col.models.by_name(name)
            assert model is not None, name
            assert model["id"] == stable_id("notetype", spec.key)
            assert [f["id"] for f in model["flds"]] == [
                stable_id("field", spec.key, key) for key, _ in spec.fields
            ]
            assert [t["id"] for t in model["tmpls"]] == [
                stable_id("template", spec.key, key) for key, *_ in spec.templates
            ]


def test_mathjax_and_cloze_render_intact_in_anki(apkg: Path, tmp_path: Path) -> None:
    with collection(tmp_path / "col") as col:
        import_package(col, apkg)
        cards = sorted(note_of(col, "mit-1806", "a3").cards(), key=lambda c: c.ord)
        assert len(cards) == 2
        # c1 asks for the fraction; its answer shows it whole, braces split only by a space.
        assert '<span class="cloze" data-cloze=' in cards[0].question()
        assert r"\(\frac{a}{b_{1} }\)</span>" in cards[0].answer()
        assert r"\(\frac{a}{b_{1} }\)" in cards[1].question()
        assert '<span class="cloze" data-ordinal="2">fraction</span>' in cards[1].answer()
        a1 = note_of(col, "mit-1806", "a1")
        assert r"What is \(A_{ij}\)?" in a1.cards()[0].question()


def test_images_and_manifest_reach_the_media_folder(apkg: Path, tmp_path: Path) -> None:
    with collection(tmp_path / "col") as col:
        import_package(col, apkg)
        media = Path(col.media.dir())
        image = f"lp-{hashlib.sha256(PNG).hexdigest()[:16]}.png"
        assert (media / image).read_bytes() == PNG
        manifests = list(media.glob("_learnplan-zdl-*.json"))
        assert len(manifests) == 1
        data = json.loads(manifests[0].read_text("utf-8"))
        assert data["format"] == "learnplan-manifest" and data["built_at"] == T0
        assert [c["id"] for c in data["plan"]["courses"]] == ["mit-1806", "fastai-1"]
        assert col.media.check().missing == []


def test_rebuilt_plan_updates_notes_in_place_and_ships_a_new_manifest(tmp_path: Path) -> None:
    plan = sample_plan(tmp_path / "plan")
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "zdl.apkg"
    write_package(build_package(plan, timestamp=T0), target)
    with collection(tmp_path / "col") as col:
        import_package(col, target)
        ids_before = sorted(col.find_notes(""))
        # Study a few cards with the real scheduler: the update must keep their reviews.
        root = col.decks.id_for_name("Zero to DL")
        assert root is not None
        col.decks.select(root)
        for _ in range(3):
            card = col.sched.getCard()
            assert card is not None
            col.sched.answerCard(card, 3)
        studied = {
            cid: (c.type, c.queue, c.due, c.ivl, c.reps)
            for cid in col.find_cards("-is:new")
            for c in [col.get_card(cid)]
        }
        assert len(studied) == 3
        revlog = db(col).all("select * from revlog order by id")
        # Edit a card's text and reorder a course: same timestamp asked for, but the
        # previous package forces it forward so Anki applies the update.
        la = plan.courses[0]
        edited = dataclasses.replace(la.cards[0], front="What is entry $A_{ij}$ of $A$?")
        la2 = dataclasses.replace(la, cards=(*reversed(la.cards[1:]), edited))
        plan2 = dataclasses.replace(plan, courses=(plan.courses[1], la2))
        built = build_package(plan2, timestamp=T0, previous=target)
        assert built.timestamp == T0 + 1
        write_package(built, target)
        log = import_package(col, target)
        assert len(log.updated) == 6 and not log.new and not log.conflicting
        assert sorted(col.find_notes("")) == ids_before
        after = {cid: col.get_card(cid) for cid in studied}
        assert {cid: (c.type, c.queue, c.due, c.ivl, c.reps) for cid, c in after.items()} == studied
        assert db(col).all("select * from revlog order by id") == revlog
        a1 = note_of(col, "mit-1806", "a1")
        assert a1["Front"] == r"What is entry \(A_{ij}\) of \(A\)?"
        names = sorted(p.name for p in Path(col.media.dir()).glob("_learnplan-zdl-*.json"))
        assert len(names) == 2  # the newer manifest arrives under its own name


def test_previous_package_pushes_the_timestamp_forward(apkg: Path, tmp_path: Path) -> None:
    plan = sample_plan(tmp_path / "plan")
    assert build_package(plan, timestamp=T0 - 50, previous=apkg).timestamp == T0 + 1
    assert build_package(plan, timestamp=T0 + 99, previous=apkg).timestamp == T0 + 99
    assert build_package(plan, timestamp=T0, previous=tmp_path / "none.apkg").timestamp == T0


# --- validation


def _plan_with(tmp_path: Path, *cards: Card, lessons: tuple[Lesson, ...] = ()) -> Plan:
    course = Course("c", "P", "Course", 1.0, lessons=lessons, cards=cards)
    return Plan(id="p", title="P", start=dt.date(2020, 1, 6), courses=(course,))


def _src(line: int) -> SourceRef:
    return SourceRef(Path("cards.md"), line)


@pytest.mark.parametrize(
    ("card", "message"),
    [
        (Card(None, "basic", "Q", "A", source=_src(4)), "cards.md:4: card has no id"),
        (Card("k", "basic", "  ", "A", source=_src(4)), "cards.md:4: card 'k' has an empty front"),
        (
            Card("k", "cloze", "no deletion", "", source=_src(4)),
            "cards.md:4: cloze card 'k' has no {{c1::...}} deletion",
        ),
        (
            Card("k", "cloze", "{{c0::zero}}", "", source=_src(4)),
            "cards.md:4: cloze card 'k' has no {{c1::...}} deletion",
        ),
        (
            Card("k", "reversed", "Q", "", source=_src(4)),
            "cards.md:4: reversed card 'k' needs a back",
        ),
        (
            Card("k", "basic", "Q", "A", lesson="nope", source=_src(4)),
            "cards.md:4: unknown lesson 'nope' in course 'c'",
        ),
        (
            Card("k", "basic", "![x](missing.png)", "A", source=_src(4), base_dir=Path(".")),
            "cards.md:4: image 'missing.png' not found",
        ),
    ],
)
def test_bad_cards_raise_plan_error_and_write_nothing(
    tmp_path: Path, card: Card, message: str
) -> None:
    with pytest.raises(PlanError) as info:
        build_package(_plan_with(tmp_path, card), timestamp=T0)
    assert str(info.value).startswith(message), str(info.value)


def test_duplicate_keys_in_a_course_are_reported_with_both_lines(tmp_path: Path) -> None:
    plan = _plan_with(
        tmp_path,
        Card("k", "basic", "Q1", "A", source=_src(2)),
        Card("k", "basic", "Q2", "A", source=_src(9)),
        Card(None, "basic", "Q3", "A", source=_src(12)),
    )
    with pytest.raises(PlanError) as info:
        build_package(plan, timestamp=T0)
    assert [str(p) for p in info.value.problems] == [
        "cards.md:9: card id 'k' is used twice in course 'c' (first at line 2)",
        "cards.md:12: card has no id yet (build without --no-write)",
    ]


def test_same_key_in_two_courses_is_fine(tmp_path: Path) -> None:
    c1 = Course("c1", "P", "One", 1.0, cards=(Card("k", "basic", "Q", "A"),))
    c2 = Course("c2", "P", "Two", 1.0, cards=(Card("k", "basic", "Q", "A"),))
    built = build_package(Plan("p", "P", dt.date(2020, 1, 6), courses=(c1, c2)), timestamp=T0)
    assert len({n.guid for n in built.notes}) == 2


# --- writing


def test_same_plan_and_timestamp_give_identical_bytes(tmp_path: Path) -> None:
    plan = sample_plan(tmp_path / "plan")
    a = write_package(build_package(plan, timestamp=T0), tmp_path / "a.apkg")
    b = write_package(build_package(plan, timestamp=T0), tmp_path / "b.apkg")
    c = write_package(build_package(plan, timestamp=T0 + 1), tmp_path / "c.apkg")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_built_package_counts_and_manifest(tmp_path: Path) -> None:
    built = build_package(sample_plan(tmp_path / "plan"), timestamp=T0)
    assert (built.note_count, built.card_count) == (6, 8)
    assert built.manifest_name.startswith("_learnplan-zdl-")
    assert [name for name, _ in built.media] == [f"lp-{hashlib.sha256(PNG).hexdigest()[:16]}.png"]
    assert len(built.package.decks) == 4  # the genanki view of the same content


def test_progress_is_reported_up_to_the_total(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    build_package(
        sample_plan(tmp_path / "plan"), timestamp=T0, progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (6, 6)


def test_package_manifest_reads_back(apkg: Path) -> None:
    manifest = read_package_manifest(apkg)
    assert manifest is not None
    assert manifest.built_at == T0 and manifest.plan.id == "zdl"
    with zipfile.ZipFile(apkg) as zf:
        assert zf.getinfo("collection.anki2").compress_type == zipfile.ZIP_STORED


def test_write_leaves_no_temporary_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = sample_plan(tmp_path / "plan")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    out = tmp_path / "out"
    out.mkdir()
    write_package(build_package(plan, timestamp=T0), out / "zdl.apkg")
    assert list(scratch.iterdir()) == []
    assert [p.name for p in out.iterdir()] == ["zdl.apkg"]
    # The check can fail: genanki's own writer leaves its SQLite file in the temp dir.
    build_package(plan, timestamp=T0).package.write_to_file(str(out / "genanki.apkg"))
    assert len(list(scratch.iterdir())) == 1


def test_failed_write_keeps_the_old_file_and_leaves_nothing_behind(tmp_path: Path) -> None:
    plan = sample_plan(tmp_path / "plan")
    out = tmp_path / "out"
    out.mkdir()
    target = write_package(build_package(plan, timestamp=T0), out / "zdl.apkg")
    old = target.read_bytes()
    built = build_package(plan, timestamp=T0 + 5)
    # The image vanishes between build and write: the zip fails halfway through.
    (tmp_path / "plan" / "img" / "graph.png").unlink()
    with pytest.raises(PlanError, match=r"graph\.png:0: cannot read the image"):
        write_package(built, target)
    assert target.read_bytes() == old
    assert [p.name for p in out.iterdir()] == ["zdl.apkg"]


def test_write_into_a_missing_folder_fails_without_creating_anything(tmp_path: Path) -> None:
    built = build_package(sample_plan(tmp_path / "plan"), timestamp=T0)
    with pytest.raises(PlanError, match=r"x\.apkg:0: the folder .* does not exist"):
        write_package(built, tmp_path / "no" / "such" / "dir" / "x.apkg")
    assert not (tmp_path / "no").exists()


def test_write_accepts_a_bare_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = build_package(sample_plan(tmp_path / "plan"), timestamp=T0)
    monkeypatch.chdir(tmp_path)
    assert write_package(built, "bare.apkg").resolve() == (tmp_path / "bare.apkg").resolve()
    assert os.path.getsize(tmp_path / "bare.apkg") > 0


def test_source_field_escapes_text_and_links_only_web_urls() -> None:
    from learnplan.building.notetypes import source_html

    course = Course("c", "A&B", "<Intro>", 1.0, url="javascript:alert(1)")
    lesson = Lesson("l1", "Part <1>", url="https://x.org/l1?a=1&b=2")
    assert source_html(course, None) == "A&amp;B · &lt;Intro&gt;"
    assert source_html(course, lesson) == (
        'A&amp;B · &lt;Intro&gt; › <a href="https://x.org/l1?a=1&amp;b=2">Part &lt;1&gt;</a>'
    )


def test_a_course_s_guids_are_the_note_guids() -> None:
    guid = note_guids("plan", "course-1")
    for key in ("a1", "k", "é", "", "x" * 200):
        assert guid(key) == note_guid("plan", "course-1", key)
    assert note_guids("plan", "course-2")("a1") != guid("a1")
