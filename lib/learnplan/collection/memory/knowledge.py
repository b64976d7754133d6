"""Estimated knowledge (FSRS): per course, the sum of its cards' retrievability.

Each card's FSRS memory state is parsed from its ``data`` column once; its retrievability
is :func:`learnplan.progress.recall.retrievability` at one moment, and the per-course
sums are kept as exact integers (every float is a whole multiple of 2**-1074), so adding
and taking out single cards gives exactly what a fresh sum gives.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

from learnplan.progress.recall import FSRS5_DEFAULT_DECAY, retrievability

#: Knowledge is evaluated at ``now`` rounded down to this many seconds, so refreshes
#: within the step reuse per-card values; R moves ~1e-5 a minute.
KNOWLEDGE_STEP = 600

#: (stability, decay, last review in epoch secs or -1, the last review's study day if -1)
Memory = tuple[float, float, float, int]

EXACT_SHIFT = 1074  # every finite float is a whole multiple of 2**-1074
EXACT_ONE = 1 << EXACT_SHIFT


def exact(value: float) -> int:
    """``value`` as an exact integer count of 2**-1074."""
    num, den = value.as_integer_ratio()
    return num << (EXACT_SHIFT - den.bit_length() + 1)


def _number(value: object) -> float | None:
    # JSON numbers only (bool is an int in Python, not a number in JSON).
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # an int beyond floats
            return None
    return None


def parse_memory(raw: str, fallback: int) -> Memory | None:
    """The FSRS memory state in a card's ``data`` (JSON, with stability "s", "decay" and
    the last review's epoch seconds "lrt"), or None without a stability. Without "lrt"
    the last review is on study day ``fallback``; without a usable decay, FSRS-5's."""
    if '"s":' not in raw:  # most cards without a memory state: no parse
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    stability, decay, last = (_number(data.get(key)) for key in ("s", "decay", "lrt"))
    if stability is None or stability <= 0:
        return None
    if decay is None or decay <= 0:
        decay = FSRS5_DEFAULT_DECAY
    if last is None:
        return stability, decay, -1.0, int(fallback)
    return stability, decay, last, 0


class Knowledge:
    """Per course, the sum of retrievability of its cards with a memory state, at one
    moment; cards changed since the last :meth:`update` are :attr:`pending`."""

    def __init__(self, n_courses: int) -> None:
        self.n_courses = n_courses
        self.at = 0.0  # the moment (epoch seconds) of the values
        self.values: dict[int, float] = {}  # card id -> its retrievability at ``at``
        self.sums = [0] * n_courses  # exact (see exact())
        self.pending: set[int] = set()
        self.stale = True  # every card to be evaluated again

    def drop(self, cid: int, courses: Iterable[int]) -> None:
        """Take a card's value out of its courses' sums."""
        self.pending.discard(cid)
        value = self.values.pop(cid, None)
        if value is not None:
            amount = exact(value)
            for ci in courses:
                self.sums[ci] -= amount

    def update(
        self,
        at: float,
        today: int,
        with_memory: Sequence[Mapping[int, Memory]],
        cards: Mapping[int, tuple[int, int]],
        groups: Sequence[tuple[int, ...]],
    ) -> None:
        """Bring the sums to moment ``at`` (study day ``today``): every card when the
        moment changed, else the pending ones. ``with_memory[gid]`` maps the card ids
        of group ``gid`` (whose courses are ``groups[gid]``) to their memory states;
        ``cards`` maps card ids to their (group, bucket)."""
        if at != self.at:
            self.at, self.stale = at, True
        todo: Iterable[tuple[int, int, Memory]]
        if self.stale:
            self.values = {}
            self.sums = [0] * self.n_courses
            todo = (
                (gid, cid, memory)
                for gid, members in enumerate(with_memory)
                for cid, memory in members.items()
            )
        else:
            todo = ((cards[cid][0], cid, with_memory[cards[cid][0]][cid]) for cid in self.pending)
        values = self.values
        # Whole multiples of 2**-60 for R >= 2**-7 (int() of the scaled float is exact and
        # cheap); exact ratios for the rare smaller values.
        coarse = [0] * len(groups)
        fine = [0] * len(groups)
        curve = retrievability
        for gid, cid, (stability, decay, last, day) in todo:
            elapsed = (today - day) * 86_400.0 if last < 0 else at - last
            value = curve(stability, decay, elapsed)
            values[cid] = value
            if value >= 0.0078125:
                coarse[gid] += int(value * 1152921504606846976.0)  # 2**60
            else:
                fine[gid] += exact(value)
        for gid, courses in enumerate(groups):
            total = (coarse[gid] << (EXACT_SHIFT - 60)) + fine[gid]
            if total:
                for ci in courses:
                    self.sums[ci] += total
        self.pending = set()
        self.stale = False

    def total(self, ci: int) -> float:
        """Course ``ci``'s sum: int / int is correctly rounded, the same float as
        ``math.fsum`` of the values."""
        return self.sums[ci] / EXACT_ONE
