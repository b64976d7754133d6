"""Bad input: every case must fail with PlanError at the exact file and line, with a helpful
message, and must leave every file as it was (nothing written, nothing created)."""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from learnplan.base.errors import PlanError
from learnplan.reading.outline import load_plan


def _plan(body: str) -> str:
    return textwrap.dedent(body).lstrip("\n")


# Lines 1-15 of a valid plan that many cases extend (line numbers matter in assertions).
HEAD = """\
plan:
  id: p
  title: Test plan
  start: 2020-01-06
courses:
  - id: c1
    title: Course one
    fte: 1
    lessons:
      - id: l1
        title: Lesson one
    cards:
      - id: k1
        front: Q
        back: A
"""


@dataclass
class Case:
    name: str
    files: dict[str, str | bytes]
    file: str  # where the problem must be reported
    line: int
    fragment: str
    assign_ids: bool = True
    links: dict[str, str] = field(default_factory=dict)  # name -> target (may be outside)


def md(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


CASES = [
    Case(
        "yaml syntax", {"plan.yaml": "plan:\n  id: [p\ncourses: []\n"}, "plan.yaml", 3, "YAML error"
    ),
    Case("empty file", {"plan.yaml": "   \n\n"}, "plan.yaml", 1, "plan file is empty"),
    Case(
        "not utf-8",
        {"plan.yaml": b"plan:\n  title: caf\xe9\n"},
        "plan.yaml",
        2,
        "not valid UTF-8 (byte 0xe9 at byte offset 18)",
    ),
    Case(
        "top level is a list",
        {"plan.yaml": "- a\n- b\n"},
        "plan.yaml",
        1,
        "must be a mapping with keys plan, courses, resources",
    ),
    Case("top level is a string", {"plan.yaml": "just words\n"}, "plan.yaml", 1, "not text"),
    Case(
        "unknown top-level key",
        {"plan.yaml": HEAD + "extra: 1\n"},
        "plan.yaml",
        16,
        "unknown key 'extra' in plan file; expected one of: plan, courses, resources",
    ),
    Case(
        "unknown course key (typo)",
        {"plan.yaml": HEAD + "    provder: MIT\n"},
        "plan.yaml",
        16,
        "unknown key 'provder' in course 'c1'; expected one of: id, provider",
    ),
    Case(
        "missing plan section",
        {"plan.yaml": "courses:" + HEAD.split("courses:", 1)[1]},
        "plan.yaml",
        1,
        "missing the required key 'plan'",
    ),
    Case(
        "missing required fte",
        {"plan.yaml": HEAD.replace("    fte: 1\n", "")},
        "plan.yaml",
        6,
        "course 'c1' is missing the required key 'fte'",
    ),
    Case(
        "fte is a quoted number",
        {"plan.yaml": HEAD.replace("fte: 1", 'fte: "1.5"')},
        "plan.yaml",
        8,
        "fte must be a number, not text (remove the quotes)",
    ),
    Case(
        "fte is a boolean",
        {"plan.yaml": HEAD.replace("fte: 1", "fte: true")},
        "plan.yaml",
        8,
        "fte must be a number, not true/false",
    ),
    Case(
        "negative fte",
        {"plan.yaml": HEAD.replace("fte: 1", "fte: -0.5")},
        "plan.yaml",
        8,
        "fte must be 0 or more, not -0.5",
    ),
    Case(
        "nan fte",
        {"plan.yaml": HEAD.replace("fte: 1", "fte: .nan")},
        "plan.yaml",
        8,
        "must be a finite number",
    ),
    Case(
        "infinite cost",
        {"plan.yaml": HEAD.replace("fte: 1", "fte: 1\n    cost: .inf")},
        "plan.yaml",
        9,
        "cost must be a finite number",
    ),
    Case(
        "weeks not a number",
        {
            "plan.yaml": HEAD.replace(
                "  start: 2020-01-06\n", "  start: 2020-01-06\n  weeks: twelve\n"
            )
        },
        "plan.yaml",
        5,
        "plan weeks must be a whole number, not text",
    ),
    Case(
        "hours_per_week over a week",
        {
            "plan.yaml": HEAD.replace(
                "  start: 2020-01-06\n", "  start: 2020-01-06\n  hours_per_week: 200\n"
            )
        },
        "plan.yaml",
        5,
        "a week has 168 hours",
    ),
    Case(
        "lesson weight zero",
        {"plan.yaml": HEAD.replace("title: Lesson one", "title: Lesson one\n        weight: 0")},
        "plan.yaml",
        12,
        "weight must be greater than 0",
    ),
    Case(
        "title is a number",
        {"plan.yaml": HEAD.replace("title: Course one", "title: 18.06")},
        "plan.yaml",
        7,
        "title must be text, not a number (put it in quotes)",
    ),
    Case(
        "currency not a code",
        {
            "plan.yaml": HEAD.replace(
                "  start: 2020-01-06\n", "  start: 2020-01-06\n  currency: dollars\n"
            )
        },
        "plan.yaml",
        5,
        "must be a 3-letter code",
    ),
    Case(
        "course id not a slug",
        {"plan.yaml": HEAD.replace("id: c1", "id: Fast AI")},
        "plan.yaml",
        6,
        "course id 'Fast AI' is not a slug",
    ),
    Case(
        "duplicate course id",
        {"plan.yaml": HEAD + "  - id: c1\n    title: Again\n    fte: 0.5\n"},
        "plan.yaml",
        16,
        "duplicate course id 'c1' (first used at line 6)",
    ),
    Case(
        "duplicate lesson id",
        {
            "plan.yaml": HEAD.replace(
                "        title: Lesson one\n",
                "        title: Lesson one\n      - id: l1\n        title: Lesson two\n",
            )
        },
        "plan.yaml",
        12,
        "duplicate lesson id 'l1' in course 'c1' (first used at line 10)",
    ),
    Case(
        "duplicate card id across YAML and Markdown",
        {
            "plan.yaml": HEAD + "      - notes/a.md\n",
            "notes/a.md": "# T\n\n## Question {#k1}\nAnswer\n",
        },
        "notes/a.md",
        3,
        "duplicate card id 'k1' in course 'c1' (first used at ",
    ),
    Case(
        "card names an unknown lesson",
        {"plan.yaml": HEAD + "        lesson: l9\n"},
        "plan.yaml",
        16,
        "card names lesson 'l9', which course 'c1' does not have (its lessons: l1)",
    ),
    Case(
        "markdown card names an unknown lesson",
        {
            "plan.yaml": HEAD + "      - notes/a.md\n",
            "notes/a.md": "## Question {#k2 lesson=l7}\nAnswer\n",
        },
        "notes/a.md",
        1,
        "card names lesson 'l7'",
    ),
    Case(
        "front matter names an unknown lesson",
        {
            "plan.yaml": HEAD + "      - notes/a.md\n",
            "notes/a.md": "---\ntags: [x]\nlesson: nope\n---\n## Question {#k2}\nAnswer\n",
        },
        "notes/a.md",
        3,
        "card names lesson 'nope'",
    ),
    Case(
        "start_week zero",
        {"plan.yaml": HEAD.replace("fte: 1", "fte: 1\n    start_week: 0")},
        "plan.yaml",
        9,
        "start_week 0 is outside the plan's weeks 1..12",
    ),
    Case(
        "end_week past the plan",
        {"plan.yaml": HEAD.replace("fte: 1", "fte: 1\n    end_week: 13")},
        "plan.yaml",
        9,
        "end_week 13 is outside the plan's weeks 1..12",
    ),
    Case(
        "reversed weeks",
        {"plan.yaml": HEAD.replace("fte: 1", "fte: 1\n    start_week: 5\n    end_week: 3")},
        "plan.yaml",
        10,
        "ends (week 3) before it starts (week 5)",
    ),
    Case(
        "bad start date",
        {"plan.yaml": HEAD.replace("2020-01-06", "2019-13-45")},
        "plan.yaml",
        4,
        "plan start '2019-13-45' is not a valid date: write YYYY-MM-DD",
    ),
    Case(
        "start date as a number",
        {"plan.yaml": HEAD.replace("2020-01-06", "20200106")},
        "plan.yaml",
        4,
        "plan start must be a date like 2019-05-06, not a number",
    ),
    Case(
        "missing card file",
        {"plan.yaml": HEAD + "      - notes/missing.md\n"},
        "plan.yaml",
        16,
        "card file 'notes/missing.md' not found",
    ),
    Case(
        "card file escaping the folder",
        {"plan.yaml": HEAD + "      - ../../etc/passwd\n"},
        "plan.yaml",
        16,
        "card file '../../etc/passwd' is outside the plan folder",
    ),
    Case(
        "absolute card file path",
        {"plan.yaml": HEAD + "      - /etc/passwd\n"},
        "plan.yaml",
        16,
        "card file '/etc/passwd' must be a path relative to",
    ),
    Case(
        "card file is a symlink pointing out",
        {"plan.yaml": HEAD + "      - notes/evil.md\n", "notes/keep.md": "x"},
        "plan.yaml",
        16,
        "is a link to a place outside the plan folder",
        links={"notes/evil.md": "../../outside/secret.md"},
    ),
    Case(
        "image that is a symlink pointing out",
        {"plan.yaml": HEAD + "      - notes/a.md\n", "notes/a.md": "## Q {#k2}\n![x](pic.png)\n"},
        "notes/a.md",
        2,
        "image 'pic.png' is a link to a place outside the plan folder",
        links={"notes/pic.png": "../../secret.png"},
    ),
    Case(
        "card file in a linked folder pointing out",
        {"plan.yaml": HEAD + "      - linked/secret.md\n"},
        "plan.yaml",
        16,
        "card file 'linked/secret.md' is a link to a place outside",
        links={"linked": "../outside"},
    ),
    Case(
        "card file referenced twice",
        {
            "plan.yaml": HEAD + "      - notes/a.md\n      - notes/../notes/a.md\n",
            "notes/a.md": "## Q {#k2}\nA\n",
        },
        "plan.yaml",
        17,
        "card file 'notes/../notes/a.md' is already used at",
    ),
    Case(
        "markdown image escaping the folder",
        {
            "plan.yaml": HEAD + "      - notes/a.md\n",
            "notes/a.md": "## Q {#k2}\nSee\n![x](../../secret.png)\n",
        },
        "notes/a.md",
        3,
        "image '../../secret.png' is outside the plan folder",
    ),
    Case(
        "markdown image missing",
        {
            "plan.yaml": HEAD + "      - notes/a.md\n",
            "notes/a.md": "## Q {#k2}\nSee ![graph](img/graph.png)\n",
        },
        "notes/a.md",
        2,
        "image 'img/graph.png' not found",
    ),
    Case(
        "html img tag missing",
        {
            "plan.yaml": HEAD + "      - notes/a.md\n",
            "notes/a.md": '## Q {#k2}\nA\n\n<img src="pic.png" alt="p">\n',
        },
        "notes/a.md",
        4,
        "image 'pic.png' not found",
    ),
    Case(
        "inline card image with an absolute path",
        {"plan.yaml": HEAD.replace("back: A", "back: '![x](/etc/hosts)'")},
        "plan.yaml",
        15,
        "image '/etc/hosts' must be a path relative to",
    ),
    Case(
        "cloze without a deletion",
        {"plan.yaml": HEAD + "      - cloze: The capital of France is Paris.\n"},
        "plan.yaml",
        16,
        "cloze text has no deletion: mark the hidden part as {{c1::answer}}",
    ),
    Case(
        "cloze numbered from zero",
        {"plan.yaml": HEAD + "      - cloze: The capital is {{c0::Paris}}.\n"},
        "plan.yaml",
        16,
        "cloze text has no deletion",
    ),
    Case(
        "empty front",
        {"plan.yaml": HEAD.replace("front: Q", "front: ''")},
        "plan.yaml",
        14,
        "card front is empty",
    ),
    Case(
        "empty cloze text",
        {"plan.yaml": HEAD + "      - cloze: '  '\n"},
        "plan.yaml",
        16,
        "cloze text is empty",
    ),
    Case(
        "empty markdown heading",
        {"plan.yaml": HEAD + "      - notes/a.md\n", "notes/a.md": "## Q {#k2}\nA\n\n##\nB\n"},
        "notes/a.md",
        4,
        "card has an empty front",
    ),
    Case(
        "front and cloze together",
        {"plan.yaml": HEAD.replace("back: A", "back: A\n        cloze: '{{c1::x}}'")},
        "plan.yaml",
        13,
        "either front (with back) or cloze, not both",
    ),
    Case(
        "basic card without back",
        {"plan.yaml": HEAD.replace("        back: A\n", "")},
        "plan.yaml",
        13,
        "card has no back: add back: with the answer",
    ),
    Case(
        "markdown card without back",
        {"plan.yaml": HEAD + "      - notes/a.md\n", "notes/a.md": "## Just a question {#k2}\n"},
        "notes/a.md",
        1,
        "card has no back",
    ),
    Case(
        "yaml alias",
        {"plan.yaml": HEAD.replace("fte: 1", "fte: &f 1").replace("back: A", "back: *f")},
        "plan.yaml",
        8,
        "anchors and aliases",
    ),
    Case(
        "billion laughs",
        {
            "plan.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
                for i in range(8)
            )
            + HEAD
        },
        "plan.yaml",
        1,
        "anchors and aliases (&name, *name, <<) are not allowed",
    ),
    Case(
        "duplicate key",
        {"plan.yaml": HEAD.replace("fte: 1", "fte: 1\n    fte: 2")},
        "plan.yaml",
        9,
        "duplicate key",
    ),
    Case(
        "nesting bomb",
        {"plan.yaml": "plan: " + "[" * 5000 + "]" * 5000 + "\n"},
        "plan.yaml",
        1,
        "YAML error",
    ),
    Case(
        "unclosed front matter",
        {"plan.yaml": HEAD + "      - notes/a.md\n", "notes/a.md": "---\nlesson: l1\n## Q\nA\n"},
        "notes/a.md",
        1,
        "front matter opened with '---' is never closed",
    ),
    Case(
        "front matter YAML error",
        {
            "plan.yaml": HEAD + "      - notes/a.md\n",
            "notes/a.md": "---\nlesson: l1\ntags: [a\n---\n## Q {#k2}\nA\n",
        },
        "notes/a.md",
        4,
        "YAML error",
    ),
    Case(
        "unknown front matter key",
        {
            "plan.yaml": HEAD + "      - notes/a.md\n",
            "notes/a.md": "---\nlesson: l1\ncourse: c1\n---\n## Q {#k2}\nA\n",
        },
        "notes/a.md",
        3,
        "unknown key 'course' in front matter; expected one of: lesson, tags",
    ),
    Case(
        "two % separators",
        {
            "plan.yaml": HEAD + "      - notes/a.md\n",
            "notes/a.md": "## Q {#k2}\nmore\n%\nback\n%\nmore back\n",
        },
        "notes/a.md",
        5,
        "second '%' separator in one card (first at line 3)",
    ),
    Case(
        "attribute block syntax",
        {
            "plan.yaml": HEAD + "      - notes/a.md\n",
            "notes/a.md": "# Title\n\n## Q {#k2 reversed}\nA\n",
        },
        "notes/a.md",
        3,
        "unknown attribute 'reversed' in {...}: expected #id, .reversed, lesson=ID or tags=a,b",
    ),
    Case(
        "card id not a slug in markdown",
        {"plan.yaml": HEAD + "      - notes/a.md\n", "notes/a.md": "## Q {#Bad_ID}\nA\n"},
        "notes/a.md",
        1,
        "card id 'Bad_ID' is not a slug",
    ),
    Case(
        "text before the first card",
        {
            "plan.yaml": HEAD + "      - notes/a.md\n",
            "notes/a.md": "# Title\n\nSome notes first.\n\n## Q {#k2}\nA\n",
        },
        "notes/a.md",
        3,
        "text outside any card; start each card with a '## ' heading",
    ),
    Case(
        "cloze marked reversed",
        {
            "plan.yaml": HEAD + "      - notes/a.md\n",
            "notes/a.md": "## Paris is the {{c1::capital}} {#k2 .reversed}\n",
        },
        "notes/a.md",
        1,
        "a cloze card cannot be .reversed",
    ),
    Case(
        "card without id under --no-write",
        {"plan.yaml": HEAD + "      - notes/a.md\n", "notes/a.md": "# T\n## Q\nA\n"},
        "notes/a.md",
        2,
        "card has no id; build without --no-write to assign one",
        assign_ids=False,
    ),
    Case(
        "inline card without id under --no-write",
        {"plan.yaml": HEAD.replace("      - id: k1\n        front", "      - front")},
        "plan.yaml",
        13,
        "card has no id; build without --no-write",
        assign_ids=False,
    ),
    Case(
        "lessons not a list",
        {
            "plan.yaml": HEAD.replace(
                "    lessons:\n      - id: l1\n        title: Lesson one\n", "    lessons: l1\n"
            )
        },
        "plan.yaml",
        9,
        "lessons must be a list",
    ),
    Case(
        "cards of the wrong type",
        {
            "plan.yaml": HEAD.replace(
                "    cards:\n      - id: k1\n        front: Q\n        back: A\n", "    cards: 42\n"
            )
        },
        "plan.yaml",
        12,
        "cards must be a file name, a list of file names or a list of cards, not a number",
    ),
    Case(
        "markdown file not utf-8",
        {"plan.yaml": HEAD + "      - notes/a.md\n", "notes/a.md": b"## Q {#k2}\n\xff\xfe\n"},
        "notes/a.md",
        2,
        "not valid UTF-8",
    ),
    Case(
        "tags not a list",
        {"plan.yaml": HEAD + "        tags: calculus\n"},
        "plan.yaml",
        16,
        "tags must be a list",
    ),
    Case(
        "tag with a space",
        {"plan.yaml": HEAD + "        tags: [linear algebra]\n"},
        "plan.yaml",
        16,
        "tag 'linear algebra' is not valid",
    ),
    Case(
        "lesson key on a card inside a lesson",
        {
            "plan.yaml": HEAD.replace(
                "        title: Lesson one\n",
                "        title: Lesson one\n"
                "        cards:\n          - {id: k5, front: q, back: a, "
                "lesson: l2}\n",
            )
        },
        "plan.yaml",
        13,
        "this card is listed under lesson 'l1' but says lesson: l2",
    ),
    Case(
        "resource without cost",
        {"plan.yaml": HEAD + "resources:\n  - id: gpu\n    title: GPU\n"},
        "plan.yaml",
        17,
        "resource 'gpu' is missing the required key 'cost'",
    ),
    Case(
        "card id given as a number",
        {"plan.yaml": HEAD.replace("id: k1", "id: 12345678")},
        "plan.yaml",
        13,
        "card id 12345678 must be text: put it in quotes",
    ),
    Case(
        "card file name with a NUL byte",
        {"plan.yaml": HEAD + '      - "notes/a\\0.md"\n'},
        "plan.yaml",
        16,
        "is empty or holds a NUL character",
    ),
    Case(
        "image given as a file: URL",
        {"plan.yaml": HEAD.replace("back: A", "back: '<img src=\"file:///etc/hosts\">'")},
        "plan.yaml",
        15,
        "image 'file:///etc/hosts' must be a path relative to",
    ),
    Case(
        "card file that is a folder",
        {"plan.yaml": HEAD + "      - notes\n", "notes/a.md": "## Q {#k2}\nA\n"},
        "plan.yaml",
        16,
        "card file 'notes' is not a file",
    ),
    Case(
        "empty card id",
        {"plan.yaml": HEAD.replace("id: k1", "id:")},
        "plan.yaml",
        13,
        "card id is empty; remove the key to have an id assigned",
    ),
    Case(
        "course list empty",
        {"plan.yaml": "plan:\n  id: p\n  title: T\n  start: 2020-01-06\ncourses: []\n"},
        "plan.yaml",
        5,
        "courses: must be a non-empty list",
    ),
]


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))


