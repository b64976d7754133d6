from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from learnplan.model.plan import Course, Plan
from learnplan.progress.log import (
    CostPaid,
    LessonDone,
    PercentDone,
    ProgressLog,
    Revision,
    Session,
    add_cost,
    add_revision,
    add_session,
    apply_revisions,
    mark_lesson_done,
    set_percent,
    unmark_lesson_done,
)
from learnplan.progress.log_fields import LogError
from learnplan.progress.log_file import load_log, save_log
from learnplan.progress.log_json import LOG_VERSION, log_from_json, log_to_json

D = dt.date(2026, 1, 5)


def full_log() -> ProgressLog:
    log = ProgressLog("dl")
    log = mark_lesson_done(log, "fastai", "l1", D)
    log = mark_lesson_done(log, "fastai", "l2", D + dt.timedelta(days=3))
    log = add_session(log, Session(D, "fastai", 2.5, lesson="l1", note="lecture + notebook"))
    log = add_session(log, Session(D, "kun", 1.0))
    log = add_cost(log, CostPaid(D, "gpu", 12.5))
    log = add_revision(log, Revision(D, "fastai", reason="too much", fte=1.0, end_week=8))
    log = set_percent(log, "kun", D, 40)
    return log


def test_round_trip_through_json_text() -> None:
    log = full_log()
    data = json.loads(json.dumps(log_to_json(log)))
    assert data["version"] == LOG_VERSION
    assert log_from_json(data) == log


def test_json_is_compact() -> None:
    data = log_to_json(full_log())
    assert data["lessons_done"][0] == ["fastai", "l1", "2026-01-05"]
    # defaults are left out: a session with no lesson/note has only three keys
    assert data["sessions"][1] == {"date": "2026-01-05", "course": "kun", "hours": 1.0}
    assert "start_week" not in data["revisions"][0]
    assert log_to_json(ProgressLog("dl")) == {"version": LOG_VERSION, "plan": "dl"}


def test_updaters_are_pure_and_idempotent() -> None:
    empty = ProgressLog("dl")
    once = mark_lesson_done(empty, "c", "l", D)
    assert empty.lessons_done == ()
    # ticking again keeps the first date
    again = mark_lesson_done(once, "c", "l", D + dt.timedelta(days=9))
    assert again.lessons_done == (LessonDone("c", "l", D),)
    assert unmark_lesson_done(again, "c", "l").lessons_done == ()
    # a second percentage the same day replaces the first; another day adds an entry
    p = set_percent(set_percent(empty, "c", D, 10), "c", D, 30)
    assert p.percents == (PercentDone("c", D, 30.0),)
    p = set_percent(p, "c", D + dt.timedelta(days=1), 50)
    assert len(p.percents) == 2


def test_updaters_reject_bad_values() -> None:
    log = ProgressLog("dl")
    with pytest.raises(LogError, match="hours"):
        add_session(log, Session(D, "c", -1.0))
    with pytest.raises(LogError, match="percent"):
        set_percent(log, "c", D, 120)
    with pytest.raises(LogError, match="before start_week"):
        add_revision(log, Revision(D, "c", start_week=5, end_week=2))
    with pytest.raises(LogError, match="amount"):
        add_cost(log, CostPaid(D, "gpu", float("nan")))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a JSON object"),
        ({"version": 1}, "plan: expected the plan id"),
        ({"version": 1, "plan": "dl", "sessions": {}}, "sessions: expected a list"),
        (
            {"version": 1, "plan": "dl", "sessions": [{"date": "2026-13-01", "course": "c"}]},
            r"sessions\[0\]\.date: expected a date",
        ),
        (
            {
                "version": 1,
                "plan": "dl",
                "sessions": [{"date": "2026-01-01", "course": "c", "hours": "3"}],
            },
            r"sessions\[0\]\.hours: expected a number",
        ),
        (
            {"version": 1, "plan": "dl", "lessons_done": [["c", "l"]]},
            r"lessons_done\[0\]: expected \[course, lesson, date\]",
        ),
        (
            {
                "version": 1,
                "plan": "dl",
                "percents": [{"course": "c", "date": "2026-01-01", "percent": 101}],
            },
            r"percents\[0\]\.percent: must be between 0 and 100",
        ),
        (
            {
                "version": 1,
                "plan": "dl",
                "revisions": [{"date": "2026-01-01", "course": "c", "start_week": 0}],
            },
            r"revisions\[0\]\.start_week: expected a week number",
        ),
        ({"version": "1", "plan": "dl"}, "version: expected a whole number"),
    ],
)
def test_damaged_data_names_the_field(data: object, message: str) -> None:
    with pytest.raises(LogError, match=message):
        log_from_json(data)


