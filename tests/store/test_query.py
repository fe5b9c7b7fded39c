"""The query language, pinned as a truth table over a small fixed library.

Each paper below exists to make some term match or miss for a reason the
table names; the letters A-H stand for their ids so that a row reads as
"this query finds these papers".
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from store.errors import PaperReaderError
from store.full_text import FullText
from store.model import DatePrecision, Paper, ReadingStatus, UserState
from store.query import (
    FoldedAbstracts,
    Haystack,
    Query,
    QueryError,
    parse,
    search_text,
)
from store.text import fold

LIBRARY: dict[str, tuple[Paper, UserState]] = {
    # Title and abstract both hold "gradient descent", the abstract across a line break.
    "A": (
        Paper(
            id="Lee2023Gradient",
            title="Gradient Descent Finds Global Minima",
            authors=("Jason D. Lee", "Zoë Chen"),
            abstract="We show that gradient\ndescent converges. Code: https://github.com/x/y.",
            category="cs.LG",
            date="2023-06-01",
            date_precision=DatePrecision.DAY,
            code_url="https://github.com/x/y",
            arxiv_id="2306.00001",
            collections={"Jason D. Lee": 1},
        ),
        UserState(
            status=ReadingStatus.READ,
            starred=True,
            tags=("theory", "Optimization"),
            note="Key result.",
        ),
    ),
    "B": (
        Paper(
            id="Erdos2021Random",
            title="Random Graphs Revisited",
            authors=("Paul Erdős",),
            abstract="Phase transitions in random graphs.",
            category="math.CO",
            date="2021-01-01",
            date_precision=DatePrecision.YEAR,
            doi="10.1000/xyz",
        ),
        UserState(),
    ),
    # has_code without a code_url; a whitespace-only note is no note.
    "C": (
        Paper(
            id="Smith2024Language",
            title="Language Models Are Few-Shot Learners",
            authors=("Ann Smith", "Bob Lee"),
            authors_truncated=True,
            abstract="Scaling language models improves few-shot performance.",
            category="CL",
            date="2024-01-15",
            has_code=True,
            url="https://arxiv.org/abs/2401.00001",
            arxiv_id="2401.00001",
            collections={"Jason D. Lee": 2, "NLP reading": 1},
        ),
        UserState(status=ReadingStatus.READING, tags=("nlp",), note="   \n"),
    ),
    # No abstract: abstract terms must simply miss it.
    "D": (
        Paper(
            id="Muller2023Vision",
            title="Über Vision Transformers",
            authors=("Jörg Müller",),
            category="CV",
            date="2023-11-30",
        ),
        UserState(status=ReadingStatus.SKIPPED),
    ),
    "E": (
        Paper(
            id="Garcia2022Regret",
            title="No-Regret Learning in Games",
            authors=("José García",),
            abstract="Regret bounds for learning in games.",
            category="GT",
            date="2022-03-03",
        ),
        UserState(starred=True, tags=("Theory",)),
    ),
    # No date, no authors, no category: year and cat terms never match it.
    "F": (
        Paper(
            id="Anon",
            title="An Undated Note on Optimization",
            abstract="Gradient methods, see http://example.com for more.",
        ),
        UserState(),
    ),
    "G": (
        Paper(
            id="Zhang2020Statistical",
            title="Statistical Learning Theory",
            authors=("Wei Zhang",),
            abstract="Generalization bounds via gradient descent; see 10.1/abc:d.",
            category="stat.ML",
            date="2020-07-07",
            has_code=True,
            doi="10.1/abc:d",
        ),
        UserState(status=ReadingStatus.READ, note="read twice"),
    ),
    "H": (
        Paper(
            id="Kim2025Agents",
            title="Multi-Agent Systems with LLMs",
            authors=("Min Kim", "Lee Kwan"),
            abstract='Agents cooperate; "quoted" words inside.',
            category="LG",
            date="2025-02-02",
            url="https://example.org/h",
            collections={"NLP reading": 2},
        ),
        UserState(),
    ),
}

ALL = "ABCDEFGH"

TRUTH_TABLE: list[tuple[str, str]] = [
    # blank
    ("", ALL),
    ("  \t ", ALL),
    # plain words: title, authors or abstract; case- and accent-insensitive
    ("gradient", "AFG"),
    ("GRADIENT", "AFG"),
    ("erdos", "B"),
    ("ERDŐS", "B"),
    ("zoe", "A"),
    ("ZOË", "A"),
    ("uber", "D"),
    ("über", "D"),
    ("muller", "D"),
    ("lee", "ACH"),
    ("learn", "CEG"),
    ("few-shot", "C"),
    ("nomatch", ""),
    ("gradient descent", "AG"),
    ("gradient\tdescent\n", "AG"),
    # words with a colon that are not fields
    ("http://example.com", "F"),
    ("10.1/abc:d", "G"),
    # a quote inside a word is an ordinary character
    ('quoted"', "H"),
    # phrases, matching across line breaks
    ('"gradient descent"', "AG"),
    ('"gradient descent converges"', "A"),
    ('"descent finds"', "A"),
    ('"learning theory"', "G"),
    ('"theory learning"', ""),
    ('"quoted"', "H"),
    # negation
    ("-gradient", "BCDEH"),
    ('-"gradient descent"', "BCDEFH"),
    ("gradient -descent", "F"),
    ("-author:lee", "BDEFG"),
    ("-status:read", "BCDEFH"),
    ("-has:abstract", "D"),
    ("-is:starred", "BCDFGH"),
    ("-year:2023", "BCEFGH"),
    # author:
    ("author:lee", "ACH"),
    ("author:LEE", "ACH"),
    ('author:"Jason D. Lee"', "A"),
    ('author:"jason d. lee"', "A"),
    ('author:"lee zoe"', ""),
    ("author:erdos", "B"),
    ("author:gradient", ""),
    # title: / abstract:
    ("title:gradient", "A"),
    ('title:"vision transformers"', "D"),
    ('title:"gradient descent"', "A"),
    ("title:uber", "D"),
    ("abstract:gradient", "AFG"),
    ("abstract:vision", ""),
    # cat: compares the bare code after the last dot
    ("cat:LG", "AH"),
    ("cat:cs.LG", "AH"),
    ("cat:lg", "AH"),
    ("cat:ML", "G"),
    ("cat:co", "B"),
    ("cat:L", ""),
    # year: every form; an undated paper never matches
    ("year:2023", "AD"),
    ("year:>=2023", "ACDH"),
    ("year:>2023", "CH"),
    ("year:<=2021", "BG"),
    ("year:<2021", "G"),
    ("year:2021..2023", "ABDE"),
    ("year:2022..2022", "E"),
    ("year:2024..", "CH"),
    ("year:..2020", "G"),
    # status: and its is: aliases
    ("status:unread", "BEFH"),
    ("status:reading", "C"),
    ("status:read", "AG"),
    ("status:skipped", "D"),
    ("STATUS:READ", "AG"),
    ("is:unread", "BEFH"),
    ("is:reading", "C"),
    ("is:read", "AG"),
    ("is:skipped", "D"),
    ("is:starred", "AE"),
    # tag: exact, case-insensitive
    ("tag:theory", "AE"),
    ("tag:THEORY", "AE"),
    ("tag:optimization", "A"),
    ("tag:theo", ""),
    ("tag:nlp", "C"),
    # has:
    ("has:code", "ACG"),
    ('has:"code"', "ACG"),
    ("has:note", "AG"),
    ("has:abstract", "ABCEFGH"),
    ("has:doi", "BG"),
    ("has:arxiv", "AC"),
    ("has:url", "CH"),
    # collection: folded substring of a collection name
    ('collection:"Jason D. Lee"', "AC"),
    ('collection:"jason d. lee"', "AC"),
    ("collection:lee", "AC"),
    ("collection:nlp", "CH"),
    # id: exact, case-insensitive
    ("id:Lee2023Gradient", "A"),
    ("id:LEE2023GRADIENT", "A"),
    ("id:Lee2023", ""),
    # combinations
    ("cat:LG year:>=2023 -status:read", "H"),
    ("gradient is:starred", "A"),
    ("learn -cat:CL year:2020..2022", "EG"),
    ("has:code -has:note", "C"),
    ('author:lee "few-shot" status:reading', "C"),
    ("tag:theory -is:starred", ""),
    ("title:learning abstract:bounds", "EG"),
    ("Author:Lee Title:Gradient", "A"),
    ('-"gradient descent" -author:lee has:abstract', "BEF"),
]


def _select(query: Query, library: list[tuple[Paper, UserState]]) -> list[int]:
    """What the library's search does: one search text per paper, states by index."""
    papers = [paper for paper, _state in library]
    texts = [search_text(paper) for paper in papers]
    return query.select(papers, lambda i: library[i][1], texts)


