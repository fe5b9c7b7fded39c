"""Tf-idf features of every paper, built once per catalogue and cached beside the store.

A paper's features are the words of its title (counted twice: a title says
what a paper is about more densely than its abstract), its abstract and its
venue, the word pairs (bigrams) of its title, one token per author surname
and one per subject category (:mod:`store.paper_terms`). Pairs from
abstracts would double the time and multiply the vocabulary tenfold for no
gain measured on real collections (``python -m bench.ranking``).
scikit-learn's ``TfidfVectorizer`` weighs them (sublinear term frequency,
idf), as arxiv-sanity-lite does; each paper keeps its :data:`TERMS_PER_PAPER`
heaviest terms, and rows have unit length so that a dot product of two rows
is their cosine similarity.

Building them reads every abstract, so the matrix is kept in
``library.features.npz`` beside ``library.json`` with a signature of the
catalogue files it came from; a later process whose catalogue has the same
signature maps it from the file (see :meth:`Features.release`). The file is
a derived cache: when it is missing, stale, damaged or cannot be written,
the features are built again and nothing is reported.

numpy, scipy and scikit-learn are imported inside the functions only: the
rest of the command line and the reader's start never pay for them.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from store.atomic import write_cache
from store.layout import part_files
from store.model import Paper
from store.paper_terms import MARKUP_WORDS, paper_terms

if TYPE_CHECKING:
    from store.library import Library

# Bump when the text a paper yields, the weighting or the file's layout
# changes: a cache built by other code must not pass for this one's. (3: the
# arrays are aligned in the file, so that they can be mapped.)
FEATURES_VERSION = 3
_MIN_PAPERS_FOR_PRUNING = 20
CHILD_BUILD_MIN_PAPERS = 5000
"""Below this many papers ``in_child`` builds in-process: it is quicker than a child's start."""
TERMS_PER_PAPER = 64
"""At most this many terms per paper are kept (the heaviest); see :func:`_heaviest`."""


@dataclass(frozen=True, slots=True)
class Features:
    """The tf-idf matrix of a catalogue: one unit-length row per paper.

    Attributes:
        ids: Paper ids in row order.
        matrix: A ``scipy.sparse.csr_matrix`` of shape (papers, terms), float32.
        terms: The term of each column (``au_lee`` is an author, ``cat_lg`` a category).
        signature: The catalogue files the matrix was built from (see :func:`signature`).
        mapping: The read-only ``mmap`` of the cache file the matrix lies in, when it
            was loaded from one (None when it was built here); see :meth:`release`.
        rows: Paper id → row of the matrix.
    """

    ids: tuple[str, ...]
    matrix: Any
    terms: tuple[str, ...]
    signature: str
    mapping: Any = field(default=None, repr=False, compare=False)
    rows: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rows = {paper_id: row for row, paper_id in enumerate(self.ids)}
        object.__setattr__(self, "rows", rows)  # derived once; the dataclass stays frozen

    def release(self) -> None:
        """Give back the memory of the matrix's pages read so far (a loaded matrix only).

        A loaded matrix is not copied into memory: it is read from the cache
        file through a mapping, so its pages count in the process's memory
        only from when they are read until they are released. A released
        page is read again, from the system's file cache, when next needed.
        A long-lived process thus keeps ~50 MB less at 100,000 papers.
        """
        _release(self.mapping)

    def dot(self, vector: Any) -> Any:
        """``matrix @ vector`` as a flat array; a loaded matrix is read and released in blocks."""
        import numpy as np

        matrix = self.matrix
        if self.mapping is None:
            return np.asarray(matrix @ vector).ravel()
        parts = []
        for start in range(0, matrix.shape[0], _RELEASE_ROWS):
            parts.append(np.asarray(matrix[start : start + _RELEASE_ROWS] @ vector).ravel())
            self.release()  # so that the whole matrix is never in memory at once
        return np.concatenate(parts) if parts else np.zeros(0, dtype=matrix.dtype)


