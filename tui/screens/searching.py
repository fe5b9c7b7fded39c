"""The reader's search: the query, the facets and the sort order make the list.

Mixed into :class:`~tui.screens.main.MainScreen`. The plain-Python
:class:`~tui.search_session.SearchSession` decides what runs on the UI thread
and what in a worker, and which results are stale; this mixin parses the
query, starts the workers (which post their results back in messages) and
hands the list, its header and the filter pane their data.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from store.errors import PaperReaderError
from store.facets import FacetCounts, count_facets, facet_filter
from store.model import Paper
from store.query import Query, QueryError
from store.query import parse as parse_query
from tui.memory import keep_out_of_gc
from tui.render import highlight_terms
from tui.screens.interest import INTEREST, InterestKeys
from tui.search_session import BackgroundSearch, SearchResult, SearchSession, Verdict
from tui.widgets.abstract_view import AbstractView
from tui.widgets.filter_panel import FilterPanel
from tui.widgets.list_header import SORT_NAMES, SORTS, list_header
from tui.widgets.search_bar import SearchBar


@dataclass
class SearchPassDone(Message):
    """A worker's search pass: titles and authors, or the complete result."""

    result: SearchResult
    job: BackgroundSearch


@dataclass
class StoreReadFailed(Message):
    """A store file could not be read in the background."""

    error: PaperReaderError


@dataclass
class FacetsCounted(Message):
    """A worker's facet counts of one listing."""

    generation: int
    counts: FacetCounts


@dataclass
class AbstractsLoaded(Message):
    """The abstracts are read: the current paper's can be shown."""


@dataclass
class SearchPrepared(Message):
    """Every paper is folded for search."""


