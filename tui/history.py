"""Undo: the changes the reader made, newest last, and what undoing one says."""

from __future__ import annotations

from dataclasses import dataclass, field

from store.library import Library
from store.undo import StateChange, UndoOutcome

_LIMIT = 200


def _papers(count: int) -> str:
    return f"{count} paper{'s' * (count != 1)}"


@dataclass(frozen=True, slots=True)
class UndoEntry:
    """One change the user made: what it is called and what it did."""

    label: str
    change: StateChange
    # Edits to one paper's note, saved as the user types, make one entry.
    note_of: str | None = None


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

    def push(self, label: str, change: StateChange) -> None:
        """Remember a change (nothing when it changed nothing)."""
        if change:
            self.entries.append(UndoEntry(label, change))
            del self.entries[:-_LIMIT]

    def push_note(self, paper_id: str, change: StateChange) -> None:
        """Remember a note save; saves of the same note in a row are one edit."""
        if not change:
            return
        last = self.entries[-1] if self.entries else None
        if last is not None and last.note_of == paper_id:
            self.entries[-1] = UndoEntry(last.label, last.change.then(change), paper_id)
        else:
            self.entries.append(UndoEntry("Note edited", change, paper_id))
            del self.entries[:-_LIMIT]

    def end_note_edit(self) -> None:
        """The user left the note: the next save of it is a new edit."""
        last = self.entries[-1] if self.entries else None
        if last is not None and last.note_of is not None:
            self.entries[-1] = UndoEntry(last.label, last.change)

    def undo_last(self, library: Library) -> str:
        """Take back the newest change where it still holds; returns what to tell the user.

        A store error leaves the entry in place for another try (and propagates).
        """
        if not self.entries:
            return "Nothing to undo"
        entry = self.entries.pop()
        try:
            outcome = library.undo(entry.change)
        except BaseException:
            self.entries.append(entry)
            raise
        return describe(entry.label, outcome)
