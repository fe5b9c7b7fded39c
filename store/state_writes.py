"""Writes to the reader's own state: status, star, tags, note, the new flag; and undo.

Each change is one locked write of the state file: the library first picks
up what other processes wrote, then saves only the papers whose state really
differs, and returns a :class:`~store.undo.StateChange` that :meth:`undo`
can take back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from store import clock
from store.library_data import LibraryData
from store.model import ReadingStatus, UserState
from store.undo import PaperChange, StateChange, UndoOutcome, take_back


class StateWrites(LibraryData):
    """The user-state changes of :class:`~store.library.Library`."""

    def _write_states(self, states: dict[str, UserState]) -> None:
        """Save these papers' new states (callers hold the lock and have refreshed)."""
        self._repo.save_states(states)
        for paper_id, state in states.items():
            if state.is_default:
                self._states.pop(paper_id, None)
            else:
                self._states[paper_id] = state
        if states:
            self.revision += 1

    def _change_states(
        self, ids: Iterable[str], change: Callable[[str, UserState], UserState]
    ) -> StateChange:
        """Apply ``change`` to each paper's state in one locked write.

        Returns what changed (only papers whose state differs afterwards),
        which is what :meth:`undo` takes back.
        """
        ids = list(dict.fromkeys(ids))
        with self._repo.locked():
            self.refresh()  # another process may have imported the paper meanwhile
            for paper_id in ids:
                self.get(paper_id)
            previous = {pid: self.state(pid) for pid in ids}
            changes = {pid: change(pid, previous[pid]) for pid in ids}
            changes = {pid: state for pid, state in changes.items() if state != previous[pid]}
            self._write_states(changes)
        return StateChange({pid: PaperChange(previous[pid], changes[pid]) for pid in changes})

    def set_status(self, ids: Iterable[str], status: ReadingStatus) -> StateChange:
        """Set the reading status; returns what changed, for undo."""
        stamp = clock.now_iso()

        def change(_pid: str, state: UserState) -> UserState:
            if state.status is status:
                return state
            return replace(state, status=status, status_changed_at=stamp)

        return self._change_states(ids, change)

    def set_starred(self, ids: Iterable[str], starred: bool) -> StateChange:
        """Star or unstar; returns what changed, for undo."""
        return self._change_states(ids, lambda _pid, state: replace(state, starred=starred))

    def change_tags(
        self, ids: Iterable[str], add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> StateChange:
        """Add and remove tags; returns what changed, for undo."""
        to_add = [tag.strip() for tag in add if tag.strip()]
        to_remove = {tag.strip() for tag in remove}

        def change(_pid: str, state: UserState) -> UserState:
            tags = [tag for tag in state.tags if tag not in to_remove]
            tags += [tag for tag in to_add if tag not in tags]
            return replace(state, tags=tuple(tags))

        return self._change_states(ids, change)

    def set_note(self, paper_id: str, note: str) -> StateChange:
        """Replace a paper's note; returns what changed, for undo."""
        return self._change_states([paper_id], lambda _pid, state: replace(state, note=note))

    def mark_new(self, ids: Iterable[str]) -> None:
        """Flag papers a fetch brought in as new (``is:new``); nothing else changes."""
        self._change_states(ids, lambda _pid, state: replace(state, new=True))

    def mark_seen(self, ids: Iterable[str]) -> StateChange:
        """Clear the new flag (the cursor rested on the paper); returns what changed.

        Papers that are not new cost nothing: no lock is taken, nothing is written.
        """
        flagged = [pid for pid in ids if self.state(pid).new]
        if not flagged:
            return StateChange()
        return self._change_states(flagged, lambda _pid, state: replace(state, new=False))

    def undo(self, change: StateChange) -> UndoOutcome:
        """Take back ``change`` only where it still holds (see :mod:`store.undo`).

        Done under the store lock after picking up other processes' writes, so
        a field another process set after ``change`` is seen and kept. Papers
        no longer in the catalogue count as changed elsewhere.
        """
        with self._repo.locked():
            self.refresh()
            states, outcome = take_back(
                change, lambda pid: self.state(pid) if pid in self._papers else None
            )
            self._write_states(states)
        return outcome
