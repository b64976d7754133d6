"""learnplan.progress.entries, .records and .migration without Anki: the entry format, the
fold and its order independence, log changes as entries, and moving the old config layout."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from itertools import count

import pytest
from old_layout import old_config
from old_layout import plan as old_layout_plan

from learnplan.model.plan import plan_to_dict
from learnplan.progress import entries as ent
from learnplan.progress import migration
from learnplan.progress import records as rec
from learnplan.progress.log import (
    CostPaid,
    PercentDone,
    ProgressLog,
    Revision,
    Session,
    add_cost,
    add_revision,
    add_session,
    mark_lesson_done,
    set_percent,
    unmark_lesson_done,
)
from learnplan.progress.log_json import log_to_json

DAY = dt.date(2019, 5, 20)


_plan = old_layout_plan  # the same two-course plan as the old config records


class FakeClock(ent.Clock):
    """A device's clock: ms from a start, one tick per entry (no real time involved)."""

    def __init__(self, start_ms: int) -> None:
        ticks = count(start_ms)
        super().__init__(now=lambda: next(ticks) / 1000)


def _entry(op: str, plan: str | None, value: object, at: int) -> ent.Entry:
    return dataclasses.replace(ent.make_entry(op, plan, value), at=at)


def test_entry_round_trips_through_a_file() -> None:
    entries = [
        ent.make_entry("adopt", "p1", _plan()),
        ent.make_entry("current", "p1"),
        ent.make_entry(
            "done", "p1", mark_lesson_done(ProgressLog("p1"), "c1", "l1", DAY).lessons_done[0]
        ),
        ent.make_entry("undone", "p1", ("c1", "l1")),
        ent.make_entry("session", "p1", Session(DAY, "c1", 2.5, lesson="l1", note="video")),
        ent.make_entry("cost", "p1", CostPaid(DAY, "c2", 45.0)),
        ent.make_entry("revision", "p1", Revision(DAY, "c2", "less", fte=1.0)),
        ent.make_entry("percent", "p1", PercentDone("c2", DAY, 30.0)),
        ent.make_entry("imported", "p1", {"built_at": 1.5, "decks": {"c1": 12}, "state": "x"}),
        ent.make_entry("forget", "p1"),
        ent.retract(["a" * 32]),
        ent.make_entry("dismiss", None, "file:_learnplan-rec-" + "b" * 32 + ".json"),
    ]
    content = ent.encode_file(entries)
    data = json.loads(content)
    assert data["format"] == "learnplan-records" and data["version"] == 1
    back = ent.decode_file("x.json", content)
    assert back.errors == ()
    assert back.entries == tuple(entries)
    assert ent.content_name(content) == ent.content_name(ent.encode_file(back.entries))
    assert ent.FILE_RE.match(ent.random_name()) and ent.FILE_RE.match(ent.content_name(content))
    # A plan manifest's name never looks like a record file, whatever the plan id.
    assert not ent.FILE_RE.match("_learnplan-rec-0123456789ab.json")


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"id": "xyz", "at": 1, "op": "current", "plan": "p"}, "id"),
        ({"id": "a" * 32, "at": -1, "op": "current", "plan": "p"}, "at"),
        ({"id": "a" * 32, "at": True, "op": "current", "plan": "p"}, "at"),
        ({"id": "a" * 32, "at": 1, "op": "delete-everything", "plan": "p"}, "unknown operation"),
        ({"id": "a" * 32, "at": 1, "op": "current"}, "plan"),
        ({"id": "a" * 32, "at": 1, "op": "retract", "plan": "p", "data": {"entries": []}}, "plan"),
        ({"id": "a" * 32, "at": 1, "op": "done", "plan": "p", "data": {"course": "c"}}, "data"),
        ({"id": "a" * 32, "at": 1, "op": "session", "plan": "p", "data": {"hours": -1}}, "data"),
        ({"id": "a" * 32, "at": 1, "op": "adopt", "plan": "p", "data": {"title": "x"}}, "plan"),
        ({"id": "a" * 32, "at": 1, "op": "retract", "data": {"entries": ["nope"]}}, "entries"),
        (
            {"id": "a" * 32, "at": 1, "op": "adopt", "plan": "p", "data": plan_to_dict(_plan())},
            "the plan is 'p1', not 'p'",
        ),
        (
            {"id": "a" * 32, "at": 1, "op": "adopt", "plan": "", "data": plan_to_dict(_plan())},
            "plan",
        ),
    ],
)
def test_bad_entries_are_named_and_skipped(item: dict[str, object], message: str) -> None:
    good = ent.make_entry("current", "p1")
    content = json.dumps(
        {"format": ent.FORMAT, "version": 1, "entries": [item, good.to_json()]}
    ).encode()
    got = ent.decode_file("f.json", content)
    assert got.entries == (good,)
    [error] = got.errors
    assert error.startswith("entries[0]") and message in error


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b'{"format": "learnplan-manifest"}', "not a Learning Plan record file"),
        (b'{"format": "learnplan-records", "version": "1", "entries": []}', "version"),
        (b'{"format": "learnplan-records", "version": 1, "entries": {}}', "entries"),
    ],
)
def test_a_file_that_is_not_a_record_file(content: bytes, message: str) -> None:
    with pytest.raises(ent.RecordError, match=message):
        ent.decode_file("f.json", content)


