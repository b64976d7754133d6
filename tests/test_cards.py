from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from learnplan.cards import _is_plain, render_card_text
from learnplan.errors import PlanError
from learnplan.plan import SourceRef


def render(text: str, *, allow_html: bool = False, base_dir: Path | None = None) -> str:
    return render_card_text(text, allow_html=allow_html, base_dir=base_dir, source=None).html


# --- Markdown


def test_markdown_inline_and_single_paragraph_unwrapped() -> None:
    assert render("What does **fit** do with `lr_find`?") == (
        "What does <strong>fit</strong> do with <code>lr_find</code>?"
    )


def test_markdown_blocks_tables_and_strikethrough() -> None:
    out = render("- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ new")
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in out
    assert "<table>" in out and "<td>1</td>" in out
    assert "<p><s>old</s> new</p>" in out


def test_plain_fast_path_matches_markdown_it() -> None:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    samples = [
        "Dimension of its column space.",
        'He said "hi" (twice); 3 + 4 = 7, {{c1::ok}}',
        "x = 5 / 2 : rate 10% @ home, it's fine?",
        "Ünïcödé text — with dashes",
        "1 cat",
        "A sentence ending with a dot.",
    ]
    for text in samples:
        assert _is_plain(text), text
        assert render(text) == md.render(text)[3:-5], text
    for text in ["1. list", "- item", "# head", "a *b*", "a\nb", "  indented", "<b>x</b>", "a & b"]:
        assert not _is_plain(text), text


# --- Math


def test_inline_and_display_math_survive_byte_for_byte() -> None:
    tex = r"\sum_{i=1}^{n} a_i * b_i \quad \text{and} \; x_{*}"
    assert render(f"Inline ${tex}$ here") == f"Inline \\({tex}\\) here"
    out = render(f"$${tex}$$")
    assert out == f"\\[{tex}\\]"
    assert render(f"Already \\({tex}\\) and \\[{tex}\\]") == f"Already \\({tex}\\) and \\[{tex}\\]"


def test_math_html_special_characters_are_escaped_once() -> None:
    assert render("$a<b$ and $c>d$") == r"\(a&lt;b\) and \(c&gt;d\)"


def test_money_and_escaped_dollars_are_not_math() -> None:
    assert render("It costs $5 and $6 per hour") == "It costs $5 and $6 per hour"
    assert render(r"Pay \$10 or \$20") == "Pay $10 or $20"
    assert render("a $ b $ c") == "a $ b $ c"
    assert render("$x$5") == "$x$5"


def test_math_inside_code_is_left_alone() -> None:
    assert render("`$x_1$` and $y_1$") == "<code>$x_1$</code> and \\(y_1\\)"


def test_math_across_multiline_markdown() -> None:
    out = render("Chain rule:\n\n$$\\frac{d}{dx} f(g(x)) = f'(g(x))\\,g'(x)$$\n\n- *item* $a_b$")
    assert "\\[\\frac{d}{dx} f(g(x)) = f'(g(x))\\,g'(x)\\]" in out
    assert "<li><em>item</em> \\(a_b\\)</li>" in out


# --- Cloze


def test_cloze_markers_survive() -> None:
    out = render("The derivative of $x^2$ is {{c1::**2x**::power rule}}.")
    assert out == r"The derivative of \(x^2\) is {{c1::<strong>2x</strong>::power rule}}."


def test_closing_braces_in_math_inside_cloze_are_split() -> None:
    out = render(r"{{c1::$\frac{a}{b_{1}}$}} and $\frac{c}{d_{2}}$")
    # Inside the cloze "}}" would end it early; outside, math is untouched.
    assert out == r"{{c1::\(\frac{a}{b_{1} }\)}} and \(\frac{c}{d_{2}}\)"


# --- Sanitising


def test_sanitises_scripts_handlers_and_javascript_urls() -> None:
    out = render(
        '<b>ok</b> <script>alert(1)</script><img src="https://h/x.png" onerror="alert(2)">'
        '<a href="javascript:alert(3)">link</a> <i style="color:red">it</i>'
        "<iframe src='https://evil'></iframe>"
    )
    assert "<b>ok</b>" in out and "<i>it</i>" in out
    for bad in ("script", "alert", "onerror", "javascript", "style", "iframe"):
        assert bad not in out, (bad, out)
    assert '<img src="https://h/x.png">' in out


