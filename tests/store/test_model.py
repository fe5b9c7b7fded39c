"""The catalogue record of a paper: what is written is what comes back.

``to_record`` and ``catalogued`` are written out field by field for speed;
these properties fail the day a field is added to Paper and not to them.
"""

from __future__ import annotations

from dataclasses import fields, replace

import orjson
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
