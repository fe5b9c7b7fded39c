"""The query language shared by the search bar and ``paper-reader list QUERY``.

One engine serves both so that a query pasted from the terminal into the search
bar finds the same papers. Grammar, informally: whitespace-separated terms that
must all match; a term is an optional ``-`` (negation) followed by a plain word,
a ``"quoted phrase"`` or ``field:value``.

The parts, in the order text flows through them: :mod:`~store.query.lexer`
splits the text into terms, :mod:`~store.query.parser` compiles each with the
meaning :mod:`~store.query.terms` gives it, and :mod:`~store.query.evaluator`
runs the resulting :class:`Query` over papers, whose text
:mod:`~store.query.haystack` folds.
"""

from __future__ import annotations

from store.query.evaluator import FoldedAbstracts, Query
from store.query.haystack import Haystack, is_plain, normalise, search_text
from store.query.lexer import FIELDS, QueryError
from store.query.parser import parse

__all__ = [
    "FIELDS",
    "FoldedAbstracts",
    "Haystack",
    "Query",
    "QueryError",
    "is_plain",
    "normalise",
    "parse",
    "search_text",
]
