"""The library as loaded in memory: catalogue, abstracts and user state, kept current.

:class:`LibraryData` is what :class:`~store.library.Library` reads from and
what its writes (:mod:`store.state_writes`, :mod:`store.catalogue_writes`)
update after each save. It loads the store once and re-loads only what
another process changed.

Abstracts are most of a library's bytes and few commands need them, so the
papers in memory carry none: :meth:`LibraryData.abstract` and
:meth:`LibraryData.complete` read them, from the abstract parts on first use,
or, once a search has needed it, from the full text (:mod:`store.full_text`),
which a large library maps from a cache file instead of holding.

Threads: the reader writes from one thread while its UI thread reads and
refreshes. Maps other threads may be reading are never changed in place; a
new one is swapped in. Reading the store files (:meth:`LibraryData.refresh`)
and a write's read-modify-write hold ``_io``, and the user states shown
(those written, with the edits not yet written applied on top) are swapped
under ``_shown_lock``, which is never held while waiting on the disk.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Mapping, Sequence
from operator import attrgetter
from pathlib import Path

from store.bulk import paused_gc
from store.errors import UnknownPaperError
from store.full_text import (
    SEARCH_ORDER,
    FullText,
    build_in_child,
    cache_path,
    kept_in_file,
    signature,
)
from store.layout import AbstractParts
from store.locking import LOCK_TIMEOUT_S
from store.model import DEFAULT_STATE, Collection, Paper, UserState
from store.repository import Repository
from store.sorting import sort_papers
from store.state_edits import StateEdit, overlaid

_id_of = attrgetter("id")
_abstract_of = attrgetter("abstract")


class LibraryData:
    """The papers, collections, abstracts and user state of one store, in memory.

    Attributes:
        path: The store's main file.
        revision: Goes up whenever anything shown may have changed, so the
            reader can tell that its lists are stale.
    """

    def __init__(self, path: Path, *, lock_timeout: float = LOCK_TIMEOUT_S) -> None:
        """``lock_timeout``: how long a write waits for another holder of the store lock."""
        self.path = path
        with paused_gc():  # opening parses the whole catalogue
            self._repo = Repository(self.path, lock_timeout=lock_timeout)
        self._papers: dict[str, Paper] = {}
        self._collections: dict[str, Collection] = {}
        # The user states as shown: those on disk with the pending edits applied.
        self._states: dict[str, UserState] = {}
        # As last read or written, and the edits shown but not yet written, by token.
        self._written: dict[str, UserState] = {}
        self._pending: dict[int, StateEdit] = {}
        self._io = threading.RLock()
        self._shown_lock = threading.Lock()
        # Abstracts by paper id: None until first needed. A version-1 catalogue
        # held them inline; those are kept apart until the next import moves them.
        self._abstracts: dict[str, str] | None = None
        self._inline_abstracts: dict[str, str] = {}
        self._abstract_parts = AbstractParts()
        self._abstracts_lock = threading.Lock()
        # The full text (folded for search, and as written) and the catalogue
        # version it is of; made by one thread at a time (see full_text).
        self._full: tuple[int, FullText] | None = None
        self._full_text_lock = threading.Lock()
        # Goes up with every catalogue or abstracts change: sort orders and the
        # search index are kept per version.
        self._catalogue_version = 0
        self.revision = 0
        # How many refreshes found something changed (a write that found one shows it).
        self.changes_seen = 0
        self._load_catalogue()
        self._set_written(self._repo.load_states())

    # -- loading ---------------------------------------------------------------

    def _load_catalogue(self) -> None:
        """Read the catalogue file afresh; abstracts are read again on next use."""
        with paused_gc():
            catalogue = self._repo.load_catalogue()
            papers = catalogue.papers
            inline: dict[str, str] = {}
            if any(map(_abstract_of, papers)):  # only a version-1 catalogue has any
                inline = {paper.id: paper.abstract for paper in papers if paper.abstract}
                papers = [p.with_abstract("") if p.abstract else p for p in papers]
            # Built in C: a comprehension over 100,000 papers costs three times as much.
            self._papers = dict(zip(map(_id_of, papers), papers, strict=True))
            self._collections = {c.name: c for c in catalogue.collections}
            self._abstract_parts = catalogue.abstract_parts
            # The papers live as long as the library and hold no cycles: out of
            # the collector's sight, the first allocation after this block does
            # not set off a full walk of them (0.1 s at 100,000 papers).
            gc.freeze()
        self._inline_abstracts = inline
        self._abstracts = None  # an import rewrites both files: read them afresh
        self._catalogue_version += 1
        self._bump()

    def refresh(self) -> bool:
        """Pick up changes another process wrote; True when anything changed."""
        with self._io:
            changed = False
            if self._repo.catalogue_changed():
                self._load_catalogue()
                self._set_written()  # pending edits of papers now gone
                changed = True
            elif self._abstracts is not None and self._repo.abstracts_changed():
                self._abstracts = None
                self._catalogue_version += 1
                self._bump()
                changed = True
            if self._repo.state_changed():
                self._set_written(self._repo.load_states())
                changed = True
            if changed:
                self.changes_seen += 1
            return changed

    # -- the states shown ------------------------------------------------------

    def _bump(self) -> None:
        """Say that what is shown may have changed (two threads may bump at once)."""
        with self._shown_lock:
            self.revision += 1

    def _set_written(
        self,
        written: dict[str, UserState] | None = None,
        *,
        add: tuple[int, StateEdit] | None = None,
        settle: int | None = None,
    ) -> None:
        """Swap in new states as on disk and the pending edits, and what they show.

        ``written``: None keeps those (read under the lock: another thread may
        be swapping them). ``add`` a pending edit under its token; ``settle``
        drops one (written or failed).
        """
        with self._shown_lock:
            if written is None:
                written = self._written
            pending = self._pending
            if add is not None or (settle is not None and settle in pending):
                pending = dict(pending)
                if add is not None:
                    pending[add[0]] = add[1]
                if settle is not None:
                    pending.pop(settle, None)
            # One assignment: a reader sees the edit applied or written, never neither.
            self._states = overlaid(written, pending.values(), self._papers)
            self._written, self._pending = written, pending
            self.revision += 1

    def close(self) -> None:
        """Drop cached data; nothing needs flushing because every change is written."""
        self._repo.close()

    # -- reading ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._papers)

    def papers(self) -> list[Paper]:
        """Every paper, in the order first added."""
        return list(self._papers.values())

    def collections(self) -> list[Collection]:
        """Every collection, in the order first imported."""
        return list(self._collections.values())

    def get(self, paper_id: str) -> Paper:
        """The paper with this id; raises :class:`UnknownPaperError`."""
        try:
            return self._papers[paper_id]
        except KeyError:
            raise UnknownPaperError(paper_id) from None

    def state(self, paper_id: str) -> UserState:
        """The user's state for this paper (the default when it has none)."""
        return self._states.get(paper_id, DEFAULT_STATE)

    # -- abstracts -------------------------------------------------------------

    @property
    def abstracts_loaded(self) -> bool:
        """True once abstracts can be read without parsing the abstract parts."""
        return self._abstracts is not None or self._current_full_text() is not None

    def load_abstracts(self) -> None:
        """Make the abstracts readable now (the reader does it off its UI thread after start).

        A large library's are mapped from its full-text cache, which a child
        process writes when it is missing: the reader never holds them all.
        """
        if kept_in_file(len(self._papers)) and not self._inline_abstracts:
            self.full_text()
        else:
            self._abstract_map()

    def _abstract_map(self) -> dict[str, str]:
        """Every abstract by paper id, read from disk on first use."""
        abstracts = self._abstracts
        if abstracts is not None:
            return abstracts
        with self._abstracts_lock:  # a worker and the UI may both ask first
            if self._abstracts is None:
                with paused_gc():
                    loaded = self._repo.load_abstracts(self._abstract_parts)
                inline = self._inline_abstracts
                self._abstracts = {**inline, **loaded} if inline else loaded
            return self._abstracts

    def _texts(self) -> Mapping[str, str]:
        """The abstracts as written: those read, else the full text's, else read now."""
        abstracts = self._abstracts
        if abstracts is not None:
            return abstracts
        full = self._opened_full_text(None, make=False)  # a cache file made earlier
        return full if full is not None else self._abstract_map()

    def abstract(self, paper_id: str) -> str:
        """The paper's abstract ("" when it has none)."""
        return self._texts().get(paper_id, "")

    def complete(self, paper: Paper) -> Paper:
        """The paper with its abstract, as exports, ``show`` and the reader's pane need it."""
        text = self._texts().get(paper.id, "")
        return paper.with_abstract(text) if text else paper

    def complete_all(self, papers: Iterable[Paper]) -> list[Paper]:
        """:meth:`complete` for many papers."""
        abstracts = self._texts()
        return [
            paper.with_abstract(abstracts[paper.id]) if paper.id in abstracts else paper
            for paper in papers
        ]

    def full_text(self, order: Sequence[Paper] | None = None) -> FullText:
        """Every abstract folded for search (:mod:`store.full_text`), made on first use.

        A large library's is mapped from its cache file, written first when
        missing or stale: from the abstracts in memory if they are, else by a
        child process, so that this one never holds them all (the reader
        keeps ~130 MB less at 100,000 papers, and a command only maps what
        it prints). ``order``: the papers in the order a search reads them
        most (by date when not given).
        """
        full = self._opened_full_text(order, make=True)
        assert full is not None  # made when there is none
        return full

    def _opened_full_text(self, order: Sequence[Paper] | None, *, make: bool) -> FullText | None:
        """The full text; with ``make`` False, only one held or in a cache file already."""
        full = self._current_full_text()
        if full is not None:
            return full
        with self._full_text_lock:
            full = self._current_full_text()
            if full is None:
                version = self._catalogue_version
                full = self._make_full_text(order, make=make)
                if full is not None:
                    self._full = (version, full)
            return full

    def _current_full_text(self) -> FullText | None:
        held = self._full
        return held[1] if held is not None and held[0] == self._catalogue_version else None

    def _make_full_text(self, order: Sequence[Paper] | None, *, make: bool) -> FullText | None:
        def ids() -> list[str]:
            papers = order if order is not None else sort_papers(self.papers(), SEARCH_ORDER)
            return [paper.id for paper in papers]

        # Inline abstracts (a version-1 catalogue) are not in parts a stamp could name.
        if kept_in_file(len(self._papers)) and not self._inline_abstracts:
            parts = self._abstract_parts
            stamp = signature(parts.paths(self.path))
            if stamp is not None:
                path = cache_path(self.path)
                full = FullText.open(path, stamp)
                if full is None and make:
                    in_order = ids()
                    in_child = self._abstracts is None
                    if not (in_child and build_in_child(self.path, parts, in_order)):
                        FullText.write(path, stamp, self._abstract_map(), in_order)
                    full = FullText.open(path, stamp)
                if full is not None:
                    full.share_ids(self._papers)
                    return full
        return FullText.in_memory(self._abstract_map(), ids()) if make else None
