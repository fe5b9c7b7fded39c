"""Changing what the user decided about papers: shown at once, written in order, undone.

A key (``r``, ``s``, a tag, a note, ``z``) changes what the library shows
at once (:meth:`~store.state_writes.StateWrites.preview`) and queues the
write on the app's :class:`~tui.store_writer.StoreWriter`, so the reader
never waits for the store's lock. The write's outcome comes back to the
main screen as a message: a write that failed is said, and the papers show
their state on disk again.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.css.query import NoMatches
from textual.message import Message
from textual.message_pump import MessagePump

from store import clock
from store.errors import UnknownPaperError
from store.model import ReadingStatus
from store.state_edits import StateEdit, note_edit, star_edit, status_edit, tags_edit, undo_edit
from store.undo import StateChange
from tui.history import UndoEntry, UndoHistory, Write, describe
from tui.screens.interest import InterestKeys
from tui.screens.tag_dialog import TagDialog
from tui.store_writer import Failure, StoreWriter
from tui.widgets.notes_pane import NotesPane

if TYPE_CHECKING:
    from store.library import Library


@dataclass
class ChangeWritten(Message):
    """A change shown at once is on disk; ``outside``: other processes' changes came with it."""

    outside: bool


@dataclass
class ChangeNotWritten(Message):
    """A change could not be written; its papers show their state on disk again."""

    failure: Failure
    write: Write
    # A note's save: (paper id, the words that were not saved).
    note: tuple[str, str] | None = None


@dataclass
class UndoWritten(Message):
    """An undo is on disk; ``said`` tells the user what it did."""

    said: str
    outside: bool


@dataclass
class UndoNotWritten(Message):
    """An undo could not be written; the change stays on the undo history."""

    failure: Failure
    entry: UndoEntry


class Decisions:
    """The reader's changes of user state, shown at once and written in order off the UI thread.

    Shared by the main screen, the paper view and triage; the outcome of
    every write is posted to ``reply_to`` (the main screen, which outlives them).
    """

    def __init__(
        self, library: Library, history: UndoHistory, writer: StoreWriter, reply_to: MessagePump
    ) -> None:
        self.library = library
        self.history = history
        self.writer = writer
        self.reply_to = reply_to
        # Each paper's last note save, and the words of those that failed: the
        # editors show them instead of the disk's note, and quitting tries again.
        self._last_note: dict[str, Write] = {}
        self.unsaved_notes: dict[str, str] = {}

    def _what(self, label: str, ids: tuple[str, ...]) -> str:
        """The change as the user would name it, in a failure notice."""
        if len(ids) != 1:
            return f"{label} ({len(ids)} papers)"
        try:
            title = self.library.get(ids[0]).title
        except UnknownPaperError:
            return f"{label} ({ids[0]})"
        return f"{label} ({title[:60] + '…' if len(title) > 60 else title})"

    def _queue(self, label: str, edit: StateEdit, note: tuple[str, str] | None = None) -> Write:
        """Show ``edit`` now and queue its write; returns the write (for the undo history)."""
        library, post = self.library, self.reply_to.post_message
        token, expected = library.preview(edit)
        write = Write(expected)

        def run() -> bool:
            seen = library.changes_seen
            write.landed(library.write_previewed(token))
            return library.changes_seen != seen

        def failed(failure: Failure, err: Exception) -> None:
            library.drop_preview(token)
            write.failed(err)
            post(ChangeNotWritten(failure, write, note))

        self.writer.submit(
            self._what(label, edit.ids), run, lambda outside: post(ChangeWritten(outside)), failed
        )
        return write

    def change(self, label: str, edit: StateEdit) -> StateChange:
        """Show and queue a change the user can undo; returns what it is expected to change."""
        write = self._queue(label, edit)
        self.history.push(label, write)
        return write.expected

    def note(self, paper_id: str, text: str, *, undoable: bool = True) -> None:
        """Show and queue a note save (saves of one note in a row undo as one edit).

        ``undoable``: False where ``z`` means something else (triage steps back).
        """
        write = self._queue("Note", note_edit(paper_id, text), (paper_id, text))
        self._last_note[paper_id] = write
        self.unsaved_notes.pop(paper_id, None)
        if undoable:
            self.history.push_note(paper_id, write)

    def note_not_written(self, paper_id: str, text: str, write: Write) -> None:
        """A note save failed: unless a later save of that note was queued, keep its words."""
        if self._last_note.get(paper_id) is write:
            self.unsaved_notes[paper_id] = text

    def note_shown(self, paper_id: str, on_disk: str) -> tuple[str, bool]:
        """The note to show for a paper, and whether those words are not on disk."""
        unsaved = self.unsaved_notes.get(paper_id)
        return (on_disk, False) if unsaved is None else (unsaved, True)

    def save_unsaved_notes(self) -> None:
        """Queue again every note whose save failed (quitting, hanging up)."""
        for paper_id, text in list(self.unsaved_notes.items()):
            self.note(paper_id, text, undoable=False)

    def undo(self, of: StateChange | None = None) -> bool:
        """Show the newest change undone and queue the undo; False when there is none.

        ``of``: undo that change instead (what :meth:`change` returned), None
        when its write failed and it left the history. The undo is written
        after the change (one queue), from what the change really did, and
        only where that still holds.
        """
        entry = self.history.pop() if of is None else self.history.take(of)
        if entry is None:
            return False
        library, post = self.library, self.reply_to.post_message
        token, _shown = library.preview(undo_edit(entry.expected))

        def run() -> tuple[str, bool]:
            done = entry.written()  # the change's writes came first in the queue
            if not done:
                library.drop_preview(token)
                return f"Nothing to undo: {entry.label} changed nothing on disk", False
            seen = library.changes_seen
            outcome = library.undo(done, settle=token)
            return describe(entry.label, outcome), library.changes_seen != seen

        def failed(failure: Failure, _err: Exception) -> None:
            library.drop_preview(token)
            post(UndoNotWritten(failure, entry))

        self.writer.submit(
            f"Undo of {entry.label}", run, lambda said: post(UndoWritten(*said)), failed
        )
        return True


