"""Persistence over TinyDB: the only module that imports tinydb.

The library lives in two TinyDB files so that a status change does not
rewrite every abstract:

* the catalogue (``library.json``): papers and collections, written on import;
* the user state (``library.state.json``): one small record per paper whose
  status, star, tags or note differ from the default, written per change.

Both are written atomically (temp file, fsync, rename, fsync of the folder)
under an exclusive file lock, and re-read when another process changed them,
so the CLI and an open reader never lose each other's updates. Before the
catalogue is replaced, the previous file is kept as ``library.json.bak``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson
from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from store.errors import StoreError
from store.model import Collection, Paper, UserState

SCHEMA_VERSION = 1
_LOCK_TIMEOUT_S = 10.0


class _KeyedTable(Table):
    """A table whose document ids are our own string keys (paper ids, names)."""

    document_id_class = str  # type: ignore[assignment]


class _KeyedTinyDB(TinyDB):
    """TinyDB whose tables are keyed by our own string ids."""

    table_class = _KeyedTable


class AtomicJSONStorage(Storage):
    """TinyDB storage: orjson, atomic replace, parsed data cached in memory.

    TinyDB's own JSONStorage rewrites the file in place, so a crash or a full
    disk mid-write corrupts the whole library; and it re-parses the file on
    every read. This storage parses once, re-parses only when the file's
    identity (inode, size, mtime) changed underneath it, and writes by rename.
    Inside :meth:`batch` writes are held in memory and flushed once at the end,
    which makes a multi-step change one atomic file replacement.
    """

    def __init__(self, path: str, *, keep_backup: bool = False) -> None:
        self.path = Path(path)
        self.keep_backup = keep_backup
        self._data: dict[str, Any] | None = None
        self._signature: tuple[int, int, int] | None = None
        self._batch_depth = 0
        self._dirty = False

    def _current_signature(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def changed_on_disk(self) -> bool:
        """True when another writer replaced the file since we last read or wrote it."""
        return self._current_signature() != self._signature

    def read(self) -> dict[str, Any] | None:
        if self._batch_depth and self._data is not None:
            return self._data
        signature = self._current_signature()
        if self._data is not None and signature == self._signature:
            return self._data
        if signature is None:
            self._data, self._signature = None, None
            return None
        try:
            raw = self.path.read_bytes()
        except OSError as err:
            raise StoreError(f"{self.path}: cannot read the store ({err.strerror})") from err
        if not raw.strip():
            data = None
        else:
            try:
                data = orjson.loads(raw)
            except orjson.JSONDecodeError as err:
                raise StoreError(
                    f"{self.path}: the store is damaged (not valid JSON: {err}); "
                    f"it was left as it is, and the last good copy is {self.path}.bak"
                ) from err
            if not isinstance(data, dict):
                raise StoreError(f"{self.path}: the store is damaged (not a JSON object)")
        self._data, self._signature = data, signature
        return data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        if self._batch_depth:
            self._dirty = True
            return
        self._flush()

    def _flush(self) -> None:
        data = self._data if self._data is not None else {}
        try:
            raw = orjson.dumps(data)  # raises before the disk is touched
            write_atomically(self.path, raw, keep_backup=self.keep_backup)
        except BaseException:
            # TinyDB changed our cached dict in place: forget it, the disk is the truth.
            self._data, self._signature, self._dirty = None, None, False
            raise
        self._signature = self._current_signature()
        self._dirty = False

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Hold writes in memory and flush them as one atomic replacement."""
        self._batch_depth += 1
        try:
            yield
        except BaseException:
            self._batch_depth -= 1
            if not self._batch_depth:
                self._data, self._signature, self._dirty = None, None, False
            raise
        self._batch_depth -= 1
        if not self._batch_depth and self._dirty:
            self._flush()

    def close(self) -> None:
        self._data = None


def write_atomically(path: Path, raw: bytes, *, keep_backup: bool) -> None:
    """Replace ``path`` with ``raw`` so a crash leaves the old or the new file, whole.

    With ``keep_backup``, the old file stays reachable as ``path.bak`` (a hard
    link, so keeping it costs nothing even for a large catalogue).
    """
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"{folder}: cannot create the store folder ({err.strerror})") from err
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        if keep_backup and path.exists():
            backup = path.with_name(path.name + ".bak")
            with contextlib.suppress(FileNotFoundError):
                backup.unlink()
            try:
                os.link(path, backup)
            except OSError:
                backup.write_bytes(path.read_bytes())
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StoreError(f"{path}: cannot write the store ({err.strerror})") from err
    with contextlib.suppress(OSError):  # persist the rename; not possible everywhere
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def companion_path(path: Path, role: str) -> Path:
    """A file beside the store named after it: ``library.json`` → ``library.state.json``."""
    suffix = path.suffix or ".json"
    return path.with_name(f"{path.stem}.{role}{suffix}")


