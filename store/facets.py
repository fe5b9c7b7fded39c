"""Facets: the reader's filter pane, as counts and a predicate over papers.

Within one facet the chosen values widen the list (status read OR skipped);
across facets they narrow it (read AND category LG). Counts are taken over
the papers the search query lets through, so they always tell what picking
a value would show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import chain

from store.model import Paper, ReadingStatus, UserState, year_of

FACETS = ("status", "category", "year", "collection", "tag", "code")


def facet_values(paper: Paper, state: UserState, facet: str) -> Iterable[str]:
    """The values a paper has for one facet (several for collections and tags)."""
    if facet == "status":
        return (str(state.status),)
    if facet == "category":
        return (bare_category(paper.category),)
    if facet == "year":
        return (_year(paper.date),)
    if facet == "collection":
        return tuple(paper.collections)
    if facet == "tag":
        return state.tags
    if facet == "code":
        return ("has code",) if paper.has_code or paper.code_url else ("no code",)
    raise ValueError(f"unknown facet {facet!r}")


@dataclass(frozen=True, slots=True)
class FacetCounts:
    """For each facet, each value with the number of papers that have it."""

    counts: dict[str, list[tuple[str, int]]]


def count_facets(papers: Iterable[Paper], state_of: Callable[[str], UserState]) -> FacetCounts:
    """Counts per facet value, in the order the filter pane lists them.

    One C-speed ``Counter`` pass per facet rather than a Python loop over
    every paper and facet: this runs on each keystroke of a search.
    """
    papers = list(papers)
    states = [state_of(paper.id) for paper in papers]
    status = Counter(state.status.value for state in states)
    counters = {
        "category": Counter(bare_category(paper.category) for paper in papers),
        "year": Counter(_year(paper.date) for paper in papers),
        "collection": Counter(chain.from_iterable(paper.collections for paper in papers)),
        "tag": Counter(chain.from_iterable(state.tags for state in states)),
        "code": Counter(
            "has code" if paper.has_code or paper.code_url else "no code" for paper in papers
        ),
    }
    ordered: dict[str, list[tuple[str, int]]] = {
        "status": [(s.value, status.get(s.value, 0)) for s in ReadingStatus]
    }
    for facet in FACETS[1:]:
        counter = counters[facet]
        if facet == "year":
            # newest first; papers without a year last
            ordered[facet] = sorted(
                counter.items(), key=lambda kv: (kv[0] != "?", kv[0]), reverse=True
            )
        else:
            ordered[facet] = counter.most_common()
    return FacetCounts(ordered)


def bare_category(code: str) -> str:
    """``cs.LG`` and ``LG`` are one category (as ``cat:LG`` finds both); ``?`` for none."""
    return code.rsplit(".", 1)[-1] if code else "?"


def _year(date: str) -> str:
    year = year_of(date)
    return "?" if year is None else f"{year:04d}"


def facet_filter(
    chosen: Mapping[str, frozenset[str]], state_of: Callable[[str], UserState]
) -> Callable[[Paper], bool]:
    """A predicate keeping papers that match every facet with a chosen value."""
    active = {facet: values for facet, values in chosen.items() if values}

    def keep(paper: Paper) -> bool:
        state = state_of(paper.id)
        return all(
            any(value in values for value in facet_values(paper, state, facet))
            for facet, values in active.items()
        )

    return keep
