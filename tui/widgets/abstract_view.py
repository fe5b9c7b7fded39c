"""The abstract pane: everything about the current paper, scrollable."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from store.model import Paper, UserState
from tui.render import paper_details, render_abstract


class AbstractView(VerticalScroll):
    """Shows one paper's details; renders its LaTeX once and remembers it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rendered: dict[tuple[str, str], str] = {}

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("", id="abstract-body")

    def show(
        self,
        paper: Paper | None,
        state: UserState | None,
        *,
        hint: str = "",
        loading: bool = False,
    ) -> None:
        """Show this paper, or ``hint`` when there is none to show.

        ``loading`` says the abstract is still being read: the rest shows now.
        """
        body = self.query_one("#abstract-body", Static)
        if paper is None or state is None:
            body.update(Text(hint or "No paper matches."))
            return
        if loading:
            body.update(paper_details(paper, state, abstract="Loading the abstract…"))
            return
        key = (paper.id, paper.abstract)  # a re-import may correct the abstract
        abstract = self._rendered.get(key)
        if abstract is None:
            if len(self._rendered) > 512:
                self._rendered.clear()
            abstract = self._rendered[key] = render_abstract(paper)
        body.update(paper_details(paper, state, abstract=abstract))
        self.scroll_home(animate=False)
