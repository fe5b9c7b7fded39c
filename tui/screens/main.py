"""The main screen: composes the four panes and owns what the user is looking at.

Widgets post what the user asked for; this screen calls the store, then hands
the widgets fresh data. No widget talks to the store or to a sibling pane.
"""

from __future__ import annotations

import os
import sys
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static, TextArea
from textual.worker import get_current_worker

from store.errors import PaperReaderError, SearchCancelled
from store.facets import FacetCounts, count_facets, facet_filter
from store.library import Library
from store.links import bibtex_entry, code_link, is_web_url, paper_link
from store.model import Paper, ReadingStatus
from store.query import Query, QueryError
from store.query import parse as parse_query
from store.undo import StateChange
from tui import clipboard, typeahead
from tui.history import UndoHistory
from tui.memory import keep_out_of_gc
from tui.render import highlight_terms
from tui.screens.interest import FIT_AFTER_OPEN_S, INTEREST, InterestKeys
from tui.screens.tag_dialog import TagDialog
from tui.widgets.abstract_view import AbstractView
from tui.widgets.filter_panel import FilterPanel
from tui.widgets.footer import ReaderFooter
from tui.widgets.list_header import SORT_NAMES, SORTS, list_header
from tui.widgets.notes_pane import NotesPane
from tui.widgets.paper_list import PaperList
from tui.widgets.search_bar import SearchBar

if TYPE_CHECKING:
    from tui.app import PaperReaderApp


NARROW_WIDTH = 100
NARROW_LIST_ROWS = 8
NARROW_LIST_MIN_ROWS = 3
# Above this many papers a search with words runs in a worker (titles and authors
# first, then abstracts); below it the whole search is quick enough inline.
FULL_TEXT_INLINE_LIMIT = 20_000
# There, a titles pass over at most this many papers runs on the UI thread
# (one substring test each: 10-30 ms at 100,000, less than handing it to a
# worker and back) and leaves only the abstracts to the worker.
TITLES_INLINE_LIMIT = 120_000
# The abstracts pass waits this long after handing over the titles pass, so
# that the frame showing them is not slowed by the pass competing for the GIL.
PAINT_FIRST_S = 0.03
# Facets of more papers than this are counted off the UI thread (a few ms of
# work at most on it), once typing pauses for FACETS_DELAY_S.
FACETS_INLINE_LIMIT = 2_000
FACETS_DELAY_S = 0.25


@dataclass(frozen=True)
class _SearchResult:
    """A search as it was run, so the next keystroke can narrow it."""

    query: Query
    sort: str
    revision: int
    quick: bool
    results: list[Paper]


_LETTER_ACTIONS = frozenset(
    {
        "search",
        "edit_note",
        "toggle_filters",
        "undo",
        "triage",
        "stats",
        "scroll_abstract",
        "cycle_sort",
        "more_like_this",
        "fetch",
        "enrich",
    }
)


def typing_text(screen: Screen[Any]) -> bool:
    """True when the focused widget takes text (the search bar, the note editor)."""
    return isinstance(screen.focused, Input | TextArea)


REFRESH_INTERVAL_S = 1.0
# The abstracts and the search index are read this long after the screen
# mounts: started at once, they hold the interpreter while the first frame is
# still on its way to the terminal.
BACKGROUND_START_S = 0.3
# How many papers below the cursor (and one above) have their abstract rendered ahead.
_RENDER_AHEAD = 3
EMPTY_LIBRARY_HINT = (
    "Your library is empty. Import a reading list from a shell:\n\n"
    "    paper-reader import FILE\n\n"
    "FILE: an author-profile page saved as text, BibTeX, RIS,\n"
    "an arXiv feed, CSL-JSON or a paper-reader JSON export.\n\n"
    "Or fetch papers from arXiv by id:\n\n"
    "    paper-reader add ID"
)


