"""Card text (Markdown with math and cloze markers) -> the HTML stored in an Anki field.

Math is cut out before Markdown sees it and put back afterwards, so underscores,
asterisks and backslashes inside it reach MathJax unchanged. Local images are checked
(planfiles.py) and renamed to content-hashed media names. The finished HTML then passes
one sanitiser, last, whatever produced it: raw HTML, Markdown, math or media names.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from learnplan.base.errors import PlanError
from learnplan.cards.fast_tables import fast_table
from learnplan.cards.files import (
    FileRefError,
    image_file,
    image_name,
    image_url,
    is_data_image,
    media_name,
)
from learnplan.model.plan import SourceRef

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = ["Rendered", "clean_html", "image_sources", "media_name", "render_card_text"]


class Rendered(NamedTuple):
    # A named tuple (not a frozen dataclass): two are made per card, and it is quicker.
    html: str
    media: tuple[Path, ...] = ()  # local image files referenced, by their source path


_EMPTY = Rendered("")

# Private-use characters never typed by learners; Markdown treats them as plain text.
_OPEN = "\ue000"
_CLOSE = "\ue001"
_PLACEHOLDER_RE = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_CLOZE_OPEN_RE = re.compile(r"\{\{c\d+::")
_MATH_SCAN_RE = re.compile(r"[\\`${}]")


class _Math(NamedTuple):
    content: str
    display: bool
    in_cloze: bool


# The characters _find_inline_close looks at; it jumps over all others.
_INLINE_CLOSE_SCAN = re.compile(r"[\\\n$]")


def _find_inline_close(text: str, start: int) -> int:
    """Index of the ``$`` closing inline math opened just before ``start``, or -1."""
    n = len(text)
    j = start
    while True:
        found = _INLINE_CLOSE_SCAN.search(text, j)
        if found is None:
            return -1
        j = found.start()
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "\n":
            if text.startswith("\n", j + 1):
                return -1  # math never spans a blank line
        elif j == start:
            return -1  # "$$" is display math, handled by the caller
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
    # Escaped for text and for a double-quoted attribute alike: math may sit in either.
    body = (
        m.content.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )
    if m.in_cloze:
        # Anki ends a cloze at the first "}}", even inside MathJax; a space between the
        # braces is invisible to TeX and keeps the cloze whole.
        body = re.sub(r"\}(?=\})", "} ", body)
    return f"\\[{body}\\]" if m.display else f"\\({body}\\)"


# --- Markdown

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


def _render_markdown(text: str, html: bool = True) -> str:
    if _is_plain(text):
        return text.replace('"', "&quot;")
    fast = _fast_blocks(text) if "\r" not in text and "\0" not in text else None
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


# --- Sanitising: the last step every field goes through

# Tags and attributes a card may use; plans with ``allow_html: true`` may use more
# (docs/outline.md lists both). Everything else is removed; its text is kept.
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
_ALLOWED_ATTRS: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt"}),
    "abbr": frozenset({"title"}),
    "ol": frozenset({"start"}),
    # Markdown tables align columns with style="text-align: ..."
    "td": frozenset({"colspan", "rowspan", "align", "style"}),
    "th": frozenset({"colspan", "rowspan", "align", "style"}),
    "code": frozenset({"class"}),
    "span": frozenset({"class"}),
    "div": frozenset({"class"}),
}
_ALLOWED_CSS = frozenset({"text-align"})

_HTML_TAGS = _ALLOWED_TAGS | {
    "center",
    "col",
    "colgroup",
    "details",
    "dfn",
    "figcaption",
    "figure",
    "font",
    "rp",
    "rt",
    "ruby",
    "section",
    "summary",
    "var",
    "wbr",
}
_HTML_ATTRS: dict[str, frozenset[str]] = {
    **_ALLOWED_ATTRS,
    "*": frozenset({"class", "title", "lang", "dir", "align", "style"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "td": frozenset({"colspan", "rowspan", "valign"}),
    "th": frozenset({"colspan", "rowspan", "valign"}),
    "col": frozenset({"span", "width"}),
    "colgroup": frozenset({"span", "width"}),
    "ol": frozenset({"start", "type", "reversed"}),
    "font": frozenset({"color", "face", "size"}),
    "details": frozenset({"open"}),
}
_HTML_CSS = frozenset(
    {
        "background-color",
        "border",
        "border-bottom",
        "border-collapse",
        "border-color",
        "border-left",
        "border-radius",
        "border-right",
        "border-style",
        "border-top",
        "border-width",
        "color",
        "font-family",
        "font-size",
        "font-style",
        "font-variant",
        "font-weight",
        "height",
        "letter-spacing",
        "line-height",
        "list-style-type",
        "margin",
        "margin-bottom",
        "margin-left",
        "margin-right",
        "margin-top",
        "max-height",
        "max-width",
        "min-height",
        "min-width",
        "padding",
        "padding-bottom",
        "padding-left",
        "padding-right",
        "padding-top",
        "text-align",
        "text-decoration",
        "text-indent",
        "text-transform",
        "vertical-align",
        "white-space",
        "width",
        "word-spacing",
    }
)
# Removed with everything inside them: their content is code, styling or another
# document, never card text. Elements outside HTML (SVG, MathML) go the same way.
_DROP_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "template",
        "noscript",
        "noembed",
        "noframes",
        "textarea",
        "title",
        "xmp",
        "select",
    }
)
_PROTOCOLS = frozenset({"http", "https", "mailto", "data"})
_URL_ATTRS = frozenset({"href", "src"})
# A CSS value made of words, numbers, units, colours and rgb()/hsl() only: no url(), no
# escapes, comments, strings or other functions.
_CSS_VALUE = re.compile(r"(?:[#a-zA-Z0-9 .,%+-]|(?:rgba?|hsla?)\([0-9 .,%+/-]*\))+")
_URL_NOISE = re.compile(r"[`\x00-\x20\x7f-\xa0\s]+")


@dataclass(frozen=True)
class _Policy:
    tags: frozenset[str]
    attributes: dict[str, frozenset[str]]
    css: frozenset[str]

    def allows(self, tag: str, name: str, value: str) -> bool:
        """bleach's attribute filter: may ``tag`` keep ``name="value"``?"""
        if name not in self.attributes.get(tag, ()) and name not in self.attributes.get("*", ()):
            return False
        if name == "style":
            return bool(self.sanitize_css(value))
        if name in _URL_ATTRS and _url_scheme(value) == "data":
            # Only an inline raster image; never a data: link or document.
            return tag == "img" and name == "src" and is_data_image(_normal_url(value))
        return True

    def sanitize_css(self, style: str) -> str:
        """The declarations of ``style`` (an attribute value as written) whose property
        is allowed and whose value is plain; the rest are dropped."""
        kept: list[str] = []
        for declaration in html.unescape(style).split(";"):
            prop, colon, value = declaration.partition(":")
            prop, value = prop.strip().lower(), value.strip()
            if colon and prop in self.css and _CSS_VALUE.fullmatch(value):
                kept.append(f"{prop}: {value}")
        return "; ".join(kept)


