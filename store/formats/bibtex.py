r"""BibTeX and BibLaTeX: import through bibtexparser v2, export that reads back the same.

A ``.bib`` file is read in three steps:

1. **Split** with bibtexparser (``parse_string`` with an empty parse stack). Its
   splitter finds the blocks and keeps the good ones when some are broken; its
   failed blocks become warnings, and two kinds are salvaged (an entry that
   repeats a field keeps the first value; an entry that ends a value in a
   backslash, which classic BibTeX accepts and bibtexparser does not, is split
   again with ``\\`` masked).
2. **Resolve** values as BibTeX does: ``@string`` macros, ``#`` concatenation
   and the month macros (``month = jan # " 16"``). bibtexparser's
   ``ResolveStringReferencesMiddleware`` replaces only whole-value macros (in
   2.1.0 it leaves ``a # " b"`` as is) and its month middlewares cannot read a
   concatenation, so this module resolves values itself, in one pass.
3. **Decode** LaTeX to Unicode. Only values holding ``\`` ``{`` ``}`` ``~``
   ``$`` or a TeX ligature need it; braces, escapes (``\&``), accents (``{\"u}``,
   ``\c{c}``, ``{\i}``) and a table of argument-less macros are decoded here by
   one regular expression, and only what is left (``\textit``, ``\cite``, ...)
   goes to pylatexenc through :func:`store.latex.latex_to_unicode`, which costs
   about a millisecond a value. Math (``$...$``) in titles and abstracts is kept
   as written, because the reader renders it at display time; in other fields
   (venues, notes) nothing renders it later, so it becomes Unicode here.

Export writes what import reads: text escaped so that the decoder's fast path
returns it unchanged (UTF-8 kept, no LaTeX accents), math kept, the month as a
bare macro, arXiv papers with ``eprint``/``archiveprefix``/``primaryclass``.
"""

from __future__ import annotations

import bisect
import datetime
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from bibtexparser import model as bib
from bibtexparser.entrypoint import parse_string, write_string
from bibtexparser.library import Library
from bibtexparser.middlewares import default_unparse_stack
from bibtexparser.writer import BibtexFormat

from store.errors import FormatError
from store.identity import base_key, normalize_arxiv_id, normalize_doi
from store.latex import latex_to_unicode
from store.model import Collection, DatePrecision, ImportResult, ImportWarning, Paper
from store.text import clean_line, clean_text

# bibtexparser logs every broken block; with no handler configured, Python's
# last-resort handler would print them across a running terminal UI. The
# problems reach the user as ImportWarnings instead.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

_FALLBACK_COLLECTION = "BibTeX import"
_NO_ENTRIES = "no BibTeX entries found"

# --- sniffing ------------------------------------------------------------------------

_SNIFF_CHARS = 1 << 20
_BLOCK_START = re.compile(r"^[ \t]*@[ \t]*[A-Za-z][\w-]*[ \t]*[{(]", re.MULTILINE)


def looks_like(text: str) -> bool:
    """Whether a text is BibTeX, judged from its content.

    BibTeX has no magic header: files open with ``%`` comments, JabRef's
    ``% Encoding: UTF-8``, free text or ``@preamble``. A line starting a block
    (``@type{`` or ``@type(``) is the mark, and JSON and XML, which may quote
    BibTeX inside a string, are refused by their first character.

    Args:
        text: The whole input.

    Returns:
        True when some line in the first megabyte starts a BibTeX block (a
        file that is not BibTeX, 150 MB of profile dump, is not read whole).
    """
    head = text[:_SNIFF_CHARS].removeprefix("\ufeff").lstrip()
    if not head or head[0] in "[{<":
        return False
    return _BLOCK_START.search(head) is not None


# --- import --------------------------------------------------------------------------


def parse(text: str, *, source: str = "") -> ImportResult:
    """Parse BibTeX or BibLaTeX text into papers in file order.

    Args:
        text: The whole ``.bib`` file.
        source: Where the text came from; its file stem names the collection.

    Returns:
        The papers (ids are the entry keys, kept by the library), a collection
        ranking them in file order, and a warning for each broken block, with
        its 1-based line. Salvaged entries are imported and still warned about.

    Raises:
        FormatError: The text holds no readable entry (only ``@string`` or
            ``@comment`` blocks, or nothing BibTeX at all).
    """
    text = text.removeprefix("\ufeff")
    try:
        library = parse_string(text, parse_stack=[])
    except Exception as err:  # third-party splitter: any crash means unreadable input
        raise FormatError(f"not readable as BibTeX ({type(err).__name__}: {err})") from None

    warnings: list[ImportWarning] = []
    lines = _Lines(text)
    macros = _string_macros(library.blocks, warnings, lines)
    raw_entries, skipped = _raw_entries(library.blocks, warnings, lines)
    if not raw_entries:
        failures = [warning for warning in warnings if not warning.message.startswith("@string")]
        if failures:
            first = min(failures, key=lambda warning: warning.line or 0)
            raise FormatError(f"no readable BibTeX entries: {first.message}", first.line)
        raise FormatError(_NO_ENTRIES)

    resolved = [_resolve_entry(entry, macros) for entry in raw_entries]
    _inherit_crossrefs(resolved)
    name = (Path(source).stem if source else "") or _FALLBACK_COLLECTION
    papers = [_paper(entry, {name: rank}) for rank, entry in enumerate(resolved, start=1)]
    warnings.sort(key=lambda warning: warning.line or 0)
    return ImportResult(
        papers=papers,
        collection=Collection(name=name, source=source),
        warnings=warnings,
        keep_ids=True,
        source_keys=[clean_line(entry.key) for entry in raw_entries],
        lines=[entry.line for entry in raw_entries],
        skipped=skipped,
    )


