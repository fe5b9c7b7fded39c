"""How a paper's authors are written on one line: ``A, B, C et al.``."""

from __future__ import annotations

from collections.abc import Callable

from store.model import Paper


def _as_is(name: str) -> str:
    return name


def author_line(
    paper: Paper, limit: int | None = None, *, name: Callable[[str], str] = _as_is
) -> str:
    """The first ``limit`` authors (all when None), with "et al." when there are more.

    "More" means authors past the limit or a list the source itself cut short
    (``authors_truncated``). ``name`` writes each name (escaping it for
    Markdown, say); a name it leaves empty is passed over. Anonymous works
    give ``""``: the caller says "unknown author" in its own words.
    """
    shown = [written for written in map(name, paper.authors[:limit]) if written]
    if not shown:
        return ""
    more = paper.authors_truncated or (limit is not None and len(paper.authors) > limit)
    return ", ".join(shown) + (" et al." if more else "")
