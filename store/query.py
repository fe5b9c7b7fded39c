"""The query language shared by the search bar and ``paper-reader list QUERY``.

One engine serves both so that a query pasted from the terminal into the search
bar finds the same papers. The search bar re-parses on every keystroke and then
filters the whole library, so parsing compiles the query into small predicate
closures once, with every needle already folded, and filtering only calls them.

Grammar, informally: whitespace-separated terms that must all match. A term is
an optional ``-`` (negation) followed by a plain word, a ``"quoted phrase"`` or
``field:value`` where the value may itself be quoted. A quote only opens a
phrase at the start of a term or of a field value; elsewhere it is an ordinary
character, so half-typed input such as ``don"t`` stays searchable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from store.errors import PaperReaderError
from store.model import Paper, ReadingStatus, UserState, year_of
from store.text import fold, is_printable

__all__ = [
    "FIELDS",
    "Haystack",
    "Query",
    "QueryError",
    "is_plain",
    "normalise",
    "parse",
    "search_text",
]


_T = TypeVar("_T")
# What Query.select reads per position: a list aligned with the papers, or a
# dict holding just the candidates' positions.
_ByPosition = Sequence[_T] | Mapping[int, _T]


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


_NAME_SEPARATOR = "\x1e"


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
        title, _, rest = text.partition(_FIELD_SEPARATOR)
        authors, _, abstract = rest.partition(_FIELD_SEPARATOR)
        return cls(title, authors, abstract)


# Normalised text never holds U+001F (it is whitespace, and whitespace runs
# become one space), and neither does a needle, so no match can straddle two
# fields of a search text.
_FIELD_SEPARATOR = "\x1f"


def search_text(paper: Paper, abstract: str | None = None) -> str:
    """A paper's folded title, authors and abstract as one string.

    A library keeps one per paper: a word is then a single ``in`` test on a
    string instead of three attribute lookups on an object, which is what
    keeps a search over 100,000 papers within a keystroke. ``abstract``
    stands in for the paper's own; pass ``""`` for titles and authors only.
    """
    text = paper.abstract if abstract is None else abstract
    folded = normalise(text) if text else ""
    joined = normalise(paper.title) + _FIELD_SEPARATOR + _normalise_names(paper.authors)
    return joined + _FIELD_SEPARATOR + folded if folded else joined


Predicate = Callable[[Paper, UserState, Haystack], bool]

# Cost classes: cheap predicates run first so the expensive ones (scanning
# abstracts) see only the papers that survived.
_CHEAP, _SHORT_TEXT, _FULL_TEXT = 0, 1, 2


# Fields whose value is looked for as a substring, so a longer value is stricter.
_SUBSTRING_KINDS = frozenset({"text", "author", "title", "abstract", "collection"})


@dataclass(frozen=True, slots=True)
class _Term:
    """One compiled term: its test, how costly that test is, and what it asked.

    ``kind`` (a field name, or ``text`` for words and phrases) and the folded
    ``needle`` are kept so that :meth:`Query.narrows` can compare queries.
    """

    predicate: Predicate
    cost: int
    kind: str = ""
    needle: str = ""
    negated: bool = False
    reads_state: bool = False  # status, tags, star, note: the rest spare a lookup

    def implies(self, other: _Term) -> bool:
        """Whether every paper this term accepts is accepted by ``other`` too."""
        if self.kind != other.kind or self.negated != other.negated:
            return False
        if self.needle == other.needle:
            return True
        if self.kind not in _SUBSTRING_KINDS:
            return False
        # Containing "grad" implies containing "gra"; lacking "gra" implies lacking "grad".
        return self.needle in other.needle if self.negated else other.needle in self.needle


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
        terms: The compiled terms, cheapest first (internal to this module).
    """

    text: str
    needs_abstract: bool = field(default=False, compare=False)
    terms: tuple[_Term, ...] = field(default=(), repr=False, compare=False)

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
        cheap = tuple(term for term in self.terms if term.cost == _CHEAP)
        textual = tuple(term for term in self.terms if term.cost != _CHEAP)
        return (
            Query(self.text, needs_abstract=False, terms=cheap),
            Query(self.text, needs_abstract=self.needs_abstract, terms=textual),
        )

    def select(
        self,
        papers: Sequence[Paper],
        state_of: Callable[[int], UserState],
        texts: _ByPosition[str] = (),
        abstracts: _ByPosition[str] | None = None,
        plain: _ByPosition[bool] | None = None,
        *,
        candidates: Sequence[int] | None = None,
    ) -> list[int]:
        """The positions of the matching papers among ``candidates``, in order.

        ``state_of(i)`` is the state of ``papers[i]``; ``texts[i]`` its
        :func:`search_text` (needed only for terms that read text). A library
        that keeps abstracts apart passes ``abstracts[i]``: the normalised
        abstract, or, where ``plain[i]``, the original to be lowered on the
        fly. ``candidates`` defaults to every position. Each term makes one
        pass over the papers that survived the previous ones, so a cheap
        ``status:unread`` ahead of two words spares most abstracts from being
        scanned; a word is a substring test or two on strings.
        """
        survivors: Sequence[int] = range(len(papers)) if candidates is None else candidates
        apart = abstracts is not None and plain is not None
        terms = list(self.terms)
        words = [t.needle for t in terms if t.kind == "text" and not t.negated]
        if apart and len(words) > 1:
            # Several words: lower each abstract once for all of them. (`apart` says
            # abstracts and plain are set; mypy cannot carry that through a bool.)
            survivors = _with_all_words(survivors, words, texts, abstracts, plain)  # type: ignore[arg-type]
            terms = [t for t in terms if not (t.kind == "text" and not t.negated)]
        for term in terms:
            needle, predicate = term.needle, term.predicate
            if term.kind == "text":
                if not apart:
                    found = [i for i in survivors if needle in texts[i]]
                else:
                    # `apart`: abstracts and plain are set (mypy cannot tell from a bool).
                    found = [
                        i
                        for i in survivors
                        if needle in texts[i]
                        or needle in (abstracts[i].lower() if plain[i] else abstracts[i])  # type: ignore[index]
                    ]
            elif term.kind in ("title", "author"):
                # A search text is the title, U+001F, then the authors.
                sep = _FIELD_SEPARATOR
                if term.kind == "title":
                    found = [
                        i for i in survivors if texts[i].find(needle, 0, texts[i].find(sep)) >= 0
                    ]
                else:
                    found = [i for i in survivors if _in_authors(texts[i], needle)]
            elif term.cost == _CHEAP:
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
                    if not apart:
                        return hay
                    # `apart`: abstracts and plain are set (mypy cannot tell from a bool).
                    text = abstracts[i].lower() if plain[i] else abstracts[i]  # type: ignore[index]
                    return Haystack(hay.title, hay.authors, text)

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
    start = text.find(_FIELD_SEPARATOR) + 1
    end = text.find(_FIELD_SEPARATOR, start)
    return text.find(needle, start, end if end >= 0 else len(text)) >= 0


