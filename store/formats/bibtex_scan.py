r"""A fast reading of well-formed BibTeX blocks, giving exactly what bibtexparser's splitter gives.

bibtexparser's splitter steps from mark to mark (every brace, quote, comma,
``=`` and newline) in Python: 9 s for a 150 MB file. Here each block is read
by compiled patterns that step over whole runs of text, and only blocks whose
reading is certain are read: anything else (a block that does not close, a
key holding a brace or a backslash, a repeated field, ``@string`` in
parentheses, braces nested deeper than :data:`_MAX_DEPTH`) makes the caller
split that stretch of text with bibtexparser, so its results and warnings
stay the reference.

What the patterns encode is bibtexparser's reading, quirks included:

- a mark (``{ } " , =``) right after a backslash is no mark (``\{``, ``\,``),
  even after an escaped backslash (``\\}``);
- inside ``"..."`` braces do not count, and ``{"}`` is a quote character;
- inside braces quotes do not count;
- a value ends at the first ``,`` or closing delimiter outside both;
- keys and field names are what lies between the marks, stripped;
- a block start (``@type{`` or ``@type(``) anywhere outside a block opens a
  block; one at the start of a line ends whatever block is open, so the text
  between two such lines (a *region*) reads the same alone as in the file.

The module also holds what the splitter gives: :class:`RawEntry`, kept
compact until resolved, and :class:`BlockLines`, the line numbers
bibtexparser would give.
"""

from __future__ import annotations

import bisect
import re
import sys

from bibtexparser import model as bib

__all__ = [
    "LINE_BLOCK_START",
    "BlockLines",
    "RawEntry",
    "ScannedEntry",
    "ScannedString",
    "region_starts",
    "scan_region",
]


class RawEntry:
    """An entry as split: type, key, fields with their values not yet resolved, line.

    Entries wait for every file of an import to be split (macros and crossref
    parents may come from any), so they are held compactly: the field names
    as one tuple shared by the entries that name the same fields, the values
    as one UTF-8 byte string (a Python string per value costs 50-70 bytes
    more, and two or four bytes a character when it is not ASCII). ``fields``
    unpacks them.
    """

    __slots__ = ("_names", "_values", "key", "line", "type")

    def __init__(
        self, entry_type: str, key: str, fields: list[tuple[str, str]], line: int | None = None
    ):
        self.type = entry_type
        self.key = key
        self.line = line
        self._names: tuple[str, ...] = ()
        self._values: bytes | list[str] = b""
        self.fields = fields

    @classmethod
    def packed(
        cls, entry_type: str, key: str, names: tuple[str, ...], values: list[str], line: int
    ) -> RawEntry:
        """An entry from its field names and values, as the fast reading finds them."""
        entry = cls.__new__(cls)
        entry.type = entry_type
        entry.key = key
        entry.line = line
        entry._pack(names, values)
        return entry

    @property
    def names(self) -> tuple[str, ...]:
        """The field names as written, in order."""
        return self._names

    @property
    def fields(self) -> list[tuple[str, str]]:
        """``(name, value)`` in order, names as written, values unresolved."""
        values = self._values
        if isinstance(values, bytes):
            return list(zip(self._names, values.decode("utf-8").split("\x00"), strict=True))
        return list(zip(self._names, values, strict=True))

    @fields.setter
    def fields(self, fields: list[tuple[str, str]]) -> None:
        self._pack(tuple(name for name, _ in fields), [value for _, value in fields])

    def _pack(self, names: tuple[str, ...], values: list[str]) -> None:
        self._names = _SHARED_NAMES.setdefault(names, names)
        if len(_SHARED_NAMES) > _MAX_SHARED_NAMES:
            _SHARED_NAMES.clear()
        joined = "\x00".join(values)
        if not values or joined.count("\x00") != len(values) - 1:
            self._values = values  # none, or a NUL inside one: kept apart (a damaged entry)
            return
        try:
            self._values = joined.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: a damaged entry, about to be skipped
            self._values = values


# Entries from one exporter name the same fields in the same order.
_SHARED_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}
_MAX_SHARED_NAMES = 1 << 12


class ScannedEntry:
    """An entry read by :func:`scan_region`: lower-case type, key, fields, where it lies.

    Type and field names are interned, as they repeat in every entry.
    """

    __slots__ = ("end", "key", "names", "start", "type", "values")

    def __init__(
        self,
        entry_type: str,
        key: str,
        names: tuple[str, ...],
        values: list[str],
        start: int,
        end: int,
    ) -> None:
        self.type = entry_type
        self.key = key
        self.names = names
        self.values = values
        self.start = start  # the "@"
        self.end = end  # just past the closing delimiter


