"""One line above the footer while ``F`` fetches or ``E`` enriches: what, and how far.

The screen mounts it when the work starts, hands it each step the worker
reports, and removes it when the work ends. Before the first step the bar
pulses (the work has started, its size is not known yet).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static


class SourcesProgress(Horizontal):
    """What a fetch or an enrichment is doing, its bar, and ``done/total``."""

    def __init__(self, what: str) -> None:
        super().__init__(id="sources-progress")
        # Kept here, not queried: steps may arrive before the children are composed.
        self._what = Static(what, id="sources-progress-what", markup=False)
        self._bar = ProgressBar(total=None, show_eta=False, id="sources-progress-bar")
        self._count = Static("", id="sources-progress-count", markup=False)

    def compose(self) -> ComposeResult:
        yield self._what
        yield self._bar
        yield self._count

    def show(self, what: str, done: int, total: int | None, unit: str) -> None:
        """Show a step: ``what`` is being done, ``done`` of ``total`` ``unit`` (None: pulse)."""
        self._what.update(what)
        if total is None:
            self._bar.update(total=None, progress=0)
            self._count.update("")
            return
        self._bar.update(total=max(total, 1), progress=min(done, total))
        self._count.update(f"{done}/{total} {unit}")