class Repository:
    """Reads and writes papers, collections and user state; knows nothing else.

    Callers hold :meth:`locked` around a read-modify-write so that another
    process cannot interleave; inside it, :meth:`refresh` tells whether the
    files changed since they were last loaded.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.state_path = companion_path(path, "state")
        self.lock_path = path.with_name(path.name + ".lock")
        for stale in (path, self.state_path):
            with contextlib.suppress(OSError):
                stale.with_name(stale.name + ".tmp").unlink(missing_ok=True)
        self._catalogue = _KeyedTinyDB(str(path), storage=AtomicJSONStorage, keep_backup=True)
        self._state = _KeyedTinyDB(str(self.state_path), storage=AtomicJSONStorage)
        self._lock = FileLock(str(self.lock_path), timeout=_LOCK_TIMEOUT_S)
        self._check_schema()

    @property
    def _catalogue_storage(self) -> AtomicJSONStorage:
        return self._catalogue.storage  # type: ignore[return-value]

    @property
    def _state_storage(self) -> AtomicJSONStorage:
        return self._state.storage  # type: ignore[return-value]

    def _check_schema(self) -> None:
        for db, where in ((self._catalogue, self.path), (self._state, self.state_path)):
            meta = db.table("meta").get(doc_id="schema")
            version = int(meta.get("version", 1)) if meta else 1
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{where}: written by a newer paper-reader (schema {version}, this one "
                    f"reads {SCHEMA_VERSION}); upgrade paper-reader to open it"
                )

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's write lock (the folder is created if it is missing)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"{self.path.parent}: cannot create folder ({err.strerror})") from err
        try:
            with self._lock:
                yield
        except Timeout as err:
            raise StoreError(f"{self.lock_path}: the store is busy in another process") from err
        except PermissionError as err:
            raise StoreError(f"{self.lock_path}: cannot lock the store ({err.strerror})") from err

    def catalogue_changed(self) -> bool:
        """True when the catalogue file changed since this process last read it."""
        return self._catalogue_storage.changed_on_disk()

    def state_changed(self) -> bool:
        """True when the user-state file changed since this process last read it."""
        return self._state_storage.changed_on_disk()

    def exists(self) -> bool:
        """True once anything has been imported into this store."""
        return self.path.exists()

    # -- reading ---------------------------------------------------------------

    def load_papers(self) -> list[Paper]:
        """All papers in the order they were first added."""
        return [Paper.from_dict(doc) for doc in self._catalogue.table("papers").all()]

    def load_collections(self) -> list[Collection]:
        """All collections in the order they were first imported."""
        return [Collection.from_dict(doc) for doc in self._catalogue.table("collections").all()]

    def load_states(self) -> dict[str, UserState]:
        """User state of every paper that has any, keyed by paper id."""
        return {
            str(doc.doc_id): UserState.from_dict(doc) for doc in self._state.table("state").all()
        }

    # -- writing ---------------------------------------------------------------

    def save_catalogue(self, papers: list[Paper], collections: list[Collection]) -> None:
        """Replace the catalogue with these papers and collections, in one write."""
        storage = self._catalogue_storage
        with storage.batch():
            meta = self._catalogue.table("meta")
            meta.upsert(Document({"version": SCHEMA_VERSION}, doc_id="schema"))
            papers_table = self._catalogue.table("papers")
            papers_table.truncate()
            papers_table.insert_multiple(
                Document(paper.to_dict(), doc_id=paper.id) for paper in papers
            )
            collections_table = self._catalogue.table("collections")
            collections_table.truncate()
            collections_table.insert_multiple(
                Document(collection.to_dict(), doc_id=collection.name) for collection in collections
            )

    def save_states(self, changes: Mapping[str, UserState]) -> None:
        """Write these papers' states (defaults are removed), in one write."""
        if not changes:
            return
        table = self._state.table("state")
        with self._state_storage.batch():
            self._state.table("meta").upsert(Document({"version": SCHEMA_VERSION}, doc_id="schema"))
            removed = [pid for pid, state in changes.items() if state.is_default]
            present = [pid for pid in removed if table.contains(doc_id=pid)]
            if present:
                table.remove(doc_ids=present)
            for pid, state in changes.items():
                if not state.is_default:
                    table.upsert(Document(state.to_dict(), doc_id=pid))

    def close(self) -> None:
        """Release cached data; the files stay as they are."""
        self._catalogue.close()
        self._state.close()
