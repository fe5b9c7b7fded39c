"""The ``?`` help screen, generated from the bindings so it never drifts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.keys import help_title, key_owners, own_bindings, titled_screens


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
    return [(help_title(owner), own_bindings(owner)) for owner in owners]


class HelpScreen(ModalScreen[None]):
    """All keys with what they do."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, below: Sequence[Screen[Any]]) -> None:
        super().__init__()
        self._below = below

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            for title, bindings in binding_sections(self._below, self.app):
                section = Text(title + "\n", style="bold underline")
                for binding in bindings:
                    keys = " / ".join(
                        self.app.get_key_display(Binding(key, "")) for key in binding.key.split(",")
                    )
                    section.append(f"  {keys:<18}", style="bold")
                    section.append(binding.description + "\n")
                yield Static(section, classes="help-section")
            yield Static(
                "Press esc to close. Ctrl+P opens the command palette.",
                markup=False,
                id="help-hint",
            )

    async def action_dismiss(self, result: None = None) -> None:
        """Close the help."""
        self.dismiss(result)
