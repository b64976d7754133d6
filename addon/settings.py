"""The add-on's own settings (Tools › Add-ons › Config; documented in config.md): every
key, and reading and writing them through Anki's add-on manager.

Local to this computer: the learner's progress is kept in record files in the
collection, never here. Cheap to import (loaded at Anki's start-up by :mod:`.shell`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aqt.main import AnkiQt

#: Key that opens the panel (Qt's key names; "" for none).
SHORTCUT = "shortcut"
#: True: the panel is docked beside Anki's main window.
DOCK = "dock"
#: True: a "Learning Plan" link under the deck list.
DECK_BROWSER_LINK = "deck_browser_link"
#: The folder "Export report…" offered last.
REPORT_FOLDER = "report_folder"
#: Plan id -> the outline file it was last imported from (Update from outline…).
OUTLINES = "outlines"

# The add-on's folder name, as Anki's add-on manager knows it (set by shell.setup).
_state: dict[str, str] = {"module": __name__.rpartition(".")[0]}


def use_module(module: str) -> None:
    """Read and write the settings of the add-on installed as ``module``."""
    _state["module"] = module


def addon_config(mw: AnkiQt) -> dict[str, Any]:
    """The settings as they are now (a copy; empty when Anki has none)."""
    config = mw.addonManager.getConfig(_state["module"])
    return dict(config) if isinstance(config, dict) else {}


def write_addon_config(mw: AnkiQt, changes: dict[str, Any]) -> None:
    """Save ``changes`` over the current settings."""
    config = addon_config(mw)
    config.update(changes)
    mw.addonManager.writeConfig(_state["module"], config)
