"""The search scheduler on its own: a real library, no screen, limits chosen per test."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from store.importing import import_files
from store.library import Library
from store.model import Paper, ReadingStatus
from store.query import parse
from tests.conftest import REALDATA
from tui.search_session import (
    BackgroundSearch,
    SearchLimits,
    SearchResult,
    SearchSession,
    Verdict,
)

# 584 entries from a Zotero export, 321 of them with an abstract.
PSYCHOLOGY = REALDATA / "bibtex" / "zotero-export-psychology-abstract-url-file-584.bib"


def _limits(
    *, full_text_inline: int = 10, titles_inline: int = 10_000, facets_inline: int = 2_000
) -> SearchLimits:
    return SearchLimits(
        full_text_inline=full_text_inline,
        titles_inline=titles_inline,
        facets_inline=facets_inline,
        facets_delay_s=0.0,
        paint_first_s=0.0,
    )


@pytest.fixture
def library(db_path: Path) -> Library:
    library = Library(db_path)
    import_files(library, [str(PSYCHOLOGY)])
    return library


def _ids(papers: list[Paper]) -> list[str]:
    return [paper.id for paper in papers]


def _never() -> bool:
    return False


def _run(
    session: SearchSession, job: BackgroundSearch, stop: Callable[[], bool] = _never
) -> list[SearchResult]:
    """The worker's passes, run here; the titles pass counts as shown at once."""
    delivered: list[SearchResult] = []

    def deliver(result: SearchResult) -> None:
        delivered.append(result)
        job.titles_shown.set()

    session.run(job, stop, deliver)
    return delivered


def test_words_in_a_large_library_go_to_a_worker_and_cheap_terms_do_not(library: Library) -> None:
    large = SearchSession(library, _limits(full_text_inline=10))
    assert large.in_background(parse("memory"))
    assert not large.in_background(parse("year:2019 is:unread"))  # no abstract is read
    small = SearchSession(library, _limits(full_text_inline=len(library)))
    assert not small.in_background(parse("memory"))


def test_the_titles_pass_runs_inline_up_to_its_limit_counting_what_it_narrows(
    library: Library,
) -> None:
    session = SearchSession(library, _limits(titles_inline=100))
    job = session.plan(parse("mem"), "date")
    assert job.within_quick is None and not session.titles_inline(job)  # 584 titles
    first = _run(session, job)
    for result in first:
        assert session.accept(result, job.query, "date") is not Verdict.STALE
    narrowed = session.plan(parse("memory"), "date")
    # "mem" found 13 titles: "memory" searches only those, here and now
    assert narrowed.within_quick is first[0].results and len(first[0].results) == 13
    assert session.titles_inline(narrowed)
    quick = session.titles_pass(narrowed)
    assert quick.quick
    assert _ids(quick.results) == _ids(library.search(parse("memory"), abstracts=False))


def test_two_passes_show_titles_then_complete_them(library: Library) -> None:
    session = SearchSession(library, _limits())
    query = parse("emotion")
    job = session.plan(query, "date")
    assert session.pending and not session.settled(query)
    quick, full = _run(session, job)
    assert _ids(quick.results) == _ids(library.search(query, abstracts=False))
    assert _ids(full.results) == _ids(library.search(query))
    assert len(quick.results) < len(full.results)
    assert session.accept(quick, query, "date") is Verdict.SHOW
    assert session.pending and not session.settled(query)  # the abstracts are still to come
    assert session.accept(full, query, "date") is Verdict.COMPLETE
    assert session.settled(query) and session.last is full


def test_typing_on_narrows_each_pass_and_finds_what_a_fresh_search_finds(
    library: Library,
) -> None:
    session = SearchSession(library, _limits())
    for text in ("mem", "memo", "memory", "memory work"):
        query = parse(text)
        job = session.plan(query, "date")
        if text != "mem":
            # titles narrow the last titles pass, abstracts the last complete result
            assert job.within_quick is not None and job.within_full is not None
            assert len(job.within_quick) < len(job.within_full)
        for result in _run(session, job):
            session.accept(result, query, "date")
        assert session.settled(query) and session.last is not None
        assert _ids(session.last.results) == _ids(library.search(query)), text


def test_a_query_that_does_not_narrow_or_another_sort_searches_everything(
    library: Library,
) -> None:
    session = SearchSession(library, _limits(full_text_inline=len(library)))
    found, failure = session.search_now(parse("memory"), "date")
    assert failure is None and len(found) == 20
    assert session.narrowing(parse("memory work"), "date", quick=False) is found
    assert session.narrowing(parse("emotion"), "date", quick=False) is None
    assert session.narrowing(parse("memory work"), "title", quick=False) is None
    titles, _ = session.search_now(parse("memory work"), "title")
    assert _ids(titles) == _ids(library.search(parse("memory work"), sort="title"))


def test_a_result_for_an_older_query_or_sort_is_dropped(library: Library) -> None:
    session = SearchSession(library, _limits())
    older = parse("mem")
    job = session.plan(older, "date")
    quick, _full = _run(session, job)
    newer = parse("memory")
    assert session.accept(quick, newer, "date") is Verdict.STALE
    assert session.accept(quick, older, "title") is Verdict.STALE
    # the same text parsed again is a newer query: only the very query searched counts
    assert session.accept(quick, parse("mem"), "date") is Verdict.STALE
    assert session.last is None  # nothing dropped is kept for narrowing
    assert not session.wanted(older, "date", newer, "date")


