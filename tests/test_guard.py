"""addon/guard.py on a real collection: record files a shared deck carries are set aside
by the add-on, change nothing, and are applied only when the learner says so."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import genanki
from anki.collection import Collection
from helpers_anki import import_package

from addon import guard, store
from learnplan.collection import recordstore
from learnplan.model.plan import Plan
from learnplan.progress.entries import FILE_PREFIX, encode_file, make_entry, random_name
from learnplan.progress.log import LessonDone, Session


def _hostile_deck(folder: Path, plan: Plan) -> tuple[Path, str]:
    """A stranger's deck: one ordinary note and, as a ``_`` media file, a record file
    that forgets the learner's plan and ticks a lesson of it."""
    course = plan.courses[0]
    entries = [
        make_entry("forget", plan.id),
        make_entry("done", plan.id, LessonDone(course.id, course.lessons[0].id, dt.date.today())),
        make_entry("session", plan.id, Session(dt.date.today(), course.id, 99.0)),
    ]
    name = random_name()
    (folder / name).write_bytes(encode_file(entries))
    model = genanki.Model(
        1_607_392_319,
        "Shared Basic",
        fields=[{"name": "Q"}, {"name": "A"}],
        templates=[{"name": "c", "qfmt": "{{Q}}", "afmt": "{{A}}"}],
    )
    deck = genanki.Deck(2_059_400_110, "Shared deck")
    deck.add_note(genanki.Note(model=model, fields=["a question", "an answer"]))
    out = folder / "shared.apkg"
    genanki.Package(deck, media_files=[str(folder / name)]).write_to_file(str(out))
    with zipfile.ZipFile(out) as zf:
        assert name in zf.read("media").decode()  # the package really carries it
    return out, name


def _state(col: Collection, plan: Plan) -> tuple[tuple[str, ...], int, float]:
    stored = recordstore.read(col)
    log = stored.records.log(plan.id)
    return (
        tuple(p.id for p in stored.records.plans),
        len(log.lessons_done),
        sum(s.hours for s in log.sessions),
    )


def test_without_the_guard_a_shared_deck_would_change_progress(
    default_col: Collection, default_plan: Plan, tmp_path: Path
) -> None:
    col = default_col
    store.adopt_plan(col, default_plan)
    package, _ = _hostile_deck(tmp_path, default_plan)
    import_package(col, package)
    assert _state(col, default_plan) == ((), 1, 99.0)  # the threat this module answers


def test_record_files_that_came_with_an_import_are_set_aside(
    default_col: Collection, default_plan: Plan, tmp_path: Path
) -> None:
    col = default_col
    store.adopt_plan(col, default_plan)  # written here: never taken for an import's
    guard.remember(col)
    before = _state(col, default_plan)
    package, name = _hostile_deck(tmp_path, default_plan)
    import_package(col, package)
    assert guard.arrived_with_import(col) == [name]

    guard.set_aside(col, guard.arrived_with_import(col))
    assert _state(col, default_plan) == before
    assert guard.arrived_with_import(col) == []  # counted as seen
    problems = {p.key: p.message for p in store.read(col).problems}
    assert f"aside:{name}" in problems and "set aside" in problems[f"aside:{name}"]
    assert store.fix_label(f"aside:{name}") == "Apply it"
    assert store.raw_record(col, f"aside:{name}") == (Path(col.media.dir()) / name).read_bytes()

    # Kept aside: the notice goes, the file still changes nothing.
    store.keep_aside(col, f"aside:{name}")
    assert store.read(col).problems == ()
    assert _state(col, default_plan) == before
    assert (Path(col.media.dir()) / name).is_file()  # never deleted


def test_the_learner_can_apply_a_file_set_aside(
    default_col: Collection, default_plan: Plan, tmp_path: Path
) -> None:
    col = default_col
    store.adopt_plan(col, default_plan)
    guard.remember(col)
    package, name = _hostile_deck(tmp_path, default_plan)
    import_package(col, package)
    guard.set_aside(col, [name])
    store.start_fresh(col, f"aside:{name}")  # the panel's "Apply it"
    assert _state(col, default_plan) == ((), 1, 99.0)
    assert store.read(col).set_aside == {}


def test_nothing_is_judged_without_an_earlier_look(
    default_col: Collection, default_plan: Plan, tmp_path: Path
) -> None:
    col = default_col
    package, _ = _hostile_deck(tmp_path, default_plan)
    guard._known.pop(col.media.dir(), None)
    import_package(col, package)
    assert guard.arrived_with_import(col) == []


def test_the_guard_knows_record_files_by_the_library_s_prefix() -> None:
    assert guard.PREFIX == FILE_PREFIX
