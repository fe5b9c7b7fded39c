"""The RIS importer, pinned against three real exports (Web of Science, Scopus, Cochrane)."""

from __future__ import annotations

import contextlib
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.errors import FormatError
from store.formats import ris
from store.model import DatePrecision, ImportResult, Paper
from store.text import clean_line

REALDATA = Path(__file__).resolve().parents[1] / "data"
RIS_DIR = REALDATA / "ris"
WOS = RIS_DIR / "web-of-science-savedrecs-7-records.ris"
SCOPUS = RIS_DIR / "scopus-export-707-records-utf8.ris"
COCHRANE = RIS_DIR / "cochrane-library-export-crlf-4-records.ris"
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "jason-d-lee-profile.txt"


def naive_text(path: Path) -> str:
    """The file decoded as plain UTF-8, so a byte-order mark stays in the text."""
    return path.read_bytes().decode("utf-8")


def parse_file(path: Path) -> ImportResult:
    return ris.parse(naive_text(path), source=str(path))


def record(*lines: str) -> str:
    return "\n".join(["TY  - JOUR", *lines, "ER  - ", ""])


def only_paper(text: str) -> Paper:
    result = ris.parse(text)
    assert len(result.papers) == 1
    return result.papers[0]


# --- the real files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "count"), [(WOS, 7), (SCOPUS, 707), (COCHRANE, 4)], ids=["wos", "scopus", "cochrane"]
)
def test_real_files_import_every_record_without_warnings(path: Path, count: int) -> None:
    result = parse_file(path)
    assert len(result.papers) == count
    assert result.warnings == []
    assert not result.keep_ids
    assert all(paper.id == "" for paper in result.papers)
    assert result.collection is not None
    assert result.collection.name == path.stem
    assert result.collection.source == str(path)
    ranks = [paper.collections for paper in result.papers]
    assert ranks == [{path.stem: rank} for rank in range(1, count + 1)]


def test_web_of_science_first_record_survives_the_byte_order_mark() -> None:
    text = naive_text(WOS)
    assert text.startswith("\ufeffTY  - JOUR")
    first = ris.parse(text).papers[0]
    assert first.title == (
        "Species-specific SNP arrays for non-invasive genetic monitoring of a vulnerable bat"
    )
    assert first.authors == (
        "Rujiporn Thavornkanlapachai",
        "Kyle N. Armstrong",
        "Chris Knuckey",
        "Bart Huntley",
        "Nicola Hanrahan",
        "Kym Ottewell",
    )
    assert first.venue == "SCIENTIFIC REPORTS"
    assert (first.date, first.date_precision) == ("2024-01-22", DatePrecision.DAY)
    assert first.doi == "10.1038/s41598-024-51461-5"
    assert first.abstract.startswith("Genetic tagging from scats is one of the minimally invasive")
    assert first.abstract.endswith("through a minimally invasive sampling approach.")
    assert first.kind == "JOUR"
    assert first.url == ""  # the record has no UR; a DOI is not a URL
    assert len(first.affiliations) == 6
    assert first.affiliations[1] == "Univ Adelaide, Sch Biol Sci, Adelaide, SA 5005, Australia"
    assert first.extra == {
        "volume": "14",
        "issue": "1",
        "archive_location": "WOS:001148428500055",
        "publisher": "NATURE PORTFOLIO",  # PU: a tag rispy does not know
        "publisher-place": "BERLIN",
        "issn": "2045-2322",
    }


def test_web_of_science_month_date_pages_and_both_issns() -> None:
    second = parse_file(WOS).papers[1]
    assert second.title.startswith("Identifying sex and individual from faecal DNA")
    assert second.authors[0] == "Rahul De"
    assert (second.date, second.date_precision) == ("2023-12-01", DatePrecision.MONTH)
    assert second.extra["page"] == "163-173"
    assert second.extra["issn"] == "1877-7252; 1877-7260"
    assert all(paper.abstract for paper in parse_file(WOS).papers)


