"""Check an installed copy of the built add-on, outside Anki, with the standard library only.

Usage (build_addon.check_installed runs it): python -I -S -B check_addon.py ADDONS FOLDER WORK

Imports the add-on the way Anki does (ADDONS on ``sys.path``, then ``import FOLDER``), with
a decoy top-level package for every vendored library also on ``sys.path`` - what another
add-on's copies would be. Then it imports each of the add-on's modules that need no Anki,
and uses the vendored libraries through the add-on's package: learnplan builds the bundled
plan into WORK/default.apkg (PyYAML's pure-Python parser reads it: libyaml is not
vendored), genanki writes the same notes into WORK/genanki.apkg, learnplan builds a small
outline whose card needs markdown-it and bleach into WORK/markdown.apkg and writes the id
of a new card back into a copy of it (ruamel.yaml edits the file), and PyYAML, markdown-it,
bleach, ruamel.yaml and chevron each do one small job. It fails (exit 1) unless:

- ``sys.path`` is exactly what it was before the add-on was imported;
- the only top-level module name added outside the standard library is FOLDER;
- every module loaded from the add-on's files is named ``FOLDER.…``;
- no decoy was imported by the add-on, and importing one afterwards still gives the decoy.

Its findings go to WORK/check.json for the tests (which import both packages into a real
collection).
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback
from pathlib import Path
from typing import Any

DECOY = "DECOY_FROM_ANOTHER_ADDON"


def _top_level() -> set[str]:
    return {name.partition(".")[0] for name in sys.modules}


def _plant_decoys(folder: Path, names: list[str]) -> None:
    for name in names:
        package = folder / name
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text(f"{DECOY} = True\n", encoding="utf-8")


def _addon_modules(addon: Path, package: str) -> tuple[list[str], list[str]]:
    """Import every top-level module of the add-on; returns (imported, needing Anki)."""
    imported, need_anki = [], []
    for path in sorted(addon.glob("*.py")):
        if path.stem == "__init__":
            continue
        name = f"{package}.{path.stem}"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if (exc.name or "").partition(".")[0] not in ("aqt", "anki"):
                raise
            need_anki.append(name)
        else:
            imported.append(name)
    return imported, need_anki


# Markdown that needs the parser (a table, emphasis) and HTML that bleach must clean
# (allow_html is off by default).
MARKDOWN_OUTLINE = """\
plan:
  id: vendored
  title: Vendored Check
  start: 2026-01-05
  weeks: 4
courses:
  - id: c1
    title: Course One
    fte: 0.5
    lessons:
      - id: l1
        title: Lesson One
        cards:
          - id: table
            front: "*Which* sizes?"
            back: |
              | size | bytes |
              |------|-------|
              | int  | 4     |

              <b>bold</b><script>alert(1)</script>
