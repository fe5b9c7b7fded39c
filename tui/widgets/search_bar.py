"""The search bar: the query language, live as you type."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class SearchBar(Input):
    """An input whose text is the query; ``enter`` keeps it, ``esc`` clears it."""

    HELP_TITLE = "Search bar"
    BINDINGS = [
        Binding("enter", "done", "Keep filter", id="search.keep"),
        Binding("escape", "clear", "Clear search", id="search.clear"),
    ]

    @dataclass
    class Finished(Message):
        """The user left the search bar (the query stays as it is)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder='/ search  author:lee  cat:LG  year:>=2023  status:unread  "phrase"  -word',
            id=id,
            select_on_focus=False,
        )

    def action_done(self) -> None:
        """Return to the list, keeping the filter."""
        self.post_message(self.Finished())

    def action_clear(self) -> None:
        """Clear the query and return to the list."""
        self.value = ""
        self.post_message(self.Finished())
