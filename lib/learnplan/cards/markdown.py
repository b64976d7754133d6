"""Card text (maths cut out) -> HTML, with markdown-it or, for the Markdown most cards use,
a fast path that gives the same HTML (a randomised test compares them)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

from learnplan.cards.fast_tables import fast_table

__all__ = [
    "BLOCK_START_RE",
    "NOT_PLAIN_FIELD_RE",
    "escape",
    "fast_blocks",
    "is_plain",
    "render_markdown",
]

_md: dict[bool, MarkdownIt] = {}


def _markdown(html: bool = True) -> MarkdownIt:
    """The Markdown parser; with ``html=False`` raw HTML is shown as text (a CSV card
    file's ``#html:false``)."""
    md = _md.get(html)
    if md is None:
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"html": html}).enable(["table", "strikethrough"])
        _md[html] = md
    return md


# Characters that can start any inline or block construct; text without them (after math
# is cut out) renders to itself, escaped, which skips the parser for most card text.
_SPECIAL_RE = re.compile(r"[\\`*_\[\]!<>&~|#\n\r\t\0]")
BLOCK_START_RE = re.compile(r"[-+=]|\d{1,9}[.)]|\s")


#: What :data:`_SPECIAL_RE`, a ``$`` or a control character finds: a field without any
#: (and no block start, no trailing space) renders to itself. One scan, for every side.
NOT_PLAIN_FIELD_RE = re.compile(r"[\\`*_\[\]!<>&~|#\n\r\t\0$\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_plain(text: str) -> bool:
    """True when ``text`` renders to itself (only ``"`` escaped): no Markdown in it."""
    return (
        bool(text)
        and _SPECIAL_RE.search(text) is None
        and BLOCK_START_RE.match(text) is None
        and not text[-1].isspace()
    )


# A fast path for the Markdown most cards use: paragraphs and "- " lists of single lines
# with plain text, `code`, **strong**, *em* and [links](https://simple.url/). Anything
# else (or anything ambiguous, such as adjacent emphasis) returns None and goes to
# markdown-it; a randomised test checks both give the same HTML.
_P = r"[^\\`*_\[\]!<>&~|#\n\r\t\0]"
_INLINE_RE = re.compile(
    rf"(?P<plain>{_P}+)"
    r"|`(?P<code>[^`\n]+)`(?!`)"
    rf"|\*\*(?P<strong>[A-Za-z0-9](?:{_P}*[A-Za-z0-9])?)\*\*"
    rf"|\*(?P<em>[A-Za-z0-9](?:{_P}*[A-Za-z0-9])?)\*"
    rf"|\[(?P<link>{_P}+)\]\((?P<href>https?://[a-z0-9.-]+(?:/[A-Za-z0-9._~/=?#+-]*)?)\)"
)
_LINE_START_RE = re.compile(r"[-+=#>|~<]|\*\s|\d{1,9}[.)]|\s|`{3}")


def escape(text: str) -> str:
    """``text`` safe in HTML text and in a double-quoted attribute."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _fast_inline(line: str) -> str | None:
    if not line or _LINE_START_RE.match(line) or line[-1].isspace():
        return None
    out: list[str] = []
    pos = 0
    prev_emphasis = False
    while pos < len(line):
        m = _INLINE_RE.match(line, pos)
        if m is None:
            return None
        kind = m.lastgroup
        value = m.group(kind or 0)
        if kind == "plain":
            out.append(value.replace('"', "&quot;"))
        elif kind == "href":  # the last group of a link
            text = m.group("link").replace('"', "&quot;")
            out.append(f'<a href="{value}">{text}</a>')
        elif kind == "code":
            if value.startswith(" ") and value.endswith(" ") and value.strip(" "):
                value = value[1:-1]
            out.append(f"<code>{escape(value)}</code>")
        else:
            if prev_emphasis:
                return None
            tag = "strong" if kind == "strong" else "em"
            out.append(f"<{tag}>{value.replace(chr(34), '&quot;')}</{tag}>")
        prev_emphasis = kind in ("strong", "em")
        pos = m.end()
    return "".join(out)


def _fast_lines(lines: list[str]) -> list[str] | None:
    out: list[str] = []
    for line in lines:
        rendered = _fast_inline(line)
        if rendered is None:
            return None
        out.append(rendered)
    return out


def fast_blocks(text: str) -> str | None:
    """The HTML markdown-it gives ``text`` when it is simple enough to know it, else None."""
    out: list[str] = []
    previous_list = False
    for block in text.split("\n\n"):
        lines = block.split("\n")
        if lines[0].startswith("- "):
            if previous_list or not all(line.startswith("- ") for line in lines):
                return None  # two lists split by a blank line are one loose list
            items = _fast_lines([line[2:] for line in lines])
            if items is None:
                return None
            out.append("<ul>\n" + "".join(f"<li>{item}</li>\n" for item in items) + "</ul>\n")
            previous_list = True
        else:
            para = _fast_lines(lines)
            if para is None:
                return None
            out.append("<p>" + "\n".join(para) + "</p>\n")
            previous_list = False
    return "".join(out)


def render_markdown(text: str, html: bool = True) -> str:
    """``text`` (maths already cut out) as HTML; a single paragraph comes unwrapped.
    With ``html=False`` raw HTML in it is shown as text."""
    if is_plain(text):
        return text.replace('"', "&quot;")
    fast = fast_blocks(text) if "\r" not in text and "\0" not in text else None
    if fast is None and text.startswith("|"):
        fast = fast_table(text, _fast_inline)
    rendered = fast if fast is not None else _markdown(html).render(text)
    # A single paragraph is unwrapped so fronts and cloze text sit inline in templates.
    if (
        rendered.startswith("<p>")
        and rendered.endswith("</p>\n")
        and rendered.count("<p>") == 1
        and "\n" not in rendered[:-1]
    ):
        return rendered[3:-5]
    return rendered.rstrip("\n")
