"""Errors a learner can cause: each carries ``path:line: message`` and never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path | str
    line: int  # 1-based; 0 when the whole file is at fault
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class PlanError(Exception):
    """Bad input. ``str()`` gives one ``path:line: message`` per problem, one per line.

    The CLI prints it on stderr and exits with status 2; nothing has been written.
    """

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems: list[Problem] = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, path: Path | str, line: int, message: str) -> PlanError:
        return cls(Problem(path, line, message))
