r"""Titles as they are shown: LaTeX rendered to Unicode once, and kept beside the catalogue.

A title such as ``$d^2\asymp n\log n$ Scaling`` is stored as written and shown
as ``d² ≍ n log n Scaling``. Rendering takes ~60 µs a title (half a
millisecond when pylatexenc's own parser must read it), which a ``list`` of
10,000 papers would otherwise pay on every call, so the rendered form is
computed once: an import renders the titles it brought in (reusing the
conversion identity made of each, :func:`store.latex.title_to_unicode`) and
keeps every rendered title in ``library.titles.json`` beside
``library.json``; ``list``, ``show`` and the exports read that file.

Only titles holding ``$`` or ``\`` are rendered (BibTeX braces and accents
are decoded at import, and bare braces are text); the rest are shown as they
are, after the same control-character cleaning.

The file is a derived cache keyed by the raw title (the rendering is a pure
function of it), so an entry is never stale for a title it names; the file
also carries a signature of the renderer (its source and pylatexenc's
version), and a file written by another renderer, or missing, damaged or
holding anything a terminal could act on, is ignored and rebuilt without a
word. Within a process the rendered titles are remembered in memory, so the
reader's list renders each title once however often it scrolls past it.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

import orjson

from store.atomic import write_cache
from store.text import clean_line

# Bump when the file's layout changes.
_FILE_FORMAT = 1
# Raw title -> display text, for titles that need LaTeX rendering only: plain
# titles cost nothing to show, and leaving them out keeps this small.
_rendered: dict[str, str] = {}
# The cache files already read by this process, with their (inode, size, mtime).
_read: dict[Path, tuple[int, int, int]] = {}


def needs_rendering(title: str) -> bool:
    r"""True when the title holds LaTeX (a ``$`` or a ``\``) that rendering would change."""
    return "$" in title or "\\" in title


def title_text(title: str) -> str:
    """The title as shown: LaTeX rendered to Unicode, control characters removed.

    Rendered once per title and process; :func:`prepare` fills this from the
    cache file so that a command shows a whole library without pylatexenc.
    """
    if not needs_rendering(title):
        return clean_line(title)
    text = _rendered.get(title)
    if text is None:
        text = _rendered[title] = _render(title)
    return text


def _render(title: str) -> str:
    # Imported here: a library whose titles are all rendered never loads pylatexenc.
    from store.latex import title_to_unicode

    # Cleaned first too: LaTeX conversion would cut an escape sequence's
    # terminator (ESC and a backslash) from its payload, which cleaning could not spot.
    # Identity converted the same (clean) title at import: this reuses it.
    return clean_line(title_to_unicode(clean_line(title)))


def cache_path(store_path: Path) -> Path:
    """Where the rendered titles of the store at ``store_path`` live: ``library.titles.json``."""
    return store_path.with_name(f"{store_path.stem}.titles.json")


def prepare(
    store_path: Path,
    titles: Iterable[str],
    *,
    every_title: Iterable[str] | None = None,
    save: bool = True,
) -> int:
    """Have the display text of every one of ``titles`` ready before showing them.

    Titles rendered before (in this process or in the cache file) are not
    rendered again; the others are, and with ``save`` the cache file is then
    rewritten to hold the rendered titles among ``every_title`` (the store's
    titles: those of papers since replaced drop out). The file is only a
    cache: when it cannot be read or written, nothing is reported and
    nothing fails.

    Args:
        store_path: The store's catalogue (``library.json``).
        titles: The titles about to be shown.
        every_title: Every title the store holds (default: ``titles``).
        save: Write the cache file when something had to be rendered.

    Returns:
        How many titles had to be rendered.
    """
    wanted = {title for title in titles if needs_rendering(title)}
    missing = [title for title in wanted if title not in _rendered]
    if not missing:
        return 0
    path = cache_path(store_path)
    _read_cache(path)
    missing = [title for title in missing if title not in _rendered]
    for title in missing:
        _rendered[title] = _render(title)
    if missing and save:
        kept = wanted if every_title is None else every_title
        _write_cache(path, {title: _rendered[title] for title in kept if title in _rendered})
    return len(missing)


def _file_stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _read_cache(path: Path) -> None:
    """Remember the titles the cache file holds, unless it was read already or is unfit."""
    stamp = _file_stamp(path)
    if stamp is None or _read.get(path) == stamp:
        return
    _read[path] = stamp
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return
    if not isinstance(data, dict) or data.get("renderer") != renderer_signature():
        return
    titles = data.get("titles")
    if not isinstance(titles, dict):
        return
    # A hand-edited or corrupted file must not bring an escape sequence to the screen.
    if not all(type(text) is str and clean_line(text) == text for text in titles.values()):
        return
    _rendered.update(titles)


def _write_cache(path: Path, titles: dict[str, str]) -> None:
    if not path.parent.is_dir():  # a dry run into a store not created yet
        return
    raw = orjson.dumps({"renderer": renderer_signature(), "titles": titles})
    if not write_cache(path, lambda out: out.write(raw)):
        return
    _read[path] = _file_stamp(path) or (0, 0, 0)


@functools.cache
def renderer_signature() -> str:
    """What rendered titles depend on: the file layout, the renderer, pylatexenc's version.

    A cache file written by another version of any of them is not trusted.
    """
    from pylatexenc.version import version_str

    digest = hashlib.sha1(f"{_FILE_FORMAT}:{version_str}".encode())
    here = Path(__file__).parent
    for source in sorted((*here.glob("latex*.py"), here / "text.py", Path(__file__))):
        try:
            digest.update(source.read_bytes())
        except OSError:
            digest.update(source.name.encode())
    return digest.hexdigest()


def forget() -> None:
    """Drop every title remembered in memory (tests use it to start afresh)."""
    from store import latex

    _rendered.clear()
    _read.clear()
    latex.forget()