def _snapshot(root: Path) -> dict[str, bytes | str]:
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                out[rel] = "link:" + os.readlink(path)
            elif path.is_file():
                out[rel] = path.read_bytes()
            else:
                out[rel] = "dir"
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_reported_at_its_line(tmp_path: Path, case: Case) -> None:
    root = tmp_path / "plan"
    root.mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.md").write_text("## Q {#zz}\nA\n")
    (tmp_path / "secret.png").write_bytes(b"\x89PNG")
    _write(root, case.files)
    for name, target in case.links.items():
        os.symlink(target, root / name)
    before = _snapshot(tmp_path)

    with pytest.raises(PlanError) as caught:
        load_plan(root / "plan.yaml", assign_ids=case.assign_ids)

    expected = root / case.file
    matching = [
        p
        for p in caught.value.problems
        if Path(p.path) == expected and p.line == case.line and case.fragment in p.message
    ]
    assert matching, f"expected {expected}:{case.line}: ...{case.fragment}...\ngot:\n{caught.value}"
    assert _snapshot(tmp_path) == before


def test_there_are_at_least_thirty_distinct_cases() -> None:
    assert len({c.name for c in CASES}) == len(CASES) >= 30


def test_several_problems_are_reported_in_one_run(tmp_path: Path) -> None:
    text = HEAD.replace("fte: 1", "fte: -1").replace("id: l1", "id: L1") + "  - id: c2\n"
    (tmp_path / "plan.yaml").write_text(text)
    with pytest.raises(PlanError) as caught:
        load_plan(tmp_path / "plan.yaml")
    lines = sorted(p.line for p in caught.value.problems)
    # fte at 8, lesson id at 10, second course missing title and fte at 16.
    assert lines == [8, 10, 16, 16]
    assert str(caught.value).count(f"{tmp_path / 'plan.yaml'}:") == 4