def test_scopus_fields_types_and_unicode_names() -> None:
    papers = parse_file(SCOPUS).papers
    assert Counter(paper.kind for paper in papers) == {"JOUR": 677, "CONF": 18, "CHAP": 12}
    assert sum(bool(paper.doi) for paper in papers) == 612
    assert all(
        paper.url.startswith("https://www.scopus.com/inward/record.uri?") for paper in papers
    )
    assert all(paper.date_precision is DatePrecision.YEAR for paper in papers)
    assert not any(paper.abstract for paper in papers)  # Scopus exported none

    first = papers[0]
    assert first.title == "Premature ovarian insufficiency, early menopause, and induced menopause"
    assert first.authors == ("H. Hamoda", "A. Sharma")
    assert first.venue == "Best Practice and Research: Clinical Endocrinology and Metabolism"
    assert first.date == "2024-01-01"
    assert first.extra["note"] == "Export Date: 11 December 2024; Cited By: 6"

    names = {name for paper in papers for name in paper.authors}
    assert "M. Pszczołowska" in names
    assert "J. Chojdak-Łukasiewicz" in names
    assert any(name.endswith("Bjørklund") for name in names)
    assert "A.-L. Hallbeck" in names


def test_scopus_cyrillic_short_title_does_not_replace_the_title() -> None:
    papers = parse_file(SCOPUS).papers
    paper = next(p for p in papers if p.doi == "10.47360/1995-4484-2023-70-76")
    assert (
        paper.title == "MENOPAUSAL HORMONE THERAPY IN SYSTEMIC LUPUS ERYTHEMATOSUS: PRO ET CONTRA"
    )
    assert paper.authors[0] == "T.S. Panevin"
    assert paper.extra["page"] == "70-76"
    assert paper.venue == "Nauchno-Prakticheskaya Revmatologiya"


def test_cochrane_crlf_preambles_and_two_spaces_after_the_dash() -> None:
    text = naive_text(COCHRANE)
    assert "\r\n" in text and text.startswith("Record #1 of 4")
    papers = ris.parse(text).papers
    first = papers[0]
    assert first.title == (
        "Hormone therapy for uterine and endometrial development in women with premature "
        "ovarian insufficiency"
    )
    assert first.authors == ("L Craciunas", "N Zdoukopoulos", "S Vinayagam", "L Mohiyiddeen")
    assert first.venue == "Cochrane Database of Systematic Reviews"  # JF
    assert first.kind == "JOUR"
    assert first.doi == "10.1002/14651858.CD008209.pub2"
    assert first.url == "http://dx.doi.org/10.1002/14651858.CD008209.pub2"
    assert first.abstract.startswith("Abstract - Background Premature ovarian insufficiency")
    assert first.extra["archive_location"] == "CD008209"
    assert first.extra["keywords"].startswith("*Amenorrhea; *Menopause, Premature; Dydrogesterone")
    assert first.extra["issn"] == "1465-1858"
    for paper in papers:
        assert "\r" not in paper.abstract and "\r" not in paper.title
        assert len(paper.abstract) > 1000


def test_cochrane_et_al_marks_truncation_and_is_no_author() -> None:
    second = parse_file(COCHRANE).papers[1]
    assert second.authors_truncated
    assert second.authors[-1] == "C Bassi"
    assert not any("et al" in name for name in second.authors)


def test_utf8_sig_and_naive_decoding_agree() -> None:
    for path in (WOS, SCOPUS, COCHRANE):
        assert ris.parse(path.read_text(encoding="utf-8-sig")) == ris.parse(naive_text(path))


def test_lone_cr_line_endings_parse_the_same() -> None:
    text = naive_text(COCHRANE)
    assert ris.parse(text.replace("\r\n", "\r")).papers == ris.parse(text).papers


def test_record_without_title_is_a_warning_at_its_ty_line() -> None:
    lines = naive_text(COCHRANE).split("\r\n")
    third_ty = [n for n, line in enumerate(lines, start=1) if line.startswith("TY")][2]
    assert third_ty == 83  # after "Record #3 of 4", "Provider:", "Content:" and a blank line
    without_title = [
        line
        for n, line in enumerate(lines, start=1)
        if not (line.startswith("TI") and n > third_ty and n < third_ty + 10)
    ]
    result = ris.parse("\r\n".join(without_title))
    assert len(result.papers) == 3
    assert [(w.line, w.message) for w in result.warnings] == [
        (83, "record has no title (TI/T1); skipped")
    ]
    # Ranks keep the file position of each record.
    assert [next(iter(p.collections.values())) for p in result.papers] == [1, 2, 4]


