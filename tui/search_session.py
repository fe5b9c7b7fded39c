"""The reader's search scheduler: what runs now, what in a worker, what is stale.

Plain Python, no Textual: the main screen (:mod:`tui.screens.searching`)
asks it how to run each search, starts the worker it plans, and hands back
the results the worker posts. It keeps the last results, so that typing that
extends a query re-filters them instead of the whole library, and it says
which results a newer query or a change to the store has made stale.

A search with words in a large library runs in two passes: titles and
authors (cheap, shown at once), then abstracts. The limits that decide what
is "large" come from the screen (:class:`SearchLimits`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum

from store.errors import PaperReaderError, SearchCancelled
from store.library import Library
from store.model import Paper
from store.query import Query
from store.query import parse as parse_query

# A worker waits at most this long for the UI thread to take its titles pass
# (the screen may be closing and never take it).
_SHOWN_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class SearchLimits:
    """How much search work the UI thread takes on, and how a worker paces itself."""

    full_text_inline: int  # papers up to which a search with words runs inline
    titles_inline: int  # papers up to which a titles pass runs inline
    facets_inline: int  # papers up to which facets are counted inline
    facets_delay_s: float  # the pause in typing before counting more
    paint_first_s: float  # the worker's pause between its titles and abstracts passes


@dataclass(frozen=True)
class SearchResult:
    """A search as it was run, so the next keystroke can narrow it."""

    query: Query
    sort: str
    revision: int  # the library's when the search started
    quick: bool  # titles and authors only: the abstracts pass is to come
    results: list[Paper] = field(repr=False)


@dataclass(frozen=True)
class BackgroundSearch:
    """A search for a worker: its passes and the earlier results each may narrow."""

    query: Query
    sort: str
    revision: int
    within_quick: list[Paper] | None = field(repr=False)
    within_full: list[Paper] | None = field(repr=False)
    titles: bool = True  # False: the titles pass ran on the UI thread already
    # Set by the screen once the titles pass is on the list.
    titles_shown: threading.Event = field(
        default_factory=threading.Event, compare=False, repr=False
    )

    def abstracts_only(self) -> BackgroundSearch:
        """The same search, its titles pass done elsewhere."""
        return replace(self, titles=False, within_quick=None)


class Verdict(Enum):
    """What the screen does with a result that has come back."""

    STALE = "stale"  # a newer query or sort order: drop it
    SEARCH_AGAIN = "search again"  # the store changed while searching
    SHOW = "show"
    COMPLETE = "complete"  # the abstracts pass completing the titles pass on the list


class SearchSession:
    """Plans each search, keeps the last results for narrowing, judges what comes back.

    Used on the UI thread, except :meth:`run`, which is a worker's body.
    """

    def __init__(self, library: Library, limits: SearchLimits) -> None:
        self.library = library
        self.limits = limits
        # A worker's result is still to come for the query the list shows.
        self.pending = False
        self.last: SearchResult | None = None
        self._last_full: SearchResult | None = None
        self._last_quick: SearchResult | None = None
        # What the list shows before the facets filter it, and which listing that was.
        self.matched: list[Paper] = []
        self.facets_generation = 0

    # -- planning ----------------------------------------------------------------

    def in_background(self, query: Query) -> bool:
        """Whether ``query`` is searched by a worker: words to find in a large library."""
        return query.needs_abstract and len(self.library) > self.limits.full_text_inline

    def search_now(self, query: Query, sort: str) -> tuple[list[Paper], PaperReaderError | None]:
        """Search here and now; the error says why the abstracts could not be searched."""
        library = self.library
        failure: PaperReaderError | None = None
        try:
            results = library.search(
                query, sort=sort, within=self.narrowing(query, sort, quick=False)
            )
        except PaperReaderError as err:  # a damaged abstracts file: titles still search
            failure = err
            results = library.search(query, sort=sort, abstracts=False)
        self.remember(SearchResult(query, sort, library.revision, False, results))
        return results, failure

    def plan(self, query: Query, sort: str) -> BackgroundSearch:
        """A search for a worker; from now on the list waits for its result."""
        self.pending = True
        return BackgroundSearch(
            query,
            sort,
            self.library.revision,
            self.narrowing(query, sort, quick=True),
            self.narrowing(query, sort, quick=False),
        )

    def meanwhile(self) -> list[Paper]:
        """What the list shows while a worker searches: the last result, else everything."""
        last = self.last
        return last.results if last is not None else self.library.search(parse_query(""))

    def titles_inline(self, job: BackgroundSearch) -> bool:
        """Whether the titles pass of ``job`` is quick enough for the UI thread."""
        within = job.within_quick
        titles = len(within) if within is not None else len(self.library)
        return titles <= self.limits.titles_inline

    def titles_pass(self, job: BackgroundSearch) -> SearchResult:
        """The titles-and-authors pass of ``job``, here and now."""
        quick = self.library.search(
            job.query, sort=job.sort, within=job.within_quick, abstracts=False
        )
        return SearchResult(job.query, job.sort, job.revision, True, quick)

    def narrowing(self, query: Query, sort: str, *, quick: bool) -> list[Paper] | None:
        """The last result, when the new query can only match a part of it.

        A titles-and-authors pass narrows the last such pass when it can (a
        fifth of the papers the abstracts pass found, for a common word),
        else the last complete result, which holds it.
        """
        candidates = [self._last_quick, self._last_full] if quick else [self._last_full]
        for last in candidates:
            if (
                last is not None
                and last.revision == self.library.revision
                and last.sort == sort
                and query.narrows(last.query)
            ):
                return last.results
        return None

    # -- the worker ----------------------------------------------------------------

    def run(
        self,
        job: BackgroundSearch,
        stop: Callable[[], bool],
        deliver: Callable[[SearchResult], None],
    ) -> None:
        """Run ``job``'s passes (a worker's body), handing each result to ``deliver``.

        The abstracts pass starts once the screen has set ``job.titles_shown``
        (the titles are on the list) and ``paint_first_s`` has passed. Returns
        without a result once ``stop()`` is true: a newer search replaced this
        one. Raises :class:`PaperReaderError` when a store file cannot be read.
        """
        library, query, sort = self.library, job.query, job.sort
        try:
            if job.titles:  # else the caller has shown the titles pass already
                quick = library.search(
                    query, sort=sort, within=job.within_quick, abstracts=False, stop=stop
                )
                if stop():
                    return
                deliver(SearchResult(query, sort, job.revision, True, quick))
                self._wait_until_shown(job, stop)
                time.sleep(self.limits.paint_first_s)  # let the UI thread paint the titles first
            full = library.search(query, sort=sort, within=job.within_full, stop=stop)
        except SearchCancelled:
            return
        if not stop():
            deliver(SearchResult(query, sort, job.revision, False, full))

    @staticmethod
    def _wait_until_shown(job: BackgroundSearch, stop: Callable[[], bool]) -> None:
        """Wait until the titles are on the list, the search is cancelled, or a second passes.

        Until the UI thread has put them there, the abstracts pass would
        compete with it for the interpreter.
        """
        deadline = time.monotonic() + _SHOWN_TIMEOUT_S
        while not job.titles_shown.wait(0.02):
            if stop() or time.monotonic() > deadline:
                return

    # -- results -------------------------------------------------------------------

    def wanted(self, query: Query, sort: str, current_query: Query, current_sort: str) -> bool:
        """Whether a search for ``query`` in ``sort`` order is still what the user wants."""
        return query is current_query and sort == current_sort

    def accept(self, result: SearchResult, query: Query, sort: str) -> Verdict:
        """Judge a result now that ``query`` in ``sort`` order is wanted; keep what is shown."""
        if not self.wanted(result.query, result.sort, query, sort):
            return Verdict.STALE  # the user has typed on; a newer search is on its way
        if result.revision != self.library.revision:
            return Verdict.SEARCH_AGAIN  # a paper changed while searching
        shown = self.last
        completes = (
            not result.quick and shown is not None and shown.quick and shown.query is result.query
        )
        self.remember(result)
        return Verdict.COMPLETE if completes else Verdict.SHOW

    def remember(self, result: SearchResult) -> None:
        """Keep a result for narrowing; a titles pass leaves the list waiting for more."""
        self.last = result
        if result.quick:
            self._last_quick = result
        else:
            self._last_full = result
        self.pending = result.quick

    def failed(self) -> None:
        """A worker could not read the store: nothing more is coming."""
        self.pending = False

    def settled(self, query: Query) -> bool:
        """True once the last result is the complete one for ``query``."""
        if query.is_empty:
            return True
        last = self.last
        return last is not None and last.query is query and not self.pending

    # -- facets --------------------------------------------------------------------

    def listed(self, matched: list[Paper]) -> int:
        """The list now shows ``matched`` (before facets): its generation of counts."""
        self.matched = matched
        self.facets_generation += 1
        return self.facets_generation

    def facets_current(self, generation: int) -> bool:
        """Whether counts of this generation are of what the list shows."""
        return generation == self.facets_generation

    def facets_later(self) -> bool:
        """Whether the facets are counted once typing pauses, off the UI thread.

        Counting 100,000 papers takes CPU the next keystroke's search needs.
        """
        return len(self.matched) > self.limits.facets_inline
