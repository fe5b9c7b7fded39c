"""How far a long import has got, told through a plain callback (the store draws nothing).

An import reads its files, makes a paper of each entry, then stores them. A
caller that wants to show progress passes ``report(done, total)``; it is
called now and then with the entries done and the entries in all, the total
first estimated from the share of the input read and exact once every file
is parsed. ``done`` weighs the stages by what each costs on a large BibTeX
file, so that it grows about evenly with time and an ETA drawn from it holds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Report = Callable[[int, int], None]
"""``report(done, total)``: entries done so far, entries in all (never fewer than done)."""
ReadReport = Callable[[float, int], None]
"""A parser's ``on_read(share, entries)``: the share of its file read, the entries met in it."""

# The share of an import's time each stage takes (measured on 100,000 BibTeX entries).
_READ, _MAKE, _MERGE, _WRITE = 0.35, 0.30, 0.25, 0.10
_INTERVAL = 0.05  # seconds between reports: a terminal redraws no faster than that


class ImportProgress:
    """The progress of one import, reported to ``report`` at most every 50 ms."""

    def __init__(self, report: Report | None) -> None:
        self._report = report
        self._total_chars = 1
        self._chars = 0
        self._entries_seen = 0
        self._total: int | None = None
        self._made = 0
        self._merged = 0
        self._written = 0
        self._last = 0.0

    def expect(self, total_chars: int) -> None:
        """The input holds ``total_chars`` characters in all (every file decoded)."""
        self._total_chars = max(total_chars, 1)

    def reading(self, chars: int) -> ReadReport:
        """What the parser of a file of ``chars`` characters calls as it goes."""
        chars_before, entries_before = self._chars, self._entries_seen

        def on_read(share: float, entries: int) -> None:
            self._chars = chars_before + round(share * chars)
            self._entries_seen = entries_before + entries
            self._emit()

        return on_read

    def parsed(self, total: int, *, made: bool = False) -> None:
        """Every file is read and holds ``total`` entries; ``made``: their papers are made too."""
        self._chars = self._total_chars
        self._total = total
        if made:
            self._made = total
        self._emit()

    def made(self, count: int = 1) -> None:
        """``count`` more entries became papers."""
        self._made += count
        self._emit()

    def merged(self, count: int = 1) -> None:
        """``count`` more entries were placed in the catalogue (added or merged)."""
        self._merged += count
        self._emit()

    def written(self, count: int) -> None:
        """``count`` more entries are on disk."""
        self._written += count
        self._emit(force=True)

    def _estimated_total(self) -> int:
        if self._total is not None:
            return self._total
        if not self._chars:
            return 0
        return max(self._entries_seen, round(self._entries_seen * self._total_chars / self._chars))

    def _emit(self, *, force: bool = False) -> None:
        if self._report is None:
            return
        now = time.monotonic()
        if not force and now - self._last < _INTERVAL:
            return
        self._last = now
        total = self._estimated_total()
        if not total:
            return
        share = (
            _READ * min(self._chars / self._total_chars, 1.0)
            + (_MAKE * self._made + _MERGE * self._merged + _WRITE * self._written) / total
        )
        self._report(min(round(share * total), total), total)
