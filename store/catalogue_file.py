"""The catalogue file's layout: one paper per line, read a chunk at a time.

The catalogue is one JSON document (a TinyDB file like the others)::

    {"meta":{...},"papers":{
    "Lee2024Graphs":{"id":"Lee2024Graphs","title":"..."},
    "Kim2023Waves":{"id":"Kim2023Waves","title":"..."}
    },"collections":{...}}

The line breaks are JSON whitespace, so any JSON reader (TinyDB's, or an
older paper-reader's) reads it as before. They let this module parse the
papers a few hundred kilobytes at a time, building papers and dropping each
chunk's dicts before the next: parsed whole, 100,000 records' dicts (three
times the file's size) would live beside the papers built from them, and
leave the memory they freed scattered between those papers. A catalogue
written on one line, as before this layout, is cut between records too.

Only a file whose every chunk parses, and whose parts together are exactly
the document, is read that way; any other file (one laid out otherwise, a
damaged one, one of a newer schema) is parsed whole, as before, so that it
opens, or fails with the same message, exactly as it always did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from store.errors import StoreError
from store.layout import AbstractParts
from store.model import Collection, Paper
from store.tinydb_files import (
    SCHEMA_VERSION,
    check_schema,
    papers_of,
    parse_tables,
    shape_problem,
)

# Bytes of records parsed at once: small enough that a chunk's dicts are
# still in the processor's cache when its papers are built from them (at
# 100,000 papers, 32 KB chunks read in 0.48 s, 256 KB in 0.55, 4 MB in 0.73),
# large enough that the cost of each parse call vanishes.
CHUNK_BYTES = 1 << 15
# How many papers the writer turns into bytes at once.
_RECORDS_AT_ONCE = 1000
# Put in place of the papers' text to check that it was found where it is:
# directly inside the top-level "papers" table.
_PROBE_KEY = "\u0000paper-reader-probe"
_PROBE = orjson.dumps({_PROBE_KEY: {}})[1:-1]


def catalogue_bytes(
    papers: list[Paper],
    collections: list[Collection],
    parts: AbstractParts,
    companions: tuple[str, ...],
) -> bytes:
    """The catalogue file for these papers and collections, as written to disk."""
    return b"".join(catalogue_chunks(papers, collections, parts, companions))


def catalogue_chunks(
    papers: list[Paper],
    collections: list[Collection],
    parts: AbstractParts,
    companions: tuple[str, ...],
) -> Iterator[bytes]:
    """:func:`catalogue_bytes` in consecutive pieces, made as they are taken.

    Written to a file one after another, the file's bytes never exist whole
    in memory (64 MB for 100,000 papers, twice while joined), nor do the
    records' dicts: a thousand are made at a time.
    """
    meta = {
        "schema": {"version": SCHEMA_VERSION},
        "abstracts": parts.as_meta(),
        "companions": {"expected": list(companions)},
    }
    yield b'{"meta":' + orjson.dumps(meta) + b',"papers":{\n'
    for start in range(0, len(papers), _RECORDS_AT_ONCE):
        lines = b",\n".join(
            orjson.dumps({paper.id: paper.to_record()})[1:-1]
            for paper in papers[start : start + _RECORDS_AT_ONCE]
        )
        yield b",\n" + lines if start else lines
    collection_records = {c.name: c.to_dict() for c in collections}
    yield b'\n},"collections":' + orjson.dumps(collection_records) + b"}"


def catalogue_of(raw: bytes, where: Path) -> tuple[dict[str, Any], list[Paper]]:
    """The catalogue's tables other than its papers, and its papers (in file order).

    Raises :class:`StoreError` naming ``where`` and what is wrong, as the
    whole-file parse always has.
    """
    chunked = _read_in_chunks(raw)
    if chunked is not None:
        return chunked
    tables = parse_tables(raw, where)
    papers = papers_of(tables, where)
    tables.pop("papers", None)
    return tables, papers


def _read_in_chunks(raw: bytes) -> tuple[dict[str, Any], list[Paper]] | None:
    """The catalogue read chunk by chunk; None unless it reads exactly as the whole would.

    Why that holds: the text before and after the papers, with a probe
    member between them, parses with the probe alone in the top-level papers
    table; the papers' text is cut at commas into chunks, and each chunk
    parses, in braces, as a non-empty object, so it is a list of members.
    Putting the chunks and the commas back where the probe was gives the
    file: a valid document whose papers table holds the chunks' members in
    order. A key seen twice keeps its first place and its last value, in
    the table and in the dict the papers are gathered in alike.

    Where the cuts fall only decides how fast this is: a cut inside a record
    makes a chunk that does not parse, and the chunk grows to the next cut.
    """
    region = _papers_region(raw)
    if region is None:
        return None
    begin, end, next_cut = region
    try:
        tables = orjson.loads(raw[:begin] + _PROBE + raw[end:])
    except orjson.JSONDecodeError:
        return None
    if type(tables) is not dict or tables.get("papers") != {_PROBE_KEY: {}}:
        return None
    del tables["papers"]
    if shape_problem(tables) is not None:
        return None
    try:
        check_schema(tables, Path())
    except StoreError:
        return None
    papers: dict[str, Paper] = {}
    start, wanted, misses = begin, begin + CHUNK_BYTES, 0
    while start < end:
        cut = next_cut(wanted) if wanted < end else -1
        stop = cut if cut >= 0 else end
        try:
            records = orjson.loads(b"{" + raw[start:stop] + b"}")
        except orjson.JSONDecodeError:
            misses += 1
            if stop == end or misses > _MISSES_ALLOWED:
                return None  # damage, most likely: the whole parse says what
            wanted = stop + 1
            continue
        if not records:
            return None
        try:
            # A record that is not an object has no .get: it raises too.
            papers.update(zip(records, map(Paper.from_record, records.values()), strict=True))
        except Exception:  # the whole parse and Paper.from_dict say what is wrong
            return None
        start = stop + 1
        wanted = start + CHUNK_BYTES
    return tables, list(papers.values())


def _papers_region(raw: bytes) -> tuple[int, int, Callable[[int], int]] | None:
    """Where the papers' text begins and ends, and how to find a comma to cut it at.

    This module's layout cuts at line ends. A catalogue written on one line
    (by paper-reader before this layout) is cut before a record's key, found
    by the ``"id"`` every record starts with; a cut that misses only costs time.
    """
    first = raw.find(b"\n")
    if first >= 0:
        last = raw.rfind(b"\n")

        def line_end(at: int) -> int:
            return raw.find(b",\n", at, last)

        return first + 1, last, line_end
    opening = raw.find(_PAPERS_OPENING)
    closing = raw.rfind(_COLLECTIONS_AFTER)
    if opening < 0 or closing < opening:
        return None

    def before_key(at: int) -> int:
        record = raw.find(_RECORD_OPENING, at, closing)
        while record >= 0:
            comma = raw.rfind(b',"', at, record)
            if comma >= 0:
                return comma
            record = raw.find(_RECORD_OPENING, record + 1, closing)
        return -1

    return opening + len(_PAPERS_OPENING), closing, before_key


# Cut points that are not between records, and damage, make chunks that do
# not parse; past this many the file is parsed whole.
_MISSES_ALLOWED = 32
_PAPERS_OPENING = b'"papers":{'
_COLLECTIONS_AFTER = b'},"collections":'
_RECORD_OPENING = b'":{"id":"'