def test_numbers_json_cannot_hold_are_refused_both_ways() -> None:
    plan = plan_to_dict(_plan())
    plan["weeks"] = "Infinity"
    entry = ent.make_entry("current", "p1").to_json() | {"op": "adopt", "data": plan}
    text = json.dumps({"format": ent.FORMAT, "version": 1, "entries": [entry]})
    with pytest.raises(ent.RecordError, match="not valid JSON"):
        ent.decode_file("f.json", text.replace('"Infinity"', "Infinity").encode())
    with pytest.raises(ValueError):
        ent.make_entry("session", "p1", Session(DAY, "c1", float("nan")))


def test_a_plan_no_reader_can_use_is_an_entry_error_never_a_crash() -> None:
    # 1e400 reads as an infinite float (OverflowError in int()), the others as wrong types.
    for weeks in ("1e400", "[1, 1, 1]", '{"a": 1}', '"twelve"'):
        plan = plan_to_dict(_plan())
        plan["weeks"] = "WEEKS"
        entry = ent.make_entry("current", "p1").to_json() | {"op": "adopt", "data": plan}
        content = json.dumps({"format": ent.FORMAT, "version": 1, "entries": [entry]})
        got = ent.decode_file("f.json", content.replace('"WEEKS"', weeks).encode())
        assert got.entries == () and "entries[0]" in got.errors[0]


def test_a_newer_file_is_not_guessed_at() -> None:
    with pytest.raises(ent.NewerRecord, match="newer Learning Plan"):
        ent.decode_file("f.json", b'{"format": "learnplan-records", "version": 2}')


# --- the fold


def test_latest_tick_or_untick_wins_and_a_second_tick_keeps_the_first_date() -> None:
    later = DAY + dt.timedelta(days=3)
    done = [
        _entry("done", "p1", mark_lesson_done(ProgressLog("p1"), "c1", "l1", d).lessons_done[0], at)
        for d, at in ((DAY, 10), (later, 20))
    ]
    undone = _entry("undone", "p1", ("c1", "l1"), 15)
    # done(DAY) at 10, undone at 15, done(later) at 20: ticked on the later day
    assert rec.fold([*done, undone]).log("p1").lessons_done[0].date == later
    # without the untick the second tick keeps the first day
    assert rec.fold(done).log("p1").lessons_done[0].date == DAY
    # an untick after both wins
    assert rec.fold([*done, dataclasses.replace(undone, at=30)]).log("p1").lessons_done == ()


