"""The search bar: the query language, live as you type."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class SearchBar(Input):
    """An input whose text is the query; ``enter`` keeps it, ``esc`` clears it.

    Both are priority bindings: they run as the key is read, and the screen
    moves focus to the list before the keys typed after them are read (so
    ``/lean⏎jr`` moves and marks in the list, not in the query).
    """

    HELP_TITLE = "Search bar"
    BINDINGS = [
        # ctrl+j: an enter typed before the terminal is in raw mode arrives as a newline.
        Binding("enter,ctrl+j", "done", "Keep filter", id="search.keep", priority=True),
        Binding("escape", "clear", "Clear search", id="search.clear", priority=True),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder='/ search  author:lee  cat:LG  year:>=2023  status:unread  "phrase"  -word',
            id=id,
            select_on_focus=False,
        )

    async def action_done(self) -> None:
        """Return to the list, keeping the filter."""
        await self.screen.run_action("leave_search(False)")

    async def action_clear(self) -> None:
        """Clear the query and return to the list."""
        await self.screen.run_action("leave_search(True)")