_RELEASE_ROWS = 16_384  # ~8 MB of a loaded matrix read between two releases


def _release(mapping: mmap.mmap | None) -> None:
    # Where the system cannot be told (no madvise: Windows), pages stay until it needs them.
    advice = getattr(mmap, "MADV_DONTNEED", None)
    if mapping is not None and advice is not None and hasattr(mapping, "madvise"):
        mapping.madvise(advice)


def cache_path(store_path: Path) -> Path:
    """Where the features of the store at ``store_path`` are cached: ``library.features.npz``."""
    return store_path.with_name(f"{store_path.stem}.features.npz")


def signature(library: Library) -> str:
    """What the features depend on: the catalogue and abstract files and the paper ids.

    Every import rewrites these files atomically (a new inode, size and
    mtime), so a change of any of them means the catalogue changed. The ids
    guard against a library object that has not yet re-read a changed file.
    """
    parts = [f"v{FEATURES_VERSION}"]
    parts_on_disk = [part.path for part in part_files(library.path) if not part.is_backup]
    for path in (library.path, *parts_on_disk):
        try:
            st = os.stat(path)
        except OSError:
            parts.append(f"{path.name}:-")
            continue
        parts.append(f"{path.name}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}")
    ids = hashlib.sha1("\n".join(p.id for p in library.papers()).encode("utf-8", "replace"))
    parts.append(f"{len(library)}:{ids.hexdigest()}")
    return "|".join(parts)


def load_or_build(library: Library, *, in_child: bool = False) -> Features:
    """The library's features: from the cache file when it matches, else built and saved.

    With ``in_child`` a child process builds and saves them and this one
    loads the file: a long-lived process (the reader) then keeps none of the
    building's memory and its UI thread never waits on the building for the
    interpreter lock. A small library is built here all the same (starting a
    child would cost more), and so is any whose child fails.
    """
    current = signature(library)
    path = cache_path(library.path)
    cached = load(path, current)
    if cached is not None:
        return cached
    if in_child and len(library) >= CHILD_BUILD_MIN_PAPERS and _build_in_child(library.path):
        cached = load(path, current)
        if cached is not None:
            return cached
    features = build(library.complete_all(library.papers()), current)
    save(features, path)
    return features


def _build_in_child(store_path: Path) -> bool:
    """Run ``python -m store.features STORE`` to completion; True when it succeeded."""
    import subprocess
    import sys

    root = str(Path(__file__).resolve().parents[1])  # where the ``store`` package lives
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (root, env.get("PYTHONPATH"))))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "store.features", str(store_path)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=env,
            check=False,
        )
    except OSError:
        return False
    return done.returncode == 0


def build(papers: Sequence[Paper], signature: str = "") -> Features:
    """Tf-idf features of these papers (with their abstracts), one row each, in order."""
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import (
        ENGLISH_STOP_WORDS,
        TfidfVectorizer,
    )

    stop = ENGLISH_STOP_WORDS | MARKUP_WORDS
    # A term in one paper only links it to nothing; in a small library every
    # term may be rare, so pruning waits until there are enough papers.
    min_df = 2 if len(papers) >= _MIN_PAPERS_FOR_PRUNING else 1
    vectorizer = TfidfVectorizer(
        analyzer=lambda paper: paper_terms(paper, stop),
        min_df=min_df,
        max_df=0.5 if len(papers) >= _MIN_PAPERS_FOR_PRUNING else 1.0,
        sublinear_tf=True,
        dtype=np.float32,
    )
    ids = tuple(paper.id for paper in papers)
    try:
        matrix = vectorizer.fit_transform(papers)
    except ValueError:  # no paper has a single term that survives pruning
        empty = sparse.csr_matrix((len(papers), 0), dtype=np.float32)
        return Features(ids, empty, (), signature)
    terms = tuple(str(term) for term in vectorizer.get_feature_names_out())
    return Features(ids, _heaviest(sparse.csr_matrix(matrix), TERMS_PER_PAPER), terms, signature)


