from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from helpers_anki import collection, import_package

from learnplan.base.errors import PlanError
from learnplan.building.apkg import write_package
from learnplan.building.deck import build_package
from learnplan.building.manifest import (
    ManifestError,
    ManifestScan,
    encode_manifest,
    find_manifests,
    manifest_name,
    parse_manifest,
    read_manifest,
    read_package_manifest,
)
from learnplan.model.limits import MAX_MANIFEST_BYTES
from learnplan.model.plan import Card, Course, Lesson, Plan
from learnplan.progress.entries import FILE_RE, random_name


def make_plan(plan_id: str = "zdl", fte: float = 1.5) -> Plan:
    course = Course(
        "fastai-1",
        "Fastai",
        "Part 1",
        fte,
        cost=45.0,
        url="https://course19.fast.ai/",
        lessons=(Lesson("l1", "Lesson 1", hours=6.0),),
        cards=(Card("k1", "basic", "Q", "A", lesson="l1"),),
    )
    return Plan(plan_id, "Zero to DL", dt.date(2019, 5, 6), courses=(course,))


def write_manifest(folder: Path, plan: Plan, built_at: float) -> Path:
    content = encode_manifest(plan, built_at)
    path = folder / manifest_name(plan.id, content)
    path.write_bytes(content)
    return path


def test_manifest_round_trip(tmp_path: Path) -> None:
    plan = make_plan()
    path = write_manifest(tmp_path, plan, 1234.5)
    m = read_manifest(path)
    assert m.built_at == 1234.5 and m.version == 1
    assert m.generator.startswith("learnplan ")
    # The manifest carries no cards; everything else comes back as it was.
    without_cards = dataclasses.replace(
        plan, courses=tuple(dataclasses.replace(c, cards=()) for c in plan.courses)
    )
    assert m.plan == without_cards
    assert json.loads(path.read_bytes())["plan"]["courses"][0]["card_count"] == 1
    assert m.name == str(path)


def test_name_is_versioned_by_content() -> None:
    plan = make_plan()
    a = manifest_name(plan.id, encode_manifest(plan, 1.0))
    b = manifest_name(plan.id, encode_manifest(make_plan(fte=2.0), 1.0))
    assert a.startswith("_learnplan-zdl-") and a.endswith(".json")
    assert a != b
    assert a == manifest_name(plan.id, encode_manifest(plan, 1.0))


LINE = re.compile(r"^(.+):(\d+): (\S.*)$")


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"{not json", 1, "not valid JSON: Expecting property name"),
        (b'{\n "format": "learnplan-manifest",\n "version": }', 3, "not valid JSON"),
        (b"\xff\xfe", 1, "not valid JSON: not UTF-8"),
        (b'{"format": "other"}', 1, "not a learnplan manifest"),
        (b"[]", 1, "not a learnplan manifest"),
        (b'{"format": "learnplan-manifest", "version": 99}', 1, "unsupported manifest version 99"),
        (
            b'{"format": "learnplan-manifest",\n "version": 1,\n "built_at": "x",\n "plan": {}}',
            3,
            "built_at: manifest built_at must be a number, not text",
        ),
        (
            b'{"format": "learnplan-manifest", "version": 1, "built_at": 1e999, "plan": {}}',
            1,
            "built_at: manifest built_at must be a finite number, not inf",
        ),
        (
            b'{"format": "learnplan-manifest", "version": 1, "built_at": 1, "plan": {}}',
            1,
            "plan: plan is missing the required key 'id'",
        ),
        (
            b'{"format": "learnplan-manifest", "version": 1, "built_at": 1, "plan": {},'
            b' "extra": 1}',
            1,
            "extra: unknown key 'extra' in manifest",
        ),
        # A 5,000-digit number cannot even be converted by Python: it reads as infinite.
        (
            b'{"format": "learnplan-manifest", "version": 1, "built_at": ' + b"9" * 5000 + b"}",
            1,
            "manifest built_at must be a finite number, not inf",
        ),
        # 200,000 nested arrays: Python's parser gives up; that is a clear error too.
        (
            b'{"format": "learnplan-manifest", "plan": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
            0,
            "nested far too deeply",
        ),
    ],
)
def test_bad_manifest_gives_a_clear_error(
    tmp_path: Path, content: bytes, line: int, message: str
) -> None:
    path = tmp_path / "_learnplan-zdl-000000000000.json"
    path.write_bytes(content)
    with pytest.raises(ManifestError) as info:
        read_manifest(path)
    # A PlanError, so the CLI and the add-on report it like any other bad input.
    assert isinstance(info.value, PlanError)
    text = str(info.value)
    assert all(LINE.match(row) and row.startswith(f"{path}:") for row in text.splitlines())
    assert any(row.startswith(f"{path}:{line}: ") and message in row for row in text.splitlines())