def test_retraction_is_final_wherever_it_is() -> None:
    session = _entry("session", "p1", Session(DAY, "c1", 1.0), 10)
    back = dataclasses.replace(ent.retract([session.id]), at=5)  # even "before" it
    assert rec.fold([session, back]).log("p1").sessions == ()
    undo_back = ent.retract([back.id])  # a retraction is never taken back
    assert rec.fold([session, back, undo_back]).log("p1").sessions == ()


def test_plans_adopt_forget_and_current() -> None:
    p1, p2 = _plan("p1"), _plan("p2", "Two")
    entries = [
        _entry("adopt", "p1", p1, 1),
        _entry("adopt", "p2", p2, 2),
        _entry("current", "p1", None, 3),
    ]
    state = rec.fold(entries)
    assert [p.id for p in state.plans] == ["p1", "p2"] and state.current == "p1"
    state = rec.fold([*entries, _entry("forget", "p1", None, 4)])
    assert [p.id for p in state.plans] == ["p2"] and state.current == "p2"
    renamed = dataclasses.replace(p1, title="New title")
    state = rec.fold([*entries, _entry("forget", "p1", None, 4), _entry("adopt", "p1", renamed, 5)])
    assert state.current == "p1" and state.current_plan == renamed
    assert [p.id for p in state.plans] == ["p1", "p2"]  # in order of first adoption


def test_a_file_set_aside_counts_for_nothing_until_released() -> None:
    ours = ent.random_name()
    shared = ent.random_name()  # came with someone's deck
    session = _entry("session", "p1", Session(DAY, "c1", 1.0), 10)
    forged = [
        _entry("forget", "p1", None, 99),
        _entry("session", "p1", Session(DAY, "c1", 9.0), 99),
    ]
    adopt = _entry("adopt", "p1", _plan(), 1)
    files = {ours: [adopt, session], shared: forged}
    assert [p.id for p in rec.fold(rec.counted_entries(files).entries).plans] == []

    aside = _entry("set_aside", None, shared, 20)
    counted = rec.counted_entries({**files, ours: [adopt, session, aside]})
    assert counted.set_aside == {shared: aside.id}
    state = rec.fold(counted.entries)
    assert [p.id for p in state.plans] == ["p1"]
    assert [s.hours for s in state.log("p1").sessions] == [1.0]

    # The set-aside file cannot release itself (it would need the set_aside entry's id);
    # the learner's retraction of that entry applies it.
    release = ent.retract([aside.id])
    counted = rec.counted_entries({**files, ours: [adopt, session, aside, release]})
    assert counted.set_aside == {}
    assert [p.id for p in rec.fold(counted.entries).plans] == []


def test_set_aside_is_the_same_in_any_order() -> None:
    names = [ent.random_name() for _ in range(3)]
    aside = _entry("set_aside", None, names[2], 5)
    files = {
        names[0]: [_entry("adopt", "p1", _plan(), 1), aside],
        names[1]: [_entry("session", "p1", Session(DAY, "c1", 2.0), 3)],
        names[2]: [_entry("session", "p1", Session(DAY, "c1", 7.0), 4)],
    }
    first = rec.fold(rec.counted_entries(files).entries)
    again = rec.fold(rec.counted_entries(dict(reversed(list(files.items())))).entries)
    assert first == again
    assert [s.hours for s in first.log("p1").sessions] == [2.0]


def test_same_id_twice_counts_once() -> None:
    session = _entry("session", "p1", Session(DAY, "c1", 1.0), 10)
    assert len(rec.fold([session, session]).log("p1").sessions) == 1
    other = dataclasses.replace(session, value=Session(DAY, "c1", 9.0))
    # Two different entries under one id: the same winner on every device.
    assert rec.fold([session, other]) == rec.fold([other, session])


