"""learnplan.collection.memory.knowledge: FSRS memory states and exact sums of
retrievability."""

from __future__ import annotations

import json
import math

import pytest

pytest.importorskip("anki")

import helpers_memory as hm
from anki.collection import Collection
from helpers_anki import db
from helpers_memory import NOW, TAG_A, TAG_B

from learnplan.collection.memory import course_memory, knowledge
from learnplan.collection.memory.knowledge import parse_memory
from learnplan.progress.recall import FSRS5_DEFAULT_DECAY, retrievability

col = hm.col
dated_plan = hm.dated_plan
studied = hm.studied


def test_memory_state_parsing_follows_json() -> None:
    parse = parse_memory
    full = '{"s":4.2928,"d":9.398,"dr":0.9,"decay":0.1542,"lrt":1788891624}'
    assert parse(full, 7) == (4.2928, 0.1542, 1788891624.0, 0)
    # No last review time: the fallback study day; no or a bad decay: FSRS-5's.
    assert parse('{"s":2.5}', 7) == (2.5, FSRS5_DEFAULT_DECAY, -1.0, 7)
    assert parse('{"s":2.5,"decay":0,"lrt":null}', 7) == (2.5, 0.5, -1.0, 7)
    # No usable stability, or not a JSON object: no memory state.
    for raw in ("", "{}", '{"s":0}', '{"s":null}', '{"s":true}', '{"S":2}', '{"s":2', '[{"s":2}]'):
        assert parse(raw, 7) is None, raw


def test_exact_sums_equal_fsum() -> None:
    # Knowledge is kept as an exact integer sum so single-card updates equal a fresh sum.
    import math
    import random

    rng = random.Random(7)
    values = [rng.random() ** rng.choice([1, 5, 40]) for _ in range(5000)]
    exact = sum(knowledge.exact(v) for v in values)
    assert exact / knowledge.EXACT_ONE == math.fsum(values)
    dropped = exact - sum(knowledge.exact(v) for v in values[:100])
    assert dropped / knowledge.EXACT_ONE == math.fsum(values[100:])


def test_knowledge_is_the_exact_sum_of_recall_retrievability(studied: Collection) -> None:
    # Each card's retrievability is progress.recall's, from the memory state in its data
    # column; a course's knowledge is their sum, correctly rounded (math.fsum).
    col = studied
    states = {}
    for cid, raw in db(col).all("SELECT id, data FROM cards"):
        data = json.loads(raw or "{}")
        if data.get("s"):
            states[cid] = (data["s"], data.get("decay") or FSRS5_DEFAULT_DECAY, data["lrt"])
    last = max(lrt for _, _, lrt in states.values())
    # Soon after the last review, and years later (R below 2**-7 for some cards).
    for now in (last + 3 * 86_400 + 17.5, NOW):
        result = course_memory(col, hm.PLAN, now=now)
        for course_id, tag in (("a", TAG_A), ("b", TAG_B)):
            values = [
                retrievability(s, decay, now - lrt)
                for cid, (s, decay, lrt) in states.items()
                if cid in set(col.find_cards(f"tag:{tag}"))
            ]
            assert len(values) > 3
            assert result[course_id].knowledge == math.fsum(values)
