"""Card text (Markdown with maths and cloze markers) -> the HTML stored in an Anki field.

The steps, each in its own module: maths is cut out and checked (:mod:`.maths`), the rest
is Markdown (:mod:`.markdown`), the maths goes back in, local images are checked
(:mod:`.files`) and renamed to content-hashed media names, and the finished HTML passes one
sanitiser (:mod:`.sanitise`), last, whatever produced it.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from learnplan.base.errors import PlanError, Problem
from learnplan.cards.files import FileRefError, image_file, image_name, image_url, media_name
from learnplan.cards.markdown import BLOCK_START_RE, NOT_PLAIN_FIELD_RE, render_markdown
from learnplan.cards.maths import extract_maths, put_back
from learnplan.cards.sanitise import CONTROL_RE, clean_html, only_safe_tags, prepared, sanitise
from learnplan.model.plan import SourceRef

__all__ = ["Rendered", "clean_html", "image_sources", "media_name", "render_card_text"]


class Rendered(NamedTuple):
    # A named tuple (not a frozen dataclass): two are made per card, and it is quicker.
    html: str
    media: tuple[Path, ...] = ()  # local image files referenced, by their source path


_EMPTY = Rendered("")
_not_plain_search = NOT_PLAIN_FIELD_RE.search
_block_start_match = BLOCK_START_RE.match


def _to_html(text: str, html: bool = True) -> tuple[str, tuple[str, ...]]:
    """Markdown and maths of ``text`` (stripped, not empty) as HTML, before sanitising,
    and what is wrong with its maths."""
    if "$" not in text and "\\" not in text:
        return render_markdown(text, html), ()  # no maths delimiter: nothing to cut out
    extracted = extract_maths(text)
    return put_back(render_markdown(extracted.text, html), extracted), extracted.problems


def image_sources(text: str, *, html: bool = True) -> list[str]:
    """The ``src`` of every image the card text shows, as written in its rendered HTML
    (the values :func:`render_card_text` resolves), in order."""
    stripped = text.strip()
    if "<" not in stripped and "![" not in stripped:
        return []
    out, _ = _to_html(stripped, html)  # maths problems are the renderer's to raise
    if "<im" not in out.lower():
        return []
    found: list[str] = []

    def collect(src: str) -> str:
        found.append(src)
        return src

    for _ in prepared(out, collect):
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
    side: str = "",
) -> Rendered:
    """Render one field's Markdown to Anki field HTML.

    Markdown, math, cloze markers and images are rendered first; the result then passes
    the sanitiser as the last step (a wider set of tags and styles with ``allow_html``),
    so nothing the text holds can add a script, an event handler or a ``javascript:``
    URL. Local images, relative to ``base_dir``, must stay inside ``root`` (the plan
    folder; default ``base_dir``) and are renamed to content-hashed media names.

    With ``html=False`` the text holds no HTML: a ``<`` in it is shown as written.
    ``side`` ("front", "back", "cloze text", "extra") names the field in messages.

    Raises ``PlanError`` (at ``source``) when a local image is missing or not allowed, or
    when maths would not render as written (:mod:`learnplan.cards.maths` says why).
    """
    stripped = text.strip()
    if not stripped:
        return _EMPTY
    if (  # no Markdown, maths or control character: this runs for every side of every card
        _not_plain_search(stripped) is None
        and _block_start_match(stripped) is None
        and not stripped[-1].isspace()
    ):
        return Rendered(stripped.replace('"', "&quot;"))  # most card text: nothing to do
    controls = CONTROL_RE.search(stripped) is not None  # e.g. "\x1f" splits Anki fields
    out, problems = _to_html(stripped, html)
    if problems:
        path, line = (source.path, source.line) if source is not None else ("<card>", 0)
        said = f"card {side}: " if side else ""  # as the outline reader's check says it
        raise PlanError([Problem(path, line, f"{said}{message}") for message in problems])
    if not controls and ("<" not in out or only_safe_tags(out)):
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

    cleaned = sanitise(out, on_image, allow_html=allow_html)
    return Rendered(cleaned, tuple(dict.fromkeys(media)))