class MainScreen(InterestKeys):
    """Filters, paper list, abstract and notes, with the search bar on top.

    Focus moves with ``set_focus`` (at once) rather than ``Widget.focus``
    (queued): keys typed right after ``/`` or ``n`` are already waiting in the
    queue and must reach the newly focused widget, not the list.
    """

    HELP_TITLE = "Reader"
    BINDINGS = [
        Binding("slash", "search", "Search", id="main.search", priority=True),
        Binding("n", "edit_note", "Note", id="main.note", priority=True),
        Binding("f", "toggle_filters", "Filters", id="main.filters", show=False, priority=True),
        Binding("z", "undo", "Undo", id="main.undo", show=False, priority=True),
        Binding("T", "triage", "Triage", id="main.triage", priority=True),
        Binding("O", "cycle_sort", "Sort order", id="main.sort", show=False, priority=True),
        Binding("m", "more_like_this", "More like this", id="main.like", show=False, priority=True),
        Binding("S", "stats", "Statistics", id="main.stats", show=False, priority=True),
        # enter and esc run as the key is read, so that the keys typed after
        # them reach the widget that has focus by then; only on the list and
        # in the note editor (the search bar has its own).
        Binding(
            "escape",
            "escape",
            "Clear selection, else filters",
            show=False,
            id="main.unselect",
            priority=True,
        ),
        Binding("enter", "open_paper", "Read paper", show=False, id="main.open", priority=True),
        Binding(
            "right_square_bracket",
            "scroll_abstract(1)",
            "Abstract page down",
            show=False,
            id="main.abstract_down",
            priority=True,
        ),
        Binding(
            "left_square_bracket",
            "scroll_abstract(-1)",
            "Abstract page up",
            show=False,
            id="main.abstract_up",
            priority=True,
        ),
        Binding("F", "fetch", "Fetch followed", id="main.fetch", show=False, priority=True),
        Binding("E", "enrich", "Enrich from arXiv", id="main.enrich", show=False, priority=True),
    ]

    app: PaperReaderApp

    @dataclass
    class Ready(Message):
        """The main screen is composed and can take keys."""

    def __init__(
        self,
        library: Library,
        history: UndoHistory,
        *,
        advance: bool = True,
        chosen: dict[str, frozenset[str]] | None = None,
    ) -> None:
        """``advance``: r, x and s in the list move on to the next paper."""
        super().__init__()
        self.library = library
        self.history = history
        self.advance = advance
        self.query_obj: Query = parse_query("")
        self.chosen: dict[str, frozenset[str]] = dict(chosen or {})
        self.sort = "date"
        self.filters_visible: bool | None = None  # None: decided by the width
        self._matched: list[Paper] = []
        self._facets_generation = 0
        self._last_search: _SearchResult | None = None
        self._last_full: _SearchResult | None = None
        self._last_quick: _SearchResult | None = None
        self._facets_timer: Timer | None = None
        self._abstract_due = False
        self._search_pending = False
        self._query_text = ""
        self._query_error = False  # the list shows the last query that parsed

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While text is being typed, letters are text, not commands."""
        if action == "open_paper":
            return self.focused is self.paper_list
        if action == "escape":
            return self.focused in (self.paper_list, self.notes, self.query_one(FilterPanel))
        return not (action in _LETTER_ACTIONS and typing_text(self))

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield FilterPanel(id="filters")
            with Vertical(id="center"):
                yield SearchBar(id="search")
                yield Static("", id="search-error", markup=False)
                yield Static("", id="list-header", markup=False)
                yield PaperList(id="papers")
                with Horizontal(id="detail"):
                    yield AbstractView(id="abstract")
                    yield NotesPane(id="notes")
        yield ReaderFooter()

    @property
    def paper_list(self) -> PaperList:
        return self.query_one(PaperList)

    @property
    def notes(self) -> NotesPane:
        return self.query_one(NotesPane)

    def on_mount(self) -> None:
        self.apply_filters()
        # Fill the note now, not when the list's Highlighted message arrives:
        # keys typed at once (``n`` then a note) must not be wiped by it. The
        # abstract (LaTeX to render, maybe abstracts to read) follows the first
        # paint of the list.
        self._show_note(self.paper_list.current)
        self._schedule_abstract()
        self.paper_list.advance = self.advance
        self.paper_list.on_request = self._paper_action
        self.paper_list.on_move = self._moved
        self.set_focus(self.paper_list)
        self.set_timer(BACKGROUND_START_S, self._load_abstracts)
        self.post_message(self.Ready())
        self.set_interval(REFRESH_INTERVAL_S, self._pick_up_outside_changes)
        self.set_timer(FIT_AFTER_OPEN_S, self.fit_interest_if_decided)

    # -- layout ----------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._layout(event.size.width, event.size.height)

    def _layout(self, width: int, height: int | None = None) -> None:
        narrow = width < NARROW_WIDTH
        self.set_class(narrow, "-narrow")
        if height is not None:
            # Below 100 columns the abstract gets the space: about eight list
            # rows at 80×24, fewer on shorter terminals, never under three.
            rows = max(NARROW_LIST_MIN_ROWS, min(NARROW_LIST_ROWS, height - 16))
            self.paper_list.styles.height = rows if narrow else None
        show = self.filters_visible if self.filters_visible is not None else not narrow
        was_hidden = self.has_class("-filters-hidden")
        self.set_class(not show, "-filters-hidden")
        if show and was_hidden:
            self._count_facets(self._facets_generation)

    def action_toggle_filters(self) -> None:
        """Show the filter pane and go to it; from the pane, hide it and go back to the list."""
        panel = self.query_one(FilterPanel)
        if panel.has_focus:
            self.filters_visible = False
            self._layout(self.size.width)
            self.set_focus(self.paper_list)
            return
        self.filters_visible = True
        self._layout(self.size.width)
        self.set_focus(panel)
        if panel.highlighted is None:
            panel.action_first()

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

    # -- filtering -------------------------------------------------------------

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
        self._matched = matched
        self._facets_generation += 1
        if not self.has_class("-filters-hidden"):
            self.call_after_refresh(self._count_facets, self._facets_generation)

    def _search(self) -> list[Paper]:
        """The papers the query matches, without ever making typing wait.

        A small library is searched here and now. In a large one a query with
        words is searched by a worker: titles and authors first (shown as soon
        as they are known), then abstracts; meanwhile the list keeps the last
        result. Typing that extends the last query re-filters the last result.
        """
        library, query = self.library, self.query_obj
        if self._searches_in_background(query):
            self._search_pending = True
            self._search_in_background(
                query, self.store_sort(), library.revision, *self._narrowings(query)
            )
            last = self._last_search
            return last.results if last is not None else library.search(parse_query(""))
        try:
            results = library.search(
                query, sort=self.store_sort(), within=self._narrowing(query, quick=False)
            )
        except PaperReaderError as err:  # a damaged abstracts file: titles still search
            self.notify(str(err), severity="error", markup=False)
            results = library.search(query, sort=self.store_sort(), abstracts=False)
        self._remember(query, quick=False, results=results)
        return results

    def _abstracts_pass(
        self, query: Query, sort: str, revision: int, within: list[Paper] | None
    ) -> None:
        if query is self.query_obj:  # else a newer search is under way: do not cancel it
            self._search_in_background(query, sort, revision, None, within, titles=False)

    def _store_failed(self, err: PaperReaderError) -> None:
        """A store file could not be read in the background: say so, stop waiting."""
        self._search_pending = False
        self._show_header(self.paper_list.papers)
        self.notify(str(err), severity="error", markup=False)

    def _searches_in_background(self, query: Query) -> bool:
        return query.needs_abstract and len(self.library) > FULL_TEXT_INLINE_LIMIT

    def _narrowings(self, query: Query) -> tuple[list[Paper] | None, list[Paper] | None]:
        """What the worker's two passes may narrow: the last quick and full results."""
        return self._narrowing(query, quick=True), self._narrowing(query, quick=False)

    def _narrowing(self, query: Query, *, quick: bool) -> list[Paper] | None:
        """The last result, when the new query can only match a part of it.

        A titles-and-authors pass narrows the last such pass when it can (a
        fifth of the papers the abstracts pass found, for a common word),
        else the last complete result, which holds it.
        """
        candidates = [self._last_quick, self._last_full] if quick else [self._last_full]
        library = self.library
        for last in candidates:
            if (
                last is not None
                and last.revision == library.revision
                and last.sort == self.store_sort()
                and query.narrows(last.query)
            ):
                return last.results
        return None

    def _remember(
        self, query: Query, *, quick: bool, results: list[Paper], revision: int | None = None
    ) -> None:
        """Keep a result for narrowing; ``revision`` is the library's when it was searched."""
        revision = self.library.revision if revision is None else revision
        self._last_search = _SearchResult(query, self.store_sort(), revision, quick, results)
        if quick:
            self._last_quick = self._last_search
        else:
            self._last_full = self._last_search
        self._search_pending = quick

    # description: without one Textual repr()s the arguments (two 100k-paper lists).
    @work(thread=True, exclusive=True, group="search", exit_on_error=False, description="search")
    def _search_in_background(
        self,
        query: Query,
        sort: str,
        revision: int,
        within_quick: list[Paper] | None,
        within_full: list[Paper] | None,
        *,
        titles: bool = True,
    ) -> None:
        library, worker = self.library, get_current_worker()

        def stop() -> bool:
            return worker.is_cancelled  # a newer search replaced this one

        try:
            if titles:  # else the caller has shown the titles pass already
                quick = library.search(
                    query, sort=sort, within=within_quick, abstracts=False, stop=stop
                )
                if worker.is_cancelled:
                    return
                self.app.call_from_thread(self._found, query, sort, revision, quick, True)
                time.sleep(PAINT_FIRST_S)  # let the UI thread paint the titles first
            full = library.search(query, sort=sort, within=within_full, stop=stop)
        except SearchCancelled:
            return
        except PaperReaderError as err:  # a damaged abstracts file, say
            self.app.call_from_thread(self._store_failed, err)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._found, query, sort, revision, full, False)

    def _found(
        self, query: Query, sort: str, revision: int, results: list[Paper], quick: bool
    ) -> None:
        if query is not self.query_obj or sort != self.store_sort():
            return  # the user has typed on; a newer search is on its way
        if revision != self.library.revision:
            self.apply_filters()  # a paper changed while searching: search again
            return
        shown = self._last_search
        fuller = not quick and shown is not None and shown.quick and shown.query is query
        self._remember(query, quick=quick, results=results, revision=revision)
        self.apply_filters(results, fuller=fuller)
        if not quick:
            keep_out_of_gc()  # the search caches just built are as long-lived as the library

    @property
    def search_settled(self) -> bool:
        """True once the list shows the complete result of the current query."""
        last = self._last_search
        if self.query_obj.is_empty:
            return True
        return last is not None and last.query is self.query_obj and not self._search_pending

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
                searching=self._search_pending,
                stale=self._query_error,
                chosen=self.chosen,
                sort=self.sort,
                like=self.like_of or "",
            )
            + self.sources_activity(),
            layout=False,  # one line of fixed height: no need to lay the screen out again
        )

    def _count_facets(self, generation: int) -> None:
        if generation != self._facets_generation:
            return  # a newer search replaced these results before they were counted
        if len(self._matched) > FACETS_INLINE_LIMIT:
            # Counting 100,000 papers takes CPU the next keystroke's search
            # needs: count once typing pauses, off the UI thread.
            if self._facets_timer is not None:
                self._facets_timer.stop()
            self._facets_timer = self.set_timer(
                FACETS_DELAY_S, lambda: self._count_facets_later(generation)
            )
        else:
            self._show_facets(generation, count_facets(self._matched, self.library.state))

    def _count_facets_later(self, generation: int) -> None:
        if generation == self._facets_generation:
            self._count_facets_in_background(generation, self._matched)

    @work(thread=True, exclusive=True, group="facets", exit_on_error=False, description="facets")
    def _count_facets_in_background(self, generation: int, papers: list[Paper]) -> None:
        counts = count_facets(papers, self.library.state)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_facets, generation, counts)

    def _show_facets(self, generation: int, counts: FacetCounts) -> None:
        if generation == self._facets_generation:
            self.query_one(FilterPanel).show_counts(counts, self.chosen)

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
        if not self._searches_in_background(self.query_obj):
            self.apply_filters()
            return
        query, sort, revision = self.query_obj, self.store_sort(), self.library.revision
        within_quick, within_full = self._narrowings(query)
        titles = len(within_quick) if within_quick is not None else len(self.library)
        if titles <= TITLES_INLINE_LIMIT:
            # Typing on in a few thousand titles: quicker here than through a
            # worker, and the list changes in the same frame as the text.
            quick = self.library.search(query, sort=sort, within=within_quick, abstracts=False)
            self._found(query, sort, revision, quick, True)
            # Abstracts after the frame that shows the titles: the worker would
            # otherwise take the interpreter from that frame's rendering.
            self.call_after_refresh(self._abstracts_pass, query, sort, revision, within_full)
        else:
            # The list keeps its last result until the worker's arrives.
            self._search_pending = True
            self._search_in_background(query, sort, revision, within_quick, within_full)
            self._show_header(self.paper_list.papers)

    async def action_escape(self) -> None:
        """Leave the note or the filters; on the list clear the selection, else the facets."""
        if self.focused is self.query_one(FilterPanel):
            self.set_focus(self.paper_list)
        elif self.focused is self.notes:
            await typeahead.settled(self.notes)  # the note's last letters are in it
            self.notes.save_now()
            self.set_focus(self.paper_list)
        elif self.paper_list.selected:
            self.action_clear_selection()
        elif self.like is not None:
            self.leave_like()
        else:
            self.clear_facets()

    async def action_leave_search(self, clear: bool) -> None:
        """Back to the list once the query typed so far is searched.

        The letters typed before this key may still wait in the search bar's
        queue: let it take them, apply the query at once, and wait for a
        background search to finish, so that ``/lean⏎jr`` marks the second
        paper that matches "lean".
        """
        bar = self.query_one(SearchBar)
        await typeahead.settled(bar)
        if clear:
            bar.value = ""
        self._query_changed(Input.Changed(bar, bar.value))
        await typeahead.until(lambda: self.search_settled)
        self.set_focus(self.paper_list)

    def action_search(self) -> None:
        """Focus the search bar; typing filters the list live."""
        self.set_focus(self.query_one(SearchBar))

    @on(FilterPanel.FacetToggled)
    def _facet_toggled(self, event: FilterPanel.FacetToggled) -> None:
        values = set(self.chosen.get(event.facet, frozenset()))
        values ^= {event.value}
        self.chosen[event.facet] = frozenset(values)
        self.apply_filters()

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

    # -- the current paper -----------------------------------------------------

    @work(thread=True, exclusive=True, group="abstracts", exit_on_error=False)
    def _load_abstracts(self) -> None:
        """Read the abstracts and fold every paper for search, off the UI thread.

        Started once the list is painted; the first search then finds the
        work done (a second at 100,000 papers).
        """
        library = self.library
        try:
            library.load_abstracts()
            self.app.call_from_thread(self._show_current)  # whoever read them first
            library.prepare_search(self.store_sort())
        except PaperReaderError as err:
            self.app.call_from_thread(self._store_failed, err)
            return
        self.app.call_from_thread(keep_out_of_gc)  # as long-lived as the library

    def _moved(self, paper: Paper | None) -> None:
        # Called as the cursor moves, before the list's frame: the note follows
        # at once (``j`` then ``n`` edits the new paper's note), and so does an
        # abstract rendered ahead (it costs a wrap), in the same frame.
        self._show_note(paper)
        completed = self._completed(paper)
        if completed is None or self.query_one(AbstractView).shows_at_once(completed):
            self._paint_abstract(paper, completed)

    @on(PaperList.Highlighted)
    def _highlighted(self, event: PaperList.Highlighted) -> None:
        # An abstract whose LaTeX is still to render follows once the moved
        # cursor is on screen, for whichever paper is under the cursor by then
        # (a held key skips some); one already shown is not drawn again.
        self._show_note(event.paper)
        self._schedule_abstract()
        self.cursor_moved_to(event.paper)

    def _schedule_abstract(self) -> None:
        if not self._abstract_due:
            self._abstract_due = True
            self.call_after_refresh(self._show_abstract_due)

    def _show_abstract_due(self) -> None:
        self._abstract_due = False
        self._show_current()

    def _show_current(self, paper: Paper | None = None) -> None:
        paper = paper if paper is not None else self.paper_list.current
        self._show_abstract(paper)
        self._show_note(paper)

    def _completed(self, paper: Paper | None) -> Paper | None:
        """The paper with its abstract, or None while the abstracts are being read."""
        library = self.library
        if paper is None or not (
            library.abstracts_loaded or len(library) <= FULL_TEXT_INLINE_LIMIT
        ):
            # Parsing a large library's abstracts would hold up the first
            # paint (and any key): a worker reads them (started after the
            # first paint, or by an outside change), then shows them.
            return None
        try:
            return library.complete(paper)
        except PaperReaderError as err:  # a damaged abstracts file
            self.notify(str(err), severity="error", markup=False)
            return paper

    def _show_abstract(self, paper: Paper | None) -> None:
        self._paint_abstract(paper, self._completed(paper))

    def _paint_abstract(self, paper: Paper | None, completed: Paper | None) -> None:
        library = self.library
        state = library.state(paper.id) if paper else None
        hint = self._empty_hint() if len(library) else EMPTY_LIBRARY_HINT
        view = self.query_one(AbstractView)
        loading = paper is not None and completed is None
        view.show(completed or paper, state, hint=hint, loading=loading)
        if completed is not None and library.abstracts_loaded:
            listed, at = self.paper_list.papers, self.paper_list.cursor
            around = listed[max(at - 1, 0) : at + _RENDER_AHEAD + 1]
            view.prefetch(lambda: library.complete_all(around))

    def _empty_hint(self) -> str:
        """What to do when nothing matches."""
        ways = []
        if not self.query_obj.is_empty:
            ways.append("/ edits the search (esc in it clears it)")
        if self.chosen:
            ways.append("esc on the list clears the filters")
        if not ways:
            return "No paper matches."
        return "No paper matches: " + "; ".join(ways) + "."

    def _show_note(self, paper: Paper | None) -> None:
        state = self.library.state(paper.id) if paper else None
        self.notes.set_class(bool(state and state.note), "-has-note")
        if paper is None or self.notes.paper_id != paper.id:
            self.notes.show_note(paper.id if paper else None, state.note if state else "")
        elif not self.notes.has_focus and state is not None and state.note != self.notes.text:
            self.notes.show_note(paper.id, state.note)

    @on(PaperList.SelectionChanged)
    def _selection_changed(self) -> None:
        self.apply_filters()

    def action_clear_selection(self) -> None:
        """Forget the bulk selection."""
        self.paper_list.clear_selection()

    # -- changing state --------------------------------------------------------

    def run_paper_action(self, action: str, paper_ids: list[str]) -> None:
        """Act on these papers as the list's keys do (the paper view calls this)."""
        self._paper_action(PaperList.ActionRequested(action, paper_ids))

    @on(PaperList.ActionRequested)
    def _paper_action(self, event: PaperList.ActionRequested) -> None:
        self.paper_actions[event.action](event.paper_ids)

    @cached_property
    def paper_actions(self) -> dict[str, Callable[[list[str]], None]]:
        """The handler of each paper action the list requests, by its name."""
        return {
            "toggle_read": self._do_toggle_read,
            "skip": self._do_skip,
            "unread": self._do_unread,
            "star": self._do_star,
            "tag": self._do_tag,
            "copy_link": self._do_copy_link,
            "copy_code": self._do_copy_code,
            "copy_bibtex": self._do_copy_bibtex,
            "open": self._do_open,
        }

    def _change(
        self,
        label: str,
        ids: list[str],
        change: Callable[[list[str]], StateChange],
    ) -> None:
        if not ids:
            return
        try:
            done = change(ids)
        except PaperReaderError as err:
            self.notify(str(err), severity="error", markup=False)
            return
        self.history.push(label, done)
        # Only the papers acted on leave the selection: keys typed after this
        # one (space on the next paper) may have started a new one already.
        self.paper_list.unselect(ids)
        self.apply_filters()
        self._show_current()
        self.decided()
        if len(ids) > 1:
            # The count undo will report: papers already in that state are not changed.
            same = len(ids) - len(done)
            already = f" ({same} already)" if same else ""
            self.notify(f"{label}: {len(done)} papers{already}", markup=False)

    def _do_toggle_read(self, ids: list[str]) -> None:
        library = self.library
        all_read = ids and all(library.state(i).status is ReadingStatus.READ for i in ids)
        status = ReadingStatus.UNREAD if all_read else ReadingStatus.READ
        self._change(f"Marked {status.label}", ids, lambda ids: library.set_status(ids, status))

    def _do_skip(self, ids: list[str]) -> None:
        library = self.library
        self._change("Skipped", ids, lambda ids: library.set_status(ids, ReadingStatus.SKIPPED))

    def _do_unread(self, ids: list[str]) -> None:
        library = self.library
        self._change(
            f"Marked {ReadingStatus.UNREAD.label}",
            ids,
            lambda ids: library.set_status(ids, ReadingStatus.UNREAD),
        )

    def _do_star(self, ids: list[str]) -> None:
        library = self.library
        starred = not all(library.state(i).starred for i in ids)
        label = "Starred" if starred else "Unstarred"
        self._change(label, ids, lambda ids: library.set_starred(ids, starred))

    def _do_tag(self, ids: list[str]) -> None:
        if not ids:
            return
        current = self.library.state(ids[0]).tags if len(ids) == 1 else ()

        def apply(answer: str | None) -> None:
            if not answer:
                return
            words = answer.split()
            add = [w.lstrip("+") for w in words if not w.startswith("-") and w.lstrip("+")]
            remove = [w[1:] for w in words if w.startswith("-") and len(w) > 1]
            library = self.library
            self._change(
                "Tagged", ids, lambda ids: library.change_tags(ids, add=add, remove=remove)
            )

        self.app.push_screen(TagDialog(current, len(ids)), apply)

    def action_edit_note(self) -> None:
        """Edit the current paper's note (esc leaves; the note saves itself)."""
        if self.paper_list.current is not None:
            self.history.end_note_edit()
            self.set_focus(self.notes)

    @on(NotesPane.NoteEdited)
    def _note_edited(self, event: NotesPane.NoteEdited) -> None:
        try:
            done = self.library.set_note(event.paper_id, event.text)
            self.history.push_note(event.paper_id, done)
        except PaperReaderError as err:
            self.notify(f"Note not saved: {err}", severity="error", markup=False)

    @on(NotesPane.Left)
    def _note_left(self) -> None:
        self.set_focus(self.paper_list)

    def save_pending_note(self) -> None:
        """Write an unsaved note straight to the store (quit, hang-up)."""
        pending = self.notes.pending()
        if pending is not None:
            self.library.set_note(*pending)
            self.notes.mark_saved()

    def action_undo(self) -> None:
        """Undo the last change of status, star, tags or note where it still holds, or ``E``."""
        if self.undo_enrichment():
            return
        try:
            message = self.history.undo_last(self.library)
        except PaperReaderError as err:
            self.notify(f"Not undone: {err}", severity="error", markup=False)
            return
        self.apply_filters()
        self._show_current()
        self.notify(message, markup=False)

    # -- copying and opening ---------------------------------------------------

    def _first(self, ids: list[str]) -> Paper | None:
        """The paper a single-paper action means: the current one, or the first selected."""
        return self.library.get(ids[0]) if ids else None

    def _copy(self, what: str, text: str) -> None:
        outcome = clipboard.copy(self.app, text)
        if outcome.too_large:
            self.notify(f"{what} is too large for the terminal clipboard", severity="warning")
            return
        shown = text if len(text) <= 120 else text[:117] + "..."
        self.notify(f"Copied {what} {outcome.describe()}:\n{shown}", markup=False)

    def _do_copy_link(self, ids: list[str]) -> None:
        paper = self._first(ids)
        if paper is not None:
            self._copy("paper link", paper_link(paper))

    def _do_copy_code(self, ids: list[str]) -> None:
        paper = self._first(ids)
        if paper is None:
            return
        link = code_link(paper)
        if not link:
            self.notify("This paper has no code link", severity="warning")
            return
        self._copy("code link", link)

    def _do_copy_bibtex(self, ids: list[str]) -> None:
        library = self.library
        papers = library.complete_all(library.get(pid) for pid in ids)
        if papers:
            what = "BibTeX entry" if len(papers) == 1 else f"{len(papers)} BibTeX entries"
            self._copy(what, "\n".join(bibtex_entry(paper) for paper in papers))

    def _do_open(self, ids: list[str]) -> None:
        paper = self._first(ids)
        if paper is None:
            return
        link = paper_link(paper)
        if not is_web_url(link):
            self.notify("This paper has no web link to open", severity="warning")
            return
        if clipboard.local_clipboard_available(os.environ, sys.platform):
            self._open_in_browser(link)
        else:
            outcome = clipboard.copy(self.app, link)
            self.notify(
                f"No display to open a browser on: copied the link instead "
                f"{outcome.describe()}:\n{link}",
                markup=False,
            )

    @work(thread=True, exit_on_error=False)
    def _open_in_browser(self, link: str) -> None:
        opened = webbrowser.open(link)
        message = f"Opened in your browser: {link}" if opened else f"No browser found: {link}"
        self.app.call_from_thread(self.notify, message, markup=False)

    # -- other screens ---------------------------------------------------------

    def action_scroll_abstract(self, pages: int) -> None:
        """Page the abstract pane without leaving the list."""
        view = self.query_one(AbstractView)
        if pages > 0:
            view.scroll_page_down(animate=False)
        else:
            view.scroll_page_up(animate=False)

    def action_open_paper(self) -> None:
        """Read the paper under the cursor on the full screen, as in a pager."""
        from tui.screens.paper import PaperScreen

        if self.paper_list.current is None:
            return
        try:
            self.save_pending_note()
        except PaperReaderError as err:
            self.notify(f"Note not saved: {err}", severity="error", markup=False)
        self.app.push_screen(PaperScreen(self), lambda _result: self._after_triage())

    def action_triage(self) -> None:
        """One unread paper at a time: one key decides, the next appears."""
        from tui.screens.triage import TriageScreen

        unread = [
            p
            for p in self.paper_list.papers
            if self.library.state(p.id).status is ReadingStatus.UNREAD
        ]
        ranking = self.known_interest
        sort = self.sort
        if ranking is not None:  # the papers most likely to matter first
            unread, sort = ranking.order(unread), INTEREST
        elif self.sort == INTEREST:
            sort = "date"
        if not unread:
            self.notify("No unread papers in this list")
            return
        try:
            self.save_pending_note()
        except PaperReaderError as err:
            self.notify(f"Note not saved: {err}", severity="error", markup=False)
        self.app.push_screen(
            TriageScreen(
                [p.id for p in unread],
                self.library,
                self.history,
                sort=sort,
                ranking=ranking or self.latest_interest,
            ),
            lambda _result: self._after_triage(),
        )

    def _after_triage(self) -> None:
        self.apply_filters()
        self._show_current()
        self.decided()

    def action_stats(self) -> None:
        """Papers per year, reading progress and categories."""
        from tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen(self.library))