def test_newer_version_is_refused_with_a_clear_message() -> None:
    with pytest.raises(LogError) as info:
        log_from_json({"version": LOG_VERSION + 1, "plan": "dl"})
    text = str(info.value)
    assert f"version {LOG_VERSION + 1}" in text
    assert "newer learnplan" in text


def test_v0_log_is_migrated() -> None:
    # v0: no "version" key, "plan_id", lessons as {"course/lesson": date}
    v0 = {
        "plan_id": "dl",
        "lessons_done": {"fastai/l1": "2026-01-05", "fastai/l2": "2026-01-08"},
        "sessions": [{"date": "2026-01-05", "course": "fastai", "hours": 2}],
    }
    log = log_from_json(v0)
    assert log.plan_id == "dl"
    assert log.lessons_done == (
        LessonDone("fastai", "l1", D),
        LessonDone("fastai", "l2", dt.date(2026, 1, 8)),
    )
    assert log.sessions == (Session(D, "fastai", 2.0),)
    # explicit version 0 reads the same
    assert log_from_json({**v0, "version": 0}) == log
    # and it is written back as the current version
    assert log_to_json(log)["version"] == LOG_VERSION


def test_v0_with_a_malformed_lesson_key() -> None:
    with pytest.raises(LogError, match="not 'course/lesson'"):
        log_from_json({"plan_id": "dl", "lessons_done": {"fastai-l1": "2026-01-05"}})


