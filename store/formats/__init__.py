"""Importers and exporters, one module per format, chosen by content.

Every importer is a pure function ``parse(text) -> ImportResult`` with a cheap
``looks_like(text)`` sniffer; adding a format touches this package only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import ModuleType

from store.errors import FormatError
from store.formats import json_export, profile
from store.model import ImportResult

IMPORT_FORMATS: dict[str, ModuleType] = {
    "json": json_export,
    "profile": profile,
}
FORMAT_CHOICES = ("auto", *IMPORT_FORMATS)


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
        if module.looks_like(text):
            return name
    raise FormatError("not a paper collection in any format paper-reader reads", 1)


def parse_text(
    text: str, fmt: str = "auto", *, as_of: dt.date | None = None, source: str = ""
) -> ImportResult:
    """Parse text in the named format (``auto`` detects it)."""
    name = detect_format(text) if fmt == "auto" else fmt
    try:
        module = IMPORT_FORMATS[name]
    except KeyError:
        raise FormatError(f"unknown format {name!r}") from None
    parse: Callable[..., ImportResult] = module.parse
    if name == "profile":
        return parse(text, as_of=as_of, source=source)
    return parse(text, source=source)
