"""Learning Plan add-on for Anki.

Kept tiny on purpose: it does nothing unless Anki's main window exists (so tests can
import ``addon.store`` / ``addon.viewmodel`` without Qt), and it only registers menu
entries and hooks. The panel and the learnplan library load when the panel first opens.
"""

from __future__ import annotations

import sys


def _init() -> None:
    # aqt is always imported before add-ons load; if it is not, this is a test or a
    # script importing a submodule, and there is nothing to set up.
    aqt = sys.modules.get("aqt")
    mw = getattr(aqt, "mw", None) if aqt is not None else None
    if mw is None:
        return
    from . import shell

    shell.setup(mw, __name__)


_init()
