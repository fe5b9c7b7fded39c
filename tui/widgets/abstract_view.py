"""The abstract pane: everything about the current paper, scrollable.

The pane wraps its own lines into a region whose size never depends on what
it shows (like the list's ``render_line``): a new paper repaints this pane
alone, without laying the screen out again. A huge abstract is shown a slice
at a time, its LaTeX rendered off the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.worker import get_current_worker

from store.model import Paper, UserState
from tui.colours import match_style, muted_style
from tui.render import paper_details, render_abstract
from tui.widgets.long_text import preview, render_piece, safe_cut
from tui.widgets.wrapped_view import WrappedView

# Abstracts up to this long have their LaTeX rendered on the UI thread when
# not rendered ahead (about 30 ms); longer ones in pieces, in a worker.
INLINE = 4_000
# Characters of a long abstract shown at first; scrolling near the end shows
# this many more. Wrapping and styling stay bounded whatever the field's size.
SLICE = 20_000
# Rendered abstracts kept (the current paper's neighbours, rendered ahead).
_CACHE_SIZE = 512
_LONG_CACHE_SIZE = 32

# A long abstract's rendered pieces: (end in the LaTeX source, rendered text).
Pieces = list[tuple[int, str]]


@dataclass
class PieceRendered(Message, bubble=False):
    """One more piece of a long abstract's LaTeX, rendered by the worker."""

    key: tuple[str, str]
    start: int
    end: int
    text: str


