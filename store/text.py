"""Text hygiene shared by importers, the query engine and the renderers.

Imported text is untrusted: a title can carry an escape sequence that clears
the screen or writes the user's clipboard. Control characters are removed at
import so the store never holds them, and again at render as defence in depth.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# C0 (except tab/newline handled per function), DEL, C1, bidi overrides and
# isolates, and the zero-width characters (space, non-joiner, joiner, word
# joiner, and a byte-order mark inside text), which terminals draw as
# nothing but some width tables count, misaligning columns.
_CONTROL_LINE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060\ufeff]"
)
_CONTROL_TEXT = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060\ufeff]"
)
_SPACES = re.compile(r"[ \t]+")
# Whole terminal escape sequences: dropping only the control bytes would leave
# payloads such as "[2J" or "]52;c;..." behind as visible junk.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)"  # OSC, terminated
    r"|\x1b[@-Z\\^_]"  # other two-byte escapes
)


_ASCII_CONTROLS = bytes([*range(0x20), 0x7F])


# Below this length str.isprintable() wins: the bytes' copy costs more than it saves.
_SHORT_TEXT = 160


def is_printable(text: str) -> bool:
    """``str.isprintable()``, three times faster on long ASCII text.

    For ASCII, only C0 controls and DEL are unprintable, and deleting them
    from the bytes is one C pass; an abstract is checked on every import.
    Short text (names, titles, venues: most calls) takes ``isprintable``.
    """
    if len(text) > _SHORT_TEXT and text.isascii():
        return len(text.encode("ascii").translate(None, _ASCII_CONTROLS)) == len(text)
    return text.isprintable()


def strip_escape_sequences(text: str) -> str:
    """Remove whole ESC/CSI/OSC sequences (cheap when there is no escape byte)."""
    if "\x1b" in text or "\x9b" in text or "\x9d" in text:
        return _ESCAPE_SEQUENCE.sub("", text)
    return text


def _valid_unicode(text: str) -> str:
    # Lone surrogates (from broken PDFs or decoders) make orjson refuse to write.
    return text.encode("utf-8", "replace").decode("utf-8")


def clean_line(text: str) -> str:
    """A single-line field (title, author, venue) with every control char removed."""
    # Clean text (nearly every field of an import) comes back as it is:
    # printable means no control, escape, bidi, surrogate or separator but
    # the plain space. A test pins that this agrees with the full cleaning.
    if is_printable(text) and "  " not in text and text == text.strip():
        return text
    return _clean_line_fully(text)


def _clean_line_fully(text: str) -> str:
    text = (
        strip_escape_sequences(_valid_unicode(text))
        .replace("\t", " ")
        .replace("\r", " ")
        .replace("\n", " ")
    )
    return _SPACES.sub(" ", _CONTROL_LINE.sub("", text)).strip()


def clean_text(text: str) -> str:
    """A multi-line field (abstract, note): newlines kept, other controls removed."""
    if is_printable(text):  # nothing to remove (a test pins the agreement)
        return text
    return _clean_text_fully(text)


def _clean_text_fully(text: str) -> str:
    text = strip_escape_sequences(_valid_unicode(text)).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_TEXT.sub("", text)


# Joins the words of a family name inside a display name (see family_name).
FAMILY_JOINER = "\u00a0"


def family_name(author: str) -> str:
    """The family name (surname) of an author as the importers store it.

    The convention: a name reads ``Given Family[, Suffix]``; when a source
    gives the family name explicitly and it has several words (BibTeX and
    RIS ``Garduño Freeman, Cristina``, a CSL ``family``), those words are
    joined by :data:`FAMILY_JOINER`, a no-break space, which displays as a
    space. So the family name is the last space-separated word before the
    first ``", "``, its no-break spaces read as spaces. A stored ``Lee,
    Jason D.`` (one-word family first) also gives ``Lee``.

    Args:
        author: One name from ``Paper.authors``.

    Returns:
        ``Garduño Freeman`` for ``Cristina Garduño\u00a0Freeman``, ``King`` for
        ``Martin Luther King, Jr.``, ``""`` for an empty name.
    """
    head = author.split(", ", 1)[0].strip(" ")
    return head.rsplit(" ", 1)[-1].replace(FAMILY_JOINER, " ").strip()


def fold(text: str) -> str:
    """Case- and accent-insensitive form used for matching and duplicate detection.

    Runs once per paper field when a search index is built (100,000s of times),
    so accents are dropped by one regex over the decomposed text rather than a
    Python loop over its characters; the rare text outside the Basic
    Multilingual Plane takes the loop.
    """
    if text.isascii():  # the common case, and ten times faster
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    if _ASTRAL.search(decomposed):
        return _fold_slowly(decomposed)
    return _combining_marks().sub("", decomposed).casefold()


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@functools.cache
def _combining_marks() -> re.Pattern[str]:
    marks = "".join(chr(c) for c in range(0x300, 0x10000) if unicodedata.combining(chr(c)))
    return re.compile(f"[{re.escape(marks)}]")


def _fold_slowly(decomposed: str) -> str:
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
