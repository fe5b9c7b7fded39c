"""The library's search index: every way of running a query gives one answer.

A command folds only the papers its cheap terms leave; the reader folds all
of them up front and walks lists aligned with the sort order; typing on
narrows the previous result by its positions. All three must agree with
matching each paper one by one, on real data.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from store.errors import SearchCancelled
from store.formats import parse_text
from store.library import Library
from store.model import ReadingStatus
from store.query import parse as parse_query
from store.search_index import Matches
from tests.conftest import sample_and_bibtex

QUERIES = [
    "",
    "gradient",
    "gradient descent",
    '"gradient descent"',
    "-gradient",
    "learning -theory",
    "author:lee",
    "title:learning",
    "-title:learning",
    "author:lee gradient",
    "abstract:bounds",
    "has:abstract",
    "-has:abstract",
    "cat:LG gradient",
    "year:2023 learning",
    "status:read",
    "is:starred model",
    "lee",
    "zzzz",
]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("index") / "library.json"
    library = sample_and_bibtex(
        path, "ml-phd-thesis-millidge-813-entries.bib", "indology-iast-utf8-and-latex-accents.bib"
    )
    ids = [paper.id for paper in library.papers()]
    library.set_status(ids[::3], ReadingStatus.READ)
    library.set_starred(ids[::5], True)
    return path


def _one_by_one(library: Library, text: str, sort: str) -> list[str]:
    query = parse_query(text)
    everything = library.search(parse_query(""), sort=sort)
    return [
        paper.id
        for paper in everything
        if query.matches(library.complete(paper), library.state(paper.id))
    ]


@pytest.mark.parametrize("sort", ["date", "title"])
def test_every_path_agrees_with_matching_one_by_one(store_path: Path, sort: str) -> None:
    folding_as_needed = Library(store_path)  # a command: folds what each search needs
    folded_up_front = Library(store_path)  # the reader: folds everything after start
    folded_up_front.prepare_search()
    assert len(folded_up_front) > 800
    for text in QUERIES:
        expected = _one_by_one(folding_as_needed, text, sort)
        query = parse_query(text)
        assert [p.id for p in folding_as_needed.search(query, sort=sort)] == expected, text
        assert [p.id for p in folded_up_front.search(query, sort=sort)] == expected, text


def test_typing_on_narrows_the_previous_result(store_path: Path) -> None:
    library = Library(store_path)
    typed = ""
    previous = None
    for letter in "gradient d":
        typed += letter
        query = parse_query(typed)
        narrowed = library.search(query, within=previous)
        assert isinstance(narrowed, Matches)
        assert [p.id for p in narrowed] == [p.id for p in library.search(query)]
        previous = narrowed
    # a plain list (not a result of search) narrows too
    as_list = list(library.search(parse_query("learning")))
    narrowed = library.search(parse_query("learning theory"), within=as_list)
    assert [p.id for p in narrowed] == [
        p.id for p in library.search(parse_query("learning theory"))
    ]


def test_a_change_to_the_catalogue_is_searched_at_once(store_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    path.write_bytes(store_path.read_bytes())
    for part in store_path.parent.glob("library.*.json"):  # abstracts and state
        (tmp_path / part.name).write_bytes(part.read_bytes())
    library = Library(path)
    library.prepare_search()
    assert not library.search(parse_query("quokka"))
    bib = "@article{q1, title={Quokka dynamics}, author={Ann Bee}, year={2024}}\n"
    library.import_result(parse_text(bib, source="q.bib"))
    assert [p.title for p in library.search(parse_query("quokka"))] == ["Quokka dynamics"]


def test_a_search_whose_caller_gave_up_stops(store_path: Path) -> None:
    library = Library(store_path)
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 1  # the caller gives up after the first look

    with pytest.raises(SearchCancelled):
        # a library of over 4096 papers is searched in pieces, with a look between
        many = [paper for _ in range(6) for paper in library.search(parse_query(""))]
        library.search(parse_query("gradient"), within=many, stop=stop)
    assert len(asked) == 2
    kept_going = library.search(parse_query("gradient"), stop=lambda: False)
    assert [p.id for p in kept_going] == [p.id for p in library.search(parse_query("gradient"))]


def test_unread_counts_agree_for_results_and_plain_lists(store_path: Path) -> None:
    library = Library(store_path)
    for text in ("", "gradient", "learning -theory", "status:read"):
        found = library.search(parse_query(text))
        by_hand = sum(1 for p in found if library.state(p.id).status is ReadingStatus.UNREAD)
        assert library.count_unread(found) == by_hand, text
        assert library.count_unread(list(found)) == by_hand, text