def test_file_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "plan.yaml").write_text(HEAD + "      - notes/big.md\n")
    with open(tmp_path / "notes" / "big.md", "wb") as handle:
        handle.truncate(20 * 1024 * 1024 + 1)  # sparse: cheap to create
    with pytest.raises(PlanError) as caught:
        load_plan(tmp_path / "plan.yaml")
    problem = caught.value.problems[0]
    assert Path(problem.path) == tmp_path / "notes" / "big.md"
    assert "larger than 20 MB" in problem.message


def test_missing_plan_file_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="file not found"):
        load_plan(tmp_path / "nope.yaml")


def test_plan_file_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="is a folder"):
        load_plan(tmp_path)


def test_a_missing_image_is_reported_for_every_card_that_shows_it(tmp_path: Path) -> None:
    # The reader remembers what it found on disk for each (name, folder); every card that
    # shows the image must still get its own problem at its own line.
    _write(
        tmp_path,
        {
            "plan.yaml": HEAD + "      - {id: k2, front: 'Q ![x](pic.png)', back: A}\n"
            "      - notes/a.md\n      - more/b.md\n",
            "notes/a.md": md("""
            ## One {#k3}
            ![x](pic.png)

            ## Two {#k4}
            ![x](pic.png) and again ![y](pic.png)
            """),
            "more/b.md": "## Three {#k5}\n![x](pic.png)\n",
            "more/pic.png": b"\x89PNG",  # found from more/, missing from notes/ and the plan folder
        },
    )
    with pytest.raises(PlanError) as caught:
        load_plan(tmp_path / "plan.yaml")
    assert [
        (Path(p.path).relative_to(tmp_path).as_posix(), p.line, p.message)
        for p in caught.value.problems
    ] == [
        ("plan.yaml", 16, f"image 'pic.png' not found (looked for {tmp_path / 'pic.png'})"),
        (
            "notes/a.md",
            2,
            f"image 'pic.png' not found (looked for {tmp_path / 'notes' / 'pic.png'})",
        ),
        (
            "notes/a.md",
            5,
            f"image 'pic.png' not found (looked for {tmp_path / 'notes' / 'pic.png'})",
        ),
        (
            "notes/a.md",
            5,
            f"image 'pic.png' not found (looked for {tmp_path / 'notes' / 'pic.png'})",
        ),
    ]


