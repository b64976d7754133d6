"""Run the real Anki desktop with the built add-on under Xvfb.

Used by tests/desktop/test_desktop.py and scripts/desktop_check.py. The tests drive the
panel from inside Anki with driver.py, which ``install_driver`` brings in as a second,
test-only add-on: the built add-on itself has no test hooks. Needs the Debian
packages in scripts/ci_desktop_deps.sh and `aqt[qt]` in the venv. Works as root
(WebEngine's sandbox is turned off through the environment, as Anki's docs advise).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path, PurePosixPath
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PROFILE = "User 1"
TOOLS = ("Xvfb", "xdotool", "import")

_SEED = """
import sys
from aqt.profiles import ProfileManager
from aqt.theme import Theme
pm = ProfileManager(ProfileManager.get_created_base_folder(sys.argv[1]))
pm.setupMeta()
pm.setLang("en_US")
pm.create(sys.argv[2])
pm.load(sys.argv[2])
pm.meta["firstRun"] = False
pm.set_theme(Theme[sys.argv[3]])
# no update checks or sync prompts from a test profile
pm.meta["check_for_addon_updates"] = False
pm.profile["autoSync"] = False
pm.save()
"""

_RUN_ANKI = "import sys, aqt; sys.argv = ['anki', '-b', sys.argv[1], '-p', sys.argv[2]]; aqt.run()"


def unavailable_reason() -> str | None:
    """Why the desktop test cannot run here, or None if it can."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"missing programs {missing} (install: scripts/ci_desktop_deps.sh)"
    if find_spec("aqt") is None:
        return "aqt is not installed (pip install 'aqt[qt]==26.9.3')"
    return None


@contextlib.contextmanager
def xvfb(width: int = 1440, height: int = 1000) -> Iterator[str]:
    """Start a private X server; yields its DISPLAY value."""
    for number in range(91, 160):
        if (
            not Path(f"/tmp/.X{number}-lock").exists()
            and not Path(f"/tmp/.X11-unix/X{number}").exists()
        ):
            break
    else:
        raise RuntimeError("no free X display number")
    display = f":{number}"
    proc = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        socket = Path(f"/tmp/.X11-unix/X{number}")
        deadline = time.monotonic() + 20
        while not socket.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Xvfb {display} did not start")
            time.sleep(0.05)
        yield display
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def seed_profile(base: Path, *, theme: str = "LIGHT") -> Path:
    """A profile base Anki opens straight into "User 1" (no first-run dialogs), with an
    empty collection whose day cutoff is half a day away from now (see
    ``helpers_anki.far_rollover``), so what is due and which day it is do not depend on
    the time the test runs."""
    from helpers_anki import open_collection

    base.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-c", _SEED, str(base), PROFILE, theme],
        check=True,
        env=_quiet_env({}),
        capture_output=True,
    )
    path = collection_path(base)
    open_collection(path.parent, path.name).close()
    return base


def collection_path(base: Path) -> Path:
    return base / PROFILE / "collection.anki2"


def write_default_package(work: Path) -> tuple[Path, str]:
    """The default plan's .apkg as `learnplan build` writes it, and the plan id."""
    from learnplan.building.apkg import write_package
    from learnplan.building.deck import build_package
    from learnplan.reading.outline import default_plan_path, load_plan

    plan = load_plan(default_plan_path(), assign_ids=False)
    return write_package(build_package(plan), work / "default.apkg"), plan.id


def import_default_plan(base: Path, work: Path) -> str:
    """Import the default plan's deck the way File › Import would; returns the plan id."""
    from anki.collection import Collection

    from learnplan.collection.importer import import_package

    apkg, plan_id = write_default_package(work)
    col = Collection(str(collection_path(base)))
    try:
        import_package(col, apkg, plain=True)
    finally:
        col.close()
    return plan_id


HOSTILE = "<img src=x onerror=alert(1)>"

OUTLINE = """\
plan:
  id: hostile
  title: "Plan <b>bold</b> & co"
  start: 2026-01-05
  weeks: 4
courses:
  - id: evil
    provider: "Prov <i>x</i>"
    title: "<img src=x onerror=alert(1)>"
    fte: 0.5
    lessons:
      - id: l1
        title: "<script>alert(2)</script>"
        cards:
          - front: What is 2 + 2?
            back: "4"
"""


def write_outline(folder: Path) -> Path:
    """A small outline with markup in every title and a card still without an id."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "plan.yaml"
    path.write_text(OUTLINE, encoding="utf-8")
    return path


SMALL_OUTLINE = """\
plan:
  id: small
  title: Small Plan
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
          - id: sum22
            front: What is 2 + 2?
            back: "4"
          - id: capital
            front: Capital of France?
            back: Paris
      - id: l2
        title: Lesson Two
        cards:
          - id: sky
            front: Colour of the sky?
            back: Blue