def test_manifest_problems_name_the_json_location_and_its_line() -> None:
    data = json.loads(encode_manifest(make_plan(), 1.0))
    data["plan"]["courses"][0]["fte"] = -2
    data["plan"]["courses"][0]["lessons"][0]["weight"] = "heavy"
    content = json.dumps(data, indent=1).encode()
    lines = content.decode().splitlines()
    with pytest.raises(ManifestError) as info:
        parse_manifest(content, "_learnplan-zdl-000000000000.json")
    rows = str(info.value).splitlines()
    fte_line = next(i for i, row in enumerate(lines, 1) if '"fte": -2' in row)
    weight_line = next(i for i, row in enumerate(lines, 1) if '"weight": "heavy"' in row)
    assert rows == [
        f"_learnplan-zdl-000000000000.json:{fte_line}: plan.courses[0].fte: "
        "course 'fastai-1' fte must be 0 or more, not -2",
        f"_learnplan-zdl-000000000000.json:{weight_line}: plan.courses[0].lessons[0].weight: "
        "lesson 'l1' weight must be a number, not text",
    ]


def test_json_infinity_and_nan_literals_are_refused_at_their_lines() -> None:
    content = encode_manifest(make_plan(), 1.0)
    content = content.replace(b'"weeks": 12', b'"weeks": Infinity')
    content = content.replace(b'"fte": 1.5', b'"fte": NaN')
    rows = content.decode().splitlines()
    weeks = next(n for n, row in enumerate(rows, 1) if "Infinity" in row)
    fte = next(n for n, row in enumerate(rows, 1) if "NaN" in row)
    with pytest.raises(ManifestError) as info:
        parse_manifest(content, "m.json")
    assert sorted(str(info.value).splitlines()) == sorted(
        [
            f"m.json:{fte}: plan.courses[0].fte: course 'fastai-1' fte must be a finite "
            "number, not nan",
            f"m.json:{weeks}: plan.weeks: plan weeks must be a whole number, not inf",
        ]
    )


def test_repeated_json_keys_are_refused() -> None:
    content = encode_manifest(make_plan(), 1.0).replace(b'"weeks": 12', b'"weeks": 12, "weeks": 3')
    with pytest.raises(ManifestError, match=r"plan\.weeks: duplicate key 'weeks' in plan"):
        parse_manifest(content, "m.json")


def test_manifest_size_is_limited_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "_learnplan-zdl-000000000000.json"
    with path.open("wb") as out:
        out.write(b'{"format": "learnplan-manifest", "junk": "')
        out.write(b"x" * MAX_MANIFEST_BYTES)
        out.write(b'"}')
    with pytest.raises(ManifestError, match=r":0: is 8\.0 MB; a plan manifest is at most 8 MB"):
        read_manifest(path)


