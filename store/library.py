"""The store's API: what the command line and the reader ask of the library.

A :class:`Library` holds the catalogue and the user state in memory (loaded
once; re-loaded only when another process changed the files, see
:mod:`store.library_data`) and turns every change into one locked, atomic
write through :class:`~store.repository.Repository`: changes to the reader's
own state are :mod:`store.state_writes`, imports and revisions of papers
:mod:`store.catalogue_writes`. Searching and sort orders are here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from store.catalogue_writes import CatalogueWrites
from store.clock import now_iso
from store.errors import PaperReaderError, UnknownPaperError
from store.full_text import SEARCH_ORDER
from store.locking import LOCK_TIMEOUT_S
from store.model import Paper, ReadingStatus
from store.query import Query
from store.search_index import Matches, SearchIndex
from store.sorting import SORT_KEYS, sort_papers
from store.state_writes import StateWrites

# now_iso and SORT_KEYS live in store.clock and store.sorting; the command line
# still imports them from here.
__all__ = ["SORT_KEYS", "Library", "default_store_path", "now_iso", "restore_from_backups"]

_UNREAD = ReadingStatus.UNREAD


def default_store_path() -> Path:
    """``PAPER_READER_DB`` when set, else the platform's user data folder."""
    env = os.environ.get("PAPER_READER_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("paper-reader")) / "library.json"


def restore_from_backups(
    path: Path | str | None = None, *, force: bool = False, empty_state: bool = False
) -> list[str]:
    """Bring back the store files that are damaged or missing, from their backups.

    On a healthy store nothing changes and the one line says "nothing is
    damaged". ``force`` rolls back to the store as it was before the last
    import; ``empty_state`` starts with no reading state on purpose (see
    :func:`store.backups.restore`). Returns one line per thing done; raises
    :class:`~store.errors.StoreError`, with nothing written, when a needed
    backup is missing or damaged.
    """
    from store.backups import restore  # only restoring needs it (and its side files)

    target = Path(path).expanduser() if path is not None else default_store_path()
    return restore(target, force=force, empty_state=empty_state)


class Library(StateWrites, CatalogueWrites):
    """The papers, collections and user state of one store, and every change to them."""

    def __init__(
        self, path: Path | str | None = None, *, lock_timeout: float = LOCK_TIMEOUT_S
    ) -> None:
        """``lock_timeout``: how long a write waits for another holder of the store lock."""
        super().__init__(
            Path(path).expanduser() if path is not None else default_store_path(),
            lock_timeout=lock_timeout,
        )
        self._search_index: SearchIndex | None = None
        self._search_version = -1
        self._orders: dict[tuple[str, int], list[Paper]] = {}

    def resolve(self, reference: str) -> str:
        """The id of the paper that ``reference`` names: its id, or a key a source gave it.

        A BibTeX key, CSL ``citation-key`` or RIS ``ID`` works wherever an id
        does; a key that two sources gave to two different papers is refused
        with both ids named. Raises :class:`UnknownPaperError` for no match.
        """
        if reference in self._papers:
            return reference
        found = sorted(
            {
                paper.id
                for paper in self._papers.values()
                if paper.aliases and any(reference in keys for keys in paper.aliases.values())
            }
        )
        if len(found) == 1:
            return found[0]
        if found:
            raise PaperReaderError(
                f"{reference!r} names {len(found)} papers ({', '.join(found)}): use an id"
            )
        raise UnknownPaperError(reference)

    def count_unread(self, papers: list[Paper]) -> int:
        """How many of these papers are unread, without looking up each one.

        Only papers with a state of their own can be anything but unread, and
        those are few: count them instead of the (possibly 100,000) others.
        """
        if not self._states:
            return len(papers)
        others = [pid for pid, state in self._states.items() if state.status is not _UNREAD]
        if not others:
            return len(papers)
        if len(papers) == len(self._papers):  # the whole library is listed
            return len(papers) - sum(1 for pid in others if pid in self._papers)
        if isinstance(papers, Matches):
            sort, version = papers.key
            searcher = self._searcher()  # brings _search_version up to date first
            if version == self._search_version:
                # A search result knows its (ascending) positions: look the few up.
                listed = searcher.listed(sort, self._ordered(sort), others, papers.positions)
                return len(papers) - listed
        ids = {paper.id for paper in papers}
        return len(papers) - sum(1 for pid in others if pid in ids)

    def _ordered(self, sort: str) -> list[Paper]:
        """Every paper in a sort order, kept until the catalogue changes."""
        key = (sort, self._catalogue_version)
        ordered = self._orders.get(key)
        if ordered is None:
            current = self._catalogue_version
            self._orders = {k: v for k, v in self._orders.items() if k[1] == current}
            ordered = self._orders[key] = sort_papers(list(self._papers.values()), sort)
        return ordered

    def _searcher(self) -> SearchIndex:
        """The search index of the current catalogue (a new one after each change)."""
        index = self._search_index
        if index is None or self._search_version != self._catalogue_version:
            # Laid out in the reader's order whichever order asks first: its searches
            # then read the text front to back.
            index = self._search_index = SearchIndex(
                self._papers, lambda: self.full_text(self._ordered(SEARCH_ORDER))
            )
            self._search_version = self._catalogue_version
        return index

    def prepare_search(self, sort: str = "date", *, abstracts: bool = True) -> None:
        """Fold every paper now, laid out in ``sort`` order (the reader does it
        off its UI thread after start, so that no keystroke waits for it)."""
        self._searcher().prepare(sort, self._ordered(sort), abstracts=abstracts)

    def search(
        self,
        query: Query,
        sort: str = "date",
        limit: int | None = None,
        *,
        within: list[Paper] | None = None,
        abstracts: bool = True,
        stop: Callable[[], bool] | None = None,
    ) -> list[Paper]:
        """Papers matching ``query`` in the chosen order.

        ``within`` narrows an earlier result (in ``sort`` order) instead of
        the whole library: typing ``gra`` → ``grad`` only re-filters what
        ``gra`` found; a result of this method narrows without any lookup.
        With ``abstracts=False`` words match titles and authors only. A
        search in a worker passes ``stop``; it raises
        :class:`~store.errors.SearchCancelled` soon after ``stop()`` is true.
        """
        ordered = self._ordered(sort)
        index = self._searcher()
        key = (sort, self._search_version)
        candidates: Sequence[int]
        if within is None:
            candidates = range(len(ordered))
        elif isinstance(within, Matches) and within.key == key:
            candidates = within.positions
        else:
            candidates = index.positions_of(sort, ordered, within)
        if not query.is_empty:
            candidates = index.select(
                query, sort, ordered, candidates, self._states, abstracts=abstracts, stop=stop
            )
        if limit is not None:
            candidates = candidates[:limit]
        return Matches([ordered[i] for i in candidates], key, candidates)
