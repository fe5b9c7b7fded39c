"""The catalogue file's layout: one paper per line, read a chunk of lines at a time.

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
leave the memory they freed scattered between those papers.

Only a file whose every chunk parses, and whose parts together are exactly
the document, is read that way; any other file (one without these line
breaks, a damaged one, one of a newer schema) is parsed whole, as before, so
that it opens, or fails with the same message, exactly as it always did.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from store.errors import StoreError
from store.layout import AbstractParts
from store.model import Collection, Paper
from store.tinydb_files import (
    RECORD_ERRORS,
    SCHEMA_VERSION,
    check_schema,
    paper_of_record,
    papers_of,
    parse_tables,
    shape_problem,
)

# Bytes of records parsed at once: large enough that the per-chunk costs
# vanish, small enough that one chunk's dicts are a few megabytes.
CHUNK_BYTES = 1 << 18
# How many papers the writer turns into bytes at once.
_RECORDS_AT_ONCE = 1000
# Put in place of the records to check that the line breaks sit where this
# layout puts them: directly inside the top-level "papers" table.
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
    lined = _read_lined(raw)
    if lined is not None:
        return lined
    tables = parse_tables(raw, where)
    papers = papers_of(tables, where)
    tables.pop("papers", None)
    return tables, papers


def _read_lined(raw: bytes) -> tuple[dict[str, Any], list[Paper]] | None:
    """The catalogue read chunk by chunk; None unless it reads exactly as the whole would.

    Why that holds: the first and last lines with a probe member between
    them parse, with the probe alone in the top-level papers table; each
    chunk of the lines between them, its trailing comma taken off (every
    chunk has one but the last), parses as a non-empty object, so it is a
    list of members. Putting the chunks back where the probe was gives the
    file, a valid document whose papers table holds the chunks' members in
    order; a key seen twice keeps its first place and its last value, in
    the table and in the dict the papers are gathered in alike.
    """
    first = raw.find(b"\n")
    last = raw.rfind(b"\n")
    if first < 0:
        return None
    try:
        tables = orjson.loads(raw[:first] + _PROBE + raw[last + 1 :])
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
    start = first + 1
    while start < last:
        stop = raw.find(b"\n", min(start + CHUNK_BYTES, last), last)
        if stop < 0:
            stop = last
        chunk = raw[start:stop]
        if stop < last:
            if not chunk.endswith(b","):
                return None
            chunk = chunk[:-1]
        try:
            records = orjson.loads(b"{" + chunk + b"}")
        except orjson.JSONDecodeError:
            return None
        if not records:
            return None
        for doc_id, doc in records.items():
            if type(doc) is not dict:
                return None
            try:
                papers[doc_id] = paper_of_record(doc)
            except RECORD_ERRORS:
                return None
        start = stop + 1
    return tables, list(papers.values())
