"""Undo: the changes the reader made, newest last, and what undoing one says.

A change goes on the history when its key is pressed, before it is written
(the writer writes in order, so an undo queued after it runs after it). An
entry holds, for each write it is made of, what the change was expected to
do (shown at once) and, once the write is done, what it did.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field

from store.undo import StateChange, UndoOutcome

_LIMIT = 200


def _papers(count: int) -> str:
    return f"{count} paper{'s' * (count != 1)}"


@dataclass(frozen=True, slots=True)
class Write:
    """One queued write: what it is expected to change, and (later) what it changed."""

    expected: StateChange
    done: Future[StateChange] = field(default_factory=Future)

    def landed(self, change: StateChange) -> None:
        """The write is on disk and did ``change`` (called on the writer thread)."""
        self.done.set_result(change)

    def failed(self, err: Exception) -> None:
        """The write did not happen (called on the writer thread)."""
        self.done.set_exception(err)


@dataclass(frozen=True, slots=True)
class UndoEntry:
    """One change the user made: what it is called and the writes it is made of."""

    label: str
    writes: tuple[Write, ...]
    # Edits to one paper's note, saved as the user types, make one entry.
    note_of: str | None = None

    @property
    def expected(self) -> StateChange:
        """What the writes were expected to do, as one change (shown by an undo at once)."""
        change = StateChange()
        for write in self.writes:
            change = change.then(write.expected)
        return change

    def written(self) -> StateChange:
        """What the writes did, as one change; call once they are done (the writer thread).

        Writes that failed changed nothing and count for nothing.
        """
        change = StateChange()
        for write in self.writes:
            if write.done.exception(timeout=0) is None:
                change = change.then(write.done.result(timeout=0))
        return change


def describe(label: str, outcome: UndoOutcome) -> str:
    """The notification after an undo: how many papers went back, how many were left."""
    reverted = outcome.undone + outcome.partly
    elsewhere = outcome.changed_elsewhere
    if not elsewhere:
        return f"Undone: {label} ({_papers(reverted)})"
    if not reverted:
        if elsewhere == 1:
            return f"{label}: changed elsewhere since; not undone"
        return f"{label}: {_papers(elsewhere)} changed elsewhere since; not undone"
    return (
        f"Undone: {label} ({_papers(reverted)}); "
        f"{_papers(elsewhere)} changed elsewhere since, not undone there"
    )


@dataclass
class UndoHistory:
    """A bounded stack of the reader's changes, one entry per user action."""

    entries: list[UndoEntry] = field(default_factory=list)

    def push(self, label: str, write: Write) -> None:
        """Remember a change (nothing when it is expected to change nothing)."""
        if write.expected:
            self.entries.append(UndoEntry(label, (write,)))
            del self.entries[:-_LIMIT]

    def push_note(self, paper_id: str, write: Write) -> None:
        """Remember a note save; saves of the same note in a row are one edit."""
        if not write.expected:
            return
        last = self.entries[-1] if self.entries else None
        if last is not None and last.note_of == paper_id:
            self.entries[-1] = UndoEntry(last.label, (*last.writes, write), paper_id)
        else:
            self.entries.append(UndoEntry("Note edited", (write,), paper_id))
            del self.entries[:-_LIMIT]

    def end_note_edit(self) -> None:
        """The user left the note: the next save of it is a new edit."""
        last = self.entries[-1] if self.entries else None
        if last is not None and last.note_of is not None:
            self.entries[-1] = UndoEntry(last.label, last.writes)

    def pop(self) -> UndoEntry | None:
        """Take the newest change off the stack (None: nothing to undo)."""
        return self.entries.pop() if self.entries else None

    def take(self, expected: StateChange) -> UndoEntry | None:
        """Take off the stack the change one of whose writes is expected to do ``expected``
        (the very object its write holds); None when it is not there (its write failed)."""
        for index in range(len(self.entries) - 1, -1, -1):
            if any(write.expected is expected for write in self.entries[index].writes):
                return self.entries.pop(index)
        return None

    def put_back(self, entry: UndoEntry) -> None:
        """An undo that could not be written: the change can be undone again."""
        self.entries.append(entry)

    def forget(self, write: Write) -> None:
        """A write that failed: an entry made of it alone has nothing to undo."""
        self.entries = [e for e in self.entries if e.writes != (write,)]
