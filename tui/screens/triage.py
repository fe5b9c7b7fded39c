"""Triage: one unread paper at a time, its whole abstract, one key to decide.

This is the loop the tool exists for, so nothing else is on screen, and the
next paper appears at once: each decision is written to the store in order,
off the UI thread, behind the keys before it. The list's
other paper keys (copy, open, tag, note) work on the paper shown, and
``space`` pages a long abstract.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from store import clock
from store.model import ReadingStatus
from store.sorting import sort_papers
from store.state_edits import StateEdit, star_edit, status_edit
from store.undo import StateChange
from tui.colours import muted_style
from tui.render import paper_details
from tui.screens.interest import INTEREST, why_line
from tui.screens.one_paper import OnePaperScreen, paper_key_bindings
from tui.widgets.footer import ReaderFooter
from tui.widgets.list_header import SORT_NAMES, SORTS
from tui.widgets.notes_pane import NotesPane
from tui.widgets.text_pager import TextPager

if TYPE_CHECKING:
    from store.library import Library
    from store.ranking import Ranking
    from tui.history import UndoHistory


class TriageScreen(OnePaperScreen):
    """Walks through the given unread papers in order."""

    HELP_TITLE = "Triage"

    BINDINGS = [
        Binding(ReadingStatus.READ.key, "decide('read')", "Read", id="triage.read"),
        Binding(ReadingStatus.SKIPPED.key, "decide('skipped')", "Skip", id="triage.skip"),
        Binding("s", "decide('star')", "Star & keep", id="triage.star"),
        Binding("l", "decide('later')", "Later", id="triage.later"),
        Binding("space,pagedown", "page(1)", "Page", id="triage.page"),
        Binding("b,pageup", "page(-1)", "Back a page", show=False, id="triage.page_up"),
        Binding("j,down", "line(1)", "Scroll down", show=False, id="triage.down"),
        Binding("k,up", "line(-1)", "Scroll up", show=False, id="triage.up"),
        Binding("g,home", "edge(0)", "Top", show=False, id="triage.top"),
        Binding("G,end", "edge(1)", "Bottom", show=False, id="triage.bottom"),
        *paper_key_bindings("triage", "tcCyo"),
        Binding("n", "edit_note", "Note", show=False, id="triage.note"),
        Binding("O", "cycle_sort", "Sort order", show=False, id="triage.sort"),
        Binding("z", "undo", "Undo", id="triage.undo"),
        Binding("escape,q", "leave", "Back", id="triage.back"),
    ]

    def __init__(
        self,
        paper_ids: list[str],
        library: Library,
        history: UndoHistory,
        *,
        sort: str = "date",
        ranking: Ranking | None = None,
    ) -> None:
        """``ranking``: the user's interest model (``O`` orders by it when trained; why lines)."""
        super().__init__(library, history)
        self.queue = paper_ids
        self.ranking = ranking if ranking is not None and ranking.trained else None
        # Why interest is not offered, said when O passes it.
        self.untrained_note = ranking.note if ranking is not None else "no model yet"
        self.position = 0
        self.sort = sort
        self.decided = {"read": 0, "skipped": 0, "star": 0, "later": 0}
        self._steps: list[tuple[int, str, StateChange]] = []  # (position, decision, expected)

    def compose(self) -> ComposeResult:
        yield Static("", id="triage-progress", markup=False)
        yield TextPager(id="triage-body")
        yield NotesPane(id="paper-note")
        yield ReaderFooter()

    def shown_paper_id(self) -> str | None:
        return self.queue[self.position] if self.position < len(self.queue) else None

    def _body(self) -> TextPager:
        return self.query_one("#triage-body", TextPager)

    def _show(self, *, keep_scroll: bool = False) -> None:
        if not self._composed:
            return  # on_mount shows it; a key can arrive before the screen is mounted
        progress = self.query_one("#triage-progress", Static)
        left = len(self.queue) - self.position
        counts = ", ".join(f"{n:,} {k}" for k, n in self.decided.items() if n)
        progress.update(
            f"Triage · paper {min(self.position + 1, len(self.queue)):,} of {len(self.queue):,}"
            f" · {left:,} left"
            + (f" · {counts}" if counts else "")
            + f" · by {SORT_NAMES.get(self.sort, self.sort)}"
        )
        paper_id = self.shown_paper_id()
        if paper_id is None:
            done = Text("All done: no unread papers left in this list. Press esc.")
            self._body().show(None, lambda _abstract: done, "")
            return
        library = self.library
        paper = library.complete(library.get(paper_id))
        state = library.state(paper_id)
        muted = muted_style(self.app.theme_variables)
        why = why_line(self.ranking, paper_id)

        def compose(abstract: str | None) -> Text:
            details = paper_details(paper, state, abstract=abstract, muted=muted)
            return Text(why + "\n\n", style=muted) + details if why else details

        # A huge abstract is shown a window at a time (tui.widgets.text_pager).
        self._body().show(paper_id, compose, paper.abstract, keep_scroll=keep_scroll)

    def action_cycle_sort(self) -> None:
        """Take the papers still to decide in the next sort order."""
        at = SORTS.index(self.sort) if self.sort in SORTS else -1
        self.sort = SORTS[(at + 1) % len(SORTS)]
        if self.sort == INTEREST and self.ranking is None:
            self.notify(f"Interest: {self.untrained_note}; kept date order", markup=False)
            self.sort = SORTS[0]
        library = self.library
        ahead = [library.get(i) for i in self.queue[self.position :]]
        if self.ranking is not None and self.sort == INTEREST:
            ahead = self.ranking.order(ahead)
        else:
            ahead = sort_papers(ahead, self.sort)
        self.queue = self.queue[: self.position] + [p.id for p in ahead]
        self._show()

    def action_decide(self, decision: str) -> None:
        """Record a decision about the current paper and show the next.

        The paper shows the decision at once; it is written in order behind
        the keys before it (a failed write is said, and undone on screen).
        """
        paper_id, decisions = self.shown_paper_id(), self.decisions()
        if paper_id is None or decisions is None:
            return
        edit: StateEdit | None = None
        if decision in ("read", "skipped"):
            edit = status_edit([paper_id], ReadingStatus(decision), clock.now_iso())
        elif decision == "star":
            edit = star_edit([paper_id], True)
        done = decisions.change(f"Triage: {decision}", edit) if edit else StateChange()
        self.save_before_leaving()  # a note being written belongs to this paper
        self._steps.append((self.position, decision, done))
        self.decided[decision] += 1
        self.position += 1
        self._show()

    def action_undo(self) -> None:
        """Go back one paper and undo its decision where it still holds."""
        decisions = self.decisions()
        if not self._steps or decisions is None:
            return
        position, decision, done = self._steps.pop()
        # This decision's own change, not the newest one: a tag typed since is
        # newer, and a decision whose write failed has left the history.
        # A decision that changed nothing (star on a starred paper) pushed nothing.
        if done:
            decisions.undo(of=done)  # what it did is said once the undo is written
        self.decided[decision] -= 1
        self.position = position
        self._show()

    def action_leave(self) -> None:
        """Back to the list."""
        self.save_before_leaving()
        self.dismiss(None)