@pytest.mark.parametrize("path", [WOS, SCOPUS, COCHRANE], ids=["wos", "scopus", "cochrane"])
def test_truncated_real_files_never_raise_anything_but_format_error(path: Path) -> None:
    text = naive_text(path)
    step = max(1, len(text) // 40)
    for end in range(0, len(text), step):
        try:
            result = ris.parse(text[:end])
        except FormatError:
            continue
        assert all(paper.title for paper in result.papers)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_mutated_real_files_never_raise_anything_but_format_error(data: st.DataObject) -> None:
    lines = naive_text(COCHRANE).split("\r\n") + naive_text(WOS).split("\n")[:60]
    mutated = data.draw(
        st.lists(st.one_of(st.sampled_from(lines), st.text(max_size=20)), min_size=1, max_size=120)
    )
    try:
        result = ris.parse("\n".join(mutated))
    except FormatError:
        return
    assert all(paper.title == clean_line(paper.title) for paper in result.papers)


def test_cut_off_last_record_still_imports_with_a_warning() -> None:
    result = ris.parse("TY  - JOUR\nTI  - Kept anyway\nAU  - Doe, Jane\n")
    assert [paper.title for paper in result.papers] == ["Kept anyway"]
    assert [(w.line, w.message) for w in result.warnings] == [
        (1, "record has no end tag (ER); read as is")
    ]


def test_tags_outside_a_record_are_reported_once_per_block() -> None:
    text = "AU  - Lost, Author\nTI  - Orphan\nER  - \n\n" + record("TI  - Real")
    result = ris.parse(text)
    assert [paper.title for paper in result.papers] == ["Real"]
    assert [(w.line, w.message) for w in result.warnings] == [
        (1, "tag AU outside any record (no TY before it)")
    ]


def test_a_record_rispy_would_choke_on_is_read() -> None:
    # rispy keeps unknown tags in a bucket named after its own "UK" tag; a
    # record using UK and then another unknown tag used to crash it.
    paper = only_paper(record("UK  - first", "ZZ  - second", "TI  - Survives"))
    assert paper.title == "Survives"


def test_a_continuation_right_after_ty_is_read() -> None:
    # rispy alone carries the previous record's last tag over and raises KeyError.
    text = (
        record("TI  - First", "Y2  - 2024-02-11")
        + "TY  - JOUR\n  stray text\nTI  - Second\nER  -\n"
    )
    assert [paper.title for paper in ris.parse(text).papers] == ["First", "Second"]


def test_one_space_before_the_dash_is_read_too() -> None:
    paper = only_paper("TY - JOUR\nTI - Single spaced\nAU - Doe, Jane\nER - \n")
    assert (paper.title, paper.authors) == ("Single spaced", ("Jane Doe",))


def test_continuation_lines_join_the_value() -> None:
    paper = only_paper(record("TI  - A title that", "   wraps onto a second line", "AB  - Text."))
    assert paper.title == "A title that wraps onto a second line"


@pytest.mark.parametrize(
    ("tags", "date", "precision"),
    [
        (["PY  - 2024"], "2024-01-01", DatePrecision.YEAR),
        (["PY  - 2024/01/22/"], "2024-01-22", DatePrecision.DAY),
        (["Y1  - 2019/07//"], "2019-07-01", DatePrecision.MONTH),
        (["PY  - 2024///"], "2024-01-01", DatePrecision.YEAR),
        (["PY  - 2024", "DA  - 2024 JAN 22"], "2024-01-22", DatePrecision.DAY),
        (["PY  - 2023", "DA  - 2023 DEC"], "2023-12-01", DatePrecision.MONTH),
        (["DA  - 2021-03-09"], "2021-03-09", DatePrecision.DAY),
        (["DA  - 22 January 2024"], "2024-01-22", DatePrecision.DAY),
        (["PY  - 2024", "DA  - 2024 JAN-FEB"], "2024-01-01", DatePrecision.MONTH),
        (["PY  - 2024", "DA  - 2024 FEB 30"], "2024-02-01", DatePrecision.MONTH),
        # DA from another year (an early-access date) does not override PY.
        (["PY  - 2024", "DA  - 2023 DEC 05"], "2024-01-01", DatePrecision.YEAR),
        (["PY  - in press"], "", None),
    ],
)
def test_dates(tags: list[str], date: str, precision: DatePrecision | None) -> None:
    paper = only_paper(record("TI  - Dated", *tags))
    assert (paper.date, paper.date_precision) == (date, precision)


def test_author_forms() -> None:
    paper = only_paper(
        record(
            "AU  - Doe, Jane",
            "AU  - King, Martin Luther, Jr.",
            "AU  - World Health Organization",
            "AU  - Doe, Jane",
            "TI  - Names",
        )
    )
    assert paper.authors == (
        "Jane Doe",
        "Martin Luther King, Jr.",  # the suffix after a comma: the surname stays "King"
        "World Health Organization",
        "Jane Doe",  # two authors may share a name
    )


def test_a1_authors_when_there_is_no_au() -> None:
    assert only_paper(record("A1  - Roe, Richard", "T1  - Old style")).authors == ("Richard Roe",)


def test_only_web_links_become_the_url() -> None:
    paper = only_paper(
        record("TI  - Links", "UR  - javascript:alert(1)", "UR  - ftp://x.org/a; https://ok.org/p")
    )
    assert paper.url == "https://ok.org/p"


def test_doi_loses_its_resolver_and_arxiv_ids_are_found() -> None:
    paper = only_paper(record("TI  - Preprint", "DO  - https://doi.org/10.48550/arXiv.2506.04695"))
    assert paper.doi == "10.48550/arXiv.2506.04695"
    assert paper.arxiv_id == "2506.04695"
    # A number in an ordinary DOI is not an arXiv id.
    assert only_paper(record("TI  - Journal", "DO  - 10.1234/5678.12345")).arxiv_id == ""


def test_isbn_and_extra_fields() -> None:
    paper = only_paper(
        "TY  - BOOK\nTI  - A book\nSN  - 978-0-12-345678-9\nPB  - Press\nCY  - Oslo\n"
        "SP  - 5\nKW  - one\nKW  - two\nLA  - en\nER  - \n"
    )
    assert paper.kind == "BOOK"
    assert paper.extra == {
        "language": "en",
        "page": "5",
        "publisher": "Press",
        "publisher-place": "Oslo",
        "keywords": "one; two",
        "isbn": "978-0-12-345678-9",
    }


def test_escape_sequences_and_controls_are_removed() -> None:
    paper = only_paper(
        record(
            "TI  - Evil \x1b[2J\x1b]52;c;aGk=\x07title\u202e", "AU  - Doe,\x01 Jane", "AB  - a\x07b"
        )
    )
    assert paper.title == "Evil title"
    assert paper.authors == ("Jane Doe",)
    assert paper.abstract == "ab"


def test_only_untitled_records_is_a_format_error() -> None:
    with pytest.raises(FormatError) as caught:
        ris.parse("\n\nTY  - JOUR\nAU  - Doe, Jane\nER  - \n")
    assert caught.value.line == 3
    assert "no title" in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\ufeff",
        "just some prose\n",
        '[{"type": "book", "title": "CSL"}]',
        "@article{k, title={B}}",
    ],
)
def test_not_ris_is_a_format_error(text: str) -> None:
    assert not ris.looks_like(text)
    with pytest.raises(FormatError):
        ris.parse(text)


