"""tests/desktop/pixels.py on pictures drawn here: the screenshot checks find a blank part,
a wrong background and a chart line that is not where the page says (no Anki needed)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from . import pixels

pytest.importorskip("PyQt6.QtGui")

LIGHT = (245, 245, 245)
RED = (239, 68, 68)


def _picture(tmp_path: Path) -> Path:
    """200×100, light: striped "text" at (10, 10)-(190, 30), a red line at y=60."""
    from PyQt6.QtGui import QColor, QImage

    image = QImage(200, 100, QImage.Format.Format_RGB888)
    image.fill(QColor(*LIGHT))
    for y in range(10, 30, 2):
        for x in range(10, 190):
            image.setPixelColor(x, y, QColor(20, 20, 20))
    for x in range(20, 180):
        image.setPixelColor(x, 60, QColor(*RED))
    path = tmp_path / "picture.png"
    assert image.save(str(path))
    return path


def _layout(**changes: object) -> pixels.Layout:
    layout = pixels.Layout(
        name="picture.png",
        night=False,
        background=LIGHT,
        viewport=(0, 0, 200, 100),
        parts={
            "headline": (10, 10, 190, 30),
            "chart": (10, 40, 190, 90),
            "line": (20, 60, 180, 60),
        },
        strokes={"line": RED},
    )
    return dataclasses.replace(layout, **changes)  # type: ignore[arg-type]


def test_a_picture_that_shows_what_the_page_says_passes(tmp_path: Path) -> None:
    image = pixels.Image(_picture(tmp_path))
    assert (image.width, image.height) == (200, 100)
    assert pixels.problems(image, _layout(), expect=("headline", "chart")) == []


def test_a_blank_part_a_wrong_background_and_a_missing_line_are_found(tmp_path: Path) -> None:
    image = pixels.Image(_picture(tmp_path))
    blank = _layout(parts={**_layout().parts, "headline": (10, 70, 190, 95)})
    assert [p for p in pixels.problems(image, blank, expect=("headline",)) if "blank" in p]
    night = _layout(night=True, background=(44, 44, 44))
    found = pixels.problems(image, night, expect=())
    assert any("not its background" in p for p in found)
    assert any("night mode with a light background" in p for p in found) is False
    assert any(
        "light background" in p for p in pixels.problems(image, _layout(night=True), expect=())
    )
    moved = _layout(parts={**_layout().parts, "line": (20, 80, 180, 80)})
    assert [p for p in pixels.problems(image, moved, expect=("chart",)) if "not drawn" in p]
    gone = _layout(parts={**_layout().parts, "headline": (300, 10, 400, 30)})
    assert [p for p in pixels.problems(image, gone, expect=("headline",)) if "not on the" in p]


def test_rectangles_from_the_page_map_to_image_pixels() -> None:
    note = {
        "name": "x.png",
        "night": True,
        "background": "rgb(44, 44, 44)",
        "offset": [500, 34],
        "qt_dpr": 1.0,
        "css_dpr": 2.0,
        "viewport": [100, 50],
        "rects": {"headline": [10, 5, 20, 4.5], "table": None},
        "strokes": {"line.lp-today": "rgb(59, 130, 246)", "line.lp-earned": None},
    }
    layout = pixels.Layout.from_note(note)
    assert layout.viewport == (500, 34, 700, 134)
    assert layout.parts == {"headline": (520, 44, 560, 53)}
    assert layout.strokes == {"line.lp-today": (59, 130, 246)}
    assert layout.background == (44, 44, 44) and layout.night is True
