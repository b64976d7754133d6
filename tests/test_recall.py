"""The memory rules of learnplan.progress.recall, pure: no Anki needed."""

from __future__ import annotations

import pytest

from learnplan.progress.recall import (
    FSRS5_DEFAULT_DECAY,
    LEARNING,
    MATURE,
    NEW,
    SUSPENDED,
    YOUNG,
    card_bucket,
    retention_eligible,
    retrievability,
    tag_courses,
)


def test_tag_courses_matches_tag_and_children_case_insensitively() -> None:
    tags = {"zero-to-dl::course::a": 0, "zero-to-dl::course::b": 1}
    assert tag_courses(" zero-to-dl::course::a ", tags) == (0,)
    assert tag_courses(" ZERO-to-DL::Course::A::Part-1 ", tags) == (0,)
    assert tag_courses(" zero-to-dl::course::ab zero-to-dl::course ", tags) == ()
    assert tag_courses(" zero-to-dl::course::b zero-to-dl::course::a::x ", tags) == (0, 1)


def test_card_bucket_keeps_suspended_apart_and_buried_by_type() -> None:
    assert card_bucket(0, 0, 0) == NEW
    assert card_bucket(1, 1, 0) == LEARNING
    assert card_bucket(3, 1, 5) == LEARNING
    assert card_bucket(2, 2, 20) == YOUNG
    assert card_bucket(2, 2, 21) == MATURE
    assert card_bucket(2, -1, 40) == SUSPENDED
    assert card_bucket(2, -3, 40) == MATURE  # buried: by type


def test_retention_eligibility_follows_anki() -> None:
    assert retention_eligible(3, 1, 5, 2500)  # review
    assert retention_eligible(1, 1, 5, 2500)  # a failed review still counts
    assert not retention_eligible(3, 0, -600, 0)  # learning step
    assert retention_eligible(3, 2, 2, 2500)  # relearning of a card a day or more apart
    assert not retention_eligible(0, 4, 30, 2500)  # manual reschedule
    assert not retention_eligible(3, 3, 5, 0)  # filtered preview without rescheduling


def test_retrievability_is_ninety_percent_after_stability_days() -> None:
    for decay in (0.1542, FSRS5_DEFAULT_DECAY, 0.8):
        assert retrievability(7.0, decay, 7 * 86_400) == pytest.approx(0.9, abs=1e-12)
        assert retrievability(7.0, decay, 0) == 1.0
        # A review "after" now (another device's clock): no time has passed.
        assert retrievability(7.0, decay, -86_400.0) == 1.0
        assert retrievability(7.0, decay, float("nan")) == 1.0
    later = [retrievability(7.0, 0.5, days * 86_400) for days in (1, 7, 30, 365)]
    assert later == sorted(later, reverse=True) and later[-1] > 0
