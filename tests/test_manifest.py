from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from helpers_anki import collection, import_package

from learnplan.deck import build_package, write_package
from learnplan.manifest import (
    ManifestError,
    encode_manifest,
    find_manifests,
    manifest_name,
    read_manifest,
)
from learnplan.plan import Card, Course, Lesson, Plan, plan_to_dict


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
    assert plan_to_dict(m.plan) == plan_to_dict(without_cards)
    assert json.loads(path.read_bytes())["plan"]["courses"][0]["card_count"] == 1
    assert m.name == str(path)


def test_name_is_versioned_by_content() -> None:
    plan = make_plan()
    a = manifest_name(plan.id, encode_manifest(plan, 1.0))
    b = manifest_name(plan.id, encode_manifest(make_plan(fte=2.0), 1.0))
    assert a.startswith("_learnplan-zdl-") and a.endswith(".json")
    assert a != b
    assert a == manifest_name(plan.id, encode_manifest(plan, 1.0))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b'{"format": "other"}', "not a learnplan manifest"),
        (b"[]", "not a learnplan manifest"),
        (b'{"format": "learnplan-manifest", "version": 99}', "unsupported manifest version"),
        (
            b'{"format": "learnplan-manifest", "version": 1, "built_at": "x", "plan": {}}',
            "'built_at' must be a number",
        ),
        (
            b'{"format": "learnplan-manifest", "version": 1, "built_at": 1, "plan": {}}',
            "not a valid plan",
        ),
    ],
)
def test_bad_manifest_gives_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "_learnplan-zdl-000000000000.json"
    path.write_bytes(content)
    with pytest.raises(ManifestError) as info:
        read_manifest(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_missing_manifest_file_is_a_manifest_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read"):
        read_manifest(tmp_path / "nope.json")


def test_find_manifests_newest_first_per_plan_and_skips_junk(tmp_path: Path) -> None:
    write_manifest(tmp_path, make_plan("zdl"), 100.0)
    write_manifest(tmp_path, make_plan("zdl", fte=2.0), 300.0)
    write_manifest(tmp_path, make_plan("zdl", fte=3.0), 200.0)
    write_manifest(tmp_path, make_plan("other"), 50.0)
    (tmp_path / "_learnplan-zdl-ffffffffffff.json").write_text("{broken")
    (tmp_path / "unrelated.json").write_text(json.dumps({"format": "learnplan-manifest"}))
    found = find_manifests(tmp_path)
    assert [(m.plan.id, m.built_at) for m in found] == [
        ("other", 50.0),
        ("zdl", 300.0),
        ("zdl", 200.0),
        ("zdl", 100.0),
    ]
    assert find_manifests(tmp_path / "missing") == []


def test_manifests_found_in_a_real_collection_after_two_imports(tmp_path: Path) -> None:
    target = tmp_path / "zdl.apkg"
    write_package(build_package(make_plan(), timestamp=1_700_000_000), target)
    with collection(tmp_path / "col") as col:
        import_package(col, target)
        newer = make_plan(fte=2.5)
        write_package(build_package(newer, timestamp=1_700_000_000, previous=target), target)
        import_package(col, target)
        found = find_manifests(Path(col.media.dir()))
        assert [m.built_at for m in found] == [1_700_000_001, 1_700_000_000]
        assert found[0].plan.courses[0].fte == 2.5
