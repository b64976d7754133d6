"""A test-only Anki add-on that runs tests/desktop/driver.py inside real Anki.

``harness.install_driver`` copies this file (as ``__init__.py``) and driver.py into a test
profile's ``addons21/`` under a folder name that sorts before every other add-on, so Anki
imports it first: it records ``sys.path`` and the loaded top-level modules before
Learning Plan is imported, and imports the driver once the main window is ready. The
driver finds the installed Learning Plan through Anki's add-on manager. Nothing of this is
in the shipped add-on.
"""

from __future__ import annotations

import importlib
import sys

from aqt import gui_hooks

#: What the process held before any other add-on was imported (the driver compares).
BEFORE_ADDONS = {
    "sys_path": list(sys.path),
    "top_level": sorted({name.partition(".")[0] for name in sys.modules}),
}


def _run_driver() -> None:
    importlib.import_module(f"{__name__}.driver")


gui_hooks.main_window_did_init.append(_run_driver)
