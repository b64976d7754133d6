"""Names in a plan resolved inside its folder, after every decoding step (issue 9, case 3)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from learnplan.base.errors import PlanError
from learnplan.cards.files import (
    FileRefError,
    image_file,
    image_name,
    media_name,
    read_media,
    resolve_inside,
)
from learnplan.cards.render import render_card_text
from learnplan.cli import main
from learnplan.reading.outline import load_plan

SECRET = b"TOP SECRET, outside the plan folder"

# Spellings of ../../SECRET.txt, each checked once decoded as a browser decodes it.
ESCAPES = [
    '<img src="&#46;&#46;/&#46;&#46;/SECRET.txt">',  # the measured case
    '<img src="&#x2E;&#x2e;&sol;..&#47;SECRET.txt">',
    '<img src="&period;&period;/&period;&period;/SECRET.txt">',
    '<img src="%2e%2e/%2E%2E/SECRET.txt">',
    '<img src="..%2F..%2FSECRET.txt">',
    '<img src="&#37;2e&#37;2e/../SECRET.txt">',  # an entity that makes a %-escape
    '<img src="..\\..\\SECRET.txt">',
    '<img src=" \t../../SECRET.txt\n">',
    '<img src=".\t./.\n./SECRET.txt">',
    "<IMG SRC='../../SECRET.txt'>",
    "<image src=../../SECRET.txt>",
    "![x](&#46;&#46;/&#46;&#46;/SECRET.txt)",
    "![x](%2e%2e/%2e%2e/SECRET.txt)",
    "![x](<../../SECRET.txt>)",
    "![x](..\\/..\\/SECRET.txt)",
    '<p><img alt="x" src="&#46;&#46;/&#46;&#46;/SECRET.txt"></p>',
]


def _decoy_layout(tmp_path: Path) -> Path:
    """outer/SECRET.txt outside the plan folder outer/plan/, and, inside the plan folder,
    decoys at the literal (undecoded) names, so a check of the literal path passes."""
    outer = tmp_path / "outer"
    plan = outer / "plan"
    plan.mkdir(parents=True)
    (outer / "SECRET.txt").write_bytes(SECRET)
    (tmp_path / "SECRET.txt").write_bytes(SECRET)
    for literal in ("&#46;&#46;/&#46;&#46;", "%2e%2e/%2E%2E", "%2e%2e/%2e%2e", "&period;&period;"):
        (plan / literal).mkdir(parents=True, exist_ok=True)
        (plan / literal / "SECRET.txt").write_bytes(b"decoy")
    (plan / "..%2F..%2FSECRET.txt").write_bytes(b"decoy")
    (plan / "..\\..\\SECRET.txt").write_bytes(b"decoy")
    return plan


@pytest.mark.parametrize("text", ESCAPES)
def test_the_renderer_refuses_every_spelling_of_a_path_outside(tmp_path: Path, text: str) -> None:
    plan = _decoy_layout(tmp_path)
    with pytest.raises(PlanError, match="outside the plan folder") as info:
        render_card_text(text, allow_html=False, base_dir=plan, source=None, root=plan)
    assert "SECRET.txt" in str(info.value)


@pytest.mark.parametrize("text", ESCAPES)
def test_the_outline_refuses_the_same_spellings(tmp_path: Path, text: str) -> None:
    plan = _decoy_layout(tmp_path)
    (plan / "plan.yaml").write_text(
        "plan: {id: p, title: P, start: 2020-01-06}\n"
        "courses:\n  - {id: c, title: C, fte: 1, cards: notes/a.md}\n"
        "  - id: d\n    title: D\n    fte: 1\n    cards:\n"
        f"      - {{id: k2, front: Q, back: {json.dumps(text)}}}\n",
        encoding="utf-8",
    )
    # notes/a.md is one folder down: three ".." lead out of the plan folder too.
    (plan / "notes").mkdir()
    (plan / "notes" / "a.md").write_text(
        f"## Q {{#k1}}\nSee\n{text.replace('SECRET', '../SECRET')}\n", encoding="utf-8"
    )
    with pytest.raises(PlanError) as info:
        load_plan(plan / "plan.yaml")
    messages = [p.message for p in info.value.problems]
    assert len(messages) == 2 and all("outside the plan folder" in m for m in messages), messages
    assert {p.path.name for p in info.value.problems} == {"a.md", "plan.yaml"}  # type: ignore[union-attr]


def test_the_measured_case_builds_nothing_and_leaks_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _decoy_layout(tmp_path)
    (plan / "plan.yaml").write_text(
        "plan: {id: p, title: P, start: 2020-01-06}\ncourses:\n  - id: c\n    title: C\n"
        "    fte: 1\n    cards:\n"
        "      - {id: k1, front: 'Q <img src=\"&#46;&#46;/&#46;&#46;/SECRET.txt\">', back: A}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    for command in (["check"], ["build", "-o", "out.apkg"]):
        assert main([command[0], str(plan / "plan.yaml"), *command[1:]]) == 2
        err = capsys.readouterr().err
        assert f"{plan / 'plan.yaml'}:7: image '../../SECRET.txt' is outside the plan folder" in err
    assert not (tmp_path / "out.apkg").exists()


def test_links_out_of_the_folder_are_refused_however_they_are_reached(tmp_path: Path) -> None:
    plan = _decoy_layout(tmp_path)
    (plan / "img").mkdir()
    os.symlink(tmp_path / "outer" / "SECRET.txt", plan / "img" / "pic.png")
    os.symlink(tmp_path / "outer", plan / "up")
    os.symlink("../../../nowhere/x.png", plan / "img" / "dangling.png")
    for src in (
        "img/pic.png",
        "img/./pic.png",
        "up/SECRET.txt",
        "im%67/pic.png",
        "img/dangling.png",
    ):
        with pytest.raises(FileRefError, match="is a link to a place outside the plan folder"):
            image_file(src, plan, plan)
        with pytest.raises(PlanError, match="is a link to a place outside"):
            render_card_text(f"<img src='{src}'>", allow_html=True, base_dir=plan, source=None)


def test_what_counts_as_a_local_image() -> None:
    assert image_name("https://e.org/a.png") is None
    assert image_name(" HTTP://e.org/a.png") is None
    assert image_name("data:image/png;base64,AAAA") is None
    assert image_name("img/a%20b.png") == "img/a b.png"
    assert image_name("img&#47;a.png") == "img/a.png"
    assert image_name("img\\a.png") == "img/a.png"
    for bad in ("file:///etc/passwd", "javascript:alert(1)", "data:text/html,x", "//host/x.png"):
        with pytest.raises(FileRefError):
            image_name(bad)


def test_resolve_inside_reports_every_kind_of_bad_name(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "f.md").write_text("x")
    assert resolve_inside("f.md", tmp_path, tmp_path, "card file") == tmp_path / "f.md"
    for name, message in (
        ("", "is empty or holds a NUL character"),
        ("a\0b", "is empty or holds a NUL character"),
        ("/etc/passwd", "must be a path relative to"),
        ("~/x", "must be a path relative to"),
        ("../x", "is outside the plan folder"),
        ("nope.md", "not found"),
        ("d", "is not a file"),
        ("f.md/x", "not found"),
        ("a" * 300 + ".md", "is too long for the file system"),
        ("d/" + "b" * 300, "is too long for the file system"),
        ("notes/\ud800.md", "holds a character no file name can have"),
    ):
        with pytest.raises(FileRefError, match=message):
            resolve_inside(name, tmp_path, tmp_path, "card file")


def test_media_are_read_again_and_must_be_unchanged(tmp_path: Path) -> None:
    image = tmp_path / "a.PNG"
    image.write_bytes(b"one")
    name = media_name(image)
    assert name == f"lp-{hashlib.sha256(b'one').hexdigest()[:16]}.png"
    assert read_media(name, image) == b"one"
    image.write_bytes(b"two")
    with pytest.raises(PlanError, match=r"a\.PNG:0: the image changed while the package was built"):
        read_media(name, image)
    odd = tmp_path / 'x.png"onerror'
    odd.write_bytes(b"one")
    assert media_name(odd) == f"lp-{hashlib.sha256(b'one').hexdigest()[:16]}"