def _change(kind: str, log: ProgressLog, rng: random.Random) -> ProgressLog:
    """One change of a log as the panel or the CLI would make it."""
    lesson = f"l{rng.randrange(1, 6)}"
    day = DAY + dt.timedelta(days=rng.randrange(5))
    if kind == "tick":
        return mark_lesson_done(log, "c1", lesson, day)
    if kind == "untick":
        return unmark_lesson_done(log, "c1", lesson)
    if kind == "session":
        return add_session(log, Session(day, "c1", rng.choice([1.0, 2.5])))
    if kind == "drop-session":
        return dataclasses.replace(log, sessions=log.sessions[1:])
    if kind == "cost":
        return add_cost(log, CostPaid(day, "c2", 10.0))
    if kind == "drop-cost":
        return dataclasses.replace(log, costs=log.costs[:-1])
    if kind == "rev":
        return add_revision(log, Revision(day, "c2", "", fte=rng.choice([1.0, 2.0])))
    if kind == "weeks":
        return add_revision(log, Revision(day, "c2", "r", start_week=2))
    if kind == "pct":
        return set_percent(log, "c2", day, float(rng.randrange(101)))
    return log


def _random_history(rng: random.Random, devices: int = 3, steps: int = 60) -> list[ent.Entry]:
    """Entries as devices would write them: each applies changes to what it knows."""
    plan = _plan()
    clocks = [FakeClock(1_000_000 + 7 * d) for d in range(devices)]
    known: list[list[ent.Entry]] = [[] for _ in range(devices)]
    everything: list[ent.Entry] = []
    for _ in range(steps):
        d = rng.randrange(devices)
        if rng.random() < 0.2:  # a sync: this device learns another one's entries
            other = rng.randrange(devices)
            merged = {e.id: e for e in known[d] + known[other]}
            known[d] = known[other] = list(merged.values())
            continue
        state = rec.fold(known[d])
        log = state.log("p1")
        clock = clocks[d]
        kind = rng.choice(["adopt", "tick", "untick", "session", "cost", "rev", "pct", "undo"])
        new: list[ent.Entry] = []
        if kind == "adopt":
            new = [ent.make_entry("adopt", "p1", plan, clock=clock)]
        elif kind == "undo" and known[d]:
            new = [ent.retract([rng.choice(known[d]).id], clock=clock)]
        else:
            changed = _change(kind, log, rng)
            new = rec.log_entries(state, "p1", changed, clock=clock)
        known[d] += new
        everything += new
    return everything


