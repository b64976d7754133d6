"""Card text (Markdown with math and cloze markers) -> the HTML stored in an Anki field.

Math is cut out before Markdown sees it and put back afterwards, so underscores,
asterisks and backslashes inside it reach MathJax unchanged. Raw HTML is sanitised
unless the plan allows it. Local images are renamed to content-hashed media names.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from .errors import PlanError
from .plan import SourceRef

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = ["Rendered", "media_name", "render_card_text"]


@dataclass(frozen=True)
class Rendered:
    html: str
    media: tuple[Path, ...] = ()  # local image files referenced, by their source path


_EMPTY = Rendered("")

# Private-use characters never typed by learners; Markdown treats them as plain text.
_OPEN = "\ue000"
_CLOSE = "\ue001"
_PLACEHOLDER_RE = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_CLOZE_OPEN_RE = re.compile(r"\{\{c\d+::")
_MATH_SCAN_RE = re.compile(r"[\\`${}]")


@dataclass(frozen=True)
class _Math:
    content: str
    display: bool
    in_cloze: bool


def _find_inline_close(text: str, start: int) -> int:
    """Index of the ``$`` closing inline math opened just before ``start``, or -1."""
    n = len(text)
    j = start
    while j < n:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "\n" and text.startswith("\n", j + 1):
            return -1  # math never spans a blank line
        if ch == "$":
            if j == start:
                return -1  # "$$" is display math, handled by the caller
            if not text[j - 1].isspace() and not (j + 1 < n and text[j + 1].isdigit()):
                return j
        j += 1
    return -1


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


def _extract_math(text: str) -> tuple[str, list[_Math]]:
    """Replace every math span with a placeholder; code spans are left alone."""
    out: list[str] = []
    maths: list[_Math] = []
    depth = 0  # open cloze markers around the current position
    i = 0
    n = len(text)
    plain_from = 0

    def emit_math(end: int, content: str, display: bool) -> None:
        nonlocal plain_from
        out.append(text[plain_from:i])
        out.append(f"{_OPEN}{len(maths)}{_CLOSE}")
        maths.append(_Math(content, display, depth > 0))
        plain_from = end

    if "$" not in text and "\\" not in text:
        return text, maths  # the common case: no math delimiter at all
    while True:
        found = _MATH_SCAN_RE.search(text, i)
        if found is None:
            break
        i = found.start()
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt in "([":
                closer = "\\)" if nxt == "(" else "\\]"
                j = text.find(closer, i + 2)
                if j >= 0:
                    emit_math(j + 2, text[i + 2 : j], nxt == "[")
                    i = j + 2
                    continue
            i += 2  # an escaped character (including "\$") is never a delimiter
            continue
        if ch == "`":
            run = 1
            while i + run < n and text[i + run] == "`":
                run += 1
            fence = "`" * run
            j = text.find(fence, i + run)
            while j >= 0 and j + run < n and text[j + run] == "`":
                j = text.find(fence, j + run + 1)
            i = j + run if j >= 0 else i + run
            continue
        if ch == "$":
            if text.startswith("$$", i):
                j = _find_unescaped(text, "$$", i + 2)
                if j > i + 2:
                    emit_math(j + 2, text[i + 2 : j], True)
                    i = j + 2
                    continue
                i += 2
                continue
            if i + 1 < n and not text[i + 1].isspace():
                j = _find_inline_close(text, i + 1)
                if j > 0:
                    emit_math(j + 1, text[i + 1 : j], False)
                    i = j + 1
                    continue
            i += 1
            continue
        if ch == "{" and _CLOZE_OPEN_RE.match(text, i):
            depth += 1
            i = text.index("::", i) + 2
            continue
        if ch == "}" and depth and text.startswith("}}", i):
            depth -= 1
            i += 2
            continue
        i += 1
    if not maths:
        return text, maths
    out.append(text[plain_from:])
    return "".join(out), maths


def _math_html(m: _Math) -> str:
    body = m.content.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if m.in_cloze:
        # Anki ends a cloze at the first "}}", even inside MathJax; a space between the
        # braces is invisible to TeX and keeps the cloze whole.
        body = re.sub(r"\}(?=\})", "} ", body)
    return f"\\[{body}\\]" if m.display else f"\\({body}\\)"


# --- Markdown

_md: MarkdownIt | None = None


def _markdown() -> MarkdownIt:
    global _md
    if _md is None:
        from markdown_it import MarkdownIt

        _md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return _md


# Characters that can start any inline or block construct; text without them (after math
# is cut out) renders to itself, escaped, which skips the parser for most card text.
_SPECIAL_RE = re.compile(r"[\\`*_\[\]!<>&~|#\n\r\t\0]")
_BLOCK_START_RE = re.compile(r"[-+=]|\d{1,9}[.)]|\s")


def _is_plain(text: str) -> bool:
    return (
        bool(text)
        and _SPECIAL_RE.search(text) is None
        and _BLOCK_START_RE.match(text) is None
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


def _escape(text: str) -> str:
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
            out.append(f"<code>{_escape(value)}</code>")
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


def _fast_blocks(text: str) -> str | None:
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


def _render_markdown(text: str) -> str:
    if _is_plain(text):
        return text.replace('"', "&quot;")
    fast = _fast_blocks(text) if "\r" not in text and "\0" not in text else None
    rendered = fast if fast is not None else _markdown().render(text)
    # A single paragraph is unwrapped so fronts and cloze text sit inline in templates.
    if (
        rendered.startswith("<p>")
        and rendered.endswith("</p>\n")
        and rendered.count("<p>") == 1
        and "\n" not in rendered[:-1]
    ):
        return rendered[3:-5]
    return rendered.rstrip("\n")


# --- Sanitising

_ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "big",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "dd",
        "del",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "tt",
        "u",
        "ul",
    }
)
_ALLOWED_ATTRS = {
    "a": ["href", "title"],
    "img": ["src", "alt"],
    "abbr": ["title"],
    "td": ["colspan", "rowspan", "align"],
    "th": ["colspan", "rowspan", "align"],
    "code": ["class"],
    "span": ["class"],
    "div": ["class"],
}
# Removed with their content: what is inside them is code or styling, never card text.
_DROP_WITH_CONTENT_RE = re.compile(
    r"<(script|style|iframe|object|embed|template|noscript)\b.*?(</\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)


def _sanitise(fragment: str) -> str:
    import bleach

    fragment = _DROP_WITH_CONTENT_RE.sub("", fragment)
    cleaned: str = bleach.clean(
        fragment,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRS,
        protocols={"http", "https", "mailto"},
        strip=True,
        strip_comments=True,
    )
    return cleaned


# --- Images

_IMG_SRC_RE = re.compile(
    r"""(<img\b[^>]*?\bsrc\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE
)
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")
_hash_cache: dict[tuple[str, int, int], str] = {}


