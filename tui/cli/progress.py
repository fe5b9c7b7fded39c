"""A progress bar on the terminal for long work, and nothing at all when output is piped.

The store reports progress through a plain ``report(done, total)`` callback
(:mod:`store.progress`); this draws it with ``rich.progress`` on stderr, only
when stderr is a terminal and only once the work has taken a second, so a
quick import prints exactly what it always printed. The bar is transient: it
is wiped when the work ends, before the summary lines.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO

from store.progress import Report

if TYPE_CHECKING:
    from rich.progress import Progress

SHOW_AFTER = 1.0
"""Seconds of work before the bar appears."""


class DelayedBar:
    """Draws ``report(done, total)`` calls as a bar once ``SHOW_AFTER`` seconds have passed."""

    def __init__(
        self,
        what: str,
        stream: TextIO,
        *,
        clock: Callable[[], float] = time.monotonic,
        show_after: float = SHOW_AFTER,
        unit: str | None = "entries",
    ) -> None:
        self._what = what
        self._unit = unit
        self._stream = stream
        self._clock = clock
        self._show_at = clock() + show_after
        self._progress: Progress | None = None

    def report(self, done: int, total: int) -> None:
        """Move the bar (creating it once the work has lasted long enough)."""
        progress = self._progress
        if progress is None:
            if self._clock() < self._show_at:
                return
            self._progress = self._start(done, total)
            return
        progress.update(progress.task_ids[0], completed=done, total=total)
        progress.refresh()

    def _start(self, done: int, total: int) -> Progress:
        # Imported here: a command that ends within a second never loads them.
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            Task,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        unit = self._unit

        class Rate(ProgressColumn):
            """Entries per second, over the last few seconds."""

            def render(self, task: Task) -> Text:
                speed = task.speed
                return Text(f"{speed:,.0f} {unit}/s" if speed else "", style="progress.data.speed")

        console = Console(file=self._stream, force_terminal=True)
        rate = [Rate()] if unit else []
        progress = Progress(
            # The label may hold a name the user typed: never read as markup.
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            TaskProgressColumn(),
            MofNCompleteColumn(),
            *rate,
            TimeRemainingColumn(),
            console=console,
            transient=True,
            auto_refresh=False,  # redrawn on each report: no thread competes with the work
            get_time=self._clock,
        )
        # The task knows where the work is before the first frame is drawn.
        task = progress.add_task(self._what, total=total)
        progress.update(task, completed=done)  # counted as progress: the rate needs it
        progress.start()
        return progress

    def close(self) -> None:
        """Wipe the bar, if it was drawn."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def terminal_bar(
    what: str, stream: TextIO | None = None, *, unit: str | None = "entries"
) -> DelayedBar | None:
    """A :class:`DelayedBar` on ``stream`` (stderr) when it is a terminal, else None."""
    target = stream if stream is not None else sys.stderr
    try:
        is_terminal = target.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream
        is_terminal = False
    return DelayedBar(what, target, unit=unit) if is_terminal else None


@contextlib.contextmanager
def progress_bar(what: str, stream: TextIO | None = None) -> Iterator[Report | None]:
    """A ``report(done, total)`` drawing a bar on a terminal; None when ``stream`` is not one."""
    bar = terminal_bar(what, stream)
    if bar is None:
        yield None
        return
    try:
        yield bar.report
    finally:
        bar.close()
