"""A small dialog asking which tags to add or remove."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class TagDialog(ModalScreen[str | None]):
    """Asks for ``tag +tag -tag`` words; dismisses with the text, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="tag.cancel")]

    def __init__(self, current: tuple[str, ...], count: int) -> None:
        super().__init__()
        self.current = current
        self.count = count

    def compose(self) -> ComposeResult:
        with Vertical(id="tag-dialog"):
            target = "this paper" if self.count == 1 else f"{self.count} selected papers"
            yield Label(f"Tags for {target}: words add, -word removes", markup=False)
            if self.current:
                yield Label("Now: " + " ".join(self.current), markup=False, id="tag-current")
            yield Input(placeholder="theory -todo", id="tag-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)
