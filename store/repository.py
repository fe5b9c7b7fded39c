"""Persistence over TinyDB: the only module that imports tinydb.

The library lives in three TinyDB files so that a status change does not
rewrite every abstract, and opening a large library does not parse them:

* the catalogue (``library.json``): papers (without abstracts, and without
  the fields a paper leaves at their default) and collections, written on
  import and read whole when the library opens;
* the abstracts (``library.abstracts.0.json``, ``.1.json``, ...): written on
  import beside the catalogue, read only when something needs an abstract
  (80% of the bytes). A large library splits them into parts of about 10,000
  papers so that reading them never holds the whole file and its parsed form
  in memory at once;
* the user state (``library.state.json``): one small record per paper whose
  status, star, tags or note differ from the default, written per change.

Each file is written atomically (temp file, fsync, rename, fsync of the folder)
under an exclusive file lock, and re-read when another process changed them,
so the CLI and an open reader never lose each other's updates. Before an
import, the previous files are kept as ``.bak`` copies; :func:`restore_backups` puts them back.

A damaged file is reported with its path and what is wrong, and left exactly
as it is: nothing here ever writes over a file it could not read.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import stat
import time
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import orjson
from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from store.errors import StoreError
from store.model import Collection, Paper, UserState

# 2: abstracts moved out of the catalogue into their own file. A version-1
# catalogue (abstracts inline) still reads; the next import writes version 2.
SCHEMA_VERSION = 2
_LOCK_TIMEOUT_S = 10.0
# Holding the last-read file open keeps its inode allocated, so a later file can
# never get the same inode number and pass for it. POSIX only: on Windows an
# open file cannot be replaced.
_PIN_FILES = os.name == "posix"

_Signature = tuple[int, int, int, int]
_PAPERS_PER_ABSTRACT_PART = 10_000


class _KeyedTable(Table):
    """A table whose document ids are our own string keys (paper ids, names)."""

    document_id_class = str  # type: ignore[assignment]  # TinyDB's hints allow only int ids


class _KeyedTinyDB(TinyDB):
    """TinyDB whose tables are keyed by our own string ids."""

    table_class = _KeyedTable


def _atomic_storage(db: TinyDB) -> AtomicJSONStorage:
    """The storage of a database this module opened (always an AtomicJSONStorage)."""
    # TinyDB types .storage as the base Storage; every db here is opened with ours.
    return cast(AtomicJSONStorage, db.storage)


def backup_path(path: Path) -> Path:
    """Where the last good copy of a store file is kept: ``library.json.bak``."""
    return path.with_name(path.name + ".bak")


def damaged_message(path: Path, what: str) -> str:
    """One line naming the damaged file, what is wrong, and the way back."""
    message = f"{path}: the store is damaged ({what}); it was left as it is"
    backup = backup_path(path)
    if backup.exists():
        message += f"; the last good copy is {backup}, and `paper-reader restore` puts it back"
    return message


def ensure_folder(path: Path) -> None:
    """Create the folder that will hold ``path``, or say clearly why it cannot be."""
    folder = path.parent
    for ancestor in (folder, *folder.parents):
        if ancestor.exists():
            if not ancestor.is_dir():
                raise StoreError(f"{path}: cannot create the store: {ancestor} is a file")
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"{folder}: cannot create the store folder ({err.strerror})") from err


def _file_ancestor_error(path: Path) -> StoreError:
    """The error for a store path that runs through a file (``notes.txt/library.json``)."""
    for ancestor in path.parents:
        if ancestor.exists() and not ancestor.is_dir():
            return StoreError(f"{path}: cannot open the store: {ancestor} is a file")
    return StoreError(f"{path}: cannot open the store (a part of the path is not a folder)")


class AtomicJSONStorage(Storage):
    """TinyDB storage: orjson, atomic replace, parsed data cached in memory.

    TinyDB's own JSONStorage rewrites the file in place, so a crash or a full
    disk mid-write corrupts the whole library; and it re-parses the file on
    every read. This storage parses once, re-parses only when the file's
    identity (device, inode, size, mtime) changed underneath it, and writes by
    rename. The file last read or written is held open so that its inode
    number cannot be reused by a newer file: otherwise two quick writes by
    another process (same size, same coarse mtime, recycled inode) would look
    like no change at all, and this process would write over them.
    Inside :meth:`batch` writes are held in memory and flushed once at the end,
    which makes a multi-step change one atomic file replacement.
    """

    def __init__(self, path: str, *, keep_backup: bool = False) -> None:
        self.path = Path(path)
        self.keep_backup = keep_backup
        self._data: dict[str, Any] | None = None
        self._signature: _Signature | None = None
        self._pinned_fd: int | None = None
        self._batch_depth = 0
        self._dirty = False

    @staticmethod
    def _signature_of(st: os.stat_result) -> _Signature:
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def _current_signature(self) -> _Signature | None:
        try:
            return self._signature_of(os.stat(self.path))
        except FileNotFoundError:
            return None
        except NotADirectoryError:
            raise _file_ancestor_error(self.path) from None
        except OSError as err:
            raise StoreError(f"{self.path}: cannot read the store ({err.strerror})") from err

    def _pin(self, fd: int | None) -> None:
        """Hold ``fd`` open (closing the one held before); see the class docstring."""
        previous, self._pinned_fd = self._pinned_fd, fd
        if previous is not None:
            with contextlib.suppress(OSError):
                os.close(previous)

    def forget(self) -> None:
        """Drop the parsed data (a large catalogue's dicts) but keep watching the file.

        The library keeps its own papers; holding TinyDB's copy as well would
        double the memory of a large library. The next read parses the file again.
        """
        if not self._batch_depth:
            self._data = None

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
            self._pin(None)
            return None
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:  # replaced and removed between stat and open
            self._data, self._signature = None, None
            self._pin(None)
            return None
        except OSError as err:
            raise StoreError(f"{self.path}: cannot read the store ({err.strerror})") from err
        try:
            # Signature and bytes come from the same open file, never from two.
            signature = self._signature_of(os.fstat(fd))
            with open(fd, "rb", closefd=False) as handle:
                raw = handle.read()
        except OSError as err:
            os.close(fd)
            raise StoreError(f"{self.path}: cannot read the store ({err.strerror})") from err
        try:
            data = self._parse(raw)
        except BaseException:
            os.close(fd)
            raise
        self._data, self._signature = data, signature
        if _PIN_FILES:
            self._pin(fd)
        else:
            os.close(fd)
        return data

    def _parse(self, raw: bytes) -> dict[str, Any]:
        """The file's tables, or a :class:`StoreError` saying what is wrong with it."""
        if not raw.strip():
            # This storage never writes an empty file: one is a truncated store.
            raise StoreError(damaged_message(self.path, "the file is empty"))
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as err:
            raise StoreError(damaged_message(self.path, f"not valid JSON: {err}")) from err
        if not isinstance(data, dict):
            raise StoreError(damaged_message(self.path, "not a JSON object"))
        for name, table in data.items():
            if not isinstance(table, dict):
                raise StoreError(
                    damaged_message(self.path, f"the {name!r} table is not a JSON object")
                )
            for key, record in table.items():
                if not isinstance(record, dict):
                    raise StoreError(
                        damaged_message(
                            self.path, f"record {key!r} of {name!r} is not a JSON object"
                        )
                    )
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
            self._pin(None)
            raise
        self._dirty = False
        # Writers hold the store's lock, so the file at our path is the one just written.
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            self._signature = self._current_signature()
            self._pin(None)
            return
        self._signature = self._signature_of(os.fstat(fd))
        if _PIN_FILES:
            self._pin(fd)
        else:
            os.close(fd)

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
                self._pin(None)
            raise
        self._batch_depth -= 1
        if not self._batch_depth and self._dirty:
            self._flush()

    def close(self) -> None:
        self._data, self._signature = None, None
        self._pin(None)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # may run late in interpreter shutdown
            self._pin(None)


def _fsync_folder(folder: Path) -> None:
    """Persist a rename in ``folder`` (not possible on every platform)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _hard_link(source: Path, target: Path) -> bool:
    """Link ``target`` to ``source``; False where the file system cannot."""
    try:
        os.link(source, target)
    except OSError:
        return False
    return True


def copy_atomically(source: Path, target: Path, *, link: bool = False) -> None:
    """Make ``target`` a copy of ``source``, whole or not at all.

    The copy is staged under a temporary name and renamed, so a crash or a
    full disk never leaves a half-written ``target``, and the previous
    ``target`` survives a failure. With ``link``, a hard link stands in for
    the copy where possible (free even for a large catalogue); only right for
    a file whose name is about to be replaced, so that the two names do not
    keep sharing one file that damage in place would hit twice.
    """
    staging = target.with_name(target.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        staging.unlink()
    try:
        if not (link and _hard_link(source, staging)):
            shutil.copyfile(source, staging)
            shutil.copymode(source, staging)  # a private store keeps private backups
            with open(staging, "rb+") as handle:
                os.fsync(handle.fileno())
        os.replace(staging, target)
    except BaseException:
        with contextlib.suppress(OSError):
            staging.unlink()
        raise


def write_atomically(path: Path, raw: bytes, *, keep_backup: bool) -> None:
    """Replace ``path`` with ``raw`` so a crash leaves the old or the new file, whole.

    With ``keep_backup``, the old file stays reachable as ``path.bak``. On any
    failure (read-only folder, full disk) the old file is untouched and no
    temporary file is left behind. A file the user made read-only is not
    written (a rename would otherwise replace it regardless), and the new
    file keeps the old one's permissions (a ``chmod 600`` stays private).
    """
    ensure_folder(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    except OSError as err:
        raise StoreError(f"{path}: cannot write the store ({err.strerror})") from err
    if mode is not None and not os.access(path, os.W_OK):
        raise StoreError(f"{path}: cannot write the store (the file is read-only)")
    try:
        try:
            with open(tmp, "wb") as handle:
                if mode is not None and hasattr(os, "fchmod"):
                    os.fchmod(handle.fileno(), mode)
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
            if keep_backup and path.exists():
                copy_atomically(path, backup_path(path), link=True)  # path is replaced next
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    except OSError as err:
        raise StoreError(f"{path}: cannot write the store ({err.strerror})") from err
    _fsync_folder(path.parent)


def companion_path(path: Path, role: str) -> Path:
    """A file beside the store named after it: ``library.json`` → ``library.state.json``."""
    suffix = path.suffix or ".json"
    return path.with_name(f"{path.stem}.{role}{suffix}")


def abstract_part_path(path: Path, number: int) -> Path:
    """Where part ``number`` of the abstracts lives: ``library.abstracts.0.json``."""
    return companion_path(path, f"abstracts.{number}")


def _part_pattern(path: Path, tail: str) -> re.Pattern[str]:
    suffix = path.suffix or ".json"
    return re.compile(re.escape(f"{path.stem}.abstracts.") + r"([0-9]+)" + re.escape(suffix + tail))


def abstract_part_paths(path: Path) -> list[Path]:
    """The abstract parts present beside the catalogue, in part order."""
    return _matching_parts(path, "")


def _abstract_part_backups(path: Path) -> list[Path]:
    return _matching_parts(path, ".bak")


def _matching_parts(path: Path, tail: str) -> list[Path]:
    pattern = _part_pattern(path, tail)
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    found = [(int(m.group(1)), name) for name in names if (m := pattern.fullmatch(name))]
    return [path.parent / name for _number, name in sorted(found)]


def _part_number(part: Path) -> int:
    return int(part.name.split(".abstracts.", 1)[1].split(".", 1)[0])


def abstract_part_of(paper_id: str, count: int) -> int:
    """Which of ``count`` parts holds this paper's abstract (stable across runs)."""
    return zlib.crc32(paper_id.encode("utf-8", "replace")) % count


def _check_schema(db: TinyDB, where: Path) -> None:
    """Refuse a file written by a newer paper-reader; an older one reads as it is."""
    meta = db.table("meta").get(doc_id="schema")  # type: ignore[call-overload]  # str ids: _KeyedTable
    try:
        version = int(meta.get("version", 1)) if meta else 1
    except (TypeError, ValueError):
        raise StoreError(damaged_message(where, "the schema version is not a number")) from None
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{where}: written by a newer paper-reader (schema {version}, this one "
            f"reads {SCHEMA_VERSION}); upgrade paper-reader to open it"
        )


def _paper_from_record(record: Mapping[str, Any]) -> Paper:
    if type(record.get("id")) is not str or type(record.get("title")) is not str:
        raise ValueError("it has no text id and title")
    return Paper.from_dict(record)


_RECORD_ERRORS = (TypeError, ValueError, AttributeError, KeyError)


def _load_papers(db: TinyDB, where: Path) -> list[Paper]:
    _check_schema(db, where)
    # The table's raw mapping, read through TinyDB's storage: Table.all() would
    # copy each of 100,000 documents once more before we build papers from them.
    raw = (db.storage.read() or {}).get("papers") or {}
    if not isinstance(raw, dict):
        raise StoreError(damaged_message(where, "the papers table is not an object"))
    papers = []
    for doc_id, doc in raw.items():
        try:
            if not isinstance(doc, dict):
                raise ValueError("it is not an object")
            papers.append(_paper_from_record(doc))
        except _RECORD_ERRORS as err:
            what = f"paper {doc_id!r} cannot be read: {err}"
            raise StoreError(damaged_message(where, what)) from None
    return papers


def _load_abstracts(db: TinyDB, where: Path) -> dict[str, str]:
    _check_schema(db, where)
    raw = (db.storage.read() or {}).get("abstracts") or {}
    abstracts = {}
    for doc_id, doc in raw.items():
        text = doc.get("text")
        if type(text) is not str:
            raise StoreError(damaged_message(where, f"the abstract of {doc_id!r} is not text"))
        abstracts[doc_id] = text
    return abstracts


def _load_collections(db: TinyDB, where: Path) -> list[Collection]:
    collections = []
    for doc in db.table("collections").all():
        try:
            collections.append(Collection.from_dict(doc))
        except _RECORD_ERRORS as err:
            what = f"collection {doc.doc_id!r} cannot be read: {err}"
            raise StoreError(damaged_message(where, what)) from None
    return collections


def _load_states(db: TinyDB, where: Path) -> dict[str, UserState]:
    _check_schema(db, where)
    states = {}
    for doc in db.table("state").all():
        try:
            states[str(doc.doc_id)] = UserState.from_dict(doc)
        except _RECORD_ERRORS as err:
            what = f"the state of {doc.doc_id!r} cannot be read: {err}"
            raise StoreError(damaged_message(where, what)) from None
    return states


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
        self._catalogue = _KeyedTinyDB(str(path), storage=AtomicJSONStorage, keep_backup=True)
        self._abstract_parts: dict[int, TinyDB] = {}
        self._state = _KeyedTinyDB(str(self.state_path), storage=AtomicJSONStorage)
        self._lock = FileLock(str(self.lock_path), timeout=_LOCK_TIMEOUT_S)
        _check_schema(self._catalogue, self.path)
        _check_schema(self._state, self.state_path)

    @property
    def _catalogue_storage(self) -> AtomicJSONStorage:
        return _atomic_storage(self._catalogue)

    def _abstract_part(self, number: int) -> TinyDB:
        db = self._abstract_parts.get(number)
        if db is None:
            where = abstract_part_path(self.path, number)
            db = _KeyedTinyDB(str(where), storage=AtomicJSONStorage, keep_backup=True)
            self._abstract_parts[number] = db
        return db

    @property
    def _state_storage(self) -> AtomicJSONStorage:
        return _atomic_storage(self._state)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's write lock (the folder is created if it is missing).

        Every writer holds this lock, so a ``.tmp`` file found while holding it
        was left by a writer that died: it is removed here, and only here (a
        reader removing it could pull it from under a live writer).
        """
        ensure_folder(self.path)
        try:
            self._lock.acquire()
        except Timeout as err:
            raise StoreError(f"{self.lock_path}: the store is busy in another process") from err
        except OSError as err:
            raise StoreError(f"{self.lock_path}: cannot lock the store ({err.strerror})") from err
        try:
            parts = abstract_part_paths(self.path)
            for stale in (self.path, *parts, self.state_path):
                for leftover in (stale, backup_path(stale)):
                    with contextlib.suppress(OSError):
                        leftover.with_name(leftover.name + ".tmp").unlink(missing_ok=True)
            yield
        finally:
            self._lock.release()

    def catalogue_changed(self) -> bool:
        """True when the catalogue file changed since this process last read it."""
        return self._catalogue_storage.changed_on_disk()

    def abstracts_changed(self) -> bool:
        """True when the abstract parts read last changed since this process read them.

        (How many parts there are is the catalogue's to say: a new count comes
        with a new catalogue, which is checked on its own.)
        """
        return any(_atomic_storage(db).changed_on_disk() for db in self._abstract_parts.values())

    def state_changed(self) -> bool:
        """True when the user-state file changed since this process last read it."""
        return self._state_storage.changed_on_disk()

    def exists(self) -> bool:
        """True once anything has been imported into this store."""
        return self.path.exists()

    # -- reading ---------------------------------------------------------------

    def load_papers(self) -> list[Paper]:
        """All papers in the order they were first added."""
        return _load_papers(self._catalogue, self.path)

    def load_abstract_part_count(self) -> int:
        """How many abstract parts the catalogue was written with (0: abstracts inline).

        Only those parts are read: a part left over from an import that
        ``restore`` undid, or from a larger count, must not shadow the others.
        """
        meta = (self._catalogue_storage.read() or {}).get("meta") or {}
        try:
            return int((meta.get("abstracts") or {}).get("parts", 0))
        except (TypeError, ValueError, AttributeError):
            raise StoreError(
                damaged_message(self.path, "the abstract part count is not a number")
            ) from None

    def load_abstracts(self, part_count: int) -> dict[str, str]:
        """Every paper's abstract by paper id (papers without one are absent).

        Part by part, each parsed form released before the next is read: the
        library keeps only the texts. A missing part reads as empty (its
        papers show no abstract; nothing else is lost).
        """
        abstracts: dict[str, str] = {}
        for number in list(self._abstract_parts):
            if number >= part_count:
                self._abstract_parts.pop(number).close()
        for number in range(part_count):
            db = self._abstract_part(number)
            try:
                abstracts.update(_load_abstracts(db, abstract_part_path(self.path, number)))
            finally:
                _atomic_storage(db).forget()
        return abstracts

    def load_collections(self) -> list[Collection]:
        """All collections in the order they were first imported."""
        return _load_collections(self._catalogue, self.path)

    def load_states(self) -> dict[str, UserState]:
        """User state of every paper that has any, keyed by paper id."""
        return _load_states(self._state, self.state_path)

    # -- writing ---------------------------------------------------------------

    def backup_state(self) -> None:
        """Keep the current user-state file as ``library.state.json.bak`` (before an import).

        Call it with the lock held and after the state was read successfully,
        so the backup is always a good copy.
        """
        if not self.state_path.exists():
            return
        try:
            copy_atomically(self.state_path, backup_path(self.state_path))
        except OSError as err:
            raise StoreError(
                f"{backup_path(self.state_path)}: cannot keep a backup ({err.strerror})"
            ) from err

    def save_catalogue(
        self, papers: list[Paper], collections: list[Collection], abstract_parts: int
    ) -> None:
        """Replace the catalogue with these papers and collections, in one write.

        The whole catalogue is replaced, so its tables are written straight to
        TinyDB's storage: going through Table.truncate/insert_multiple would
        first re-read the old file and copy every document twice.
        ``abstract_parts`` is what :meth:`save_abstracts` returned.
        """
        tables = {
            "meta": {
                "schema": {"version": SCHEMA_VERSION},
                "abstracts": {"parts": abstract_parts},
            },
            "papers": {paper.id: paper.to_record() for paper in papers},
            "collections": {c.name: c.to_dict() for c in collections},
        }
        self._catalogue_storage.write(tables)
        self._catalogue_storage.forget()

    def save_abstracts(self, abstracts: Mapping[str, str], paper_count: int) -> int:
        """Replace the abstracts with these texts (empty ones are left out).

        Called with every catalogue write, and every part is written, so each
        part's ``.bak`` is the state before the same import as the catalogue's
        and a restore puts back one consistent set. Written before the
        catalogue, which then names the part count: a crash between the two
        leaves the old catalogue reading its own parts' number. Returns that
        count, for :meth:`save_catalogue`.
        """
        count = max(
            math.ceil(paper_count / _PAPERS_PER_ABSTRACT_PART),
            # Halves from 5,000 papers on: reading one part is the reader's
            # memory peak at that size (84 instead of 98 MB at 10,000).
            2 if paper_count > _PAPERS_PER_ABSTRACT_PART // 2 else 1,
        )
        parts: list[dict[str, dict[str, str]]] = [{} for _ in range(count)]
        for pid, text in abstracts.items():
            if text:
                parts[abstract_part_of(pid, count)][pid] = {"text": text}
        for number, part in enumerate(parts):
            db = self._abstract_part(number)
            storage = _atomic_storage(db)
            storage.write({"meta": {"schema": {"version": SCHEMA_VERSION}}, "abstracts": part})
            storage.forget()
        return count

    def forget_catalogue(self) -> None:
        """Release TinyDB's parsed copy of the catalogue once the library holds it."""
        self._catalogue_storage.forget()

    def save_states(self, changes: Mapping[str, UserState]) -> None:
        """Write these papers' states (defaults are removed), in one write."""
        if not changes:
            return
        table = self._state.table("state")
        with self._state_storage.batch():
            self._state.table("meta").upsert(
                Document({"version": SCHEMA_VERSION}, doc_id="schema")  # type: ignore[arg-type]  # str ids
            )
            removed = [pid for pid, state in changes.items() if state.is_default]
            # TinyDB's hints say ids are int; _KeyedTable's are str.
            present = [pid for pid in removed if table.contains(doc_id=pid)]  # type: ignore[arg-type]
            if present:
                table.remove(doc_ids=present)  # type: ignore[arg-type]
            for pid, state in changes.items():
                if not state.is_default:
                    table.upsert(Document(state.to_dict(), doc_id=pid))  # type: ignore[arg-type]

    def close(self) -> None:
        """Release cached data and held files; the files stay as they are."""
        self._catalogue.close()
        for db in self._abstract_parts.values():
            db.close()
        self._state.close()


def _check_backup(backup: Path, *, role: str) -> None:
    """Raise :class:`StoreError` unless ``backup`` reads as a whole store file."""
    db = _KeyedTinyDB(str(backup), storage=AtomicJSONStorage)
    try:
        if role == "state":
            _load_states(db, backup)
        elif role == "abstracts":
            _load_abstracts(db, backup)
        else:
            _load_papers(db, backup)
            _load_collections(db, backup)
    except StoreError as err:
        raise StoreError(f"{backup}: the backup cannot be used either ({err})") from None
    finally:
        db.close()


def _unused_name(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``...: the first name nothing holds yet."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}-{number}")
    return candidate


def restore_backups(path: Path) -> list[str]:
    """Put ``library.json`` and its companions back from their ``.bak`` copies.

    Each backup is checked first. The files being replaced are moved aside to
    ``*.damaged-<UTC timestamp>`` (never deleted: they may still hold
    something worth rescuing). A file without a backup is left as it is.
    Returns one line per thing done, for the command line to print.
    """
    parts = {abstract_part_path(path, _part_number(bak)) for bak in _abstract_part_backups(path)}
    files = [
        (path, "catalogue"),
        *((part, "abstracts") for part in sorted(parts | set(abstract_part_paths(path)))),
        (companion_path(path, "state"), "state"),
    ]
    available = [(f, role) for f, role in files if backup_path(f).exists()]
    if not available:
        raise StoreError(f"{path}: no backup to restore ({backup_path(path)} does not exist)")
    for original, role in available:
        _check_backup(backup_path(original), role=role)
    done: list[str] = []
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    lock_path = path.with_name(path.name + ".lock")
    try:
        lock = FileLock(str(lock_path), timeout=_LOCK_TIMEOUT_S)
        lock.acquire()
    except Timeout as err:
        raise StoreError(f"{lock_path}: the store is busy in another process") from err
    except OSError as err:
        raise StoreError(f"{lock_path}: cannot lock the store ({err.strerror})") from err
    try:
        for original, _role in available:
            backup = backup_path(original)
            try:
                if original.exists():
                    aside = _unused_name(original.with_name(f"{original.name}.damaged-{stamp}"))
                    os.replace(original, aside)
                    done.append(f"moved {original} aside to {aside}")
                copy_atomically(backup, original)
            except OSError as err:
                raise StoreError(f"{original}: cannot restore ({err.strerror})") from err
            done.append(f"restored {original} from {backup}")
        restored = {original for original, _role in available}
        for original, _role in files:
            if original not in restored and original.exists():
                done.append(f"{original}: no backup, left as it is")
        _fsync_folder(path.parent)
    finally:
        lock.release()
    return done
