"""The main screen: composes the four panes and owns what the user is looking at.

Widgets post what the user asked for; this screen calls the store, then hands
the widgets fresh data. No widget talks to the store or to a sibling pane.
Each further job is a module mixed in: ``searching`` (query, facets, list;
its scheduler is ``tui.search_session``), ``pane_layout``, ``paper_links``
(copy, open), ``other_views`` (paper view, triage, stats), ``interest``, ``sources_keys``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from store.errors import PaperReaderError
from store.library import Library
from store.model import Paper
from store.query import parse as parse_query
from tui import typeahead
from tui.history import UndoHistory
from tui.screens.decisions import DecisionKeys, Decisions
from tui.screens.interest import FIT_AFTER_OPEN_S
from tui.screens.other_views import OtherViews
from tui.screens.pane_layout import PaneLayout
from tui.screens.paper_links import PaperLinks
from tui.search_session import SearchLimits, SearchSession
from tui.store_writer import StoreWriter
from tui.widgets.abstract_view import AbstractView
from tui.widgets.filter_panel import FilterPanel
from tui.widgets.footer import ReaderFooter
from tui.widgets.notes_pane import NotesPane
from tui.widgets.paper_list import PaperList
from tui.widgets.search_bar import SearchBar

if TYPE_CHECKING:
    from tui.app import PaperReaderApp


# Above this many papers a search with words runs in a worker (titles and authors
# first, then abstracts); below it the whole search is quick enough inline.
FULL_TEXT_INLINE_LIMIT = 20_000
# There, a titles pass over at most this many papers runs on the UI thread
# (one substring test each: 10-30 ms at 100,000, less than handing it to a
# worker and back) and leaves only the abstracts to the worker.
TITLES_INLINE_LIMIT = 120_000
# A worker's abstracts pass waits this long once its titles pass is on the list,
# so that the frame showing them is not slowed by the pass competing for the GIL.
PAINT_FIRST_S = 0.03
# Facets of more papers than this are counted off the UI thread (a few ms of
# work at most on it), once typing pauses for FACETS_DELAY_S.
FACETS_INLINE_LIMIT = 2_000
FACETS_DELAY_S = 0.25


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


class MainScreen(DecisionKeys, PaperLinks, OtherViews, PaneLayout):
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
        writer: StoreWriter,
        *,
        advance: bool = True,
        chosen: dict[str, frozenset[str]] | None = None,
    ) -> None:
        """``writer``: writes changes off the UI thread; ``advance``: r, x and s in the
        list move on to the next paper."""
        super().__init__()
        self.library = library
        self.history = history
        self.decisions = Decisions(library, history, writer, self)
        self.advance = advance
        self.query_obj = parse_query("")
        self.chosen = dict(chosen or {})
        self.sort = "date"
        self.searches = SearchSession(
            library,
            SearchLimits(
                full_text_inline=FULL_TEXT_INLINE_LIMIT,
                titles_inline=TITLES_INLINE_LIMIT,
                facets_inline=FACETS_INLINE_LIMIT,
                facets_delay_s=FACETS_DELAY_S,
                paint_first_s=PAINT_FIRST_S,
            ),
        )
        self._abstract_due = False

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

    # -- the current paper -----------------------------------------------------

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
        if paper is None:
            self.notes.set_class(False, "-has-note")
            self.notes.show_note(None, "")
            return
        note, unsaved = self.decisions.note_shown(paper.id, self.library.state(paper.id).note)
        self.notes.set_class(bool(note), "-has-note")
        moved = self.notes.paper_id != paper.id
        if moved or (not self.notes.has_focus and note != self.notes.text):
            self.notes.show_note(paper.id, note, unsaved=unsaved)

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

    # -- other screens ---------------------------------------------------------

    def action_scroll_abstract(self, pages: int) -> None:
        """Page the abstract pane without leaving the list."""
        view = self.query_one(AbstractView)
        if pages > 0:
            view.scroll_page_down(animate=False)
        else:
            view.scroll_page_up(animate=False)