"""

# The learner's edit: "capital" moves to lesson l2, "sky" gets a new back; ids unchanged.
SMALL_OUTLINE_EDITED = """\
plan:
  id: small
  title: Small Plan
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
          - id: sum22
            front: What is 2 + 2?
            back: "4"
      - id: l2
        title: Lesson Two
        cards:
          - id: capital
            front: Capital of France?
            back: Paris
          - id: sky
            front: Colour of the sky?
            back: Blue by day, red at dusk
"""


def write_small_outlines(folder: Path) -> tuple[Path, Path]:
    """A two-lesson outline, and (in another file) the same outline as the learner edits it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "small.yaml"
    path.write_text(SMALL_OUTLINE, encoding="utf-8")
    edited = folder / "small-edited.yaml.txt"
    edited.write_text(SMALL_OUTLINE_EDITED, encoding="utf-8")
    return path, edited


def build_addon_module() -> Any:
    """scripts/build_addon.py as a module (scripts/ is not a package; pytest's ``pythonpath``
    and scripts/desktop_check.py put it on the path)."""
    return importlib.import_module("build_addon")


def build_addon(out: Path) -> Path:
    """The .ankiaddon as `python scripts/build_addon.py --out OUT` writes (self-check run)."""
    assert build_addon_module().main(["--out", str(out)]) == 0
    return out


def vendored_names(package: Path) -> set[str]:
    """The top-level names of the libraries a built add-on vendors (learnplan, yaml, ...)."""
    names = set()
    with zipfile.ZipFile(package) as zf:
        for entry in zf.namelist():
            parts = PurePosixPath(entry).parts
            if len(parts) < 2 or parts[0] != "_vendor":
                continue
            if len(parts) > 2 and parts[1].isidentifier():
                names.add(parts[1])  # a package (dist-info folders are not identifiers)
            elif len(parts) == 2 and parts[1].endswith(".py") and parts[1] != "__init__.py":
                names.add(parts[1][:-3])
    return names


DRIVER_FOLDER = "00_learnplan_test_driver"  # sorts first: Anki loads add-ons by name


def install_driver(base: Path) -> Path:
    """Install the test-only add-on that runs driver.py inside Anki (driver_addon.py).

    It is a separate add-on in the test profile, never part of the built one: the shipped
    add-on has no test hooks.
    """
    target = base / "addons21" / DRIVER_FOLDER
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    here = Path(__file__).resolve().parent
    shutil.copyfile(here / "driver_addon.py", target / "__init__.py")
    shutil.copyfile(here / "driver.py", target / "driver.py")
    return target


def install_addon(package: Path, base: Path, folder: str | None = None) -> Path:
    """Install a .ankiaddon as Anki's installer does: extract to addons21/<package>/.

    ``folder`` overrides the manifest's name, e.g. with a number as AnkiWeb installs.
    """
    with zipfile.ZipFile(package) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        target = base / "addons21" / (folder or str(manifest["package"]))
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name in zf.namelist():
            dest = (target / name).resolve()
            if name.endswith("/") or not str(dest).startswith(str(target.resolve()) + os.sep):
                continue
            zf.extract(name, target)  # the same unsafe-path rule as Anki's installer
    meta = {k: manifest[k] for k in ("name", "human_version", "min_point_version") if k in manifest}
    meta["mod"] = int(time.time())
    (target / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return target


def _quiet_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "QTWEBENGINE_DISABLE_SANDBOX": "1",
            "QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu --no-sandbox",
            "QT_QPA_PLATFORM": "xcb",
            "PYTHONDONTWRITEBYTECODE": "1",
            "ANKI_NOVERIFYSSL": "1",
        }
    )
    env.update(extra)
    return env


@dataclass
class AnkiRun:
    proc: subprocess.Popen[bytes]
    log_path: Path
    started: float

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_anki(base: Path, display: str, log_path: Path, env: Mapping[str, str]) -> AnkiRun:
    runtime = base / "xdg-runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    # Anki hands its command line to an Anki already running under the same key (one
    # per user by default) and exits: a key per profile base keeps parallel runs apart.
    instance = hashlib.sha1(str(base.resolve()).encode("utf-8")).hexdigest()[:16]
    full_env = _quiet_env(
        {
            "DISPLAY": display,
            "XDG_RUNTIME_DIR": str(runtime),
            "ANKI_SINGLE_INSTANCE_KEY": f"learnplan-test-{instance}",
            **env,
        }
    )
    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", _RUN_ANKI, str(base), PROFILE],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=full_env,
            cwd=str(base),
        )
    return AnkiRun(proc, log_path, time.monotonic())