def test_a_change_to_the_store_while_searching_means_searching_again(
    library: Library, db_path: Path
) -> None:
    session = SearchSession(library, _limits())
    query = parse("memory")
    job = session.plan(query, "date")
    quick, full = _run(session, job)
    assert session.accept(quick, query, "date") is Verdict.SHOW
    # another process marks a paper read: a search by status may now find other papers
    other = Library(db_path)
    other.set_status([quick.results[0].id], ReadingStatus.READ)
    other.close()
    assert library.refresh()
    assert session.accept(full, query, "date") is Verdict.SEARCH_AGAIN
    assert session.last is quick  # the stale result is not kept
    # nor is anything searched before the change narrowed any more
    assert session.narrowing(parse("memory work"), "date", quick=True) is None
    library.set_starred([full.results[0].id], True)  # a change in this process too
    again = session.plan(query, "date")
    assert again.revision == library.revision and again.within_quick is None


def test_a_cancelled_search_delivers_nothing_more(library: Library) -> None:
    session = SearchSession(library, _limits())
    assert _run(session, session.plan(parse("emotion"), "date"), stop=lambda: True) == []

    # cancelled once the titles are delivered (the user typed on meanwhile)
    job = session.plan(parse("emotion"), "date")
    cancelled = threading.Event()
    delivered: list[SearchResult] = []

    def deliver(result: SearchResult) -> None:
        delivered.append(result)
        cancelled.set()
        job.titles_shown.set()

    session.run(job, cancelled.is_set, deliver)
    assert [result.quick for result in delivered] == [True]


def test_the_worker_waits_for_its_titles_to_be_shown_before_the_abstracts(
    library: Library,
) -> None:
    session = SearchSession(library, _limits())
    job = session.plan(parse("emotion"), "date")
    delivered: list[SearchResult] = []
    worker = threading.Thread(target=session.run, args=(job, lambda: False, delivered.append))
    worker.start()
    worker.join(0.5)
    assert worker.is_alive() and [r.quick for r in delivered] == [True]
    job.titles_shown.set()  # what the screen does once the titles are on the list
    worker.join(5)
    assert [r.quick for r in delivered] == [True, False]


def test_a_worker_cancelled_while_it_waits_for_its_titles_ends_at_once(
    library: Library,
) -> None:
    session = SearchSession(library, _limits())
    job = session.plan(parse("emotion"), "date")
    cancelled = threading.Event()
    delivered: list[SearchResult] = []
    worker = threading.Thread(target=session.run, args=(job, cancelled.is_set, delivered.append))
    worker.start()
    worker.join(0.3)
    assert worker.is_alive()  # the titles are never shown: the screen has moved on
    cancelled.set()
    worker.join(0.5)  # well before the wait would give up on its own
    assert not worker.is_alive() and [r.quick for r in delivered] == [True]


def test_an_abstracts_pass_alone_after_titles_shown_inline(library: Library) -> None:
    session = SearchSession(library, _limits())
    query = parse("emotion")
    job = session.plan(query, "date")
    assert session.accept(session.titles_pass(job), query, "date") is Verdict.SHOW
    (full,) = _run(session, job.abstracts_only())
    assert not full.quick and session.accept(full, query, "date") is Verdict.COMPLETE


def test_meanwhile_the_list_keeps_the_last_result_else_everything(library: Library) -> None:
    session = SearchSession(library, _limits())
    assert len(session.meanwhile()) == len(library)
    query = parse("memory")
    job = session.plan(query, "date")
    for result in _run(session, job):
        session.accept(result, query, "date")
    session.plan(parse("memory work"), "date")
    assert session.last is not None and session.meanwhile() is session.last.results


def test_unreadable_abstracts_still_search_titles_and_say_why(db_path: Path) -> None:
    from store.tinydb_files import abstract_parts_of

    library = Library(db_path)
    import_files(library, [str(PSYCHOLOGY)])
    library.close()
    catalogue = __import__("json").loads(db_path.read_text(encoding="utf-8"))
    for part in abstract_parts_of(catalogue, db_path).paths(db_path):
        part.write_text("{ not json", encoding="utf-8")
    reopened = Library(db_path)  # abstracts are read on first use
    query = parse("emotion")
    inline = SearchSession(reopened, _limits(full_text_inline=10_000))
    found, failure = inline.search_now(query, "date")
    assert failure is not None and str(db_path.parent) in str(failure)
    assert _ids(found) == _ids(reopened.search(query, abstracts=False))
    in_worker = SearchSession(reopened, _limits())
    with pytest.raises(type(failure)):
        _run(in_worker, in_worker.plan(query, "date"))
    in_worker.failed()
    assert not in_worker.pending


def test_facets_of_many_papers_wait_and_only_the_latest_listing_counts(library: Library) -> None:
    session = SearchSession(library, _limits(facets_inline=100))
    first = session.listed(library.search(parse("memory")))
    assert not session.facets_later()  # 20 papers: counted at once
    second = session.listed(library.search(parse("")))
    assert session.facets_later()  # 584 papers: once typing pauses, in a worker
    assert not session.facets_current(first) and session.facets_current(second)
