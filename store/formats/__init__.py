"""Importers and exporters, one module per format, chosen by content.

Every importer is a pure function ``parse(text) -> ImportResult`` with a cheap
``looks_like(text)`` sniffer; adding a format touches this package only.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from types import ModuleType

from store.bulk import paused_gc
from store.errors import FormatError
from store.model import Collection, ImportResult, Paper, UserState

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
    if fmt == "json":
        from store.formats import json_export

        return json_export.dump(papers, states, collections)
    if fmt == "bibtex":
        from store.formats import bibtex

        return bibtex.dump(papers)
    if fmt == "csljson":
        from store.formats import csl_json

        return csl_json.dump(papers)
    if fmt == "markdown":
        from store.formats import markdown

        return markdown.dump(papers, states)
    if fmt == "csv":
        from store.formats import csv_export

        return csv_export.dump(papers, states)
    raise FormatError(f"unknown export format {fmt!r}")


def decode_input(raw: bytes) -> str:
    """Bytes from a file as text, or a :class:`FormatError` saying why not.

    A byte-order mark is dropped (a naive decode keeps it and loses the first
    record); NUL bytes mark a binary file.
    """
    if not raw.strip():
        raise FormatError("the file is empty")
    if b"\x00" in raw[:65536]:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise FormatError("binary data, not a text file", line)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise FormatError("not UTF-8 text", line) from None


def detect_format(text: str) -> str:
    """The name of the first format whose sniffer accepts the text."""
    for name, module in IMPORT_FORMATS.items():
        if format_module(module).looks_like(text):
            return name
    raise FormatError("not a paper collection in any format paper-reader reads", 1)


def parse_text(
    text: str, fmt: str = "auto", *, as_of: dt.date | None = None, source: str = ""
) -> ImportResult:
    """Parse text in the named format (``auto`` detects it)."""
    name = detect_format(text) if fmt == "auto" else fmt
    try:
        module = format_module(IMPORT_FORMATS[name])
    except KeyError:
        raise FormatError(f"unknown format {name!r}") from None
    parse: Callable[..., ImportResult] = module.parse
    with paused_gc():  # a large file makes 100,000s of objects and no garbage
        if name == "profile":
            return parse(text, as_of=as_of, source=source)
        return parse(text, source=source)
