"""The panel and the report show the same figures, field by field, on one real collection.

The bundled plan imported into a real ``anki.collection.Collection``
(``update_collection``), FSRS on and cards answered through Anki's own scheduler,
progress recorded through the record store (``addon/store.py``): then the panel's HTML
as ``addon/loader.load`` renders it for the webview, and the report as the learner runs
it, ``learnplan report --collection COL --json`` and ``--html`` in a process of its own.
Every figure the panel shows is read back out of its HTML and compared with the report's
HTML and JSON; so is the summary in the plan's deck description.

The report runs in another process, so a formatting rule changed in this one (as the
panel's own copies used to differ) changes the panel alone: the last test shows that
the comparison then fails, naming the figures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from anki.collection import Collection
from anki.scheduler_pb2 import CardAnswer
from helpers_anki import answer

from addon import loader, store
from learnplan.collection.studyday import study_today
from learnplan.collection.summary import find_block
from learnplan.collection.update import update_collection
from learnplan.figures import format as fmt
from learnplan.progress.log import (
    CostPaid,
    ProgressLog,
    Revision,
    Session,
    add_cost,
    add_revision,
    add_session,
    mark_lesson_done,
)
from learnplan.reading.outline import default_plan_path, load_plan

# --- reading an HTML page back: a small tree, queried by id, class and tag


@dataclasses.dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = dataclasses.field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    @property
    def own_text(self) -> str:
        """Text of this element outside its child elements."""
        return "".join(c for c in self.children if isinstance(c, str))

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [
            n
            for n in self.walk()
            if (tag is None or n.tag == tag)
            and (cls is None or cls in n.attrs.get("class", "").split())
        ]

    def by_id(self, element_id: str) -> Node | None:
        return next((n for n in self.walk() if n.attrs.get("id") == element_id), None)

    def get(self, element_id: str) -> Node:
        node = self.by_id(element_id)
        assert node is not None, f"no element #{element_id}"
        return node


_VOID = {"meta", "input", "br", "img", "link", "hr"}


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def tree(page: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(page)
    builder.close()
    return builder.root


def _table(table: Node) -> tuple[list[Node], list[list[Node]]]:
    """A table's header cells and its body rows' cells."""
    head = table.find_all("th")
    rows = [r.find_all("td") for r in table.find_all("tbody")[0].find_all("tr")]
    return head, rows


# --- what each side shows


def panel_shows(page: str) -> dict[str, Any]:
    """Every figure in the panel's HTML, by what it is."""
    root = tree(page)
    shown: dict[str, Any] = {"headline": root.get("lp-headline").text}
    shown["tiles"] = {
        t.find_all(cls="lp-value")[0].attrs["id"].removeprefix("lp-"): (
            t.find_all(cls="lp-label")[0].text,
            t.find_all(cls="lp-value")[0].text,
            t.attrs.get("title", ""),
        )
        for t in root.find_all(cls="lp-tile")
    }
    nxt = root.by_id("lp-next")
    shown["next_up"] = None if nxt is None else (nxt.text, nxt.attrs.get("title", ""))
    warning = root.by_id("lp-warning")
    shown["warning"] = "" if warning is None else warning.own_text
    trim = root.find_all("ul", cls="lp-trim")
    shown["trim"] = [li.text for li in trim[0].find_all("li")] if trim else []
    head, rows = _table(root.get("lp-table"))
    keys = [th.attrs["id"].removeprefix("lp-col-") for th in head[1:]]
    courses: dict[str, dict[str, Any]] = {}
    for row in rows:
        link = row[0].find_all("a")
        if link and link[0].attrs.get("id", "").startswith("lp-browse-"):
            cid = link[0].attrs["id"].removeprefix("lp-browse-")
            cells = dict(zip(keys, (c.text for c in row[1:]), strict=True))
            revised = row[1].find_all(cls="lp-revised")
            if revised:
                cells["fte"] = cells["fte"].removesuffix("*")
            courses[cid] = {
                "cells": cells,
                "fte_note": revised[0].attrs["title"] if revised else "",
                "progress": root.get(f"lp-progress-{cid}").text,
                "memory_line": (root.by_id(f"lp-memory-{cid}") or Node("p", {})).text,
                "revisions": [
                    li.text
                    for li in (root.by_id(f"lp-history-{cid}") or Node("ul", {})).walk()
                    if li.tag == "li"
                ],
            }
        elif row[0].text == "Total":
            shown["totals"] = dict(zip(keys, (c.text for c in row[1:]), strict=True))
        else:
            cost = row[1 + keys.index("cost")].text
            shown.setdefault("resources", []).append(cost)
    shown["courses"] = courses
    shown["columns"] = {th.attrs["id"].removeprefix("lp-col-"): th.text for th in head[1:]}
    return shown


