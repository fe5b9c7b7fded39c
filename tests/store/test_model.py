"""The catalogue record of a paper: what is written is what comes back.

``to_record`` and ``catalogued`` are written out field by field for speed;
these properties fail the day a field is added to Paper and not to them.
"""

from __future__ import annotations

from dataclasses import fields, replace

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.model import DatePrecision, Paper

TEXT = st.text(max_size=12)
PAPERS = st.builds(
    Paper,
    id=TEXT,
    title=TEXT,
    authors=st.lists(TEXT, max_size=3).map(tuple),
    authors_truncated=st.booleans(),
    affiliations=st.lists(TEXT, max_size=2).map(tuple),
    abstract=TEXT,
    category=TEXT,
    date=TEXT,
    date_precision=st.one_of(st.none(), st.sampled_from(DatePrecision)),
    has_code=st.booleans(),
    url=TEXT,
    code_url=TEXT,
    arxiv_id=TEXT,
    doi=TEXT,
    venue=TEXT,
    collections=st.dictionaries(TEXT, st.integers(-5, 10**6), max_size=3),
    added_at=TEXT,
    categories=st.lists(TEXT, max_size=3).map(tuple),
    kind=TEXT,
    extra=st.dictionaries(TEXT, TEXT, max_size=3),
    aliases=st.dictionaries(TEXT, st.lists(TEXT, min_size=1, max_size=2).map(tuple), max_size=2),
    origin=st.sampled_from(("", "arxiv")),
)


def test_the_strategy_sets_every_field() -> None:
    covered = {"id", "title", "authors", "authors_truncated", "affiliations", "abstract"}
    covered |= {"category", "date", "date_precision", "has_code", "url", "code_url"}
    covered |= {"arxiv_id", "doi", "venue", "collections", "added_at", "categories"}
    covered |= {"kind", "extra", "aliases", "origin"}
    assert covered == {f.name for f in fields(Paper)}


@given(PAPERS)
def test_a_record_reads_back_as_the_paper_without_its_abstract(paper: Paper) -> None:
    record = orjson.loads(orjson.dumps(paper.to_record()))
    assert "abstract" not in record
    assert Paper.from_dict(record) == replace(paper, abstract="")
    defaults = Paper(id="x", title="y")
    for name, value in paper.to_record().items():
        if name not in ("id", "title"):  # a default is left out, never written
            assert value != getattr(defaults, name)


@given(PAPERS, TEXT, TEXT)
def test_catalogued_keeps_everything_but_id_date_added_and_abstract(
    paper: Paper, paper_id: str, added_at: str
) -> None:
    copy = paper.catalogued(paper_id, added_at)
    assert copy == replace(paper, id=paper_id, added_at=added_at, abstract="")


@given(st.text())
def test_title_keys_keep_only_ascii_letters_and_digits(title: str) -> None:
    import re

    from store.identity import _alnum_only
    from store.text import fold

    folded = fold(title)
    assert _alnum_only(folded) == re.sub(r"[^0-9a-z]+", "", folded)


@given(PAPERS, TEXT)
def test_fast_built_papers_are_real_frozen_papers(paper: Paper, abstract: str) -> None:
    from dataclasses import FrozenInstanceError

    import pytest

    copy = paper.with_abstract(abstract)
    assert type(copy) is Paper and copy == replace(paper, abstract=abstract)
    read_back = Paper.from_dict(paper.to_dict())
    assert type(read_back) is Paper and read_back == paper
    with pytest.raises(FrozenInstanceError):
        copy.title = "changed"  # type: ignore[misc]


def _exactly(paper: Paper) -> str:
    """Every field's value and type, nested ones too (``True`` and ``1`` differ here)."""
    return repr([(type(getattr(paper, f.name)), getattr(paper, f.name)) for f in fields(Paper)])


@given(PAPERS)
def test_a_catalogue_record_builds_the_paper_from_dict_builds(paper: Paper) -> None:
    raw = orjson.dumps(paper.to_record())
    built = Paper.from_record(orjson.loads(raw))
    assert type(built) is Paper
    assert _exactly(built) == _exactly(Paper.from_dict(orjson.loads(raw)))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
ODD_RECORDS = st.dictionaries(
    st.sampled_from([f.name for f in fields(Paper)] + ["unknown"]), JSON, max_size=8
).map(lambda record: {"id": "x", "title": "y", **record})


ODD_FIELDS = [
    {"collections": {"a": True}},
    {"collections": {"a": "3", "b": 2.5}},
    {"extra": {"volume": 3}},
    {"aliases": {"bib": [1, "k"]}},
    {"aliases": {"bib": "key"}},
    {"aliases": {"bib": []}},
    {"authors": "Ada"},
    {"authors": [1]},
    {"category": 5},
    {"date": None},
    {"date_precision": "month", "categories": ["cs.LG", "cs.AI"]},
]


@pytest.mark.parametrize("odd", ODD_FIELDS, ids=[str(odd) for odd in ODD_FIELDS])
def test_each_odd_field_builds_what_from_dict_builds_or_raises(odd: dict[str, object]) -> None:
    _builds_what_from_dict_builds_or_raises({"id": "x", "title": "y", **odd})


@given(ODD_RECORDS)
def test_an_odd_record_builds_what_from_dict_builds_or_raises(record: dict[str, object]) -> None:
    _builds_what_from_dict_builds_or_raises(record)


def _builds_what_from_dict_builds_or_raises(record: dict[str, object]) -> None:
    """Whatever a hand-edited catalogue holds: from_record never reads it otherwise.

    It may refuse what from_dict reads (the catalogue is then read by from_dict).
    """
    raw = orjson.dumps(record)
    try:
        built = Paper.from_record(orjson.loads(raw))
    except Exception:
        return
    assert _exactly(built) == _exactly(Paper.from_dict(orjson.loads(raw)))


def test_papers_built_from_records_share_repeated_text() -> None:
    records = orjson.loads(
        orjson.dumps(
            [
                {"id": f"p{n}", "title": "t", "authors": ["Ada Lovelace"], "category": "cs.LG"}
                for n in range(2)
            ]
        )
    )
    first, second = (Paper.from_record(record) for record in records)
    assert first.authors[0] is second.authors[0]
    assert first.category is second.category