def _with_all_words(
    survivors: Sequence[int],
    words: list[str],
    texts: _ByPosition[str],
    abstracts: _ByPosition[str],
    plain: _ByPosition[bool],
) -> list[int]:
    """The positions whose title, authors or abstract hold every word."""
    found = []
    for i in survivors:
        text = texts[i]
        abstract = None
        for word in words:
            if word in text:
                continue
            if abstract is None:
                abstract = abstracts[i].lower() if plain[i] else abstracts[i]
            if word not in abstract:
                break
        else:
            found.append(i)
    return found


# --- parsing -----------------------------------------------------------------

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

_STATUSES: tuple[str, ...] = tuple(str(status) for status in ReadingStatus)
_IS_VALUES: tuple[str, ...] = ("starred", "new", *_STATUSES)

# A field name is ASCII letters and a colon; ``http://`` is a URL, not a field.
_FIELD_PREFIX = re.compile(r"([A-Za-z]+):(?!//)")
_YEAR = r"[0-9]{1,4}"
_YEAR_COMPARE = re.compile(rf"(>=|<=|>|<|=)?({_YEAR})")
_YEAR_RANGE = re.compile(rf"({_YEAR})?\.\.({_YEAR})?")
_NO_YEAR_LOW, _NO_YEAR_HIGH = -(10**9), 10**9


