"""What one read of a plan shares: its folder, the problems found so far, the files used.

Problems are collected where the reader can carry on, so one run shows many, and are
given back in file and line order: the outline first, then the card files in the order
the outline names them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from learnplan.base.errors import PlanError, Problem
from learnplan.cards.files import FileRefError, image_file, resolve_inside
from learnplan.cards.render import image_sources
from learnplan.model.fields import Fields
from learnplan.reading.yaml_nodes import line_of, line_of_key, line_of_value


class ReadContext:
    def __init__(self, plan_file: Path) -> None:
        self.plan_file = plan_file
        self.plan_dir = plan_file.parent
        self.problems: list[Problem] = []
        #: card files read, by real path: (the file naming it, the line naming it)
        self.used_files: dict[Path, tuple[Path, int]] = {}
        #: files that problems may name, in the order they are reported
        self.file_order: dict[Path, int] = {plan_file: 0}
        # inside()'s answers for this read, by (name, base folder, what)
        self.resolved: dict[tuple[str, Path, str], tuple[Path | None, str | None]] = {}
        self.card_count = 0  # cards read so far, against rules.MAX_CARDS

    def add(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def extend(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    def read_file(self, path: Path) -> None:
        """Note that ``path`` is read, so its problems come after those of the files
        read before it."""
        self.file_order.setdefault(path, len(self.file_order))

    def fail_if_problems(self) -> None:
        if self.problems:
            order = self.file_order
            raise PlanError(
                sorted(self.problems, key=lambda p: (order.get(Path(p.path), len(order)), p.line))
            )

    def inside(self, name: str, base: Path, path: Path, line: int, what: str) -> Path | None:
        """``name`` resolved against ``base`` if it stays in the plan folder and exists;
        else None, with the problem reported at ``path:line``."""
        key = (name, base, what)
        if key not in self.resolved:  # many cards may show the same image
            try:
                found = (
                    image_file(name, base, self.plan_dir)
                    if what == "image"
                    else resolve_inside(name, base, self.plan_dir, what)
                )
                self.resolved[key] = (found, None)
            except FileRefError as exc:
                self.resolved[key] = (None, str(exc))
        found, message = self.resolved[key]
        if message is not None:
            self.add(path, line, message)
        return found

    def check_images(
        self,
        text: str,
        path: Path,
        base: Path,
        line_of_src: Callable[[str], int],
        html: bool = True,
    ) -> None:
        # The same sources, decoded the same way, as the renderer reads (cards/render.py).
        for src in image_sources(text, html=html):
            self.inside(src, base, path, line_of_src(src), "image")


class YamlFields(Fields):
    """The plan rules' typed access to one mapping read from YAML (or a card file),
    reporting problems at their lines."""

    def __init__(
        self, context: ReadContext, path: Path, mapping: Any, what: str, offset: int = 1
    ) -> None:
        super().__init__(mapping, what)
        self.context = context
        self.path = path
        self.offset = offset

    def line(self, key: str | None = None) -> int:
        if key is None:
            return line_of(self.mapping, self.offset)
        return line_of_value(self.mapping, key, self.offset)

    def report(self, key: Any, message: str, *, at_key: bool = False) -> None:
        line = line_of_key(self.mapping, key, self.offset) if at_key else self.line(key)
        self.context.add(self.path, line, message)

    def where(self, key: str) -> str:
        return f"line {self.line(key)}"