def test_card_problems_of_a_course_come_in_file_and_line_order(tmp_path: Path) -> None:
    # The outline first, then each card file in the order the outline names it (here
    # the lesson's file comes first), and within a file by line.
    plan = HEAD.replace(
        "      - id: l1\n        title: Lesson one\n",
        "      - id: l1\n        title: Lesson one\n        cards: notes/l.md\n",
    )
    _write(
        tmp_path,
        {
            "plan.yaml": plan + "      - notes/a.md\n",
            "notes/a.md": "## Q {#k1}\nA\n\n## R {#k2 lesson=l9}\nB\n\n## S\nC\n\n## T {#k2}\nD\n",
            "notes/l.md": "## U {#k1}\nE\n\n## V\nF\n",
        },
    )
    with pytest.raises(PlanError) as caught:
        load_plan(tmp_path / "plan.yaml", assign_ids=False)
    a, lfile, plan_file = (
        tmp_path / "notes" / "a.md",
        tmp_path / "notes" / "l.md",
        tmp_path / "plan.yaml",
    )
    assert [str(p) for p in caught.value.problems] == [
        f"{lfile}:1: duplicate card id 'k1' in course 'c1' (first used at {plan_file}:14); "
        "give one of them a new id, or delete it to have one assigned",
        f"{lfile}:4: card has no id; build without --no-write to assign one",
        f"{a}:1: duplicate card id 'k1' in course 'c1' (first used at {plan_file}:14); give "
        "one of them a new id, or delete it to have one assigned",
        f"{a}:4: card names lesson 'l9', which course 'c1' does not have (its lessons: l1)",
        f"{a}:7: card has no id; build without --no-write to assign one",
        f"{a}:10: duplicate card id 'k2' in course 'c1' (first used at {a}:4); give one of "
        "them a new id, or delete it to have one assigned",
    ]