def _letters(indices: list[int]) -> str:
    return "".join(ALL[index] for index in indices)


@pytest.mark.parametrize(("text", "expected"), TRUTH_TABLE)
def test_truth_table(text: str, expected: str) -> None:
    query = parse(text)
    assert _letters(_select(query, list(LIBRARY.values()))) == expected
    matched_one_by_one = "".join(
        letter for letter, (paper, state) in LIBRARY.items() if query.matches(paper, state)
    )
    assert matched_one_by_one == expected


MALFORMED: list[tuple[str, int, str]] = [
    ('"gradient', 0, "unclosed quote"),
    ('erdos "x y', 6, "unclosed quote"),
    ('title:"gradient', 6, "unclosed quote"),
    ('-"', 1, "unclosed quote"),
    ("foo:bar", 0, "unknown field 'foo' (known: author, title, abstract,"),
    ("gradient Foo:bar", 9, "unknown field 'Foo'"),
    ("-foo:bar", 1, "unknown field"),
    ("http:", 0, "unknown field 'http'"),
    ("author:", 7, "empty value"),
    ('author:""', 7, "empty value"),
    ("year:", 5, "empty value"),
    ("year:20x3", 5, "bad year"),
    ("year:>=", 5, "bad year"),
    ("year:..", 5, "bad year"),
    ("year:12345", 5, "bad year"),
    ("year:2023..2020", 5, "empty year range"),
    ("status:done", 7, "valid: unread, reading, read, skipped"),
    ("has:pdf", 4, "valid: code, note, abstract, doi, arxiv, url"),
    ("is:fresh", 3, "valid: starred, new, unread, reading, read, skipped"),
    ("-", 0, "'-'"),
    ("a - b", 2, "'-'"),
    ("gradient -", 9, "'-'"),
    ('""', 0, "empty phrase"),
]