"""


def _use_libraries(package: str, work: Path) -> dict[str, Any]:
    vendor = f"{package}._vendor"
    outline = importlib.import_module(f"{vendor}.learnplan.reading.outline")
    deck = importlib.import_module(f"{vendor}.learnplan.building.deck")
    writer = importlib.import_module(f"{vendor}.learnplan.building.apkg")
    plan = outline.load_plan(outline.default_plan_path(), assign_ids=False)
    built = deck.build_package(plan)
    apkg = writer.write_package(built, work / "default.apkg")
    built.package.write_to_file(str(work / "genanki.apkg"))  # genanki's own writer
    source = work / "markdown" / "plan.yaml"
    source.parent.mkdir()
    source.write_text(MARKDOWN_OUTLINE, encoding="utf-8")
    markdown = deck.build_package(outline.load_plan(source, assign_ids=False))
    writer.write_package(markdown, work / "markdown.apkg")
    # A new card's id written back into its outline (ruamel.yaml edits the file).
    fresh = work / "fresh" / "plan.yaml"
    fresh.parent.mkdir()
    no_id = MARKDOWN_OUTLINE.replace("- id: table\n            front:", "- front:")
    fresh.write_text(no_id, encoding="utf-8")
    writeback = importlib.import_module(f"{vendor}.learnplan.reading.writeback")
    writeback.write_back_ids(outline.load_plan(fresh))
    assert outline.load_plan(fresh, assign_ids=False).courses[0].cards[0].key
    prefix = vendor + "."
    loaded = sorted(
        {n[len(prefix) :].partition(".")[0] for n in sys.modules if n.startswith(prefix)}
    )

    yaml = importlib.import_module(f"{vendor}.yaml")
    ruamel_yaml = importlib.import_module(f"{vendor}.ruamel.yaml")
    markdown_it = importlib.import_module(f"{vendor}.markdown_it")
    bleach = importlib.import_module(f"{vendor}.bleach")
    chevron = importlib.import_module(f"{vendor}.chevron")
    assert yaml.safe_load("a: [1, 2]") == {"a": [1, 2]}
    assert dict(ruamel_yaml.YAML(typ="safe", pure=True).load("b: 3")) == {"b": 3}
    assert markdown_it.MarkdownIt().render("*x*").strip() == "<p><em>x</em></p>"
    assert bleach.clean("<script>x</script><b>y</b>") == "&lt;script&gt;x&lt;/script&gt;<b>y</b>"
    assert chevron.render("{{a}}", {"a": "z"}) == "z"
    return {
        "apkg": str(apkg),
        "genanki_apkg": str(work / "genanki.apkg"),
        "markdown_apkg": str(work / "markdown.apkg"),
        "plan_id": plan.id,
        "notes": built.note_count,
        "cards": built.card_count,
        "learnplan_file": importlib.import_module(f"{vendor}.learnplan").__file__,
        "loaded_by_build": loaded,
    }


def check(addons: Path, package: str, work: Path) -> dict[str, Any]:
    addon = addons / package
    vendored = sorted(
        p.name if p.is_dir() else p.stem
        for p in (addon / "_vendor").iterdir()
        if (p.is_dir() and p.name.isidentifier()) or (p.suffix == ".py" and p.stem != "__init__")
    )
    decoys = work / "other-addon-libraries"
    _plant_decoys(decoys, vendored)
    sys.path.insert(0, str(addons))  # what Anki's add-on manager does
    sys.path.append(str(decoys))
    path_before = list(sys.path)
    top_before = _top_level()

    importlib.import_module(package)
    imported, need_anki = _addon_modules(addon, package)
    used = _use_libraries(package, work)

    problems = []
    if sys.path != path_before:
        problems.append(f"sys.path changed: {path_before} -> {sys.path}")
    added = sorted(_top_level() - top_before)
    foreign = [n for n in added if n != package and n not in sys.stdlib_module_names]
    if foreign:
        problems.append(f"top-level modules added besides {package!r}: {foreign}")
    root = str(addon.resolve())
    misnamed = sorted(
        name
        for name, module in list(sys.modules.items())
        if str(Path(getattr(module, "__file__", None) or "/").resolve()).startswith(root)
        and not name.startswith(package + ".")
        and name != package
    )
    if misnamed:
        problems.append(f"modules loaded from the add-on under other names: {misnamed}")
    touched = [n for n in vendored if n in sys.modules]
    if touched:
        problems.append(f"decoys imported by the add-on: {touched}")
    shadowed = [n for n in vendored if not getattr(importlib.import_module(n), DECOY, False)]
    if shadowed:
        problems.append(f"another add-on's copy is shadowed: {shadowed}")
    if not used["learnplan_file"].startswith(root):
        problems.append(f"learnplan came from {used['learnplan_file']}")
    if problems:
        raise AssertionError("\n".join(problems))
    return {
        **used,
        "package": package,
        "vendored": vendored,
        "addon_modules": imported,
        "need_anki": need_anki,
        "top_level_added": added,
        "stdlib_added": [n for n in added if n != package],
        "sys_path_unchanged": True,
    }


def main(argv: list[str]) -> int:
    addons, package, work = Path(argv[0]), argv[1], Path(argv[2])
    try:
        found = check(addons, package, work)
    except Exception:
        traceback.print_exc()
        return 1
    (work / "check.json").write_text(json.dumps(found, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
