"""The terms of a paper that its features are made of (see :mod:`store.features`).

The words of its title twice and the word pairs of its title, the words of
its abstract and venue, one token per author surname (``au_lee``) and one
per subject category (``cat_lg``). Words are folded (case and accents aside)
and LaTeX markup is dropped rather than rendered.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from store.model import Paper

AUTHOR_PREFIX = "au_"
CATEGORY_PREFIX = "cat_"
# A word: a letter of any script, then letters or digits (no bare numbers).
_WORD = re.compile(r"[^\W\d_][^\W_]+")
# LaTeX accents become their base letter (accents are dropped anyway) and other
# commands, braces and math shifts go: rendering every abstract through the
# LaTeX converter would cost more than the rest of the features together.
_LATEX_ACCENT = re.compile(r"""\\(?:[`'^"~=.]|[uvHckbdrt](?=[\s{]))\s*\{?\s*([A-Za-z])\}?""")
_LATEX_REST = re.compile(r"\\[A-Za-z]+|[{}$]")
# Markup that survives in raw titles and abstracts and says nothing of the topic.
MARKUP_WORDS = frozenset(
    (
        "emph", "textit", "textbf", "textsc", "textrm", "texttt", "mathrm", "mathbf",
        "mathcal", "mathit", "mathbb", "frac", "sqrt", "left", "right", "cdot", "ldots",
        "dots", "cite", "ref", "label", "url", "href", "http", "https", "www", "doi", "org",
        "com", "html", "pdf", "et", "al",
    )
)  # fmt: skip
_NO_WORDS: frozenset[str] = frozenset()


def paper_terms(paper: Paper, stop: frozenset[str]) -> list[str]:
    """The terms of one paper, ``stop`` words left out (``store.features.build`` weighs them)."""
    title = _words(paper.title, stop)
    terms = title + title
    terms += [f"{first} {second}" for first, second in itertools.pairwise(title)]
    terms += _words(paper.abstract, stop)
    terms += _words(paper.venue, stop)
    for name in paper.authors:
        surname = _words(name, _NO_WORDS)
        if surname:
            terms.append(AUTHOR_PREFIX + surname[-1])
    for code in paper.categories or ((paper.category,) if paper.category else ()):
        terms.append(CATEGORY_PREFIX + code.casefold())
    return terms


def _words(text: str, stop: frozenset[str]) -> list[str]:
    if not text:
        return []
    if "\\" in text or "$" in text or "{" in text:
        text = _LATEX_REST.sub(_drop_markup, _LATEX_ACCENT.sub(r"\1", text))
    text = text.casefold()
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    return [word for word in _WORD.findall(text) if word not in stop]


def _drop_markup(match: re.Match[str]) -> str:
    return " " if match.group().startswith("\\") else ""


def display_term(term: str) -> str:
    """A term as a person reads it: ``au_lee`` → ``Lee (author)``, ``cat_lg`` → ``LG``."""
    if term.startswith(AUTHOR_PREFIX):
        return f"{term[len(AUTHOR_PREFIX) :].title()} (author)"
    if term.startswith(CATEGORY_PREFIX):
        return term[len(CATEGORY_PREFIX) :].upper()
    return term
