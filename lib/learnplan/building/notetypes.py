"""The three Learning Plan note types (genanki Models), their CSS and the Source field.

Note-type, field and template ids come from fixed keys, never from names: Anki matches
them by id on import, so renaming a field or template updates it in place instead of
making the learner's notes "conflicting". The CSS is inline in the note types, so they
need no template-only media file.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from learnplan.base.ids import stable_id
from learnplan.model.plan import CardKind, Course, Lesson

__all__ = [
    "BASIC_NAME",
    "CLOZE_NAME",
    "CSS",
    "REVERSED_NAME",
    "NoteTypeSpec",
    "build_models",
    "model_ids",
    "source_html",
]

BASIC_NAME = "Learning Plan Basic"
REVERSED_NAME = "Learning Plan Basic (and reversed)"
CLOZE_NAME = "Learning Plan Cloze"

CSS = """\
.card {
  font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 20px;
  line-height: 1.5;
  text-align: left;
  color: #1f2328;
  background-color: #fdfdfc;
  max-width: 42em;
  margin: 0 auto;
  padding: 0.5em 1em 1.5em;
}
.card.nightMode, .card.night_mode, .night-mode .card {
  color: #e6e6e6;
  background-color: #1f1f1f;
}
.lp-q, .lp-a { overflow-wrap: break-word; }
hr#answer {
  border: none;
  border-top: 1px solid rgba(128, 128, 128, 0.45);
  margin: 1em 0;
}
.cloze { font-weight: 600; color: #0b5cad; }
.nightMode .cloze, .night_mode .cloze, .night-mode .cloze { color: #79b8ff; }
code, pre {
  font-family: ui-monospace, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.88em;
  background-color: rgba(128, 128, 128, 0.14);
  border-radius: 4px;
}
code { padding: 0.1em 0.3em; }
pre { padding: 0.6em 0.8em; overflow-x: auto; }
pre code { padding: 0; background: none; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid rgba(128, 128, 128, 0.45); padding: 0.25em 0.6em; }
img { max-width: 100%; height: auto; }
blockquote {
  margin: 0.5em 0;
  padding-left: 0.8em;
  border-left: 3px solid rgba(128, 128, 128, 0.45);
}
/* Wide display math scrolls instead of overflowing the card (MathJax 3). */
mjx-container[display="true"] { overflow-x: auto; overflow-y: hidden; max-width: 100%; }
.lp-source {
  margin-top: 1.5em;
  font-size: 0.7em;
  color: #6a737d;
}
.nightMode .lp-source, .night_mode .lp-source, .night-mode .lp-source { color: #9ea7b3; }
.lp-source a { color: inherit; }
"""

_SOURCE = '{{#Source}}<div class="lp-source">{{Source}}</div>{{/Source}}'


@dataclass(frozen=True)
class NoteTypeSpec:
    key: str  # fixed identity key; never the display name
    name: str
    fields: tuple[tuple[str, str], ...]  # (key, name)
    templates: tuple[tuple[str, str, str, str], ...]  # (key, name, qfmt, afmt)
    cloze: bool = False


_FRONT_BACK_FIELDS = (("front", "Front"), ("back", "Back"), ("source", "Source"))
_FRONT_TO_BACK = (
    "card1",
    "Card 1",
    '<div class="lp-q">{{Front}}</div>',
    '{{FrontSide}}\n<hr id="answer">\n<div class="lp-a">{{Back}}</div>\n' + _SOURCE,
)

SPECS: dict[CardKind, NoteTypeSpec] = {
    "basic": NoteTypeSpec(
        key="basic",
        name=BASIC_NAME,
        fields=_FRONT_BACK_FIELDS,
        templates=(_FRONT_TO_BACK,),
    ),
    "reversed": NoteTypeSpec(
        key="reversed",
        name=REVERSED_NAME,
        fields=_FRONT_BACK_FIELDS,
        templates=(
            _FRONT_TO_BACK,
            (
                "card2",
                "Card 2",
                '<div class="lp-q">{{Back}}</div>',
                '{{FrontSide}}\n<hr id="answer">\n<div class="lp-a">{{Front}}</div>\n' + _SOURCE,
            ),
        ),
    ),
    "cloze": NoteTypeSpec(
        key="cloze",
        name=CLOZE_NAME,
        fields=(("text", "Text"), ("extra", "Extra"), ("source", "Source")),
        templates=(
            (
                "cloze",
                "Cloze",
                '<div class="lp-q">{{cloze:Text}}</div>',
                '<div class="lp-q">{{cloze:Text}}</div>\n'
                '{{#Extra}}<hr id="answer">\n<div class="lp-a">{{Extra}}</div>{{/Extra}}\n'
                + _SOURCE,
            ),
        ),
        cloze=True,
    ),
}


def model_ids() -> dict[CardKind, int]:
    return {kind: stable_id("notetype", spec.key) for kind, spec in SPECS.items()}


def _model(spec: NoteTypeSpec) -> Any:
    import genanki

    return genanki.Model(
        stable_id("notetype", spec.key),
        spec.name,
        fields=[
            # genanki passes extra keys through; Anki keeps "id" and matches fields by it.
            {"name": name, "id": stable_id("field", spec.key, key)}
            for key, name in spec.fields
        ],
        templates=[
            {
                "name": name,
                "qfmt": qfmt,
                "afmt": afmt,
                "id": stable_id("template", spec.key, key),
            }
            for key, name, qfmt, afmt in spec.templates
        ],
        css=CSS,
        model_type=genanki.Model.CLOZE if spec.cloze else genanki.Model.FRONT_BACK,
    )


def build_models() -> dict[CardKind, Any]:
    """Fresh genanki Models, one per card kind (genanki mutates them while writing)."""
    return {kind: _model(spec) for kind, spec in SPECS.items()}


def source_html(course: Course, lesson: Lesson | None) -> str:
    """The Source field: provider and course (linked when it has a web URL), then lesson."""
    label = html.escape(f"{course.provider} · {course.title}" if course.provider else course.title)
    url = course.url or ""
    if url.startswith(("https://", "http://")):
        label = f'<a href="{html.escape(url)}">{label}</a>'
    if lesson is None:
        return label
    lesson_label = html.escape(lesson.title)
    if lesson.url and lesson.url.startswith(("https://", "http://")):
        lesson_label = f'<a href="{html.escape(lesson.url)}">{lesson_label}</a>'
    return f"{label} › {lesson_label}"
