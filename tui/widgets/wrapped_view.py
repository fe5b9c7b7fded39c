"""A scrolling view that wraps its own text into a region of fixed size.

Like the list's ``render_line``: the view's size never depends on what it
shows, so new text repaints this view alone (its changed rows only) without
laying the screen out again. Callers keep the text bounded (a huge field is
shown a slice or a window at a time): wrapping is the cost of a new text.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class WrappedView(ScrollView):
    """Shows ``content`` wrapped to its width; :meth:`set_content` replaces it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.content = Text()  # what the view shows, before wrapping
        self._lines: list[Strip] = []
        self._wrapped_at = (-1, Style())  # width and base style of _lines

    def set_content(self, text: Text, *, keep_scroll: bool) -> None:
        """Show ``text``; from the top unless ``keep_scroll``. Only the rows whose
        text changed are repainted: a terminal over SSH feels every byte."""
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        before = self._lines[top : top + height]
        self.content = text
        self._wrapped_at = (-1, Style())
        self._wrap()
        if not keep_scroll and top:
            self.scroll_to(y=0, animate=False, immediate=True)  # repaints the view
            return
        after = self._lines[top : top + height]
        blank = Strip.blank(self.scrollable_content_region.width, self.rich_style)
        for row in range(height):
            old = before[row] if row < len(before) else blank
            new = after[row] if row < len(after) else blank
            if old is not new and list(old) != list(new):
                self.refresh_lines(top + row)

    @property
    def line_count(self) -> int:
        """How many lines the content takes at the view's width."""
        self._wrap()
        return len(self._lines)

    def _wrap(self) -> None:
        """Wrap the content to the view's width (only when either changed)."""
        width = self.scrollable_content_region.width
        base = self.rich_style
        if (width, base) == self._wrapped_at:
            return
        self._wrapped_at = (width, base)
        if width <= 0:
            self._lines = []
        else:
            console = self.app.console
            text = self.content.copy()
            text.style = base  # the view's own colours under the text's
            lines = text.wrap(console, width, justify="left", overflow="fold")
            # rich leaves a line without spans unstyled (the terminal's own
            # colours, not the theme's): the base goes under every segment.
            apply = Segment.apply_style
            self._lines = [
                Strip(
                    Segment.adjust_line_length(
                        list(apply(line.render(console), style=base)), width, style=base
                    ),
                    width,
                )
                for line in lines
            ]
        size = Size(width, len(self._lines))
        if size != self.virtual_size:
            # Not through the reactive: that lays the whole screen out again,
            # although the view's region does not depend on its lines.
            self.set_reactive(ScrollView.virtual_size, size)
            self._scroll_update(size)

    def on_resize(self) -> None:
        self._wrap()

    def render_line(self, y: int) -> Strip:
        self._wrap()
        index = self.scroll_offset.y + y
        if 0 <= index < len(self._lines):
            return self._lines[index]
        return Strip.blank(self.scrollable_content_region.width, self.rich_style)
