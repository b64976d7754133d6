"""learnplan.collection.studyday: the one "today" of a collection, Anki's study day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from helpers_anki import collection

from learnplan.collection.studyday import study_day_ending, study_today


def study_day(ts: dt.datetime, cutoff_hour: int = 4) -> dt.date:
    """The study day of a local wall-clock time when the next day starts at
    ``cutoff_hour`` (Anki's rule, worked out independently of the collection)."""
    return (ts - dt.timedelta(hours=cutoff_hour)).date()


def test_study_day_follows_the_cutoff() -> None:
    assert study_day(dt.datetime(2026, 1, 6, 3, 59)) == dt.date(2026, 1, 5)
    assert study_day(dt.datetime(2026, 1, 6, 4, 0)) == dt.date(2026, 1, 6)
    assert study_day(dt.datetime(2026, 1, 6, 0, 30), cutoff_hour=0) == dt.date(2026, 1, 6)


def _at(day: dt.date, hour: int) -> int:
    return int(dt.datetime.combine(day, dt.time(hour)).timestamp())


def test_the_day_that_ends_at_the_cutoff() -> None:
    # Anki's next day starts at 4:00: the cutoff at 4:00 on the 10th ends the 9th.
    assert study_day_ending(_at(dt.date(2026, 3, 10), 4)) == dt.date(2026, 3, 9)
    # a cutoff at midnight ends the day before, whatever the clocks did that day
    for day in (dt.date(2026, 3, 29), dt.date(2026, 10, 25), dt.date(2026, 11, 1)):
        assert study_day_ending(_at(day, 0)) == day - dt.timedelta(days=1)


def test_today_in_a_real_collection_follows_its_next_day_hour(tmp_path: Path) -> None:
    with collection(tmp_path) as col:
        for hour in (0, 4, 23):
            prefs = col.get_preferences()
            prefs.scheduling.rollover = hour  # Preferences › "Next day starts at"
            col.set_preferences(prefs)
            before = study_day(dt.datetime.now(), cutoff_hour=hour)
            today = study_today(col)
            after = study_day(dt.datetime.now(), cutoff_hour=hour)
            assert today in (before, after)  # (the day may turn while this runs)
            assert today == study_day_ending(int(col.sched.day_cutoff))