class _RawEntry:
    """An entry as split: type, key, fields with their values not yet resolved, line."""

    __slots__ = ("fields", "key", "line", "type")

    def __init__(
        self, entry_type: str, key: str, fields: list[tuple[str, str]], line: int | None = None
    ):
        self.type = entry_type
        self.key = key
        self.fields = fields
        self.line = line


class _Entry:
    """An entry with macros resolved: lower-case field names, LaTeX values."""

    __slots__ = ("fields", "key", "type")

    def __init__(self, entry_type: str, key: str, fields: dict[str, str]):
        self.type = entry_type
        self.key = key
        self.fields = fields


class _Lines:
    r"""1-based line numbers of blocks, for warnings.

    bibtexparser counts lines from 0 and misses every newline that follows a
    backslash (its marks are "not after a backslash"), so in a file with
    ``\\`` line breaks its numbers fall behind (21 lines in Beebe's file).
    Its number is a lower bound: the block's raw text is looked up from there.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: list[int] | None = None

    def of(self, block: bib.Block) -> int | None:
        """The line on which the block starts."""
        if block.start_line is None:
            return None
        raw = block.raw
        if not raw:
            return block.start_line + 1
        if self._starts is None:
            self._starts = [0, *(match.end() for match in re.finditer("\n", self._text))]
        claimed = self._starts[min(block.start_line, len(self._starts) - 1)]
        position = self._text.find(raw, claimed)
        if position < 0:
            position = self._text.find(raw)
        if position < 0:
            return block.start_line + 1
        return bisect.bisect_right(self._starts, position)


def _string_macros(
    blocks: Iterable[bib.Block], warnings: list[ImportWarning], lines: _Lines
) -> dict[str, str]:
    """The ``@string`` table, each value resolved against the definitions before it.

    A redefinition replaces the earlier value, as in BibTeX, and is warned about.
    """
    macros: dict[str, str] = {}
    for block in blocks:
        if isinstance(block, bib.DuplicateBlockKeyBlock) and isinstance(
            block.ignore_error_block, bib.String
        ):
            string = block.ignore_error_block
            warnings.append(
                ImportWarning(
                    f"@string {string.key!r} is defined again; the later value is used",
                    lines.of(block),
                )
            )
        elif isinstance(block, bib.String):
            string = block
        else:
            continue
        if isinstance(string.value, str):
            macros[string.key.lower()] = _resolve(string.value, macros)
    return macros


def _raw_entries(
    blocks: Iterable[bib.Block], warnings: list[ImportWarning], lines: _Lines
) -> tuple[list[_RawEntry], int]:
    """Every readable entry in file order, and how many entries were skipped.

    Broken blocks become warnings or are salvaged. As in BibTeX, the first
    entry with a key wins; a later one (which a salvaged block can also be)
    is skipped with a warning. A broken ``@string``, ``@preamble`` or
    ``@comment`` is warned about but is no entry, so it is not counted.
    """
    entries: list[_RawEntry] = []
    keys: set[str] = set()
    skipped = 0

    def add(entry: _RawEntry, block: bib.Block, problem: str | None = None) -> None:
        nonlocal skipped
        entry.line = lines.of(block)
        if entry.key in keys:
            problem = f"entry {entry.key!r} uses a key already taken in this file; skipped"
            skipped += 1
        else:
            keys.add(entry.key)
            entries.append(entry)
        if problem:
            warnings.append(ImportWarning(problem, entry.line))

    for block in blocks:
        if isinstance(block, bib.Entry):
            add(_raw_entry(block), block)
        elif isinstance(block, bib.DuplicateFieldKeyBlock):
            salvaged = block.ignore_error_block
            if isinstance(salvaged, bib.Entry):
                repeated = _repeated_fields(salvaged)
                problem = f"entry {salvaged.key!r} repeats the field {repeated}; "
                add(_raw_entry(salvaged), block, problem + "the first value is kept")
        elif isinstance(block, bib.DuplicateBlockKeyBlock):
            if isinstance(block.ignore_error_block, bib.Entry):
                add(_raw_entry(block.ignore_error_block), block)
        elif isinstance(block, bib.ParsingFailedBlock):
            salvaged_entry = _salvage(block)
            if salvaged_entry is None:
                message, is_entry = _failure_message(block)
                warnings.append(ImportWarning(message, lines.of(block)))
                skipped += is_entry
            else:
                problem = (
                    f"entry {salvaged_entry.key!r} has a value ending in a backslash "
                    "before its closing brace; read as classic BibTeX does"
                )
                add(salvaged_entry, block, problem)
    return entries, skipped


def _raw_entry(entry: bib.Entry) -> _RawEntry:
    fields = [
        (field.key, field.value if isinstance(field.value, str) else str(field.value))
        for field in entry.fields
    ]
    return _RawEntry(entry.entry_type, entry.key, fields)


def _repeated_fields(entry: bib.Entry) -> str:
    seen: set[str] = set()
    repeated: list[str] = []
    for field in entry.fields:
        key = field.key.lower()
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    return ", ".join(repr(key) for key in repeated) or "(unknown)"


_FAILED_HEAD = re.compile(r"@[ \t]*([A-Za-z][\w-]*)[ \t]*[{(][ \t]*([^,\s{}()\"=]*)")
# A masked "\\": the splitter reads "\}" as an escaped brace even after a
# backslash that is itself escaped, so "psychology\\}" never closes the value.
_MASK = "\U000f0000\U000f0001"


def _salvage(block: bib.ParsingFailedBlock) -> _RawEntry | None:
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
        what = f"entry {head[2]!r}" if head[2] else f"@{head[1]} entry"
        is_entry = True
    reason = getattr(block.error, "abort_reason", "") or str(block.error)
    reason = clean_line(str(reason)).rstrip(" .")
    return f"{what} skipped: {reason or 'unreadable BibTeX'}", is_entry


# --- resolving values: @string macros and # concatenation ----------------------------

_MONTH_NAMES = (
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
_MONTH_MACROS = {name[:3].lower(): name for name in _MONTH_NAMES}
_CONCATENATION_MARKS = re.compile(r"(?<!\\)[{}\"#]")


def _resolve(raw: str, macros: Mapping[str, str]) -> str:
    """A field value as BibTeX reads it: delimiters removed, macros expanded, ``#`` joined."""
    raw = raw.strip()
    if "#" not in raw:
        return _piece(raw, macros)
    return "".join(_piece(piece, macros) for piece in _split_concatenation(raw))