class ScannedString:
    """An ``@string`` read by :func:`scan_region`: its name, raw value, where it lies."""

    __slots__ = ("end", "name", "start", "value")

    def __init__(self, name: str, value: str, start: int, end: int) -> None:
        self.name = name
        self.value = value
        self.start = start
        self.end = end


Scanned = ScannedEntry | ScannedString

# Field names as written (indentation and all) to their stripped, interned
# form: entries from one exporter write the same names the same way.
_FIELD_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}

# Where bibtexparser sees a block start: "@", a word, blanks, then "{" or "(".
_BLOCK_MARK = re.compile(r"@\w*[ \t]*(?=[{(])")
# The same at the start of a line (after blanks): a region boundary.
LINE_BLOCK_START = re.compile(r"^[^\S\n]*@\w*[ \t]*[{(]", re.MULTILINE)

_MAX_DEPTH = 12


def _group(depth: int) -> str:
    """Braces nested up to ``depth`` deep; quotes inside count for nothing."""
    inner = r"[^{}\\]++|\\++[{}]?"
    if depth > 1:
        inner += "|" + _group(depth - 1)
    return r"\{(?:" + inner + r")*+\}"


_GROUP = _group(_MAX_DEPTH)
# A quoted string: braces inside count for nothing, ``{"}`` is a quote character
# (bibtexparser wants a character after its "}", which the lookahead asks).
_QUOTED = r'"(?:[^"\\{]++|\\++"?|\{"\}(?=[\s\S])|\{)*+"'
# A name between marks: no mark, no backslash (which would hide one), no "@".
_NAME = r'[^{}",=\\@]*'
_PAREN_NAME = r'[^{}",=\\@)]*'
_VALUE = r'(?:[^{}",\\]++|\\++[{}",]?|' + _QUOTED + "|" + _GROUP + r")*+"
# In parentheses, ")" ends a value and a "}" outside braces is a character.
_PAREN_VALUE = r'(?:[^{}",)\\]++|\\++[{}",)]?|\}|' + _QUOTED + "|" + _GROUP + r")*+"

# An entry from its opening delimiter to its closing one: a key, then fields
# "name = value" separated by commas (one may end the list), or nothing more.
_ENTRY = re.compile(
    "(" + _NAME + r")(?:,(?:" + _NAME + "=" + _VALUE + ",)*+"
    r"(?:" + _NAME + "=" + _VALUE + r"\}|\s*\})|\})"
)
_PAREN_ENTRY = re.compile(
    "(" + _PAREN_NAME + r")(?:,(?:" + _PAREN_NAME + "=" + _PAREN_VALUE + ",)*+"
    r"(?:" + _PAREN_NAME + "=" + _PAREN_VALUE + r"\)|\s*\))|\))"
)
# The fields of an entry that :data:`_ENTRY` matched, in one call.
_FIELDS = re.compile("(" + _NAME + ")=(" + _VALUE + ")[,}]")
_PAREN_FIELDS = re.compile("(" + _PAREN_NAME + ")=(" + _PAREN_VALUE + ")[,)]")
_STRING = re.compile("(" + _NAME + r")=((?:[^{}\\]++|\\++[{}]?|" + _GROUP + r")*+)\}")
_BODY = re.compile(r"(?:[^{}\\]++|\\++[{}]?|" + _GROUP + r")*+\}")
# A line that starts a block, found from the newline before it (the engine
# jumps from newline to newline: five times faster than a "^" pattern).
_NEXT_LINE_BLOCK_START = re.compile(r"\n[^\S\n]*@\w*[ \t]*[{(]")


def region_starts(text: str) -> list[int]:
    """Where the regions of a text start: 0, then each line that starts a block."""
    return [0, *(match.start() + 1 for match in _NEXT_LINE_BLOCK_START.finditer(text))]


def scan_region(text: str, start: int, end: int) -> list[Scanned] | None:
    """The entries and strings of ``text[start:end]``, or None when one block is not certain.

    Comments and ``@preamble`` blocks are read past and not returned.
    ``end`` must be a region boundary (see :func:`region_starts`), or the end of the text.
    """
    scanned: list[Scanned] = []
    position = start
    while True:
        mark = _BLOCK_MARK.search(text, position)
        if mark is None or mark.start() >= end:
            return scanned
        block_end = _scan_block(text, mark, scanned)
        if block_end is None or block_end > end:
            return None
        position = block_end