def parse(text: str) -> Query:
    """Compile ``text`` into a :class:`Query`.

    Raises:
        QueryError: the text is malformed; ``position`` says where. No other
            exception escapes, whatever the input, because the search bar
            feeds this every half-typed keystroke.
    """
    terms: list[_Term] = []
    length = len(text)
    index = 0
    while index < length:
        if text[index].isspace():
            index += 1
            continue
        term, index = _read_term(text, index)
        terms.append(term)
    # sorted() is stable, so terms of equal cost keep the order they were typed.
    ordered = sorted(terms, key=lambda term: term.cost)
    return Query(
        text=text,
        needs_abstract=any(term.cost == _FULL_TEXT for term in terms),
        terms=tuple(ordered),
    )


def _read_term(text: str, start: int) -> tuple[_Term, int]:
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
        term = _text_term(normalise(phrase))
    else:
        end = _word_end(text, index)
        prefix = _FIELD_PREFIX.match(text, index, end)
        if prefix:
            term, end = _read_field(text, prefix.group(1), index, prefix.end(), end)
        else:
            term = _text_term(normalise(text[index:end]))
    return (_negate(term) if negated else term), end


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
    text: str, name: str, name_at: int, value_at: int, word_end: int
) -> tuple[_Term, int]:
    """Compile ``name:value`` whose value starts at ``value_at``."""
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
    needle = normalise(value)
    term = _FIELD_COMPILERS[field_name](needle, value_at)
    return replace(term, kind=field_name, needle=needle), end