def report_shows(page: str) -> dict[str, Any]:
    """Every figure in the HTML report, by what it is."""
    root = tree(page)
    shown: dict[str, Any] = {"headline": root.find_all(cls="headline")[0].text}
    shown["tiles"] = {
        t.find_all(cls="label")[0].text: (
            t.find_all(cls="value")[0].text,
            (t.find_all(cls="note") or [Node("div", {})])[0].text,
        )
        for t in root.find_all(cls="tile")
    }
    nxt = root.find_all(cls="next")
    shown["next_up"] = nxt[0].text if nxt else None
    warning = root.by_id("warning")
    shown["warning"] = "" if warning is None else warning.text
    trim = root.by_id("trim")
    shown["trim"] = [[c.text for c in row] for row in _table(trim)[1]] if trim else []
    for name in ("courses", "memory"):
        table = root.by_id(name)
        if table is None:
            shown[name] = []
            continue
        head, rows = _table(table)
        labels = [th.text for th in head[1:]]
        shown[name] = [dict(zip(labels, (c.text for c in row[1:]), strict=True)) for row in rows]
    return shown


# --- the comparison


def disagreements(panel: dict[str, Any], report: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """Where the panel, the HTML report and the JSON report show a figure differently."""
    f = data["figures"]
    out: list[str] = []

    def same(what: str, *values: object) -> None:
        if any(v != values[0] for v in values[1:]):
            out.append(f"{what}: " + " | ".join(repr(v) for v in values))

    same("headline", panel["headline"], report["headline"], f["headline"], data["headline"])
    tiles = {t["id"]: t for t in f["tiles"]}
    for tile_id, (label, value, note) in panel["tiles"].items():
        t = tiles[tile_id]
        same(f"tile {tile_id} label", label, t["label"])
        same(f"tile {tile_id}", value, report["tiles"][label][0], t["value"])
        same(f"tile {tile_id} note", note, report["tiles"][label][1], t["note"])
    for label, (value, note) in report["tiles"].items():
        t = next(t for t in f["tiles"] if t["label"] == label)
        same(f"report tile {label}", (value, note), (t["value"], t["note"]))
    if f["next_up"] is None:
        same("next up", panel["next_up"], report["next_up"], None)
    else:
        n = f["next_up"]
        same("next up", panel["next_up"], (f"Next up: {n['text']}", n["note"]))
        same("next up (report)", report["next_up"], f"Next up: {n['text']} ({n['note']})")
    same("warning", panel["warning"], report["warning"], f["warning"])
    same("trim (panel)", panel["trim"], [f"{t['name']}: {t['suggested']}" for t in f["trim"]])
    trim = [[t["name"], t["fte"], t["suggested"]] for t in f["trim"]]
    same("trim (report)", report["trim"], trim)
    labels = {c: panel["columns"][c] for c in panel["columns"]}
    remembered = [c for c in f["courses"] if data["memory"] and c["id"] in data["memory"]]
    same("courses", list(panel["courses"]), [c["id"] for c in f["courses"]])
    for index, course in enumerate(f["courses"]):
        shown = panel["courses"].get(course["id"], {})
        row = report["courses"][index] if index < len(report["courses"]) else {}
        cells = {**course["cells"], **course["cells"]["memory"]}
        for key, value in shown.get("cells", {}).items():
            report_value = row.get(labels[key], value)
            if key in course["cells"]["memory"]:
                memory_row = remembered.index(course) if course in remembered else None
                report_value = (
                    report["memory"][memory_row][labels[key]] if memory_row is not None else "–"
                )
            same(f"{course['id']} {key}", value, report_value, cells[key])
        for key in ("fte_note", "progress", "revisions"):
            same(f"{course['id']} {key}", shown.get(key), course[key])
        same(f"{course['id']} memory", shown.get("memory_line"), course["cells"]["memory"]["line"])
    totals = {**f["totals"], **f["totals"]["memory"]}
    for key, value in panel["totals"].items():
        same(f"total {key}", value, totals[key])
    same("resources", panel.get("resources", []), [r["cost"] for r in f["resources"]])
    return out


# --- the collection


@dataclasses.dataclass(frozen=True)
class World:
    path: Path
    today: dt.date
    panel_html: str
    description: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("agree")
    path = folder / "collection.anki2"
    col = Collection(str(path))
    try:
        today = study_today(col)
        # Three weeks in: something planned, earned, spent and paid, a pace to forecast.
        plan = dataclasses.replace(
            load_plan(default_plan_path()), start=today - dt.timedelta(days=20)
        )
        update_collection(col, plan)
        store.adopt_plan(col, plan)
        col.set_config("fsrs", True)
        p1, p2, dlai = plan.courses[0], plan.courses[1], plan.course("dlai")
        assert dlai is not None
        good, again = CardAnswer.GOOD, CardAnswer.AGAIN
        # each after half a minute: Anki's review time
        assert answer(col, plan.deck_name(p1), [good, good, good, again, good], seconds=30) == 5
        assert answer(col, plan.deck_name(p2), [good, again], seconds=30) == 2
        changes: list[Callable[[ProgressLog], ProgressLog]] = [
            lambda lg: mark_lesson_done(lg, p1.id, p1.lessons[0].id, plan.start),
            lambda lg: mark_lesson_done(lg, p1.id, p1.lessons[1].id, plan.start),
            lambda lg: mark_lesson_done(lg, p1.id, p1.lessons[2].id, today),
            lambda lg: mark_lesson_done(lg, dlai.id, dlai.lessons[0].id, today),
            lambda lg: add_session(lg, Session(plan.start, p1.id, 6.5, note="lectures")),
            lambda lg: add_session(lg, Session(today, dlai.id, 2.25)),
            lambda lg: add_cost(lg, CostPaid(plan.start, dlai.id, 45)),
            lambda lg: add_cost(lg, CostPaid(today, "gpu", 12.5)),
            lambda lg: add_revision(lg, Revision(today, p2.id, "more time for maths", fte=1.0)),
        ]
        for change in changes:
            store.update_log(col, plan.id, change, "Test")
        loaded = loader.load(col, loader.TrackerBox())
        assert loaded.plan is not None and loaded.today == today
        root_id = col.decks.id_for_name(plan.title)
        assert root_id is not None
        root = col.decks.get(root_id)
        assert root is not None
        description = str(root["desc"])
    finally:
        col.close()
    return World(path, today, loaded.html, description)


def _report(world: World, *args: str) -> str:
    """``learnplan report --collection COL`` in a process of its own (as a learner runs it)."""
    done = subprocess.run(
        [
            *(sys.executable, "-m", "learnplan.cli", "report"),
            *("--collection", str(world.path), "--today", world.today.isoformat(), *args),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def report(world: World) -> tuple[dict[str, Any], str]:
    data = json.loads(_report(world, "--json"))
    out = world.path.parent / "report.html"
    _report(world, "--html", "-o", str(out), "--force")
    return data, out.read_text(encoding="utf-8")


def test_panel_and_report_agree_field_by_field(
    world: World, report: tuple[dict[str, Any], str]
) -> None:
    data, page = report
    panel, shown = panel_shows(world.panel_html), report_shows(page)
    assert disagreements(panel, shown, data) == []
    # The comparison compared something: every kind of figure is there, and real.
    f = data["figures"]
    assert len(panel["tiles"]) == 7 and len(shown["tiles"]) == 10
    assert panel["tiles"]["cost"][1] == "$57.50 of $367"  # $45 + $12.50
    assert panel["headline"].startswith("Week 3 of 12:")
    assert "0.0 h in Anki" not in panel["tiles"]["spent"][2]  # review time counts as spent
    p1 = f["courses"][0]
    assert panel["courses"][p1["id"]]["cells"]["done"] == p1["cells"]["done"] != "0%"
    learning = sum(int(c["cells"]["memory"]["learning"]) for c in f["courses"][:2])
    assert learning > 0 and panel["courses"][p1["id"]]["cells"]["knowledge"] not in ("–", "")
    assert "knowledge" in panel["columns"] and shown["memory"]
    assert panel["courses"][f["courses"][1]["id"]]["fte_note"].startswith("revised from")
    assert panel["warning"] and panel["trim"] and panel["next_up"]
    assert len(panel["courses"]) == len(f["courses"]) == len(shown["courses"])


def test_the_deck_summary_shows_the_same_figures(
    world: World, report: tuple[dict[str, Any], str]
) -> None:
    found = find_block(world.description)
    assert found is not None and found[1] == world.today
    body = found[0].split('class="learnplan-summary">', 1)[1].split("</div>", 1)[0]
    lines = [tree(part).text for part in body.split("<br>")]
    assert lines == report[0]["figures"]["summary"]
    assert lines[0] == panel_shows(world.panel_html)["headline"]


def test_a_panel_that_formats_differently_is_caught(
    world: World, report: tuple[dict[str, Any], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old rules (points to one decimal as the panel had them, money always with
    cents as the report had it) in this process only: the report, in its own process,
    keeps the figures' rules."""
    data, page = report
    monkeypatch.setattr(fmt, "points", lambda value: f"{value:.1f}")
    monkeypatch.setattr(fmt, "money", lambda amount, currency: f"${amount:,.2f}")
    col = Collection(str(world.path))
    try:
        page_now = loader.load(col, loader.TrackerBox()).html
    finally:
        col.close()
    found = disagreements(panel_shows(page_now), report_shows(page), data)
    names = {line.split(":", 1)[0] for line in found}
    assert "tile cost" in names and "tile earned" in names
    assert any(name.endswith(" earned") for name in names)  # a course's cell
    assert "total fte" in names or "total earned" in names
