"""The statistics screen: papers per year, reading progress and categories."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from tui.widgets.footer import ReaderFooter

if TYPE_CHECKING:
    from tui.app import PaperReaderApp


def _numbers(title: str, rows: list[tuple[str, int]]) -> Table:
    table = Table(title=title, title_justify="left", show_header=False, box=None)
    table.add_column()
    table.add_column(justify="right")
    for label, count in rows:
        table.add_row(Text(clean_line(label)), Text(str(count)))  # never markup
    return table


def _category_label(code: str) -> str:
    if code == "?":
        return "(none)"
    name = category_name(code)
    return f"{code} {name}" if name != code else code


class StatsScreen(Screen[None]):
    """Plots with the numbers beside them."""

    BINDINGS = [Binding("escape,S,q", "leave", "Back", id="stats.back")]

    app: PaperReaderApp

    def compose(self) -> ComposeResult:
        stats = library_stats(self.app.library)
        self.stats = stats
        with VerticalScroll(id="stats-body"):
            yield Static(
                f"{stats['total']} papers · {stats['starred']} starred · "
                f"{stats['with_notes']} with notes · {stats['with_code']} with code",
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
        dated = [(year, n) for year, n in stats["years"].items() if year != "?"]
        self._bar("#plot-years", "Papers per year", dated)
        self._bar("#plot-status", "Reading progress", list(stats["status"].items()))
        self._bar("#plot-categories", "Categories", list(stats["categories"].items())[:12])

    def _bar(self, selector: str, title: str, rows: list[tuple[str, int]]) -> None:
        widget = self.query_one(selector, PlotextPlot)
        plt = widget.plt
        plt.clear_figure()
        plt.title(title)
        if rows:
            plt.bar([clean_line(label) for label, _ in rows], [n for _, n in rows])
        widget.refresh()

    def action_leave(self) -> None:
        """Back to the list."""
        self.dismiss(None)