def _piece(piece: str, macros: Mapping[str, str]) -> str:
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
    return _MONTH_MACROS.get(name, piece)


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


def _resolve_entry(entry: _RawEntry, macros: Mapping[str, str]) -> _Entry:
    """Resolve every value; a repeated field (any case) keeps its first value."""
    fields: dict[str, str] = {}
    for key, value in entry.fields:
        name = key.lower()
        if name not in fields:
            fields[name] = _resolve(value, macros)
    return _Entry(entry.type.lower(), entry.key, fields)


# Fields a child does not take from its crossref parent.
_NOT_INHERITED = frozenset(
    {"ids", "crossref", "xref", "entryset", "key", "label", "shorthand", "sortkey"}
    | {"title", "subtitle", "titleaddon", "shorttitle", "sorttitle", "indextitle"}
    | {"indexsorttitle"}
)
_CONTAINED_KINDS = frozenset({"inproceedings", "incollection", "inbook", "inreference"})


def _inherit_crossrefs(entries: list[_Entry]) -> None:
    """Fill fields an entry lacks from its ``crossref`` parent in the same file.

    A parent's title becomes the child's ``booktitle`` (a paper in proceedings
    takes its venue from them), as BibTeX and biblatex do.
    """
    by_key = {entry.key.lower(): entry for entry in entries}
    for entry in entries:
        parent_key = entry.fields.get("crossref", "").strip().lower()
        parent = by_key.get(parent_key) if parent_key else None
        if parent is None or parent is entry:
            continue
        for name, value in parent.fields.items():
            if name not in entry.fields and name not in _NOT_INHERITED:
                entry.fields[name] = value
        if (
            entry.type in _CONTAINED_KINDS
            and "booktitle" not in entry.fields
            and "title" in parent.fields
        ):
            entry.fields["booktitle"] = parent.fields["title"]
        # The entry now holds what it needs; exported alone it must not inherit twice.
        del entry.fields["crossref"]


# --- decoding LaTeX ------------------------------------------------------------------

_NEEDS_DECODING = re.compile(r"[\\{}~$]|--|``|''")
_ACCENT_MARKS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "d": "\u0323",
    "r": "\u030a",
    "b": "\u0331",
}
# Letters typed as macros; TeX eats the space after them ("Stra\ss e").
_LETTER_MACROS = {
    "i": "ı",
    "j": "ȷ",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "ss": "ß",
    "SS": "SS",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
}
# Argument-less macros seen in real files, pylatexenc's unknowns among them
# (it drops \LaTeX, \textless and \textbraceleft), and a Sanskrit edition's own
# macros (\dharmanusvara for ṃ), which no table knows and which sit inside words.
_SYMBOL_MACROS = {
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textunderscore": "_",
    "textdollar": "$",
    "textbar": "|",
    "textasciicircum": "^",
    "textquotedbl": '"',
    "textless": "<",
    "textgreater": ">",
    "textquoteleft": "‘",
    "textquoteright": "’",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "textendash": "–",
    "textemdash": "—",
    "endash": "–",
    "emdash": "—",
    "slash": "/",
    "textcopyright": "©",
    "copyright": "©",
    "textregistered": "®",
    "texttrademark": "™",
    "texttimes": "×",
    "textdegree": "°",
    "textsection": "§",
    "S": "§",
    "P": "¶",
    "dag": "†",
    "ddag": "‡",
    "pounds": "£",
    "textsterling": "£",
    "euro": "€",
    "texteuro": "€",
    "dots": "…",
    "ldots": "…",
    "textellipsis": "…",
    "TeX": "TeX",
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2ε",
    "BibTeX": "BibTeX",
    "AmSTeX": "AmSTeX",
    "AMSTEX": "AMSTeX",
    "METAFONT": "METAFONT",
    "dharmanusvara": "ṃ",
    "dharmar": "ṛ",
    "capitalsonantr": "Ṛ",
    "comma": ",",
}
# Font switches and wrappers: the text they wrap is what a reader wants.
_WRAPPER_MACROS = frozenset(
    {"emph", "textit", "textbf", "texttt", "textsc", "textsl", "textrm", "textsf", "textup"}
    | {"textmd", "textnormal", "mbox", "hbox", "url", "enquote", "mkbibquote", "mkbibemph"}
    | {"em", "it", "bf", "tt", "sc", "sl", "rm", "sf", "up", "protect", "relax", "noindent"}
    | {"nocorr", "hyphen"}
)
# Control symbols: "\&" escapes, "\ " is a space, "\-" a soft hyphen (dropped:
# it would split words for search), "\/" an italic correction.
_CONTROL_SYMBOLS = {
    "&": "&",
    "%": "%",
    "$": "$",
    "#": "#",
    "_": "_",
    "{": "{",
    "}": "}",
    " ": " ",
    "\n": " ",
    "\t": " ",
    ",": " ",
    ";": " ",
    ":": " ",
    "!": "",
    "-": "",
    "/": "",
    "@": "",
    "\\": " ",
}
_LETTER_OR_DOTLESS = r"(?:\\[ij](?![A-Za-z])|[A-Za-z])"
_LATEX_TOKEN = re.compile(
    r"\\(?P<sacc>[\"'`^~=.])[ \t]*(?:\{[ \t]*(?P<sa1>" + _LETTER_OR_DOTLESS + r")[ \t]*\}"
    r"|(?P<sa2>" + _LETTER_OR_DOTLESS + r"))"
    r"|\\(?P<lacc>[uvHckdrb])(?:[ \t]*\{[ \t]*(?P<la1>" + _LETTER_OR_DOTLESS + r")[ \t]*\}"
    r"|[ \t]+(?P<la2>[A-Za-z]))"
    r"|\\noopsort[ \t]*\{[^{}]*\}"
    r"|\\(?:path|verb)\*?(?P<delim>[^A-Za-z\s*])(?P<verbatim>.*?)(?P=delim)"
    r"|\\url[ \t]*\{(?P<url>[^{}]*)\}"
    r"|\\(?P<word>[A-Za-z]+)(?P<space>\s*)(?P<empty>\{\})?"
    r"|\\(?P<symbol>.|$)"
    r"|(?P<dash>---?)|(?P<quote>``|'')|(?P<tie>~)|(?P<brace>[{}])|(?P<dollar>\$)",
    re.DOTALL,
)
_SOFT_HYPHEN = "\u00ad"


