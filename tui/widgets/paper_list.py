"""The paper list: a virtual widget that renders only the lines on screen.

DataTable and OptionList build every row up front (24–33 s for 100,000
papers); this list keeps the filtered papers in a Python list and formats a
line only when Textual asks for it, so loading, filtering and moving cost the
same at 100 papers and at 100,000.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store.model import Paper, ReadingStatus, UserState
from store.names import author_line
from store.rendered import title_text
from store.text import clean_line

_ROW_CACHE_SIZE = 2048
NEW_MARK = "✦"  # fetched and not yet looked at (``is:new``)


def _fit(text: str, width: int) -> str:
    """Exactly ``width`` cells: padded, or cut with an ellipsis."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


class PaperList(ScrollView, can_focus=True):
    """The list of papers that pass the search and the filters.

    Its keys are priority bindings: Textual then runs them as each key is read,
    in order, so a burst like ``j r j x`` acts on the right papers and a key
    that moves focus takes effect before the keys typed after it.
    """

    HELP_TITLE = "Paper list"
    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down", priority=True),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up", priority=True),
        Binding("g,home", "first", "Top", show=False, id="list.top", priority=True),
        Binding("G,end", "last", "Bottom", show=False, id="list.bottom", priority=True),
        Binding(
            "pagedown,ctrl+f",
            "page_down",
            "Page down",
            show=False,
            id="list.page_down",
            priority=True,
        ),
        Binding(
            "pageup,ctrl+b", "page_up", "Page up", show=False, id="list.page_up", priority=True
        ),
        Binding(
            ReadingStatus.READ.key, "request('toggle_read')", "Read", id="paper.read", priority=True
        ),
        Binding(
            ReadingStatus.SKIPPED.key, "request('skip')", "Skip", id="paper.skip", priority=True
        ),
        Binding(
            ReadingStatus.UNREAD.key,
            "request('unread')",
            "Unread",
            id="paper.unread",
            show=False,
            priority=True,
        ),
        Binding("s", "request('star')", "Star", id="paper.star", priority=True),
        Binding("t", "request('tag')", "Tag", id="paper.tag", priority=True),
        Binding("c", "request('copy_link')", "Copy link", id="paper.copy_link", priority=True),
        Binding(
            "C",
            "request('copy_code')",
            "Copy code",
            id="paper.copy_code",
            show=False,
            priority=True,
        ),
        Binding(
            "y", "request('copy_bibtex')", "Copy BibTeX", id="paper.copy_bibtex", priority=True
        ),
        Binding("o", "request('open')", "Open", id="paper.open", show=False, priority=True),
        Binding("space", "toggle_select", "Select", id="paper.select", show=False, priority=True),
    ]

    COMPONENT_CLASSES = {
        "paper-list--cursor",
        "paper-list--selected",
        "paper-list--unread",
        "paper-list--muted",
        "paper-list--star",
        "paper-list--meta",
    }

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another paper (None when the list is empty)."""

        paper: Paper | None

    @dataclass
    class ActionRequested(Message):
        """The user pressed a key that acts on these papers (the selection or the current one).

        The ids are taken when the key is pressed: by the time the screen handles
        the message, keys typed after it may already have moved the cursor.
        """

        action: str
        paper_ids: list[str]

    @dataclass
    class SelectionChanged(Message):
        """The set of papers selected for a bulk action changed."""

        count: int

    cursor: reactive[int] = reactive(0, repaint=False, init=False)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.papers: list[Paper] = []
        self.selected: set[str] = set()
        self._state_of: Callable[[str], UserState] = lambda _id: UserState()
        self._styles: dict[str, Style] = {}
        self._titles: dict[str, str] = {}
        # Rendered rows: a new search mostly shows papers just shown (typing
        # narrows), and a cursor move changes two rows of forty.
        self._rows: dict[tuple[object, ...], Strip] = {}

    # -- data ------------------------------------------------------------------

    def set_papers(
        self,
        papers: list[Paper],
        state_of: Callable[[str], UserState],
        *,
        keep: str | None = None,
    ) -> None:
        """Show these papers; keep the cursor on ``keep`` when it is still listed."""
        self.papers = papers
        self._state_of = state_of
        self._titles.clear()
        index = 0
        if keep is not None:
            for i, paper in enumerate(papers):
                if paper.id == keep:
                    index = i
                    break
            else:
                index = 0  # the paper is gone (a new search): start at the top
        self.virtual_size = Size(self.size.width, len(papers))
        self.set_reactive(PaperList.cursor, index)
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    @property
    def current(self) -> Paper | None:
        """The paper under the cursor."""
        if 0 <= self.cursor < len(self.papers):
            return self.papers[self.cursor]
        return None

    def targets(self) -> list[str]:
        """The papers a state key acts on: the selection, else the current paper."""
        if self.selected:
            return [p.id for p in self.papers if p.id in self.selected] or sorted(self.selected)
        return [self.current.id] if self.current else []

    def clear_selection(self) -> None:
        """Forget the bulk selection."""
        if self.selected:
            self.selected.clear()
            self.refresh()
            self.post_message(self.SelectionChanged(0))

    # -- movement --------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_lines(old)
        self.refresh_lines(new)
        self._scroll_cursor_into_view()
        self.post_message(self.Highlighted(self.current))

    def _scroll_cursor_into_view(self) -> None:
        if self.papers:
            self.scroll_to_region(
                Region(0, self.cursor, 1, 1), animate=False, force=True, immediate=True
            )

    def _move_to(self, index: int) -> None:
        if self.papers:
            self.cursor = max(0, min(index, len(self.papers) - 1))

    def action_cursor_down(self) -> None:
        """Move to the next paper."""
        self._move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        """Move to the previous paper."""
        self._move_to(self.cursor - 1)

    def action_first(self) -> None:
        """Jump to the first paper."""
        self._move_to(0)

    def action_last(self) -> None:
        """Jump to the last paper."""
        self._move_to(len(self.papers) - 1)

    def action_page_down(self) -> None:
        """Move one screen down."""
        self._move_to(self.cursor + max(self.size.height - 1, 1))

    def action_page_up(self) -> None:
        """Move one screen up."""
        self._move_to(self.cursor - max(self.size.height - 1, 1))

    def action_toggle_select(self) -> None:
        """Select or unselect the current paper for a bulk action, then move on."""
        paper = self.current
        if paper is None:
            return
        if paper.id in self.selected:
            self.selected.discard(paper.id)
        else:
            self.selected.add(paper.id)
        self.refresh_lines(self.cursor)
        self.post_message(self.SelectionChanged(len(self.selected)))
        self._move_to(self.cursor + 1)

    def action_request(self, action: str) -> None:
        """Hand a paper action to the screen, which owns the store."""
        if self.current is not None:
            self.post_message(self.ActionRequested(action, self.targets()))

    # -- rendering -------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._styles.clear()
        self._rows.clear()
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(name, partial=True)
        return style

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.papers))
        self._scroll_cursor_into_view()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width  # without the scrollbar
        base = self.rich_style
        if index >= len(self.papers) or width <= 0:
            return Strip.blank(width, base)
        paper = self.papers[index]
        state = self._state_of(paper.id)
        key = (
            paper.id,
            paper.title,
            paper.authors,
            paper.authors_truncated,
            paper.date,
            paper.date_precision,
            paper.category,
            state.status,
            state.starred,
            state.is_new,
            paper.id in self.selected,
            index == self.cursor,
            width,
            base,
        )
        row = self._rows.get(key)
        if row is None:
            if len(self._rows) > _ROW_CACHE_SIZE:
                self._rows.clear()
            row = self._rows[key] = Strip(self._row_segments(paper, index, width, base), width)
        return row

    def _title(self, paper: Paper) -> str:
        """The title as shown: LaTeX rendered (once per paper), controls removed."""
        title = self._titles.get(paper.id)
        if title is None:
            if len(self._titles) > 4096:
                self._titles.clear()
            title = self._titles[paper.id] = title_text(paper.title)
        return title

    def _row_segments(self, paper: Paper, index: int, width: int, base: Style) -> list[Segment]:
        """One row; everything it depends on is in render_line's cache key."""
        state = self._state_of(paper.id)
        selected = paper.id in self.selected
        row_style = base
        if selected:
            row_style += self._style("paper-list--selected")
        if index == self.cursor:
            row_style += self._style("paper-list--cursor")
        if state.status is ReadingStatus.UNREAD:
            title_style = row_style + self._style("paper-list--unread")
        elif state.status in (ReadingStatus.READ, ReadingStatus.SKIPPED):
            title_style = row_style + self._style("paper-list--muted")
        else:
            title_style = row_style
        meta_style = row_style + self._style("paper-list--meta")
        star_style = row_style + self._style("paper-list--star")

        date = paper.display_date
        show_date = width >= 70
        date_text = f"{date:10}" if show_date else f"{date[:4]:4}"
        author = author_line(paper, 1)
        author_width = 0 if width < 50 else min(26, max(12, width // 5))
        # selection bar, status, star, date and space, category, then the author column
        fixed = 1 + 2 + 2 + len(date_text) + 1 + 5 + (author_width + 1 if author_width else 0)
        title_width = max(width - fixed, 1)

        segments = [
            Segment("▌" if selected else " ", star_style if selected else row_style),
            Segment((NEW_MARK if state.is_new else state.status.symbol) + " ", title_style),
            Segment("★ " if state.starred else "  ", star_style),
            Segment(date_text + " ", meta_style),
            Segment(f"{paper.category.rsplit('.', 1)[-1][:4]:4} ", meta_style),
            Segment(_fit(self._title(paper), title_width), title_style),
        ]
        if author_width:
            segments.append(Segment(" " + _fit(clean_line(author), author_width), meta_style))
        used = sum(cell_len(s.text) for s in segments)
        if used < width:
            segments.append(Segment(" " * (width - used), row_style))
        return segments
