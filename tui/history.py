"""Undo: the states papers had before each change, newest last."""

from __future__ import annotations

from dataclasses import dataclass, field

from store.model import UserState

_LIMIT = 200


@dataclass
class UndoHistory:
    """A bounded stack of ``{paper id: state before}`` entries, one per change."""

    entries: list[tuple[str, dict[str, UserState]]] = field(default_factory=list)

    def push(self, label: str, before: dict[str, UserState]) -> None:
        """Remember what a change replaced (nothing when it changed nothing)."""
        if before:
            self.entries.append((label, before))
            del self.entries[:-_LIMIT]

    def pop(self) -> tuple[str, dict[str, UserState]] | None:
        """The most recent change, removed from the stack."""
        return self.entries.pop() if self.entries else None