class _Decoder:
    """One value's LaTeX decoding; ``slow`` is set when pylatexenc must finish the job."""

    __slots__ = ("slow",)

    def __init__(self) -> None:
        self.slow = False

    def fast(self, match: re.Match[str]) -> str:
        """The Unicode for one token, or the token itself (flagging ``slow``) when unknown."""
        group = match.lastgroup
        if group in ("sa1", "sa2", "la1", "la2"):
            return _accented(match)
        if group in ("verbatim", "url"):
            return match.group(group)
        if group in ("word", "space", "empty"):
            word = match.group("word")
            if word in _LETTER_MACROS:
                return _LETTER_MACROS[word]
            if word in _SYMBOL_MACROS:
                return _SYMBOL_MACROS[word]
            if word in _WRAPPER_MACROS:
                return ""
            self.slow = True
            return match.group()
        if group == "symbol":
            symbol = match.group("symbol")
            if symbol in _CONTROL_SYMBOLS:
                return _CONTROL_SYMBOLS[symbol]
            self.slow = True
            return match.group()
        if group == "dash":
            return "—" if len(match.group()) == 3 else "–"
        if group == "quote":
            return "“" if match.group() == "``" else "”"
        if group == "tie":
            return " "
        if group == "brace":
            return ""
        if group == "dollar":
            self.slow = True
            return "$"
        return ""  # \noopsort{...}: a sorting hack that prints nothing

    @staticmethod
    def safe(match: re.Match[str]) -> str:
        """Before pylatexenc: decode what it does not know, leave the rest as LaTeX."""
        group = match.lastgroup
        if group in ("sa1", "sa2", "la1", "la2"):
            return _accented(match)
        if group in ("verbatim", "url"):
            return _escape_text(match.group(group))
        if group in ("word", "space", "empty"):
            word = match.group("word")
            if word in _LETTER_MACROS:
                return _LETTER_MACROS[word]
            if word in _SYMBOL_MACROS:
                return _escape_text(_SYMBOL_MACROS[word])
            return match.group()
        if group == "symbol" and match.group("symbol") in ("-", "/", "@", "!"):
            return ""
        if match.group().startswith("\\noopsort"):
            return ""
        return match.group()


def _accented(match: re.Match[str]) -> str:
    mark = _ACCENT_MARKS[match.group("sacc") or match.group("lacc")]
    base = match.group("sa1") or match.group("sa2") or match.group("la1") or match.group("la2")
    if base.startswith("\\"):
        base = base[1:]  # \i and \j: the accent takes the place of the dot
    return unicodedata.normalize("NFC", base + mark)


def _decode_text(text: str) -> str:
    """LaTeX text (no math to keep) as Unicode; pylatexenc only for what the table lacks."""
    if not _NEEDS_DECODING.search(text):
        return text
    decoder = _Decoder()
    decoded = _LATEX_TOKEN.sub(decoder.fast, text)
    if not decoder.slow:
        return decoded
    converted = latex_to_unicode(_LATEX_TOKEN.sub(_Decoder.safe, text))
    return converted.replace(_SOFT_HYPHEN, "")


_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$\$?")


def _math_segments(text: str) -> list[tuple[bool, str]]:
    """Split at unescaped ``$``/``$$`` pairs: (is_math, text) with delimiters on the math.

    An unpaired ``$`` stays in the text (where it is a dollar sign), exactly as
    :func:`_escape_with_math` expects when writing the text back.
    """
    segments: list[tuple[bool, str]] = []
    start = 0
    position = 0
    while True:
        opening = _UNESCAPED_DOLLAR.search(text, position)
        if opening is None:
            break
        closing = text.find(opening.group(), opening.end())
        while closing != -1 and text[closing - 1] == "\\":
            closing = text.find(opening.group(), closing + 1)
        if closing == -1 or closing == opening.end():
            position = opening.end()
            continue
        end = closing + len(opening.group())
        if opening.start() > start:
            segments.append((False, text[start : opening.start()]))
        segments.append((True, text[opening.start() : end]))
        start = position = end
    if start < len(text):
        segments.append((False, text[start:]))
    return segments


