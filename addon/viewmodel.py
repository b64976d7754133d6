"""What the Learning Plan panel shows: pure Python, no Qt, no anki.

``build_view`` picks from the plan's :class:`~learnplan.figures.model.Figures` (every
number and label, formatted once for the panel and the report alike) what the panel
shows, and adds what only the panel has: the lesson checklists, the re-allocation
forms' values, the plans to switch between, offers and problems. No figure is formatted
here; :mod:`.markup` lays the view out as escaped HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from learnplan.figures.model import Column, CourseFigures, Figures, Tile, column
from learnplan.progress.log_file import unknown_references

#: The summary tiles the panel shows, in its order (their element ids are ``lp-<id>``).
PANEL_TILES = ("earned", "planned", "index", "spent", "week-hours", "cost", "forecast")
#: The course table's figure columns; Knowledge only when FSRS gives it.
PANEL_COLUMNS = ("fte", "done", "earned", "hours", "cost", "new", "learning", "young", "mature")
PANEL_COLUMNS_END = ("retention",)


@dataclass(frozen=True)
class LessonRow:
    course: str
    lesson: str
    title: str
    done: bool


@dataclass(frozen=True)
class CourseView:
    """A course's figures, its lesson checklist and its re-allocation form's values."""

    figures: CourseFigures
    lessons: tuple[LessonRow, ...]
    fte_value: float  # the FTE in force today (revisions applied)
    start_week: int
    end_week: int


@dataclass(frozen=True)
class Offer:
    """A plan found in the collection's media that is not adopted yet."""

    key: str  # what the panel sends back to adopt it (a manifest file name)
    title: str  # escaped
    detail: str  # escaped
    start: str  # the plan's own start date, ISO
    problem: str = ""  # escaped; when set, the file could not be read and is not offered


@dataclass(frozen=True)
class Problem:
    """A record that could not be read: shown with an Export button and a way out."""

    key: str  # what the panel sends back (see learnplan.collection.recordstore.Problem)
    message: str  # escaped
    fix: str = "Start fresh"  # the way out's label: "Start fresh", "Hide it", ...


@dataclass(frozen=True)
class PanelView:
    figures: Figures
    tiles: tuple[Tile, ...]
    columns: tuple[Column, ...]
    courses: tuple[CourseView, ...]
    course_choices: tuple[tuple[str, str], ...]  # (id, label) for the forms
    cost_choices: tuple[tuple[str, str], ...]  # courses and resources, for "Log cost"
    plans: tuple[tuple[str, str, bool], ...]  # (id, title, current)
    offers: tuple[Offer, ...]
    problems: tuple[Problem, ...]
    chart_svg: str = ""
    weeks: int = 12
    #: Recorded progress that is not counted (it names a course or lesson the plan does
    #: not have): one line of plain text each (markup escapes it).
    not_counted: tuple[str, ...] = ()

    @property
    def today(self) -> str:
        """Anki's study day (ISO): the default date of the forms."""
        return self.figures.today


def build_view(
    f: Figures,
    *,
    chart_svg: str = "",
    plans: Sequence[tuple[str, str]] = (),
    offers: Sequence[Offer] = (),
    problems: Sequence[Problem] = (),
) -> PanelView:
    """The panel's view of ``f`` (and of the plan and log it was computed from)."""
    plan, s = f.plan, f.snapshot
    log_done = {(d.course, d.lesson) for d in f.log.lessons_done}
    by_id = {c.id: c for c in plan.courses}
    rows = {row.id: row for row in s.courses}
    courses = []
    for c in f.courses:
        course = by_id.get(c.id)
        row = rows[c.id]
        lessons = tuple(
            LessonRow(c.id, lesson.id, lesson.title, (c.id, lesson.id) in log_done)
            for lesson in (course.lessons if course is not None else ())
        )
        courses.append(CourseView(c, lessons, row.fte, row.start_week, row.end_week))
    keys = PANEL_COLUMNS + PANEL_COLUMNS_END + (("knowledge",) if f.show_knowledge else ())
    choices = tuple((c.id, c.name) for c in f.courses if c.id in by_id)
    return PanelView(
        figures=f,
        tiles=tuple(f.tile(tile_id) for tile_id in PANEL_TILES),
        columns=tuple(column(key) for key in keys),
        courses=tuple(courses),
        course_choices=choices,
        cost_choices=choices + tuple((r.id, r.name) for r in f.resources),
        plans=tuple((pid, title, pid == plan.id) for pid, title in plans),
        offers=tuple(offers),
        problems=tuple(problems),
        chart_svg=chart_svg,
        weeks=s.weeks,
        not_counted=tuple(issue.message for issue in unknown_references(plan, f.log)),
    )
