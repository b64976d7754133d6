"""addon/commands.py's question before a problem's fix: chosen by the record's kind (as
``store.start_fresh`` chooses the fix), never by the words on the button."""

from __future__ import annotations

import pytest

from addon import commands, store

KEYS = {
    "file": "file:learnplan-records-abc.json",
    "plan": "plan:zero-to-dl",
    "aside": "aside:learnplan-records-def.json",
    "config": "config:learnplan.plan.zero-to-dl",
}


def test_each_kind_of_record_has_its_own_question() -> None:
    asked = {kind: commands.fresh_question(key) for kind, key in KEYS.items()}
    assert asked["file"].startswith(f"Hide the unreadable record '{KEYS['file']}'?")
    assert asked["plan"].startswith(f"Stop following this plan ({KEYS['plan']})?")
    assert asked["aside"].startswith(
        "Apply the record file 'learnplan-records-def.json' that came with an imported deck?"
    )
    assert asked["config"].startswith(f"Remove the unreadable record '{KEYS['config']}'")
    # The button says what its question asks.
    for kind in ("file", "plan", "aside"):
        assert asked[kind].startswith(store.fix_label(KEYS[kind]).split()[0])


def test_a_relabelled_button_keeps_its_question(monkeypatch: pytest.MonkeyPatch) -> None:
    before = {kind: commands.fresh_question(key) for kind, key in KEYS.items()}
    monkeypatch.setattr(store, "fix_label", lambda key: "Deal with it")
    assert {kind: commands.fresh_question(key) for kind, key in KEYS.items()} == before
