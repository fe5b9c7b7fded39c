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
from dataclasses import replace
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

from store.backups import restore
from store.bulk import paused_gc
from store.errors import FormatError, PaperReaderError, UnknownPaperError
from store.layout import AbstractParts
from store.merging import ImportSummary, merge_import
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
from store.repository import Repository
from store.search_index import Matches, SearchIndex
from store.text import clean_line, clean_text, is_printable
from store.undo import PaperChange, StateChange, UndoOutcome, take_back

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
    target = Path(path).expanduser() if path is not None else default_store_path()
    return restore(target, force=force, empty_state=empty_state)


def now_iso() -> str:
    """The current UTC time, to the second, as stored in ``added_at`` and friends."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


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
        self._abstract_parts = AbstractParts()
        self._abstracts_lock = threading.Lock()
        self._search_index: SearchIndex | None = None
        self._search_version = -1
        self._orders: dict[tuple[str, int], list[Paper]] = {}
        self._catalogue_version = 0
        self.revision = 0
        self._load_catalogue()
        self._states = self._repo.load_states()

    # -- loading ---------------------------------------------------------------

    def _load_catalogue(self) -> None:
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
        dry_run: bool = False,
        on_placed: Callable[[], None] | None = None,
    ) -> ImportSummary:
        """Merge an importer's records into the library as one transaction.

        Each record is decided by the rules of :mod:`store.identity` (see
        :func:`~store.merging.merge_import`): merged papers keep their id and
        the user's state; new ones get a citation key. With ``strict`` any
        warning (the importer's or an identity notice) refuses the whole
        input; with ``dry_run`` nothing is written. Nothing is written when
        nothing changed. ``on_placed`` is called as each record is decided.
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
                return self._merge_and_save(
                    result,
                    source=source,
                    collection=collection,
                    strict=strict,
                    dry_run=dry_run,
                    on_placed=on_placed,
                )

    def _merge_and_save(
        self,
        result: ImportResult,
        *,
        source: str,
        collection: str | None,
        strict: bool,
        dry_run: bool,
        on_placed: Callable[[], None] | None = None,
    ) -> ImportSummary:
        stamp = now_iso()
        if collection:
            result = replace(
                result,
                papers=[
                    replace(p, collections={collection: min(p.collections.values(), default=0)})
                    for p in result.papers
                ],
            )
        source_collection = result.collection
        name = collection or (source_collection.name if source_collection else None)
        outcome = merge_import(
            result,
            papers=self._papers,
            abstracts=self._abstract_map(),
            states=self._states,
            source=name,
            stamp=stamp,
            on_placed=on_placed,
        )
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

        summary = outcome.summary
        if strict and summary.warnings:
            first = summary.warnings[0]
            raise FormatError(
                f"{len(summary.warnings)} warning(s) with --strict: {first.message}", first.line
            )
        papers, abstracts, state_changes = outcome.papers, outcome.abstracts, outcome.state_changes
        # Aliases recorded on a re-import change the catalogue without changing a paper's fields.
        catalogue_changed = outcome.catalogue_changed or papers != self._papers
        if dry_run:
            return summary
        if state_changes and not (catalogue_changed or collection_changed):
            # save_library keeps the state's .bak itself, with the catalogue's.
            self._repo.backup_state()
        if catalogue_changed or collection_changed:
            # Catalogue and abstracts land together or not at all.
            parts = self._repo.save_library(
                list(papers.values()), list(collections.values()), abstracts
            )
            self._abstract_parts = parts
            self._papers, self._collections = papers, collections
            self._abstracts, self._inline_abstracts = abstracts, {}
            self._catalogue_version += 1
            self.revision += 1
        if state_changes:
            self._repo.save_states(state_changes)
            self._states.update(state_changes)
            self.revision += 1
        return summary

    # -- changing user state ---------------------------------------------------

    def _write_states(self, states: dict[str, UserState]) -> None:
        """Save these papers' new states (callers hold the lock and have refreshed)."""
        self._repo.save_states(states)
        for paper_id, state in states.items():
            if state.is_default:
                self._states.pop(paper_id, None)
            else:
                self._states[paper_id] = state
        if states:
            self.revision += 1

    def _change_states(
        self, ids: Iterable[str], change: Callable[[str, UserState], UserState]
    ) -> StateChange:
        """Apply ``change`` to each paper's state in one locked write.

        Returns what changed (only papers whose state differs afterwards),
        which is what :meth:`undo` takes back.
        """
        ids = list(dict.fromkeys(ids))
        with self._repo.locked():
            self.refresh()  # another process may have imported the paper meanwhile
            for paper_id in ids:
                self.get(paper_id)
            previous = {pid: self.state(pid) for pid in ids}
            changes = {pid: change(pid, previous[pid]) for pid in ids}
            changes = {pid: state for pid, state in changes.items() if state != previous[pid]}
            self._write_states(changes)
        return StateChange({pid: PaperChange(previous[pid], changes[pid]) for pid in changes})

    def set_status(self, ids: Iterable[str], status: ReadingStatus) -> StateChange:
        """Set the reading status; returns what changed, for undo."""
        stamp = now_iso()

        def change(_pid: str, state: UserState) -> UserState:
            if state.status is status:
                return state
            return replace(state, status=status, status_changed_at=stamp)

        return self._change_states(ids, change)

    def set_starred(self, ids: Iterable[str], starred: bool) -> StateChange:
        """Star or unstar; returns what changed, for undo."""
        return self._change_states(ids, lambda _pid, state: replace(state, starred=starred))

    def change_tags(
        self, ids: Iterable[str], add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> StateChange:
        """Add and remove tags; returns what changed, for undo."""
        to_add = [tag.strip() for tag in add if tag.strip()]
        to_remove = {tag.strip() for tag in remove}

        def change(_pid: str, state: UserState) -> UserState:
            tags = [tag for tag in state.tags if tag not in to_remove]
            tags += [tag for tag in to_add if tag not in tags]
            return replace(state, tags=tuple(tags))

        return self._change_states(ids, change)

    def set_note(self, paper_id: str, note: str) -> StateChange:
        """Replace a paper's note; returns what changed, for undo."""
        return self._change_states([paper_id], lambda _pid, state: replace(state, note=note))

    def undo(self, change: StateChange) -> UndoOutcome:
        """Take back ``change`` only where it still holds (see :mod:`store.undo`).

        Done under the store lock after picking up other processes' writes, so
        a field another process set after ``change`` is seen and kept. Papers
        no longer in the catalogue count as changed elsewhere.
        """
        with self._repo.locked():
            self.refresh()
            states, outcome = take_back(
                change, lambda pid: self.state(pid) if pid in self._papers else None
            )
            self._write_states(states)
        return outcome

    def close(self) -> None:
        """Drop cached data; nothing needs flushing because every change is written."""
        self._repo.close()

    # -- sources: fetched papers and enrichment ----------------------------------

    def mark_new(self, ids: Iterable[str]) -> None:
        """Flag papers a fetch brought in as new (``is:new``); nothing else changes."""
        self._change_states(ids, lambda _pid, state: replace(state, new=True))

    def mark_seen(self, ids: Iterable[str]) -> StateChange:
        """Clear the new flag (the cursor rested on the paper); returns what changed.

        Papers that are not new cost nothing: no lock is taken, nothing is written.
        """
        flagged = [pid for pid in ids if self.state(pid).new]
        if not flagged:
            return StateChange()
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
            # Catalogue and abstracts land together (save_library keeps the .bak set).
            parts = self._repo.save_library(
                list(papers.values()), list(self._collections.values()), abstracts
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
    # The abstract's text is not scanned, but its type is: a number there would
    # reach the abstracts file as a number and read back as damage.
    return flags_are_bool and type(paper.abstract) is str and is_printable(fields)


def _sanitized_paper(paper: Paper) -> Paper:
    if _is_clean(paper):
        return paper
    # Field name -> new value; the value's type depends on the field (replace() checks names).
    changes: dict[str, Any] = {}
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
