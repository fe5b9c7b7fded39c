"""The filter pane: facets with live counts; choosing a value narrows the list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from store.facets import FacetCounts
from store.model import category_name
from store.text import clean_line

FACET_TITLES = {
    "status": "Status",
    "category": "Category",
    "year": "Year",
    "collection": "Collection",
    "tag": "Tags",
    "code": "Code",
}
_MAX_VALUES = 40


def _fit(label: str, width: int) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


class FilterPanel(OptionList):
    """Facet values as options; the screen decides what a choice means."""

    HELP_TITLE = "Filters"

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="filters.down"),
        Binding("k", "cursor_up", "Up", show=False, id="filters.up"),
        Binding("space", "select", "Pick", show=False, id="filters.pick"),
    ]

    @dataclass
    class FacetToggled(Message):
        """The user picked a facet value to add to or remove from the filters."""

        facet: str
        value: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.border_title = "Filters"
        self._last: tuple[FacetCounts, Mapping[str, frozenset[str]]] | None = None
        self._shown_width = 0

    def on_resize(self) -> None:
        # Only a new label width needs new options; rebuilding on every resize
        # would loop when a scrollbar comes and goes.
        if self._last is not None and self._label_width() != self._shown_width:
            self.show_counts(*self._last)

    def _label_width(self) -> int:
        return max(self.size.width - 12, 6)

    def show_counts(self, counts: FacetCounts, chosen: Mapping[str, frozenset[str]]) -> None:
        """Rebuild the options from fresh counts, keeping the highlighted one."""
        self._last = (counts, chosen)
        # One line per value: mark, count (7 cells), the label cut to what is left.
        label_width = self._shown_width = self._label_width()
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        options: list[Option] = []
        for facet, values in counts.counts.items():
            if not values and not chosen.get(facet):
                continue
            options.append(Option(Text(FACET_TITLES[facet], style="bold"), disabled=True))
            picked = chosen.get(facet, frozenset())
            listed = values[:_MAX_VALUES]
            listed += [(v, 0) for v in sorted(picked) if v not in {x for x, _ in listed}]
            for value, count in listed:
                label = value
                if value == "?":
                    label = "(none)"
                elif facet == "category" and category_name(value) != value:
                    label = f"{value} {category_name(value)}"
                mark = "■" if value in picked else " "
                prompt = Text(mark, style="bold", no_wrap=True, overflow="ellipsis")
                # No colour of its own: it must read on the highlight bar too.
                prompt.append(f"{count:>6,} ")
                prompt.append(_fit(clean_line(label), label_width))
                options.append(Option(prompt, id=f"{facet}\x1f{value}"))
        self.clear_options()
        self.add_options(options)
        if highlighted is not None:
            try:
                self.highlighted = self.get_option_index(highlighted)
            except Exception:  # the value vanished from the counts
                self.highlighted = None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if "\x1f" in option_id:
            facet, value = option_id.split("\x1f", 1)
            self.post_message(self.FacetToggled(facet, value))