_POLICY = _Policy(_ALLOWED_TAGS, _ALLOWED_ATTRS, _ALLOWED_CSS)
_HTML_POLICY = _Policy(_HTML_TAGS, _HTML_ATTRS, _HTML_CSS)


def _normal_url(value: str) -> str:
    """A URL attribute value as bleach normalises it before checking its scheme."""
    from bleach import html5lib_shim

    url = _URL_NOISE.sub("", html5lib_shim.convert_entities(value))
    return re.sub(r"[^\x00-\x7f]", "", url).lower()


def _url_scheme(value: str) -> str:
    scheme, colon, _ = _normal_url(value).partition(":")
    return scheme if colon else ""


_tools = threading.local()


def _html_tools() -> tuple[Any, Any, Any]:
    """(parser, tree walker, serializer), one set per thread (html5lib parsers keep state)."""
    tools: tuple[Any, Any, Any] | None = getattr(_tools, "tools", None)
    if tools is None:
        from bleach import html5lib_shim

        tools = (
            # tags=None: the parser sees every element as the browser would (a <script>
            # keeps its content inside it), and the sanitiser below decides.
            html5lib_shim.BleachHTMLParser(
                tags=None, strip=True, consume_entities=False, namespaceHTMLElements=False
            ),
            html5lib_shim.getTreeWalker("etree"),
            html5lib_shim.BleachHTMLSerializer(
                quote_attr_values="always",
                omit_optional_tags=False,
                escape_lt_in_attrs=True,
                resolve_entities=False,
                sanitize=False,
                alphabetical_attributes=False,
            ),
        )
        _tools.tools = tools
    return tools


def _prepared(fragment: str, on_image: Callable[[str], str | None]) -> Iterator[dict[str, Any]]:
    """The tokens of ``fragment`` as a browser parses it, without elements that are
    dropped with their content; every ``<img src>`` value (as written) is passed to
    ``on_image`` and replaced by what it returns (None removes the attribute)."""
    parser, walker, _ = _html_tools()
    skip = 0
    for token in walker(parser.parseFragment(fragment)):
        kind = token["type"]
        if skip:
            if kind == "StartTag":
                skip += 1
            elif kind == "EndTag":
                skip -= 1
            continue
        if kind in ("StartTag", "EmptyTag") and (
            token.get("namespace") is not None or token["name"] in _DROP_WITH_CONTENT
        ):
            skip = 1 if kind == "StartTag" else 0
            continue
        if kind == "EmptyTag" and token["name"] == "img":
            attrs = token["data"]
            src = attrs.get((None, "src"))
            if src is not None:
                new = on_image(src)
                if new is None:
                    del attrs[(None, "src")]
                else:
                    attrs[(None, "src")] = new
        yield token


def _sanitise(fragment: str, policy: _Policy, on_image: Callable[[str], str | None]) -> str:
    from bleach.sanitizer import BleachSanitizerFilter

    _, _, serializer = _html_tools()
    cleaned = BleachSanitizerFilter(
        source=_prepared(fragment, on_image),
        allowed_tags=policy.tags,
        attributes=policy.allows,
        allowed_protocols=_PROTOCOLS,
        strip_disallowed_tags=True,
        strip_html_comments=True,
        css_sanitizer=policy,
    )
    result: str = serializer.render(cleaned)
    return result


