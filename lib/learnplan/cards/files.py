"""The files a plan reads besides its outline: card files and images, inside its folder.

One set of rules decides which file a name means and whether it may be read, for the
outline reader (which reports problems early, with their lines) and for the card
renderer (which reads the images). An image's ``src`` is taken as the browser would
take it — HTML entities decoded, surrounding whitespace and tabs/newlines dropped,
``%``-escapes decoded, ``\\`` read as ``/`` — and only then resolved, checked against
the plan folder (symlinks included) and read, so no spelling of a path can be checked
as one file and read as another. Media are read once more when the package is written
and must still hash to the name they were given.
"""

from __future__ import annotations

import errno
import hashlib
import html
import os
import re
import stat
from pathlib import Path
from urllib.parse import unquote

from learnplan.base.errors import PlanError

__all__ = [
    "FileRefError",
    "has_scheme",
    "image_file",
    "image_name",
    "image_url",
    "is_data_image",
    "media_name",
    "read_media",
    "relative_inside",
    "resolve_inside",
]

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# Inline images a browser shows from a data: URL (the ones markdown-it accepts too).
_DATA_IMAGE = re.compile(r"data:image/(?:png|gif|jpeg|webp)[;,]", re.IGNORECASE)
_REMOTE = ("http", "https")
_URL_WHITESPACE = " \t\n\r\f"
_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class FileRefError(ValueError):
    """A name in a plan that does not lead to a readable file inside the plan folder.

    ``str()`` is the message for the learner (without a location)."""


def relative_inside(root: Path, path: Path) -> bool:
    """True if ``path`` (already absolute) is ``root`` or below it."""
    try:
        return os.path.commonpath([root, path]) == str(root)
    except ValueError:  # different drives on Windows
        return False


def has_scheme(name: str) -> bool:
    """True for ``scheme:...`` (a URL), false for a Windows drive such as ``C:\\``."""
    return _SCHEME.match(name) is not None and not re.match(r"[A-Za-z]:[\\/]", name)


def _shown(name: str) -> str:
    return repr(name) if len(name) <= 80 else repr(f"{name[:60]}…") + f" ({len(name)} characters)"


def resolve_inside(name: str, base: Path, root: Path, what: str) -> Path:
    """The existing file ``name`` means, relative to the folder ``base``.

    Raises :class:`FileRefError` unless it is a relative path that stays inside ``root``
    (the plan folder) both as written and once symlinks are followed, and is a file.
    Returns the path as written (normalised, not with symlinks resolved).
    """
    if not name.strip() or "\x00" in name:
        raise FileRefError(f"{what} name {name!r} is empty or holds a NUL character")
    try:
        os.fsencode(name)
    except UnicodeError:
        # A lone surrogate (or a character this file system cannot name) is no file name.
        raise FileRefError(
            f"{what} name {_shown(name)} holds a character no file name can have"
        ) from None
    if os.path.isabs(name) or name.startswith(("~", "\\")) or has_scheme(name):
        raise FileRefError(
            f"{what} {_shown(name)} must be a path relative to {base}, inside the "
            f"plan folder {root}"
        )
    candidate = Path(os.path.abspath(base / name))
    if not relative_inside(Path(os.path.abspath(root)), candidate):
        raise FileRefError(
            f"{what} {_shown(name)} is outside the plan folder {root}; keep plan files inside it"
        )
    try:
        real = Path(os.path.realpath(candidate))
        st = os.stat(real)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            if not relative_inside(Path(os.path.realpath(root)), real):
                raise FileRefError(_link_out(what, name, root)) from None
            raise FileRefError(
                f"{what} {_shown(name)} not found (looked for {candidate})"
            ) from None
        if exc.errno == errno.ENAMETOOLONG:
            raise FileRefError(
                f"{what} name {_shown(name)} is too long for the file system (at most 255 "
                "bytes for each part of a path)"
            ) from None
        raise FileRefError(f"{what} {_shown(name)} cannot be read: {exc.strerror or exc}") from None
    if not relative_inside(Path(os.path.realpath(root)), real):
        raise FileRefError(_link_out(what, name, root))
    if not stat.S_ISREG(st.st_mode):
        raise FileRefError(f"{what} {_shown(name)} is not a file")
    return candidate


def _link_out(what: str, name: str, root: Path) -> str:
    return (
        f"{what} {_shown(name)} is a link to a place outside the plan folder {root}; copy "
        "the file into the folder instead"
    )


def is_data_image(url: str) -> bool:
    """True for a ``data:`` URL of a PNG, GIF, JPEG or WebP image (shown inline)."""
    return _DATA_IMAGE.match(url) is not None


def image_url(src: str) -> str:
    """An ``<img src>`` attribute value (as written in HTML) as the URL a browser uses."""
    url = html.unescape(src).strip(_URL_WHITESPACE)
    return url.replace("\t", "").replace("\n", "").replace("\r", "")


def image_name(src: str) -> str | None:
    """The local file name an ``<img src>`` value means, or None for a web image (http,
    https) or an inline ``data:image/...`` one. Raises :class:`FileRefError` for any other
    URL scheme."""
    url = image_url(src)
    scheme = _SCHEME.match(url)
    if scheme is not None and has_scheme(url):
        kind = scheme.group(1).lower()
        if kind in _REMOTE or (kind == "data" and is_data_image(url)):
            return None
        if kind == "data":
            raise FileRefError(
                f"image {_shown(url[:40])} is a data: URL that is not a PNG, GIF, JPEG or "
                "WebP image"
            )
        raise FileRefError(
            f"image {_shown(url)} must be a path relative to the card's file, an "
            "http(s) URL or a data:image URL"
        )
    if url.startswith("//"):
        raise FileRefError(
            f"image {_shown(url)} must be a path relative to the card's file, not a "
            "//host/... address"
        )
    return unquote(url.replace("\\", "/"))


def image_file(src: str, base: Path, root: Path) -> Path | None:
    """The local image file an ``<img src>`` value (as written in HTML) names, resolved
    with :func:`resolve_inside` and returned with symlinks resolved; None for a web or
    inline image. Raises :class:`FileRefError`."""
    name = image_name(src)
    if name is None:
        return None
    return Path(os.path.realpath(resolve_inside(name, base, root, "image")))


# --- reading media

_hash_cache: dict[tuple[str, int, int, int], str] = {}


def _read(path: Path) -> bytes:
    # Never through a symlink: the path was resolved and checked just before.
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _BINARY)
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def _name_for(data: bytes, path: Path) -> str:
    suffix = path.suffix.lower()
    suffix = suffix if _EXTENSION.fullmatch(suffix) else ""
    return f"lp-{hashlib.sha256(data).hexdigest()[:16]}{suffix}"


def media_name(path: Path) -> str:
    """The content-hashed media name of a local file: ``lp-<sha256[:16]><ext>``."""
    st = os.stat(path)
    key = (str(path), st.st_ino, st.st_mtime_ns, st.st_size)
    name = _hash_cache.get(key)
    if name is None:
        name = _name_for(_read(path), path)
        _hash_cache[key] = name
    return name


def read_media(name: str, path: Path) -> bytes:
    """The bytes of the media file ``path``, which must still be what was named ``name``
    (the file the checks approved). Raises :class:`PlanError` if it changed since."""
    try:
        data = _read(path)
    except OSError as exc:
        raise PlanError.at(path, 0, f"cannot read the image: {exc.strerror or exc}") from None
    if _name_for(data, path) != name:
        raise PlanError.at(path, 0, "the image changed while the package was built; build again")
    return data
