"""Which panes the main screen shows at the terminal's size, and ``f`` for the filters.

Mixed into :class:`~tui.screens.main.MainScreen`. The styles of each layout
are in the stylesheet; this module only sets the classes that choose them,
and the list's height below :data:`NARROW_WIDTH` columns.
"""

from __future__ import annotations

from textual.events import Resize

from tui.screens.searching import Searching
from tui.widgets.filter_panel import FilterPanel

NARROW_WIDTH = 100
NARROW_LIST_ROWS = 8
NARROW_LIST_MIN_ROWS = 3


class PaneLayout(Searching):
    """Narrow or wide; the filter pane shown or hidden (MainScreen's base)."""

    filters_visible: bool | None = None  # None: decided by the width

    def on_resize(self, event: Resize) -> None:
        self._layout(event.size.width, event.size.height)

    def _layout(self, width: int, height: int | None = None) -> None:
        narrow = width < NARROW_WIDTH
        self.set_class(narrow, "-narrow")
        if height is not None:
            # Below 100 columns the abstract gets the space: about eight list
            # rows at 80×24, fewer on shorter terminals, never under three.
            rows = max(NARROW_LIST_MIN_ROWS, min(NARROW_LIST_ROWS, height - 16))
            self.paper_list.styles.height = rows if narrow else None
        show = self.filters_visible if self.filters_visible is not None else not narrow
        was_hidden = self.has_class("-filters-hidden")
        self.set_class(not show, "-filters-hidden")
        if show and was_hidden:
            self._count_facets(self.searches.facets_generation)

    def action_toggle_filters(self) -> None:
        """Show the filter pane and go to it; from the pane, hide it and go back to the list."""
        panel = self.query_one(FilterPanel)
        if panel.has_focus:
            self.filters_visible = False
            self._layout(self.size.width)
            self.set_focus(self.paper_list)
            return
        self.filters_visible = True
        self._layout(self.size.width)
        self.set_focus(panel)
        if panel.highlighted is None:
            panel.action_first()
