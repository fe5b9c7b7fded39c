"""Which row of a ranking's features each paper object has, found by the object itself.

The reader orders its whole list by a ranking on every repaint; at 100,000
papers one dictionary look-up of each id string is most of that time.
:class:`PaperRows` finds the rows by the objects' addresses instead.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from store.errors import UnknownPaperError
from store.features import Features
from store.model import Paper

if TYPE_CHECKING:
    from store.library import Library


class PaperRows:
    """The row of the features of each of a library's paper objects, found by identity.

    :meth:`Ranking.order` finds the rows of the papers it orders by their
    objects' addresses (``id()``), in numpy, rather than by one dictionary
    look-up of each id string: half the time at 100,000 papers. The papers
    are held, so that while this lives no other object can have one of
    their addresses; a paper object it does not hold (one read again since)
    is looked up by its id.

    Once the library has read its catalogue again (another process imported:
    every paper is a new object), holding the old papers would keep a second
    catalogue in memory: the first look-up that finds them replaced lets
    them go, and every paper is then looked up by its id.
    """

    def __init__(self, library: Library, features: Features) -> None:
        """The rows of ``library``'s papers in ``features`` (one pass over them: a worker's job)."""
        import numpy as np

        papers = library.papers()
        rows, unknown = features.rows, len(features.ids)
        addresses = np.fromiter(map(id, papers), dtype=np.uintp, count=len(papers))
        found = np.array([rows.get(paper.id, unknown) for paper in papers], dtype=np.intp)
        by_address = np.argsort(addresses)
        self._library = library
        self._papers: tuple[Paper, ...] = tuple(papers)
        self._addresses: Any = addresses[by_address]
        self._rows: Any = found[by_address]
        self._lock = threading.Lock()

    def holds_papers(self) -> bool:
        """True while the library's papers are held; looking lets go of replaced ones."""
        return bool(self._table()[0])

    def _table(self) -> tuple[tuple[Paper, ...], Any, Any]:
        """The papers held, their sorted addresses and rows; none once the library's changed."""
        with self._lock:
            if self._papers and not self._still_the_librarys(self._papers[0]):
                self._papers, self._addresses, self._rows = (), None, None
            return self._papers, self._addresses, self._rows

    def _still_the_librarys(self, paper: Paper) -> bool:
        try:
            return self._library.get(paper.id) is paper
        except UnknownPaperError:
            return False

    def find(self, papers: Sequence[Paper], features: Features) -> Any:
        """The row of each of these papers in ``features`` (its row count where it has none)."""
        import numpy as np

        rows, unknown = features.rows, len(features.ids)
        # Held here too: while this runs, no paper it holds can go and leave its address.
        held_papers, table, table_rows = self._table()
        if held_papers:
            addresses = np.fromiter(map(id, papers), dtype=np.uintp, count=len(papers))
            # Looked up in address order: the look-ups then walk the table once.
            by_address = np.argsort(addresses)
            at = np.empty(len(papers), dtype=np.intp)
            at[by_address] = np.searchsorted(table, addresses[by_address])
            at[at == table.size] = 0
            held = table[at] == addresses  # the very object: it cannot be another
            index = np.where(held, table_rows[at], unknown)
        else:
            held = np.zeros(len(papers), dtype=bool)
            index = np.full(len(papers), unknown, dtype=np.intp)
        missed = np.flatnonzero(~held).tolist()
        if missed:
            index[missed] = [rows.get(papers[i].id, unknown) for i in missed]
        return index
