"""The sanitiser: the last step every field goes through, whatever produced its HTML
(raw HTML, Markdown, maths or media names). No card can put a script, an event handler or
a ``javascript:`` URL into a collection; docs/outline.md lists what is kept.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from learnplan.cards.files import FileRefError, image_name, is_data_image

__all__ = ["CONTROL_RE", "clean_html", "only_safe_tags", "prepared", "sanitise"]

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


def prepared(fragment: str, on_image: Callable[[str], str | None]) -> Iterator[dict[str, Any]]:
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


def sanitise(
    fragment: str, on_image: Callable[[str], str | None], *, allow_html: bool = False
) -> str:
    """``fragment`` with only the tags, attributes, styles and URLs the policy allows (the
    wider one with ``allow_html``); ``on_image`` maps every ``<img src>``."""
    policy = _HTML_POLICY if allow_html else _POLICY
    from bleach.sanitizer import BleachSanitizerFilter

    _, _, serializer = _html_tools()
    cleaned = BleachSanitizerFilter(
        source=prepared(fragment, on_image),
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
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def only_safe_tags(fragment: str) -> bool:
    """True when every tag of ``fragment`` is a bare Markdown one (nothing to sanitise)."""
    return fragment.count("<") == len(_SAFE_TAG_RE.findall(fragment))


def clean_html(fragment: str) -> str:
    """``fragment`` through the same final sanitiser as card text (an image that is not a
    web or inline one loses its ``src``)."""
    if CONTROL_RE.search(fragment) is None and ("<" not in fragment or only_safe_tags(fragment)):
        return fragment
    return sanitise(fragment, _web_image_or_none)


def _web_image_or_none(src: str) -> str | None:
    try:
        return src if image_name(src) is None else None
    except FileRefError:
        return None
