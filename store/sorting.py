"""The orders a list of papers can be shown in (``--sort``; the reader lists by date)."""

from __future__ import annotations

from operator import attrgetter

from store.model import Paper

SORT_KEYS = ("date", "title", "added", "rank")


def sort_papers(papers: list[Paper], sort: str) -> list[Paper]:
    """Papers in the order the user asked for.

    ``date`` is newest first; ``added`` is most recently added first; ``rank``
    is page order within the paper's first collection; ``title`` is A to Z.
    """
    if sort == "title":
        return sorted(papers, key=lambda p: p.title.casefold())
    if sort == "added":
        return sorted(papers, key=attrgetter("added_at"), reverse=True)
    if sort == "rank":
        return sorted(papers, key=lambda p: min(p.collections.values(), default=1 << 30))
    return sorted(papers, key=attrgetter("date"), reverse=True)