def _scan_block(text: str, mark: re.Match[str], scanned: list[Scanned]) -> int | None:
    """Read the block at ``mark`` into ``scanned``; its end, or None when not certain."""
    kind = mark.group().lower()
    opening = mark.end()
    if text[opening] == "(":
        if kind.startswith(("@comment", "@preamble", "@string")):
            return None
        return _scan_entry(text, mark, kind, _PAREN_ENTRY, _PAREN_FIELDS, scanned)
    if kind.startswith(("@comment", "@preamble")):
        body = _BODY.match(text, opening + 1)
        return body.end() if body else None
    if kind.startswith("@string"):
        string = _STRING.match(text, opening + 1)
        if string is None:
            return None
        name, value = string.group(1, 2)
        scanned.append(ScannedString(name.strip(), value.strip(), mark.start(), string.end()))
        return string.end()
    return _scan_entry(text, mark, kind, _ENTRY, _FIELDS, scanned)


def _scan_entry(
    text: str,
    mark: re.Match[str],
    kind: str,
    entry_pattern: re.Pattern[str],
    fields_pattern: re.Pattern[str],
    scanned: list[Scanned],
) -> int | None:
    entry = entry_pattern.match(text, mark.end() + 1)
    if entry is None:
        return None
    head = entry.end(1)
    end = entry.end()
    names: tuple[str, ...] = ()
    values: list[str] = []
    found = fields_pattern.findall(text, head + 1, end) if text[head] == "," else None
    if found:
        written, raw_values = zip(*found, strict=True)
        names = _FIELD_NAMES.get(written, ())
        if not names:
            names = tuple([sys.intern(name.strip()) for name in written])
            if len(set(names)) != len(names):
                return None  # a repeated field: bibtexparser flags the entry, the caller warns
            if len(_FIELD_NAMES) > _MAX_SHARED_NAMES:
                _FIELD_NAMES.clear()
            _FIELD_NAMES[written] = names
        values = list(map(str.strip, raw_values))
    entry_type = sys.intern(kind[1:].strip())
    key = entry.group(1).strip()
    scanned.append(ScannedEntry(entry_type, key, names, values, mark.start(), end))
    return end


class BlockLines:
    r"""1-based line numbers of blocks, for warnings, counted as they always were.

    bibtexparser counts lines from 0 and misses every newline that follows a
    backslash (its marks are "not after a backslash"), so in a file with
    ``\\`` line breaks its numbers fall behind (21 lines in Beebe's file).
    Its number is a lower bound: the block's raw text is looked up from there.
    Blocks read by :mod:`.bibtex_scan` get the same number: bibtexparser's
    count is the newlines before the block less those after a backslash.
    """

    def __init__(self, text: str, lines_before: int = 0) -> None:
        self._text = text
        self._lines_before = lines_before  # the text is a piece of a file starting on this line
        self._starts: list[int] | None = None
        self._counted = 0  # newlines are counted up to here, in order
        self._newlines = 0
        self._escaped = 0

    def of(self, block: bib.Block, shift: int = 0) -> int | None:
        """The line on which a block split by bibtexparser starts.

        ``shift`` is bibtexparser's line count where the text it split starts.
        """
        if block.start_line is None:
            return None
        return self._of_line(block.start_line + shift, block.raw or "")

    def at(self, start: int, end: int) -> int:
        """The line of the block ``text[start:end]``; blocks are asked for in order."""
        unescaped = self.unescaped_before(start)
        if not self._escaped:
            return self._lines_before + unescaped + 1
        return self._of_line(unescaped, self._text[start:end])

    def unescaped_before(self, position: int) -> int:
        """bibtexparser's line count at ``position``; positions are asked for in order."""
        text, counted = self._text, self._counted
        self._newlines += text.count("\n", counted, position)
        self._escaped += text.count("\\\n", max(counted - 1, 0), position)
        self._counted = position
        return self._newlines - self._escaped

    def _of_line(self, start_line: int, raw: str) -> int:
        if not raw:
            return self._lines_before + start_line + 1
        if self._starts is None:
            self._starts = [0, *(match.end() for match in re.finditer("\n", self._text))]
        claimed = self._starts[min(start_line, len(self._starts) - 1)]
        position = self._text.find(raw, claimed)
        if position < 0:
            position = self._text.find(raw)
        if position < 0:
            return self._lines_before + start_line + 1
        return self._lines_before + bisect.bisect_right(self._starts, position)
