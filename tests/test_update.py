"""The add-on's update path (``learnplan.collection.update``): pure helpers, then the learner-side
guarantees on a real collection with Anki's real importer (see also test_reimport.py)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from helpers_anki import open_collection
from helpers_plans import guid, make_plan, plan_cards, replace_card

from learnplan.base.errors import PlanError
from learnplan.collection.decks import deck_key, old_deck_key, plan_decks
from learnplan.collection.recordstore import imported_record
from learnplan.collection.shipped import STATE_FILE_PREFIX
from learnplan.collection.update_report import UpdateReport
from learnplan.collection.update_rules import (
    fingerprint,
    in_namespace,
    merge_tags,
    next_timestamp,
    plan_notes,
)
from learnplan.model.plan import Plan

if TYPE_CHECKING:
    from anki.collection import Collection

# --- pure helpers -----------------------------------------------------------------------


def test_next_timestamp_beats_notes_and_last_build() -> None:
    assert next_timestamp(1000.7, 0, 0.0) == 1000.0
    assert next_timestamp(1000.0, 1000, 0.0) == 1001.0  # same second as the last import
    assert next_timestamp(500.0, 900, 1000.4) == 1001.0  # clock behind the last build
    assert next_timestamp(None, 0, 0.0) > 1.7e9


def test_namespace_and_tag_merge_are_case_insensitive() -> None:
    assert in_namespace("ZDL::course::x", "zdl") and not in_namespace("zdlx::a", "zdl")
    assert not in_namespace("marked", "zdl")
    assert merge_tags(["zdl::course::a", "Marked"], ["marked", "leech"]) == [
        "zdl::course::a",
        "Marked",
        "leech",
    ]


def test_old_deck_key_reads_lesson_then_course_tags() -> None:
    assert old_deck_key(["zdl::course::c1", "zdl::lesson::c1::l2"], "zdl") == "c1/l2"
    assert old_deck_key(["ZDL::Course::c1", "marked"], "zdl") == "c1"
    assert old_deck_key(["marked"], "zdl") is None


def test_plan_decks_and_notes_follow_the_identity_rules() -> None:
    plan = make_plan()
    decks = plan_decks(plan)
    assert (
        decks[deck_key("fastai1", "l2")]
        == "Zero to DL::01 · Fastai::01 · Practical Deep Learning::02 · Lesson 2: Maths"
    )
    assert decks["mit1806"] == "Zero to DL::02 · MIT::01 · 18.06 Linear Algebra"
    notes = plan_notes(plan)
    assert len(notes) == 7
    course, lesson = notes[guid("b3")]
    assert course.id == "fastai1" and lesson is not None and lesson.id == "l2"


def test_fingerprint_sees_any_field_change() -> None:
    assert fingerprint(["a", "b"]) == fingerprint(["a", "b"])
    assert fingerprint(["a", "b"]) != fingerprint(["a", "b "])
    assert fingerprint(["ab", ""]) != fingerprint(["a", "b"])


def test_summary_says_what_was_kept() -> None:
    report = UpdateReport(
        plan_id="zdl",
        timestamp=1.0,
        new=(1,),
        updated=(2, 3),
        kept_user_edits=(4,),
        removed=(5,),
        moved=(6,),
        restored_tags=(2,),
    )
    text = report.summary()
    assert "1 new, 2 updated" in text
    assert "nid:4" in text and "NOT overwritten" in text
    assert "zdl::removed" in text and "nothing was deleted" in text
    assert "1 card(s) moved" in text


# --- on a real collection -----------------------------------------------------------------

anki = pytest.importorskip("anki")


@pytest.fixture
def col(col: Collection) -> Collection:
    """The shared collection fixture with make_plan() imported through the update path."""
    from learnplan.collection.update import update_collection

    update_collection(col, make_plan())
    return col


def _note(col: Any, key: str, course: str = "fastai1") -> Any:
    nid = col.db.scalar("select id from notes where guid = ?", guid(key, course))
    return col.get_note(nid)


def _update(col: Any, plan: Plan) -> UpdateReport:
    from learnplan.collection.update import update_collection

    return update_collection(col, plan)


def test_first_update_records_what_was_shipped(col: Any) -> None:
    record = imported_record(col, "zdl")
    assert set(record["decks"]) == {"fastai1", "fastai1/l1", "fastai1/l2", "mit1806"}
    state_file = Path(col.media.dir()) / record["state"]
    assert state_file.name.startswith(STATE_FILE_PREFIX + "zdl-")
    state = json.loads(state_file.read_text())
    assert len(state["notes"]) == 7
    # The record is an entry in a record file that syncs; nothing per note goes there.
    assert len(json.dumps(record)) < 1000
    assert not [k for k in col.all_config() if k.startswith("learnplan.")]


def test_hand_edit_is_kept_and_reported(col: Any) -> None:
    note = _note(col, "b1")
    note["Back"] = "My own wording."
    col.update_note(note)
    report = _update(col, replace_card(make_plan(), "b1", back="The LR, cyclically."))
    assert report.kept_user_edits == (note.id,)
    assert _note(col, "b1")["Back"] == "My own wording."
    assert "NOT overwritten" in report.summary()
    # Still the learner's on the next update: it is never silently overwritten later.
    report = _update(col, replace_card(make_plan(), "b1", back="The LR, cyclically!"))
    assert report.kept_user_edits == (note.id,)
    assert _note(col, "b1")["Back"] == "My own wording."


def test_tagging_a_note_is_not_an_edit(col: Any) -> None:
    note = _note(col, "b2")
    note.tags = [*note.tags, "marked"]
    col.update_note(note)
    report = _update(col, replace_card(make_plan(), "b2", back="An nd-array."))
    assert report.kept_user_edits == ()
    assert report.updated == (note.id,) and report.restored_tags == (note.id,)
    after = _note(col, "b2")
    assert "nd-array" in after["Back"] and "marked" in after.tags


def test_a_card_the_learner_filed_elsewhere_stays_there(col: Any) -> None:
    mine = col.decks.id(name="My hard cards")
    cid = _note(col, "b3").cards()[0].id
    col.set_deck([cid], mine)
    report = _update(col, replace_card(make_plan(), "b3", lesson="l1"))
    assert report.moved == ()
    assert col.get_card(cid).did == mine


def test_removed_note_is_tagged_then_untagged_when_it_comes_back(col: Any) -> None:
    cards = tuple(c for c in plan_cards() if c.key != "b4")
    report = _update(col, make_plan(cards=cards))
    note = _note(col, "b4")
    assert report.removed == (note.id,) and "zdl::removed" in note.tags
    assert col.find_notes("tag:zdl::removed") == [note.id]
    # Still removed next time, and not counted twice as a new removal of a new note.
    assert _update(col, make_plan(cards=cards)).removed == (note.id,)
    report = _update(col, make_plan())
    assert report.removed == () and "zdl::removed" not in _note(col, "b4").tags


def test_outline_tags_are_the_plans_not_the_learners(col: Any) -> None:
    tagged = replace_card(make_plan(), "b2", tags=("linear-algebra",))
    _update(col, tagged)
    assert "linear-algebra" in _note(col, "b2").tags
    _update(col, make_plan())  # the outline dropped the tag: so does the note
    assert "linear-algebra" not in _note(col, "b2").tags


def test_whole_update_is_one_undo_step(col: Any) -> None:
    note = _note(col, "b1")
    note.tags = [*note.tags, "marked"]
    col.update_note(note)
    cards = tuple(c for c in plan_cards() if c.key != "b2")
    plan = replace_card(make_plan(cards=cards), "b1", back="Changed.", lesson="l2")
    _update(col, plan)
    assert col.undo_status().undo == "Update Learning Plan"
    col.undo()
    assert _note(col, "b1")["Back"] != "Changed." and "marked" in _note(col, "b1").tags
    assert "zdl::removed" not in _note(col, "b2").tags
    assert col.decks.name(_note(col, "b1").cards()[0].did).endswith("Lesson 1: Images")


def test_bad_plan_writes_nothing(col: Any) -> None:
    before = col.db.all("select id, mod, tags, flds from notes")
    record = imported_record(col, "zdl")
    bad = replace_card(make_plan(), "b1", front="")  # would make a card-less note
    with pytest.raises(PlanError):
        _update(col, bad)
    assert col.db.all("select id, mod, tags, flds from notes") == before
    assert imported_record(col, "zdl") == record


def test_update_after_a_plain_file_import(tmp_path: Path) -> None:
    """No record yet (v1 came in through File > Import): still keeps tags and edits."""
    from learnplan.building.apkg import write_package
    from learnplan.building.deck import build_package
    from learnplan.collection.importer import import_package

    col = open_collection(tmp_path)
    try:
        built = build_package(make_plan(), timestamp=1_700_000_000.0)
        import_package(col, write_package(built, tmp_path / "v1.apkg"), plain=True)
        edited = _note(col, "b1")
        edited["Back"] = "Mine."
        col.update_note(edited)
        marked = _note(col, "b2")
        marked.tags = [*marked.tags, "marked"]
        col.update_note(marked)
        plan = replace_card(replace_card(make_plan(), "b1", back="New b1."), "b3", back="New b3.")
        report = _update(col, plan)
        assert _note(col, "b1")["Back"] == "Mine." and edited.id in report.kept_user_edits
        assert "marked" in _note(col, "b2").tags
        assert "New b3." in _note(col, "b3")["Back"]
        assert imported_record(col, "zdl")["state"]
    finally:
        col.close()


def test_plan_id_change_is_a_different_plan(col: Any) -> None:
    other = dataclasses.replace(make_plan(), id="zdl2", title="Another plan")
    report = _update(col, other)
    assert len(report.new) == 7 and report.removed == ()
    assert col.find_notes("tag:zdl::removed") == []


@pytest.mark.parametrize("kind", ["reversed", "cloze"])
def test_changing_a_cards_kind_is_reported_not_forced(col: Any, kind: str) -> None:
    # Anki's merge would fuse two of our note types (basic -> reversed) or fail the
    # whole import (basic -> cloze); the note is left as it was and reported instead.
    reversed_before = [(c.id, c.ord) for c in _note(col, "r1").cards()]
    front = "A {{c1::tensor}} is an array." if kind == "cloze" else "What is a tensor?"
    plan = replace_card(make_plan(), "b2", kind=kind, front=front)
    plan = replace_card(plan, "b1", back="Still updated.")
    report = _update(col, plan)
    assert report.conflicting == (guid("b2"),)
    note = _note(col, "b2")
    assert note.note_type()["name"] == "Learning Plan Basic" and len(note.cards()) == 1
    assert "Still updated." in _note(col, "b1")["Back"]
    col.models._clear_cache()
    for name in ("Learning Plan Basic", "Learning Plan Basic (and reversed)"):
        assert [f["name"] for f in col.models.by_name(name)["flds"]] == ["Front", "Back", "Source"]
    assert [(c.id, c.ord) for c in _note(col, "r1").cards()] == reversed_before


def test_notes_are_found_by_guid_whatever_the_guid_holds(col: Any) -> None:
    from learnplan.collection.update import _note_ids_by_guid

    model = col.models.by_name("Basic")
    odd = ['quote"d', "back\\slash", "ünïcode", "'); drop table notes; --"]
    ids: dict[str, int] = {}
    for text in [*odd, "not asked for"]:
        note = col.new_note(model)
        note["Front"] = text
        note.guid = text
        col.add_note(note, col.decks.id("Elsewhere"))
        ids[text] = note.id
    shipped = guid("b1", "fastai1")
    found = _note_ids_by_guid(col, {*odd, shipped, "no such guid"})
    assert found == {**{text: ids[text] for text in odd}, shipped: _note(col, "b1").id}
    assert _note_ids_by_guid(col, set()) == {}


def test_a_record_naming_decks_by_anything_but_ids_is_left_out(col: Any) -> None:
    from learnplan.collection.recordstore import record_import

    # A record file from another device says anything: the decks are found by name.
    record = imported_record(col, "zdl")
    hostile = {"fastai1": "abc", "fastai1/l1": [1], "fastai1/l2": 1.5, "mit1806": None}
    record_import(col, "zdl", {**record, "decks": hostile})
    names = sorted(d.name for d in col.decks.all_names_and_ids())
    report = _update(col, make_plan())
    assert report.renamed_decks == () and report.removed_decks == ()
    assert sorted(d.name for d in col.decks.all_names_and_ids()) == names
    assert imported_record(col, "zdl")["decks"] == record["decks"]


def test_the_shipped_state_is_canonical_json_named_by_its_bytes(col: Any) -> None:
    import hashlib

    from learnplan.collection.shipped import load_shipped, save_record
    from learnplan.progress.entries import canonical

    state: dict[str, list[Any]] = {"b": ["f2"], "a": ["f1", ["étude", "数学"]]}
    save_record(col, make_plan(), 1000.0, {}, state)
    record = imported_record(col, "zdl")
    content = (Path(col.media.dir()) / record["state"]).read_bytes()
    assert content == canonical({"plan": "zdl", "notes": state}).encode("utf-8")
    assert "étude".encode() in content  # as UTF-8, not escaped
    digest = hashlib.sha256(content).hexdigest()[:12]
    assert record["state"] == f"{STATE_FILE_PREFIX}zdl-{digest}.json"
    assert load_shipped(col, record) == state
    # A state file written before (non-ASCII escaped) is read as it always was.
    old = json.dumps({"plan": "zdl", "notes": state}, sort_keys=True, separators=(",", ":"))
    assert old.isascii()
    name = col.media.write_data(f"{STATE_FILE_PREFIX}zdl-0123456789ab.json", old.encode())
    assert load_shipped(col, {**record, "state": name}) == state
