"""The folded text a query's words are looked for in, and how text is folded.

Needles and haystacks go through the same :func:`normalise`, so a word typed
with accents or odd spacing finds the paper whichever way it was written.
"""

from __future__ import annotations

from dataclasses import dataclass

from store.model import Paper
from store.text import fold, is_printable

# Normalised text never holds U+001F (it is whitespace, and whitespace runs
# become one space), and neither does a needle, so no match can straddle two
# fields of a search text.
FIELD_SEPARATOR = "\x1f"
# What author names are joined with while they are folded together.
_NAME_SEPARATOR = "\x1e"


def normalise(text: str) -> str:
    """Fold ``text`` and collapse whitespace runs to one space.

    Collapsing lets ``"gradient descent"`` match an abstract that wraps between
    the two words; needles and haystacks both go through here so they agree.
    """
    folded = fold(text)
    # Printable text has no whitespace but the plain space (str.isprintable is
    # False for tabs, newlines and other separators), so with no doubled or
    # edge space, split/join would rebuild a long abstract unchanged.
    if (
        is_printable(folded)
        and "  " not in folded
        and not folded.startswith(" ")
        and not folded.endswith(" ")
    ):
        return folded
    return " ".join(folded.split())


def _normalise_names(names: tuple[str, ...]) -> str:
    """The names normalised one by one and joined with newlines.

    Folded as one string when that gives the same answer (it does unless a
    name needs whitespace collapsed): a fifth of the cost of a library's
    search texts is in names, 3.8 of them per paper.
    """
    joined = _NAME_SEPARATOR.join(names)
    folded = fold(joined)
    if (
        joined.count(_NAME_SEPARATOR) == len(names) - 1
        and is_printable(folded.replace(_NAME_SEPARATOR, "x"))
        and "  " not in folded
        and f" {_NAME_SEPARATOR}" not in folded
        and f"{_NAME_SEPARATOR} " not in folded
        and not folded.startswith(" ")
        and not folded.endswith(" ")
    ):
        return folded.replace(_NAME_SEPARATOR, "\n")
    return "\n".join(normalise(name) for name in names)


def is_plain(text: str) -> bool:
    """Whether ``text.lower()`` is already its normalised (searchable) form.

    True for most abstracts: ASCII, one space between words. A library need
    not keep a folded copy of those, which would double their memory.
    """
    return (
        text.isascii()
        and is_printable(text)
        and "  " not in text
        and not text.startswith(" ")
        and not text.endswith(" ")
    )


@dataclass(frozen=True, slots=True)
class Haystack:
    """The folded text of one paper that words and phrases are looked for in.

    Built once per paper and kept beside it, because folding every abstract
    again on each keystroke would cost far more than the search itself.
    Author names are joined with a newline, which no needle contains (needles
    have their whitespace collapsed to spaces), so ``author:"lee zoe"`` cannot
    match across two names.
    """

    title: str
    authors: str
    abstract: str

    @classmethod
    def of(cls, paper: Paper, abstract: str | None = None) -> Haystack:
        """Fold the searchable text of ``paper``.

        ``abstract`` stands in for the paper's own (the library keeps abstracts
        apart from papers); an empty one makes words match titles and authors
        only: the quick pass a search bar shows while the full-text pass runs
        off the UI thread.
        """
        text = paper.abstract if abstract is None else abstract
        return cls(
            title=normalise(paper.title),
            authors=_normalise_names(paper.authors),
            abstract=normalise(text) if text else "",
        )

    @classmethod
    def from_search_text(cls, text: str) -> Haystack:
        """The haystack that :func:`search_text` joined into one string."""
        title, _, rest = text.partition(FIELD_SEPARATOR)
        authors, _, abstract = rest.partition(FIELD_SEPARATOR)
        return cls(title, authors, abstract)


def search_text(paper: Paper, abstract: str | None = None) -> str:
    """A paper's folded title, authors and abstract as one string.

    A library keeps one per paper: a word is then a single ``in`` test on a
    string instead of three attribute lookups on an object, which is what
    keeps a search over 100,000 papers within a keystroke. ``abstract``
    stands in for the paper's own; pass ``""`` for titles and authors only.
    """
    text = paper.abstract if abstract is None else abstract
    folded = normalise(text) if text else ""
    joined = normalise(paper.title) + FIELD_SEPARATOR + _normalise_names(paper.authors)
    return joined + FIELD_SEPARATOR + folded if folded else joined
