r"""LaTeX in BibTeX values as Unicode, and Unicode text as BibTeX that decodes back to it.

Only values holding ``\`` ``{`` ``}`` ``~`` ``$`` or a TeX ligature need
decoding; braces, escapes (``\&``), accents (``{\"u}``, ``\c{c}``, ``{\i}``),
citations (``\cite{key}``, which abstracts copied from papers hold) and a
table of argument-less macros are decoded here by one regular expression, and
only what is left (``\href``, ``\textsuperscript``, ...) goes to pylatexenc
through :func:`store.latex.latex_to_unicode` (about 0.15 µs a character on
its fast parser; it collects pylatexenc's garbage itself). :func:`escape_text`
is the inverse the exporter uses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from store.latex import latex_to_unicode


def _needs_decoding(text: str) -> bool:
    """Whether the text holds a character or ligature that decoding changes.

    One ``in`` a mark: each is a pass at memory speed, where a pattern would
    test every character of an abstract that needs nothing.
    """
    return (
        "\\" in text
        or "{" in text
        or "}" in text
        or "~" in text
        or "$" in text
        or "--" in text
        or "``" in text
        or "''" in text
    )


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
# The lookahead lets the engine skip, at one test a character, every position
# where no token can start (all start with one of these): six times faster on
# an abstract than trying each alternative everywhere.
_LATEX_TOKEN = re.compile(
    r"(?=[\\\-`'~{}$])(?:"
    r"\\(?P<sacc>[\"'`^~=.])[ \t]*(?:\{[ \t]*(?P<sa1>" + _LETTER_OR_DOTLESS + r")[ \t]*\}"
    r"|(?P<sa2>" + _LETTER_OR_DOTLESS + r"))"
    r"|\\(?P<lacc>[uvHckdrb])(?:[ \t]*\{[ \t]*(?P<la1>" + _LETTER_OR_DOTLESS + r")[ \t]*\}"
    r"|[ \t]+(?P<la2>[A-Za-z]))"
    r"|\\noopsort[ \t]*\{[^{}]*\}"
    r"|\\(?:path|verb)\*?(?P<delim>[^A-Za-z\s*])(?P<verbatim>.*?)(?P=delim)"
    r"|\\url[ \t]*\{(?P<url>[^{}]*)\}"
    r"|\\(?:(?:cite|citep|citet|citealp|citealt|citeauthor)\*?|citeyear)(?![A-Za-z])"
    r"[ \t]*(?:\[[^\[\]{}\\$%]*\][ \t]*){0,2}\{(?P<cite>(?:[\w:.,;/+ ]|-(?!-))*)\}"
    r"|\\(?P<word>[A-Za-z]+)(?P<space>\s*)(?P<empty>\{\})?"
    r"|\\(?P<symbol>.|$)"
    r"|(?P<dash>---?)|(?P<quote>``|'')|(?P<tie>~)|(?P<brace>[{}])|(?P<dollar>\$))",
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
        if group == "cite":
            # As store.latex renders a citation: its key in brackets.
            key = match.group("cite").strip()
            return f"[{key}]" if key else ""
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
            return escape_text(match.group(group))
        if group in ("word", "space", "empty"):
            word = match.group("word")
            if word in _LETTER_MACROS:
                return _LETTER_MACROS[word]
            if word in _SYMBOL_MACROS:
                return escape_text(_SYMBOL_MACROS[word])
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


def substitute_tokens(text: str, replace: Callable[[re.Match[str]], str]) -> str:
    """``_LATEX_TOKEN.sub(replace, text)``, trying the pattern only where a token can start.

    Every token starts with one of a few characters, and ``str.find`` jumps
    to each: the pattern engine would test every character of an abstract.
    """
    starts: list[int] = []
    for char in _TOKEN_STARTS:
        found = text.find(char)
        while found >= 0:
            starts.append(found)
            found = text.find(char, found + 1)
    if not starts:
        return text
    starts.sort()
    pieces: list[str] = []
    position = 0
    match = _LATEX_TOKEN.match
    for start in starts:
        if start < position:
            continue  # inside the token before
        token = match(text, start)
        if token is not None:
            pieces.append(text[position:start])
            pieces.append(replace(token))
            position = token.end()
    pieces.append(text[position:])
    return "".join(pieces)


_TOKEN_STARTS = "\\-`'~{}$"


def _decode_text(text: str) -> str:
    """LaTeX text (no math to keep) as Unicode; pylatexenc only for what the table lacks."""
    if not _needs_decoding(text):
        return text
    decoder = _Decoder()
    decoded = substitute_tokens(text, decoder.fast)
    if not decoder.slow:
        return decoded
    converted = latex_to_unicode(_LATEX_TOKEN.sub(_Decoder.safe, text))
    return converted.replace(_SOFT_HYPHEN, "")


def _unescaped_dollar(text: str, position: int) -> tuple[int, str] | None:
    """The first ``$`` or ``$$`` from ``position`` not after a backslash, and which it is.

    ``str.find`` jumps to each ``$``: a pattern with a lookbehind would test
    every character of a 2 KB abstract.
    """
    found = text.find("$", position)
    while found > 0 and text[found - 1] == "\\":
        found = text.find("$", found + 1)
    if found < 0:
        return None
    return found, "$$" if text.startswith("$$", found) else "$"


def math_segments(text: str) -> list[tuple[bool, str]]:
    """Split at unescaped ``$``/``$$`` pairs: (is_math, text) with delimiters on the math.

    An unpaired ``$`` stays in the text (where it is a dollar sign), exactly as
    the exporter's math escaping expects when writing the text back.
    """
    segments: list[tuple[bool, str]] = []
    start = 0
    position = 0
    while True:
        opening = _unescaped_dollar(text, position)
        if opening is None:
            break
        opening_start, delimiter = opening
        opening_end = opening_start + len(delimiter)
        closing = text.find(delimiter, opening_end)
        while closing != -1 and text[closing - 1] == "\\":
            closing = text.find(delimiter, closing + 1)
        if closing == -1 or closing == opening_end:
            position = opening_end
            continue
        end = closing + len(delimiter)
        if opening_start > start:
            segments.append((False, text[start:opening_start]))
        segments.append((True, text[opening_start:end]))
        start = position = end
    if start < len(text):
        segments.append((False, text[start:]))
    return segments


def decode(value: str, *, keep_math: bool) -> str:
    """A field's LaTeX as Unicode; with ``keep_math``, ``$...$`` stays as written."""
    if not _needs_decoding(value):
        return value
    if keep_math and "$" in value:
        return "".join(
            segment if is_math else _decode_text(segment)
            for is_math, segment in math_segments(value)
        )
    return _decode_text(value)