def _decode(value: str, *, keep_math: bool) -> str:
    """A field's LaTeX as Unicode; with ``keep_math``, ``$...$`` stays as written."""
    if not _NEEDS_DECODING.search(value):
        return value
    if keep_math and "$" in value:
        return "".join(
            segment if is_math else _decode_text(segment)
            for is_math, segment in _math_segments(value)
        )
    return _decode_text(value)


_VERBATIM_TOKEN = re.compile(r"\\([_%&#$~{}])|\\(?:url|href|path)\b\s*|[{}]")


def _verbatim(value: str) -> str:
    """A URL, DOI or eprint: braces and ``\\url{}`` dropped, ``\\_`` style escapes undone."""
    if "\\" in value or "{" in value or "}" in value:
        value = _VERBATIM_TOKEN.sub(lambda match: match.group(1) or "", value)
    return value.strip()


# TeX's whitespace is ASCII: a no-break space in the text is a character, kept.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n[ \t\r\n]*")
_WHITESPACE = re.compile(r"[ \t\r\n]+")


def _paragraphs(text: str) -> str:
    """Text reflowed as BibTeX reads it: a blank line ends a paragraph, any other is a space."""
    paragraphs = (_WHITESPACE.sub(" ", part).strip(" ") for part in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(part for part in paragraphs if part)


# --- names ---------------------------------------------------------------------------

_NAME_MARKS = re.compile(r"[{}]|\s+and(?=\s)", re.IGNORECASE)
_SPLIT_AND = re.compile(r"\s+and(?=\s)", re.IGNORECASE)


def _split_names(value: str) -> list[str]:
    """Split at each ``and`` outside braces (``{Barnes and Noble}`` is one name)."""
    if "{" not in value:
        return _SPLIT_AND.split(value)
    return _split_outside_braces(value, _NAME_MARKS)


_COMMA_MARKS = re.compile(r"[{},]")
_COMMA = re.compile(",")


def _names(value: str) -> tuple[tuple[str, ...], bool]:
    """Display names ("Given Family") and whether the list ends in ``and others``."""
    value = value.strip()
    if not value:
        return (), False
    names: list[str] = []
    truncated = False
    for raw_name in _split_names(value):
        raw_name = raw_name.strip().strip(",").strip()
        if not raw_name:
            continue
        if raw_name.lower() == "others":
            truncated = True
            continue
        name = _display_name(raw_name)
        if name:
            names.append(name)
    return tuple(names), truncated


def _display_name(raw_name: str) -> str:
    if raw_name.startswith("{") and raw_name.endswith("}") and _one_group(raw_name):
        # "{World Health Organization}": a corporate name, never reordered.
        return clean_line(_decode(raw_name[1:-1], keep_math=False))
    if "," not in raw_name:
        return clean_line(_decode(raw_name, keep_math=False))
    parts = _split_commas(raw_name) if "{" in raw_name else raw_name.split(",")
    decoded = [clean_line(_decode(part, keep_math=False)) for part in parts]
    if len(decoded) == 1:
        return decoded[0]
    family, given = decoded[0], decoded[-1]
    suffix = ", ".join(part for part in decoded[1:-1] if part)
    name = f"{given} {family}".strip()
    return f"{name}, {suffix}" if suffix else name


def _split_commas(value: str) -> list[str]:
    return _split_outside_braces(value, _COMMA_MARKS)


def _split_outside_braces(value: str, marks: re.Pattern[str]) -> list[str]:
    """Split at each separator ``marks`` finds outside braces (``marks`` also finds braces)."""
    pieces: list[str] = []
    depth = 0
    start = 0
    for mark in marks.finditer(value):
        token = mark.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            pieces.append(value[start : mark.start()])
            start = mark.end()
    pieces.append(value[start:])
    return pieces


def _one_group(value: str) -> bool:
    """Whether the opening brace is closed by the very last character."""
    depth = 0
    for index, char in enumerate(value):
        if char == "{" and (index == 0 or value[index - 1] != "\\"):
            depth += 1
        elif char == "}" and (index == 0 or value[index - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return index == len(value) - 1
    return False


# --- dates ---------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?![\d])")
_ISO_PLAIN = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_MONTH_WORD = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?", re.IGNORECASE
)
_NUMBER = re.compile(r"(?<!\d)(\d{1,2})(?!\d)")
_MONTH_NUMBER = {name[:3].lower(): number for number, name in enumerate(_MONTH_NAMES, start=1)}


def _date(fields: dict[str, str], extra: dict[str, str]) -> tuple[str, DatePrecision | None]:
    """The ISO date and its precision from ``date``, else ``year``/``month``/``day``.

    BibLaTeX's ``date`` wins when readable; a range (``1984/1986``) gives its
    start. A value that says more than the date kept (a range, ``in press``,
    ``Spring``) is kept in ``extra`` so that nothing is lost.
    """
    raw_date = fields.pop("date", "").strip()
    raw_year = fields.pop("year", "").strip()
    raw_month = fields.pop("month", "").strip()
    raw_day = fields.pop("day", "").strip()
    if raw_date:
        parsed = _iso_date(_decode(raw_date, keep_math=False))
        if not _ISO_PLAIN.fullmatch(raw_date):
            extra["date"] = _clean_extra(raw_date)
        if parsed is not None:
            # biblatex ignores year/month beside a date; keep a year that says otherwise.
            if raw_year and _decode(raw_year, keep_math=False).strip() != parsed[0][:4]:
                extra["year"] = _clean_extra(raw_year)
            return parsed

    year_text = _decode(raw_year, keep_math=False) if raw_year else ""
    year_match = _YEAR.search(year_text)
    if year_match is None:
        for name, raw in (("year", raw_year), ("month", raw_month), ("day", raw_day)):
            if raw:
                extra[name] = _clean_extra(raw)
        return "", None
    if year_text.strip() != year_match.group(1):
        extra["year"] = _clean_extra(raw_year)
    year = int(year_match.group(1))

    month, day = _month_day(_decode(raw_month, keep_math=False)) if raw_month else (None, None)
    if raw_day and month is not None and day is None and raw_day.isdigit():
        day = int(raw_day)
    if raw_month and month is None:
        extra["month"] = _clean_extra(raw_month)
    if month is None:
        return f"{year:04d}-01-01", DatePrecision.YEAR
    if day is not None and _valid(year, month, day):
        return f"{year:04d}-{month:02d}-{day:02d}", DatePrecision.DAY
    return f"{year:04d}-{month:02d}-01", DatePrecision.MONTH


def _iso_date(text: str) -> tuple[str, DatePrecision] | None:
    match = _ISO_DATE.match(text)
    if match is None:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if month is None or not 1 <= month <= 12:
        return f"{year:04d}-01-01", DatePrecision.YEAR
    if day is None or not _valid(year, month, day):
        return f"{year:04d}-{month:02d}-01", DatePrecision.MONTH
    return f"{year:04d}-{month:02d}-{day:02d}", DatePrecision.DAY


def _month_day(text: str) -> tuple[int | None, int | None]:
    """Month and day from ``oct``/``October``/``10``/``January 16``/``16~jan``."""
    word = _MONTH_WORD.search(text)
    if word is not None:
        month = _MONTH_NUMBER[word.group(1).lower()]
        rest = text[: word.start()] + " " + text[word.end() :]
        number = _NUMBER.search(rest)
        return month, int(number.group(1)) if number else None
    number = _NUMBER.fullmatch(text.strip())
    if number is not None and 1 <= int(number.group(1)) <= 12:
        return int(number.group(1)), None
    return None, None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


# --- entries to papers ---------------------------------------------------------------

_VENUE_FIELDS = ("journal", "journaltitle", "booktitle")
# Local file paths (often Windows ones) mean nothing on another machine.
_DROPPED_FIELDS = frozenset({"file", "local-url", "pdf"})
_DROPPED_PREFIXES = ("bdsk-file-",)
_ARXIV_TYPES = frozenset({"arxiv"})
_ARXIV_HINT_FIELDS = ("journal", "journaltitle", "number", "volume", "note", "howpublished")
_URL_MACRO = re.compile(r"\\url\s*\{([^{}]*)\}")


def _clean_extra(value: str) -> str:
    return clean_line(_decode(value, keep_math=False))


def _paper(entry: _Entry, collections: dict[str, int]) -> Paper:
    """A paper from one resolved entry; every field the model lacks goes to ``extra``."""
    fields = dict(entry.fields)
    extra: dict[str, str] = {}

    title = clean_line(_decode(fields.pop("title", ""), keep_math=True))
    subtitle = clean_line(_decode(fields.pop("subtitle", ""), keep_math=True))
    if subtitle:
        title = f"{title}{'' if title[-1:] in '.:?!' else ':'} {subtitle}" if title else subtitle
    authors, truncated = _names(fields.pop("author", ""))
    abstract = clean_text(_paragraphs(_decode(fields.pop("abstract", ""), keep_math=True)))
    date, precision = _date(fields, extra)

    venue = ""
    for name in _VENUE_FIELDS:
        if name in fields:
            venue = clean_line(_decode(fields.pop(name), keep_math=False))
            if venue:
                break

    doi = ""
    if "doi" in fields:
        raw_doi = _verbatim(fields.pop("doi"))
        doi = normalize_doi(raw_doi)
        if not doi and raw_doi:
            extra["doi"] = clean_line(raw_doi)

    url = ""
    if "url" in fields:
        raw_url = clean_line(_verbatim(fields.pop("url")))
        if _is_web_url(raw_url):
            url = raw_url
        elif raw_url:
            extra["url"] = raw_url
    if not url and "\\url" in fields.get("howpublished", ""):
        found = _URL_MACRO.search(fields["howpublished"])
        candidate = clean_line(_verbatim(found.group(1))) if found else ""
        url = candidate if _is_web_url(candidate) else ""

    arxiv_id, category_text = _arxiv(fields, venue, doi, url)
    categories = tuple(part for part in re.split(r"[\s,;]+", category_text) if part)

    for name, value in fields.items():
        if name in _DROPPED_FIELDS or name.startswith(_DROPPED_PREFIXES):
            continue
        cleaned = _clean_extra(value)
        if cleaned:
            extra[name] = cleaned

    return Paper(
        id=clean_line(entry.key),
        title=title,
        authors=authors,
        authors_truncated=truncated,
        abstract=abstract,
        category=categories[0] if categories else "",
        categories=categories,
        date=date,
        date_precision=precision,
        url=url,
        arxiv_id=arxiv_id,
        doi=doi,
        venue=venue,
        collections=collections,
        kind=entry.type,
        extra=extra,
    )


def _arxiv(fields: dict[str, str], venue: str, doi: str, url: str) -> tuple[str, str]:
    """The arXiv id and primary class; consumes the eprint fields when they are arXiv's.

    Looks, in order, at ``eprint`` (typed arXiv, or untyped and shaped like an
    id, including the odd ``cs.LG/1708.07747``), then at any field naming
    arXiv: ``journal = {arXiv preprint arXiv:...}``, ``number = {arXiv:...}``,
    an arxiv.org URL, a ``10.48550/arXiv.`` DOI, DBLP's ``CoRR`` + ``abs/...``.
    """
    eprint_type = _verbatim(fields.get("eprinttype", "") or fields.get("archiveprefix", ""))
    eprint = _verbatim(fields.get("eprint", ""))
    arxiv_id = ""
    if eprint and (eprint_type.lower() in _ARXIV_TYPES or not eprint_type):
        arxiv_id = normalize_arxiv_id(eprint)
        if arxiv_id:
            for name in ("eprint", "eprinttype", "archiveprefix"):
                fields.pop(name, None)
    if not arxiv_id:
        candidates = [url, doi, venue, *(fields.get(name, "") for name in _ARXIV_HINT_FIELDS)]
        for candidate in candidates:
            if "arxiv" in candidate.lower():
                arxiv_id = normalize_arxiv_id(candidate)
                if arxiv_id:
                    break
    if not arxiv_id and venue.lower() == "corr":
        volume = fields.get("volume", "")
        if volume.lower().startswith("abs/"):
            arxiv_id = normalize_arxiv_id(volume)
    # The subject class is read even without an id: a paper's category survives export.
    category = _verbatim(fields.pop("primaryclass", "") or fields.pop("eprintclass", ""))
    return arxiv_id, clean_line(category)


def _is_web_url(url: str) -> bool:
    """http(s) with a host and no spaces: never ``file:`` or ``javascript:`` links."""
    if " " in url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


# --- export --------------------------------------------------------------------------

_MONTH_MACRO_NAMES = tuple(name[:3].lower() for name in _MONTH_NAMES)
_BOOKTITLE_KINDS = frozenset(
    {"inproceedings", "incollection", "inbook", "conference", "inreference"}
)
# bibtexparser reads an entry type as "\w+" and a field name up to "=".
_VALID_KIND = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_VALID_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_BRACE_AFTER_BACKSLASH = re.compile(r"(?<=\\)[{}]")
# Record types of other formats (CSL) that BibTeX spells differently.
# Types BibTeX and BibLaTeX styles know; anything else (RIS ``JOUR``, arXiv
# ``preprint``) is mapped through _FOREIGN_KINDS or falls back to article/misc.
_ENTRY_TYPES = frozenset(
    {
        *("article", "book", "booklet", "inbook", "incollection", "inproceedings"),
        *("conference", "manual", "mastersthesis", "misc", "phdthesis", "proceedings"),
        *("techreport", "unpublished", "online", "report", "thesis", "collection", "set"),
        *("mvbook", "mvcollection", "mvproceedings", "mvreference", "bookinbook"),
        *("suppbook", "suppcollection", "suppperiodical", "reference", "inreference"),
        *("patent", "periodical", "dataset", "software"),
    }
)
_FOREIGN_KINDS = {
    "jour": "article",
    "ejour": "article",
    "conf": "inproceedings",
    "cpaper": "inproceedings",
    "chap": "incollection",
    "book": "book",
    "thes": "phdthesis",
    "rprt": "techreport",
    "elec": "online",
    "preprint": "misc",
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "paper-conference": "inproceedings",
    "chapter": "incollection",
    "webpage": "online",
    "post-weblog": "online",
}
_INVALID_KEY_CHARS = re.compile(r"[\s,{}()\"#%'=\\@~]")
# Characters the decoder would read as LaTeX, each written so that it reads back as itself.
_TEXT_SPECIALS = re.compile(r"[\\{}&%$#_~]|-(?=-)|`(?=`)|'(?=')|(?:(?<=\n)|^)[ \t]*@")
_NAME_NEEDS_BRACES = re.compile(r",|\band\b|^others$", re.IGNORECASE)


def _escape_text(text: str) -> str:
    """Text as BibTeX whose decoding gives the text back, character for character.

    Braces become ``\\{``/``\\}`` when they pair up, else ``\\textbraceleft{}``
    (classic BibTeX counts even escaped braces). Ligatures (``--``, ``````,
    ``''``) are broken with ``{}`` and a line-initial ``@`` is braced, or
    bibtexparser would read it as the start of a block.
    """
    if not text:
        return text
    braces_pair = _braces_pair(text)

    def replace(match: re.Match[str]) -> str:
        token = match.group()
        if token == "\\":
            return "\\textbackslash{}"
        if token in "{}":
            if braces_pair:
                return "\\" + token
            return "\\textbraceleft{}" if token == "{" else "\\textbraceright{}"
        if token == "~":
            return "\\textasciitilde{}"
        if token in "-`'":
            return token + "{}"
        if token.endswith("@"):
            return token[:-1] + "{@}"
        return "\\" + token

    return _TEXT_SPECIALS.sub(replace, text)


def _braces_pair(text: str) -> bool:
    if "{" not in text and "}" not in text:
        return True
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _escape_with_math(text: str) -> str:
    """Like :func:`_escape_text`, but ``$...$`` written as is when BibTeX can hold it."""
    if "$" not in text:
        return _escape_text(text)
    return "".join(
        segment if is_math and _math_writable(segment) else _escape_text(segment)
        for is_math, segment in _math_segments(text)
    )


def _math_writable(segment: str) -> bool:
    # Both readers must see balanced braces: bibtexparser skips any brace after a
    # backslash (even in "\\}"), classic BibTeX counts every brace.
    return (
        _braces_pair(_BRACE_AFTER_BACKSLASH.sub("", segment))
        and _braces_pair(segment)
        and "\n" not in segment
    )


def _escape_verbatim(value: str) -> str:
    """A URL, DOI or eprint: braces and backslashes percent-encoded, the rest as is."""
    return value.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def _name_field(paper: Paper) -> str:
    names = []
    for name in paper.authors:
        escaped = _escape_text(name)
        names.append(f"{{{escaped}}}" if _NAME_NEEDS_BRACES.search(name) else escaped)
    if paper.authors_truncated:
        names.append("others")
    return " and ".join(names)


def _fields(paper: Paper) -> list[bib.Field]:
    """The entry's fields: the model's first, then ``extra`` in its own order."""
    fields: list[bib.Field] = []
    taken: set[str] = set()

    def add(key: str, value: str, *, bare: bool = False) -> None:
        if not value or key in taken:
            return
        field = bib.Field(key, value)
        if bare:
            field.enclosing = "no-enclosing"
        fields.append(field)
        taken.add(key)

    extra = paper.extra
    add("title", _escape_with_math(paper.title))
    add("author", _name_field(paper))
    year = paper.year
    if year is not None:
        # A year the import could not reduce to one number ("1981, 1983") was kept.
        year_text = extra.get("year", "")
        add("year", _escape_text(year_text) if year_text else str(year))
        if paper.date_precision in (DatePrecision.MONTH, DatePrecision.DAY):
            month = paper.date[5:7]
            if month.isdigit() and 1 <= int(month) <= 12:
                add("month", _MONTH_MACRO_NAMES[int(month) - 1], bare=True)
        if "date" in extra:
            add("date", _escape_text(extra["date"]))
        elif paper.date_precision is DatePrecision.DAY or (
            year_text and _first_year(year_text) != year
        ):
            length = _DATE_LENGTH[paper.date_precision] if paper.date_precision else 10
            add("date", paper.date[:length])
    if paper.venue:
        add(_venue_field(paper), _escape_text(paper.venue))
    if paper.arxiv_id:
        add("eprint", _escape_verbatim(paper.arxiv_id))
        add("archiveprefix", "arXiv")
    add("primaryclass", _escape_verbatim(paper.category))
    add("doi", _escape_verbatim(paper.doi))
    add("url", _escape_verbatim(paper.url))
    add("abstract", _escape_with_math(paper.abstract))
    for key, value in extra.items():
        name = key.lower()
        if name in _DROPPED_FIELDS or not _VALID_FIELD.fullmatch(name) or name in _MODEL_FIELDS:
            continue
        add(name, _escape_text(value))
    return fields


_DATE_LENGTH = {DatePrecision.YEAR: 4, DatePrecision.MONTH: 7, DatePrecision.DAY: 10}


def _first_year(text: str) -> int | None:
    match = _YEAR.search(text)
    return int(match.group(1)) if match else None


# Fields that import reads into the model: an ``extra`` copy (from another
# importer) would change the paper when the file is read back.
_MODEL_FIELDS = frozenset({"title", "subtitle", "author", "abstract", "journal"})


def _venue_field(paper: Paper) -> str:
    """``booktitle`` for papers inside a book or proceedings, else ``journal``."""
    if _kind(paper) in _BOOKTITLE_KINDS and "booktitle" not in paper.extra:
        return "booktitle"
    return "journal"


def _kind(paper: Paper) -> str:
    """The entry type: the paper's own, else ``article`` with a venue, else ``misc``.

    arXiv preprints without a recorded type are ``@misc``, as arXiv's own
    BibTeX export writes them.
    """
    kind = _FOREIGN_KINDS.get(paper.kind.lower(), paper.kind.lower())
    if kind in _ENTRY_TYPES:
        return kind
    return "article" if paper.venue and not paper.arxiv_id else "misc"


def _key(paper: Paper) -> str:
    key = _INVALID_KEY_CHARS.sub("_", clean_line(paper.id))
    return key or _INVALID_KEY_CHARS.sub("_", base_key(paper)) or "paper"


def _entries(papers: Iterable[Paper]) -> list[bib.Block]:
    """One entry per paper, keys made unique (``key``, ``key-2``, ...) within the output."""
    used: set[str] = set()
    blocks: list[bib.Block] = []
    for paper in papers:
        key = _key(paper)
        unique = key
        suffix = 2
        while unique.lower() in used:
            unique = f"{key}-{suffix}"
            suffix += 1
        used.add(unique.lower())
        blocks.append(bib.Entry(_kind(paper), unique, _fields(paper)))
    return blocks


def _write(blocks: list[bib.Block]) -> str:
    layout = BibtexFormat()  # type: ignore[no-untyped-call]
    layout.indent = "  "
    layout.block_separator = "\n"
    library = Library(blocks)
    text = write_string(
        library,
        unparse_stack=default_unparse_stack(allow_inplace_modification=True),
        bibtex_format=layout,
    )
    return text.strip() + "\n" if text.strip() else ""


def dump(papers: list[Paper]) -> str:
    """BibTeX for export: one entry per paper, keyed by its id, in the given order.

    UTF-8 is written as is (biber and modern BibTeX read it); LaTeX-special
    characters are escaped so that :func:`parse` gives back the same title,
    authors, date, venue, DOI, arXiv id, URL and abstract. Math in titles and
    abstracts is written as LaTeX math. Keys are the papers' ids, made valid
    and unique within the file.

    Args:
        papers: The papers to write.

    Returns:
        The ``.bib`` text (empty for no papers).
    """
    return _write(_entries(papers))


def entry_text(paper: Paper) -> str:
    """One paper's BibTeX entry, for the reader's "copy BibTeX" key.

    Args:
        paper: The paper to cite.

    Returns:
        The entry, ending in a newline.
    """
    return _write(_entries([paper]))
