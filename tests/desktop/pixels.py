"""What a screenshot of the panel shows, checked against where the page says its parts are.

The driver (driver.py, inside Anki) notes for each screenshot the page's layout: the
background colour, and the rectangles and colours of the headline, the burn-up chart and
its lines, and the course table (``getBoundingClientRect``, CSS pixels of the webview),
plus where the webview sits in the captured window. :func:`problems` then reads the PNG
that ImageMagick's ``import`` took (Qt's ``QImage``, no display needed) and says what is
not drawn as the page claims: a wrong background for light or night mode, a blank
headline or table, chart lines missing from where they should be.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]  # left, top, right, bottom (exclusive), image pixels

#: Pixels within this distance of a colour count as that colour (anti-aliasing, blending).
NEAR = 80.0
#: The least visible area (pixels) a part must have on a screenshot to be judged.
MIN_AREA = 400


def parse_rgb(text: str) -> RGB:
    """``rgb(1, 2, 3)`` or ``rgba(1, 2, 3, 1)`` (a computed CSS colour) as a tuple."""
    found = re.fullmatch(r"rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*[\d.]+)?\)", text.strip())
    if found is None:
        raise ValueError(f"not a computed colour: {text!r}")
    r, g, b = (int(v) for v in found.groups())
    return r, g, b


def luminance(rgb: RGB) -> float:
    """Relative brightness, 0 (black) to 1 (white)."""
    r, g, b = rgb
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def distance(a: RGB, b: RGB) -> float:
    return float(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5)


class Image:
    """A PNG's pixels as RGB."""

    def __init__(self, path: Path) -> None:
        from PyQt6.QtGui import QImage

        image = QImage(str(path))
        if image.isNull():
            raise ValueError(f"{path}: not an image")
        image = image.convertToFormat(QImage.Format.Format_RGB888)
        bits = image.constBits()
        assert bits is not None
        self.data = bits.asstring(image.sizeInBytes())
        self.width, self.height = image.width(), image.height()
        self.stride = image.bytesPerLine()

    def clip(self, box: Box) -> Box | None:
        left, top = max(box[0], 0), max(box[1], 0)
        right, bottom = min(box[2], self.width), min(box[3], self.height)
        return (left, top, right, bottom) if left < right and top < bottom else None

    def pixels(self, box: Box, step: int = 1) -> Iterator[RGB]:
        """Every ``step``-th pixel of ``box`` (clipped to the image), row by row."""
        clipped = self.clip(box)
        if clipped is None:
            return
        left, top, right, bottom = clipped
        data, stride = self.data, self.stride
        for y in range(top, bottom, step):
            row = y * stride
            for x in range(left, right, step):
                i = row + 3 * x
                yield data[i], data[i + 1], data[i + 2]


@dataclass(frozen=True)
class Layout:
    """One screenshot's notes from the driver, with rectangles mapped to image pixels."""

    name: str
    night: bool
    background: RGB
    viewport: Box  # the webview's visible page, in image pixels
    parts: Mapping[str, Box]  # "headline", "chart", "table", "line:lp-today", ...
    strokes: Mapping[str, RGB]  # "line:lp-today" -> its computed stroke colour

    @classmethod
    def from_note(cls, note: Mapping[str, Any]) -> Layout:
        ox, oy = note["offset"]  # the webview's corner in the captured window (Qt px)
        qt, css = float(note["qt_dpr"]), float(note["css_dpr"])
        width, height = note["viewport"]

        def box(rect: Sequence[float]) -> Box:
            x, y, w, h = rect
            left, top = ox * qt + x * css, oy * qt + y * css
            return round(left), round(top), round(left + w * css), round(top + h * css)

        parts = {key: box(rect) for key, rect in note["rects"].items() if rect is not None}
        return cls(
            name=note["name"],
            night=bool(note["night"]),
            background=parse_rgb(note["background"]),
            viewport=box((0, 0, width, height)),
            parts=parts,
            strokes={key: parse_rgb(value) for key, value in note["strokes"].items() if value},
        )

    def visible(self, image: Image, part: str) -> Box | None:
        """The part of ``part`` inside the page's viewport and the image, if big enough."""
        box = self.parts.get(part)
        if box is None:
            return None
        v = self.viewport
        inside = image.clip(
            (max(box[0], v[0]), max(box[1], v[1]), min(box[2], v[2]), min(box[3], v[3]))
        )
        if inside is None or (inside[2] - inside[0]) * (inside[3] - inside[1]) < MIN_AREA:
            return None
        return inside


def _grown(box: Box, by: int) -> Box:
    return box[0] - by, box[1] - by, box[2] + by, box[3] + by


def ink(image: Image, box: Box, background: RGB) -> tuple[float, float]:
    """(share of pixels that stand out from ``background``, their mean luminance)."""
    total = marked = 0
    bright = 0.0
    base = luminance(background)
    for px in image.pixels(box):
        total += 1
        if abs(luminance(px) - base) > 0.25:
            marked += 1
            bright += luminance(px)
    return (marked / total if total else 0.0), (bright / marked if marked else base)


def problems(image: Image, layout: Layout, *, expect: Sequence[str]) -> list[str]:
    """What in ``image`` contradicts ``layout``; ``expect`` names the parts that must be
    visible on it ("headline", "chart", "table")."""
    out: list[str] = []
    name = layout.name
    bg = layout.background
    # The page's background is the most common colour of the page, and fits the mode.
    common, _ = Counter(image.pixels(layout.viewport, step=3)).most_common(1)[0]
    if distance(common, bg) > 12:
        out.append(f"{name}: the page shows {common} most, not its background {bg}")
    if layout.night and luminance(bg) > 0.25:
        out.append(f"{name}: night mode with a light background {bg}")
    if not layout.night and luminance(bg) < 0.8:
        out.append(f"{name}: light mode with a dark background {bg}")
    for part in expect:
        box = layout.visible(image, part)
        if box is None:
            out.append(f"{name}: the {part} is not on the screenshot ({layout.parts.get(part)})")
            continue
        share, bright = ink(image, box, bg)
        if not 0.01 <= share <= 0.7:
            out.append(f"{name}: the {part} at {box} is {share:.1%} ink: blank or a solid block")
        elif layout.night != (bright > luminance(bg)):
            out.append(f"{name}: the {part}'s text is not {'light' if layout.night else 'dark'}")
    if "chart" in expect:
        for part, colour in layout.strokes.items():
            line = layout.parts.get(part)
            if line is None or max(line[2] - line[0], line[3] - line[1]) < 20:
                continue  # too short to judge (the earned line on a plan's first day)
            near = sum(1 for px in image.pixels(_grown(line, 3)) if distance(px, colour) < NEAR)
            if near < 10:
                out.append(f"{name}: the chart's {part} ({colour}) is not drawn at {line}")
    return out
