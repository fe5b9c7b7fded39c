"""The query language's parser: the lexer's terms compiled into a :class:`Query`.

The search bar re-parses on every keystroke and then filters the whole
library, so parsing compiles each term into a small predicate closure once,
with every needle already folded, and filtering only calls them.
"""

from __future__ import annotations

from dataclasses import replace

from store.model import Paper, UserState
from store.query.evaluator import Query
from store.query.haystack import Haystack, normalise
from store.query.lexer import Token, tokens
from store.query.terms import FIELD_COMPILERS, FULL_TEXT, Term, text_term


def parse(text: str) -> Query:
    """Compile ``text`` into a :class:`Query`.

    Raises:
        QueryError: the text is malformed; ``position`` says where. No other
            exception escapes, whatever the input, because the search bar
            feeds this every half-typed keystroke.
    """
    terms = [_compile(token) for token in tokens(text)]
    # sorted() is stable, so terms of equal cost keep the order they were typed.
    ordered = sorted(terms, key=lambda term: term.cost)
    return Query(
        text=text,
        needs_abstract=any(term.cost == FULL_TEXT for term in terms),
        terms=tuple(ordered),
    )


def _compile(token: Token) -> Term:
    """The term that ``token`` asks for; raises QueryError for a bad field value."""
    needle = normalise(token.value)
    if token.field:
        term = FIELD_COMPILERS[token.field](needle, token.at)
        term = replace(term, kind=token.field, needle=needle)
    else:
        term = text_term(needle)
    return _negate(term) if token.negated else term


def _negate(term: Term) -> Term:
    """The same term, inverted."""
    predicate = term.predicate

    def negated(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        return not predicate(paper, state, haystack)

    return replace(term, predicate=negated, negated=True)
