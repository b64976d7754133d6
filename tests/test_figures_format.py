"""learnplan.figures.format: one format per kind of figure."""

from __future__ import annotations

import datetime as dt
import math

from learnplan.figures import format as fmt


def test_points_have_two_decimals_with_a_last_zero_dropped() -> None:
    assert [fmt.points(v) for v in (7.4, 2.9, 0.81, 1.0, 0.0, 0.025, 6)] == [
        "7.4",
        "2.9",
        "0.81",
        "1.0",
        "0.0",
        "0.03",  # 3 hours at 120 h a point is not "0.0 points"
        "6.0",
    ]
    assert fmt.points(302 / 120) == "2.52"
    assert fmt.points(-0.001) == "0.0"  # never "-0.0"
    assert fmt.points(-0.8) == "-0.8"


def test_money_whole_amounts_without_cents_and_known_symbols() -> None:
    assert fmt.money(367, "USD") == "$367"
    assert fmt.money(12.5, "USD") == "$12.50"
    assert fmt.money(11.999, "USD") == "$12"  # rounds to whole: no ".00"
    assert fmt.money(45, "CAD") == "C$45"
    assert fmt.money(1234.5, "EUR") == "€1,234.50"
    assert fmt.money(84, "GBP") == "£84"
    assert fmt.money(10, "AUD") == "A$10" and fmt.money(10, "NZD") == "NZ$10"
    assert fmt.money(1200, "CHF") == "1,200 CHF"
    assert fmt.money(0, "usd") == "$0"


def test_hours_percent_ratios_counts_days_names() -> None:
    assert fmt.hours(2.5) == "2.5 h" and fmt.hours(40) == "40.0 h"
    assert fmt.hours_number(302) == "302.0"
    assert fmt.percent(0.875) == "88%" and fmt.percent(None) == "–"
    assert fmt.percent(math.nan) == "–"
    assert fmt.ratio(2.9 / 3.7) == "0.78" and fmt.ratio(None) == "–"
    assert fmt.times(1.85) == "1.85×" and fmt.times(math.inf) == "–×"
    assert fmt.count(6.4) == "6" and fmt.count(None) == "–" and fmt.count(12) == "12"
    assert fmt.day(dt.date(2026, 4, 22)) == "2026-04-22"
    assert [fmt.tick(v) for v in (0.0, 0.25, 2.5, 10.0, 150.0)] == ["0", "0.25", "2.5", "10", "150"]
    assert fmt.course_name("MIT", "18.06") == "MIT — 18.06"
    assert fmt.course_name("", "A book") == "A book"
    assert fmt.known(True) is None and fmt.known(3) == 3.0


def test_shorten_cuts_to_the_limit_with_an_ellipsis() -> None:
    assert fmt.shorten("Linear Algebra", 14) == "Linear Algebra"
    assert fmt.shorten("Linear Algebra", 13) == "Linear Algeb…"
    assert len(fmt.shorten("x" * 100, 42)) == 42
