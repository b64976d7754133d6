"""learnplan.model.rules: one set of plan rules on every route a plan comes by.

Each value is tried on two routes: an outline file (load_plan, reported at its line) and
the dict form (plan_from_dict: the manifest of a shared package, a record in a
collection, reported at its JSON location). Both must refuse it with the same message.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import io
import json
import math
import re
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from helpers_yaml import yaml_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnplan import cli
from learnplan.base.errors import PlanError
from learnplan.building.manifest import encode_manifest, parse_manifest
from learnplan.model import limits, rules
from learnplan.model.dictform import location_text, plan_from_dict
from learnplan.model.plan import Card, Course, Lesson, Plan, Resource, plan_to_dict
from learnplan.reading import outline
from learnplan.reading.outline import load_plan

LINE = re.compile(r"^(.+):(\d+): (\S.*)$")

BASE: dict[str, Any] = {
    "id": "p",
    "title": "Test plan",
    "start": "2020-01-06",
    "courses": [
        {
            "id": "c1",
            "title": "Course one",
            "fte": 1,
            "lessons": [{"id": "l1", "title": "Lesson one"}],
        }
    ],
    "resources": [{"id": "gpu", "title": "GPU", "cost": 300}],
}


# --- writing the same data as an outline


def as_outline(data: dict[str, Any]) -> dict[str, Any]:
    """The dict form laid out as an outline: settings under ``plan:``, no derived keys."""

    def clean(mapping: dict[str, Any], drop: tuple[str, ...] = ()) -> dict[str, Any]:
        return {k: v for k, v in mapping.items() if v is not None and k not in drop}

    settings = {k: v for k, v in data.items() if k not in ("courses", "resources")}
    out: dict[str, Any] = {"plan": clean(settings)}
    if "courses" in data:
        out["courses"] = [
            {
                **clean(c, ("tag", "deck", "card_count", "lessons")),
                **({"lessons": [clean(x) for x in c["lessons"]]} if c.get("lessons") else {}),
            }
            if isinstance(c, dict)
            else c
            for c in data["courses"]
        ]
    if data.get("resources"):
        out["resources"] = [clean(r) for r in data["resources"]]
    return out


def write_outline(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / "plan.yaml"
    path.write_text(yaml_text(as_outline(data)) + "\n", encoding="utf-8")
    return path


def messages(exc: PlanError) -> list[str]:
    """The messages, without where they are (``path:line:`` and a JSON location)."""
    out = []
    for row in str(exc).splitlines():
        match = LINE.match(row)
        assert match, row
        out.append(re.sub(r"^[\w.\[\]]+: ", "", match.group(3), count=1))
    return out


def with_value(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return data


# --- the measured cases: both routes, one message

SLUG_HELP = "is not a slug: use lower-case letters, digits and '-'"

CASES: list[tuple[tuple[str | int, ...], Any, str]] = [
    (("weeks",), -3, "plan weeks must be between 1 and 520, not -3"),
    (("hours_per_point",), 0, "plan hours_per_point must be greater than 0, not 0"),
    (("courses", 0, "fte"), -2, "course 'c1' fte must be 0 or more, not -2"),
    (("weeks",), math.inf, "plan weeks must be a whole number, not inf"),
    (("courses", 0, "fte"), math.nan, "course 'c1' fte must be a finite number, not nan"),
    (("courses", 0, "cost"), -math.inf, "course 'c1' cost must be a finite number, not -inf"),
    (
        ("start",),
        "9999-12-31",
        "plan start 9999-12-31 is outside the days a plan may start on (1970-01-01 to 2999-12-31)",
    ),
    (("start",), "2019-W19-1", "plan start '2019-W19-1' is not a valid date"),
    (
        ("courses", 0, "lessons", 0, "weight"),
        "heavy",
        "lesson 'l1' weight must be a number, not text",
    ),
    (
        ("courses", 0, "start_week"),
        "3",
        "course 'c1' start_week must be a whole number, not text (remove the quotes)",
    ),
    (("courses", 0, "end_week"), 2.5, "course 'c1' end_week must be a whole number, not 2.5"),
    (("title",), "T" * 1000, "plan title is 1,000 characters long; at most 300 are allowed"),
    (("courses", 0, "url"), "u" * 2001, "course 'c1' url is 2,001 characters long"),
    (("id",), "", f"plan id '' {SLUG_HELP}"),
    (("courses", 0, "id"), "", f"course id '' {SLUG_HELP}"),
    # Ids become tags (no spaces, '::' nests) and deck names: only slugs will do.
    (("id",), "zero to dl", f"plan id 'zero to dl' {SLUG_HELP}"),
    (("courses", 0, "id"), "a::b", f"course id 'a::b' {SLUG_HELP}"),
    (("courses", 0, "id"), "Fastai", f"course id 'Fastai' {SLUG_HELP}"),
    (("courses", 0, "id"), "caf\u00e9", f"course id 'café' {SLUG_HELP}"),
    (("courses", 0, "id"), "x" * 65, f"course id {'x' * 40!r}… (65 characters) {SLUG_HELP}"),
    (("courses", 0, "lessons", 0, "id"), "l 1", f"lesson id 'l 1' {SLUG_HELP}"),
    (("resources", 0, "id"), "GPU", f"resource id 'GPU' {SLUG_HELP}"),
    (("courses", 0, "id"), 12, "course id 12 must be text: put it in quotes"),
    (
        ("title",),
        "T\ud800",
        "plan title holds U+D800, a lone surrogate that is not a character",
    ),
    (("courses", 0, "title"), "A\nB", "course 'c1' title holds the control character U+000A"),
    (("courses", 0, "provider"), "MIT\u2028Press", "course 'c1' provider holds the control"),
    (("resources", 0, "url"), "https://x\ty", "resource 'gpu' url holds the control"),
    (
        ("courses", 0, "cost"),
        1e13,
        "course 'c1' cost must be at most 1,000,000,000,000, not 10000000000000.0",
    ),
    (("courses", 0, "fte"), 10**300, "course 'c1' fte must be at most 1,000, not 1e+300"),
    (("weeks",), 10**300, "plan weeks must be between 1 and 520, not 1e+300"),
    (("hours_per_week",), 169, "plan hours_per_week is 169, but a week has 168 hours"),
    (("hours_per_point",), 10_001, "plan hours_per_point must be at most 10,000, not 10001"),
    (("courses", 0, "lessons", 0, "hours"), 2e6, "lesson 'l1' hours must be at most 1,000,000"),
    (("currency",), "usd", "plan currency 'usd' must be a 3-letter code"),
    (("allow_html",), "yes", "plan allow_html must be true or false, not text"),
    (("courses", 0, "title"), ["a"], "course 'c1' title must be text, not a list"),
    (("courses", 0, "start_week"), 13, "course 'c1' start_week 13 is outside the plan's weeks"),
    (("resources", 0, "extra"), 1, "unknown key 'extra' in resource 'gpu'; expected one of"),
]


@pytest.mark.parametrize(("path", "value", "message"), CASES, ids=lambda v: str(v)[:30])
def test_both_routes_refuse_a_value_with_the_same_message(
    tmp_path: Path, path: tuple[str | int, ...], value: Any, message: str
) -> None:
    data = with_value(path, value)
    with pytest.raises(PlanError) as from_dict:
        plan_from_dict(data)
    plan_file = write_outline(tmp_path, data)
    with pytest.raises(PlanError) as from_outline:
        load_plan(plan_file)
    assert messages(from_dict.value) == messages(from_outline.value)
    assert any(m.startswith(message) for m in messages(from_dict.value)), str(from_dict.value)
    # The dict route names the JSON location, the outline route the line of the value.
    where = location_text(path)
    assert f"plan:0: {where}: {message}" in str(from_dict.value) or path[-1] == "extra"
    [found] = [LINE.match(r) for r in str(from_outline.value).splitlines()]
    assert found is not None
    _, line, _ = found.groups()
    lines = plan_file.read_text(encoding="utf-8").splitlines()
    assert json.dumps(path[-1]) in lines[int(line) - 1] or isinstance(path[-1], int)


def test_the_base_plan_is_valid_on_both_routes(tmp_path: Path) -> None:
    plan = plan_from_dict(BASE)
    assert load_plan(write_outline(tmp_path, BASE)) == plan
    assert plan.courses[0].lessons[0].id == "l1" and plan.resources[0].cost == 300


def test_counts_are_limited_on_both_routes(tmp_path: Path) -> None:
    course = BASE["courses"][0]
    many = with_value(("courses",), [{**course, "id": f"c{i}"} for i in range(1001)])
    with pytest.raises(PlanError) as from_dict:
        plan_from_dict(many)
    with pytest.raises(PlanError) as from_outline:
        load_plan(write_outline(tmp_path, many))
    assert messages(from_dict.value) == messages(from_outline.value)
    assert messages(from_dict.value) == ["the plan has 1,001 courses; at most 1,000 are allowed"]

    lessons = [{"id": f"l{i}", "title": "L"} for i in range(1001)]
    with pytest.raises(PlanError, match="course 'c1' has 1,001 lessons; at most 1,000"):
        plan_from_dict(with_value(("courses", 0, "lessons"), lessons))


def test_duplicate_ids_say_where_the_first_one_is(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["courses"][0]["lessons"].append({"id": "l1", "title": "Again"})
    with pytest.raises(PlanError) as from_dict:
        plan_from_dict(data)
    assert str(from_dict.value) == (
        "plan:0: courses[0].lessons[1].id: duplicate lesson id 'l1' in course 'c1' "
        "(first used at courses[0].lessons[0].id); lesson ids must be unique in a course"
    )
    with pytest.raises(PlanError) as from_outline:
        load_plan(write_outline(tmp_path, data))
    assert "duplicate lesson id 'l1' in course 'c1' (first used at line " in str(from_outline.value)


# --- measured cases of the dict route alone (an outline file cannot be this large)


def test_ten_thousand_courses_and_a_50_mb_title_fail_fast() -> None:
    course = BASE["courses"][0]
    with pytest.raises(PlanError, match="the plan has 10,000 courses; at most 1,000"):
        plan_from_dict(with_value(("courses",), [course] * 10_000))
    with pytest.raises(PlanError, match="plan title is 52,428,800 characters long"):
        plan_from_dict(with_value(("title",), "x" * 50 * 2**20))


def test_deep_nesting_is_a_clear_error_without_recursion() -> None:
    deep: list[Any] = []
    for _ in range(200_000):
        deep = [deep]
    with pytest.raises(PlanError) as info:
        plan_from_dict(with_value(("courses",), deep))
    assert str(info.value) == "plan:0: courses[0]: each course must be a mapping, not a list"
    with pytest.raises(PlanError, match="plan title must be text, not a list"):
        plan_from_dict(with_value(("title",), deep))


@pytest.mark.parametrize("data", [None, [], "plan", 12, 1.5, True])
def test_plan_from_dict_refuses_what_is_not_a_mapping(data: Any) -> None:
    with pytest.raises(PlanError) as info:
        plan_from_dict(data)
    assert str(info.value).startswith("plan:0: a plan must be a mapping")
    # Callers written against the old contract catch ValueError: still true.
    assert isinstance(info.value, ValueError)


def test_plan_from_dict_names_its_origin() -> None:
    with pytest.raises(PlanError) as info:
        plan_from_dict(with_value(("weeks",), -3), origin="learnplan.plan.p")
    assert str(info.value) == (
        "learnplan.plan.p:0: weeks: plan weeks must be between 1 and 520, not -3"
    )


def test_nulls_in_the_dict_form_mean_not_set() -> None:
    # plan_to_dict writes null for what is not set; a stored record may leave it out.
    plan = plan_from_dict(with_value(("courses", 0, "url"), None))
    assert plan.courses[0].url is None
    with pytest.raises(PlanError, match="plan is missing the required key 'title'"):
        plan_from_dict(with_value(("title",), None))


# --- measured cases of the outline route alone (YAML and Markdown)


def run_cli(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, err.getvalue()


def test_a_lone_surrogate_in_a_title_fails_check_and_build_alike(tmp_path: Path) -> None:
    plan_file = write_outline(tmp_path, with_value(("title",), "Zero\ud800"))
    expected = f"{plan_file}:4: plan title holds U+D800, a lone surrogate that is not a character"
    for argv in (
        ["check", str(plan_file)],
        ["build", str(plan_file), "--no-write", "-o", str(tmp_path / "out.apkg")],
    ):
        code, err = run_cli(*argv)
        assert code == 2 and err.startswith(expected), err
    assert not (tmp_path / "out.apkg").exists()


def test_a_python_tag_is_refused_at_its_line(tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(
        "plan:\n  id: p\n  title: !!python/name:os.system x\n  start: 2020-01-06\n"
        "courses:\n  - {id: c1, title: C, fte: 1}\n"
    )
    with pytest.raises(PlanError) as info:
        load_plan(plan_file)
    assert str(info.value) == (
        f"{plan_file}:3: YAML error: the YAML tag !!python/name:os.system is not allowed in a "
        "plan; remove it (put text in quotes)"
    )
    assert "TaggedScalar" not in str(info.value)


@pytest.mark.parametrize("tag", ["!!set", "!!binary", "!custom", "!!omap", "!!str"])
def test_other_tags_are_refused_and_plain_ones_allowed(tmp_path: Path, tag: str) -> None:
    plan_file = tmp_path / "plan.yaml"
    body = (
        "plan:\n  id: p\n  title: {} T\n  start: 2020-01-06\n"
        "courses:\n  - {{id: c1, title: C, fte: {}}}\n"
    )
    plan_file.write_text(body.format(tag, 1))
    with pytest.raises(PlanError, match=f":3: YAML error: the YAML tag {tag} is not allowed"):
        load_plan(plan_file)
    plan_file.write_text(body.format("!", "!!int 1"))
    plan = load_plan(plan_file)
    assert plan.title == "T" and plan.courses[0].fte == 1


def test_a_character_yaml_refuses_is_one_error_at_its_line(tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text('plan:\n  id: p\n  title: "a\x00b"\n', encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(plan_file)
    assert str(info.value) == (
        f"{plan_file}:3: YAML error: the character U+0000 is not allowed in YAML "
        "(special characters are not allowed)"
    )


def test_a_5000_digit_number_is_infinite_not_a_crash(tmp_path: Path) -> None:
    plan_file = write_outline(tmp_path, BASE)
    text = plan_file.read_text().replace('"fte": 1', '"fte": ' + "9" * 5000)
    plan_file.write_text(text)
    with pytest.raises(PlanError, match="course 'c1' fte must be a finite number, not inf"):
        load_plan(plan_file)


def card_plan(folder: Path, cards: str) -> Path:
    (folder / "cards.md").write_text(cards, encoding="utf-8")
    plan_file = folder / "plan.yaml"
    plan_file.write_text(
        "plan: {id: p, title: T, start: 2020-01-06}\n"
        "courses:\n  - {id: c1, title: C, fte: 1, cards: cards.md}\n"
    )
    return plan_file


@pytest.mark.parametrize(
    ("cards", "message"),
    [
        ("## Q {#k1}\nA\x00B\n", ":1: card back holds a NUL character (U+0000); remove it"),
        ("## Q {#k1}\n" + "A" * 100_001 + "\n", ":1: card back is 100,001 characters long"),
        ("## Q {#k1 tags=" + "t" * 101 + "}\nA\n", f":1: tag {'t' * 40!r}… (101 characters) is"),
        (
            "## Q {#k1 tags=" + ",".join(f"t{i}" for i in range(101)) + "}\nA\n",
            ":1: the card has 101 tags; at most 100 are allowed",
        ),
    ],
)
def test_markdown_cards_follow_the_same_text_rules(
    tmp_path: Path, cards: str, message: str
) -> None:
    with pytest.raises(PlanError) as info:
        load_plan(card_plan(tmp_path, cards))
    assert str(info.value).startswith(f"{tmp_path / 'cards.md'}{message}"), str(info.value)


def test_inline_cards_follow_the_same_text_rules(tmp_path: Path) -> None:
    data = with_value(("courses", 0, "cards"), [{"id": "k1", "front": "Q", "back": "A\x00"}])
    with pytest.raises(PlanError, match="card back holds a NUL character"):
        load_plan(write_outline(tmp_path, data))


def test_the_card_limit_is_reported_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outline, "MAX_CARDS", 3)
    plan_file = card_plan(tmp_path, "".join(f"## Q{i} {{#k{i}}}\nA\n" for i in range(4)))
    with pytest.raises(PlanError) as info:
        load_plan(plan_file)
    assert str(info.value) == (
        f"{plan_file}:3: the plan has more than 3 cards by course 'c1'; split it into several plans"
    )


def test_the_plan_size_limit_is_the_same_on_both_routes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = rules.plan_size(plan_from_dict(BASE))
    monkeypatch.setattr(rules, "MAX_PLAN_BYTES", size - 1)
    with pytest.raises(PlanError) as from_dict:
        plan_from_dict(BASE)
    with pytest.raises(PlanError) as from_outline:
        load_plan(write_outline(tmp_path, BASE))
    assert messages(from_dict.value) == messages(from_outline.value)
    assert "at most 0 MB are allowed" in str(from_dict.value)


# --- the limits hold for real plans


def test_the_bundled_plan_and_a_100000_card_outline_are_within_the_limits(
    tmp_path: Path, default_plan: Plan, benchmark_build: ModuleType
) -> None:
    bundled = default_plan
    assert plan_from_dict(plan_to_dict(bundled)) == dataclasses.replace(
        bundled, courses=tuple(dataclasses.replace(c, cards=()) for c in bundled.courses)
    )
    for plan_file in benchmark_build.generate(tmp_path, 100_000).values():  # every form
        big = load_plan(plan_file, assign_ids=False)
        assert sum(len(c.cards) for c in big.courses) == 100_000
        assert rules.plan_size(big) < limits.MAX_PLAN_BYTES // 100


def test_the_largest_plan_the_rules_allow_fits_in_a_manifest() -> None:
    # Values at their longest, in 4-byte characters, as many as MAX_PLAN_BYTES allows:
    # the plan's manifest (indented JSON) is still one the manifest reader accepts.
    wide = "\U0001f600" * limits.MAX_NAME
    lesson = Lesson("l", wide, 1e-7, 1e-7, "\U0001f600" * limits.MAX_URL)
    course = Course("c", wide, wide, 1.0, url=lesson.url)
    lessons: list[Lesson] = []
    plan = fitting = Plan("p", wide, dt.date(2020, 1, 6), courses=(course,))
    while rules.plan_size(plan) <= limits.MAX_PLAN_BYTES:
        fitting = plan
        lessons.append(dataclasses.replace(lesson, id=f"l{len(lessons)}"))
        plan = dataclasses.replace(
            plan, courses=(dataclasses.replace(course, lessons=tuple(lessons)),)
        )
    assert 0 < len(fitting.courses[0].lessons) < limits.MAX_LESSONS
    content = encode_manifest(fitting, 1.0)
    assert limits.MAX_PLAN_BYTES * 0.99 < rules.plan_size(fitting) <= limits.MAX_PLAN_BYTES
    assert len(content) <= limits.MAX_MANIFEST_BYTES
    assert parse_manifest(content).plan == fitting
    with pytest.raises(PlanError, match="at most 2 MB are allowed"):
        plan_from_dict(plan_to_dict(plan))


# --- the dict form carries every field: the round trip, property-based

slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,63}", fullmatch=True)
names = (
    st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
urls = st.none() | st.text(
    st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40
).map(str.strip)


def finite(low: float, high: float, *, above_low: bool = False) -> st.SearchStrategy[float]:
    return st.floats(low, high, exclude_min=above_low, allow_nan=False, allow_infinity=False)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    weeks = draw(st.integers(1, limits.MAX_WEEKS))

    def window() -> tuple[int | None, int | None]:
        first = draw(st.none() | st.integers(1, weeks))
        last = draw(st.none() | st.integers(first or 1, weeks))
        return first, last

    def lessons() -> tuple[Lesson, ...]:
        ids = draw(st.lists(slugs, max_size=4, unique=True))
        amount = st.none() | finite(0, limits.MAX_LESSON_AMOUNT, above_low=True)
        return tuple(Lesson(i, draw(names), draw(amount), draw(amount), draw(urls)) for i in ids)

    courses = tuple(
        Course(
            cid,
            draw(st.just("") | names),
            draw(names),
            draw(finite(0, limits.MAX_FTE)),
            draw(finite(0, limits.MAX_COST)),
            draw(urls),
            *window(),
            lessons=lessons(),
        )
        for cid in draw(st.lists(slugs, min_size=1, max_size=4, unique=True))
    )
    resources = tuple(
        Resource(
            rid,
            draw(names),
            draw(finite(0, limits.MAX_COST)),
            draw(st.just("") | names),
            draw(urls),
        )
        for rid in draw(st.lists(slugs, max_size=3, unique=True))
    )
    return Plan(
        id=draw(slugs),
        title=draw(names),
        start=draw(st.dates(limits.FIRST_START, limits.LAST_START)),
        weeks=weeks,
        hours_per_week=draw(finite(0, limits.MAX_HOURS_PER_WEEK, above_low=True)),
        hours_per_point=draw(finite(0, limits.MAX_HOURS_PER_POINT, above_low=True)),
        currency=draw(st.from_regex(r"[A-Z]{3}", fullmatch=True)),
        allow_html=draw(st.booleans()),
        courses=courses,
        resources=resources,
    )


DETERMINISTIC = settings(derandomize=True, database=None, deadline=None)


@settings(DETERMINISTIC, max_examples=200)
@given(plans())
def test_plan_from_dict_inverts_plan_to_dict(plan: Plan) -> None:
    assert plan_from_dict(plan_to_dict(plan)) == plan
    # Through the JSON of a manifest, as a shared package carries it.
    assert parse_manifest(encode_manifest(plan, 1_700_000_000.0)).plan == plan


@settings(DETERMINISTIC, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_every_plan_the_dict_form_accepts_an_outline_accepts_too(plan: Plan) -> None:
    with tempfile.TemporaryDirectory() as folder:
        assert load_plan(write_outline(Path(folder), plan_to_dict(plan))) == plan


def test_cards_and_sources_are_not_part_of_the_dict_form(tmp_path: Path) -> None:
    plan = load_plan(write_outline(tmp_path, BASE))
    card = Card("k1", "basic", "Q", "A")
    with_cards = dataclasses.replace(
        plan, courses=(dataclasses.replace(plan.courses[0], cards=(card,)),)
    )
    back = plan_from_dict(plan_to_dict(with_cards))
    assert back.courses[0].cards == () and back.courses[0].source is None
    # Where a course was written takes no part in equality; its cards do.
    assert plan.courses[0].source is not None and back == plan
    assert back != with_cards


def test_plan_to_dict_writes_every_field_of_the_model() -> None:
    data = plan_to_dict(plan_from_dict(BASE))
    not_in_dict_form = {"cards", "source"}
    for cls, keys in (
        (Plan, data),
        (Course, data["courses"][0]),
        (Lesson, data["courses"][0]["lessons"][0]),
        (Resource, data["resources"][0]),
    ):
        fields = {f.name for f in dataclasses.fields(cls)} - not_in_dict_form
        assert fields <= set(keys), (cls.__name__, fields - set(keys))
    assert data["allow_html"] is False


def test_a_course_s_total_weight_is_kept_outside_its_fields() -> None:
    """Worked out once per course, the total changes nothing a course's fields decide."""
    import pickle

    lessons = (Lesson("a", "A", weight=2.0), Lesson("b", "B", hours=3.0), Lesson("c", "C"))
    course = Course("c1", "MIT", "Course", 1.0, lessons=lessons)
    fresh = Course("c1", "MIT", "Course", 1.0, lessons=lessons)
    assert course.total_weight == 6.0
    assert course == fresh and hash(course) == hash(fresh)
    assert "total_weight" not in dataclasses.asdict(course)
    assert dataclasses.replace(course, lessons=lessons[:1]).total_weight == 2.0
    assert pickle.loads(pickle.dumps(course)) == course
    plan = Plan("p", "P", dt.date(2026, 1, 5), courses=(course,))
    assert plan_from_dict(plan_to_dict(plan)) == plan
    assert plan_from_dict(plan_to_dict(plan)).courses[0].total_weight == 6.0