def test_looks_like_rejects_the_profile_sample() -> None:
    assert not ris.looks_like(SAMPLE.read_text(encoding="utf-8"))


def test_looks_like_accepts_the_real_files() -> None:
    for path in (WOS, SCOPUS, COCHRANE):
        assert ris.looks_like(naive_text(path))
        assert ris.looks_like(naive_text(path).replace("\n", "\r"))


# --- properties ----------------------------------------------------------------------------

_TAGS = ["TY", "ER", "TI", "T1", "AU", "A1", "PY", "DA", "Y1", "UR", "DO", "KW", "SN", "UK", "ZZ"]
_RIS_LINE = st.one_of(
    st.builds(
        "{}{}{}".format,
        st.sampled_from(_TAGS),
        st.sampled_from(["  - ", " - ", "  -  ", "  -"]),
        st.text(max_size=15),
    ),
    st.text(max_size=20),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_RIS_LINE, max_size=40), st.sampled_from(["\n", "\r\n", "\r"]))
def test_any_ris_like_text_parses_or_is_a_format_error(lines: list[str], newline: str) -> None:
    try:
        result = ris.parse(newline.join(lines))
    except FormatError:
        return
    for paper in result.papers:
        assert paper.title and paper.title == clean_line(paper.title)
        assert all(name == clean_line(name) for name in paper.authors)
        assert not paper.url or paper.url.startswith(("http://", "https://"))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_parses_or_is_a_format_error(text: str) -> None:
    with contextlib.suppress(FormatError):
        ris.parse(text)
