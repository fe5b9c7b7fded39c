"""The store's API: what the command line and the reader ask of the library.

A :class:`Library` holds the catalogue and the user state in memory (loaded
once; re-loaded only when another process changed the files) and turns every
change into one locked, atomic write through :class:`Repository`.

Abstracts are most of a library's bytes and few commands need them, so the
papers in memory carry none: :meth:`Library.abstract` and
:meth:`Library.complete` read them, loading the abstracts file on first use.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path

from store.bulk import paused_gc
from store.errors import FormatError, UnknownPaperError
from store.identity import base_key, identity_keys, unique_key
from store.model import (
    DEFAULT_STATE,
    Collection,
    DatePrecision,
    ImportResult,
    Paper,
    ReadingStatus,
    UserState,
)
from store.query import Query
from store.repository import Repository, restore_backups
from store.search_index import Matches, SearchIndex
from store.text import clean_line, clean_text, is_printable

SORT_KEYS = ("date", "title", "added", "rank")
_UNREAD = ReadingStatus.UNREAD
_LINE_FIELDS = (
    "id",
    "title",
    "category",
    "date",
    "url",
    "code_url",
    "arxiv_id",
    "doi",
    "venue",
    "added_at",
    "kind",
)
_line_fields = attrgetter(*_LINE_FIELDS)
_PRECISION_RANK = {None: 0, DatePrecision.YEAR: 1, DatePrecision.MONTH: 2, DatePrecision.DAY: 3}


def default_store_path() -> Path:
    """``PAPER_READER_DB`` when set, else the platform's user data folder."""
    env = os.environ.get("PAPER_READER_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("paper-reader")) / "library.json"


def restore_from_backups(path: Path | str | None = None) -> list[str]:
    """Bring a damaged store back from the copies kept before the last import.

    Returns one line per thing done (files moved aside, files restored);
    raises :class:`~store.errors.StoreError` when there is no usable backup.
    """
    target = Path(path).expanduser() if path is not None else default_store_path()
    return restore_backups(target)


def now_iso() -> str:
    """The current UTC time, to the second, as stored in ``added_at`` and friends."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import did, in the words the command line prints."""

    added: int
    updated: int
    unchanged: int
    warnings: int
    collection: str | None = None

    def __str__(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, "
            f"unchanged {self.unchanged}, warnings {self.warnings}"
        )


def merge_papers(existing: Paper, incoming: Paper) -> Paper:
    """The same paper seen again: richer fields fill gaps, nothing is erased.

    A re-import of the same reading list may correct fields (its values win);
    another source only fills what is missing, so a BibTeX file cannot rename
    a paper the arXiv feed titled. The stored id and ``added_at`` never change;
    collections are united. A truncated author list never replaces a complete
    one, and a date only gives way to one at least as precise.
    """
    same_source = bool(incoming.collections) and set(incoming.collections) <= set(
        existing.collections
    )
    changes: dict[str, object] = {}
    for name in (
        "title",
        "abstract",
        "category",
        "url",
        "code_url",
        "arxiv_id",
        "doi",
        "venue",
        "affiliations",
        "categories",
        "kind",
    ):
        value = getattr(incoming, name)
        current = getattr(existing, name)
        if value and value != current and (same_source or not current):
            changes[name] = value
    authors_richer = bool(incoming.authors) and (
        not existing.authors
        or (existing.authors_truncated and not incoming.authors_truncated)
        or (existing.authors_truncated and len(incoming.authors) > len(existing.authors))
        or (same_source and (existing.authors_truncated or not incoming.authors_truncated))
    )
    if authors_richer and (incoming.authors, incoming.authors_truncated) != (
        existing.authors,
        existing.authors_truncated,
    ):
        changes["authors"] = incoming.authors
        changes["authors_truncated"] = incoming.authors_truncated
    incoming_rank = _PRECISION_RANK[incoming.date_precision]
    existing_rank = _PRECISION_RANK[existing.date_precision]
    date_as_precise = bool(incoming.date) and (
        not existing.date
        or incoming_rank > existing_rank
        or (same_source and incoming_rank == existing_rank)
    )
    if date_as_precise and (incoming.date, incoming.date_precision) != (
        existing.date,
        existing.date_precision,
    ):
        changes["date"] = incoming.date
        changes["date_precision"] = incoming.date_precision
    if incoming.has_code and not existing.has_code:
        changes["has_code"] = True
    merged_extra = (
        {**existing.extra, **incoming.extra}
        if same_source
        else {**incoming.extra, **existing.extra}
    )
    if merged_extra != existing.extra:
        changes["extra"] = merged_extra
    merged_collections = {**existing.collections, **incoming.collections}
    if merged_collections != existing.collections:
        changes["collections"] = merged_collections
    return replace(existing, **changes) if changes else existing


class Library:
    """The papers, collections and user state of one store, and every change to them."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_store_path()
        with paused_gc():  # opening parses the whole catalogue
            self._repo = Repository(self.path)
        self._papers: dict[str, Paper] = {}
        self._collections: dict[str, Collection] = {}
        self._states: dict[str, UserState] = {}
        # Abstracts by paper id: None until first needed. A version-1 catalogue
        # held them inline; those are kept apart until the next import moves them.
        self._abstracts: dict[str, str] | None = None
        self._inline_abstracts: dict[str, str] = {}
        self._abstract_parts = 0
        self._abstracts_lock = threading.Lock()
        self._search_index: SearchIndex | None = None
        self._search_version = -1
        self._index: dict[str, str] = {}
        self._index_version = -1
        self._orders: dict[tuple[str, int], list[Paper]] = {}
        self._catalogue_version = 0
        self.revision = 0
        self._load_catalogue()
        self._states = self._repo.load_states()

    # -- loading ---------------------------------------------------------------

    def _load_catalogue(self) -> None:
        with paused_gc():
            papers = self._repo.load_papers()
            inline = {paper.id: paper.abstract for paper in papers if paper.abstract}
            if inline:
                papers = [p.with_abstract("") if p.abstract else p for p in papers]
            self._papers = {paper.id: paper for paper in papers}
            self._collections = {c.name: c for c in self._repo.load_collections()}
            self._abstract_parts = self._repo.load_abstract_part_count()
            self._repo.forget_catalogue()
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

    # -- reading ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._papers)

    def papers(self) -> list[Paper]:
        """Every paper, in the order first added."""
        return list(self._papers.values())

    @property
    def abstracts_loaded(self) -> bool:
        """True once abstracts can be read without touching the disk."""
        return self._abstracts is not None

    def load_abstracts(self) -> None:
        """Read the abstracts now (the reader does it off its UI thread after start)."""
        self._abstract_map()

    def _abstract_map(self) -> dict[str, str]:
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
        if isinstance(papers, Matches):
            sort, version = papers.key  # type: ignore[misc]
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

    def _identity_index(self) -> dict[str, str]:
        """Identity key (arXiv id, DOI, title) → paper id, kept until the catalogue changes."""
        if self._index_version != self._catalogue_version:
            index: dict[str, str] = {}
            for paper in self._papers.values():
                for key in identity_keys(paper):
                    index.setdefault(key, paper.id)
            self._index, self._index_version = index, self._catalogue_version
        return self._index

    def _searcher(self) -> SearchIndex:
        """The search index of the current catalogue (a new one after each change)."""
        index = self._search_index
        if index is None or self._search_version != self._catalogue_version:
            index = self._search_index = SearchIndex(self._papers, self._abstract_map)
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

    # -- importing -------------------------------------------------------------

    def import_result(
        self,
        result: ImportResult,
        *,
        source: str = "",
        collection: str | None = None,
        strict: bool = False,
    ) -> ImportSummary:
        """Merge an importer's papers into the library as one transaction.

        Papers already present (same arXiv id, DOI or title + year) are
        merged and keep their id and the user's state; new ones get a
        citation key. Nothing is written when nothing changed.
        """
        if strict and result.warnings:
            first = result.warnings[0]
            raise FormatError(
                f"{len(result.warnings)} warning(s) with --strict: {first.message}", first.line
            )
        with paused_gc():
            result = sanitized(result)
            with self._repo.locked():
                self.refresh()
                return self._merge_and_save(result, source=source, collection=collection)

    def _merge_and_save(
        self, result: ImportResult, *, source: str, collection: str | None
    ) -> ImportSummary:
        stamp = now_iso()
        original = self._papers
        papers = dict(original)
        abstracts = dict(self._abstract_map())
        abstracts_changed: set[str] = set()
        index = dict(self._identity_index())
        source_collection = result.collection
        name = collection or (source_collection.name if source_collection else None)
        added = 0
        next_suffix: dict[str, int] = {}
        seen_existing: set[str] = set()
        state_changes: dict[str, UserState] = {}
        for incoming in result.papers:
            if collection:
                ranks = incoming.collections.values()
                incoming = replace(incoming, collections={collection: min(ranks, default=0)})
            keys = identity_keys(incoming)
            match = next((index[k] for k in keys if k in index), None)
            if match is not None:
                text = abstracts.get(match, "")
                existing = papers[match].with_abstract(text) if text else papers[match]
                merged = merge_papers(existing, incoming)
                if merged.abstract != text:
                    abstracts[match] = merged.abstract
                    abstracts_changed.add(match)
                papers[match] = merged.with_abstract("") if merged.abstract else merged
                if match in original:
                    seen_existing.add(match)
                paper_id = match
                keys = identity_keys(papers[match])  # a merge may add an arXiv id or DOI
            else:
                wanted = incoming.id if result.keep_ids and incoming.id else base_key(incoming)
                paper_id = unique_key(wanted, papers.__contains__, next_suffix.get(wanted, 0))
                next_suffix[wanted] = next_suffix.get(wanted, 0) + 1
                papers[paper_id] = incoming.catalogued(paper_id, incoming.added_at or stamp)
                if incoming.abstract:
                    abstracts[paper_id] = incoming.abstract
                added += 1
            for key in keys:
                index.setdefault(key, paper_id)
            incoming_state = result.states.get(incoming.id)
            if incoming_state is not None and incoming_state != self.state(paper_id):
                state_changes[paper_id] = incoming_state
        updated = sum(
            1 for pid in seen_existing if papers[pid] != original[pid] or pid in abstracts_changed
        )
        unchanged = len(seen_existing) - updated

        collections = dict(self._collections)
        collection_changed = False
        if name is not None:
            previous = collections.get(name)
            fresh = Collection(
                name=name,
                source=source or (source_collection.source if source_collection else ""),
                imported_at=stamp,
                declared_count=source_collection.declared_count if source_collection else None,
                metrics=dict(source_collection.metrics) if source_collection else {},
            )
            if previous is None or replace(previous, imported_at=stamp) != fresh:
                collections[name] = fresh
                collection_changed = True

        for extra in result.collections:
            if extra.name not in collections:
                collections[extra.name] = extra
                collection_changed = True

        if added or updated or collection_changed or state_changes:
            # The pair of .bak files is the last good store (both were just read).
            self._repo.backup_state()
        if added or updated or collection_changed:
            # Every catalogue write comes with all abstract parts, so the .bak
            # files of both always belong to the same import (see restore).
            parts = self._repo.save_abstracts(abstracts, len(papers))
            self._repo.save_catalogue(list(papers.values()), list(collections.values()), parts)
            self._abstract_parts = parts
            self._papers, self._collections = papers, collections
            self._abstracts, self._inline_abstracts = abstracts, {}
            self._catalogue_version += 1
            self._index, self._index_version = index, self._catalogue_version
            self.revision += 1
        if state_changes:
            self._repo.save_states(state_changes)
            self._states.update(state_changes)
            self.revision += 1
        return ImportSummary(added, updated, unchanged, len(result.warnings), name)

    # -- changing user state ---------------------------------------------------

    def _change_states(
        self, ids: Iterable[str], change: Callable[[str, UserState], UserState]
    ) -> dict[str, UserState]:
        """Apply ``change`` to each paper's state in one locked write.

        Returns the states before the change (only of papers that changed),
        which is exactly what :meth:`restore_states` needs to undo it.
        """
        ids = list(dict.fromkeys(ids))
        with self._repo.locked():
            self.refresh()  # another process may have imported the paper meanwhile
            for paper_id in ids:
                self.get(paper_id)
            previous = {pid: self.state(pid) for pid in ids}
            changes = {pid: change(pid, previous[pid]) for pid in ids}
            changes = {pid: state for pid, state in changes.items() if state != previous[pid]}
            self._repo.save_states(changes)
            for paper_id, state in changes.items():
                if state.is_default:
                    self._states.pop(paper_id, None)
                else:
                    self._states[paper_id] = state
            if changes:
                self.revision += 1
        return {pid: previous[pid] for pid in changes}

    def set_status(self, ids: Iterable[str], status: ReadingStatus) -> dict[str, UserState]:
        """Set the reading status; returns the states before, for undo."""
        stamp = now_iso()

        def change(_pid: str, state: UserState) -> UserState:
            if state.status is status:
                return state
            return replace(state, status=status, status_changed_at=stamp)

        return self._change_states(ids, change)

    def set_starred(self, ids: Iterable[str], starred: bool) -> dict[str, UserState]:
        """Star or unstar; returns the states before, for undo."""
        return self._change_states(ids, lambda _pid, state: replace(state, starred=starred))

    def change_tags(
        self, ids: Iterable[str], add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> dict[str, UserState]:
        """Add and remove tags; returns the states before, for undo."""
        to_add = [tag.strip() for tag in add if tag.strip()]
        to_remove = {tag.strip() for tag in remove}

        def change(_pid: str, state: UserState) -> UserState:
            tags = [tag for tag in state.tags if tag not in to_remove]
            tags += [tag for tag in to_add if tag not in tags]
            return replace(state, tags=tuple(tags))

        return self._change_states(ids, change)

    def set_note(self, paper_id: str, note: str) -> dict[str, UserState]:
        """Replace a paper's note; returns the state before, for undo."""
        return self._change_states([paper_id], lambda _pid, state: replace(state, note=note))

    def restore_states(self, states: dict[str, UserState]) -> dict[str, UserState]:
        """Put states back as they were (undo); returns the states it replaced."""
        return self._change_states(states, lambda pid, _state: states[pid])

    def close(self) -> None:
        """Drop cached data; nothing needs flushing because every change is written."""
        self._repo.close()

    # -- sources: fetched papers and enrichment ----------------------------------

    def mark_new(self, ids: Iterable[str]) -> None:
        """Flag papers a fetch brought in as new (``is:new``); nothing else changes."""
        self._change_states(ids, lambda _pid, state: replace(state, new=True))

    def mark_seen(self, ids: Iterable[str]) -> dict[str, UserState]:
        """Clear the new flag (the cursor rested on the paper); returns the states before.

        Papers that are not new cost nothing: no lock is taken, nothing is written.
        """
        flagged = [pid for pid in ids if self.state(pid).new]
        if not flagged:
            return {}
        return self._change_states(flagged, lambda _pid, state: replace(state, new=False))

    def revise_papers(
        self,
        ids: Iterable[str],
        revise: Callable[[Paper], Paper],
        *,
        before_write: Callable[[dict[str, tuple[Paper, Paper]]], None] | None = None,
    ) -> dict[str, tuple[Paper, Paper]]:
        """Change catalogue fields of some papers in one locked write (enrichment, its undo).

        ``revise`` is called under the lock with each paper as it is on disk
        now, abstract included, and returns the paper as it should be (same
        id; user state is not a paper field, so it cannot change here).
        ``before_write`` sees every (before, after) pair before the catalogue
        is written, for a log that must exist whenever the change does.
        Returns those pairs (papers ``revise`` left equal are not in it).
        """
        with paused_gc(), self._repo.locked():
            self.refresh()
            changes: dict[str, tuple[Paper, Paper]] = {}
            for paper_id in dict.fromkeys(ids):
                before = self.complete(self.get(paper_id))
                after = revise(before)
                if after.id != paper_id:
                    raise ValueError(f"revise changed the id of {paper_id!r}")
                if after != before:
                    changes[paper_id] = (before, after)
            if not changes:
                return changes
            if before_write is not None:
                before_write(changes)
            papers = dict(self._papers)
            abstracts = dict(self._abstract_map())
            for paper_id, (_before, after) in changes.items():
                abstracts[paper_id] = after.abstract
                papers[paper_id] = after.with_abstract("") if after.abstract else after
            self._repo.backup_state()  # the .bak pair stays the last good store
            parts = self._repo.save_abstracts(abstracts, len(papers))
            self._repo.save_catalogue(
                list(papers.values()), list(self._collections.values()), parts
            )
            self._abstract_parts = parts
            self._papers, self._abstracts, self._inline_abstracts = papers, abstracts, {}
            self._catalogue_version += 1
            self.revision += 1
            return changes


def _line(value: object) -> str:
    """A single-line text field, whatever an importer put there."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    # isprintable() is False for every control, escape, bidi and surrogate
    # character, and costs far less than cleaning a string that is clean.
    return text if is_printable(text) else clean_line(text)


def _text(value: object) -> str:
    """A multi-line text field (abstract, note), whatever an importer put there."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    if is_printable(text.replace("\n", " ").replace("\t", " ")):
        return text
    return clean_text(text)


def _is_clean(paper: Paper) -> bool:
    # One check over all the short fields; the abstract is left out because
    # scanning it would cost more than the rest of an import's per-paper work,
    # and every place that shows it cleans it (render.py, ``show``).
    try:
        fields = " ".join(
            (
                *_line_fields(paper),
                *paper.authors,
                *paper.affiliations,
                *paper.categories,
                *paper.collections,
                *paper.extra,
                *paper.extra.values(),
            )
        )
    except TypeError:  # a value that is not text: let the slow path look
        return False
    flags_are_bool = type(paper.has_code) is bool and type(paper.authors_truncated) is bool
    return flags_are_bool and is_printable(fields)


def _sanitized_paper(paper: Paper) -> Paper:
    if _is_clean(paper):
        return paper
    changes: dict[str, object] = {}
    for name in ("has_code", "authors_truncated"):
        if type(getattr(paper, name)) is not bool:
            changes[name] = bool(getattr(paper, name))
    for name in _LINE_FIELDS:
        value = getattr(paper, name)
        if _line(value) != value:
            changes[name] = _line(value)
    for name in ("authors", "affiliations", "categories"):
        values = getattr(paper, name)
        cleaned = tuple(_line(value) for value in values)
        if cleaned != values:
            changes[name] = cleaned
    if _text(paper.abstract) != paper.abstract:
        changes["abstract"] = _text(paper.abstract)
    collections = {_line(name): rank for name, rank in paper.collections.items()}
    if collections != paper.collections:
        changes["collections"] = collections
    extra = {_line(key): _text(value) for key, value in paper.extra.items()}
    if extra != paper.extra:
        changes["extra"] = extra
    return replace(paper, **changes) if changes else paper


def _sanitized_state(state: UserState) -> UserState:
    return replace(
        state,
        tags=tuple(_line(tag) for tag in state.tags),
        note=_text(state.note),
        status_changed_at=_line(state.status_changed_at),
    )


def _sanitized_collection(collection: Collection) -> Collection:
    return replace(
        collection,
        name=_line(collection.name),
        source=_line(collection.source),
        metrics={_line(key): _line(value) for key, value in collection.metrics.items()},
    )


def sanitized(result: ImportResult) -> ImportResult:
    """The result with control and escape characters removed from every text field.

    Importers clean what they read; this is the one gate every format passes,
    so a field an importer forgot (a tag, a date, a collection name) still
    never brings a terminal escape into the store, where the reader and the
    command line would show it; a value of the wrong type (a number for a
    title) is stored as text, so nothing downstream trips on it. Clean input
    is only checked, which is cheap.
    """
    return replace(
        result,
        papers=[_sanitized_paper(paper) for paper in result.papers],
        collection=_sanitized_collection(result.collection) if result.collection else None,
        states={_line(key): _sanitized_state(state) for key, state in result.states.items()},
        collections=[_sanitized_collection(c) for c in result.collections],
    )


def sort_papers(papers: list[Paper], sort: str) -> list[Paper]:
    """Papers in the order the user asked for.

    ``date`` is newest first; ``added`` is most recently added first; ``rank``
    is page order within the paper's first collection; ``title`` is A to Z.
    """
    if sort == "title":
        return sorted(papers, key=lambda p: p.title.casefold())
    if sort == "added":
        return sorted(papers, key=attrgetter("added_at"), reverse=True)
    if sort == "rank":
        return sorted(papers, key=lambda p: min(p.collections.values(), default=1 << 30))
    return sorted(papers, key=attrgetter("date"), reverse=True)
