"""Writes to the reader's own state: status, star, tags, note, the new flag; and undo.

Each change is one locked write of the state file: the library first picks
up what other processes wrote, then saves only the papers whose state really
differs, and returns a :class:`~store.undo.StateChange` that :meth:`undo`
can take back.

The reader shows a change before it is written: :meth:`StateWrites.preview`
puts a :class:`~store.state_edits.StateEdit` among the pending edits that
:meth:`~store.library_data.LibraryData.state` (and searching, counting)
apply on top of the states on disk, and returns a token. Writing it
(:meth:`StateWrites.write_previewed`) replaces the preview with the state as
written, whether or not the write succeeds; a failed write so shows the
paper as it is on disk again.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from store import clock
from store.library_data import LibraryData
from store.locking import StoreBusy
from store.model import DEFAULT_STATE, ReadingStatus, UserState
from store.state_edits import (
    StateEdit,
    new_flag_edit,
    note_edit,
    star_edit,
    status_edit,
    tags_edit,
)
from store.undo import PaperChange, StateChange, UndoOutcome, take_back

_tokens = itertools.count(1)


class StateWrites(LibraryData):
    """The user-state changes of :class:`~store.library.Library`."""

    def _write_states(self, states: dict[str, UserState], settle: int | None = None) -> None:
        """Save these papers' new states (callers hold the lock and ``_io`` and have
        refreshed); ``settle``: the token of the preview this write replaces."""
        if not states:
            return  # nothing written, nothing shown changes (a preview settles apart)
        self._repo.save_states(states)
        written = dict(self._written)
        for paper_id, state in states.items():
            if state.is_default:
                written.pop(paper_id, None)
            else:
                written[paper_id] = state
        self._set_written(written, settle=settle)

    def _written_state(self, paper_id: str) -> UserState:
        return self._written.get(paper_id, DEFAULT_STATE)

    def _write(
        self, edit: StateEdit, settle: int | None = None, *, wait: bool = True
    ) -> StateChange:
        """Apply ``edit`` to each paper's state as on disk, in one locked write.

        Returns what changed (only papers whose state differs afterwards),
        which is what :meth:`undo` takes back. The preview ``settle`` is
        dropped however the write ends. ``wait=False``: raise
        :class:`~store.locking.StoreBusy` at once while another process holds the lock.
        """
        try:
            with self._repo.locked(None if wait else 0), self._io:
                self.refresh()  # another process may have imported the paper meanwhile
                for paper_id in edit.ids:
                    self.get(paper_id)
                previous = {pid: self._written_state(pid) for pid in edit.ids}
                changes = {pid: edit.change(pid, previous[pid]) for pid in edit.ids}
                changes = {pid: state for pid, state in changes.items() if state != previous[pid]}
                self._write_states(changes, settle)
        finally:
            self._settle(settle)
        return StateChange({pid: PaperChange(previous[pid], changes[pid]) for pid in changes})

    def _settle(self, token: int | None) -> None:
        """Stop showing a preview (its write failed, or it is written)."""
        if token is not None and token in self._pending:
            self._set_written(settle=token)

    # -- showing before writing ------------------------------------------------

    def preview(self, edit: StateEdit) -> tuple[int, StateChange]:
        """Show ``edit`` at once, before it is written; returns its token and what it shows.

        The change returned compares each paper's state before and after as
        shown (what undo will take back, unless other processes write first).
        """
        token = next(_tokens)
        before = {pid: self.state(pid) for pid in edit.ids}
        self._set_written(add=(token, edit))
        after = {pid: self.state(pid) for pid in edit.ids}
        return token, StateChange(
            {
                pid: PaperChange(before[pid], after[pid])
                for pid in edit.ids
                if before[pid] != after[pid]
            }
        )

    def write_previewed(self, token: int) -> StateChange:
        """Write the previewed edit ``token`` (see :meth:`preview`); returns what changed.

        Raises :class:`KeyError` for a token not pending (written or dropped already).
        """
        return self._write(self._pending[token], settle=token)

    def drop_preview(self, token: int) -> None:
        """Stop showing a previewed edit without writing it."""
        self._settle(token)

    # -- changes ---------------------------------------------------------------

    def set_status(self, ids: Iterable[str], status: ReadingStatus) -> StateChange:
        """Set the reading status; returns what changed, for undo."""
        return self._write(status_edit(ids, status, clock.now_iso()))

    def set_starred(self, ids: Iterable[str], starred: bool) -> StateChange:
        """Star or unstar; returns what changed, for undo."""
        return self._write(star_edit(ids, starred))

    def change_tags(
        self, ids: Iterable[str], add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> StateChange:
        """Add and remove tags; returns what changed, for undo."""
        return self._write(tags_edit(ids, add, remove))

    def set_note(self, paper_id: str, note: str) -> StateChange:
        """Replace a paper's note; returns what changed, for undo."""
        return self._write(note_edit(paper_id, note))

    def mark_new(self, ids: Iterable[str]) -> None:
        """Flag papers a fetch brought in as new (``is:new``); nothing else changes."""
        self._write(new_flag_edit(ids, True))

    def mark_seen(self, ids: Iterable[str]) -> StateChange:
        """Clear the new flag (the cursor rested on the paper); returns what changed.

        Papers that are not new cost nothing: no lock is taken, nothing is written.
        Nor does it wait for the lock (the reader calls it as the cursor rests):
        while another process holds it, nothing changes and the paper stays new.
        """
        flagged = [pid for pid in ids if self.state(pid).new]
        if not flagged:
            return StateChange()
        try:
            return self._write(new_flag_edit(flagged, False), wait=False)
        except StoreBusy:
            return StateChange()

    def undo(self, change: StateChange, settle: int | None = None) -> UndoOutcome:
        """Take back ``change`` only where it still holds (see :mod:`store.undo`).

        Done under the store lock after picking up other processes' writes, so
        a field another process set after ``change`` is seen and kept. Papers
        no longer in the catalogue count as changed elsewhere. ``settle``: the
        token of the undo's preview, dropped however the write ends.
        """
        try:
            with self._repo.locked(), self._io:
                self.refresh()
                states, outcome = take_back(
                    change, lambda pid: self._written_state(pid) if pid in self._papers else None
                )
                self._write_states(states, settle)
        finally:
            self._settle(settle)
        return outcome