def media_name(path: Path) -> str:
    """The content-hashed media name of a local file: ``lp-<sha256[:16]><ext>``."""
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    name = _hash_cache.get(key)
    if name is None:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        name = f"lp-{digest}{path.suffix.lower()}"
        _hash_cache[key] = name
    return name


def _fail(source: SourceRef | None, message: str) -> PlanError:
    if source is None:
        return PlanError.at("<card>", 0, message)
    return PlanError.at(source.path, source.line, message)


def _rewrite_images(
    fragment: str, base_dir: Path | None, source: SourceRef | None
) -> tuple[str, tuple[Path, ...]]:
    found: list[Path] = []

    def replace(m: re.Match[str]) -> str:
        raw = next(g for g in m.groups()[1:] if g is not None)
        src = html.unescape(raw)
        if not src or _SCHEME_RE.match(src):
            return m.group(0)
        if base_dir is None:
            raise _fail(source, f"image {src!r}: relative images need the card's folder")
        path = Path(os.path.normpath(base_dir / unquote(src)))
        if not path.is_file():
            raise _fail(source, f"image not found: {src} (looked for {path})")
        found.append(path)
        return f'{m.group(1)}"{html.escape(media_name(path))}"'

    rewritten = _IMG_SRC_RE.sub(replace, fragment)
    return rewritten, tuple(dict.fromkeys(found))


# --- Entry point


def render_card_text(
    text: str, *, allow_html: bool, base_dir: Path | None, source: SourceRef | None
) -> Rendered:
    """Render one field's Markdown to Anki field HTML.

    Raises ``PlanError`` (at ``source``) when a referenced local image is missing.
    """
    stripped = text.strip()
    if not stripped:
        return _EMPTY
    if _is_plain(stripped) and "$" not in stripped:
        return Rendered(stripped.replace('"', "&quot;"))  # most card text: nothing to do
    stripped, maths = _extract_math(stripped)
    out = _render_markdown(stripped)
    if not allow_html and "<" in stripped:
        out = _sanitise(out)
    media: tuple[Path, ...] = ()
    if "<img" in out:
        out, media = _rewrite_images(out, base_dir, source)
    if maths:
        out = _PLACEHOLDER_RE.sub(lambda m: _math_html(maths[int(m.group(1))]), out)
    return Rendered(out, media)
