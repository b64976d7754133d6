"""The formatting rules: one format for each kind of figure, used by every view.

The panel, the report (Markdown, HTML and JSON), the deck summary and the command line
show a figure only as these functions write it, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import math

#: What a figure that is not known (yet) shows.
MISSING = "–"

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "AUD": "A$", "NZD": "NZ$", "CAD": "C$"}


def known(value: float | None) -> float | None:
    """``value`` when it is a finite number, else None."""
    if value is None or isinstance(value, bool) or not math.isfinite(value):
        return None
    return float(value)


def points(value: float) -> str:
    """FTE points: two decimals with a last zero dropped ("7.4", "0.81", "0.03", "1.0").

    As precise as a point needs (0.01 point is 1.2 hours), and an FTE reads as written.
    """
    text = f"{value:.2f}"
    if text.endswith("0"):
        text = text[:-1]
    return "0.0" if text == "-0.0" else text


def money(amount: float, currency: str) -> str:
    """An amount in the plan's currency: "$367", "$12.50", "C$45", "1,200 CHF".

    Whole amounts without cents; a known currency by its symbol, any other by its code.
    """
    text = f"{amount:,.2f}".removesuffix(".00")
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def hours(value: float) -> str:
    """Hours with their unit: "2.5 h"."""
    return f"{hours_number(value)} h"


def hours_number(value: float) -> str:
    """Hours in a column headed "Hours": "2.5"."""
    return f"{value:.1f}"


def percent(share: float | None) -> str:
    """A share (0-1) as a whole percentage: "43%"; unknown: "–"."""
    value = known(share)
    return MISSING if value is None else f"{value * 100:.0f}%"


def ratio(value: float | None) -> str:
    """An indicator such as the schedule index: "0.78"; unknown: "–"."""
    number = known(value)
    return MISSING if number is None else f"{number:.2f}"


def times(value: float | None) -> str:
    """A multiple, such as the overcommitment: "1.85×"."""
    return f"{ratio(value)}×"


def count(value: float | None) -> str:
    """A number of cards (FSRS knowledge is an estimate, rounded): "71"; unknown: "–"."""
    number = known(value)
    return MISSING if number is None else f"{number:.0f}"


def tick(value: float) -> str:
    """A label on a chart's value axis: no more digits than its round step has ("0",
    "2.5", "10")."""
    return f"{value:g}"


def day(value: dt.date) -> str:
    """A date: "2026-04-22"."""
    return value.isoformat()


def course_name(provider: str, title: str) -> str:
    """A course or resource with its provider: "MIT — 18.06 Linear Algebra"."""
    return f"{provider} — {title}" if provider else title


def shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, ending in "…" when it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
