"""Field values as BibTeX reads them: ``@string`` macros, ``#`` concatenation, months.

bibtexparser's ``ResolveStringReferencesMiddleware`` replaces only whole-value
macros (in 2.1.0 it leaves ``a # " b"`` as is) and its month middlewares
cannot read a concatenation, so values are resolved here, in one pass. The
macros of every file of one import form one table, as BibTeX reads
``\\bibliography{abbrv,literatur,crossref}``: strings defined in one file serve
entries in another.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence

from store.formats.bibtex_blocks import SplitFile
from store.formats.bibtex_scan import RawEntry
from store.model import ImportWarning


class Entry:
    """An entry with macros resolved: lower-case type and field names, LaTeX values."""

    __slots__ = ("fields", "key", "line", "type", "undefined")

    def __init__(
        self,
        entry_type: str,
        key: str,
        fields: dict[str, str],
        line: int | None,
        undefined: tuple[str, ...] = (),
    ):
        self.type = entry_type
        self.key = key
        self.fields = fields
        self.line = line
        # Macros the entry uses that no @string of the import defines.
        self.undefined = undefined


def build_macros(files: Sequence[SplitFile]) -> dict[str, str]:
    """The ``@string`` table of the files read in order, each value resolved as it comes.

    A redefinition replaces the earlier value, as in BibTeX, and is warned
    about in the file that redefines it.
    """
    macros: dict[str, str] = {}
    for split_file in files:
        for string in split_file.strings:
            name = string.name.lower()
            if name in macros:
                split_file.warnings.append(
                    ImportWarning(
                        f"@string {string.name!r} is defined again; the later value is used",
                        string.line,
                    )
                )
            macros[name] = resolve(string.value, macros)
    return macros


MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_MACROS = {name[:3].lower(): name for name in MONTH_NAMES}
_CONCATENATION_MARKS = re.compile(r"(?<!\\)[{}\"#]")


def resolve(raw: str, macros: Mapping[str, str], undefined: list[str] | None = None) -> str:
    """A field value as BibTeX reads it: delimiters removed, macros expanded, ``#`` joined.

    The names of macros no ``@string`` defines (months aside) are added to ``undefined``.
    """
    raw = raw.strip()
    if "#" not in raw:
        return _piece(raw, macros, undefined)
    return "".join(_piece(piece, macros, undefined) for piece in _split_concatenation(raw))


def _piece(piece: str, macros: Mapping[str, str], undefined: list[str] | None = None) -> str:
    piece = piece.strip()
    if not piece:
        return ""
    if (piece[0] == "{" and piece[-1] == "}") or (piece[0] == '"' and piece[-1] == '"'):
        return piece[1:-1] if len(piece) > 1 else ""
    if piece.isdigit():
        return piece
    name = piece.lower()
    if name in macros:
        return macros[name]
    # An undefined macro: BibTeX warns and prints nothing; its name says more.
    if name in _MONTH_MACROS:
        return _MONTH_MACROS[name]
    if undefined is not None and piece not in undefined:
        undefined.append(piece)
    return piece


def _split_concatenation(raw: str) -> list[str]:
    """Split at each ``#`` outside braces and quotes."""
    pieces: list[str] = []
    depth = 0
    in_quotes = False
    start = 0
    for mark in _CONCATENATION_MARKS.finditer(raw):
        char = mark.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == '"' and depth == 0:
            in_quotes = not in_quotes
        elif char == "#" and depth == 0 and not in_quotes:
            pieces.append(raw[start : mark.start()])
            start = mark.end()
    pieces.append(raw[start:])
    return pieces


def resolve_entry(entry: RawEntry, macros: Mapping[str, str]) -> Entry:
    """Resolve every value; a repeated field (any case) keeps its first value."""
    fields: dict[str, str] = {}
    undefined: list[str] = []
    lowered = _LOWER
    for key, value in entry.fields:
        name = lowered.get(key) or _lower(key)
        if name in fields:
            continue
        raw = value.strip()
        if "#" not in raw and len(raw) > 1 and raw[0] + raw[-1] in ("{}", '""'):
            fields[name] = raw[1:-1]  # the common case of resolve(): one delimited piece
        else:
            fields[name] = resolve(raw, macros, undefined)
    return Entry(entry.type.lower(), entry.key, fields, entry.line, tuple(undefined))


def resolved_fields(
    entry: RawEntry, macros: Mapping[str, str], wanted: tuple[str, ...]
) -> dict[str, str]:
    """The ``wanted`` (lower-case) fields as :func:`resolve_entry` resolves them."""
    fields: dict[str, str] = {}
    for key, value in entry.fields:
        name = key.lower()
        if name in wanted and name not in fields:
            fields[name] = resolve(value, macros)
    return fields


# Field names repeat in every entry: each lower-cased once, one string for all
# entries (a string per entry and name is 27 MB over 100,000 entries).
_LOWER: dict[str, str] = {}


def _lower(name: str) -> str:
    lowered = _LOWER.get(name)
    if lowered is None:
        if len(_LOWER) > 1 << 12:
            _LOWER.clear()
        lowered = _LOWER[name] = sys.intern(name.lower())
    return lowered