def test_save_and_load_file(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    log = full_log()
    save_log(log, path)
    assert load_log(path) == log
    assert [p.name for p in tmp_path.iterdir()] == ["progress.json"]  # no temp file left
    later = mark_lesson_done(log, "fastai", "l3", D)
    save_log(later, path)
    assert load_log(path) == later


def test_load_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(LogError, match="no progress log"):
        load_log(path)
    assert load_log(path, default=ProgressLog("dl")) == ProgressLog("dl")


def test_load_damaged_file_gives_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_text('{"version": 1,\n "plan": "dl",\n oops}\n', encoding="utf-8")
    with pytest.raises(LogError, match=r"progress\.json:3: the progress log is not valid JSON"):
        load_log(path)


def test_save_refuses_to_overwrite_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    damaged = '{"version": 1, "plan": "dl", "sessions": [{"hours": "lots"'
    path.write_text(damaged, encoding="utf-8")
    with pytest.raises(LogError):
        save_log(full_log(), path)
    assert path.read_text(encoding="utf-8") == damaged
    save_log(full_log(), path, force=True)
    assert load_log(path) == full_log()


def test_save_refuses_another_plans_file(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    save_log(ProgressLog("other-plan"), path)
    with pytest.raises(LogError, match="other-plan"):
        save_log(full_log(), path)
    assert load_log(path).plan_id == "other-plan"


def test_apply_revisions_in_date_order() -> None:
    plan = Plan(
        id="dl",
        title="DL",
        start=D,
        courses=(Course("a", "P", "A", 1.5), Course("b", "P", "B", 0.5, start_week=3)),
    )
    log = ProgressLog("dl")
    # logged out of order: the later-dated revision must win
    log = add_revision(log, Revision(D + dt.timedelta(days=20), "a", fte=0.8))
    log = add_revision(log, Revision(D + dt.timedelta(days=10), "a", fte=1.0, end_week=6))
    log = add_revision(log, Revision(D, "gone", fte=9.0))  # course no longer in the plan
    log = add_revision(log, Revision(D + dt.timedelta(days=5), "b", end_week=10))

    now = apply_revisions(plan, log)
    a, b = now.courses
    assert (a.fte, a.end_week) == (0.8, 6)
    assert (b.fte, b.start_week, b.end_week) == (0.5, 3, 10)
    assert now.total_fte == 1.3

    then = apply_revisions(plan, log, as_of=D + dt.timedelta(days=10))
    assert then.courses[0].fte == 1.0
    assert apply_revisions(plan, log, as_of=D - dt.timedelta(days=1)) == plan
    assert plan.courses[0].fte == 1.5  # the original is untouched


# --- entries naming what the plan does not have: never dropped in silence


def _two_course_plan() -> Plan:
    from learnplan.model.plan import Lesson

    return Plan(
        id="dl",
        title="DL",
        start=D,
        courses=(
            Course(id="fastai", provider="F", title="F", fte=1.0, lessons=(Lesson("l1", "L1"),)),
            Course(id="kun", provider="K", title="K", fte=0.5),
        ),
    )


def test_unknown_courses_and_lessons_are_named() -> None:
    from learnplan.progress.log_file import unknown_references

    plan = _two_course_plan()
    (l2,) = unknown_references(plan, full_log())  # full_log ticks l1 and l2
    assert l2.location == ("lessons_done", 1)
    log = mark_lesson_done(ProgressLog("dl"), "fastai", "l9", D)
    log = add_session(log, Session(D, "nope", 2.0))
    log = add_session(log, Session(D, "fastai", 1.0, lesson="l7"))
    log = add_revision(log, Revision(D, "gone", fte=0.1))
    log = set_percent(log, "gone", D, 10)
    log = add_cost(log, CostPaid(D, "a book", 20))  # free text: fine
    issues = unknown_references(plan, log)
    assert [i.location for i in issues] == [
        ("lessons_done", 0),
        ("sessions", 0),
        ("sessions", 1),
        ("revisions", 0),
        ("percents", 0),
    ]
    assert issues[0].message == (
        "lesson done on 2026-01-05: no lesson 'l9' in course 'fastai' (its lessons: l1)"
    )
    assert issues[1].message == (
        "2 h studied on 2026-01-05: no course 'nope' in plan 'dl' (its courses: fastai, kun)"
    )


def test_a_log_file_with_unknown_entries_is_refused_at_their_lines(tmp_path: Path) -> None:
    from learnplan.base.errors import PlanError

    path = tmp_path / "progress.json"
    path.write_text(
        '{"version": 1, "plan": "dl",\n'
        ' "lessons_done": [\n'
        '   ["fastai", "l1", "2026-01-05"],\n'
        '   ["fastai", "l2", "2026-01-06"]],\n'
        ' "sessions": [\n'
        '   {"date": "2026-01-05", "course": "kun", "hours": 1},\n'
        '   {"date": "2026-01-06", "course": "fast-ai", "hours": 2}\n'
        " ]}\n",
        encoding="utf-8",
    )
    plan = _two_course_plan()
    assert load_log(path).plan_id == "dl"  # without the plan: read as it is
    with pytest.raises(PlanError) as info:
        load_log(path, plan=plan)
    assert isinstance(info.value, LogError)
    assert str(info.value).splitlines() == [
        f"{path}:4: lessons_done[1]: lesson done on 2026-01-06: no lesson 'l2' in course "
        "'fastai' (its lessons: l1); fix the id or remove the entry",
        f"{path}:7: sessions[1]: 2 h studied on 2026-01-06: no course 'fast-ai' in plan 'dl' "
        "(its courses: fastai, kun); fix the id or remove the entry",
    ]


def test_log_file_problems_point_at_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_text(
        '{"version": 1,\n "plan": "dl",\n "costs": [\n  {"date": "2026-01-05", "item": "x",'
        ' "amount": 1},\n  {"date": "someday", "item": "y", "amount": 2}]}\n',
        encoding="utf-8",
    )
    with pytest.raises(LogError) as info:
        load_log(path)
    assert str(info.value) == (
        f"{path}:5: costs[1].date: expected a date like 2026-01-31, got 'someday'"
    )
    path.write_text('{"version": 1,\n "plan": "other"}\n', encoding="utf-8")
    with pytest.raises(LogError) as info:
        load_log(path, plan=_two_course_plan())
    assert str(info.value) == f"{path}:2: this log is for plan 'other', not 'dl'"
