"""The paper view: one paper on the whole screen, read like a pager.

``space``/``b`` page, ``j``/``k`` scroll, ``J``/``K`` move to the next or
previous paper of the list, the paper keys act on the paper shown, ``n``
edits its note, and ``esc`` or ``q`` return to the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from store.errors import PaperReaderError
from store.model import Paper
from store.text import clean_text
from tui.colours import match_style, muted_style
from tui.render import paper_details
from tui.screens.interest import why_line
from tui.screens.one_paper import OnePaperScreen, paper_key_bindings
from tui.widgets.footer import ReaderFooter
from tui.widgets.notes_pane import NotesPane
from tui.widgets.text_pager import TextPager

if TYPE_CHECKING:
    from tui.screens.main import MainScreen


class PaperScreen(OnePaperScreen):
    """The paper under the list's cursor, with its whole abstract and note."""

    HELP_TITLE = "Paper view"

    BINDINGS = [
        Binding("space,pagedown", "page(1)", "Page", id="pager.page_down"),
        Binding("b,pageup", "page(-1)", "Back a page", show=False, id="pager.page_up"),
        Binding("j,down", "line(1)", "Scroll down", show=False, id="pager.down"),
        Binding("k,up", "line(-1)", "Scroll up", show=False, id="pager.up"),
        Binding("g,home", "edge(0)", "Top", show=False, id="pager.top"),
        Binding("G,end", "edge(1)", "Bottom", show=False, id="pager.bottom"),
        Binding("J", "step(1)", "Next", id="pager.next"),
        Binding("K", "step(-1)", "Previous", show=False, id="pager.previous"),
        *paper_key_bindings("pager", "rxustcCyo", shown="rxs"),
        Binding("n", "edit_note", "Note", id="pager.note"),
        Binding("escape,q", "leave", "List", id="pager.back"),
    ]

    def __init__(self, main: MainScreen) -> None:
        super().__init__(main.library, main.history)
        self.main = main
        current = main.paper_list.current
        self.paper_id = current.id if current is not None else ""

    def compose(self) -> ComposeResult:
        yield Static("", id="paper-progress", markup=False)
        yield TextPager(id="paper-body")
        yield NotesPane(id="paper-note")
        yield ReaderFooter()

    def shown_paper_id(self) -> str | None:
        return self.paper_id or None

    # -- showing ---------------------------------------------------------------

    def _paper(self) -> Paper | None:
        library = self.library
        try:
            return library.complete(library.get(self.paper_id))
        except (KeyError, PaperReaderError):
            return None

    def _position(self) -> tuple[int, int]:
        """This paper's place in the list (0 when it has left it) and the list's length."""
        papers = self.main.paper_list.papers
        for index, paper in enumerate(papers):
            if paper.id == self.paper_id:
                return index, len(papers)
        return -1, len(papers)

    def _show(self, *, keep_scroll: bool = False) -> None:
        if not self._composed:
            return  # on_mount shows it; keys typed at once act before the first paint
        paper = self._paper()
        index, total = self._position()
        place = f"Paper {index + 1:,} of {total:,}" if index >= 0 else "Paper (not in the list)"
        self.query_one("#paper-progress", Static).update(
            f"{place} · space/b page · J/K next/previous · esc back"
        )
        if paper is None:
            gone = Text("This paper is no longer in the library.")
            self._body().show(None, lambda _abstract: gone, "")
            return
        state = self.library.state(paper.id)
        muted = muted_style(self.app.theme_variables)
        terms = self.main.paper_list.terms
        match = match_style(self.app.theme_variables)
        why = why_line(self.main.known_interest, paper.id)

        def compose(abstract: str | None) -> Text:
            text = paper_details(
                paper, state, abstract=abstract, muted=muted, terms=terms, match=match
            )
            if why:
                text = Text(why + "\n\n", style=muted) + text
            text.append("\n\nNote\n", style="bold")
            if state.note:
                text.append(clean_text(state.note))
            else:
                text.append("(none: n writes one)", style=muted)
            return text

        self._body().show(paper.id, compose, paper.abstract, keep_scroll=keep_scroll)

    # -- keys ------------------------------------------------------------------

    def _body(self) -> TextPager:
        return self.query_one("#paper-body", TextPager)

    def action_step(self, step: int) -> None:
        """Show the next (or previous) paper of the list."""
        papers = self.main.paper_list.papers
        if not papers:
            return
        index, _ = self._position()
        if index < 0:
            index = self.main.paper_list.cursor - (1 if step > 0 else 0)
        target = max(0, min(index + step, len(papers) - 1))
        self.paper_id = papers[target].id
        self.main.paper_list.cursor = target
        self._show()

    def action_leave(self) -> None:
        """Back to the list (with the note saved when one is being written)."""
        self.save_before_leaving()
        self.dismiss(None)