def wait_for_file(path: Path, run: AnkiRun, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if run.proc.poll() is not None:
            raise RuntimeError(f"Anki exited ({run.proc.returncode}) early:\n{run.log()[-3000:]}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path.name} not written in {timeout}s:\n{run.log()[-3000:]}")
        time.sleep(0.1)


def wait_for_window(display: str, title: str, timeout: float) -> float:
    """Seconds until a window with this exact title exists (xdotool search)."""
    start = time.monotonic()
    env = {**os.environ, "DISPLAY": display}
    while time.monotonic() - start < timeout:
        found = subprocess.run(
            ["xdotool", "search", "--name", f"^{title}$"],
            env=env,
            capture_output=True,
            text=True,
        )
        if found.returncode == 0 and found.stdout.strip():
            return time.monotonic() - start
        time.sleep(0.05)
    raise TimeoutError(f"no window {title!r} within {timeout}s")


def press(display: str, keys: str) -> None:
    subprocess.run(["xdotool", "key", keys], env={**os.environ, "DISPLAY": display}, check=True)


def screenshot(display: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["import", "-window", "root", str(path)],
        env={**os.environ, "DISPLAY": display},
        check=True,
    )
    return path


def seed_showcase(base: Path, work: Path) -> str:
    """A learner five weeks into the default plan, for the README's screenshots.

    Everything goes through Anki's and the add-on's public paths: the deck imported by
    Anki's importer, the plan adopted and the progress written by ``addon.store``, FSRS
    switched on, some cards made review cards with ``set_due_date`` and today's due
    cards answered through the real v3 scheduler (mostly Good, some
    Again), so retention, knowledge and review time are Anki's own numbers.
    """
    import dataclasses
    import datetime as dt
    import random

    from anki.collection import Collection  # first: anki.cards needs it loaded

    from anki.cards import Card  # isort: skip
    from anki.scheduler.v3 import Scheduler
    from anki.scheduler_pb2 import CardAnswer

    from addon import store
    from learnplan.collection.studyday import study_today
    from learnplan.progress import log as lg
    from learnplan.reading.outline import default_plan_path, load_plan

    plan_id = import_default_plan(base, work)
    plan = load_plan(default_plan_path(), assign_ids=False)
    col = Collection(str(collection_path(base)))
    try:
        today = study_today(col)
        plan = dataclasses.replace(plan, start=today - dt.timedelta(days=36))  # week 6
        store.adopt_plan(col, plan)
        rng = random.Random(5)
        log = lg.ProgressLog(plan.id)
        share = {"fastai-p1": 0.85, "dlai": 0.6, "mit-1806": 0.35, "3b1b": 0.55, "udemy-pyds": 0.5}
        for course in plan.courses:
            lessons = course.lessons[: round(len(course.lessons) * share.get(course.id, 0.15))]
            for i, lesson in enumerate(lessons):
                day = plan.start + dt.timedelta(days=min(35, i * 36 // max(len(lessons), 1)))
                log = lg.mark_lesson_done(log, course.id, lesson.id, day)
        for week in range(6):
            for course_id, hours in (("fastai-p1", 9.0), ("mit-1806", 4.0), ("dlai", 5.0)):
                day = plan.start + dt.timedelta(days=week * 7 + rng.randrange(5))
                if day <= today:
                    log = lg.add_session(log, lg.Session(day, course_id, hours, note="lectures"))
        log = lg.add_cost(log, lg.CostPaid(plan.start, "dlai", 45.0))
        log = lg.add_cost(log, lg.CostPaid(plan.start, "udemy-pyds", 11.0))
        log = lg.add_cost(log, lg.CostPaid(plan.start + dt.timedelta(days=10), "gpu", 84.0))
        log = lg.add_revision(
            log,
            lg.Revision(
                plan.start + dt.timedelta(days=20), "fastai-p2", "keep time for maths", fte=1.0
            ),
        )
        store.update_log(col, plan.id, lambda _: log, "Showcase")

        col.set_config("fsrs", True)
        sched = col.sched
        assert isinstance(sched, Scheduler)
        for course in plan.courses:
            if course.id not in share:
                continue
            cids = list(col.find_cards(f'"tag:{plan.course_tag(course.id)}"'))
            rng.shuffle(cids)
            cut = int(len(cids) * share[course.id])
            older, due = cids[: cut // 2], cids[cut // 2 : cut]
            if older:
                sched.set_due_date(older, "3-9")  # reviewed before: due later
            if due:
                sched.set_due_date(due, "0")
        col.decks.select(col.decks.id_for_name(plan.title) or col.decks.get_current_id())
        for _ in range(400):
            queued = sched.get_queued_cards(fetch_limit=1)
            if not queued.cards:
                break
            top = queued.cards[0]
            card = Card(col)
            card._load_from_backend_card(top.card)
            card.timer_started = time.time() - rng.uniform(4, 20)  # a realistic answer time
            rating = CardAnswer.AGAIN if rng.random() < 0.12 else CardAnswer.GOOD
            sched.answer_card(sched.build_answer(card=card, states=top.states, rating=rating))
    finally:
        col.close()
    return plan_id
