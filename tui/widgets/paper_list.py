"""The paper list: a virtual widget that renders only the lines on screen.

DataTable and OptionList build every row up front (24–33 s for 100,000
papers); this list keeps the filtered papers in a Python list and formats a
line only when Textual asks for it, so loading, filtering and moving cost the
same at 100 papers and at 100,000.
"""

from __future__ import annotations

import re
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
from store.rendered import title_text
from store.text import clean_line
from tui import colours

_ROW_CACHE_SIZE = 2048
# The keys that decide about a paper: the cursor then moves to the next one.
ADVANCING_ACTIONS = frozenset({"toggle_read", "skip", "star"})
NEW_MARK = "✦"  # fetched and not yet looked at (``is:new``)


def _fit(text: str, width: int) -> str:
    """Exactly ``width`` cells: padded, or cut with an ellipsis."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


@dataclass(frozen=True)
class _RowStyles:
    """The resolved styles of one kind of row (plain, selected, cursor, both)."""

    row: Style
    unread: Style
    muted: Style
    meta: Style
    star: Style
    mark: Style
    match: Style


def surname(name: str) -> str:
    """The family name as lists show it: before a comma ("Zhang, Yuanhe"), else the last word."""
    if "," in name:
        return name.split(",", 1)[0].strip()
    words = name.split()
    return words[-1] if words else name


def author_label(paper: Paper, width: int) -> str:
    """The author column: "Zhang et al." for several authors (one column reads
    alike down the list), the whole name of a sole author when it fits.

    "et al." is never the part that is cut off.
    """
    name = clean_line(paper.first_author)
    if not (len(paper.authors) > 1 or paper.authors_truncated):
        return name if cell_len(name) <= width else surname(name)
    short, more = surname(name), " et al."
    if cell_len(short + more) <= width:
        return short + more
    return _fit(short, max(width - cell_len(more), 1)) + more


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
            "Copy code link",
            id="paper.copy_code",
            show=False,
            priority=True,
        ),
        Binding(
            "y", "request('copy_bibtex')", "Copy BibTeX", id="paper.copy_bibtex", priority=True
        ),
        Binding("o", "request('open')", "Open link", id="paper.open", show=False, priority=True),
        Binding("space", "toggle_select", "Select", id="paper.select", show=False, priority=True),
    ]

    COMPONENT_CLASSES = {
        "paper-list--cursor",
        "paper-list--selected",
        "paper-list--unread",
        "paper-list--muted",
        "paper-list--star",
        "paper-list--meta",
        "paper-list--mark",
        "paper-list--match",
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
        self.advance = True  # decisions move the cursor on (a setting)
        # The screen's handler of paper actions, called as the key is read.
        self.on_request: Callable[[PaperList.ActionRequested], None] | None = None
        # The screen's handler of cursor moves, called as the cursor moves: the
        # pane showing the paper can then repaint in the list's own frame (the
        # Highlighted message reaches the screen after that frame is out).
        self.on_move: Callable[[Paper | None], None] | None = None
        self.terms: tuple[str, ...] = ()  # searched-for words, highlighted in titles
        self._terms_pattern: re.Pattern[str] | None = None
        self._state_of: Callable[[str], UserState] = lambda _id: UserState()
        self._styles: dict[tuple[bool, bool], _RowStyles] = {}
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
        self.virtual_size = Size(self.scrollable_content_region.width, len(papers))
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

    def unselect(self, paper_ids: list[str]) -> None:
        """Take these papers out of the selection (a bulk action on them is done)."""
        if self.selected & set(paper_ids):
            self.selected.difference_update(paper_ids)
            self.refresh()
            self.post_message(self.SelectionChanged(len(self.selected)))

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
        if self.on_move is not None:
            self.on_move(self.current)
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
        """Hand a paper action to the screen, which owns the store.

        A decision about the paper under the cursor (read, skip, star) moves on
        to the next paper, as in mutt, unless ``advance`` is off.
        """
        if self.current is None:
            return
        request = self.ActionRequested(action, self.targets())
        if self.advance and action in ADVANCING_ACTIONS and not self.selected:
            # Before the change: a paper the change takes out of the list
            # (status:unread, then r) must not take the cursor back to the top.
            self._move_to(self.cursor + 1)
        if self.on_request is not None:
            self.on_request(request)  # at once: a z typed next finds the change made
        else:
            self.post_message(request)

    # -- rendering -------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._styles.clear()
        self._rows.clear()
        super().notify_style_update()

    def _row_styles(self, selected: bool, cursor: bool) -> _RowStyles:
        """The styles of one kind of row, blended onto the list's real background."""
        key = (selected, cursor)
        styles = self._styles.get(key)
        if styles is None:
            styles = self._styles[key] = self._resolve_row_styles(selected, cursor)
        return styles

    def _resolve_row_styles(self, selected: bool, cursor: bool) -> _RowStyles:
        _, _, background, foreground = self.colors
        if background.ansi is not None or foreground.ansi is not None:
            return self._terminal_palette_styles(selected, cursor)
        row_text = Style()
        for name, applies in (("selected", selected), ("cursor", cursor)):
            if applies:
                background, foreground, text = colours.layer(
                    background, foreground, self.get_component_styles(f"paper-list--{name}")
                )
                row_text += text

        def part(name: str | None) -> Style:
            if name is None:
                return colours.rich_style(foreground, background, row_text)
            _, colour, text = colours.layer(
                background, foreground, self.get_component_styles(f"paper-list--{name}")
            )
            return colours.rich_style(colour, background, row_text + text)

        return _RowStyles(
            row=part(None),
            unread=part("unread"),
            muted=part("muted"),
            meta=part("meta"),
            star=part("star"),
            mark=part("mark"),
            match=part("match"),
        )

    def _terminal_palette_styles(self, selected: bool, cursor: bool) -> _RowStyles:
        """The ANSI themes draw in the terminal's own colours, which cannot be
        blended or measured here: their styles are layered as Textual gives them."""
        row = self.rich_style
        if selected:
            row += self.get_component_rich_style("paper-list--selected", partial=True)
        if cursor:
            row += self.get_component_rich_style("paper-list--cursor", partial=True)

        def part(name: str) -> Style:
            return row + self.get_component_rich_style(f"paper-list--{name}", partial=True)

        return _RowStyles(
            row=row,
            unread=part("unread"),
            muted=part("muted"),
            meta=part("meta"),
            star=part("star"),
            mark=part("mark"),
            match=part("match"),
        )

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.papers))
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
            self.terms,
        )
        row = self._rows.get(key)
        if row is None:
            if len(self._rows) > _ROW_CACHE_SIZE:
                self._rows.clear()
            row = self._rows[key] = Strip(self._row_segments(paper, index, width, base), width)
        return row

    def set_terms(self, terms: tuple[str, ...]) -> None:
        """Highlight these searched-for words in the titles."""
        if terms != self.terms:
            self.terms = terms
            longest_first = sorted(terms, key=len, reverse=True)
            self._terms_pattern = (
                re.compile("|".join(map(re.escape, longest_first)), re.IGNORECASE)
                if terms
                else None
            )
            self.refresh()

    def _title_segments(self, title: str, style: Style, styles: _RowStyles) -> list[Segment]:
        """The title, with the searched-for words in the match style."""
        if self._terms_pattern is None:
            return [Segment(title, style)]
        segments, at = [], 0
        for found in self._terms_pattern.finditer(title):
            if found.start() > at:
                segments.append(Segment(title[at : found.start()], style))
            segments.append(Segment(found.group(), styles.match))
            at = found.end()
        if at < len(title):
            segments.append(Segment(title[at:], style))
        return segments

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
        styles = self._row_styles(selected, index == self.cursor)
        row_style = styles.row
        if state.status is ReadingStatus.UNREAD:
            title_style = styles.unread
        elif state.status in (ReadingStatus.READ, ReadingStatus.SKIPPED):
            title_style = styles.muted
        else:
            title_style = row_style
        meta_style = styles.meta
        star_style = styles.star

        date = paper.display_date
        show_date = width >= 70
        date_text = f"{date:10}" if show_date else f"{date[:4]:4}"
        author_width = 0 if width < 50 else min(26, max(12, width // 5))
        # selection bar, status, star, date and space, category, then the author column
        fixed = 1 + 2 + 2 + len(date_text) + 1 + 5 + (author_width + 1 if author_width else 0)
        title_width = max(width - fixed, 1)

        segments = [
            Segment("▌" if selected else " ", styles.mark),
            Segment((NEW_MARK if state.is_new else state.status.symbol) + " ", title_style),
            Segment("★ " if state.starred else "  ", star_style),
            Segment(date_text + " ", meta_style),
            Segment(f"{paper.category.rsplit('.', 1)[-1][:4]:4} ", meta_style),
            *self._title_segments(_fit(self._title(paper), title_width), title_style, styles),
        ]
        if author_width:
            author = author_label(paper, author_width)
            segments.append(Segment(" " + _fit(author, author_width), meta_style))
        used = sum(cell_len(s.text) for s in segments)
        if used < width:
            segments.append(Segment(" " * (width - used), row_style))
        return segments