class Searching(InterestKeys):
    """``/``, ``O``, the facets and the list they make (MainScreen's base)."""

    query_obj: Query
    chosen: dict[str, frozenset[str]]
    searches: SearchSession
    _facets_timer: Timer | None = None
    _query_text = ""
    _query_error = False  # the list shows the last query that parsed

    def action_search(self) -> None:
        """Focus the search bar; typing filters the list live."""
        self.set_focus(self.query_one(SearchBar))

    def action_cycle_sort(self) -> None:
        """List by date, title, date added, rank in the collection or interest, in turn."""
        if self.like is not None:
            self.leave_like(repaint=False)  # a sort order replaces "more like this"
        self.sort = (
            SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)] if self.sort in SORTS else SORTS[0]
        )
        if self.sort == INTEREST:
            self.sort_by_interest()
        self.apply_filters()
        self.notify(f"Sorted by {SORT_NAMES[self.sort]}", timeout=2)

    def clear_facets(self) -> None:
        """Forget every chosen facet value."""
        if self.chosen:
            self.chosen = {}
            self.apply_filters()

    @on(FilterPanel.FacetToggled)
    def _facet_toggled(self, event: FilterPanel.FacetToggled) -> None:
        values = set(self.chosen.get(event.facet, frozenset()))
        values ^= {event.value}
        self.chosen[event.facet] = frozenset(values)
        self.apply_filters()

    # -- the list ----------------------------------------------------------------

    def apply_filters(self, matched: list[Paper] | None = None, *, fuller: bool = False) -> None:
        """Re-run the search and the facets; keep the cursor on the same paper.

        The list is repainted first; the facet counts follow after the refresh
        (and only while the filter pane is shown), so typing stays quick.
        """
        library = self.library
        if matched is None:
            matched = self._search()
        keep = facet_filter(self.chosen, library.state)
        visible = [paper for paper in matched if keep(paper)] if self.chosen else matched
        visible = self.ranked(visible)
        current = self.paper_list.current
        keep_id = current.id if current else None
        if fuller and self.paper_list.cursor == 0:
            # The abstracts pass completing what the titles pass showed: the
            # top result is what the user looks at, not the paper under it.
            keep_id = None
        if self.keep_next is not None:
            keep_id, self.keep_next = self.keep_next or None, None
        self.paper_list.set_papers(visible, library.state, keep=keep_id)
        self._show_header(visible)
        generation = self.searches.listed(matched)
        if not self.has_class("-filters-hidden"):
            self.call_after_refresh(self._count_facets, generation)

    def _show_header(self, visible: list[Paper]) -> None:
        """``shown of total · unread``, the selection, the active facets as chips, the sort."""
        library = self.library
        selected = self.paper_list.selected
        self.query_one("#list-header", Static).update(
            list_header(
                shown=len(visible),
                total=len(library),
                unread=library.count_unread(visible),
                selected=len(selected),
                searching=self.searches.pending,
                stale=self._query_error,
                chosen=self.chosen,
                sort=self.sort,
                like=self.like_of or "",
            )
            + self.sources_activity(),
            layout=False,  # one line of fixed height: no need to lay the screen out again
        )

    @property
    def search_settled(self) -> bool:
        """True once the list shows the complete result of the current query."""
        return self.searches.settled(self.query_obj)

    # -- searching ---------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _query_changed(self, event: Input.Changed) -> None:
        if event.value != event.input.value or event.value == self._query_text:
            # Outdated (the bar has moved on: its own message follows), or
            # applied already (enter applies the query before its message arrives).
            return
        self._query_text = event.value
        error = self.query_one("#search-error", Static)
        try:
            self.query_obj = parse_query(event.value)
        except QueryError as err:
            error.update(f"⚠ {err}")
            error.display = True
            self._query_error = True
            self._show_header(self.paper_list.papers)
            return
        error.display = False
        self._query_error = False
        if self.sort == INTEREST:
            self.take_fresh_interest()  # the list is reordered anyway
        terms = highlight_terms(event.value)
        self.paper_list.set_terms(terms)
        self.query_one(AbstractView).set_terms(terms)
        searches = self.searches
        if not searches.in_background(self.query_obj):
            self.apply_filters()
            return
        job = searches.plan(self.query_obj, self.store_sort())
        if searches.titles_inline(job):
            # Typing on in a few thousand titles: quicker here than through a
            # worker, and the list changes in the same frame as the text.
            self._found(searches.titles_pass(job))
            # Abstracts after the frame that shows the titles: the worker would
            # otherwise take the interpreter from that frame's rendering.
            self.call_after_refresh(self._abstracts_pass, job.abstracts_only())
        else:
            # The list keeps its last result until the worker's arrives.
            self._search_in_background(job)
            self._show_header(self.paper_list.papers)

    def _search(self) -> list[Paper]:
        """The papers the query matches, without ever making typing wait.

        A small library is searched here and now. In a large one a query with
        words is searched by a worker: titles and authors first (shown as soon
        as they are known), then abstracts; meanwhile the list keeps the last
        result. Typing that extends the last query re-filters the last result.
        """
        searches, query = self.searches, self.query_obj
        if searches.in_background(query):
            self._search_in_background(searches.plan(query, self.store_sort()))
            return searches.meanwhile()
        results, failure = searches.search_now(query, self.store_sort())
        if failure is not None:
            self.notify(str(failure), severity="error", markup=False)
        return results

    def _abstracts_pass(self, job: BackgroundSearch) -> None:
        if self.searches.wanted(job.query, job.sort, self.query_obj, self.store_sort()):
            self._search_in_background(job)  # else a newer search is under way: leave it be

    # description: without one Textual names the worker by repr()ing its arguments.
    @work(thread=True, exclusive=True, group="search", exit_on_error=False, description="search")
    def _search_in_background(self, job: BackgroundSearch) -> None:
        worker = get_current_worker()

        def stop() -> bool:
            return worker.is_cancelled  # a newer search replaced this one

        def deliver(result: SearchResult) -> None:
            self.post_message(SearchPassDone(result, job))

        try:
            self.searches.run(job, stop, deliver)
        except PaperReaderError as err:  # a damaged abstracts file, say
            self.post_message(StoreReadFailed(err))

    @on(SearchPassDone)
    def _pass_done(self, message: SearchPassDone) -> None:
        self._found(message.result)
        message.job.titles_shown.set()  # the worker's abstracts pass may start

    def _found(self, result: SearchResult) -> None:
        verdict = self.searches.accept(result, self.query_obj, self.store_sort())
        if verdict is Verdict.STALE:
            return
        if verdict is Verdict.SEARCH_AGAIN:
            self.apply_filters()
            return
        self.apply_filters(result.results, fuller=verdict is Verdict.COMPLETE)
        if not result.quick:
            keep_out_of_gc()  # the search caches just built are as long-lived as the library

    @on(StoreReadFailed)
    def _store_failed(self, message: StoreReadFailed) -> None:
        """A store file could not be read in the background: say so, stop waiting."""
        self.searches.failed()
        self._show_header(self.paper_list.papers)
        self.notify(str(message.error), severity="error", markup=False)

    # -- facets ------------------------------------------------------------------

    def _count_facets(self, generation: int) -> None:
        searches = self.searches
        if not searches.facets_current(generation):
            return  # a newer search replaced these results before they were counted
        if searches.facets_later():
            if self._facets_timer is not None:
                self._facets_timer.stop()
            self._facets_timer = self.set_timer(
                searches.limits.facets_delay_s, lambda: self._count_facets_later(generation)
            )
        else:
            self._show_facets(generation, count_facets(searches.matched, self.library.state))

    def _count_facets_later(self, generation: int) -> None:
        if self.searches.facets_current(generation):
            self._count_facets_in_background(generation, self.searches.matched)

    @work(thread=True, exclusive=True, group="facets", exit_on_error=False, description="facets")
    def _count_facets_in_background(self, generation: int, papers: list[Paper]) -> None:
        counts = count_facets(papers, self.library.state)
        if not get_current_worker().is_cancelled:
            self.post_message(FacetsCounted(generation, counts))

    @on(FacetsCounted)
    def _facets_counted(self, message: FacetsCounted) -> None:
        self._show_facets(message.generation, message.counts)

    def _show_facets(self, generation: int, counts: FacetCounts) -> None:
        if self.searches.facets_current(generation):
            self.query_one(FilterPanel).show_counts(counts, self.chosen)

    # -- the store -----------------------------------------------------------------

    def _pick_up_outside_changes(self) -> None:
        try:
            changed = self.library.refresh()
        except PaperReaderError as err:
            self.notify(str(err), severity="error", markup=False)
            return
        if changed:
            self.apply_filters()
            self._show_current()
            self._load_abstracts()  # fold the changed catalogue for search again

    @work(thread=True, exclusive=True, group="abstracts", exit_on_error=False)
    def _load_abstracts(self) -> None:
        """Read the abstracts and fold every paper for search, off the UI thread.

        Started once the list is painted; the first search then finds the
        work done (a second at 100,000 papers).
        """
        library = self.library
        try:
            library.load_abstracts()
            self.post_message(AbstractsLoaded())  # whoever read them first
            library.prepare_search(self.store_sort())
        except PaperReaderError as err:
            self.post_message(StoreReadFailed(err))
            return
        self.post_message(SearchPrepared())

    @on(AbstractsLoaded)
    def _abstracts_loaded(self) -> None:
        self._show_current()

    @on(SearchPrepared)
    def _search_prepared(self) -> None:
        keep_out_of_gc()  # the folded texts are as long-lived as the library
