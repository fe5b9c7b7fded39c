"""The notes pane: a Markdown editor for the current paper's note.

The note is saved when the editor loses focus, when ``esc`` leaves it, when
the paper changes, on quit, and half a second after typing stops — so a
dropped SSH connection loses at most that half second.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

SAVE_DELAY_S = 0.5


class NotesPane(TextArea):
    """Edits one paper's note; posts the text when it should be saved."""

    HELP_TITLE = "Note editor"
    BINDINGS = [Binding("escape", "leave", "Done", id="note.leave")]

    @dataclass
    class NoteEdited(Message):
        """The note of ``paper_id`` now reads ``text`` and should be stored."""

        paper_id: str
        text: str

    @dataclass
    class Left(Message):
        """The user left the editor."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder="n: write a note (Markdown); esc saves",
        )
        self.border_title = "Note"
        self.paper_id: str | None = None
        # None: no text of this note is known to be on disk (a save of it failed).
        self._saved_text: str | None = ""
        self._timer: Timer | None = None

    def show_note(self, paper_id: str | None, note: str, *, unsaved: bool = False) -> None:
        """Show this paper's note, saving the previous paper's first.

        ``unsaved``: these words are not on disk (their save failed); they
        are saved with the next save of this editor.
        """
        if paper_id is not None and paper_id == self.paper_id and self.pending() is not None:
            return  # the user is typing this very note: keep their words
        self.save_now()
        self.paper_id = paper_id
        self._saved_text = None if unsaved else note
        if note != self.text:
            self.load_text(note)
        else:
            # The same words (most often none, paper after paper): the editor
            # is not redrawn, as a cursor move must not repaint this pane; only
            # the last paper's undo steps and cursor go.
            self.history.clear()
            if self.selection != Selection.cursor((0, 0)):
                self.move_cursor((0, 0))
            if self.scroll_offset.y:
                self.scroll_home(animate=False)
        self.read_only = paper_id is None

    def save_now(self) -> None:
        """Post the note if it changed since it was last saved."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.paper_id is not None and self.text != self._saved_text:
            self._saved_text = self.text
            self.post_message(self.NoteEdited(self.paper_id, self.text))

    def pending(self) -> tuple[str, str] | None:
        """(paper id, text) when the editor holds unsaved text."""
        if self.paper_id is not None and self.text != self._saved_text:
            return self.paper_id, self.text
        return None

    def not_saved(self, paper_id: str, text: str) -> None:
        """The save of ``text`` as ``paper_id``'s note failed: while the editor
        still holds those words they are unsaved again (kept on screen, saved
        again on leaving the paper or quitting)."""
        if self.paper_id == paper_id and self._saved_text == text:
            self._saved_text = None

    def mark_saved(self) -> None:
        """Record that the current text reached the store by another path."""
        self._saved_text = self.text

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self.has_focus:
            self._timer = self.set_timer(SAVE_DELAY_S, self.save_now)

    def on_blur(self) -> None:
        self.save_now()

    def action_leave(self) -> None:
        """Save and hand focus back to the list."""
        self.save_now()
        self.post_message(self.Left())