@pytest.mark.parametrize(("text", "position", "message"), MALFORMED)
def test_malformed_query_points_at_the_problem(text: str, position: int, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(text)
    assert caught.value.position == position
    assert message in caught.value.message


def test_error_text_counts_columns_from_one() -> None:
    with pytest.raises(QueryError) as caught:
        parse('word "x')
    assert str(caught.value) == "column 6: unclosed quote"
    assert isinstance(caught.value, PaperReaderError)


@pytest.mark.parametrize(
    ("text", "needs_abstract"),
    [
        ("", False),
        ("author:lee title:x cat:LG year:2023 has:code is:starred", False),
        ("has:abstract", True),  # abstracts are read apart from the papers
        ("gradient", True),
        ('"a phrase"', True),
        ("abstract:x", True),
        ("-word status:read", True),
    ],
)
def test_needs_abstract(text: str, needs_abstract: bool) -> None:
    assert parse(text).needs_abstract is needs_abstract


def test_blank_query_is_empty() -> None:
    assert parse("").is_empty
    assert parse(" \n").is_empty
    assert not parse("x").is_empty


def test_select_keeps_the_order_given() -> None:
    backwards = list(reversed(LIBRARY.values()))
    assert _select(parse("gradient"), backwards) == [1, 2, 7]


def test_queries_compare_by_text() -> None:
    assert parse("lee") == parse("lee")
    assert parse("lee") != parse("lee ")


# --- properties ----------------------------------------------------------------

QUERY_PIECES = st.sampled_from(
    [" ", "-", '"', ":", "..", ">=", "<", "2023", "x", "é", "\u0301", "ß", "\t", "http://"]
    + [f"{name}:" for name in ("author", "title", "year", "status", "has", "is", "cat", "id")]
    + ["tag:", "collection:", "abstract:", "read", "code", "starred", "LG", "Foo:"]
)
QUERY_TEXT = st.one_of(
    st.text(),
    st.lists(st.one_of(QUERY_PIECES, st.text(max_size=3)), max_size=12).map("".join),
)

PAPERS = st.builds(
    Paper,
    id=st.text(),
    title=st.text(),
    authors=st.lists(st.text(), max_size=3).map(tuple),
    abstract=st.text(),
    category=st.text(max_size=8),
    date=st.one_of(st.text(max_size=10), st.dates().map(str)),
    has_code=st.booleans(),
    code_url=st.text(max_size=5),
    url=st.text(max_size=5),
    doi=st.text(max_size=5),
    arxiv_id=st.text(max_size=5),
    collections=st.dictionaries(st.text(max_size=8), st.integers(), max_size=3),
)
STATES = st.builds(
    UserState,
    status=st.sampled_from(ReadingStatus),
    starred=st.booleans(),
    tags=st.lists(st.text(max_size=6), max_size=3).map(tuple),
    note=st.text(max_size=10),
)


@settings(max_examples=300)
@given(text=QUERY_TEXT, papers=st.lists(st.tuples(PAPERS, STATES), max_size=4))
def test_any_text_parses_or_raises_query_error_and_matching_never_raises(
    text: str, papers: list[tuple[Paper, UserState]]
) -> None:
    try:
        query = parse(text)
    except QueryError as error:
        assert 0 <= error.position <= len(text)
        return
    assert isinstance(query, Query)
    library = [*papers, *LIBRARY.values()]
    one_by_one = [i for i, (paper, state) in enumerate(library) if query.matches(paper, state)]
    assert _select(query, library) == one_by_one
    # as the library searches: abstracts apart, folded into one buffer (ids may repeat here)
    in_order = [paper for paper, _state in library]
    full = FullText.in_memory({str(i): p.abstract for i, p in enumerate(in_order)}, [])
    slots = [full.slots.get(str(i), -1) for i in range(len(in_order))]
    abstracts = FoldedAbstracts(
        full.folded,
        [full.starts[k] if k >= 0 else 0 for k in slots],
        [full.ends[k] if k >= 0 else 0 for k in slots],
    )
    texts = [search_text(paper, "") for paper in in_order]
    apart = query.select(in_order, lambda i: library[i][1], texts, abstracts)
    assert apart == one_by_one
    # ... and among candidates given as a dict of positions (a command's sparse search)
    odd = range(1, len(in_order), 2)
    sparse = query.select(
        in_order, lambda i: library[i][1], {i: texts[i] for i in odd}, abstracts, candidates=odd
    )
    assert sparse == [i for i in one_by_one if i % 2]
    titles_only = [search_text(paper, "") for paper, _state in library]
    no_abstracts = [(replace(p, abstract=""), s) for p, s in library]
    in_order = [paper for paper, _state in library]
    assert query.select(in_order, lambda i: library[i][1], titles_only) == [
        i for i, (paper, state) in enumerate(no_abstracts) if query.matches(paper, state)
    ]


@given(title=st.text())
def test_haystack_folds_like_store_text_fold(title: str) -> None:
    assert Haystack.of(Paper(id="x", title=title)).title == " ".join(fold(title).split())


LETTERS = st.text(alphabet=st.characters(categories=["L", "M", "Nd"]), min_size=1)


@given(words=st.lists(LETTERS, min_size=1, max_size=4), data=st.data())
def test_any_piece_of_a_title_finds_it(words: list[str], data: st.DataObject) -> None:
    title = " ".join(words)
    start = data.draw(st.integers(0, len(title) - 1))
    end = data.draw(st.integers(start + 1, len(title)))
    piece = title[start:end]
    assume(piece.strip())
    paper = Paper(id="x", title=title)
    assert parse(f'"{piece}"').matches(paper, UserState())
    assert parse(f'title:"{piece}"').matches(paper, UserState())


@pytest.mark.parametrize(
    ("previous", "current", "narrows"),
    [
        ("", "g", True),
        ("", "", True),
        ("g", "", False),
        ("gra", "grad", True),
        ("grad", "gra", False),
        ("grad", "grad lee", True),
        ("grad lee", "lee grad", True),
        ('"gradient"', '"gradient descent"', True),
        ("gradient", "title:gradient", False),
        ("title:gra", "title:grad", True),
        ("author", "author:lee", False),
        ("-grad", "-gra", True),
        ("-gra", "-grad", False),
        ("tag:the", "tag:theory", False),
        ("cat:L", "cat:LG", False),
        ("year:2", "year:20", False),
        ("year:2023", "year:2023 cat:LG", True),
        ("collection:nlp", "collection:nlp_reading", True),
        ("status:read", "is:read", False),
    ],
)
def test_narrows(previous: str, current: str, narrows: bool) -> None:
    assert parse(current).narrows(parse(previous)) is narrows


# A tiny alphabet so that random queries and random papers actually meet.
SMALL_TEXT = st.text(alphabet="abAé \n", max_size=8)
SMALL_QUERY = st.lists(
    st.sampled_from(["a", "b", "é", " ", "-", '"', "title:", "author:", "abstract:", "tag:"]),
    max_size=6,
).map("".join)
SMALL_PAPERS = st.builds(
    Paper,
    id=st.just("x"),
    title=SMALL_TEXT,
    authors=st.lists(SMALL_TEXT, max_size=2).map(tuple),
    abstract=SMALL_TEXT,
)


@given(
    previous=SMALL_QUERY,
    extra=SMALL_QUERY,
    papers=st.lists(st.tuples(SMALL_PAPERS, STATES), min_size=1, max_size=5),
)
def test_a_narrowing_query_matches_only_what_the_previous_one_did(
    previous: str, extra: str, papers: list[tuple[Paper, UserState]]
) -> None:
    try:
        old, new = parse(previous), parse(previous + extra)
    except QueryError:
        return
    if new.narrows(old):
        for paper, state in papers:
            assert old.matches(paper, state) or not new.matches(paper, state)
