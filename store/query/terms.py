"""What each term of a query means: one compiled test per word, phrase and field.

Each field's compiler takes the already-normalised value (and where it starts,
for errors) and returns a :class:`Term`: a closure over precomputed needles,
so that filtering a library only calls it. Adding a field is a compiler here,
an entry in :data:`FIELD_COMPILERS` and its name in
:data:`store.query.lexer.FIELDS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from store.model import Paper, ReadingStatus, UserState, year_of
from store.query.haystack import Haystack, normalise
from store.query.lexer import QueryError
from store.text import fold

Predicate = Callable[[Paper, UserState, Haystack], bool]

# Cost classes: cheap predicates run first so the expensive ones (scanning
# abstracts) see only the papers that survived.
CHEAP, SHORT_TEXT, FULL_TEXT = 0, 1, 2


# Fields whose value is looked for as a substring, so a longer value is stricter.
_SUBSTRING_KINDS = frozenset({"text", "author", "title", "abstract", "collection"})


@dataclass(frozen=True, slots=True)
class Term:
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

    def implies(self, other: Term) -> bool:
        """Whether every paper this term accepts is accepted by ``other`` too."""
        if self.kind != other.kind or self.negated != other.negated:
            return False
        if self.needle == other.needle:
            return True
        if self.kind not in _SUBSTRING_KINDS:
            return False
        # Containing "grad" implies containing "gra"; lacking "gra" implies lacking "grad".
        return self.needle in other.needle if self.negated else other.needle in self.needle


_STATUSES: tuple[str, ...] = tuple(str(status) for status in ReadingStatus)
_IS_VALUES: tuple[str, ...] = ("starred", "new", *_STATUSES)

_YEAR = r"[0-9]{1,4}"
_YEAR_COMPARE = re.compile(rf"(>=|<=|>|<|=)?({_YEAR})")
_YEAR_RANGE = re.compile(rf"({_YEAR})?\.\.({_YEAR})?")
_NO_YEAR_LOW, _NO_YEAR_HIGH = -(10**9), 10**9


def text_term(needle: str) -> Term:
    """A plain word or phrase: found in title, authors or abstract."""

    def anywhere(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        return needle in haystack.title or needle in haystack.authors or needle in haystack.abstract

    return Term(anywhere, FULL_TEXT, kind="text", needle=needle)


def _author(needle: str, _at: int) -> Term:
    """``author:``: within one author's name (names never run together)."""

    def in_authors(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        return needle in haystack.authors

    return Term(in_authors, SHORT_TEXT)


def _title(needle: str, _at: int) -> Term:
    """``title:``: within the title."""

    def in_title(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        return needle in haystack.title

    return Term(in_title, SHORT_TEXT)


def _abstract(needle: str, _at: int) -> Term:
    """``abstract:``: within the abstract; the one field as costly as a word."""

    def in_abstract(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        return needle in haystack.abstract

    return Term(in_abstract, FULL_TEXT)


def _bare_category(code: str) -> str:
    """``cs.LG`` and ``LG`` both become ``lg``: importers disagree on the prefix."""
    return code.rsplit(".", 1)[-1].casefold()


def _category(value: str, _at: int) -> Term:
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

    return Term(in_category, CHEAP)


def _year(value: str, at: int) -> Term:
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

    return Term(in_years, CHEAP)


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


def _status_term(status: ReadingStatus) -> Term:
    """The test behind both ``status:X`` and its alias ``is:X``."""

    def has_status(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        return state.status == status

    return Term(has_status, CHEAP, reads_state=True)


def _status(value: str, at: int) -> Term:
    """``status:``: one of the reading statuses, by name."""
    if value not in _STATUSES:
        raise QueryError(at, f"unknown status {value!r} (valid: {', '.join(_STATUSES)})")
    return _status_term(ReadingStatus(value))


def _tag(value: str, _at: int) -> Term:
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

    return Term(has_tag, CHEAP, reads_state=True)


def _collection(needle: str, _at: int) -> Term:
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

    return Term(in_collection, CHEAP)


def _paper_id(value: str, _at: int) -> Term:
    """``id:``: the whole citation key, ignoring case."""

    def has_id(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        return fold(paper.id) == value

    return Term(has_id, CHEAP)


def _flag(test: Callable[[Paper, UserState], bool], *, reads_state: bool = False) -> Term:
    """A term from a yes/no property of the paper or its state."""

    def flag(paper: Paper, state: UserState, haystack: Haystack) -> bool:
        return test(paper, state)

    return Term(flag, CHEAP, reads_state=reads_state)


_HAS_TESTS: dict[str, Callable[[Paper, UserState], bool]] = {
    "code": lambda paper, state: paper.has_code or bool(paper.code_url),
    "note": lambda paper, state: bool(state.note.strip()),
    "doi": lambda paper, state: bool(paper.doi),
    "arxiv": lambda paper, state: bool(paper.arxiv_id),
    "url": lambda paper, state: bool(paper.url),
}

_HAS_VALUES: tuple[str, ...] = ("code", "note", "abstract", "doi", "arxiv", "url")


def _has(value: str, at: int) -> Term:
    """``has:``: the paper carries a code link, a note, a DOI, ..."""
    if value == "abstract":
        # Abstracts are in the haystack, not on the paper, and as costly as words.
        return Term(lambda paper, state, haystack: bool(haystack.abstract), FULL_TEXT)
    test = _HAS_TESTS.get(value)
    if test is None:
        raise QueryError(at, f"unknown has: value {value!r} (valid: {', '.join(_HAS_VALUES)})")
    return _flag(test, reads_state=value == "note")


def _is(value: str, at: int) -> Term:
    """``is:``: starred, new (fetched, not yet seen), or a status name as a shorter ``status:``."""
    if value == "starred":
        return _flag(lambda paper, state: state.starred, reads_state=True)
    if value == "new":
        return _flag(lambda paper, state: state.is_new, reads_state=True)
    if value in _STATUSES:
        return _status_term(ReadingStatus(value))
    raise QueryError(at, f"unknown is: value {value!r} (valid: {', '.join(_IS_VALUES)})")


FIELD_COMPILERS: dict[str, Callable[[str, int], Term]] = {
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
