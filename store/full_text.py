"""Every abstract folded into one text for search, and as written, cached beside the store.

Searching 100,000 abstracts must take a keystroke's time, and their text is
most of a library's bytes. Held as 100,000 strings, each searched with
``text.lower()`` and ``in``, a search costs ~200 ms of Python work and the
reader ~130 MB. :class:`FullText` instead holds the folded abstracts (see
:func:`fold_abstract`) as one UTF-8 buffer, each followed by
:data:`SEPARATOR`, with where each starts and ends: a word is then one
C-level ``find`` per paper within its bounds (a match found in UTF-8 bytes
is a match in the text: no character's encoding occurs inside another's).
The abstracts as written, for display and export, lie in a second region.

A library of at least :data:`MIN_PAPERS_FOR_FILE` papers keeps both in
``library.search.bin`` beside ``library.json``, stamped with the abstract
parts it was made from, and maps it rather than reading it: its pages count
in the process's memory only from when a search reads them until
:meth:`FullText.release`, so a long-lived reader keeps ~250 MB less at
100,000 papers, and a later process (``list QUERY``) opens it instead of
parsing every abstract part. Like ``library.features.npz`` it is a derived
cache: missing, stale, damaged or not writable, it is built again (or held
in memory) and nothing is reported. It is only ever replaced, never written
in place, so a mapping stays valid while a process uses it.

The folded text is laid out in the order a library is first searched in
(by date), so that a search reads it front to back.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import mmap
import os
import sys
import time
import unicodedata
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import BinaryIO

from store.atomic import write_cache
from store.layout import AbstractParts
from store.query import is_plain, normalise

VERSION = 1
MAGIC = b"paper-reader search text\n"
SEPARATOR = b"\x1f"
"""Follows each folded abstract: folded text never holds it (it is whitespace,
which folding turns into single spaces), nor does a folded needle, so no match
runs from one abstract into the next."""
SEARCH_ORDER = "date"
"""The order the text is laid out in when none is given: the reader's and ``list``'s."""
MIN_PAPERS_FOR_FILE = 5000
"""Smaller libraries hold their full text in memory: a file would save little."""
_FOOTER = len(MAGIC) + 8  # the header's offset (8 bytes) and the magic end the file
_BYTE_ORDER = sys.byteorder
# Not on Windows: there the mapping is read.
_PREAD: Callable[[int, int, int], bytes] | None = getattr(os, "pread", None)


def kept_in_file(paper_count: int) -> bool:
    """Whether a library of ``paper_count`` papers keeps its full text in a cache file."""
    return paper_count >= MIN_PAPERS_FOR_FILE


def fold_abstract(text: str) -> str:
    """The form of an abstract that words are looked for in (as :func:`normalise`).

    ``text.lower()`` is that form for most abstracts (:func:`is_plain`), and
    a tenth of the cost.
    """
    return text.lower() if is_plain(text) else normalise(text)


def cache_path(store_path: Path) -> Path:
    """Where the full text of the store at ``store_path`` is cached: ``library.search.bin``."""
    return store_path.with_name(f"{store_path.stem}.search.bin")


def signature(sources: Sequence[Path]) -> str | None:
    """What the full text depends on: the abstract files it is made from.

    Every import writes new parts (new names, inodes, sizes and times), so a
    change of any of them means the abstracts changed; folding follows the
    Unicode database (a Python upgrade changes it) and the folding code.
    None when one is missing: then the library is being changed and nothing
    is cached.
    """
    parts = [f"v{VERSION}", f"u{unicodedata.unidata_version}", _folding_code()]
    for path in sources:
        try:
            st = os.stat(path)
        except OSError:
            return None
        parts.append(f"{path.name}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


@functools.cache
def _folding_code() -> str:
    """A digest of the code that folds text: a cache folded otherwise is not taken.

    The folded text is searched with needles folded by this process, so it
    must have been folded the same way: by the same code (see also the
    Unicode database's version in :func:`signature`).
    """
    here = Path(__file__).parent
    digest = hashlib.sha1()
    for source in (here / "text.py", here / "query" / "haystack.py", Path(__file__)):
        try:
            digest.update(source.read_bytes())
        except OSError:
            digest.update(source.name.encode())
    return digest.hexdigest()[:16]


class FullText(Mapping[str, str]):
    """The abstracts of one catalogue version: folded in one buffer, and as written.

    As a mapping it gives each paper's abstract as written, by paper id
    (papers without one are absent). :attr:`folded` holds the folded
    abstracts, the one of slot ``k`` between ``starts[k]`` and ``ends[k]``;
    :attr:`slots` says which slot holds a paper's.
    """

    def __init__(
        self,
        ids: Sequence[str],
        folded: bytes | mmap.mmap,
        starts: array[int],
        originals: Mapping[str, str] | None = None,
        original_starts: array[int] | None = None,
        mapping: mmap.mmap | None = None,
        fd: int | None = None,
    ) -> None:
        """``originals`` (in memory), or ``original_starts`` into a ``mapping`` of file ``fd``.

        The full text closes ``fd`` when it is dropped.
        """
        self.folded = folded
        self.starts = starts[:-1]
        # Each text is followed by its separator, and the next starts after it.
        self.ends = array("q", (start - 1 for start in starts[1:]))
        self.slots = {paper_id: slot for slot, paper_id in enumerate(ids)}
        self._originals = originals
        self._original_starts = original_starts
        self._mapping = mapping
        self._fd = fd
        if fd is not None:
            weakref.finalize(self, os.close, fd)

    @classmethod
    def in_memory(cls, abstracts: Mapping[str, str], order: Iterable[str]) -> FullText:
        """Fold ``abstracts`` in ``order`` (ids; the others after) and keep them in memory."""
        ids = _ids_in_order(abstracts, order)
        pieces = [fold_abstract(abstracts[paper_id]).encode() for paper_id in ids]
        starts = array("q", [0])
        for piece in pieces:
            starts.append(starts[-1] + len(piece) + 1)
        pieces.append(b"")  # the last text's separator
        return cls(ids, SEPARATOR.join(pieces), starts, originals=abstracts)

    # -- the texts as written --------------------------------------------------

    def __getitem__(self, paper_id: str) -> str:
        if self._originals is not None:
            return self._originals[paper_id]
        slot = self.slots[paper_id]
        at = self._original_starts
        assert at is not None  # one of the two is given
        start, end = at[slot], at[slot + 1]
        if self._fd is not None and _PREAD is not None:
            # Read, not mapped: one abstract at a time, it costs no page of memory.
            return _PREAD(self._fd, end - start, start).decode(errors="replace")
        return self.folded[start:end].decode(errors="replace")

    def __iter__(self) -> Iterator[str]:
        return iter(self.slots)

    def __len__(self) -> int:
        return len(self.slots)

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self.slots

    def share_ids(self, known: Iterable[str]) -> None:
        """Key :attr:`slots` by these id strings, equal to the file's, so each id is held once.

        A library passes its own: the ids read from the file (~6 MB at
        100,000 papers) are then let go.
        """
        slots = self.slots
        shared = {paper_id: slots[paper_id] for paper_id in known if paper_id in slots}
        if len(shared) < len(slots):
            shared.update((paper_id, slot) for paper_id, slot in slots.items())
        self.slots = shared

    # -- searching -------------------------------------------------------------

    def folded_text(self, slot: int) -> str:
        """The folded abstract in ``slot``."""
        return self.folded[self.starts[slot] : self.ends[slot]].decode(errors="replace")

    @property
    def mapped(self) -> bool:
        """True when the texts are read from the cache file (see :meth:`release`)."""
        return self._mapping is not None

    def release(self) -> None:
        """Give back the memory of the file's pages read so far (a mapped file only).

        A released page is read again, from the system's file cache, when a
        search next needs it.
        """
        _release(self._mapping)

    # -- the cache file --------------------------------------------------------

    @classmethod
    def write(
        cls, path: Path, stamp: str, abstracts: Mapping[str, str], order: Iterable[str]
    ) -> bool:
        """Write the cache file for ``abstracts`` atomically; False when it cannot be written.

        Text by text, so that nothing but one abstract's forms is held at once.
        """
        ids = _ids_in_order(abstracts, order)
        if not _room_for(path, abstracts):
            return False

        def fill(out: BinaryIO) -> None:
            starts, original_starts = array("q"), array("q")
            at = out.tell()
            for paper_id in ids:
                starts.append(at)
                at += out.write(fold_abstract(abstracts[paper_id]).encode() + SEPARATOR)
            starts.append(at)
            for paper_id in ids:
                original_starts.append(at)
                at += out.write(abstracts[paper_id].encode())
            original_starts.append(at)
            regions: dict[str, list[int]] = {}
            for name, data in (
                ("ids", "\n".join(ids).encode()),
                ("starts", starts.tobytes()),
                ("original_starts", original_starts.tobytes()),
            ):
                regions[name] = [at, len(data)]
                at += out.write(data)
            header = {
                "version": VERSION,
                "signature": stamp,
                "count": len(ids),
                "byteorder": _BYTE_ORDER,
                "regions": regions,
            }
            out.write(json.dumps(header).encode())
            out.write(at.to_bytes(8, "little") + MAGIC)

        # Exports read abstracts from it: the texts, not unwritten blocks, must
        # be what a power cut leaves under the new name.
        if not write_cache(path, fill, durable=True):
            return False
        _remove_abandoned(path)
        return True

    @classmethod
    def open(cls, path: Path, stamp: str) -> FullText | None:
        """The cached full text when the file holds that of ``stamp``, else None.

        Any damage (cut short, offsets out of order or out of bounds) reads
        as no cache; the texts are mapped, not read.
        """
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except OSError:
            return None
        try:
            mapping = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # empty: nothing to map
            os.close(fd)
            return None
        full = cls._read(mapping, fd, stamp)
        if full is None:
            os.close(fd)
        return full

    @classmethod
    def _read(cls, mapping: mmap.mmap, fd: int, stamp: str) -> FullText | None:
        try:
            size = len(mapping)
            if size < _FOOTER or mapping[size - len(MAGIC) :] != MAGIC:
                return None
            at = int.from_bytes(mapping[size - _FOOTER : size - len(MAGIC)], "little")
            if not 0 <= at <= size - _FOOTER:
                return None
            header = json.loads(mapping[at : size - _FOOTER])
            if (
                header.get("version") != VERSION
                or header.get("signature") != stamp
                or header.get("byteorder") != _BYTE_ORDER
            ):
                return None
            regions = header["regions"]
            ids = _region(mapping, regions["ids"], at).decode().split("\n")
            starts, original_starts = array("q"), array("q")
            starts.frombytes(_region(mapping, regions["starts"], at))
            original_starts.frombytes(_region(mapping, regions["original_starts"], at))
            count = header["count"]
            if count == 0:
                ids = []
            if not (len(ids) == count and len(starts) == len(original_starts) == count + 1):
                return None
            if not (_ascending(starts, 0, at) and starts[-1] == original_starts[0]):
                return None
            if not _ascending(original_starts, 0, at):
                return None
        except (ValueError, KeyError, TypeError, UnicodeError, AttributeError):
            return None
        _release(mapping)  # reading the header and offsets mapped their pages
        return cls(ids, mapping, starts, original_starts=original_starts, mapping=mapping, fd=fd)


# Left free once the cache is written: the store's own writes (a status, a
# note, an import) must never find the disk filled by a file that can be rebuilt.
_KEEP_FREE = 64 << 20


def _room_for(path: Path, abstracts: Mapping[str, str]) -> bool:
    """Whether ``path``'s folder holds the cache of ``abstracts`` and :data:`_KEEP_FREE`."""
    statvfs = getattr(os, "statvfs", None)  # not on Windows: the write is tried
    if statvfs is None:
        return True
    try:
        st = statvfs(path.parent)
    except OSError:
        return True
    # Each text twice (folded and as written): twice its characters for Latin
    # scripts, with room for wider ones; the file is written as it goes.
    need = 4 * sum(len(text) for text in abstracts.values()) + 64 * len(abstracts)
    free: int = st.f_bavail * st.f_frsize
    return free >= need + _KEEP_FREE


_ABANDONED_AFTER_S = 3600  # a write takes seconds: an older ``.tmp`` lost its writer


def _remove_abandoned(path: Path) -> None:
    """Remove the cache's ``.tmp`` files that a killed writer left (they are large)."""
    now = time.time()
    for leftover in path.parent.glob(f"{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - leftover.stat().st_mtime > _ABANDONED_AFTER_S:
                leftover.unlink()


def _release(mapping: mmap.mmap | None) -> None:
    # Where the system cannot be told (no madvise: Windows), pages stay until it needs them.
    advice = getattr(mmap, "MADV_DONTNEED", None)
    if mapping is not None and advice is not None and hasattr(mapping, "madvise"):
        mapping.madvise(advice)


def _ids_in_order(abstracts: Mapping[str, str], order: Iterable[str]) -> list[str]:
    """The ids of ``abstracts`` with text, those in ``order`` first, in that order."""
    ids = [paper_id for paper_id in order if abstracts.get(paper_id)]
    if len(ids) < len(abstracts):
        listed = set(ids)
        ids += [paper_id for paper_id, text in abstracts.items() if text and paper_id not in listed]
    return ids


def _region(mapping: mmap.mmap, where: list[int], end: int) -> bytes:
    start, length = int(where[0]), int(where[1])
    if not (start >= 0 and length >= 0 and start + length <= end):
        raise ValueError("a region out of bounds")
    return mapping[start : start + length]


def _ascending(offsets: array[int], low: int, high: int) -> bool:
    return offsets[0] >= low and offsets[-1] <= high and all(a <= b for a, b in pairwise(offsets))


# -- building in a child process ---------------------------------------------------


# Ten times what 100,000 papers take on a slow machine: a child stuck longer
# (a hung disk) is given up on, and the caller builds the text itself.
_CHILD_TIMEOUT_S = 300


def build_in_child(store_path: Path, parts: AbstractParts, order: Sequence[str]) -> bool:
    """Write the cache file of the store at ``store_path`` from a child process.

    A long-lived process (the reader) then never holds the parsed abstracts
    (~130 MB at 100,000 papers) nor waits on their parsing for the
    interpreter lock: it maps the file the child wrote. ``order`` (paper
    ids) goes to the child on its standard input. True when it succeeded.
    """
    import subprocess

    root = str(Path(__file__).resolve().parents[1])  # where the ``store`` package lives
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (root, env.get("PYTHONPATH"))))
    generation = "-" if parts.generation is None else str(parts.generation)
    # -P: not the current folder first on the path, where `python -m` would put
    # it: a user's folder may hold a ``store`` package of its own, which would run.
    command = [sys.executable, "-P", "-m", "store.full_text", str(store_path), str(parts.count)]
    try:
        done = subprocess.run(
            [*command, generation],
            input="\n".join(order).encode(),
            capture_output=True,
            env=env,
            check=False,
            timeout=_CHILD_TIMEOUT_S,
        )
    except (OSError, subprocess.TimeoutExpired):  # the child is killed on a timeout
        return False
    return done.returncode == 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m store.full_text STORE COUNT GENERATION``: cache the full text of STORE.

    COUNT and GENERATION name its abstract parts (GENERATION ``-`` for none);
    the paper ids in the order to lay the text out come on standard input.
    """
    from store.repository import Repository

    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) != 3:
        print("usage: python -m store.full_text STORE COUNT GENERATION", file=sys.stderr)
        return 2
    store_path = Path(args[0])
    parts = AbstractParts(int(args[1]), None if args[2] == "-" else int(args[2]))
    stamp = signature(parts.paths(store_path))
    if stamp is None:
        return 1
    abstracts = Repository(store_path).load_abstracts(parts)
    order = sys.stdin.buffer.read().decode().split("\n")
    written = FullText.write(cache_path(store_path), stamp, abstracts, order)
    return 0 if written and signature(parts.paths(store_path)) == stamp else 1


if __name__ == "__main__":
    raise SystemExit(main())
