"""Facet counts and the facet filter: OR within a facet, AND across facets."""

from __future__ import annotations

from store.facets import count_facets, facet_filter
from store.model import Paper, ReadingStatus, UserState

PAPERS = [
    Paper(id="a", title="A", category="cs.LG", date="2024-01-01", collections={"x": 1}),
    Paper(id="b", title="B", category="LG", date="2023-05-01", code_url="https://github.com/b"),
    Paper(id="c", title="C", category="CL", date="2024-02-02", collections={"x": 2, "y": 1}),
    Paper(id="d", title="D", category="", date=""),
]
STATES = {
    "a": UserState(status=ReadingStatus.READ, tags=("theory",)),
    "c": UserState(status=ReadingStatus.SKIPPED, tags=("theory", "todo")),
}


def state_of(paper_id: str) -> UserState:
    return STATES.get(paper_id, UserState())


def test_counts_per_facet() -> None:
    counts = count_facets(PAPERS, state_of).counts
    assert counts["status"] == [("unread", 2), ("reading", 0), ("read", 1), ("skipped", 1)]
    assert dict(counts["category"]) == {"LG": 2, "CL": 1, "?": 1}  # cs.LG and LG are one
    assert counts["year"] == [("2024", 2), ("2023", 1), ("?", 1)]
    assert dict(counts["collection"]) == {"x": 2, "y": 1}
    assert dict(counts["tag"]) == {"theory": 2, "todo": 1}
    assert dict(counts["code"]) == {"has code": 1, "no code": 3}


def test_filter_is_or_within_and_across() -> None:
    keep = facet_filter({"category": frozenset({"LG", "CL"})}, state_of)
    assert [p.id for p in PAPERS if keep(p)] == ["a", "b", "c"]
    keep = facet_filter(
        {"category": frozenset({"LG", "CL"}), "status": frozenset({"unread"})}, state_of
    )
    assert [p.id for p in PAPERS if keep(p)] == ["b"]
    keep = facet_filter({"tag": frozenset({"todo"}), "year": frozenset({"2024"})}, state_of)
    assert [p.id for p in PAPERS if keep(p)] == ["c"]
    assert [p.id for p in PAPERS if facet_filter({}, state_of)(p)] == ["a", "b", "c", "d"]
