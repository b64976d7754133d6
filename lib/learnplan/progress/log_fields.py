"""The progress log's error and its field checks, shared by the log's JSON form
(:mod:`learnplan.progress.log_json`), its updaters (:mod:`learnplan.progress.log`) and
the record entries (:mod:`learnplan.progress.entries`).

Each check returns the value it accepts, or raises naming ``where`` (the field, as
``sessions[2].hours``) and what was found, so that a damaged file can be fixed by hand.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from learnplan.base.jsonlines import Location


class LogError(ValueError):
    """A progress log that cannot be read (damaged, or written by a newer learnplan).

    ``location`` is where in the log's JSON the problem is (``("sessions", 2)``), when
    it is at one entry or key."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.location = location


def kind_of(value: object) -> str:
    """What a JSON value is, in words: "an object", "a list", "text", "null", …"""
    return {dict: "an object", list: "a list", str: "text", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def check_object(item: object, where: str, error: type[ValueError] = LogError) -> dict[str, Any]:
    """``item`` when it is a JSON object; else ``error`` (the record entries raise their
    own)."""
    if not isinstance(item, dict):
        raise error(f"{where}: expected an object, got {kind_of(item)}")
    return item


def check_text(value: object, where: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise LogError(f"{where}: expected text, got {value!r}")
    return value


def check_date(value: object, where: str) -> dt.date:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise LogError(f"{where}: expected a date like 2026-01-31, got {value!r}")


def check_number(
    value: object, where: str, *, low: float | None = None, high: float | None = None
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise LogError(f"{where}: expected a number, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise LogError(f"{where}: must be {bounds}, got {value!r}")
    return float(value)


def check_week(value: object, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise LogError(f"{where}: expected a week number (1 or more), got {value!r}")
    return value
