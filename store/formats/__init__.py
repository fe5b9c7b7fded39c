"""Importers and exporters, one module per format, chosen by content.

Every importer is a pure function ``parse(text) -> ImportResult`` with a cheap
``looks_like(text)`` sniffer; adding a format touches this package only.
:func:`parse_files` is the entry for one import command: it decodes each file
(:mod:`.encoding`), detects its format and reads the BibTeX files together as
one bibliography (shared ``@string`` definitions, crossref parents in any file).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

from store.bulk import paused_gc
from store.errors import FileFormatError, FormatError
from store.formats.encoding import decode_file, decode_input, plain_utf8, reads_as_utf8
from store.model import Collection, ImportResult, ImportWarning, Paper, UserState
from store.progress import ImportProgress, ReadReport

if TYPE_CHECKING:
    from store.formats.bibtex_blocks import BibtexBytes

__all__ = [
    "EXPORT_FORMATS",
    "FORMAT_CHOICES",
    "IMPORT_FORMATS",
    "decode_file",
    "decode_input",
    "detect_format",
    "export_text",
    "format_module",
    "parse_files",
    "parse_text",
]

_T = TypeVar("_T")

# Sniffing order: the strict, structured formats first, the lenient profile dump last.
# Modules are imported when first used: the reader opens without loading any.
IMPORT_FORMATS: dict[str, str] = {
    "json": "json_export",
    "csljson": "csl_json",
    "arxiv": "arxiv_atom",
    "ris": "ris",
    "bibtex": "bibtex",
    "profile": "profile",
}
FORMAT_CHOICES = ("auto", *IMPORT_FORMATS)


def format_module(name: str) -> ModuleType:
    """The module of a format or exporter, by its module name (``bibtex``)."""
    return importlib.import_module(f"store.formats.{name}")


EXPORT_FORMATS = ("bibtex", "csljson", "markdown", "csv", "json")


def export_text(
    fmt: str,
    papers: list[Paper],
    states: dict[str, UserState],
    collections: list[Collection],
) -> str:
    """The papers written in an export format (``json`` keeps everything)."""
    # Imported here, as format_module does, so the reader opens without loading any.
    text: str
    if fmt == "json":
        from store.formats import json_export

        text = json_export.dump(papers, states, collections)
    elif fmt == "bibtex":
        from store.formats import bibtex

        text = bibtex.dump(papers)
    elif fmt == "csljson":
        from store.formats import csl_json

        text = csl_json.dump(papers)
    elif fmt == "markdown":
        from store.formats import markdown

        text = markdown.dump(papers, states)
    elif fmt == "csv":
        from store.formats import csv_export

        text = csv_export.dump(papers, states)
    else:
        raise FormatError(f"unknown export format {fmt!r}")
    return text


def detect_format(text: str) -> str:
    """The name of the first format whose sniffer accepts the text."""
    for name, module in IMPORT_FORMATS.items():
        if format_module(module).looks_like(text):
            return name
    raise FormatError("not a paper collection in any format paper-reader reads", 1)


def parse_text(
    text: str,
    fmt: str = "auto",
    *,
    as_of: dt.date | None = None,
    source: str = "",
    on_read: ReadReport | None = None,
) -> ImportResult:
    """Parse text in the named format (``auto`` detects it).

    ``on_read`` hears how far the parser has got, from the formats that say.
    """
    name = detect_format(text) if fmt == "auto" else fmt
    try:
        module = format_module(IMPORT_FORMATS[name])
    except KeyError:
        raise FormatError(f"unknown format {name!r}") from None
    parse: Callable[..., ImportResult] = module.parse
    with paused_gc():  # a large file makes 100,000s of objects and no garbage
        if name == "profile":
            return parse(text, as_of=as_of, source=source, on_read=on_read)
        return parse(text, source=source)


def parse_files(
    files: Iterable[tuple[str, bytes]],
    fmt: str = "auto",
    *,
    as_of: dt.date | None = None,
    progress: ImportProgress | None = None,
) -> list[tuple[str, ImportResult]]:
    """Parse the files of one import command, the BibTeX ones as one bibliography.

    Each file is decoded (an encoding fallback is a warning on its result)
    and its format detected on its own. The BibTeX files are then read
    together, as ``\\bibliography{abbrv,literatur,crossref}`` reads them:
    ``@string`` blocks and ``crossref``/``xdata`` parents of one file serve the
    entries of another, and a file holding only ``@string`` blocks gives no
    papers and no error. Each paper belongs to the file that defines it.

    Args:
        files: ``(path, bytes)`` pairs in command-line order. Nothing here
            keeps a file's bytes once decoded, nor a BibTeX file's text once
            split, so a caller handing them over one by one (an iterator
            over a list it empties) has each freed as soon as it is read.
        fmt: A name from :data:`IMPORT_FORMATS` for every file, or ``auto``.
        as_of: The reference date for profile dumps (today when not given).
        progress: Told how far the reading has got.

    Returns:
        ``(path, result)`` for every file, in the order given.

    Raises:
        FileFormatError: A file is empty, binary, not a paper collection in
            the format, or has no readable entry; the message names the file.
    """
    prepared = [_decoded(path, raw, fmt) for path, raw in files]
    if progress is not None:
        progress.expect(sum(len(text) for _, text, _, _ in prepared))
    # The BibTeX texts move to the bibliography: the list below is their only holder.
    bibliography = [(path, text) for path, text, name, _ in prepared if name == "bibtex"]
    prepared = [
        (path, "" if name == "bibtex" else text, name, notes)
        for path, text, name, notes in prepared
    ]
    bibtex_results: list[ImportResult] = []
    if bibliography:
        with paused_gc():
            bibtex_results = format_module("bibtex").parse_bibliography(
                handed_over(bibliography), progress
            )
    next_bibtex = iter(bibtex_results)

    parsed: list[tuple[str, ImportResult]] = []
    for path, text, name, notes in prepared:
        if name == "bibtex":
            result = next(next_bibtex)
        else:
            assert isinstance(text, str)  # only a BibTeX file keeps its bytes
            on_read = progress.reading(len(text)) if progress is not None else None
            try:
                result = parse_text(text, name, as_of=as_of, source=path, on_read=on_read)
            except FormatError as err:
                raise FileFormatError(path, err.message, err.line) from None
            if on_read is not None:
                on_read(1.0, len(result.papers) + result.skipped)
        if notes:
            result = replace(result, warnings=[*notes, *result.warnings])
        parsed.append((path, result))
    if progress is not None:
        progress.parsed(sum(len(result.papers) for _, result in parsed), made=True)
    return parsed


# Enough bytes for the sniffers' heads (BibTeX reads the first 1M characters,
# the others less) whatever the characters' widths.
_HEAD_BYTES = 5 << 20


def _decoded(
    path: str, raw: bytes, fmt: str
) -> tuple[str, str | BibtexBytes, str, list[ImportWarning]]:
    """(path, text, format name, decoding notes) of one file.

    A BibTeX file read as UTF-8 keeps its bytes instead of its text, cut
    into the pieces the splitter reads (see :class:`.bibtex_blocks.BibtexBytes`):
    each is decoded and let go of in turn, and the text, up to four times the
    bytes, never exists whole. A plain UTF-8 file that sniffs as BibTeX is
    never decoded whole at all.
    """
    try:
        sniffed = fmt == "bibtex" or (fmt == "auto" and _sniffs_as_bibtex(raw[:_HEAD_BYTES]))
        if sniffed and plain_utf8(raw):
            return path, _bibtex_bytes(raw), "bibtex", []
        text, notes = decode_file(raw)
        name = detect_format(text) if fmt == "auto" else fmt
        if name not in IMPORT_FORMATS:
            raise FormatError(f"unknown format {name!r}")
    except FormatError as err:
        raise FileFormatError(path, err.message, err.line) from None
    if name == "bibtex" and reads_as_utf8(raw, notes):
        return path, _bibtex_bytes(raw), name, notes
    return path, text, name, notes


def _sniffs_as_bibtex(head: bytes) -> bool:
    """Whether the file starting with ``head`` is detected as BibTeX, as its whole text would be.

    Every sniffer up to BibTeX's reads only the text's first megabyte, which
    the head holds whole.
    """
    try:
        return detect_format(head.decode("utf-8", "ignore")) == "bibtex"
    except FormatError:
        return False


def _bibtex_bytes(raw: bytes) -> BibtexBytes:
    # Imported here: the splitter loads bibtexparser, which only BibTeX needs.
    from store.formats.bibtex_blocks import BibtexBytes

    return BibtexBytes(raw)


def handed_over(items: list[_T]) -> Iterator[_T]:
    """The items in order, each dropped from ``items`` as it is taken (``items`` ends empty).

    Big values (a file's bytes or text) passed this way are freed as soon as
    their reader is done with them, not when the whole list is.
    """
    items.reverse()
    while items:
        yield items.pop()
