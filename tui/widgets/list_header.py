"""The line above the list: counts, the active facets as chips, the sort order."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text

from store.text import clean_line

SORTS = ("date", "title", "added", "rank", "interest")
SORT_NAMES = {
    "date": "date",
    "title": "title",
    "added": "date added",
    "rank": "rank",
    "interest": "interest",
}
# The chip of a facet names it as the query language does where it can.
_CHIP_NAMES = {"category": "cat"}


def facet_chips(chosen: Mapping[str, frozenset[str]]) -> list[str]:
    """``cat:AI ×`` for every chosen facet value."""
    return [
        f"{_CHIP_NAMES.get(facet, facet)}:{clean_line(value)} ×"
        for facet, values in chosen.items()
        for value in sorted(values)
    ]


def list_header(
    *,
    shown: int,
    total: int,
    unread: int,
    selected: int,
    searching: bool,
    stale: bool,
    chosen: Mapping[str, frozenset[str]],
    sort: str,
    like: str = "",
) -> Text:
    """The header line; never markup (facet values come from the papers).

    ``like``: the id of the paper the list shows papers like (a chip; esc clears it).
    """
    text = Text(f"{shown:,} of {total:,} · {unread:,} unread")
    if selected:
        text.append(f" · {selected:,} selected")
    if searching:
        text.append(" · searching…")
    if stale:
        text.append(" · last good result")
    if like:  # "more like this" orders the list instead of the sort
        text.append("  ")
        text.append(f"like:{clean_line(like)} ×", style="reverse")
    else:
        text.append(f" · by {SORT_NAMES.get(sort, sort)}")
    for chip in facet_chips(chosen):
        text.append("  ")
        text.append(chip, style="reverse")
    return text
