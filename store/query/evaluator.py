"""The query language's evaluator: a parsed :class:`Query` run over a library.

:meth:`Query.matches` tests one paper; :meth:`Query.select` filters a whole
library laid out by position, one pass per term over what the previous terms
left, cheapest first, reading the folded search texts that
:mod:`store.search_index` keeps; :meth:`Query.narrows` tells the search bar
when it may re-filter its last result instead of the library.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from store.model import Paper, UserState
from store.query.haystack import FIELD_SEPARATOR, Haystack
from store.query.terms import CHEAP, Term

_T = TypeVar("_T")
# What Query.select reads per position: a list aligned with the papers, or a
# dict holding just the candidates' positions.
_ByPosition = Sequence[_T] | Mapping[int, _T]


class _Buffer(Protocol):
    """UTF-8 text that can be searched in and sliced: ``bytes`` or a file's ``mmap``."""

    def find(self, sub: bytes, start: int, end: int, /) -> int: ...

    def __getitem__(self, index: slice, /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class FoldedAbstracts:
    """The papers' folded abstracts in one UTF-8 buffer, by position.

    Paper ``i``'s lies between ``starts[i]`` and ``ends[i]`` (equal when it
    has none); what follows each in the buffer is never part of a match (see
    :data:`store.full_text.SEPARATOR`). A word is then one ``find`` within
    those bounds, a C-level scan, instead of a string made per paper.
    ``release`` gives back the memory of what was read, where that means
    anything (a mapped file).
    """

    buffer: _Buffer
    starts: _ByPosition[int]
    ends: _ByPosition[int]
    release: Callable[[], None] = lambda: None

    def text(self, i: int) -> str:
        """Paper ``i``'s folded abstract."""
        return self.buffer[self.starts[i] : self.ends[i]].decode(errors="replace")


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: a conjunction of compiled terms.

    Build it with :func:`parse`. Two queries compare equal when their text
    does, so the UI can skip re-filtering when nothing changed.

    Attributes:
        text: The query as typed.
        needs_abstract: True when some term scans abstracts (plain words,
            phrases, ``abstract:``). Those filters can take a noticeable time
            on a large library, so the UI runs them off its thread.
        terms: The compiled terms, cheapest first (internal to the query package).
    """

    text: str
    needs_abstract: bool = field(default=False, compare=False)
    terms: tuple[Term, ...] = field(default=(), repr=False, compare=False)

    @property
    def is_empty(self) -> bool:
        """True for a blank query, which matches every paper."""
        return not self.terms

    def matches(self, paper: Paper, state: UserState, haystack: Haystack | None = None) -> bool:
        """Whether ``paper`` with ``state`` satisfies every term.

        Pass the paper's precomputed ``haystack`` when there is one; without it
        the paper is folded on the spot, which is fine for one paper, not for
        a library.
        """
        if haystack is None:
            haystack = Haystack.of(paper)
        return all(term.predicate(paper, state, haystack) for term in self.terms)

    def split(self) -> tuple[Query, Query]:
        """The cheap terms and the ones that read text, as two queries.

        A library runs the first, then folds text only for what it left.
        """
        cheap = tuple(term for term in self.terms if term.cost == CHEAP)
        textual = tuple(term for term in self.terms if term.cost != CHEAP)
        return (
            Query(self.text, needs_abstract=False, terms=cheap),
            Query(self.text, needs_abstract=self.needs_abstract, terms=textual),
        )

    def select(
        self,
        papers: Sequence[Paper],
        state_of: Callable[[int], UserState],
        texts: _ByPosition[str] = (),
        abstracts: FoldedAbstracts | None = None,
        *,
        candidates: Sequence[int] | None = None,
    ) -> list[int]:
        """The positions of the matching papers among ``candidates``, in their order.

        ``state_of(i)`` is the state of ``papers[i]``; ``texts[i]`` its
        :func:`search_text` (needed only for terms that read text). A library
        that keeps abstracts apart passes them folded as ``abstracts``.
        ``candidates`` defaults to every position. Each term makes one pass
        over the papers that survived the previous ones, so a cheap
        ``status:unread`` ahead of two words spares most abstracts from being
        scanned; a word is a substring test or two.
        """
        survivors: Sequence[int] = range(len(papers)) if candidates is None else candidates
        for term in self.terms:
            needle, predicate, kind = term.needle, term.predicate, term.kind
            if kind == "text":
                if abstracts is None:
                    found = [i for i in survivors if needle in texts[i]]
                else:
                    find, starts, ends = abstracts.buffer.find, abstracts.starts, abstracts.ends
                    # A word from argv may hold an undecodable byte (a lone surrogate):
                    # encoded as is, it matches no UTF-8 text instead of failing.
                    folded = needle.encode(errors="surrogatepass")
                    found = [
                        i
                        for i in survivors
                        if needle in texts[i] or find(folded, starts[i], ends[i]) >= 0
                    ]
            elif kind == "abstract" and abstracts is not None:
                find, starts, ends = abstracts.buffer.find, abstracts.starts, abstracts.ends
                folded = needle.encode(errors="surrogatepass")
                found = [i for i in survivors if find(folded, starts[i], ends[i]) >= 0]
            elif kind == "has" and needle == "abstract" and abstracts is not None:
                starts, ends = abstracts.starts, abstracts.ends
                found = [i for i in survivors if ends[i] > starts[i]]
            elif kind in ("title", "author"):
                # A search text is the title, U+001F, then the authors.
                sep = FIELD_SEPARATOR
                if kind == "title":
                    found = [
                        i for i in survivors if texts[i].find(needle, 0, texts[i].find(sep)) >= 0
                    ]
                else:
                    found = [i for i in survivors if _in_authors(texts[i], needle)]
            elif term.cost == CHEAP:
                if term.reads_state:
                    survivors = [
                        i for i in survivors if predicate(papers[i], state_of(i), _NO_TEXT)
                    ]
                else:
                    survivors = [i for i in survivors if predicate(papers[i], _ANY, _NO_TEXT)]
                continue
            else:

                def haystack(i: int) -> Haystack:
                    hay = Haystack.from_search_text(texts[i])
                    if abstracts is None:
                        return hay
                    return Haystack(hay.title, hay.authors, abstracts.text(i))

                survivors = [i for i in survivors if predicate(papers[i], state_of(i), haystack(i))]
                continue
            if term.negated:
                kept = set(found)
                found = [i for i in survivors if i not in kept]
            survivors = found
        return list(survivors)

    def narrows(self, previous: Query) -> bool:
        """Whether this query can only match papers that ``previous`` matched.

        Typing mostly extends a query (``gra`` → ``grad`` → ``grad lee``), and
        then the search bar need only re-filter the previous results instead
        of the whole library. The answer errs towards False: it is True only
        when each term of ``previous`` is implied by some term here.
        """
        return all(any(new.implies(old) for new in self.terms) for old in previous.terms)


_ANY = UserState()  # what terms that never read the state get
_NO_TEXT = Haystack("", "", "")  # what cheap terms get: they never look at text


def _in_authors(text: str, needle: str) -> bool:
    """Whether ``needle`` is in the authors part of a search text."""
    start = text.find(FIELD_SEPARATOR) + 1
    end = text.find(FIELD_SEPARATOR, start)
    return text.find(needle, start, end if end >= 0 else len(text)) >= 0