class AbstractView(WrappedView, can_focus=True):
    """Shows one paper's details; renders its LaTeX once and remembers it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # Keyed by the abstract too: a re-import may correct it.
        self._rendered: dict[tuple[str, str], str] = {}
        self._long: dict[tuple[str, str], Pieces] = {}
        # What the pane shows now: a search that keeps the same paper under
        # the cursor need not render the pane again.
        self._shown: tuple[Paper, UserState] | None = None
        self._muted: Style | None = None
        self._terms: tuple[str, ...] = ()
        self._limit = SLICE  # characters of a huge abstract rendered so far
        self._ahead: Callable[[], list[Paper]] = list
        self._ahead_due = False

    # -- rendering ahead -------------------------------------------------------

    def prefetch(self, papers: Callable[[], list[Paper]]) -> None:
        """Render these papers' abstracts ahead, off the UI thread, once the
        pane's frame is out (the neighbours of the current one: the next ``j``
        then shows its paper in the list's own frame)."""
        self._ahead = papers
        if not self._ahead_due:
            self._ahead_due = True
            self.call_after_refresh(self._start_ahead)

    def _start_ahead(self) -> None:
        self._ahead_due = False
        missing = [
            p
            for p in self._ahead()
            if p.abstract
            and (p.id, p.abstract) not in self._rendered
            and (p.id, p.abstract) not in self._long
        ]
        if missing:
            self._render_ahead(missing)

    def shows_at_once(self, paper: Paper) -> bool:
        """True when showing ``paper`` renders no LaTeX: its abstract is short
        and rendered (ahead), or it has none."""
        return not paper.abstract or (paper.id, paper.abstract) in self._rendered

    @work(thread=True, exclusive=True, group="prefetch", exit_on_error=False, description="ahead")
    def _render_ahead(self, papers: list[Paper]) -> None:
        worker = get_current_worker()
        for paper in papers:
            if worker.is_cancelled:
                return
            key = (paper.id, paper.abstract)
            if len(paper.abstract) <= INLINE:
                self._rendered.setdefault(key, render_abstract(paper))
            else:
                cut = safe_cut(paper.abstract, 0)
                self._long.setdefault(key, [(cut, render_piece(paper.abstract, 0, cut))])

    @work(thread=True, exclusive=True, group="pieces", exit_on_error=False, description="pieces")
    def _render_pieces(self, paper: Paper, start: int, limit: int) -> None:
        # A long abstract's LaTeX, piece by piece as far as the pane shows it;
        # meanwhile the pane shows the rest as plain text.
        worker = get_current_worker()
        raw, key = paper.abstract, (paper.id, paper.abstract)
        while start < min(limit, len(raw)) and not worker.is_cancelled:
            end = safe_cut(raw, start)
            text = render_piece(raw, start, end)
            if worker.is_cancelled:
                return
            self.post_message(PieceRendered(key, start, end, text))
            start = end

    @on(PieceRendered)
    def _piece_rendered(self, message: PieceRendered) -> None:
        key, start, end, text = message.key, message.start, message.end, message.text
        pieces = self._long.setdefault(key, [])
        if (pieces[-1][0] if pieces else 0) != start:
            return  # a piece rendered ahead got there first
        pieces.append((end, text))
        if self._shown is not None and (self._shown[0].id, self._shown[0].abstract) == key:
            self._redraw(keep_scroll=True)

    # -- theme and terms -------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # A new theme: secondary lines take its muted colour.
        if self.is_mounted and self._shown is not None and self._muted != self.muted:
            self._redraw(keep_scroll=True)

    def set_terms(self, terms: tuple[str, ...]) -> None:
        """Highlight these searched-for words in the title and the abstract."""
        if terms != self._terms:
            self._terms = terms
            if self._shown is not None:
                self._redraw(keep_scroll=True)

    @property
    def muted(self) -> Style:
        """The style of secondary lines in the current theme."""
        return muted_style(self.app.theme_variables)

    @property
    def shown_id(self) -> str | None:
        """The id of the paper whose details (with its abstract) are on show."""
        return self._shown[0].id if self._shown is not None else None

    # -- showing a paper -------------------------------------------------------

    def show(
        self,
        paper: Paper | None,
        state: UserState | None,
        *,
        hint: str = "",
        loading: bool = False,
        keep_scroll: bool = False,
    ) -> None:
        """Show this paper, or ``hint`` when there is none to show.

        ``loading`` says the abstract is still being read: the rest shows now.
        """
        muted = self._muted = self.muted
        if paper is None or state is None or loading:
            self._shown = None
        if paper is None or state is None:
            self.set_content(Text(hint or "No paper matches."), keep_scroll=keep_scroll)
            return
        if loading:
            details = paper_details(paper, state, abstract="Loading the abstract…", muted=muted)
            self.set_content(details, keep_scroll=keep_scroll)
            return
        if self._shown == (paper, state):
            return
        if self._shown is None or self._shown[0].id != paper.id:
            self._limit = SLICE
            # Rendering ahead holds the interpreter between our frames: a new
            # paper stops it (at the next abstract) until its frame is out.
            self.workers.cancel_group(self, "prefetch")
        self._shown = (paper, state)
        self._redraw(keep_scroll=keep_scroll)

    def _redraw(self, *, keep_scroll: bool) -> None:
        """Render the shown paper's details again (new terms, theme or slice)."""
        assert self._shown is not None
        paper, state = self._shown
        muted = self._muted = self.muted
        abstract = self._abstract(paper)
        match = match_style(self.app.theme_variables)
        details = paper_details(
            paper, state, abstract=abstract, muted=muted, terms=self._terms, match=match
        )
        self.set_content(details, keep_scroll=keep_scroll)

    def _abstract(self, paper: Paper) -> str:
        """The abstract as far as it is shown, its LaTeX rendered as far as ready."""
        raw, key = paper.abstract, (paper.id, paper.abstract)
        if len(raw) <= INLINE:
            abstract = self._rendered.get(key)
            if abstract is None:
                if len(self._rendered) > _CACHE_SIZE:
                    self._rendered.clear()
                abstract = self._rendered[key] = render_abstract(paper)
            return abstract
        if key not in self._long and len(self._long) > _LONG_CACHE_SIZE:
            self._long.clear()
        pieces = self._long.setdefault(key, [])
        done = pieces[-1][0] if pieces else 0
        parts = [text for _end, text in pieces]
        if done < self._limit:
            parts.append(preview(raw, done, min(self._limit, len(raw))))
            self._render_pieces(paper, done, self._limit)
        # Pieces are cut at whitespace: one space joins them again.
        abstract = " ".join(part.strip() for part in parts)
        more = len(raw) - max(done, self._limit)
        if more > 0:
            abstract += f"\n\n… {more:,} more characters (scroll on to read them)"
        return abstract

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        # Near the end of a huge abstract's rendered slice: render more.
        if (
            self._shown is not None
            and len(self._shown[0].abstract) > self._limit
            and new + 2 * self.size.height >= len(self._lines)
        ):
            self._limit += SLICE
            self.call_later(self._show_more)

    def _show_more(self) -> None:
        if self._shown is not None:  # the cursor may have left it meanwhile
            self._redraw(keep_scroll=True)
