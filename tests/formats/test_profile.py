"""The author-profile importer, pinned against the real dump in ``sample_data``."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.errors import FormatError
from store.formats import profile
from store.model import DatePrecision, ImportResult, Paper
from store.text import clean_line

SAMPLE = Path(__file__).parents[2] / "sample_data" / "jason-d-lee-profile.txt"
AS_OF = datetime.date(2026, 11, 28)
PROFILE_NAME = "Jason D. Lee"
# The sample's entries are 7 lines each: header, title, blank, authors, blank, abstract, blank.
FIRST_ENTRY_LINE = 12
ENTRY_LINES = 7


@pytest.fixture(scope="module")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample(sample_text: str) -> ImportResult:
    return profile.parse(sample_text, as_of=AS_OF, source=str(SAMPLE))


def by_title(result: ImportResult, prefix: str) -> Paper:
    matches = [paper for paper in result.papers if paper.title.startswith(prefix)]
    assert len(matches) == 1, f"expected one paper titled {prefix!r}, got {len(matches)}"
    return matches[0]


def identity(result: ImportResult) -> list[tuple[str, tuple[str, ...], bool, str, str]]:
    """What must survive every layout variant of the same dump."""
    return [
        (paper.title, paper.authors, paper.authors_truncated, paper.date, paper.category)
        for paper in result.papers
    ]


def entry_lines(text: str) -> list[list[str]]:
    """The sample's entries as blocks of raw lines, relying on its fixed layout."""
    lines = text.split("\n")
    body = lines[FIRST_ENTRY_LINE - 1 :]
    return [body[start : start + ENTRY_LINES] for start in range(0, len(body), ENTRY_LINES)]


def one_entry(title: str, authors: str = "Ada Lovelace", abstract: str = "An abstract.") -> str:
    return f"LGMar 8, 2024\n{title}\n{authors}\n{abstract}\n"


# --- the real dump ---------------------------------------------------------------------


def test_sample_holds_fifty_entries_in_page_order(sample: ImportResult) -> None:
    assert len(sample.papers) == 50
    ranks = [paper.collections for paper in sample.papers]
    assert ranks == [{PROFILE_NAME: rank} for rank in range(1, 51)]
    # Every entry has an author line and an abstract; neither swallowed the other.
    assert all(paper.authors and paper.abstract for paper in sample.papers)
    assert all("\n" not in paper.abstract for paper in sample.papers)


def test_sample_collection_carries_profile_header(sample: ImportResult) -> None:
    assert sample.collection is not None
    assert sample.collection.name == PROFILE_NAME
    assert sample.collection.source == str(SAMPLE)
    assert sample.collection.declared_count == 158
    assert sample.collection.imported_at == ""
    assert sample.collection.metrics == {
        "category": "LG",
        "h-index": "96",
        "papers": "158",
        "citations": "15936",
        "Novelty": "63%",
        "AI Score": "64",
    }


def test_sample_warns_only_that_the_page_holds_fewer_than_declared(
    sample: ImportResult,
) -> None:
    assert [(w.message, w.line) for w in sample.warnings] == [
        ("page declares 158 papers but holds 50", 10)
    ]


def test_first_entry_fields(sample: ImportResult) -> None:
    paper = sample.papers[0]
    assert paper.title == (
        "LeanMarathon: Toward Reliable AI Co-Mathematicians through "
        "Long-Horizon Lean Autoformalization"
    )
    assert paper.authors == ("Yuanhe Zhang", "Yuekai Sun", "Taiji Suzuki")
    assert paper.authors_truncated is True
    assert paper.affiliations == ()
    assert paper.category == "AI"
    assert paper.date == "2026-06-03"
    assert paper.date_precision is DatePrecision.DAY
    assert paper.has_code is True
    assert paper.code_url == "https://github.com/YuanheZ/LeanMarathon"
    assert paper.abstract.startswith("Long-horizon autoformalization of research mathematics")
    assert paper.abstract.endswith("https://github.com/YuanheZ/LeanMarathon.")
    assert "Erdős problems" in paper.abstract
    assert (paper.id, paper.url, paper.arxiv_id, paper.doi, paper.venue) == ("",) * 5
    assert paper.added_at == ""


