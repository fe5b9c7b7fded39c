"""The store's persistence API: what :class:`~store.library.Library` asks of the disk.

The library lives in several files beside ``library.json`` (see
:mod:`store.layout`) so that a status change does not rewrite every
abstract, and opening a large library does not parse them:

* the catalogue: papers (without abstracts, and without the fields a paper
  leaves at their default) and collections, written on import one paper
  a line (:mod:`store.catalogue_file`) and read when the library opens;
* the abstracts, in parts of about 10,000 papers, written on import under a
  new generation the catalogue names, read only when something needs an
  abstract (80% of the bytes);
* the user state: one small record per paper whose status, star, tags or
  note differ from the default, written per change.

Every write is atomic (:mod:`store.atomic`) and made under the store's lock
(:mod:`store.locking`); files changed by another process are re-read. An
import is one transaction: the new parts land under new names, and only the
catalogue's rename makes them the library's. A missing essential file is
damage, reported like a damaged one; nothing here ever writes over a file it
could not read. The TinyDB files are :mod:`store.tinydb_files`; backups are
taken by :mod:`store.keeping` and restored by :mod:`store.backups`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from store.atomic import commit, copy_atomically, discard, keep_aside, stage, write_atomically
from store.catalogue_file import catalogue_chunks, catalogue_of
from store.errors import StoreError
from store.keeping import keep_daily_backup, keep_state_backup
from store.layout import (
    ESSENTIAL_COMPANIONS,
    AbstractParts,
    abstract_part_count,
    abstract_part_of,
    abstract_part_path,
    backup_path,
    companion_path,
    essential_companions,
    is_store_leftover,
    missing,
    part_files,
)
from store.locking import LOCK_TIMEOUT_S, holding, lock_path, store_lock
from store.model import Collection, Paper, UserState
from store.tinydb_files import (
    KeyedTinyDB,
    abstract_parts_of,
    abstracts_of,
    collections_of,
    companions_of,
    empty_file,
    open_file,
    part_chunks,
    read_file,
    save_states,
    states_of,
    storage_of,
    with_abstract_parts,
)

# Generations start at 1; 0 names the parts of a store written before
# generations, kept (as links) with its catalogue's backup at its first import.
_FIRST_GENERATION = 1
_LEGACY_GENERATION = 0
# Another import may replace the catalogue (and drop the parts it named)
# between reading it and looking for its parts: read it again, a few times.
_LOAD_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What the catalogue file holds: papers, collections and which abstracts it reads."""

    papers: list[Paper]
    collections: list[Collection]
    abstract_parts: AbstractParts


