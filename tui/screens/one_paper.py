"""What the one-paper screens (the paper view, triage) share: the list's paper keys, acting
on the paper shown, and ``n``, a note editor under the paper."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from textual import on
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from tui.colours import muted_style
from tui.history import UndoHistory
from tui.widgets.notes_pane import NotesPane
from tui.widgets.text_pager import TextPager

# The list's paper keys, offered on a one-paper screen: key -> (action, label).
PAPER_KEYS = {
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


def paper_key_bindings(prefix: str, keys: str, shown: str = "") -> list[Binding]:
    """Bindings running ``act(...)`` for these of ``PAPER_KEYS``; ``shown`` in the footer."""
    return [
        Binding(
            key,
            f"act('{PAPER_KEYS[key][0]}')",
            PAPER_KEYS[key][1],
            show=key in shown,
            id=f"{prefix}.{PAPER_KEYS[key][0]}",
        )
        for key in keys
    ]


if TYPE_CHECKING:
    from store.library import Library
    from tui.app import PaperReaderApp
    from tui.screens.decisions import Decisions
    from tui.screens.main import MainScreen


class OnePaperScreen(Screen[None]):
    """A screen showing one paper, with a hidden ``NotesPane`` (id ``paper-note``).

    Subclasses say which paper is shown (``shown_paper_id``), how to show it
    (``_show``) and in which pager (``_body``); focus goes back to the pager
    after the note.
    """

    app: PaperReaderApp
    _shown_muted: Style | None = None  # the muted style the paper was last shown in

    def __init__(self, library: Library, history: UndoHistory) -> None:
        super().__init__()
        self.library = library
        self.history = history
        self._composed = False  # a key can arrive before the screen is mounted

    def shown_paper_id(self) -> str | None:
        raise NotImplementedError

    def _show(self, *, keep_scroll: bool = False) -> None:
        """Show the paper (nothing before the screen is composed)."""
        raise NotImplementedError

    def on_mount(self) -> None:
        self._composed = True
        self._show()
        self.set_focus(self._body())

    def on_screen_resume(self) -> None:
        self._show(keep_scroll=True)  # a tag dialog may have changed the paper

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the note is being written, keys are text."""
        return action == "leave" or not self.writing_note()

    def refresh_paper(self) -> None:
        """Show the paper again where it was scrolled to (its state may have changed)."""
        self._show(keep_scroll=True)

    def reading_widget(self) -> Widget:
        """Where focus goes back to after the note."""
        return self._body()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # A new theme: the paper's secondary lines take its muted colour.
        muted = muted_style(self.app.theme_variables)
        if self.is_mounted and self._shown_muted not in (None, muted):
            self.refresh_paper()
        self._shown_muted = muted

    def _body(self) -> TextPager:
        """The pager showing the paper (its scrolling keys are these screens' own)."""
        raise NotImplementedError

    def action_page(self, pages: int) -> None:
        """Page the paper down or up."""
        self._body().scroll_pages(pages)

    def action_line(self, lines: int) -> None:
        """Scroll by a line."""
        self._body().scroll_lines(lines)

    def action_edge(self, end: int) -> None:
        """Go to the top or the bottom of the paper."""
        if end:
            self._body().to_end()
        else:
            self._body().to_start()

    def main_screen(self) -> MainScreen | None:
        """The list this screen was opened from (its keys act through it)."""
        from tui.screens.main import MainScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def action_act(self, action: str) -> None:
        """A paper key of the list (tag, copy, open...), on the paper shown here."""
        self.act_on_shown(action)

    def act_on_shown(self, action: str) -> None:
        """A paper key of the list (tag, copy, open...), on the paper shown here."""
        paper_id, main = self.shown_paper_id(), self.main_screen()
        if paper_id and main is not None:
            main.run_paper_action(action, [paper_id])
            self.refresh_paper()

    def note_editor(self) -> NotesPane:
        return self.query_one("#paper-note", NotesPane)

    def writing_note(self) -> bool:
        """True while the note editor has focus (keys are text then)."""
        try:
            return self.note_editor().has_focus
        except Exception:  # not composed yet
            return False

    def action_edit_note(self) -> None:
        """Write the note of the paper shown (esc saves and returns to the paper)."""
        paper_id = self.shown_paper_id()
        if not paper_id:
            return
        note, decisions = self.note_editor(), self.decisions()
        on_disk = self.library.state(paper_id).note
        words, unsaved = (
            decisions.note_shown(paper_id, on_disk) if decisions is not None else (on_disk, False)
        )
        note.show_note(paper_id, words, unsaved=unsaved)
        note.add_class("-open")
        self.set_focus(note)

    def decisions(self) -> Decisions | None:
        """Where changes of user state go: the list's (shown at once, written in order)."""
        main = self.main_screen()
        return main.decisions if main is not None else None

    @on(NotesPane.NoteEdited)
    def _note_edited(self, event: NotesPane.NoteEdited) -> None:
        event.stop()
        decisions = self.decisions()
        if decisions is not None:
            decisions.note(event.paper_id, event.text, undoable=False)
        self.refresh_paper()

    @on(NotesPane.Left)
    def _note_left(self, event: NotesPane.Left) -> None:
        event.stop()
        self.note_editor().remove_class("-open")
        self.set_focus(self.reading_widget())

    def save_pending_note(self) -> None:
        """Queue the write of an unsaved note (leaving, quitting, hanging up)."""
        try:
            note = self.note_editor()
        except Exception:  # not composed yet
            return
        pending, decisions = note.pending(), self.decisions()
        if pending is not None and decisions is not None:
            decisions.note(*pending, undoable=False)
            note.mark_saved()

    def save_before_leaving(self) -> None:
        """Queue the note being written, if any (a failed write is told when it fails)."""
        self.save_pending_note()