@pytest.mark.parametrize("seed", range(12))
def test_fold_is_the_same_in_any_order_and_any_split(seed: int) -> None:
    rng = random.Random(seed)
    entries = _random_history(rng)
    expected = rec.fold(entries)
    for _ in range(5):
        shuffled = entries[:]
        rng.shuffle(shuffled)
        # Devices hold overlapping subsets; their union (in any order) is the same state.
        cut_a, cut_b = sorted(rng.sample(range(len(shuffled) + 1), 2))
        devices = [shuffled[:cut_b], shuffled[cut_a:], shuffled[: cut_a // 2] + shuffled[cut_a:]]
        union = [e for device in devices for e in device]
        assert rec.fold(union) == expected
        assert rec.fold(list(reversed(shuffled))) == expected


@pytest.mark.parametrize("seed", range(8))
def test_log_entries_turn_a_log_into_the_changed_log(seed: int) -> None:
    rng = random.Random(100 + seed)
    clock = FakeClock(10_000)
    entries: list[ent.Entry] = []
    for _ in range(40):
        state = rec.fold(entries)
        log = state.log("p1")
        kind = rng.choice(
            ["tick", "untick", "session", "drop-session", "cost", "drop-cost", "pct", "weeks"]
        )
        wanted = _change(kind, log, rng)
        entries += rec.log_entries(state, "p1", wanted, clock=clock)
        got = rec.fold(entries).log("p1")
        assert {(d.course, d.lesson, d.date) for d in got.lessons_done} == {
            (d.course, d.lesson, d.date) for d in wanted.lessons_done
        }
        for name in ("sessions", "costs", "revisions", "percents"):
            assert sorted(map(repr, getattr(got, name))) == sorted(map(repr, getattr(wanted, name)))


def test_a_change_on_each_device_is_a_union_after_sync() -> None:
    base = [ent.make_entry("adopt", "p1", _plan(), clock=FakeClock(1))]
    state = rec.fold(base)
    a = rec.log_entries(
        state, "p1", add_session(state.log("p1"), Session(DAY, "c1", 1.0)), clock=FakeClock(50)
    )
    b = rec.log_entries(
        state, "p1", add_session(state.log("p1"), Session(DAY, "c2", 2.0)), clock=FakeClock(60)
    )
    merged = rec.fold(base + a + b).log("p1")
    assert sorted(s.course for s in merged.sessions) == ["c1", "c2"]


def test_the_same_course_re_allocated_on_two_devices_keeps_both_in_order() -> None:
    state = rec.fold([ent.make_entry("adopt", "p1", _plan(), clock=FakeClock(1))])
    one = Revision(DAY, "c2", "phone", fte=1.0)
    two = Revision(DAY, "c2", "desktop", fte=0.5)
    a = rec.log_entries(state, "p1", add_revision(state.log("p1"), one), clock=FakeClock(50))
    b = rec.log_entries(state, "p1", add_revision(state.log("p1"), two), clock=FakeClock(60))
    from learnplan.progress.log import apply_revisions

    for entries in (a + b, b + a):
        log = rec.fold(entries).log("p1")
        assert [r.reason for r in log.revisions] == ["phone", "desktop"]  # by time written
        assert apply_revisions(_plan(), log).course("c2").fte == 0.5  # type: ignore[union-attr]


# --- the old config layout


def test_migration_holds_everything_and_ids_come_from_content() -> None:
    config = old_config()
    moved = migration.migrate_config(config)
    assert moved.damaged == ()
    assert set(moved.moved) == set(config)
    state = rec.fold(moved.entries)
    assert [p.id for p in state.plans] == ["p1", "p2"] and state.current == "p1"
    assert log_to_json(state.log("p1")) == config["learnplan.log.p1"]
    assert state.imported["p1"] == config["learnplan.imported.p1"]
    again = migration.migrate_config(config)
    assert again.entries == moved.entries  # the same ids and times: nothing new
    assert max(e.at for e in moved.entries) < 1000  # before anything a device writes


def test_migration_again_after_a_change_since_keeps_the_change() -> None:
    moved = migration.migrate_config(old_config()).entries
    state = rec.fold(moved)
    untick = rec.log_entries(
        state, "p1", unmark_lesson_done(state.log("p1"), "c1", "l1"), clock=FakeClock(10**12)
    )
    # An older device's config sync brings the keys back: moved again, same ids.
    back = rec.fold([*moved, *untick, *migration.migrate_config(old_config()).entries])
    assert [d.lesson for d in back.log("p1").lessons_done] == ["l2"]
    assert len(back.log("p1").sessions) == 2


def test_migration_leaves_damage_and_what_depends_on_it() -> None:
    config = old_config()
    config["learnplan.plan.p2"] = {"id": "p2", "title": "no start"}
    config["learnplan.log.p3"] = {"version": 7, "plan": "p3"}
    config["learnplan.imported.p2"] = "not a record"
    moved = migration.migrate_config(config)
    assert {d.key for d in moved.damaged} == {
        "learnplan.plan.p2",
        "learnplan.log.p3",
        "learnplan.imported.p2",
    }
    # The index lists the damaged plan: it stays until that plan is dealt with.
    assert "learnplan.plans" not in moved.moved
    assert "learnplan.plan.p1" in moved.moved and "learnplan.log.p1" in moved.moved
    assert [p.id for p in rec.fold(moved.entries).plans] == ["p1"]


def test_plans_not_in_the_index_stay_unfollowed() -> None:
    config = old_config()
    config["learnplan.plans"] = {"version": 1, "plans": ["p1"], "current": "p1"}
    state = rec.fold(migration.migrate_config(config).entries)
    assert [p.id for p in state.plans] == ["p1"]
