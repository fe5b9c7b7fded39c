"""The ``?`` help screen, generated from the bindings so it never drifts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.keys import help_title, inherited_bindings, key_owners, titled_screens
from tui.screens.scrolling import scroll_lines, scroll_pages

if TYPE_CHECKING:
    from tui.app import PaperReaderApp

SEARCH_SYNTAX = (
    ("lean prover", "papers with both words (title, authors, abstract)"),
    ('"in-context"', "the exact phrase"),
    ("-survey", "without the word"),
    ("author:lee", "an author's name"),
    ("cat:LG", "arXiv category (cs.LG)"),
    ("year:>=2023", "year; also year:2024, year:2020..2022"),
    ("status:unread", "unread, reading, read, skipped"),
    ("is:starred  has:note  has:code", "starred, with a note, with a code link"),
    ("tag:todo", "a tag of yours"),
)
PANES = (
    ("Paper list", "j/k move, space selects, the paper keys act on the selection"),
    ("Abstract", "follows the cursor; ] and [ page it, enter reads the paper full screen"),
    ("Paper view", "space/b page, j/k scroll, J/K next/previous, esc or q back"),
    ("Note", "n writes a Markdown note; esc saves and returns"),
    ("Filters", "f shows the pane and focuses it; j/k move, enter picks, f again hides"),
    ("Search bar", "/ focuses it; the list filters as you type; enter keeps, esc clears"),
    ("Moving", "tab moves between panes; esc in the list clears the selection"),
)


def binding_sections(
    screens: Sequence[Screen[Any]], app: App[Any]
) -> list[tuple[str, list[Binding]]]:
    """Every declared binding, grouped by the part of the reader that owns it.

    The open screens' owners come first (the top screen's first), then the
    reader's other titled screens, then the app's keys that work everywhere.
    """
    owners: list[type[DOMNode]] = []
    for screen in reversed(screens):
        owners += [type(node) for node in key_owners(screen) if type(node) not in owners]
    owners += [screen for screen in titled_screens() if screen not in owners]
    owners.append(type(app))
    sections = [(help_title(owner), inherited_bindings(owner)) for owner in owners]
    return [(title, bindings) for title, bindings in sections if bindings]


def _table(title: str, rows: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> Text:
    section = Text()
    section.append(title + "\n", style="bold underline")
    for left, right in rows:
        section.append(f"  {left:<18}", style="bold")
        if len(left) > 18:
            section.append("\n" + " " * 20)
        section.append(right + "\n")
    return section


class HelpScreen(ModalScreen[None]):
    """All keys with what they do, the search syntax and the panes."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
        Binding("j,down", "scroll(1)", "Scroll down", show=False, id="help.down"),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False, id="help.up"),
        Binding("space,pagedown", "page(1)", "Page down", show=False, id="help.page_down"),
        Binding("b,pageup", "page(-1)", "Page up", show=False, id="help.page_up"),
    ]

    app: PaperReaderApp

    def __init__(self, below: Sequence[Screen[Any]]) -> None:
        super().__init__()
        self._below = below

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(
                "j/k or space/b scroll this help; esc closes it. Ctrl+P finds any key by name.",
                markup=False,
                id="help-hint",
            )
            yield Static(_table("Search syntax", SEARCH_SYNTAX), classes="help-section help-guide")
            yield Static(_table("Panes", PANES), classes="help-section help-guide")
            for title, bindings in binding_sections(self._below, self.app):
                rows = [(self.app.key_names(b), b.description) for b in bindings]
                yield Static(_table(title, rows), classes="help-section")

    def _body(self) -> VerticalScroll:
        return self.query_one("#help-body", VerticalScroll)

    def action_scroll(self, lines: int) -> None:
        """Scroll the help by a line."""
        scroll_lines(self._body(), lines)

    def action_page(self, pages: int) -> None:
        """Scroll the help by a page."""
        scroll_pages(self._body(), pages)

    async def action_dismiss(self, result: None = None) -> None:
        """Close the help."""
        self.dismiss(result)