def _negate(term: _Term) -> _Term:
    """The same term, inverted."""
    predicate = term.predicate

    def negated(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        return not predicate(paper, state, haystack)

    return replace(term, predicate=negated, negated=True)


# --- term compilers ------------------------------------------------------------
# Each takes the already-normalised value (and where it starts, for errors) and
# returns a closure over precomputed needles.


def _text_term(needle: str) -> _Term:
    """A plain word or phrase: found in title, authors or abstract."""

    def anywhere(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        return needle in haystack.title or needle in haystack.authors or needle in haystack.abstract

    return _Term(anywhere, _FULL_TEXT, kind="text", needle=needle)


def _author(needle: str, _at: int) -> _Term:
    """``author:``: within one author's name (names never run together)."""

    def in_authors(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        return needle in haystack.authors

    return _Term(in_authors, _SHORT_TEXT)


def _title(needle: str, _at: int) -> _Term:
    """``title:``: within the title."""

    def in_title(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        return needle in haystack.title

    return _Term(in_title, _SHORT_TEXT)


def _abstract(needle: str, _at: int) -> _Term:
    """``abstract:``: within the abstract; the one field as costly as a word."""

    def in_abstract(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        return needle in haystack.abstract

    return _Term(in_abstract, _FULL_TEXT)


def _bare_category(code: str) -> str:
    """``cs.LG`` and ``LG`` both become ``lg``: importers disagree on the prefix."""
    return code.rsplit(".", 1)[-1].casefold()


def _category(value: str, _at: int) -> _Term:
    """``cat:``: the same subject code, with or without its archive prefix."""
    wanted = _bare_category(value)
    # A library holds a few dozen distinct codes; decide each once.
    verdicts: dict[str, bool] = {}

    def in_category(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        category = paper.category
        verdict = verdicts.get(category)
        if verdict is None:
            verdict = verdicts[category] = _bare_category(category) == wanted
        return verdict

    return _Term(in_category, _CHEAP)


def _year(value: str, at: int) -> _Term:
    """``year:``: an undated paper matches no year term (and every negated one)."""
    low, high = _year_bounds(value, at)
    # Dates repeat across papers, and a dict lookup beats slicing and parsing.
    verdicts: dict[str, bool] = {}

    def in_years(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        date = paper.date
        verdict = verdicts.get(date)
        if verdict is None:
            year = year_of(date)
            verdict = verdicts[date] = year is not None and low <= year <= high
        return verdict

    return _Term(in_years, _CHEAP)


def _year_bounds(value: str, at: int) -> tuple[int, int]:
    """Inclusive year bounds for ``2023``, ``>=2023``, ``2020..2023`` and the like."""
    compare = _YEAR_COMPARE.fullmatch(value)
    if compare:
        operator, year = compare.group(1) or "=", int(compare.group(2))
        return {
            "=": (year, year),
            ">=": (year, _NO_YEAR_HIGH),
            ">": (year + 1, _NO_YEAR_HIGH),
            "<=": (_NO_YEAR_LOW, year),
            "<": (_NO_YEAR_LOW, year - 1),
        }[operator]
    span = _YEAR_RANGE.fullmatch(value)
    if span and (span.group(1) or span.group(2)):
        low = int(span.group(1)) if span.group(1) else _NO_YEAR_LOW
        high = int(span.group(2)) if span.group(2) else _NO_YEAR_HIGH
        if low > high:
            raise QueryError(at, f"empty year range {value!r}")
        return low, high
    raise QueryError(
        at,
        f"bad year {value!r} (use 2023, >=2023, >2023, <=2023, <2023, 2020..2023, 2020.., ..2023)",
    )


def _status_term(status: ReadingStatus) -> _Term:
    """The test behind both ``status:X`` and its alias ``is:X``."""

    def has_status(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        return state.status == status

    return _Term(has_status, _CHEAP, reads_state=True)


def _status(value: str, at: int) -> _Term:
    """``status:``: one of the reading statuses, by name."""
    if value not in _STATUSES:
        raise QueryError(at, f"unknown status {value!r} (valid: {', '.join(_STATUSES)})")
    return _status_term(ReadingStatus(value))


def _tag(value: str, _at: int) -> _Term:
    """``tag:``: a whole tag, not part of one, so ``tag:ml`` misses ``html``."""
    # Tags are few and repeat across papers; remember their folded forms.
    folded: dict[str, str] = {}

    def has_tag(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        for tag in state.tags:
            if tag not in folded:
                folded[tag] = normalise(tag)
            if folded[tag] == value:
                return True
        return False

    return _Term(has_tag, _CHEAP, reads_state=True)


def _collection(needle: str, _at: int) -> _Term:
    """``collection:``: part of a collection name, as names are long to type."""
    # A library has a handful of collection names shared by thousands of papers.
    folded: dict[str, str] = {}

    def in_collection(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        for name in paper.collections:
            if name not in folded:
                folded[name] = normalise(name)
            if needle in folded[name]:
                return True
        return False

    return _Term(in_collection, _CHEAP)


def _paper_id(value: str, _at: int) -> _Term:
    """``id:``: the whole citation key, ignoring case."""

    def has_id(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        return fold(paper.id) == value

    return _Term(has_id, _CHEAP)


def _flag(test: Callable[[Paper, UserState], bool], *, reads_state: bool = False) -> _Term:
    """A term from a yes/no property of the paper or its state."""

    def flag(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        return test(paper, state)

    return _Term(flag, _CHEAP, reads_state=reads_state)


_HAS_TESTS: dict[str, Callable[[Paper, UserState], bool]] = {
    "code": lambda paper, state: paper.has_code or bool(paper.code_url),
    "note": lambda paper, state: bool(state.note.strip()),
    "doi": lambda paper, state: bool(paper.doi),
    "arxiv": lambda paper, state: bool(paper.arxiv_id),
    "url": lambda paper, state: bool(paper.url),
}

_HAS_VALUES: tuple[str, ...] = ("code", "note", "abstract", "doi", "arxiv", "url")


def _has(value: str, at: int) -> _Term:
    """``has:``: the paper carries a code link, a note, a DOI, ..."""
    if value == "abstract":
        # Abstracts are in the haystack, not on the paper, and as costly as words.
        return _Term(lambda paper, state, haystack: bool(haystack.abstract), _FULL_TEXT)
    test = _HAS_TESTS.get(value)
    if test is None:
        raise QueryError(at, f"unknown has: value {value!r} (valid: {', '.join(_HAS_VALUES)})")
    return _flag(test, reads_state=value == "note")


def _is(value: str, at: int) -> _Term:
    """``is:``: starred, new (fetched, not yet seen), or a status name as a shorter ``status:``."""
    if value == "starred":
        return _flag(lambda paper, state: state.starred, reads_state=True)
    if value == "new":
        return _flag(lambda paper, state: state.is_new, reads_state=True)
    if value in _STATUSES:
        return _status_term(ReadingStatus(value))
    raise QueryError(at, f"unknown is: value {value!r} (valid: {', '.join(_IS_VALUES)})")


_FIELD_COMPILERS: dict[str, Callable[[str, int], _Term]] = {
    "author": _author,
    "title": _title,
    "abstract": _abstract,
    "cat": _category,
    "year": _year,
    "status": _status,
    "tag": _tag,
    "has": _has,
    "is": _is,
    "collection": _collection,
    "id": _paper_id,
}
