"""The progress summary kept in the plan's root deck description, for the phone.

AnkiDroid, AnkiMobile and AnkiWeb don't run the add-on, but they show a deck's
description on its overview screen, and the deck syncs with the collection. So after
every change of progress the root deck's description carries a short block (week, points
earned / planned / total, ahead or behind, next up, as of which day), between two HTML
comments; whatever the learner wrote outside the block is kept exactly.

The block is derived (the records are the truth). Its start marker names the day it was
computed for and a digest of what it was computed from, so a block that is merely from
an earlier day (it says so) is told apart from one that no longer matches the records,
which is written again. Pure functions.
"""

from __future__ import annotations

import datetime as dt
import html
import re

from learnplan.figures.model import Figures

START = "<!-- learnplan:summary"
END = "<!-- /learnplan:summary -->"
# A block: our start marker (day, digest), no other start marker inside, our end marker.
_BLOCK = re.compile(
    r"<!-- learnplan:summary (\d{4}-\d{2}-\d{2}) ([0-9a-f]{1,64}) -->"
    r"(?:(?!<!-- learnplan:summary).)*?"
    r"<!-- /learnplan:summary -->",
    re.S,
)


def summary_lines(f: Figures) -> list[str]:
    """The summary as plain lines: the headline (the report's and the panel's), points,
    next up and the day (:attr:`Figures.summary <learnplan.figures.model.Figures>`)."""
    return list(f.summary)


def summary_block(f: Figures, digest: str) -> str:
    """The block for a plan's figures: escaped HTML between the markers, one line.
    ``digest`` (lower-case hex) identifies the records it was computed from."""
    if not re.fullmatch(r"[0-9a-f]{1,64}", digest):
        raise ValueError(f"digest must be lower-case hex, got {digest!r}")
    first, *middle, last = (html.escape(line, quote=False) for line in summary_lines(f))
    body = "<br>".join([f"<b>{first}</b>", *middle, f"<small>{last}</small>"])
    return f'{START} {f.today} {digest} --><div class="learnplan-summary">{body}</div>{END}'


def find_block(description: str) -> tuple[str, dt.date, str] | None:
    """The block in a description, the day it was computed for and its digest, or None."""
    match = _BLOCK.search(description)
    if match is None:
        return None
    try:
        day = dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None
    return match.group(0), day, match.group(2)


def with_block(description: str, block: str) -> str:
    """``description`` with its block replaced by ``block`` (or put first, if it has none).

    Only the first well-formed block is touched; the rest of the text stays as it is.
    """
    match = _BLOCK.search(description)
    if match is None:
        return block + description
    return description[: match.start()] + block + description[match.end() :]
