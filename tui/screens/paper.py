"""The paper view: one paper on the whole screen, read like a pager.

``space``/``b`` page, ``j``/``k`` scroll, ``J``/``K`` move to the next or
previous paper of the list, the paper keys act on the paper shown, ``n``
edits its note, and ``esc`` or ``q`` return to the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from store.errors import PaperReaderError
from store.model import Paper
from store.text import clean_text
from tui.colours import muted_style
from tui.render import paper_details
from tui.widgets.footer import ReaderFooter
from tui.widgets.notes_pane import NotesPane

if TYPE_CHECKING:
    from tui.app import PaperReaderApp
    from tui.screens.main import MainScreen

_PAPER_KEYS = {
    "r": ("toggle_read", "Read"),
    "x": ("skip", "Skip"),
    "u": ("unread", "Unread"),
    "s": ("star", "Star"),
    "t": ("tag", "Tag"),
    "c": ("copy_link", "Copy link"),
    "C": ("copy_code", "Copy code link"),
    "y": ("copy_bibtex", "Copy BibTeX"),
    "o": ("open", "Open link"),
}
_SHOWN_IN_FOOTER = {"r", "x", "s"}


class PaperScreen(Screen[None]):
    """The paper under the list's cursor, with its whole abstract and note."""

    BINDINGS = [
        Binding("space,pagedown", "page(1)", "Page", id="pager.page_down"),
        Binding("b,pageup", "page(-1)", "Back a page", show=False, id="pager.page_up"),
        Binding("j,down", "line(1)", "Scroll down", show=False, id="pager.down"),
        Binding("k,up", "line(-1)", "Scroll up", show=False, id="pager.up"),
        Binding("g,home", "edge(0)", "Top", show=False, id="pager.top"),
        Binding("G,end", "edge(1)", "Bottom", show=False, id="pager.bottom"),
        Binding("J", "step(1)", "Next", id="pager.next"),
        Binding("K", "step(-1)", "Previous", show=False, id="pager.previous"),
        *(
            Binding(
                key,
                f"act('{action}')",
                label,
                show=key in _SHOWN_IN_FOOTER,
                id=f"pager.{action}",
            )
            for key, (action, label) in _PAPER_KEYS.items()
        ),
        Binding("n", "edit_note", "Note", id="pager.note"),
        Binding("escape,q", "leave", "List", id="pager.back"),
    ]

    app: PaperReaderApp

    def __init__(self, main: MainScreen) -> None:
        super().__init__()
        self.main = main
        current = main.paper_list.current
        self.paper_id = current.id if current is not None else ""
        self._composed = False

    def compose(self) -> ComposeResult:
        yield Static("", id="paper-progress", markup=False)
        with VerticalScroll(id="paper-body"):
            yield Static("", id="paper-text")
        yield NotesPane(id="paper-note")
        yield ReaderFooter()

    def on_mount(self) -> None:
        self._composed = True
        self._show()
        self.set_focus(self.query_one("#paper-body"))

    def on_screen_resume(self) -> None:
        self._show(keep_scroll=True)  # a tag dialog may have changed the paper

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the note is being written, keys are text."""
        if action == "leave":
            return True
        return not (self._composed and self.query_one(NotesPane).has_focus)

    # -- showing ---------------------------------------------------------------

    def _paper(self) -> Paper | None:
        library = self.app.library
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
        text_view = self.query_one("#paper-text", Static)
        index, total = self._position()
        place = f"Paper {index + 1:,} of {total:,}" if index >= 0 else "Paper (not in the list)"
        self.query_one("#paper-progress", Static).update(
            f"{place} · space/b page · J/K next/previous · esc back"
        )
        if paper is None:
            text_view.update("This paper is no longer in the library.")
            return
        state = self.app.library.state(paper.id)
        muted = muted_style(self.app.theme_variables)
        text = paper_details(paper, state, muted=muted)
        text.append("\n\nNote\n", style="bold")
        if state.note:
            text.append(clean_text(state.note))
        else:
            text.append("(none: n writes one)", style=muted)
        text_view.update(text)
        note = self.query_one(NotesPane)
        if not note.has_focus:
            note.show_note(paper.id, state.note)
        if not keep_scroll:
            self.query_one("#paper-body", VerticalScroll).scroll_home(animate=False)

    # -- keys ------------------------------------------------------------------

    def _body(self) -> VerticalScroll:
        return self.query_one("#paper-body", VerticalScroll)

    def action_page(self, pages: int) -> None:
        """Page the paper down or up."""
        body = self._body()
        if pages > 0:
            body.scroll_page_down(animate=False)
        else:
            body.scroll_page_up(animate=False)

    def action_line(self, lines: int) -> None:
        """Scroll by a line."""
        self._body().scroll_relative(y=lines, animate=False)

    def action_edge(self, end: int) -> None:
        """Go to the top or the bottom of the paper."""
        body = self._body()
        if end:
            body.scroll_end(animate=False)
        else:
            body.scroll_home(animate=False)

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

    def action_act(self, action: str) -> None:
        """A paper key: the list's action, on the paper shown."""
        if self.paper_id:
            self.main.run_paper_action(action, [self.paper_id])
            self._show(keep_scroll=True)

    def action_edit_note(self) -> None:
        """Write this paper's note (esc saves and returns to the paper)."""
        if self._composed and self.paper_id:
            note = self.query_one(NotesPane)
            note.add_class("-open")
            self.set_focus(note)

    @on(NotesPane.NoteEdited)
    def _note_edited(self, event: NotesPane.NoteEdited) -> None:
        event.stop()
        try:
            self.app.library.set_note(event.paper_id, event.text)
        except PaperReaderError as err:
            self.notify(f"Note not saved: {err}", severity="error", markup=False)
        self._show(keep_scroll=True)

    @on(NotesPane.Left)
    def _note_left(self, event: NotesPane.Left) -> None:
        event.stop()
        self.query_one(NotesPane).remove_class("-open")
        self.set_focus(self._body())

    def save_pending_note(self) -> None:
        """Write an unsaved note straight to the store (leaving, quitting)."""
        if not self._composed:
            return
        note = self.query_one(NotesPane)
        pending = note.pending()
        if pending is not None:
            self.app.library.set_note(*pending)
            note.mark_saved()

    def action_leave(self) -> None:
        """Back to the list (with the note saved when one is being written)."""
        note = self.query_one(NotesPane) if self._composed else None
        if note is not None and note.has_focus:
            note.action_leave()
            return
        try:
            self.save_pending_note()
        except PaperReaderError as err:
            self.notify(f"Note not saved: {err}", severity="error", markup=False)
        self.dismiss(None)