def test_second_entry_has_affiliations_and_no_code(sample: ImportResult) -> None:
    paper = sample.papers[1]
    assert paper.title.startswith("Understanding Incremental Learning of Gradient Descent")
    assert paper.authors == ("Jikai Jin", "Zhiyuan Li", "Kaifeng Lyu")
    assert paper.authors_truncated is True
    assert paper.affiliations == ("stanford", "tsinghua")
    assert paper.category == "LG"
    assert paper.date == "2023-01-27"
    assert paper.has_code is False
    assert paper.code_url == ""


def test_untruncated_author_list_without_affiliations(sample: ImportResult) -> None:
    paper = by_title(sample, "Proximal Newton-type methods")
    assert paper.authors == ("Jason D. Lee", "Yuekai Sun", "Michael A. Saunders")
    assert paper.authors_truncated is False
    assert paper.affiliations == ()
    assert paper.category == "ML"
    assert paper.date == "2014-03-17"
    assert paper.collections == {PROFILE_NAME: 6}


def test_code_url_drops_the_closing_parenthesis_of_the_sentence(sample: ImportResult) -> None:
    paper = by_title(sample, "Sanity-Checking Pruning Methods")
    assert paper.code_url == "https://github.com/JingtongSu/sanity-checking-pruning"
    assert paper.has_code is True
    assert paper.date == "2020-09-22"


def test_every_sample_url_becomes_a_clean_code_url(sample: ImportResult) -> None:
    code_urls = [paper.code_url for paper in sample.papers if paper.code_url]
    assert len(code_urls) == 9
    for url in code_urls:
        assert url.startswith("https://github.com/")
        assert url[-1] not in ".,;:!?'\")]}>"


def test_code_flag_without_a_url(sample: ImportResult) -> None:
    # "LGFeb 2Code": the header alone says the paper has code.
    paper = by_title(sample, "Statistical Learning Theory in Lean 4")
    assert paper.has_code is True
    assert paper.date == "2026-02-02"


def test_yearless_date_resolves_to_latest_day_not_after_reference(sample_text: str) -> None:
    late = profile.parse(sample_text, as_of=datetime.date(2026, 11, 28))
    early = profile.parse(sample_text, as_of=datetime.date(2026, 5, 25))
    same_day = profile.parse(sample_text, as_of=datetime.date(2026, 5, 26))
    title = "Fine-Tuning Dynamics of In-Context Factual Recall in Transformers"
    assert by_title(late, title).date == "2026-05-26"
    assert by_title(early, title).date == "2025-05-26"
    assert by_title(same_day, title).date == "2026-05-26"
    # Dated entries do not move with the reference date.
    assert by_title(early, "Proximal Newton-type").date == "2014-03-17"


def test_default_reference_date_is_today(sample_text: str) -> None:
    today = datetime.date.today()
    result = profile.parse(sample_text)
    yearless = datetime.date.fromisoformat(result.papers[0].date)  # "AIJun 3Code"
    assert (yearless.month, yearless.day) == (6, 3)
    assert today - datetime.timedelta(days=366) < yearless <= today


def test_unicode_names_in_the_sample_survive(sample: ImportResult) -> None:
    paper = by_title(sample, "Accelerating RL for LLM Reasoning")
    assert paper.authors[0] == "Kianté Brantley"


# --- layout variants of the real dump ----------------------------------------------------


def _crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def _lone_cr(text: str) -> str:
    return text.replace("\n", "\r")


def _trailing_spaces(text: str) -> str:
    return "\n".join(line + "  \t " for line in text.split("\n"))


def _extra_blank_lines(text: str) -> str:
    return "\n\n\n" + text.replace("\n", "\n\n\n") + "\n\n"


def _no_blank_lines(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if line.strip())