class DecisionKeys(InterestKeys):
    """The main screen's keys that change what the user decided (MainScreen's base)."""

    decisions: Decisions

    @property
    def notes(self) -> NotesPane:
        """The note pane (the main screen's)."""
        raise NotImplementedError

    def _repaint(self) -> None:
        """Show the papers as the library now has them, here and on a paper view above."""
        from tui.screens.one_paper import OnePaperScreen

        self.apply_filters()
        self._show_current()
        top = self.app.screen
        if isinstance(top, OnePaperScreen):
            top.refresh_paper()

    def _change(self, label: str, ids: list[str], edit: StateEdit) -> None:
        if not ids:
            return
        expected = self.decisions.change(label, edit)
        # Only the papers acted on leave the selection: keys typed after this
        # one (space on the next paper) may have started a new one already.
        self.paper_list.unselect(ids)
        self.apply_filters()
        self._show_current()
        self.decided()
        if len(ids) > 1:
            # The count undo will report: papers already in that state are not changed.
            same = len(ids) - len(expected)
            already = f" ({same} already)" if same else ""
            self.notify(f"{label}: {len(expected)} papers{already}", markup=False)

    def _do_toggle_read(self, ids: list[str]) -> None:
        state = self.library.state
        all_read = ids and all(state(i).status is ReadingStatus.READ for i in ids)
        status = ReadingStatus.UNREAD if all_read else ReadingStatus.READ
        self._change(f"Marked {status.label}", ids, status_edit(ids, status, clock.now_iso()))

    def _do_skip(self, ids: list[str]) -> None:
        skipped = ReadingStatus.SKIPPED
        self._change("Skipped", ids, status_edit(ids, skipped, clock.now_iso()))

    def _do_unread(self, ids: list[str]) -> None:
        unread = ReadingStatus.UNREAD
        self._change(f"Marked {unread.label}", ids, status_edit(ids, unread, clock.now_iso()))

    def _do_star(self, ids: list[str]) -> None:
        starred = not all(self.library.state(i).starred for i in ids)
        self._change("Starred" if starred else "Unstarred", ids, star_edit(ids, starred))

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
            self._change("Tagged", ids, tags_edit(ids, add, remove))

        self.app.push_screen(TagDialog(current, len(ids)), apply)

    def action_edit_note(self) -> None:
        """Edit the current paper's note (esc leaves; the note saves itself)."""
        if self.paper_list.current is not None:
            self.history.end_note_edit()
            self.set_focus(self.notes)

    @on(NotesPane.NoteEdited)
    def _note_edited(self, event: NotesPane.NoteEdited) -> None:
        self.decisions.note(event.paper_id, event.text)

    @on(NotesPane.Left)
    def _note_left(self) -> None:
        self.set_focus(self.paper_list)

    def save_pending_note(self) -> None:
        """Queue an unsaved note's write (quit, hang-up, leaving for another screen)."""
        pending = self.notes.pending()
        if pending is not None:
            self.decisions.note(*pending)
            self.notes.mark_saved()
        self.decisions.save_unsaved_notes()

    def action_undo(self) -> None:
        """Undo the last change of status, star, tags or note where it still holds, or ``E``."""
        if self.undo_enrichment():
            return
        if not self.decisions.undo():
            self.notify("Nothing to undo", markup=False)
            return
        self.apply_filters()
        self._show_current()

    # -- what the writer says --------------------------------------------------

    @on(ChangeWritten)
    def _change_written(self, message: ChangeWritten) -> None:
        if message.outside:  # the write re-read what another process changed: show it
            self._repaint()

    @on(ChangeNotWritten)
    def _change_not_written(self, message: ChangeNotWritten) -> None:
        self.decisions.writer.told(message.failure)
        self.history.forget(message.write)
        if message.note is not None:
            # The words are the user's: an editor still holding them keeps them,
            # unsaved; an editor that moved on shows them again on coming back.
            from tui.screens.one_paper import OnePaperScreen

            self.decisions.note_not_written(*message.note, message.write)
            self.notes.not_saved(*message.note)
            for screen in self.app.screen_stack:
                if isinstance(screen, OnePaperScreen):
                    with contextlib.suppress(NoMatches):
                        screen.note_editor().not_saved(*message.note)
        self.notify(f"Not saved: {message.failure}", severity="error", markup=False, timeout=10)
        self._repaint()

    @on(UndoWritten)
    def _undo_written(self, message: UndoWritten) -> None:
        self.notify(message.said, markup=False)
        if message.outside:
            self._repaint()

    @on(UndoNotWritten)
    def _undo_not_written(self, message: UndoNotWritten) -> None:
        self.decisions.writer.told(message.failure)
        self.history.put_back(message.entry)
        self.notify(f"Not undone: {message.failure.error}", severity="error", markup=False)
        self._repaint()