_VERBATIM_TOKEN = re.compile(r"\\([_%&#$~{}])|\\(?:url|href|path)\b\s*|[{}]")


def verbatim(value: str) -> str:
    """A URL, DOI or eprint: braces and ``\\url{}`` dropped, ``\\_`` style escapes undone."""
    if "\\" in value or "{" in value or "}" in value:
        value = _VERBATIM_TOKEN.sub(lambda match: match.group(1) or "", value)
    return value.strip()


# TeX's whitespace is ASCII: a no-break space in the text is a character, kept.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n[ \t\r\n]*")


def paragraphs(text: str) -> str:
    """Text reflowed as BibTeX reads it: a blank line ends a paragraph, any other is a space."""
    if "\n" not in text and "\t" not in text and "\r" not in text and "  " not in text:
        return text.strip(" ")  # one line, single spaces: nothing to reflow
    paragraphs = (_single_spaced(part) for part in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(part for part in paragraphs if part)


def _single_spaced(text: str) -> str:
    """Each run of TeX whitespace as one space, none at the ends.

    ``str.replace`` passes run at memory speed; a pattern matching every
    space of an abstract costs ten times more.
    """
    for blank in ("\n", "\t", "\r"):
        if blank in text:
            text = text.replace(blank, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text.strip(" ")


# --- escaping: the inverse of decoding, for export ----------------------------------

# Characters the decoder would read as LaTeX, each written so that it reads back as itself.
_TEXT_SPECIALS = re.compile(r"[\\{}&%$#_~]|-(?=-)|`(?=`)|'(?=')|(?:(?<=\n)|^)[ \t]*@")


def escape_text(text: str) -> str:
    """Text as BibTeX whose decoding gives the text back, character for character.

    Braces become ``\\{``/``\\}`` when they pair up, else ``\\textbraceleft{}``
    (classic BibTeX counts even escaped braces). Ligatures (``--``, ``````,
    ``''``) are broken with ``{}`` and a line-initial ``@`` is braced, or
    bibtexparser would read it as the start of a block.
    """
    if not text:
        return text
    pairs = braces_pair(text)

    def replace(match: re.Match[str]) -> str:
        token = match.group()
        if token == "\\":
            return "\\textbackslash{}"
        if token in "{}":
            if pairs:
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


def braces_pair(text: str) -> bool:
    """Whether every brace in the text closes, in order."""
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