def _no_header(text: str) -> str:
    return "\n".join(text.split("\n")[FIRST_ENTRY_LINE - 1 :])


def _bom(text: str) -> str:
    return "\ufeff" + text


def _no_affiliations(text: str) -> str:
    return "\n".join(line.split(" · ")[0] for line in text.split("\n"))


@pytest.mark.parametrize(
    "variant",
    [_crlf, _lone_cr, _trailing_spaces, _extra_blank_lines, _no_blank_lines, _bom],
)
def test_layout_variant_parses_to_the_same_papers(
    sample_text: str, sample: ImportResult, variant: object
) -> None:
    assert callable(variant)
    result = profile.parse(variant(sample_text), as_of=AS_OF, source=str(SAMPLE))
    assert identity(result) == identity(sample)
    assert [paper.abstract for paper in result.papers] == [p.abstract for p in sample.papers]
    assert [paper.affiliations for paper in result.papers] == [
        p.affiliations for p in sample.papers
    ]
    assert result.collection == sample.collection
    assert [w.message for w in result.warnings] == [w.message for w in sample.warnings]


def test_headerless_dump_still_parses_its_entries(sample_text: str, sample: ImportResult) -> None:
    result = profile.parse(_no_header(sample_text), as_of=AS_OF, source="/lists/my-list.txt")
    assert identity(result) == identity(sample)
    assert result.warnings == []
    assert result.collection is not None
    assert result.collection.name == "my-list"
    assert result.collection.declared_count is None
    assert result.collection.metrics == {}
    assert result.papers[49].collections == {"my-list": 50}


def test_headerless_dump_without_source_gets_a_fallback_name(sample_text: str) -> None:
    result = profile.parse(_no_header(sample_text), as_of=AS_OF)
    assert result.collection is not None
    assert result.collection.name == "Imported profile"
    assert result.papers[0].collections == {"Imported profile": 1}


def test_missing_abstracts_parse(sample_text: str, sample: ImportResult) -> None:
    header = sample_text.split("\n")[: FIRST_ENTRY_LINE - 1]
    # Drop each entry's abstract line (the sixth line of the block).
    entries = [block[:5] + block[6:] for block in entry_lines(sample_text)]
    text = "\n".join(header + [line for block in entries for line in block])
    result = profile.parse(text, as_of=AS_OF)
    assert identity(result) == identity(sample)
    assert all(paper.abstract == "" for paper in result.papers)
    assert all(paper.code_url == "" for paper in result.papers)
    # Only the header's "Code" flag is left to say a paper has code.
    assert [p.has_code for p in result.papers].count(True) == 9


def test_missing_affiliations_parse(sample_text: str, sample: ImportResult) -> None:
    result = profile.parse(_no_affiliations(sample_text), as_of=AS_OF)
    assert identity(result) == identity(sample)
    assert all(paper.affiliations == () for paper in result.papers)


def test_affiliations_only_split_at_the_first_mark() -> None:
    text = one_entry("T", authors="Ada Lovelace et al. · oxford, , cambridge · mit")
    paper = profile.parse(text).papers[0]
    assert paper.authors == ("Ada Lovelace",)
    assert paper.authors_truncated is True
    assert paper.affiliations == ("oxford", "cambridge", "mit")


# --- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (datetime.date(2026, 11, 28), "2024-02-29"),
        (datetime.date(2024, 2, 29), "2024-02-29"),
        (datetime.date(2024, 2, 28), "2020-02-29"),
        (datetime.date(2101, 3, 1), "2096-02-29"),  # 2100 is not a leap year
    ],
)
def test_yearless_feb_29_resolves_to_a_leap_year(as_of: datetime.date, expected: str) -> None:
    paper = profile.parse("LGFeb 29\nLeap paper\nAda Lovelace\n", as_of=as_of).papers[0]
    assert paper.date == expected


