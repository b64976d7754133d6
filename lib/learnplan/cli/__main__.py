"""``python -m learnplan.cli``: the same as the ``learnplan`` command."""

from __future__ import annotations

from learnplan.cli import main

raise SystemExit(main())
