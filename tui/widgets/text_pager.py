"""One paper on a whole screen, read like a pager, whatever the size of its abstract.

An abstract up to :data:`WINDOW` characters is shown whole, its LaTeX rendered
(pylatexenc renders nothing longer: it takes seconds). A longer one is shown a
window of :data:`WINDOW` characters at a time, as written: reading on past a
window's end (``j``, ``space``, the arrow keys) shows the next one, back past
its start the one before, and ``g``/``G`` the first and the last. Wrapping and
painting stay bounded by the window, so a 10 MB abstract opens, pages and
closes as fast as a short one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rich.text import Text

from tui.widgets.long_text import preview
from tui.widgets.wrapped_view import WrappedView

# Characters of a long abstract wrapped at once (pylatexenc's limit in store.latex).
WINDOW = 20_000
# How far past a window's nominal end a cut looks for a space.
_SNAP = 200
_SPACE = re.compile(r"\s")

# Builds the whole text shown from the abstract (None: the paper's own, rendered whole).
Compose = Callable[[str | None], Text]


def _snap(raw: str, at: int) -> int:
    """``at``, moved on to just after the next whitespace when one is near."""
    if at <= 0 or at >= len(raw):
        return max(0, min(at, len(raw)))
    space = _SPACE.search(raw, at, at + _SNAP)
    return space.end() if space else at


class TextPager(WrappedView, can_focus=True):
    """Shows a paper's text; its abstract, when huge, a window at a time."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._key: object = None
        self._build: Compose = lambda _abstract: Text()
        self._raw = ""
        self._start = 0
        self._end = 0
        # The wrapped lines of the window's markers, for the lines they were
        # found in: where its text starts, and its "more" line (None at the end).
        self._markers: tuple[object, int, int | None] = (None, 0, None)

    def show(self, key: object, compose: Compose, raw: str, *, keep_scroll: bool = False) -> None:
        """Show ``compose(abstract)`` for the abstract ``raw``, from its start.

        ``key`` names what is shown (a paper id): with ``keep_scroll`` the same
        key keeps its window and place (a note saved, a tag added).
        """
        same = keep_scroll and key == self._key and raw == self._raw
        self._key, self._build, self._raw = key, compose, raw
        if not same:
            self._start, self._end = 0, self._window_end(0)
        self._redraw(keep_scroll=same)

    @property
    def window(self) -> tuple[int, int]:
        """The characters of the abstract on show: (start, end)."""
        return self._start, self._end

    def _window_end(self, start: int) -> int:
        if len(self._raw) <= WINDOW:
            return len(self._raw)
        return _snap(self._raw, start + WINDOW)

    def _window_start(self, end: int) -> int:
        # A few characters left before it join the window: the start is the start.
        back = end - WINDOW
        return 0 if back < WINDOW // 4 else _snap(self._raw, back)

    def _redraw(self, *, keep_scroll: bool) -> None:
        raw = self._raw
        if len(raw) <= WINDOW:
            self.set_content(self._build(None), keep_scroll=keep_scroll)
            return
        parts = []
        if self._start:
            parts.append(f"… {self._start:,} characters before (b or k: back, g: the start)\n\n")
        parts.append(preview(raw, self._start, self._end).strip())
        more = len(raw) - self._end
        if more:
            parts.append(f"\n\n… {more:,} more characters (space or j: read on, G: the end)")
        self.set_content(self._build("".join(parts)), keep_scroll=keep_scroll)

    def _marker_lines(self) -> tuple[int, int | None]:
        """The window's first line and its "more" line (at the pager's width now)."""
        self._wrap()
        if self._markers[0] is not self._lines:
            before = f"… {self._start:,} characters before"
            more = len(self._raw) - self._end
            first = (self._line_with(before) or 0) if self._start else 0
            more_line = self._line_with(f"… {more:,} more characters") if more else None
            self._markers = (self._lines, first, more_line)
        return self._markers[1], self._markers[2]

    def _line_with(self, marker: str) -> int | None:
        """The first wrapped line holding ``marker`` (a window's text is some
        hundred lines: looking is cheap)."""
        self._wrap()
        for index, line in enumerate(self._lines):
            if marker in line.text:
                return index
        return None

    # -- moving ----------------------------------------------------------------

    def _at_window_end(self) -> bool:
        """The window's "more" line is on screen (or its text's bottom is reached)."""
        more_line = self._marker_lines()[1]
        if more_line is None:
            return False
        top = self.scroll_offset.y
        return top >= self.max_scroll_y or top + self.scrollable_content_region.height > more_line

    def _at_window_start(self) -> bool:
        return self._start > 0 and self.scroll_offset.y <= self._marker_lines()[0]

    def _next_window(self) -> None:
        self._start = self._end
        self._end = self._window_end(self._start)
        self._redraw(keep_scroll=False)
        # The text goes on at the top of the screen, from the window's marker.
        self.scroll_to(y=self._marker_lines()[0], animate=False, immediate=True)

    def _previous_window(self) -> None:
        self._end = self._start
        self._start = self._window_start(self._end)
        self._redraw(keep_scroll=False)
        # The text goes on at the bottom of the screen, down to the window's marker.
        height = self.scrollable_content_region.height
        more_line = self._marker_lines()[1]
        more = self.max_scroll_y if more_line is None else more_line - height + 1
        self.scroll_to(y=max(0, more), animate=False, immediate=True)

    def scroll_lines(self, lines: int) -> None:
        """Scroll by ``lines`` (negative: up), into the next or previous window at its edge."""
        if lines > 0 and self._at_window_end():
            self._next_window()
        elif lines < 0 and self._at_window_start():
            self._previous_window()
        else:
            self.scroll_relative(y=lines, animate=False, immediate=True)

    def scroll_pages(self, pages: int) -> None:
        """Page down (``pages > 0``) or up, into the next or previous window at its edge."""
        if pages > 0 and self._at_window_end():
            self._next_window()
        elif pages < 0 and self._at_window_start():
            self._previous_window()
        elif pages > 0:
            self.scroll_page_down(animate=False)
        else:
            self.scroll_page_up(animate=False)

    def to_start(self) -> None:
        """The top of the text, the abstract's first window."""
        if self._start:
            self._start, self._end = 0, self._window_end(0)
            self._redraw(keep_scroll=False)
        self.scroll_to(y=0, animate=False, immediate=True)

    def to_end(self) -> None:
        """The bottom of the text, the abstract's last window."""
        if self._end < len(self._raw):
            self._end = len(self._raw)
            self._start = self._window_start(self._end)
            self._redraw(keep_scroll=False)
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    # The arrow and paging keys of a scrolling widget move between windows too.

    def action_scroll_down(self) -> None:
        self.scroll_lines(1)

    def action_scroll_up(self) -> None:
        self.scroll_lines(-1)

    def action_page_down(self) -> None:
        self.scroll_pages(1)

    def action_page_up(self) -> None:
        self.scroll_pages(-1)

    def action_scroll_home(self) -> None:
        self.to_start()

    def action_scroll_end(self) -> None:
        self.to_end()