def test_a_fifo_named_like_a_manifest_does_not_hang_the_scan(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    os.mkfifo(tmp_path / "_learnplan-zdl-000000000000.json")
    write_manifest(tmp_path, make_plan("other"), 50.0)
    scan = find_manifests(tmp_path)
    assert [m.plan.id for m in scan.manifests] == ["other"]
    assert [(Path(p.path).name, p.message) for p in scan.problems] == [
        ("_learnplan-zdl-000000000000.json", "cannot read: not a regular file")
    ]


def test_missing_manifest_file_is_a_manifest_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read"):
        read_manifest(tmp_path / "nope.json")


def test_a_manifest_file_is_parsed_once_while_it_stays_the_same(tmp_path: Path) -> None:
    path = write_manifest(tmp_path, make_plan(fte=1.5), 100.0)
    first = read_manifest(path)
    assert read_manifest(path) is first
    assert find_manifests(tmp_path).manifests[0] is first
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.built_at = 0.0  # type: ignore[misc]  # what every reader shares stays as read
    # Replaced by hand under the same name, as long as before: its new time tells.
    stamp = path.stat().st_mtime_ns
    path.write_bytes(encode_manifest(make_plan(fte=2.5), 100.0))
    os.utime(path, ns=(stamp, stamp + 1_000_000_000))
    again = read_manifest(path)
    assert again is not first
    assert again.plan.courses[0].fte == 2.5


def test_a_bad_manifest_file_gives_the_same_problems_each_time(tmp_path: Path) -> None:
    path = tmp_path / "_learnplan-zdl-ffffffffffff.json"
    path.write_text("{broken")
    message = (
        f"{path}:1: not valid JSON: Expecting property name enclosed in double quotes (column 2)"
    )
    with pytest.raises(ManifestError) as first:
        read_manifest(path)
    first.value.problems.clear()  # a caller changing the error it caught
    with pytest.raises(ManifestError) as second:
        read_manifest(path)
    assert [str(p) for p in second.value.problems] == [message]
    assert str(second.value) == message
    path.write_bytes(encode_manifest(make_plan(), 100.0))  # mended
    assert read_manifest(path).plan.id == "zdl"


def test_a_record_file_is_never_taken_for_a_manifest(tmp_path: Path) -> None:
    # Whatever it holds: only manifests are ever tidied away, and this is what keeps
    # the learner's record files out of that.
    content = encode_manifest(make_plan("rec"), 100.0)
    records = [random_name() for _ in range(50)]
    assert all(FILE_RE.match(name) for name in records)
    for name in records:
        (tmp_path / name).write_bytes(content)
    # A plan may be called "rec": its manifest is one.
    (tmp_path / manifest_name("rec", content)).write_bytes(content)
    scan = find_manifests(tmp_path)
    assert [Path(m.name).name for m in scan.manifests] == [manifest_name("rec", content)]
    assert scan.problems == ()


def test_find_manifests_newest_first_per_plan_and_names_each_bad_file(tmp_path: Path) -> None:
    write_manifest(tmp_path, make_plan("zdl"), 100.0)
    write_manifest(tmp_path, make_plan("zdl", fte=2.0), 300.0)
    write_manifest(tmp_path, make_plan("zdl", fte=3.0), 200.0)
    write_manifest(tmp_path, make_plan("other"), 50.0)
    (tmp_path / "_learnplan-zdl-ffffffffffff.json").write_text("{broken")
    (tmp_path / "unrelated.json").write_text(json.dumps({"format": "learnplan-manifest"}))
    scan = find_manifests(tmp_path)
    assert [(m.plan.id, m.built_at) for m in scan.manifests] == [
        ("other", 50.0),
        ("zdl", 300.0),
        ("zdl", 200.0),
        ("zdl", 100.0),
    ]
    assert [str(p) for p in scan.problems] == [
        f"{tmp_path / '_learnplan-zdl-ffffffffffff.json'}:1: not valid JSON: Expecting "
        "property name enclosed in double quotes (column 2)"
    ]
    assert scan.bad_files() == [
        (
            "_learnplan-zdl-ffffffffffff.json",
            "_learnplan-zdl-ffffffffffff.json:1: not valid JSON: Expecting property name "
            "enclosed in double quotes (column 2)",
        )
    ]
    assert find_manifests(tmp_path / "missing") == ManifestScan()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        # Each of these parsed, and then broke detection for every later import.
        (("plan", "weeks"), 10**300, "plan weeks must be between 1 and 520"),
        (("plan", "start"), "9999-12-31", "plan start 9999-12-31 is outside the days"),
        (("plan", "courses", 0, "fte"), float("nan"), "fte must be a finite number, not nan"),
        (("plan", "courses", 0, "start_week"), "3", "must be a whole number, not text"),
        (("built_at",), 10**300, "built_at must be at most 32,503,680,000"),
    ],
)
def test_a_bad_manifest_that_parses_is_named_and_the_others_still_found(
    tmp_path: Path, path: tuple[str | int, ...], value: object, message: str
) -> None:
    data = json.loads(encode_manifest(make_plan("bad"), 10.0))
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    (tmp_path / "_learnplan-bad-000000000000.json").write_text(json.dumps(data, indent=1))
    write_manifest(tmp_path, make_plan("good"), 5.0)
    write_manifest(tmp_path, make_plan("zzz"), 5.0)  # sorts after the bad file's name
    scan = find_manifests(tmp_path)
    assert [m.plan.id for m in scan.manifests] == ["good", "zzz"]
    (name, text), *others = scan.bad_files()
    assert not others and name == "_learnplan-bad-000000000000.json"
    assert message in text and LINE.match(text)


def test_package_manifest_reader_never_raises(tmp_path: Path) -> None:
    deep = tmp_path / "deep.apkg"
    with zipfile.ZipFile(deep, "w") as zf:
        zf.writestr("media", "[" * 100_000 + "]" * 100_000)
    assert read_package_manifest(deep) is None
    bomb = tmp_path / "bomb.apkg"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("media", json.dumps({"0": "_learnplan-x-000000000000.json"}))
        zf.writestr("0", b" " * (MAX_MANIFEST_BYTES + 10))
    assert read_package_manifest(bomb) is None
    (tmp_path / "junk.apkg").write_bytes(b"PK\x03\x04 not a zip")
    assert read_package_manifest(tmp_path / "junk.apkg") is None
    # A member with an unknown compression method, or encrypted: zipfile raises
    # NotImplementedError and RuntimeError for those.
    for name, offset, value in (("method", 10, 99), ("encrypted", 8, 1)):
        content = bytearray((tmp_path / "deep.apkg").read_bytes())
        central, local = content.find(b"PK\x01\x02"), content.find(b"PK\x03\x04")
        content[central + offset] |= value
        content[local + offset - 2] |= value
        (tmp_path / f"{name}.apkg").write_bytes(content)
        assert read_package_manifest(tmp_path / f"{name}.apkg") is None


def test_manifests_found_in_a_real_collection_after_two_imports(tmp_path: Path) -> None:
    target = tmp_path / "zdl.apkg"
    write_package(build_package(make_plan(), timestamp=1_700_000_000), target)
    with collection(tmp_path / "col") as col:
        import_package(col, target)
        newer = make_plan(fte=2.5)
        write_package(build_package(newer, timestamp=1_700_000_000, previous=target), target)
        import_package(col, target)
        found = find_manifests(Path(col.media.dir())).manifests
        assert [m.built_at for m in found] == [1_700_000_001, 1_700_000_000]
        assert found[0].plan.courses[0].fte == 2.5
