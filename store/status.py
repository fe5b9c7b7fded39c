"""Reading statuses: where the reader stands with a paper, and how each one shows.

One table holds every status's symbol, label, key and Markdown heading: a new
status is one edit here, and a status left out of the table fails at import
(before it could crash the list or drop papers from an export).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ReadingStatus(StrEnum):
    """Where the reader stands with a paper."""

    UNREAD = "unread"
    READING = "reading"
    READ = "read"
    SKIPPED = "skipped"

    @property
    def symbol(self) -> str:
        """The mark before the title in the paper list and ``paper-reader list``."""
        return STATUS_TABLE[self].symbol

    @property
    def label(self) -> str:
        """The word the reader shows for it (``Marked read``, the details pane)."""
        return STATUS_TABLE[self].label

    @property
    def key(self) -> str:
        """The reader's key that gives a paper this status; ``""`` when none does."""
        return STATUS_TABLE[self].key

    @property
    def heading(self) -> str:
        """The heading of its group in the Markdown reading list."""
        return STATUS_TABLE[self].heading


@dataclass(frozen=True, slots=True)
class StatusLook:
    """How one status shows; see the properties of :class:`ReadingStatus`.

    ``rank`` places its group in the Markdown reading list (papers under way first).
    """

    symbol: str
    label: str
    key: str
    heading: str
    rank: int


STATUS_TABLE: dict[ReadingStatus, StatusLook] = {
    ReadingStatus.UNREAD: StatusLook("●", "unread", "u", "Unread", rank=1),
    # No key: `paper-reader mark reading ID` sets it.
    ReadingStatus.READING: StatusLook("◐", "reading", "", "Reading", rank=0),
    ReadingStatus.READ: StatusLook("✓", "read", "r", "Read", rank=2),
    ReadingStatus.SKIPPED: StatusLook("✗", "skipped", "x", "Skipped", rank=3),
}

if set(STATUS_TABLE) != set(ReadingStatus):
    raise AssertionError("every ReadingStatus needs a row in STATUS_TABLE")


def reading_list_order() -> list[ReadingStatus]:
    """Every status, in the order the Markdown reading list groups papers."""
    return sorted(ReadingStatus, key=lambda status: STATUS_TABLE[status].rank)
