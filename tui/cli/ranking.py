"""``--sort interest[:TAG]`` and ``--like ID`` for ``list`` and ``export``.

The store's search gives the matching papers in date order; a ranking from
:mod:`store.ranking` reorders them (ties keep date order). What the user
should know about the order — an untrained model, ties — goes to stderr, so
stdout stays the papers (valid JSON with ``--json``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from store.library import SORT_KEYS, Library
from store.model import Paper
from store.query import Query
from store.text import clean_line

INTEREST = "interest"


def sort_choice(text: str) -> str:
    """An argparse type: a sort key of the store, ``interest`` or ``interest:TAG``."""
    if text in SORT_KEYS or text == INTEREST:
        return text
    if text.startswith(INTEREST + ":") and text[len(INTEREST) + 1 :].strip():
        return text
    choices = ", ".join((*SORT_KEYS, INTEREST, INTEREST + ":TAG"))
    raise argparse.ArgumentTypeError(f"invalid choice: {text!r} (choose from {choices})")


def is_ranked(sort: str | None, like: str | None) -> bool:
    """True when the order comes from a ranking rather than the store's sort keys."""
    return like is not None or (sort or "").split(":", 1)[0] == INTEREST


def ranked(
    library: Library,
    query: Query,
    sort: str | None,
    like: str | None,
    limit: int | None = None,
    *,
    explain: bool = True,
) -> tuple[list[Paper], dict[str, dict[str, Any]]]:
    """The papers matching ``query`` in ranked order, and ``score``/``why`` per paper id.

    ``like`` (a paper id) orders by similarity to that paper and leaves out
    the paper itself and papers sharing no term with it; otherwise ``sort``
    is ``interest`` or ``interest:TAG``. Without ``explain`` the second
    value is empty (an export has no field for them).
    """
    from store.ranking import Ranker, decisions_of

    found = library.search(query, sort="date")
    ranker = Ranker(library)
    if like is not None:
        ranking = ranker.like(library.resolve(like))
    else:
        tag = sort.split(":", 1)[1] if sort and ":" in sort else ""
        ranking = ranker.fit(decisions_of(library, tag))
    if not ranking.trained:
        fallback = "nothing is near it" if like is not None else "listing in date order"
        _tell(f"{ranking.name}: {ranking.note}; {fallback}")
    papers = ranking.order(found)
    if limit is not None:
        papers = papers[:limit]
    if ranking.trained:
        tied = ranking.ties(papers)
        if tied:
            _tell(f"{ranking.name}: {tied} papers share a score; those keep date order")
    if not explain:
        return papers, {}
    extra = {
        paper.id: {"score": round(ranking.score(paper.id), 6), "why": ranking.why(paper.id)}
        for paper in papers
    }
    return papers, extra


def _tell(message: str) -> None:
    print(f"paper-reader: {clean_line(message)}", file=sys.stderr)