class Repository:
    """Reads and writes papers, collections and user state; knows nothing else.

    Callers hold :meth:`locked` around a read-modify-write so that another
    process cannot interleave; inside it, :meth:`catalogue_changed` and
    :meth:`state_changed` tell whether the files changed since last loaded.
    """

    def __init__(self, path: Path, *, lock_timeout: float = LOCK_TIMEOUT_S) -> None:
        """``lock_timeout``: how long a write waits for another holder of the lock."""
        self.path = path
        self.state_path = companion_path(path, "state")
        self.lock_path = lock_path(path)
        self._catalogue = open_file(path)
        self._parts: dict[Path, KeyedTinyDB] = {}
        self._state = open_file(self.state_path)
        self._lock = store_lock(path, lock_timeout)
        # Of the catalogue last read or written: which parts it names, which
        # companion files it cannot do without.
        self._abstract_parts = AbstractParts()
        self._companions: tuple[str, ...] = ()

    @contextlib.contextmanager
    def locked(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the store's write lock (the folder is created if it is missing).

        ``timeout``: seconds to wait for another holder instead of the
        repository's own (0: do not wait); :class:`~store.locking.StoreBusy` after.

        Every writer holds this lock, so a ``.tmp`` file found while holding it
        was left by a writer that died: it is removed here, and only here (a
        reader removing it could pull it from under a live writer).
        """
        with holding(self._lock, self.path, timeout):
            with contextlib.suppress(OSError):
                for name in os.listdir(self.path.parent):
                    if is_store_leftover(self.path, name):
                        with contextlib.suppress(OSError):
                            (self.path.parent / name).unlink()
            yield

    def catalogue_changed(self) -> bool:
        """True when the catalogue file changed since this process last read it."""
        return storage_of(self._catalogue).changed_on_disk()

    def abstracts_changed(self) -> bool:
        """True when the abstract parts read last changed since this process read them."""
        return any(storage_of(db).changed_on_disk() for db in self._parts.values())

    def state_changed(self) -> bool:
        """True when the user-state file changed since this process last read it."""
        return storage_of(self._state).changed_on_disk()

    # -- reading ---------------------------------------------------------------

    def load_catalogue(self) -> Catalogue:
        """Papers (in the order first added), collections and the abstracts layout.

        A store with no catalogue is a new, empty one, unless something says
        there was one (its backup, or a state file with records): then the
        catalogue is missing, which is damage. So is a missing abstracts part
        the catalogue names, or a missing companion it was written with.
        """
        storage = storage_of(self._catalogue)
        for _attempt in range(_LOAD_ATTEMPTS):
            # Papers are built as the file is parsed; nothing of it is cached.
            read = storage.read_with(lambda raw: catalogue_of(raw, self.path))
            if read is None:
                self._check_no_catalogue_is_new()
                self._abstract_parts, self._companions = AbstractParts(), ()
                return Catalogue([], [], AbstractParts())
            tables, papers = read
            collections = collections_of(tables, self.path)
            parts = abstract_parts_of(tables, self.path)
            companions = companions_of(tables) if essential_companions(self.path) else ()
            absent = [part for part in parts.paths(self.path) if not part.exists()]
            if absent and storage.changed_on_disk():
                continue
            if absent:
                raise missing(absent[0], f"{self.path.name} names it")
            self._abstract_parts, self._companions = parts, companions
            for role, companion in essential_companions(self.path):
                if role in companions and not companion.exists():
                    raise missing(companion, f"{self.path.name} was written with it")
            return Catalogue(papers, collections, parts)
        raise StoreError(f"{self.path}: the store keeps changing while it is read; try again")

    def _check_no_catalogue_is_new(self) -> None:
        """Raise when a missing catalogue is not a new store but a lost one."""
        backup = backup_path(self.path)
        if backup.exists():
            raise missing(self.path, f"its backup {backup.name} exists")
        states = storage_of(self._state).read()
        if states and states.get("state"):
            count = len(states["state"])
            why = f"{self.state_path.name} holds the reading state of {count} paper(s)"
            raise missing(self.path, why)

    def load_abstracts(self, parts: AbstractParts) -> dict[str, str]:
        """Every paper's abstract by paper id (papers without one are absent).

        Part by part, each parsed form released before the next is read: the
        library keeps only the texts. A missing part is damage, unless a newer
        catalogue replaced the one that named it (imports elsewhere remove the
        parts no catalogue names): then the newer catalogue's parts are read,
        and the library's next refresh reads that catalogue too.
        """
        for _attempt in range(_LOAD_ATTEMPTS):
            abstracts = self._read_abstracts(parts)
            if abstracts is not None:
                return abstracts
            # Read apart from our own storage, whose signature must keep
            # saying "changed" until the library refreshes.
            tables = read_file(self.path)
            if tables is None:
                break
            parts = abstract_parts_of(tables, self.path)
        raise StoreError(f"{self.path}: the store keeps changing while it is read; try again")

    def _read_abstracts(self, parts: AbstractParts) -> dict[str, str] | None:
        """The parts' texts; None when one is gone because the catalogue changed."""
        paths = parts.paths(self.path)
        for stale in set(self._parts) - set(paths):
            self._parts.pop(stale).close()
        abstracts: dict[str, str] = {}
        for path in paths:
            db = self._parts.get(path)
            if db is None:
                db = self._parts[path] = open_file(path)
            storage = storage_of(db)
            try:
                tables = storage.read()
                if tables is None:
                    if self.catalogue_changed():
                        return None
                    raise missing(path, f"{self.path.name} names it")
                abstracts.update(abstracts_of(tables, path))
            finally:
                storage.forget()
        return abstracts

    def load_states(self) -> dict[str, UserState]:
        """User state of every paper that has any, keyed by paper id."""
        tables = storage_of(self._state).read()
        if tables is None:
            if "state" in self._companions:
                raise missing(self.state_path, f"{self.path.name} was written with it")
            return {}
        return states_of(tables, self.state_path)

    # -- writing ---------------------------------------------------------------

    def backup_state(self) -> None:
        """Keep the state file as ``library.state.json.bak`` (before an import that
        changes only states; :meth:`save_library` keeps it itself).

        Call it with the lock held and after the state was read successfully,
        so the backup is always a good copy.
        """
        keep_state_backup(self.state_path)

    def save_library(
        self, papers: list[Paper], collections: list[Collection], abstracts: Mapping[str, str]
    ) -> AbstractParts:
        """Replace catalogue and abstracts in one transaction; returns the new layout.

        Call it with the lock held, after a refresh. In order: a missing
        companion (the state, at the first import) is created empty; the
        abstracts are written as parts of a new generation (new names,
        invisible until named); the new catalogue is staged and fsynced; the
        state and the catalogue are kept as ``.bak`` (the store before this
        import); the catalogue is renamed into place, which makes the new
        parts the library's. Only then are the parts neither the catalogue
        nor its backup name removed. A failure before the rename (a full
        disk) removes what was written and leaves the previous files in
        force; a crash leaves them in force too, the new parts unnamed.
        """
        if self.catalogue_changed():
            # The parts to keep are those of the catalogue last read: it must
            # be the one on disk, or another process's import would be lost.
            raise StoreError(f"{self.path}: changed since it was read; refresh before writing")
        self._create_missing_companions()
        old = self._abstract_parts
        count = abstract_part_count(len(papers))
        generations = [f.generation for f in part_files(self.path) if f.generation is not None]
        generation = max([_FIRST_GENERATION - 1, old.generation or 0, *generations]) + 1
        layout = AbstractParts(count, generation)
        buckets: list[dict[str, str]] = [{} for _ in range(count)]
        for pid, text in abstracts.items():
            if text:
                buckets[abstract_part_of(pid, count)][pid] = text
        written: list[Path] = []
        staged: Path | None = None
        kept = old
        try:
            for number, bucket in enumerate(buckets):
                target = abstract_part_path(self.path, generation, number)
                write_atomically(target, part_chunks(bucket))
                written.append(target)
            chunks = catalogue_chunks(papers, collections, layout, ESSENTIAL_COMPANIONS)
            staged = stage(self.path, chunks)
            if self.path.exists():
                keep_state_backup(self.state_path)
                kept = self._keep_catalogue_backup(old)
            commit(staged, self.path)
            staged = None
        except BaseException as err:
            if staged is not None:
                discard(staged)
            for path in written:
                with contextlib.suppress(OSError):
                    path.unlink()
            if isinstance(err, OSError):
                raise StoreError(f"{self.path}: cannot write the store ({err.strerror})") from err
            raise
        storage_of(self._catalogue).adopt()
        self._abstract_parts, self._companions = layout, ESSENTIAL_COMPANIONS
        self._remove_parts_except({*layout.paths(self.path), *kept.paths(self.path)})
        return layout

    def _create_missing_companions(self) -> None:
        for _role, companion in essential_companions(self.path):
            if not companion.exists():
                write_atomically(companion, empty_file())

    def _keep_catalogue_backup(self, old: AbstractParts) -> AbstractParts:
        """Keep the current catalogue as ``.bak`` with the parts it names; their layout.

        A catalogue written before generations names its parts by number
        only, and a ``.bak`` of it would name the parts' own ``.bak`` copies:
        its parts are linked to generation 0 and the backup names that.
        """
        backup = backup_path(self.path)
        if old.generation is not None or not old.count:
            copy_atomically(self.path, backup, link=True)  # the name is replaced next
            return old
        legacy = AbstractParts(old.count, _LEGACY_GENERATION)
        for source, target in zip(old.paths(self.path), legacy.paths(self.path), strict=True):
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
            keep_aside(source, target)
        write_atomically(backup, with_abstract_parts(self.path.read_bytes(), legacy, self.path))
        return legacy

    def _remove_parts_except(self, keep: set[Path]) -> None:
        """Remove the abstracts parts nothing names any more (the lock is held)."""
        for part in part_files(self.path):
            if part.path not in keep:
                with contextlib.suppress(OSError):
                    part.path.unlink()

    def save_states(self, changes: Mapping[str, UserState]) -> None:
        """Write these papers' states (defaults are removed), in one write.

        The first write of a day keeps the state as it was before it.
        """
        if not changes:
            return
        keep_daily_backup(self.state_path)
        save_states(self._state, changes)

    def close(self) -> None:
        """Release cached data and held files; the files stay as they are."""
        self._catalogue.close()
        for db in self._parts.values():
            db.close()
        self._state.close()
