"""The ``?`` help screen, generated from the bindings so it never drifts."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static


def binding_sections() -> list[tuple[str, list[Binding]]]:
    """Every declared binding, grouped by the part of the reader that owns it."""
    from tui.app import PaperReaderApp
    from tui.screens.main import MainScreen
    from tui.screens.triage import TriageScreen
    from tui.widgets.notes_pane import NotesPane
    from tui.widgets.paper_list import PaperList
    from tui.widgets.search_bar import SearchBar

    owners: list[tuple[str, type[DOMNode]]] = [
        ("Paper list", PaperList),
        ("Reader", MainScreen),
        ("Search bar", SearchBar),
        ("Note editor", NotesPane),
        ("Triage", TriageScreen),
        ("Everywhere", PaperReaderApp),
    ]
    return [
        (title, [b for b in owner.BINDINGS if isinstance(b, Binding) and b.description])
        for title, owner in owners
    ]


class HelpScreen(ModalScreen[None]):
    """All keys with what they do."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            for title, bindings in binding_sections():
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