def test_impossible_date_is_a_warning_not_a_paper() -> None:
    text = "LGFeb 30\nBad date\nAda Lovelace\n\n" + "LGFeb 29, 2023\nAlso bad\n\n" + one_entry("Ok")
    result = profile.parse(text, as_of=AS_OF)
    assert [paper.title for paper in result.papers] == ["Ok"]
    assert [w.line for w in result.warnings] == [1, 5]
    assert all("does not exist" in w.message for w in result.warnings)
    # The broken entries' text does not leak into a neighbour, and the page rank stays.
    assert result.papers[0].abstract == "An abstract."
    assert result.papers[0].collections == {"Imported profile": 3}


def test_entry_without_title_is_skipped_with_a_warning() -> None:
    text = one_entry("First") + "\nAIJun 3, 2024Code\n\n\n" + one_entry("Third")
    result = profile.parse(text)
    assert [paper.title for paper in result.papers] == ["First", "Third"]
    assert [(w.message, w.line) for w in result.warnings] == [("entry has no title; skipped", 6)]
    assert [paper.collections["Imported profile"] for paper in result.papers] == [1, 3]


def test_only_broken_entries_is_a_format_error() -> None:
    with pytest.raises(FormatError) as caught:
        profile.parse("LGJun 31\nTitle\n")
    assert caught.value.line == 1
    assert "does not exist" in str(caught.value)


# --- authors and abstract ---------------------------------------------------------------


def test_unicode_names_survive_untouched() -> None:
    text = one_entry("T", authors="Paul Erdős, Zoë Ça, 王小明, Søren Kierkegaard")
    paper = profile.parse(text).papers[0]
    assert paper.authors == ("Paul Erdős", "Zoë Ça", "王小明", "Søren Kierkegaard")
    assert paper.abstract == "An abstract."


def test_names_are_never_invented_from_et_al() -> None:
    paper = profile.parse(one_entry("T", authors="Ada Lovelace, et al.")).papers[0]
    assert paper.authors == ("Ada Lovelace",)
    assert paper.authors_truncated is True


def test_prose_after_the_title_is_the_abstract_not_authors() -> None:
    abstract = "We extend the analysis of Smith et al."
    text = f"LGMar 8, 2024\nTitle\n\n{abstract}\n"
    paper = profile.parse(text).papers[0]
    assert paper.authors == ()
    assert paper.abstract == abstract


@pytest.mark.parametrize(
    "line", ["Abstract: Coming Soon", "See Section 4", "Results Hold (Mostly)", "Done. Really"]
)
def test_capitalised_prose_with_punctuation_or_digits_is_not_authors(line: str) -> None:
    paper = profile.parse(f"LGMar 8, 2024\nTitle\n{line}\n").papers[0]
    assert paper.authors == ()
    assert paper.abstract == line


def test_names_with_particles_and_lowercase_prefixes_are_authors() -> None:
    authors = "Ludwig van Beethoven, Jean le Rond d'Alembert, Omar al-Khayyam"
    paper = profile.parse(one_entry("T", authors=authors)).papers[0]
    assert paper.authors == (
        "Ludwig van Beethoven",
        "Jean le Rond d'Alembert",
        "Omar al-Khayyam",
    )


def test_abstract_paragraphs_and_wrapped_lines() -> None:
    text = "LGMar 8, 2024\nTitle\nAda Lovelace\nFirst line\nwraps here.\n\n\nSecond paragraph.\n"
    paper = profile.parse(text).papers[0]
    assert paper.abstract == "First line wraps here.\n\nSecond paragraph."


@pytest.mark.parametrize(
    ("abstract", "expected"),
    [
        ("See https://example.org/x and https://gitlab.com/a/b.", "https://gitlab.com/a/b"),
        (
            "Docs (https://en.wikipedia.org/wiki/Foo_(bar)).",
            "https://en.wikipedia.org/wiki/Foo_(bar)",
        ),
        ('Code: "https://huggingface.co/org/model";', "https://huggingface.co/org/model"),
        ("Code at \\url{https://www.github.com/a/b}!", "https://www.github.com/a/b"),
        ("Only a project page: https://example.org/p?x=1,", "https://example.org/p?x=1"),
        ("No link, just https:// and text.", ""),
    ],
)
def test_code_url_choice_and_trimming(abstract: str, expected: str) -> None:
    paper = profile.parse(one_entry("T", abstract=abstract)).papers[0]
    assert paper.code_url == expected
    assert paper.has_code is bool(expected)


