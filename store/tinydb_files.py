"""The store's files as TinyDB databases: the only module that imports tinydb.

Every store file is a TinyDB JSON document of tables keyed by our own ids
(paper ids, collection names). This module reads them into domain objects,
with a :class:`~store.errors.StoreError` naming the file and what is wrong
when one cannot be read, and writes them through :mod:`store.atomic`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from store.atomic import file_ancestor_error, write_atomically
from store.errors import StoreError
from store.layout import AbstractParts, damaged
from store.model import Collection, Paper, UserState

# 2: abstracts in their own files. 3: abstracts parts of a generation the
# catalogue names, and the companions it needs listed; an older paper-reader
# would read no abstracts there and write that back, so it must refuse it.
# Older files still read; the next import writes 3.
SCHEMA_VERSION = 3
# Holding the last-read file open keeps its inode allocated, so a later file can
# never get the same inode number and pass for it. POSIX only: on Windows an
# open file cannot be replaced.
_PIN_FILES = os.name == "posix"

_Signature = tuple[int, int, int, int]
_Parsed = TypeVar("_Parsed")
# What a record of the wrong shape raises while a domain object is built from it.
RECORD_ERRORS = (TypeError, ValueError, AttributeError, KeyError)


class _KeyedTable(Table):
    """A table whose document ids are our own string keys (paper ids, names)."""

    document_id_class = str  # type: ignore[assignment]  # TinyDB declares int ids


class KeyedTinyDB(TinyDB):
    """TinyDB whose tables are keyed by our own string ids."""

    table_class = _KeyedTable


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

    def __init__(self, path: str) -> None:
        self.path = Path(path)
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
            raise file_ancestor_error(self.path) from None
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
        """The file's tables (None when there is no file), parsed once per version."""
        if self._batch_depth and self._data is not None:
            return self._data
        if self._data is not None and self._current_signature() == self._signature:
            return self._data
        data = self.read_with(lambda raw: parse_tables(raw, self.path))
        self._data = data
        return data

    def read_with(self, parse: Callable[[bytes], _Parsed]) -> _Parsed | None:
        """The file's bytes as ``parse`` makes them (None when there is no file).

        Nothing is kept but which version of the file was read, and only once
        ``parse`` returned: the catalogue is read this way, its papers built
        as it is parsed (see :mod:`store.catalogue_file`).
        """
        if self._dirty:
            raise RuntimeError("read_with inside a batch would miss the writes it holds")
        self._data = None  # whatever was cached is of another version now
        signature = self._current_signature()
        if signature is None:
            self._signature = None
            self._pin(None)
            return None
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:  # replaced and removed between stat and open
            self._signature = None
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
            parsed = parse(raw)
        except BaseException:
            os.close(fd)
            raise
        self._signature = signature
        if _PIN_FILES:
            self._pin(fd)
        else:
            os.close(fd)
        return parsed

    def write(self, data: dict[str, Any]) -> None:
        """Replace the file with ``data`` (held until the end of a :meth:`batch`)."""
        self._data = data
        if self._batch_depth:
            self._dirty = True
            return
        self._flush()

    def _flush(self) -> None:
        data = self._data if self._data is not None else {}
        try:
            raw = orjson.dumps(data)  # raises before the disk is touched
            write_atomically(self.path, raw)
        except BaseException:
            # TinyDB changed our cached dict in place: forget it, the disk is the truth.
            self._data, self._signature, self._dirty = None, None, False
            self._pin(None)
            raise
        self._dirty = False
        self.adopt()

    def adopt(self) -> None:
        """Take the file now at our path as the one last written (the lock is held)."""
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
        """Release the cached data and the held file."""
        self._data, self._signature = None, None
        self._pin(None)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # may run late in interpreter shutdown
            self._pin(None)


def parse_tables(raw: bytes, where: Path) -> dict[str, Any]:
    """A store file's tables, or a :class:`StoreError` saying what is wrong with it."""
    if not raw.strip():
        # No writer here ever writes an empty file: one is a truncated store.
        raise damaged(where, "the file is empty")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise damaged(where, f"not valid JSON: {err}") from err
    problem = shape_problem(data)
    if problem is not None:
        raise damaged(where, problem)
    tables: dict[str, Any] = data
    return tables


def shape_problem(data: Any) -> str | None:
    """What keeps parsed JSON from being a store file's tables of records (None: nothing)."""
    if not isinstance(data, dict):
        return "not a JSON object"
    for name, table in data.items():
        if not isinstance(table, dict):
            return f"the {name!r} table is not a JSON object"
        for key, record in table.items():
            if not isinstance(record, dict):
                return f"record {key!r} of {name!r} is not a JSON object"
    return None


def open_file(path: Path) -> KeyedTinyDB:
    """A TinyDB over one store file (nothing is read until asked)."""
    return KeyedTinyDB(str(path), storage=AtomicJSONStorage)


def storage_of(db: TinyDB) -> AtomicJSONStorage:
    """The :class:`AtomicJSONStorage` under a database made by :func:`open_file`."""
    storage = db.storage
    assert isinstance(storage, AtomicJSONStorage)
    return storage


def empty_file() -> bytes:
    """The bytes of a store file with no records (a new state file)."""
    return orjson.dumps({"meta": {"schema": {"version": SCHEMA_VERSION}}})


def check_schema(tables: Mapping[str, Any], where: Path) -> None:
    """Refuse a file written by a newer paper-reader; an older one reads as it is."""
    meta = (tables.get("meta") or {}).get("schema")
    try:
        version = int(meta.get("version", 1)) if meta else 1
    except (TypeError, ValueError, AttributeError):
        raise damaged(where, "the schema version is not a number") from None
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{where}: written by a newer paper-reader (schema {version}, this one "
            f"reads {SCHEMA_VERSION}); upgrade paper-reader to open it"
        )