def test_markdown_javascript_link_is_not_a_link() -> None:
    out = render("[click](javascript:alert(1))")
    assert "<a" not in out


def test_allow_html_keeps_more_html_but_still_sanitises() -> None:
    raw = (
        '<span style="color:red; position:fixed" onclick="f()">x</span>'
        '<font color="blue">f</font><details open><summary>s</summary>d</details>'
    )
    assert render(raw, allow_html=True) == (
        '<span style="color: red">x</span><font color="blue">f</font>'
        "<details open><summary>s</summary>d</details>"
    )
    assert render(raw) == "<span>x</span>fsd"


def test_math_is_not_sanitised_away() -> None:
    out = render(r"<b>bold</b> $a<b_{1}$")
    assert out == r"<b>bold</b> \(a&lt;b_{1}\)"


# --- Images


def test_images_get_content_hashed_names(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    data = b"\x89PNG fake image bytes"
    (tmp_path / "img" / "Graph.PNG").write_bytes(data)
    result = render_card_text(
        "![graph](img/Graph.PNG) and <img src='img/Graph.PNG'>",
        allow_html=False,
        base_dir=tmp_path,
        source=None,
    )
    name = f"lp-{hashlib.sha256(data).hexdigest()[:16]}.png"
    assert result.html.count(f'src="{name}"') == 2
    assert result.media == ((tmp_path / "img" / "Graph.PNG"),)


def test_remote_images_are_left_alone(tmp_path: Path) -> None:
    result = render_card_text(
        "![x](https://example.org/a.png)", allow_html=False, base_dir=tmp_path, source=None
    )
    assert 'src="https://example.org/a.png"' in result.html
    assert result.media == ()


def test_missing_image_is_a_plan_error_at_the_card(tmp_path: Path) -> None:
    src = SourceRef(tmp_path / "cards.md", 17)
    with pytest.raises(PlanError) as info:
        render_card_text("![x](nope.png)", allow_html=False, base_dir=tmp_path, source=src)
    assert str(info.value).startswith(f"{tmp_path / 'cards.md'}:17: image 'nope.png' not found")


def test_fast_markdown_path_agrees_with_markdown_it_on_random_text() -> None:
    """The hand-written fast path must give markdown-it's exact output whenever it answers."""
    import random

    from learnplan.cards import _fast_blocks

    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    pieces = [
        "[a](https://x.org/p)",
        "[a b](http://e.com/?q=1#f)",
        "[x](",
        "](y)",
        "[",
        "]",
        "(https://a.b)",
        "[ a ](http://A.com/X)",
        "**ab**",
        "*a*",
        "`c d`",
        "` x `",
        "` `",
        "- a",
        "word ",
        "ab",
        "**a b**",
        "*x y*",
        "a",
        "b",
        "x1",
        " ",
        "  ",
        "*",
        "**",
        "***",
        "`",
        "``",
        "-",
        "- ",
        "1. ",
        "1)",
        "\n",
        "\n\n",
        "\n\n- ",
        '"',
        "'",
        ".",
        ",",
        ":",
        "(",
        ")",
        "{{c1::",
        "}}",
        "=",
        "+",
        "#",
        "> ",
        "_",
        "é",
        "—",
        "$",
        "%",
        "@",
        "~",
        "/",
        "|",
        "<",
        "&",
        "\t",
        "\ue0000\ue001",
    ]
    rng = random.Random(20261128)
    answered = 0
    for _ in range(30000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14))).strip()
        fast = _fast_blocks(text) if text else None
        if fast is None:
            continue
        answered += 1
        assert fast == md.render(text), repr(text)
    assert answered > 3000  # the fast path really was exercised


def test_raw_html_images_with_any_quoting_are_renamed_when_html_is_allowed(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.png").write_bytes(b"A")
    name = f"lp-{hashlib.sha256(b'A').hexdigest()[:16]}.png"
    for tag in ('<img src="a.png">', "<img src='a.png'>", "<img class=x src=a.png>"):
        result = render_card_text(tag, allow_html=True, base_dir=tmp_path, source=None)
        assert f'src="{name}"' in result.html, tag
        assert result.media == (tmp_path / "a.png",)