# --- hostile and junk input ---------------------------------------------------------------


def test_escape_sequences_are_removed_from_every_field() -> None:
    text = (
        "Evil\x1b[2J Profile\n"
        "LGMar 8, 2024\n"
        "Clear \x1b[2Jscreen\x1b]52;c;SGVsbG8=\x07 title\u202e\n"
        "Ada\x07 Lovelace, Mallory\x1b]0;pwned\x1b\\ Smith\n"
        "Abstract \x9b31m red\x00.\n"
    )
    result = profile.parse(text)
    paper = result.papers[0]
    assert paper.title == "Clear screen title"
    assert paper.authors == ("Ada Lovelace", "Mallory Smith")
    assert paper.abstract == "Abstract  red."
    assert result.collection is not None
    assert result.collection.name == "Evil Profile"


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "   \n\r\n\t\n",
        "hello world",
        bytes(range(256)).decode("latin-1"),
        b"\x00\x01\x02\xff\xfe".decode("utf-8", "replace") * 1000,
        "\x00" * 10_000,
        "x" * 1_000_000,
        "\n" * 1_000_000,
        " \n" * 500_000,
        "LGMay 26 is when the conference ends\nand nothing else",
    ],
    ids=[
        "empty",
        "blank-lines",
        "prose",
        "all-bytes",
        "binary",
        "nul",
        "huge-line",
        "million-newlines",
        "million-blank-lines",
        "date-in-prose",
    ],
)
def test_junk_is_a_format_error(junk: str) -> None:
    assert profile.looks_like(junk) is False
    with pytest.raises(FormatError, match="no paper entries found"):
        profile.parse(junk)


def test_nul_bytes_and_huge_lines_inside_entries_are_survived() -> None:
    huge = "word " * 200_000
    text = one_entry("Ti\x00tle", authors="Ada\x00 Lovelace", abstract=huge + "\x00end")
    paper = profile.parse(text).papers[0]
    assert paper.title == "Title"
    assert paper.authors == ("Ada Lovelace",)
    assert paper.abstract.endswith("word end")


_DUMP_PIECES = st.sampled_from(
    [
        "AIJun 3Code",
        "LGFeb 29",
        "LGFeb 30, 2023",
        "MLMar 17, 2014",
        "Title",
        "Ada Lovelace, Alan Turing et al. · oxford, ",
        " · ",
        "et al.",
        "158 Papers",
        "h-index96",
        "https://github.com/a/b)].",
        "",
        "\r",
        "\x1b]52;c;",
        "\ufeff",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_DUMP_PIECES, st.text(max_size=40)), max_size=30))
def test_any_text_parses_or_is_a_format_error(pieces: list[str]) -> None:
    text = "\n".join(pieces)
    try:
        result = profile.parse(text, as_of=AS_OF)
    except FormatError as err:
        assert str(err)  # the only exception, and it says something
    else:
        assert result.papers
        assert profile.looks_like(text) or "\x1b" in text or "\x9b" in text or "\x9d" in text
        for paper in result.papers:
            assert paper.title
            assert paper.title == clean_line(paper.title)
            assert paper.date_precision is DatePrecision.DAY
            datetime.date.fromisoformat(paper.date)


# --- sniffing and the cleaning fast path ------------------------------------------------


def test_looks_like_recognises_dumps(sample_text: str) -> None:
    assert profile.looks_like(sample_text)
    assert profile.looks_like(_no_header(sample_text))
    assert profile.looks_like(_lone_cr(sample_text))
    assert profile.looks_like("\ufeffAIJun 3Code\r\nTitle\r\n")
    assert not profile.looks_like("LGFeb 30\nTitle\n")
    assert not profile.looks_like("@article{key,\n  title = {LGJun 3},\n}\n")