def _heaviest(matrix: Any, keep: int) -> Any:
    """Each row's ``keep`` heaviest terms, rows scaled back to unit length.

    A long abstract's lightest terms barely move a cosine or a score, but
    they are most of the matrix: capping the row bounds its memory at
    ``keep`` entries per paper whatever the abstracts hold. Rows are done a
    block at a time so that the sorting's temporaries stay small.
    """
    import numpy as np
    from scipy import sparse

    counts = np.diff(matrix.indptr)
    if counts.size == 0 or counts.max() <= keep:
        return matrix
    blocks = [
        _heaviest_block(matrix[start : start + _BLOCK_ROWS], keep)
        for start in range(0, matrix.shape[0], _BLOCK_ROWS)
    ]
    kept = np.concatenate([np.diff(block.indptr) for block in blocks])
    indptr = np.concatenate(([0], np.cumsum(kept))).astype(matrix.indptr.dtype)
    data = np.concatenate([block.data for block in blocks])
    indices = np.concatenate([block.indices for block in blocks])
    return sparse.csr_matrix((data, indices, indptr), shape=matrix.shape)


_BLOCK_ROWS = 4096


def _heaviest_block(matrix: Any, keep: int) -> Any:
    import numpy as np
    from scipy import sparse

    counts = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0]), counts)
    order = np.lexsort((-matrix.data, rows))  # by row, heaviest first within a row
    rank = np.arange(order.size) - matrix.indptr[rows[order]]
    chosen = np.sort(order[rank < keep])
    kept = np.bincount(rows[chosen], minlength=matrix.shape[0])
    pruned = sparse.csr_matrix(
        (matrix.data[chosen], matrix.indices[chosen], np.concatenate(([0], np.cumsum(kept)))),
        shape=matrix.shape,
    )
    norms = np.sqrt(np.asarray(pruned.multiply(pruned).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    pruned.data *= np.repeat((1.0 / norms).astype(np.float32), kept)
    return pruned


# -- the cache file ---------------------------------------------------------------


def save(features: Features, path: Path) -> None:
    """Write the features atomically; a cache that cannot be written is simply not kept."""
    import numpy as np

    matrix = features.matrix
    arrays = {
        "data": matrix.data,
        "indices": matrix.indices,
        "indptr": matrix.indptr,
        "shape": np.array(matrix.shape, dtype=np.int64),
        "ids": _joined(features.ids),
        "terms": _joined(features.terms),
        "signature": _joined((features.signature,)),
    }
    write_cache(path, lambda out: _write_aligned_npz(out, arrays))


_ALIGN = 64  # numpy pads an array's header to this; the archive member starts on it too
_PADDING_FIELD = 0xD935  # the zip extra field that pads data to alignment (Android's zipalign)
# A zip member's local header (APPNOTE 4.3.7): signature, ..., name length, extra length.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"


def _write_aligned_npz(out: BinaryIO, arrays: dict[str, Any]) -> None:
    """An ``.npz`` archive (``np.load`` reads it) whose arrays start on 64-byte boundaries.

    Each member is stored uncompressed, its local header padded with an
    extra field, so that :func:`load` can map the arrays from the file
    rather than read them into memory.
    """
    import numpy as np

    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            fixed = _LOCAL_HEADER.size + len(member.filename.encode()) + 4
            pad = -(out.tell() + fixed) % _ALIGN  # the archive writes each header at the end
            member.extra = struct.pack("<HH", _PADDING_FIELD, pad) + bytes(pad)
            with archive.open(member, "w") as stream:
                np.lib.format.write_array(stream, np.ascontiguousarray(array), allow_pickle=False)


def load(path: Path, expected_signature: str) -> Features | None:
    """The cached features when the file holds those of ``expected_signature``, else None.

    Any damage (truncated, not a zip, wrong arrays) reads as no cache. The
    matrix is mapped from the file, not read (see :meth:`Features.release`);
    the file is only ever replaced, never rewritten in place, so the mapping
    stays valid while this process uses it.
    """
    import numpy as np
    from scipy import sparse

    try:
        with open(path, "rb") as raw:
            mapping = mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ)
            with zipfile.ZipFile(raw) as archive:
                saved = {
                    info.filename.removesuffix(".npy"): _mapped_array(mapping, info)
                    for info in archive.infolist()
                }
        if _split(saved["signature"]) != (expected_signature,):
            return None
        shape = tuple(int(n) for n in saved["shape"])
        data, indices = saved["data"], saved["indices"]
        indptr = np.array(saved["indptr"])  # small, and read for every row
        valid = _valid_csr(data, indices, indptr, shape)
        _release(mapping)  # checking read it all
        if not valid:
            return None
        matrix = sparse.csr_matrix((data, indices, indptr), shape=shape, copy=False)
        ids, terms = _split(saved["ids"]), _split(saved["terms"])
    except Exception:  # a derived cache: whatever is wrong with it, build it again
        return None
    if len(ids) != shape[0] or len(terms) != shape[1] or matrix.dtype != np.float32:
        return None
    return Features(ids, matrix, terms, expected_signature, mapping)


def _mapped_array(mapping: mmap.mmap, info: zipfile.ZipInfo) -> Any:
    """The array of one ``.npy`` member of the archive, as a view of the mapping."""
    import io

    import numpy as np

    if info.compress_type != zipfile.ZIP_STORED:
        raise ValueError(f"{info.filename} is compressed")
    start = info.header_offset
    header = _LOCAL_HEADER.unpack(mapping[start : start + _LOCAL_HEADER.size])
    if header[0] != _LOCAL_SIGNATURE:
        raise ValueError(f"{info.filename}: no local header")
    name_length, extra_length = header[10], header[11]  # as the zip format places them
    start += _LOCAL_HEADER.size + name_length + extra_length
    stream = io.BytesIO(mapping[start : start + min(info.file_size, 4096)])
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
    else:
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    if fortran or dtype.hasobject or len(shape) != 1:
        raise ValueError(f"{info.filename}: not a flat array")
    offset = start + stream.tell()
    if offset + shape[0] * dtype.itemsize > start + info.file_size:
        raise ValueError(f"{info.filename} is cut short")
    array = np.frombuffer(mapping, dtype=dtype, count=shape[0], offset=offset)
    return array if array.flags.aligned else array.copy()  # an archive written elsewhere


def _valid_csr(data: Any, indices: Any, indptr: Any, shape: tuple[int, ...]) -> bool:
    """What ``check_format(full_check=True)`` checks, a block at a time (no big temporaries)."""
    import numpy as np

    if len(shape) != 2 or indptr.size != shape[0] + 1 or data.size != indices.size:
        return False
    if not (np.issubdtype(indices.dtype, np.signedinteger) and indptr.dtype == indices.dtype):
        return False
    if indptr[0] != 0 or indptr[-1] != data.size or (np.diff(indptr) < 0).any():
        return False
    for start in range(0, indices.size, _RELEASE_ROWS * TERMS_PER_PAPER):
        block = indices[start : start + _RELEASE_ROWS * TERMS_PER_PAPER]
        if block.min() < 0 or block.max() >= shape[1]:
            return False
    return True


def _joined(values: Sequence[str]) -> Any:
    import numpy as np

    return np.frombuffer("\n".join(values).encode("utf-8"), dtype=np.uint8)


def _split(array: Any) -> tuple[str, ...]:
    text = array.tobytes().decode("utf-8")
    return tuple(text.split("\n")) if text else ()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m store.features STORE``: build and cache the features of the store at STORE."""
    import sys

    from store.library import Library

    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) != 1:
        print("usage: python -m store.features STORE", file=sys.stderr)
        return 2
    library = Library(args[0])
    path = cache_path(library.path)
    features = load_or_build(library)
    return 0 if load(path, features.signature) is not None else 1


if __name__ == "__main__":
    raise SystemExit(main())
