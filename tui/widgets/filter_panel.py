"""The filter pane: facets with live counts; choosing a value narrows the list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.text import Text
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


class FilterPanel(OptionList):
    """Facet values as options; the screen decides what a choice means."""

    @dataclass
    class FacetToggled(Message):
        """The user picked a facet value to add to or remove from the filters."""

        facet: str
        value: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.border_title = "Filters"

    def show_counts(self, counts: FacetCounts, chosen: Mapping[str, frozenset[str]]) -> None:
        """Rebuild the options from fresh counts, keeping the highlighted one."""
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
                if facet == "category" and value != "?":
                    label = f"{value} {category_name(value)}"
                mark = "■ " if value in picked else "  "
                prompt = Text(mark, style="bold")
                prompt.append(clean_line(label))
                prompt.append(f" {count}", style="dim")
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
