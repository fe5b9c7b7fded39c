"""The statistics screen: papers per year, reading progress and categories."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static
from textual_plotext import PlotextPlot

from store.model import category_name
from store.stats import library_stats
from store.text import clean_line
from tui.screens.scrolling import scroll_lines, scroll_pages
from tui.widgets.footer import ReaderFooter

if TYPE_CHECKING:
    from store.library import Library
    from tui.app import PaperReaderApp


def _numbers(title: str, rows: list[tuple[str, int]]) -> Table:
    table = Table(title=title, title_justify="left", show_header=False, box=None)
    table.add_column()
    table.add_column(justify="right")
    for label, count in rows:
        table.add_row(Text(clean_line(label)), Text(f"{count:,}"))  # never markup
    return table


def _count_ticks(plt: Any, highest: int) -> None:
    """Whole numbers on a count axis (plotext would label 2.3, 4.7...)."""
    step = max(1, math.ceil(highest / 5))
    ticks = list(range(0, highest + step, step))
    plt.yticks(ticks, [f"{tick:,}" for tick in ticks])
    plt.ylim(0, ticks[-1])


def _category_label(code: str) -> str:
    if code == "?":
        return "(none)"
    name = category_name(code)
    return f"{code} {name}" if name != code else code


class StatsScreen(Screen[None]):
    """Plots with the numbers beside them."""

    BINDINGS = [
        Binding("escape,S,q", "leave", "Back", id="stats.back"),
        Binding("j,down", "scroll(1)", "Scroll down", show=False, id="stats.down"),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False, id="stats.up"),
        Binding("space,pagedown", "page(1)", "Page down", show=False, id="stats.page_down"),
        Binding("b,pageup", "page(-1)", "Page up", show=False, id="stats.page_up"),
    ]

    app: PaperReaderApp

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library

    def compose(self) -> ComposeResult:
        stats = library_stats(self.library)
        self.stats = stats
        with VerticalScroll(id="stats-body"):
            yield Static(
                f"{stats['total']:,} papers · {stats['starred']:,} starred · "
                f"{stats['with_notes']:,} with notes · {stats['with_code']:,} with code",
                id="stats-summary",
                markup=False,
            )
            years = [(y, n) for y, n in stats["years"].items()]
            with Horizontal(classes="stats-row"):
                yield PlotextPlot(id="plot-years", classes="stats-plot")
                yield Static(_numbers("Per year", years), classes="stats-numbers")
            status = list(stats["status"].items())
            with Horizontal(classes="stats-row"):
                yield PlotextPlot(id="plot-status", classes="stats-plot")
                yield Static(_numbers("Reading progress", status), classes="stats-numbers")
            categories = list(stats["categories"].items())[:12]
            with Horizontal(classes="stats-row"):
                yield PlotextPlot(id="plot-categories", classes="stats-plot")
                yield Static(
                    _numbers(
                        "Categories",
                        [(_category_label(c), n) for c, n in categories],
                    ),
                    classes="stats-numbers",
                )
        yield ReaderFooter()

    def on_mount(self) -> None:
        stats = self.stats
        dated = [(int(year), n) for year, n in stats["years"].items() if str(year).isdigit()]
        self._years("#plot-years", "Papers per year", dated)
        self._bar("#plot-status", "Reading progress", list(stats["status"].items()))
        self._bar("#plot-categories", "Categories", list(stats["categories"].items())[:12])

    def _bar(self, selector: str, title: str, rows: list[tuple[str, int]]) -> None:
        widget = self.query_one(selector, PlotextPlot)
        plt = widget.plt
        plt.clear_figure()
        plt.title(title)
        if rows:
            plt.bar([clean_line(label) for label, _ in rows], [n for _, n in rows])
            _count_ticks(plt, max(n for _, n in rows))
        widget.refresh()

    def _years(self, selector: str, title: str, rows: list[tuple[int, int]]) -> None:
        """Years on a numeric axis, so a gap between them shows as a gap."""
        widget = self.query_one(selector, PlotextPlot)
        plt = widget.plt
        plt.clear_figure()
        plt.title(title)
        if rows:
            years = [year for year, _ in rows]
            first, last = min(years), max(years)
            # plotext sizes bars against the mean gap between them: 0.7 of a year.
            mean_gap = (last - first) / (len(years) - 1) if len(years) > 1 else 1
            plt.bar(years, [n for _, n in rows], width=min(0.7 / mean_gap, 0.9))
            # The bars stay inside the frame; at most about eight year labels.
            plt.xlim(first - 1, last + 1)
            step = max(1, math.ceil((last - first + 1) / 8))
            ticks: list[float] = list(range(first, last + 1, step))
            plt.xticks(ticks, [str(int(year)) for year in ticks])
            _count_ticks(plt, max(n for _, n in rows))
        widget.refresh()

    def _body(self) -> VerticalScroll:
        return self.query_one("#stats-body", VerticalScroll)

    def action_scroll(self, lines: int) -> None:
        """Scroll by a line."""
        scroll_lines(self._body(), lines)

    def action_page(self, pages: int) -> None:
        """Scroll by a page."""
        scroll_pages(self._body(), pages)

    def action_leave(self) -> None:
        """Back to the list."""
        self.dismiss(None)