def paper_of_record(record: Mapping[str, Any]) -> Paper:
    """A catalogue record's paper; raises one of :data:`RECORD_ERRORS` when it is not one."""
    if type(record.get("id")) is not str or type(record.get("title")) is not str:
        raise ValueError("it has no text id and title")
    return Paper.from_dict(record)


def papers_of(tables: Mapping[str, Any], where: Path) -> list[Paper]:
    """The catalogue's papers, in the order they were first added."""
    check_schema(tables, where)
    # The table's raw mapping: Table.all() would copy each of 100,000
    # documents once more before we build papers from them.
    raw = tables.get("papers") or {}
    papers = []
    for doc_id, doc in raw.items():
        try:
            papers.append(paper_of_record(doc))
        except RECORD_ERRORS as err:
            what = f"paper {doc_id!r} cannot be read: {err}"
            raise damaged(where, what) from None
    return papers


def collections_of(tables: Mapping[str, Any], where: Path) -> list[Collection]:
    """The catalogue's collections, in the order they were first imported."""
    collections = []
    for name, doc in (tables.get("collections") or {}).items():
        try:
            collections.append(Collection.from_dict(doc))
        except RECORD_ERRORS as err:
            what = f"collection {name!r} cannot be read: {err}"
            raise damaged(where, what) from None
    return collections


def abstract_parts_of(tables: Mapping[str, Any], where: Path) -> AbstractParts:
    """Which abstracts files the catalogue reads (its ``meta.abstracts`` record)."""
    record = (tables.get("meta") or {}).get("abstracts") or {}
    try:
        count = int(record.get("parts", 0))
        generation = record.get("generation")
        if generation is not None:
            generation = int(generation)
    except (TypeError, ValueError, AttributeError):
        raise damaged(where, "the abstract part count is not a number") from None
    if count < 0 or (generation is not None and generation < 0):
        raise damaged(where, "the abstract part count is negative")
    return AbstractParts(count, generation)


def companions_of(tables: Mapping[str, Any]) -> tuple[str, ...]:
    """The companion files the catalogue was written with (none before schema 3)."""
    record = (tables.get("meta") or {}).get("companions") or {}
    names = record.get("expected") if isinstance(record, dict) else None
    return tuple(name for name in names or () if isinstance(name, str))


def abstracts_of(tables: Mapping[str, Any], where: Path) -> dict[str, str]:
    """An abstracts part's texts by paper id."""
    check_schema(tables, where)
    abstracts = {}
    for doc_id, doc in (tables.get("abstracts") or {}).items():
        text = doc.get("text")
        if type(text) is not str:
            raise damaged(where, f"the abstract of {doc_id!r} is not text")
        abstracts[doc_id] = text
    return abstracts


def states_of(tables: Mapping[str, Any], where: Path) -> dict[str, UserState]:
    """The state file's records by paper id."""
    check_schema(tables, where)
    states = {}
    for doc_id, doc in (tables.get("state") or {}).items():
        try:
            states[str(doc_id)] = UserState.from_dict(doc)
        except RECORD_ERRORS as err:
            what = f"the state of {doc_id!r} cannot be read: {err}"
            raise damaged(where, what) from None
    return states


def read_file(path: Path) -> dict[str, Any] | None:
    """A store file's tables read once (None when it does not exist)."""
    db = open_file(path)
    try:
        return storage_of(db).read()
    finally:
        db.close()


def save_states(db: TinyDB, changes: Mapping[str, UserState]) -> None:
    """Write these papers' states into the state file (defaults removed), in one write.

    A state is written whole: it is the paper's entire reading state.
    """
    storage = storage_of(db)
    tables = storage.read() or {}
    records = dict(tables.get("state") or {})
    for pid, state in changes.items():
        if state.is_default:
            records.pop(pid, None)
        else:
            records[pid] = state.to_dict()
    meta = {**(tables.get("meta") or {}), "schema": {"version": SCHEMA_VERSION}}
    storage.write({**tables, "meta": meta, "state": records})


def _copy(text: str) -> str:
    """An equal string that is another object (surrogates kept, so orjson refuses them alike).

    orjson keeps the UTF-8 form of each non-ASCII string it writes inside
    that string, for the string's life: the abstracts an import writes
    would each keep a second copy (60 MB over 100,000 papers).
    """
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")


_PART_SLICE = 256


def part_chunks(texts: Mapping[str, str]) -> Iterator[bytes]:
    """An abstracts part file, as written to disk, a few hundred abstracts at a time.

    The same bytes as one ``orjson.dumps`` of the whole table (compact JSON
    is its objects' members joined by commas), made without holding the
    part's table and its encoding at once.
    """
    yield b'{"meta":' + orjson.dumps({"schema": {"version": SCHEMA_VERSION}}) + b',"abstracts":{'
    items = list(texts.items())
    for start in range(0, len(items), _PART_SLICE):
        piece = {
            pid: {"text": text if text.isascii() else _copy(text)}
            for pid, text in items[start : start + _PART_SLICE]
        }
        yield (b"," if start else b"") + orjson.dumps(piece)[1:-1]
    yield b"}}"


def with_abstract_parts(raw: bytes, parts: AbstractParts, where: Path) -> bytes:
    """A catalogue file's bytes naming other abstracts files (everything else kept)."""
    tables = parse_tables(raw, where)
    tables.setdefault("meta", {})["abstracts"] = parts.as_meta()
    return orjson.dumps(tables)
