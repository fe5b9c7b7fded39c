"""Triage: one unread paper at a time, its whole abstract, one key to decide.

This is the loop the tool exists for, so nothing else is on screen and every
decision is written to the store before the next paper appears.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from store.errors import PaperReaderError
from store.model import ReadingStatus
from tui.colours import muted_style
from tui.render import paper_details
from tui.widgets.footer import ReaderFooter

if TYPE_CHECKING:
    from tui.app import PaperReaderApp


class TriageScreen(Screen[None]):
    """Walks through the given unread papers in order."""

    BINDINGS = [
        Binding("r", "decide('read')", "Read", id="triage.read"),
        Binding("x", "decide('skipped')", "Skip", id="triage.skip"),
        Binding("s", "decide('star')", "Star & keep", id="triage.star"),
        Binding("l", "decide('later')", "Later", id="triage.later"),
        Binding("z", "undo", "Undo", id="triage.undo"),
        Binding("escape,q", "leave", "Back", id="triage.back"),
    ]

    app: PaperReaderApp

    def __init__(self, paper_ids: list[str]) -> None:
        super().__init__()
        self.queue = paper_ids
        self.position = 0
        self.decided = {"read": 0, "skipped": 0, "star": 0, "later": 0}
        self._steps: list[tuple[int, str, bool]] = []  # (position, decision, pushed undo)
        self._composed = False

    def compose(self) -> ComposeResult:
        yield Static("", id="triage-progress", markup=False)
        with VerticalScroll(id="triage-body"):
            yield Static("", id="triage-paper")
        yield ReaderFooter()

    def on_mount(self) -> None:
        self._composed = True
        self._show()

    def _show(self) -> None:
        if not self._composed:
            return  # on_mount shows it; a key can arrive before the screen is mounted
        progress = self.query_one("#triage-progress", Static)
        paper_view = self.query_one("#triage-paper", Static)
        left = len(self.queue) - self.position
        counts = ", ".join(f"{n} {k}" for k, n in self.decided.items() if n)
        progress.update(
            f"Triage · paper {min(self.position + 1, len(self.queue))} of {len(self.queue)}"
            f" · {left} left" + (f" · {counts}" if counts else "")
        )
        if self.position >= len(self.queue):
            paper_view.update("All done: no unread papers left in this list. Press esc.")
            return
        library = self.app.library
        paper_id = self.queue[self.position]
        paper = library.complete(library.get(paper_id))
        muted = muted_style(self.app.theme_variables)
        paper_view.update(paper_details(paper, library.state(paper_id), muted=muted))
        self.query_one("#triage-body").scroll_home(animate=False)

    def action_decide(self, decision: str) -> None:
        """Record a decision about the current paper and show the next."""
        if self.position >= len(self.queue):
            return
        library = self.app.library
        paper_id = self.queue[self.position]
        try:
            if decision in ("read", "skipped"):
                before = library.set_status([paper_id], ReadingStatus(decision))
            elif decision == "star":
                before = library.set_starred([paper_id], True)
            else:
                before = {}
        except PaperReaderError as err:
            self.notify(f"Not saved: {err}", severity="error", markup=False)
            return
        self.app.history.push(f"Triage: {decision}", before)
        self._steps.append((self.position, decision, bool(before)))
        self.decided[decision] += 1
        self.position += 1
        self._show()

    def action_undo(self) -> None:
        """Go back one paper and undo its decision."""
        if not self._steps:
            return
        position, decision, pushed = self._steps.pop()
        if pushed:  # a decision that changed nothing (star on a starred paper) pushed nothing
            entry = self.app.history.pop()
            if entry is not None:
                try:
                    self.app.library.restore_states(entry[1])
                except PaperReaderError as err:
                    self.app.history.push(*entry)
                    self.notify(f"Not undone: {err}", severity="error", markup=False)
                    return
        self.decided[decision] -= 1
        self.position = position
        self._show()

    def action_leave(self) -> None:
        """Back to the list."""
        self.dismiss(None)
