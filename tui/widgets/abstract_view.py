"""The abstract pane: everything about the current paper, scrollable."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static
from textual.worker import get_current_worker

from store.model import Paper, UserState
from tui.colours import match_style, muted_style
from tui.render import paper_details, render_abstract


class AbstractView(VerticalScroll):
    """Shows one paper's details; renders its LaTeX once and remembers it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rendered: dict[tuple[str, str], str] = {}
        # What the pane shows now: a search that keeps the same paper under
        # the cursor need not lay the pane out again.
        self._shown: tuple[Paper, UserState] | None = None
        self._muted: Style | None = None
        self._terms: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static("", id="abstract-body")

    def prefetch(self, papers: list[Paper]) -> None:
        """Render these papers' abstracts ahead, off the UI thread (the neighbours
        of the current one: the next ``j`` then only lays the pane out)."""
        missing = [p for p in papers if p.abstract and (p.id, p.abstract) not in self._rendered]
        if missing:
            self._render_ahead(missing)

    @work(thread=True, exclusive=True, group="prefetch", exit_on_error=False, description="ahead")
    def _render_ahead(self, papers: list[Paper]) -> None:
        worker = get_current_worker()
        for paper in papers:
            if worker.is_cancelled:
                return
            key = (paper.id, paper.abstract)
            if key not in self._rendered:
                self._rendered[key] = render_abstract(paper)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # A new theme: secondary lines take its muted colour.
        if self.is_mounted and self._shown is not None and self._muted != self.muted:
            paper, state = self._shown
            self._shown = None
            self.show(paper, state, keep_scroll=True)

    def set_terms(self, terms: tuple[str, ...]) -> None:
        """Highlight these searched-for words in the title and the abstract."""
        if terms != self._terms:
            self._terms = terms
            if self._shown is not None:
                paper, state = self._shown
                self._shown = None
                self.show(paper, state, keep_scroll=True)

    @property
    def muted(self) -> Style:
        """The style of secondary lines in the current theme."""
        return muted_style(self.app.theme_variables)

    @property
    def shown_id(self) -> str | None:
        """The id of the paper whose details (with its abstract) are on show."""
        return self._shown[0].id if self._shown is not None else None

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
        body = self.query_one("#abstract-body", Static)
        if paper is None or state is None or loading:
            self._shown = None
        if paper is None or state is None:
            body.update(Text(hint or "No paper matches."))
            return
        if loading:
            body.update(paper_details(paper, state, abstract="Loading the abstract…", muted=muted))
            return
        if self._shown == (paper, state):
            return
        key = (paper.id, paper.abstract)  # a re-import may correct the abstract
        abstract = self._rendered.get(key)
        if abstract is None:
            if len(self._rendered) > 512:
                self._rendered.clear()
            abstract = self._rendered[key] = render_abstract(paper)
        self._shown = (paper, state)
        match = match_style(self.app.theme_variables)
        body.update(
            paper_details(
                paper, state, abstract=abstract, muted=muted, terms=self._terms, match=match
            )
        )
        if not keep_scroll:
            self.scroll_home(animate=False)
