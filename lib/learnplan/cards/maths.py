"""Maths in card text: found, checked, and written the way Anki and MathJax read it.

A learner writes maths as ``$…$``, ``$$…$$``, ``\\(…\\)`` or ``\\[…\\]``. It is cut out before
Markdown sees the text (so ``_``, ``*`` and ``\\`` reach MathJax unchanged) and put back as
``\\(…\\)`` / ``\\[…\\]``. Anki reads cloze markers in the field's raw text before MathJax
sees anything, and clozes and maths may nest either way, so:

- in maths inside a cloze, a ``}}`` of TeX would end the cloze early and a ``::`` would
  start its hint: they are stored as ``} }`` (TeX ignores the space) and
  ``:<span></span>:`` (Anki removes HTML inside maths before MathJax reads it);
- a cloze inside maths ends at the ``}}`` that closes its own braces
  (``{{c1::(A^T)^{-1}}}``), and its text is kept whole the same way;
- maths that would not render as written is a problem that says why: a span that
  crosses the edge of a cloze, unbalanced braces, a ``$`` after a space (it never closes
  maths, so that "$5 and $6" stays text), a ``$$`` never closed.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from learnplan.base.errors import PlanError, Problem
from learnplan.cards.markdown import escape
from learnplan.model.plan import Plan

__all__ = [
    "Extracted",
    "check_plan_maths",
    "extract_maths",
    "maths_problems",
    "plan_maths_problems",
    "put_back",
]

# Private-use characters never typed by learners; Markdown treats them as plain text.
_OPEN = "\ue000"
_CLOSE = "\ue001"
_CLOZE_END = "\ue002"  # the "}}" ending a cloze inside maths, while the TeX is rewritten
_TEX_COLONS = "\ue003"  # a "::" of TeX in a cloze, while the TeX is rewritten
_PLACEHOLDER_RE = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_CLOZE_OPEN_RE = re.compile(r"\{\{c\d+::")
_SCAN_RE = re.compile(r"[\\`${}]")
_TEX_TOKEN_RE = re.compile(r"\\.|\{\{c\d+::|::|[{}]", re.DOTALL)
# Runs of what is not a brace of TeX's own (escaped braces "\{" included): removing
# them leaves the braces to count. Runs, not single characters: this runs for every
# maths span of a 100,000-card plan.
_NOT_BRACE_RE = re.compile(r"(?:\\.|\\\Z|[^{}\\])+", re.DOTALL)
_BRACE_RE = re.compile(r"\\.|[{}]", re.DOTALL)
_DOLLAR_RE = re.compile(r"\\.|\$", re.DOTALL)
_SPLIT_BRACES_RE = re.compile(f"\\}}(?=[}}{_CLOZE_END}])")
# Anki strips HTML inside maths after reading clozes: "::" stays out of its cloze reader.
_NO_HINT = ":<span></span>:"
_SHOWN = 40  # characters of the maths quoted in a message


class Extracted(NamedTuple):
    """Card text with each maths span replaced by a placeholder, the spans' HTML, and
    what is wrong with any of them (one message per span, empty when all is well).
    A named tuple: one is made for every side of every card."""

    text: str
    maths: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


def put_back(html: str, extracted: Extracted) -> str:
    """``html`` (rendered from ``extracted.text``) with the maths back in place."""
    if not extracted.maths:
        return html
    return _PLACEHOLDER_RE.sub(lambda m: extracted.maths[int(m.group(1))], html)


def maths_problems(text: str) -> tuple[str, ...]:
    """What is wrong with the maths in one side of a card: one message per bad span."""
    if "$" not in text and "\\" not in text:
        return ()
    return extract_maths(text).problems


def plan_maths_problems(plan: Plan) -> list[Problem]:
    """Every maths problem of the plan's cards, at each card's ``path:line``."""
    problems: list[Problem] = []
    for course in plan.courses:
        for card in course.cards:
            sides = ("cloze text", "extra") if card.kind == "cloze" else ("front", "back")
            for side, text in zip(sides, (card.front, card.back), strict=True):
                for message in maths_problems(text.strip()):  # stripped, as rendered
                    where = card.source
                    path, line = (where.path, where.line) if where else ("<card>", 0)
                    problems.append(Problem(path, line, f"card {side}: {message}"))
    return problems


def check_plan_maths(plan: Plan) -> None:
    """Raise :class:`PlanError` listing :func:`plan_maths_problems`, if there are any."""
    problems = plan_maths_problems(plan)
    if problems:
        raise PlanError(problems)


# The characters _find_inline_close looks at.
_INLINE_CLOSE_SCAN = re.compile(r"[\\\n$]")


def _find_inline_close(text: str, start: int) -> int:
    """Index of the ``$`` closing inline maths opened just before ``start``, or -1.

    As in Pandoc: it follows a non-space and is not followed by a digit."""
    n = len(text)
    j = start
    while True:
        found = _INLINE_CLOSE_SCAN.search(text, j)  # jump over everything else
        if found is None:
            return -1
        j = found.start()
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "\n":
            if text.startswith("\n", j + 1):
                return -1  # maths never spans a blank line
        elif j == start:
            return -1  # "$$" is display maths, handled by the caller
        elif not text[j - 1].isspace() and not (j + 1 < n and text[j + 1].isdigit()):
            return j
        j += 1


def _find_unescaped(text: str, needle: str, start: int) -> int:
    j = start
    while True:
        j = text.find(needle, j)
        if j < 0:
            return -1
        backslashes = 0
        k = j - 1
        while k >= start and text[k] == "\\":
            backslashes += 1
            k -= 1
        if backslashes % 2 == 0:
            return j
        j += 1


def _code_span_end(text: str, i: int) -> int:
    """Where the code span opening at ``i`` ends (maths is never looked for inside it)."""
    n = len(text)
    run = 1
    while i + run < n and text[i + run] == "`":
        run += 1
    fence = "`" * run
    j = text.find(fence, i + run)
    while j >= 0 and j + run < n and text[j + run] == "`":
        j = text.find(fence, j + run + 1)
    return j + run if j >= 0 else i + run


def extract_maths(text: str) -> Extracted:
    """Cut every maths span out of ``text`` (code spans are left alone)."""
    if "$" not in text and "\\" not in text:
        return Extracted(text)  # the common case: no maths delimiter at all
    out: list[str] = []
    maths: list[str] = []
    problems: list[str] = []
    depth = 0  # open cloze markers around the current position
    i = 0
    n = len(text)
    plain_from = 0
    while (found := _SCAN_RE.search(text, i)) is not None:
        i = found.start()
        ch = text[i]
        # (content start, content end, span end, display)
        span: tuple[int, int, int, bool] | None = None
        if ch == "\\":
            if i + 1 < n and text[i + 1] in "([":
                j = text.find("\\)" if text[i + 1] == "(" else "\\]", i + 2)
                if j >= 0:
                    span = (i + 2, j, j + 2, text[i + 1] == "[")
            if span is None:
                i += 2  # an escaped character (including "\$") is never a delimiter
                continue
        elif ch == "`":
            i = _code_span_end(text, i)
            continue
        elif ch == "$":
            if text.startswith("$$", i):
                j = _find_unescaped(text, "$$", i + 2)
                if j > i + 2:
                    span = (i + 2, j, j + 2, True)
                elif j < 0:
                    problems.append(
                        f"maths {_quote(text[i:])}: '$$' opens display maths that is never "
                        "closed: end it with '$$' (write '\\$' for a dollar sign)"
                    )
                    i += 2
                    continue
                else:
                    i += 4  # "$$$$": nothing between the signs
                    continue
            elif i + 1 < n and not text[i + 1].isspace():
                j = _find_inline_close(text, i + 1)
                if j > 0:
                    span = (i + 1, j, j + 1, False)
            if span is None:
                i += 1
                continue
        elif ch == "{":
            opener = _CLOZE_OPEN_RE.match(text, i)
            if opener is not None:
                depth += 1
                i = opener.end()
            else:
                i += 1
            continue
        else:  # "}"
            if depth and text.startswith("}}", i):
                depth -= 1
                i += 2
            else:
                i += 1
            continue
        begin, end, after, display = span
        tex, problem = _tex(text[begin:end], depth > 0, ch == "$")
        if problem is not None:
            problems.append(f"maths {_quote(text[i:after])}: {problem}")
        out.append(text[plain_from:i])
        out.append(f"{_OPEN}{len(maths)}{_CLOSE}")
        maths.append(f"\\[{tex}\\]" if display else f"\\({tex}\\)")
        plain_from = i = after
    if not maths and not problems:
        return Extracted(text)
    out.append(text[plain_from:])
    return Extracted("".join(out), tuple(maths), tuple(problems))


def _quote(written: str) -> str:
    shown = written if len(written) <= _SHOWN else written[: _SHOWN - 1] + "…"
    return f"`{shown}`"


def _tex(content: str, in_cloze: bool, dollar: bool) -> tuple[str, str | None]:
    """The maths ``content`` as the field must hold it (HTML-escaped, safe for Anki's
    cloze reader), and what is wrong with it (None: it renders as written)."""
    if dollar and "$" in content:
        stray = _stray_dollar(content)
        if stray is not None:
            return "", stray
    if "{{c" not in content:
        # Most maths: no cloze inside it, only its braces to check.
        if ("{" in content or "}" in content) and not _balanced(_braces(content)):
            open_braces = 0
            for brace in _braces(content):
                open_braces += 1 if brace == "{" else -1
                if open_braces < 0:
                    return "", _closes_nothing(content, in_cloze)
            if open_braces:
                return "", _unclosed(open_braces)
        if not in_cloze:
            return escape(content), None
        # Inside a cloze: keep "}}" and "::" of TeX from Anki's cloze reader.
        return _SPLIT_BRACES_RE.sub("} ", escape(content)).replace("::", _NO_HINT), None
    pieces: list[str] = []
    braces = 0  # TeX's own braces
    clozes: list[list[int]] = []  # per cloze opened inside: [braces at its start, hint seen]
    last = 0
    while (token := _TEX_TOKEN_RE.search(content, last)) is not None:
        value = token.group()
        pieces.append(content[last : token.start()])
        last = token.end()
        if value == "}":
            if clozes and braces == clozes[-1][0] and content.startswith("}", last):
                clozes.pop()  # the "}}" ending the cloze opened inside the maths
                pieces.append(_CLOZE_END)
                last += 1
                continue
            if braces == 0:
                return "", _closes_nothing(content, in_cloze)
            braces -= 1
        elif value == "{":
            braces += 1
        elif value == "::":
            if clozes and braces == clozes[-1][0] and not clozes[-1][1]:
                clozes[-1][1] = 1  # the hint of the cloze inside the maths
            elif in_cloze or clozes:
                value = _TEX_COLONS  # a "::" of TeX, kept from Anki's cloze reader
        elif value[0] == "{":
            clozes.append([braces, 0])
        pieces.append(value)
    pieces.append(content[last:])
    if clozes:
        return "", (
            "a cloze '{{c…::' that starts inside maths must end inside it: put its '}}' "
            "before the end of the maths, or the whole maths inside the cloze"
        )
    if braces:
        return "", _unclosed(braces)
    tex = _SPLIT_BRACES_RE.sub("} ", escape("".join(pieces)))
    return tex.replace(_CLOZE_END, "}}").replace(_TEX_COLONS, _NO_HINT), None


#: str.translate table keeping only the braces of ASCII text.
_KEEP_BRACES = {code: None for code in range(128) if chr(code) not in "{}"}


def _balanced(braces: str) -> bool:
    """True when every ``}`` of ``braces`` closes an earlier ``{`` and none stays open
    (innermost pairs removed until none is left: C-level passes, one or two for TeX)."""
    while "{}" in braces:
        braces = braces.replace("{}", "")
    return not braces


def _braces(content: str) -> str:
    """The braces of TeX's own grouping in ``content``, in order (escaped ones left out).
    The common case (no escaped brace, ASCII TeX) takes one C-level pass."""
    if "\\" not in content or ("\\{" not in content and "\\}" not in content):
        kept = content.translate(_KEEP_BRACES)
        if not kept.strip("{}"):
            return kept
    return _NOT_BRACE_RE.sub("", content)


def _stray_dollar(content: str) -> str | None:
    """What is wrong with a ``$`` inside ``$…$`` maths (None: every one is escaped)."""
    for found in _DOLLAR_RE.finditer(content):
        at = found.start()
        if found.group() != "$":
            continue
        if content[0].isdigit():
            return (
                f"'${content.split()[0]}' looks like money: write '\\$' for a dollar sign "
                "(a '$' after a space never ends maths)"
            )
        if at > 0 and content[at - 1].isspace():
            meant = "$" + content[:at].rstrip() + "$"
            return (
                "a '$' after a space does not end maths (so that '$5 and $6' stays text): "
                f"write `{meant}`, without the space, or '\\$' for a dollar sign"
            )
        return "it holds a '$': write '\\$' for a dollar sign inside maths"
    return None


def _closes_nothing(content: str, in_cloze: bool) -> str:
    """The message for a ``}`` of ``content`` that closes no ``{``: in a cloze, a ``}}``
    there is the cloze's end, inside the maths."""
    braces = 0
    for token in _BRACE_RE.finditer(content):
        braces += 1 if token.group() == "{" else -1 if token.group() == "}" else 0
        if braces < 0:
            if in_cloze and content.startswith("}", token.end()):
                return (
                    "it starts inside a cloze and goes on past the '}}' that ends the "
                    "cloze: end the maths before '}}', or start it before '{{c'"
                )
            break
    return "a '}' closes no '{'"


def _unclosed(count: int) -> str:
    return "a '{' is never closed" if count == 1 else f"{count} '{{' are never closed"
