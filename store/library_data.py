"""The library as loaded in memory: catalogue, abstracts and user state, kept current.

:class:`LibraryData` is what :class:`~store.library.Library` reads from and
what its writes (:mod:`store.state_writes`, :mod:`store.catalogue_writes`)
update after each save. It loads the store once and re-loads only what
another process changed.

Abstracts are most of a library's bytes and few commands need them, so the
papers in memory carry none: :meth:`LibraryData.abstract` and
:meth:`LibraryData.complete` read them, loading the abstracts file on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from store.bulk import paused_gc
from store.errors import UnknownPaperError
from store.layout import AbstractParts
from store.model import DEFAULT_STATE, Collection, Paper, UserState
from store.repository import Repository


class LibraryData:
    """The papers, collections, abstracts and user state of one store, in memory.

    Attributes:
        path: The store's main file.
        revision: Goes up whenever anything shown may have changed, so the
            reader can tell that its lists are stale.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        with paused_gc():  # opening parses the whole catalogue
            self._repo = Repository(self.path)
        self._papers: dict[str, Paper] = {}
        self._collections: dict[str, Collection] = {}
        self._states: dict[str, UserState] = {}
        # Abstracts by paper id: None until first needed. A version-1 catalogue
        # held them inline; those are kept apart until the next import moves them.
        self._abstracts: dict[str, str] | None = None
        self._inline_abstracts: dict[str, str] = {}
        self._abstract_parts = AbstractParts()
        self._abstracts_lock = threading.Lock()
        # Goes up with every catalogue or abstracts change: sort orders and the
        # search index are kept per version.
        self._catalogue_version = 0
        self.revision = 0
        self._load_catalogue()
        self._states = self._repo.load_states()

    # -- loading ---------------------------------------------------------------

    def _load_catalogue(self) -> None:
        """Read the catalogue file afresh; abstracts are read again on next use."""
        with paused_gc():
            catalogue = self._repo.load_catalogue()
            papers = catalogue.papers
            inline = {paper.id: paper.abstract for paper in papers if paper.abstract}
            if inline:
                papers = [p.with_abstract("") if p.abstract else p for p in papers]
            self._papers = {paper.id: paper for paper in papers}
            self._collections = {c.name: c for c in catalogue.collections}
            self._abstract_parts = catalogue.abstract_parts
        self._inline_abstracts = inline
        self._abstracts = None  # an import rewrites both files: read them afresh
        self._catalogue_version += 1
        self.revision += 1

    def refresh(self) -> bool:
        """Pick up changes another process wrote; True when anything changed."""
        changed = False
        if self._repo.catalogue_changed():
            self._load_catalogue()
            changed = True
        elif self._abstracts is not None and self._repo.abstracts_changed():
            self._abstracts = None
            self._catalogue_version += 1
            self.revision += 1
            changed = True
        if self._repo.state_changed():
            self._states = self._repo.load_states()
            self.revision += 1
            changed = True
        return changed

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
        """True once abstracts can be read without touching the disk."""
        return self._abstracts is not None

    def load_abstracts(self) -> None:
        """Read the abstracts now (the reader does it off its UI thread after start)."""
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

    def abstract(self, paper_id: str) -> str:
        """The paper's abstract ("" when it has none)."""
        return self._abstract_map().get(paper_id, "")

    def complete(self, paper: Paper) -> Paper:
        """The paper with its abstract, as exports, ``show`` and the reader's pane need it."""
        text = self._abstract_map().get(paper.id, "")
        return paper.with_abstract(text) if text else paper

    def complete_all(self, papers: Iterable[Paper]) -> list[Paper]:
        """:meth:`complete` for many papers."""
        abstracts = self._abstract_map()
        return [
            paper.with_abstract(abstracts[paper.id]) if paper.id in abstracts else paper
            for paper in papers
        ]