# Tags Markdown makes that carry nothing to sanitise: HTML made only of these (every "<"
# starts one; text "<" is always escaped) is returned as it is, without parsing it.
_SAFE_TAG_RE = re.compile(
    r"<(?:/?(?:p|ul|ol|li|strong|em|code|pre|blockquote|h[1-6]|table|thead|tbody|tr|th|td"
    r"|s|del|a)|(?:br|hr) ?/?|a href=\"https?://[^\"<>\s]*\")>"
)


# Control characters the sanitiser replaces with "?" (Anki separates fields with "\x1f").
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What _SPECIAL_RE, a "$" or _CONTROL_RE finds: text without any is plain.
_NOT_PLAIN_FIELD_RE = re.compile(r"[\\`*_\[\]!<>&~|#\n\r\t\0$\x00-\x08\x0b\x0c\x0e-\x1f]")


def _only_safe_tags(fragment: str) -> bool:
    return fragment.count("<") == len(_SAFE_TAG_RE.findall(fragment))


def clean_html(fragment: str, *, allow_html: bool = False) -> str:
    """``fragment`` through the same final sanitiser as card text (an image that is not a
    web or inline one loses its ``src``)."""
    if _CONTROL_RE.search(fragment) is None and ("<" not in fragment or _only_safe_tags(fragment)):
        return fragment
    return _sanitise(fragment, _HTML_POLICY if allow_html else _POLICY, _web_image_or_none)


def _web_image_or_none(src: str) -> str | None:
    try:
        return src if image_name(src) is None else None
    except FileRefError:
        return None


# --- Entry points


def _to_html(text: str, html: bool = True) -> str:
    """Markdown and math of ``text`` (stripped, not empty) as HTML, before sanitising."""
    text, maths = _extract_math(text)
    out = _render_markdown(text, html)
    if maths:
        out = _PLACEHOLDER_RE.sub(lambda m: _math_html(maths[int(m.group(1))]), out)
    return out


def image_sources(text: str, *, html: bool = True) -> list[str]:
    """The ``src`` of every image the card text shows, as written in its rendered HTML
    (the values :func:`render_card_text` resolves), in order."""
    stripped = text.strip()
    if "<" not in stripped and "![" not in stripped:
        return []
    out = _to_html(stripped, html)
    if "<im" not in out.lower():
        return []
    found: list[str] = []

    def collect(src: str) -> str:
        found.append(src)
        return src

    for _ in _prepared(out, collect):
        pass
    return found


def _fail(source: SourceRef | None, message: str) -> PlanError:
    if source is None:
        return PlanError.at("<card>", 0, message)
    return PlanError.at(source.path, source.line, message)


def render_card_text(
    text: str,
    *,
    allow_html: bool,
    base_dir: Path | None,
    source: SourceRef | None,
    root: Path | None = None,
    html: bool = True,
) -> Rendered:
    """Render one field's Markdown to Anki field HTML.

    Markdown, math, cloze markers and images are rendered first; the result then passes
    the sanitiser as the last step (a wider set of tags and styles with ``allow_html``),
    so nothing the text holds can add a script, an event handler or a ``javascript:``
    URL. Local images, relative to ``base_dir``, must stay inside ``root`` (the plan
    folder; default ``base_dir``) and are renamed to content-hashed media names.

    With ``html=False`` the text holds no HTML: a ``<`` in it is shown as written.

    Raises ``PlanError`` (at ``source``) when a local image is missing or not allowed.
    """
    stripped = text.strip()
    if not stripped:
        return _EMPTY
    if (
        _NOT_PLAIN_FIELD_RE.search(stripped) is None
        and _BLOCK_START_RE.match(stripped) is None
        and not stripped[-1].isspace()
    ):  # _is_plain, no "$", no control character, in one scan (this runs for every side)
        return Rendered(stripped.replace('"', "&quot;"))  # most card text: nothing to do
    controls = _CONTROL_RE.search(stripped) is not None  # e.g. "\x1f" splits Anki fields
    out = _to_html(stripped, html)
    if not controls and ("<" not in out or _only_safe_tags(out)):
        return Rendered(out)  # no tag, or only bare Markdown ones: nothing to sanitise
    media: list[Path] = []

    def on_image(src: str) -> str:
        try:
            if base_dir is None:
                if image_name(src) is None:
                    return src
                raise FileRefError(
                    f"image {image_url(src)!r}: relative images need the card's folder"
                )
            path = image_file(src, base_dir, root if root is not None else base_dir)
            if path is None:
                return src
            name = media_name(path)
        except FileRefError as exc:
            raise _fail(source, str(exc)) from None
        except OSError as exc:
            raise _fail(
                source, f"image {image_url(src)!r} cannot be read: {exc.strerror or exc}"
            ) from None
        media.append(path)
        return name

    cleaned = _sanitise(out, _HTML_POLICY if allow_html else _POLICY, on_image)
    return Rendered(cleaned, tuple(dict.fromkeys(media)))
