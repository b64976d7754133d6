"""Issue 3's re-import matrix, every row against Anki's real importer and scheduler.

v1 of a plan is imported into a real collection and studied through ``col.sched`` (new,
learning and review cards answered, due dates set, a card suspended, one flagged, notes
tagged ``marked``/``leech``/their own tag). Then each change is built as v2 and imported
two ways:

- ``plain``: what File > Import does (``import_anki_package`` with default options);
- ``update``: ``learnplan.collection.update.update_collection`` (the add-on's update path).

Both must keep every note id, card id, card scheduling column and revlog row exactly;
the tests also pin down what a plain import loses, which docs/updating.md documents.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("anki")

from anki.collection import Collection
from anki.scheduler_pb2 import CardAnswer
from helpers_anki import open_collection
from helpers_plans import guid, make_plan, plan_cards, replace_card

from learnplan.building.apkg import write_package
from learnplan.building.deck import build_package
from learnplan.collection.importer import import_package
from learnplan.collection.update import update_collection, update_from_package, update_timestamp
from learnplan.model.plan import Card, Course, Lesson, Plan


@dataclasses.dataclass
class _Stamps:
    """Build times, taken when the fixtures run (never at import: the suite may reach this
    module minutes after collecting it). v1 is built an hour before the studied collection
    is made; plain-path v2 packages a minute after each test starts, so they are newer than
    anything the study session or the test touched (File > Import's IF_NEWER rule)."""

    v1: float = 0.0
    v2: float = 0.0


STAMPS = _Stamps()


@pytest.fixture(autouse=True)
def _v2_stamp() -> None:
    STAMPS.v2 = float(int(time.time()) + 60)


SCHED_COLUMNS = (
    "id, nid, ord, type, queue, due, ivl, factor, reps, lapses, left, odue, odid, flags, data"
)


# --- a studied collection, built once per module and copied per test ---------------------


def _study(col: Any) -> None:
    """Answer cards through the real v3 scheduler: new, learning and review cards."""
    sched = col.sched
    col.decks.select(col.decks.id_for_name("Zero to DL"))  # the learner clicks the plan deck

    def answer_top(rating: Any) -> Any:
        top = sched.get_queued_cards(fetch_limit=1).cards[0]
        card = col.get_card(top.card.id)
        card.start_timer()
        sched.answer_card(sched.build_answer(card=card, states=top.states, rating=rating))
        return card

    for rating in (CardAnswer.EASY, CardAnswer.GOOD, CardAnswer.AGAIN, CardAnswer.EASY):
        assert answer_top(rating).type == 0  # new cards, the first two graduate at once
    reviews = col.find_cards("is:review")
    assert len(reviews) == 2, "EASY on a new card should graduate it to review"
    sched.set_due_date([reviews[0]], "0")
    kinds: list[int] = []
    while 2 not in kinds and len(kinds) < 6:
        # New cards are mixed in among reviews: answer whatever the queue offers.
        top = sched.get_queued_cards(fetch_limit=1).cards[0]
        kind = col.get_card(top.card.id).type
        kinds.append(kind)
        answer_top(CardAnswer.GOOD if kind == 2 else CardAnswer.AGAIN)
    assert 2 in kinds, "a due review card should have been answered"
    assert col.find_cards("is:learn"), "the study session should leave learning cards"
    sched.set_due_date([reviews[1]], "5-7")
    # Suspend one new card, flag another, and tag notes the way a learner does.
    new_cards = col.find_cards("is:new")
    sched.suspend_cards([new_cards[0]])
    col.set_user_flag_for_cards(3, [new_cards[1]])
    for key, tag in (("b1", "marked"), ("r1", "leech"), ("b3", "my-own::hard")):
        note = _note(col, guid(key))
        note.tags = [*note.tags, tag]
        col.update_note(note)


def _note(col: Any, g: str) -> Any:
    nid = col.db.scalar("select id from notes where guid = ?", g)
    assert nid is not None, f"no note with guid {g}"
    return col.get_note(nid)


def _import_v1(col: Any, path_kind: str, tmp: Path) -> None:
    if path_kind == "plain":
        built = build_package(make_plan(), timestamp=STAMPS.v1)
        import_package(col, write_package(built, tmp / "v1.apkg"), plain=True)
    else:
        update_collection(col, make_plan(), timestamp=STAMPS.v1)


@pytest.fixture(scope="module")
def studied(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Per path kind, a folder with a studied v1 collection (closed, ready to copy)."""
    STAMPS.v1 = float(int(time.time()) - 3600)
    out: dict[str, Path] = {}
    for kind in ("plain", "update"):
        folder = tmp_path_factory.mktemp(f"studied-{kind}")
        col = open_collection(folder)
        _import_v1(col, kind, folder)
        _study(col)
        col.close()
        out[kind] = folder
    return out


@pytest.fixture(params=["plain", "update"])
def path_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _open_copy(studied: dict[str, Path], kind: str, tmp_path: Path) -> Any:
    src = studied[kind]
    dst = tmp_path / "col"
    shutil.copytree(src, dst)
    return Collection(str(dst / "collection.anki2"))


@pytest.fixture
def col(studied: dict[str, Path], path_kind: str, tmp_path: Path) -> Iterator[Any]:
    c = _open_copy(studied, path_kind, tmp_path)
    yield c
    c.close()


@pytest.fixture
def ucol(studied: dict[str, Path], tmp_path: Path) -> Iterator[Any]:
    """A studied collection whose v1 came through the update path."""
    c = _open_copy(studied, "update", tmp_path)
    yield c
    c.close()


# --- snapshots and the invariants every row checks --------------------------------------


@dataclasses.dataclass(frozen=True)
class Snapshot:
    notes: dict[str, int]  # guid -> note id
    cards: dict[tuple[str, int], int]  # (guid, ord) -> card id
    sched: dict[int, tuple[Any, ...]]  # card id -> scheduling columns
    decks: dict[int, int]  # card id -> deck id
    revlog: list[tuple[Any, ...]]
    tags: dict[str, list[str]]
    schema: int  # col.scm: a change forces a one-way full sync


def snapshot(col: Any) -> Snapshot:
    notes = {g: nid for nid, g in col.db.all("select id, guid from notes")}
    by_nid = {nid: g for g, nid in notes.items()}
    rows = col.db.all(f"select {SCHED_COLUMNS} from cards")
    return Snapshot(
        notes=notes,
        cards={(by_nid[r[1]], r[2]): r[0] for r in rows},
        sched={r[0]: tuple(r) for r in rows},
        decks=dict(col.db.all("select id, did from cards")),
        revlog=[tuple(r) for r in col.db.all("select * from revlog order by id")],
        tags={g: sorted(col.get_note(nid).tags) for g, nid in notes.items()},
        schema=col.db.scalar("select scm from col"),
    )


def assert_history_kept(col: Any, before: Snapshot, *, schema_change: bool = False) -> Snapshot:
    """No duplicates; same note and card ids; scheduling and revlog byte-identical; no
    full sync forced unless the note types' schema really changed."""
    after = snapshot(col)
    assert (after.schema != before.schema) == schema_change
    guids = col.db.list("select guid from notes")
    assert len(guids) == len(set(guids)), "duplicate notes"
    for g, nid in before.notes.items():
        assert after.notes.get(g) == nid, f"note {g} lost or replaced"
    for key, cid in before.cards.items():
        assert after.cards.get(key) == cid, f"card {key} lost or replaced"
        assert after.sched[cid] == before.sched[cid], f"scheduling of card {cid} changed"
    assert after.revlog == before.revlog
    assert col.db.scalar("select count() from cards where nid not in (select id from notes)") == 0
    return after


def reimport(col: Any, plan: Plan, kind: str, tmp_path: Path, *, ts: float | None = None) -> Any:
    """Import ``plan`` the given way; returns the import log (plain) or UpdateReport."""
    if kind == "plain":
        stamp = STAMPS.v2 if ts is None else ts
        path = write_package(build_package(plan, timestamp=stamp), tmp_path / "v2.apkg")
        return import_package(col, path, plain=True)
    return update_collection(col, plan)


def field(col: Any, key: str, index: int = 0, course: str = "fastai1") -> str:
    return str(_note(col, guid(key, course)).fields[index])


def deck_of(col: Any, cid: int) -> str:
    return str(col.decks.name(col.get_card(cid).did))


def learner_tags_present(col: Any) -> bool:
    return (
        "marked" in _note(col, guid("b1")).tags
        and "leech" in _note(col, guid("r1")).tags
        and "my-own::hard" in _note(col, guid("b3")).tags
    )


# --- the matrix ------------------------------------------------------------------------


def test_studied_fixture_has_all_kinds_of_history(col: Any) -> None:
    types = set(col.db.list("select distinct type from revlog"))
    assert {0, 1} <= types  # learning and review answers were logged
    assert col.find_cards("is:learn") and col.find_cards("is:review") and col.find_cards("is:new")
    assert col.find_cards("is:suspended") and col.find_cards("flag:3")
    assert learner_tags_present(col)


def test_rebuild_without_changes(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)
    result = reimport(col, make_plan(), path_kind, tmp_path)
    assert_history_kept(col, before)
    if path_kind == "update":
        assert not result.updated and not result.new and not result.kept_user_edits
        assert learner_tags_present(col)
    else:
        # File > Import replaces tags with the package's: the learner's are gone.
        assert not learner_tags_present(col)


def test_edit_front_and_back(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)
    plan = replace_card(
        make_plan(),
        "b1",
        front="What does *fit_one_cycle* schedule?",
        back="Learning rate and momentum.",
    )
    result = reimport(col, plan, path_kind, tmp_path)
    assert_history_kept(col, before)
    assert "schedule?" in field(col, "b1", 0) and "momentum" in field(col, "b1", 1)
    if path_kind == "update":
        assert result.updated == (before.notes[guid("b1")],)
        assert learner_tags_present(col)


def test_edit_cloze_same_numbers(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)
    plan = replace_card(
        make_plan(), "z1", front="d/dx $x^2$ = {{c1::$2x$}}; d/dx $x^3$ = {{c2::$3x^2$}}."
    )
    reimport(col, plan, path_kind, tmp_path)
    after = assert_history_kept(col, before)
    assert field(col, "z1").startswith("d/dx")
    assert sorted(k for k in after.cards if k[0] == guid("z1")) == [
        (guid("z1"), 0),
        (guid("z1"), 1),
    ]


def test_edit_cloze_adds_a_number(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)
    plan = replace_card(
        make_plan(),
        "z1",
        front="$x^2$ → {{c1::$2x$}}; $x^3$ → {{c2::$3x^2$}}; $x^4$ → {{c3::$4x^3$}}.",
    )
    reimport(col, plan, path_kind, tmp_path)
    after = assert_history_kept(col, before)
    # A new cN makes one new card on the same note; the old cards keep their history.
    new_card = after.cards[(guid("z1"), 2)]
    assert new_card not in before.sched
    assert col.get_card(new_card).type == 0
    assert deck_of(col, new_card) == deck_of(col, after.cards[(guid("z1"), 0)])


def test_edit_cloze_removes_a_number(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)
    plan = replace_card(make_plan(), "z1", front="The derivative of $x^2$ is {{c1::$2x$}}.")
    reimport(col, plan, path_kind, tmp_path)
    after = assert_history_kept(col, before)
    # Anki never deletes the c2 card on import: it stays, with its history, as an empty
    # card that Tools > Empty Cards lists (deleting it is the learner's choice).
    c2 = after.cards[(guid("z1"), 1)]
    empty = {cid for note in col.get_empty_cards().notes for cid in note.card_ids}
    assert c2 in empty


def test_reorder_cards(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)
    plan = make_plan(cards=tuple(reversed(plan_cards())))
    result = reimport(col, plan, path_kind, tmp_path)
    assert_history_kept(col, before)
    if path_kind == "update":
        assert not result.updated and not result.moved and len(result.unchanged) == 7


def test_add_and_remove_cards(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)
    kept = tuple(c for c in plan_cards() if c.key != "b2")
    cards = (*kept, Card("n1", "basic", "What is a learner?", "A model.", "l1"))
    result = reimport(col, make_plan(cards=cards), path_kind, tmp_path)
    assert_history_kept(col, before)  # b2 is still there, with its cards and history
    assert "learner" in field(col, "n1")
    removed = _note(col, guid("b2"))
    if path_kind == "update":
        assert "zdl::removed" in removed.tags
        assert result.removed == (removed.id,)
        assert result.new == (_note(col, guid("n1")).id,)
    else:
        assert not any(t.endswith("::removed") for t in removed.tags)


def test_move_card_to_another_lesson(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)
    plan = replace_card(make_plan(), "b3", lesson="l1")
    result = reimport(col, plan, path_kind, tmp_path)
    after = assert_history_kept(col, before)
    cid = after.cards[(guid("b3"), 0)]
    assert "zdl::lesson::fastai1::l1" in _note(col, guid("b3")).tags
    if path_kind == "update":
        assert (
            deck_of(col, cid)
            == "Zero to DL::01 · Fastai::01 · Practical Deep Learning::01 · Lesson 1: Images"
        )
        assert result.moved == (cid,)
    else:
        # Anki's importer never moves an existing card: it stays in the old lesson deck.
        assert deck_of(col, cid).endswith("Lesson 2: Maths")


def _all_in(col: Any, before: Snapshot, prefix: str) -> bool:
    return all(
        deck_of(col, cid).startswith(prefix)
        for (g, _), cid in before.cards.items()
        if g != guid("m1", "mit1806")
    )


def test_rename_lesson(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)
    lessons = (Lesson("l1", "Lesson 1: Images"), Lesson("l2", "Lesson 2: Calculus"))
    result = reimport(col, make_plan(lessons=lessons), path_kind, tmp_path)
    after = assert_history_kept(col, before)
    cid = after.cards[(guid("b3"), 0)]
    old_did = before.decks[cid]
    if path_kind == "update":
        assert deck_of(col, cid).endswith("::02 · Lesson 2: Calculus")
        assert col.get_card(cid).did == old_did  # renamed in place, options kept
        assert (
            col.decks.id_for_name(
                "Zero to DL::01 · Fastai::01 · Practical Deep Learning::02 · Lesson 2: Maths"
            )
            is None
        )
        assert len(result.renamed_decks) == 1
    else:
        # Decks are matched by name: the renamed lesson gets a second, empty deck.
        assert deck_of(col, cid).endswith("::02 · Lesson 2: Maths")
        assert col.decks.id_for_name(
            "Zero to DL::01 · Fastai::01 · Practical Deep Learning::02 · Lesson 2: Calculus"
        )


def test_rename_course_title(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)
    reimport(col, make_plan(title="Practical Deep Learning for Coders"), path_kind, tmp_path)
    assert_history_kept(col, before)
    assert "Practical Deep Learning for Coders" in field(col, "b1", 2)  # Source field
    new_prefix = "Zero to DL::01 · Fastai::01 · Practical Deep Learning for Coders"
    assert _all_in(col, before, new_prefix) == (path_kind == "update")


def test_rename_provider(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)
    reimport(col, make_plan(provider="fast.ai"), path_kind, tmp_path)
    assert_history_kept(col, before)
    assert "zdl::provider::fast-ai" in _note(col, guid("b1")).tags
    assert _all_in(col, before, "Zero to DL::01 · fast.ai::01 · Practical") == (
        path_kind == "update"
    )


def test_add_course(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)
    plan = make_plan()
    extra = Course(
        id="3b1b",
        provider="3Blue1Brown",
        title="Essence of Linear Algebra",
        fte=0.5,
        cards=(Card("e1", "basic", "A linear map keeps?", "Grid lines parallel.", None),),
    )
    plan = dataclasses.replace(plan, courses=(*plan.courses, extra))
    reimport(col, plan, path_kind, tmp_path)
    after = assert_history_kept(col, before)
    cid = after.cards[(guid("e1", "3b1b"), 0)]
    assert deck_of(col, cid) == "Zero to DL::03 · 3Blue1Brown::01 · Essence of Linear Algebra"


def test_rebuild_twice_in_the_same_second(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)
    v2 = replace_card(make_plan(), "b2", back="A multi-dimensional array.")
    v3 = replace_card(make_plan(), "b2", back="A multi-dimensional array (ndarray).")
    if path_kind == "plain":
        reimport(col, v2, "plain", tmp_path, ts=STAMPS.v2)
        log = reimport(col, v3, "plain", tmp_path, ts=STAMPS.v2)
        # Same whole second: Anki calls v3 a "duplicate" and silently keeps v2's text.
        assert "multi-dimensional" in field(col, "b2", 1)
        assert "(ndarray)" not in field(col, "b2", 1)
        assert log.duplicate and not log.updated
    else:
        same = float(int(time.time()))
        update_collection(col, v2, timestamp=same)
        report = update_collection(col, v3, timestamp=same)
        assert "(ndarray)" in field(col, "b2", 1)
        assert report.updated == (before.notes[guid("b2")],)
    assert_history_kept(col, before)


def test_clock_behind_the_last_build(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)
    plan = replace_card(make_plan(), "b2", back="Tensors generalise matrices.")
    behind = STAMPS.v1 - 86400.0  # this machine's clock is a day behind the v1 build
    if path_kind == "plain":
        stale = write_package(build_package(plan, timestamp=behind), tmp_path / "stale.apkg")
        import_package(col, stale, plain=True)
        assert "generalise" not in field(col, "b2", 1)  # silently skipped: older package
        # The CLI passes the previous package, and the build then moves past it.
        v1 = write_package(build_package(make_plan(), timestamp=STAMPS.v1), tmp_path / "v1.apkg")
        built = build_package(plan, timestamp=behind, previous=v1)
        assert built.timestamp > STAMPS.v1
        log = import_package(col, write_package(built, tmp_path / "v2.apkg"), plain=True)
        assert "generalise" in field(col, "b2", 1)
        # ... but File > Import still skips the notes the learner tagged after v1 was
        # built (their mod is newer than this package), so their text would not update.
        skipped = {col.get_note(n.id.nid).guid for n in log.duplicate}
        assert {guid("b1"), guid("r1"), guid("b3")} <= skipped
    else:
        update_collection(col, plan, timestamp=behind)
        assert "generalise" in field(col, "b2", 1)
    assert_history_kept(col, before)


# --- note-type changes: the package's models are edited after the build -----------------
# deck.py takes its note types from notetypes.SPECS with no per-build hook, so these tests
# rewrite the models inside the written package (collection.anki2's col.models JSON).


def rewrite_package(
    src: Path, dst: Path, edit: Callable[[dict[str, Any], sqlite3.Connection], None]
) -> Path:
    with zipfile.ZipFile(src) as zin:
        entries = {name: zin.read(name) for name in zin.namelist()}
    db_path = dst.with_suffix(".anki2")
    db_path.write_bytes(entries["collection.anki2"])
    conn = sqlite3.connect(db_path)
    models = json.loads(conn.execute("select models from col").fetchone()[0])
    edit(models, conn)
    conn.execute("update col set models = ?", (json.dumps(models),))
    conn.commit()
    conn.close()
    entries["collection.anki2"] = db_path.read_bytes()
    with zipfile.ZipFile(dst, "w") as zout:
        for name, data in entries.items():
            zout.writestr(name, data)
    return dst


def _basic(models: dict[str, Any]) -> dict[str, Any]:
    return next(m for m in models.values() if m["name"] == "Learning Plan Basic")


def _import_variant(
    col: Any, kind: str, tmp_path: Path, edit: Callable[[dict[str, Any], sqlite3.Connection], None]
) -> Any:
    plan = replace_card(make_plan(), "b1", back="The learning rate, up then down.")
    ts = STAMPS.v2 if kind == "plain" else update_timestamp(col, plan)
    built = build_package(plan, timestamp=ts)
    path = rewrite_package(write_package(built, tmp_path / "v2.apkg"), tmp_path / "v2x.apkg", edit)
    if kind == "plain":
        return import_package(col, path, plain=True)
    return update_from_package(col, plan, path)


def _basic_notetype(col: Any) -> Any:
    col.models._clear_cache()  # as aqt does after an op that changed note types
    return col.models.by_name("Learning Plan Basic")


def test_change_css_and_templates(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)

    def edit(models: dict[str, Any], conn: sqlite3.Connection) -> None:
        m = _basic(models)
        m["css"] += "\n.lp-q { font-size: 2em; }"
        m["tmpls"][0]["qfmt"] = '<div class="lp-q lp-v2">{{Front}}</div>'

    _import_variant(col, path_kind, tmp_path, edit)
    assert_history_kept(col, before)
    nt = _basic_notetype(col)
    assert "font-size: 2em" in nt["css"] and "lp-v2" in nt["tmpls"][0]["qfmt"]
    assert "up then down" in field(col, "b1", 1)
    assert (
        len([m for m in col.models.all_names_and_ids() if m.name.startswith("Learning Plan Basic")])
        == 2
    )


def _add_field(models: dict[str, Any], conn: sqlite3.Connection) -> None:
    m = _basic(models)
    m["flds"].append({**m["flds"][1], "name": "Hint", "ord": 3, "id": 424242424242})
    m["tmpls"][0]["afmt"] += "{{Hint}}"
    conn.execute(
        "update notes set flds = flds || char(31) || 'a hint' where mid = ?", (int(m["id"]),)
    )


def test_add_a_field(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)
    result = _import_variant(col, path_kind, tmp_path, _add_field)
    assert_history_kept(col, before, schema_change=path_kind == "update")
    if path_kind == "plain":
        # Default options do not merge note types: Anki reports the notes as conflicting
        # and changes nothing (a learner sees "notes skipped, note type changed").
        assert result.conflicting
        assert "up then down" not in field(col, "b1", 1)
    else:
        assert not result.conflicting
        assert [f["name"] for f in _basic_notetype(col)["flds"]][-1] == "Hint"
        assert field(col, "b1", 3) == "a hint" and "up then down" in field(col, "b1", 1)
        assert learner_tags_present(col)


def test_rename_a_field(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)

    def edit(models: dict[str, Any], conn: sqlite3.Connection) -> None:
        m = _basic(models)
        m["flds"][1]["name"] = "Answer"
        for t in m["tmpls"]:
            t["afmt"] = t["afmt"].replace("{{Back}}", "{{Answer}}")

    _import_variant(col, path_kind, tmp_path, edit)
    assert_history_kept(col, before)
    names = [f["name"] for f in _basic_notetype(col)["flds"]]
    # Fields carry stable ids, so the rename is matched and applied in place.
    assert names == ["Front", "Answer", "Source"]
    assert "up then down" in field(col, "b1", 1)


def test_rename_the_plan_title(col: Any, path_kind: str, tmp_path: Path) -> None:
    before = snapshot(col)
    plan = dataclasses.replace(make_plan(), title="Deep Learning in 12 Weeks")
    reimport(col, plan, path_kind, tmp_path)
    assert_history_kept(col, before)
    moved_along = all(
        deck_of(col, cid).startswith("Deep Learning in 12 Weeks::") for cid in before.cards.values()
    )
    assert moved_along == (path_kind == "update")


def test_move_a_card_out_of_its_lesson_to_the_course(
    col: Any, path_kind: str, tmp_path: Path
) -> None:
    before = snapshot(col)
    reimport(col, replace_card(make_plan(), "b1", lesson=None), path_kind, tmp_path)
    after = assert_history_kept(col, before)
    expected = "Zero to DL::01 · Fastai::01 · Practical Deep Learning"
    if path_kind == "plain":
        expected += "::01 · Lesson 1: Images"
    assert deck_of(col, after.cards[(guid("b1"), 0)]) == expected
