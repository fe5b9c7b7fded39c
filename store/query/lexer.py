"""The query language's lexer: text into terms as typed, and the errors that point at them.

Whitespace separates terms. A term is an optional ``-`` (negation) followed
by a plain word, a ``"quoted phrase"`` or ``field:value`` where the value may
itself be quoted. A quote only opens a phrase at the start of a term or of a
field value; elsewhere it is an ordinary character, so half-typed input such
as ``don"t`` stays searchable.

:func:`tokens` is lazy: the parser compiles each term before the next is
read, so the first mistake from the left is the one reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from store.errors import PaperReaderError

FIELDS: tuple[str, ...] = (
    "author",
    "title",
    "abstract",
    "cat",
    "year",
    "status",
    "tag",
    "has",
    "is",
    "collection",
    "id",
)
"""Every field name the language knows, in the order error messages list them."""

# A field name is ASCII letters and a colon; ``http://`` is a URL, not a field.
_FIELD_PREFIX = re.compile(r"([A-Za-z]+):(?!//)")


class QueryError(PaperReaderError):
    """A query that cannot be understood, with the column to point the user at.

    ``position`` is 0-based so the UI can place a marker under the query text;
    the text form counts columns from 1 because that is what people read.
    """

    def __init__(self, position: int, message: str) -> None:
        # Both in args so the error survives pickling on its way out of a worker.
        super().__init__(position, message)
        self.position = position
        self.message = message

    def __str__(self) -> str:
        return f"column {self.position + 1}: {self.message}"


@dataclass(frozen=True, slots=True)
class Token:
    """One term as typed: a word, a phrase or ``field:value``, perhaps negated.

    Attributes:
        value: The word, the phrase or the field's value, unquoted, as typed.
        at: Where ``value`` starts in the query (a bad value is reported there).
        field: The field name in lower case; ``""`` for a word or a phrase.
        negated: True when the term began with ``-``.
    """

    value: str
    at: int
    field: str = ""
    negated: bool = False


def tokens(text: str) -> Iterator[Token]:
    """The terms of ``text``, left to right.

    Raises:
        QueryError: a ``-`` with nothing after it, an unclosed quote, an empty
            phrase or value, or an unknown field name.
    """
    length = len(text)
    index = 0
    while index < length:
        if text[index].isspace():
            index += 1
            continue
        token, index = _read_term(text, index)
        yield token


def _read_term(text: str, start: int) -> tuple[Token, int]:
    """Read the term starting at ``start``; return it and the index after it."""
    index = start
    negated = text[index] == "-"
    if negated:
        index += 1
        if index == len(text) or text[index].isspace():
            raise QueryError(start, "'-' must be followed by a word, phrase or field")
    if text[index] == '"':
        phrase, end = _read_quoted(text, index)
        if not phrase.strip():
            raise QueryError(index, "empty phrase")
        return Token(phrase, index, negated=negated), end
    end = _word_end(text, index)
    prefix = _FIELD_PREFIX.match(text, index, end)
    if prefix:
        return _read_field(text, prefix.group(1), index, prefix.end(), end, negated)
    return Token(text[index:end], index, negated=negated), end


def _word_end(text: str, index: int) -> int:
    """The index of the first whitespace at or after ``index`` (or the end)."""
    length = len(text)
    while index < length and not text[index].isspace():
        index += 1
    return index


def _read_quoted(text: str, quote: int) -> tuple[str, int]:
    """Read the quoted text whose opening quote is at ``quote``, as typed.

    The closing quote ends the term even when something follows it directly,
    so ``"a b"c`` is the phrase ``a b`` and the word ``c``.
    """
    closing = text.find('"', quote + 1)
    if closing < 0:
        raise QueryError(quote, "unclosed quote")
    return text[quote + 1 : closing], closing + 1


def _read_field(
    text: str, name: str, name_at: int, value_at: int, word_end: int, negated: bool
) -> tuple[Token, int]:
    """Read ``name:value`` whose value starts at ``value_at``."""
    field_name = name.lower()
    if field_name not in FIELDS:
        raise QueryError(name_at, f"unknown field {name!r} (known: {', '.join(FIELDS)})")
    if value_at < len(text) and text[value_at] == '"':
        value, end = _read_quoted(text, value_at)
    else:
        value, end = text[value_at:word_end], word_end
    # Blankness is judged on the text as typed: a value made only of accents
    # folds to nothing, but the user did type something, so it matches all.
    if not value.strip():
        raise QueryError(value_at, f"empty value for {field_name}:")
    return Token(value, value_at, field_name, negated), end
