r"""Splitting a ``.bib`` file into entries and ``@string`` definitions, with their lines.

bibtexparser's splitter (``parse_string`` with an empty parse stack) is the
reference for what the blocks are; :mod:`.bibtex_scan` reads the well-formed
ones exactly as it does, ten times faster, and leaves every stretch of text it
is not certain of to it. bibtexparser keeps the good blocks when some are
broken. Its failed blocks
become warnings, and two kinds are salvaged: an entry that repeats a field
keeps the first value, and an entry that ends a value in a backslash (which
classic BibTeX accepts and bibtexparser does not) is split again with ``\\``
masked. An entry holding a NUL byte or bytes that were not text (decoded to
lone surrogates) is damaged: it is skipped with a warning, the rest import.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from bibtexparser import model as bib
from bibtexparser.entrypoint import parse_string

from store.errors import FormatError
from store.formats.bibtex_scan import (
    LINE_BLOCK_START,
    BlockLines,
    RawEntry,
    ScannedEntry,
    ScannedString,
    region_starts,
    scan_region,
)
from store.model import ImportWarning
from store.text import clean_line

# bibtexparser logs every broken block; with no handler configured, Python's
# last-resort handler would print them across a running terminal UI. The
# problems reach the user as ImportWarnings instead.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

# Data containers (biblatex ``@xdata``) are no works: they feed other entries.
DATA_ONLY_TYPES = frozenset({"xdata"})

__all__ = ["DATA_ONLY_TYPES", "BibtexBytes", "RawEntry", "SplitFile", "StringDefinition", "split"]


@dataclass(slots=True)
class StringDefinition:
    """One ``@string`` as written: its name, its unresolved value, its line."""

    name: str
    value: str
    line: int | None


@dataclass(slots=True)
class SplitFile:
    """One file's blocks: entries and strings in file order, warnings, entries skipped.

    ``warnings`` stays open: later steps (macros, crossref) add theirs.
    """

    source: str
    entries: list[RawEntry] = field(default_factory=list)
    data_entries: list[RawEntry] = field(default_factory=list)
    strings: list[StringDefinition] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    skipped: int = 0


class BibtexBytes:
    """A UTF-8 ``.bib`` file's bytes, cut where the splitter's pieces may end.

    Each cut is handed over once and not kept, so the bytes already split
    are let go of while the entries pile up: a 150 MB file is not held
    whole until its last entry is read. The cuts are where :func:`split`
    would end its pieces in the whole bytes (one piece may take several).
    """

    __slots__ = ("_cuts", "_length")

    def __init__(self, raw: bytes) -> None:
        cuts: list[bytes] = []
        start = 0
        while start < len(raw):
            end = _piece_end(raw, start + _PIECE_CHARS)
            cuts.append(raw[start:end])
            start = end
        cuts.reverse()
        self._cuts = cuts
        self._length = len(raw)

    def __len__(self) -> int:
        return self._length

    def take(self) -> bytes | None:
        """The next cut, or None when all were taken."""
        return self._cuts.pop() if self._cuts else None


def split(
    text: str | bytes | BibtexBytes,
    source: str = "",
    *,
    on_read: Callable[[float, int], None] | None = None,
) -> SplitFile:
    """The entries and ``@string`` definitions of one file, in file order.

    As in BibTeX, the first entry with a key wins; a later one (which a
    salvaged block can also be) is skipped with a warning. A broken
    ``@string``, ``@preamble`` or ``@comment`` is warned about but is no
    entry, so it does not count as skipped.

    Args:
        text: The whole ``.bib`` file, or its bytes when they are UTF-8
            (decoded with ``surrogateescape``, as :func:`.encoding.decode_file`
            reads them): each piece is then decoded on its own, so the whole
            text is never held (nor, as :class:`BibtexBytes`, the bytes).
        source: The file's path, kept for the caller.
        on_read: Called after each piece with the share of the text split
            and the entries found so far.

    Raises:
        FormatError: bibtexparser's splitter crashed on the text.
    """
    if isinstance(text, str):
        text = text.removeprefix("\ufeff")
    elif isinstance(text, bytes):
        text = BibtexBytes(text)
    result = SplitFile(source)
    keys: set[str] = set()
    lines_before = 0
    length = len(text)
    pieces = _pieces(text) if isinstance(text, str) else _byte_pieces(text)
    del text  # the bytes cuts are freed as they are split
    for end, piece, read in pieces:
        _collect(read, result, BlockLines(piece, lines_before), keys, piece)
        lines_before += piece.count("\n")
        if on_read is not None:
            on_read(end / length, len(result.entries))
    result.warnings.sort(key=lambda warning: warning.line or 0)
    return result


# A block starts where bibtexparser's splitter sees one at the start of a line
# (after blanks): there it ends or aborts whatever block is open, so the text
# on either side splits the same way alone as within the whole file.
_LINE_BLOCK_START = LINE_BLOCK_START
# The same in UTF-8 bytes; its ASCII-only classes find fewer starts, never others.
_LINE_BLOCK_START_BYTES = re.compile(rb"^[^\S\n]*@\w*[ \t]*[{(]", re.MULTILINE)
# bibtexparser keeps every block's raw text and field objects until its library
# is dropped: splitting a file piece by piece keeps one piece's worth alive.
_PIECE_CHARS = 1 << 21


def _byte_pieces(cuts: BibtexBytes) -> Iterator[tuple[int, str, _Read]]:
    """:func:`_pieces` of the whole bytes, read from their cuts (each let go of once split)."""
    end = 0
    data = cuts.take()
    while data is not None:
        end += len(data)
        while True:
            piece = data.decode("utf-8", "surrogateescape")
            read, last_failed = _read_piece(piece)
            following = cuts.take() if last_failed else None
            if following is None:
                break
            data += following
            end += len(following)
        del data
        yield end, piece, read
        data = cuts.take()


def _pieces(text: str) -> Iterator[tuple[int, str, _Read]]:
    """(end, piece, blocks) of consecutive pieces of the text, each split on its own.

    A piece ends before a block start at the beginning of a line. When the
    last block of a piece is unfinished there (a broken entry), the next piece
    is joined to it, so that the block fails as it would in the whole file.
    """
    start = 0
    while start < len(text):
        end = _piece_end(text, start + _PIECE_CHARS)
        while True:
            piece = text[start:end]
            read, last_failed = _read_piece(piece)
            if end >= len(text) or not last_failed:
                break
            end = _piece_end(text, end + _PIECE_CHARS)
        yield end, piece, read
        start = end


def _piece_end(text: str | bytes, wanted: int) -> int:
    if wanted >= len(text):
        return len(text)
    if isinstance(text, bytes):
        found_bytes = _LINE_BLOCK_START_BYTES.search(text, wanted)
        return found_bytes.start() if found_bytes else len(text)
    found = _LINE_BLOCK_START.search(text, wanted)
    return found.start() if found else len(text)


# A piece's blocks in order: read by .bibtex_scan, or split by bibtexparser
# (with the offset of the text it split).
_Read = list[ScannedEntry | ScannedString | tuple[int, list[bib.Block]]]
# Whether blocks are read by .bibtex_scan where it is certain (tests compare).
_SCAN = True


def _read_piece(piece: str) -> tuple[_Read, bool]:
    """The blocks of a piece, and whether its last block failed (it may need the next piece).

    Each region (see :func:`.bibtex_scan.region_starts`) that the fast
    reading is not certain of is split by bibtexparser, with the line that
    opens the next region: that line ends the region's last block exactly as
    it does within the whole piece, and the block it opens is read again there.
    """
    starts = region_starts(piece) if _SCAN else [0]
    read: _Read = []
    last_failed = False
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(piece)
        scanned = scan_region(piece, start, end) if _SCAN else None
        if scanned is not None:
            read.extend(scanned)
            last_failed = False
            continue
        opening = _LINE_BLOCK_START.match(piece, end) if end < len(piece) else None
        blocks = _split_blocks(piece[start : opening.end()] if opening else piece[start:])
        if opening is not None:
            if not blocks or type(blocks[-1]) is not bib.ParsingFailedBlock:
                blocks = _split_blocks(piece)  # never seen; the whole piece is the reference
                return [(0, blocks)], type(blocks[-1]) is bib.ParsingFailedBlock
            blocks.pop()
        read.append((start, blocks))
        last_failed = bool(blocks) and type(blocks[-1]) is bib.ParsingFailedBlock
    return read, last_failed


def _split_blocks(text: str) -> list[bib.Block]:
    try:
        return list(parse_string(text, parse_stack=[]).blocks)
    except Exception as err:  # third-party splitter: any crash means unreadable input
        raise FormatError(f"not readable as BibTeX ({type(err).__name__}: {err})") from None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _collect(read: _Read, result: SplitFile, lines: BlockLines, keys: set[str], piece: str) -> None:
    # Only a piece with a NUL or undecodable bytes has blocks to check for them.
    damaged = "\x00" in piece or _SURROGATE.search(piece) is not None

    def add(entry: RawEntry, raw: str, problem: str | None = None) -> None:
        damage = _damage(raw)
        is_data = entry.type.lower() in DATA_ONLY_TYPES  # no work: never counted
        if damage:
            problem = f"entry {clean_line(entry.key)!r} {damage}; skipped"
            result.skipped += not is_data
        elif entry.key in keys:
            problem = f"entry {entry.key!r} uses a key already taken in this file; skipped"
            result.skipped += not is_data
        elif is_data:
            keys.add(entry.key)
            result.data_entries.append(entry)
        else:
            keys.add(entry.key)
            result.entries.append(entry)
        if problem:
            result.warnings.append(ImportWarning(problem, entry.line))

    for item in read:
        if isinstance(item, ScannedEntry):
            line = lines.at(item.start, item.end)
            raw = piece[item.start : item.end] if damaged else ""
            add(RawEntry.packed(item.type, item.key, item.names, item.values, line), raw)
        elif isinstance(item, ScannedString):
            raw = piece[item.start : item.end] if damaged else ""
            line = lines.at(item.start, item.end)
            _add_string(item.name, item.value, raw, line, result)
        else:
            start, blocks = item
            _collect_blocks(blocks, lines.unescaped_before(start), lines, add, result)


def _collect_blocks(
    blocks: Iterable[bib.Block],
    shift: int,
    lines: BlockLines,
    add: Callable[[RawEntry, str, str | None], None],
    result: SplitFile,
) -> None:
    """Collect the blocks bibtexparser split from a text starting on its line ``shift``."""

    def add_block(entry: RawEntry, block: bib.Block, problem: str | None = None) -> None:
        entry.line = lines.of(block, shift)
        add(entry, block.raw or "", problem)

    def add_string(string: bib.String, block: bib.Block) -> None:
        _add_string(string.key, string.value, block.raw or "", lines.of(block, shift), result)

    for block in blocks:
        if isinstance(block, bib.Entry):
            add_block(_raw_entry(block), block)
        elif isinstance(block, bib.String):
            add_string(block, block)
        elif isinstance(block, bib.DuplicateBlockKeyBlock):
            inner = block.ignore_error_block
            if isinstance(inner, bib.String):
                add_string(inner, block)
            elif isinstance(inner, bib.Entry):
                add_block(_raw_entry(inner), block)
        elif isinstance(block, bib.DuplicateFieldKeyBlock):
            salvaged = block.ignore_error_block
            if isinstance(salvaged, bib.Entry):
                repeated = _repeated_fields(salvaged)
                problem = f"entry {salvaged.key!r} repeats the field {repeated}; "
                add_block(_raw_entry(salvaged), block, problem + "the first value is kept")
        elif isinstance(block, bib.ParsingFailedBlock):
            salvaged_entry = _salvage(block)
            if salvaged_entry is None:
                message, is_entry = _failure_message(block)
                result.warnings.append(ImportWarning(message, lines.of(block, shift)))
                result.skipped += is_entry
            else:
                problem = (
                    f"entry {salvaged_entry.key!r} has a value ending in a backslash "
                    "before its closing brace; read as classic BibTeX does"
                )
                add_block(salvaged_entry, block, problem)


def _add_string(name: str, value: object, raw: str, line: int | None, result: SplitFile) -> None:
    if _damage(raw):
        message = f"@string {clean_line(name)!r} holds bytes that are not text; ignored"
        result.warnings.append(ImportWarning(message, line))
    elif isinstance(value, str):
        result.strings.append(StringDefinition(name, value, line))


def _damage(raw: str) -> str:
    """What makes a block unreadable as text (a NUL, undecodable bytes), or ``""``."""
    if "\x00" in raw:
        return "holds a NUL byte (binary data)"
    if _SURROGATE.search(raw):
        return "holds bytes that are not text in the file's encoding"
    return ""


def _raw_entry(entry: bib.Entry) -> RawEntry:
    # Field names and entry types repeat in every entry: one string each, not
    # one per entry (a 100,000-entry file holds them until it is mapped).
    fields = [
        (sys.intern(field.key), field.value if isinstance(field.value, str) else str(field.value))
        for field in entry.fields
    ]
    return RawEntry(sys.intern(entry.entry_type), entry.key, fields)


def _repeated_fields(entry: bib.Entry) -> str:
    seen: set[str] = set()
    repeated: list[str] = []
    for field_ in entry.fields:
        key = field_.key.lower()
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    return ", ".join(repr(key) for key in repeated) or "(unknown)"


_FAILED_HEAD = re.compile(r"@[ \t]*([A-Za-z][\w-]*)[ \t]*[{(][ \t]*([^,\s{}()\"=]*)")
# A masked "\\": the splitter reads "\}" as an escaped brace even after a
# backslash that is itself escaped, so "psychology\\}" never closes the value.
_MASK = "\U000f0000\U000f0001"


def _salvage(block: bib.ParsingFailedBlock) -> RawEntry | None:
    r"""The entry of a failed block, if masking ``\\`` makes it readable, else None."""
    raw = block.raw or ""
    if "\\\\" not in raw or _MASK[0] in raw:
        return None
    try:
        library = parse_string(raw.replace("\\\\", _MASK), parse_stack=[])
    except Exception:
        return None
    if len(library.entries) != 1 or library.failed_blocks:
        return None
    entry = _raw_entry(library.entries[0])
    entry.fields = [(key, value.replace(_MASK, "\\\\")) for key, value in entry.fields]
    return entry


def _failure_message(block: bib.ParsingFailedBlock) -> tuple[str, bool]:
    """The warning for a block that failed, and whether that block was an entry."""
    head = _FAILED_HEAD.search(block.raw or "")
    is_entry = False
    if head is None:
        what = "block"
    elif head[1].lower() in ("string", "preamble", "comment"):
        what = f"@{head[1].lower()} block"
    else:
        what = f"entry {clean_line(head[2])!r}" if head[2] else f"@{head[1]} entry"
        is_entry = head[1].lower() not in DATA_ONLY_TYPES
    reason = getattr(block.error, "abort_reason", "") or str(block.error)
    reason = clean_line(str(reason)).rstrip(" .")
    return f"{what} skipped: {reason or 'unreadable BibTeX'}", is_entry
