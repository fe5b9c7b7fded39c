"""The arXiv Atom importer, pinned against three real API responses (2016 and 2026)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.errors import FormatError
from store.formats import arxiv_atom
from store.model import DatePrecision, ImportResult, Paper
from store.text import clean_line

REALDATA = Path(__file__).resolve().parents[1] / "data"
ARXIV = REALDATA / "arxiv"
OLD_FEED = ARXIV / "arxiv-api-2016-search-au-del_maestro-10-entries.xml"
ONE_ID_FEED = ARXIV / "arxiv-api-2026-id-astro-ph-0601001-affiliations.xml"
SEARCH_FEED = ARXIV / "arxiv-api-2026-search-testing-100-entries.xml"
SAMPLE_PROFILE = Path(__file__).resolve().parents[2] / "sample_data" / "jason-d-lee-profile.txt"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load(path: Path) -> ImportResult:
    return arxiv_atom.parse(read(path), source=str(path))


def by_id(result: ImportResult, arxiv_id: str) -> Paper:
    matches = [paper for paper in result.papers if paper.arxiv_id == arxiv_id]
    assert len(matches) == 1, f"expected one paper {arxiv_id}, got {len(matches)}"
    return matches[0]


def feed(*entries: str) -> str:
    """A current-format feed around some entries, as the API writes it."""
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "  <id>https://arxiv.org/api/x</id>\n"
        "  <title>arXiv Query</title>\n"
        f"  <opensearch:totalResults>{len(entries)}</opensearch:totalResults>\n"
        + "".join(entries)
        + "</feed>\n"
    )


def entry(arxiv_id: str = "2301.12345v2", title: str = "A Title", extra: str = "") -> str:
    id_line = f"    <id>http://arxiv.org/abs/{arxiv_id}</id>\n" if arxiv_id else ""
    title_line = f"    <title>{title}</title>\n" if title else ""
    return (
        "  <entry>\n"
        + id_line
        + title_line
        + "    <summary>Text.</summary>\n"
        + "    <published>2023-01-29T10:00:00Z</published>\n"
        + "    <author><name>Ada Lovelace</name></author>\n"
        + extra
        + "  </entry>\n"
    )


# --- the real responses -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "count", "total"),
    [(OLD_FEED, 10, "31"), (ONE_ID_FEED, 1, "1"), (SEARCH_FEED, 100, "214881")],
)
def test_real_feeds_parse_completely(path: Path, count: int, total: str) -> None:
    text = read(path)
    assert arxiv_atom.looks_like(text)
    result = arxiv_atom.parse(text, source=str(path))
    assert len(result.papers) == count
    assert result.warnings == []
    assert result.collection is not None
    assert result.collection.name == path.stem
    assert result.collection.source == str(path)
    assert result.collection.metrics == {"total_results": total}
    for rank, paper in enumerate(result.papers, start=1):
        assert paper.id == ""
        assert paper.kind == "preprint"
        assert paper.collections == {path.stem: rank}
        assert paper.title and paper.title == clean_line(paper.title)
        assert paper.abstract and "\n" not in paper.abstract and "  " not in paper.abstract
        assert paper.authors and not paper.authors_truncated
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", paper.date)
        assert paper.date_precision is DatePrecision.DAY
        assert paper.arxiv_id and "v" not in paper.arxiv_id.split("/")[-1]
        assert paper.url.endswith(f"/abs/{paper.arxiv_id}v{paper.extra['version']}")
        assert paper.extra["pdf_url"].endswith(f"/pdf/{paper.arxiv_id}v{paper.extra['version']}")
        assert paper.extra["updated"][:10] >= paper.date
        assert paper.categories[0] == paper.category
        assert len(set(paper.categories)) == len(paper.categories)


def test_four_affiliated_authors_of_astro_ph_0601001() -> None:
    result = load(ONE_ID_FEED)
    (paper,) = result.papers
    assert paper.arxiv_id == "astro-ph/0601001"
    assert paper.title == (
        "Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys "
        "Toward the Galactic Bulge and Carina"
    )
    assert paper.authors == ("Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski")
    # Four authors, three institutions: "Ohio State" appears once.
    assert paper.affiliations == ("Ohio State", "CfA", "Warsaw University Observatory")
    assert paper.venue == "ActaAstron.56:1-50,2006"
    assert paper.doi == ""
    assert paper.date == "2006-01-02"
    assert paper.category == "astro-ph" and paper.categories == ("astro-ph",)
    assert paper.url == "https://arxiv.org/abs/astro-ph/0601001v1"
    assert paper.extra == {
        "version": "1",
        "pdf_url": "https://arxiv.org/pdf/astro-ph/0601001v1",
        "comment": "62 pages including 16 figures and 9 tables. Submitted to Acta Astronomica. "
        "Full resolution version at "
        "http://www.astronomy.ohio-state.edu/~gould/ogle_hot_jupiters.ps.gz",
        "updated": "2006-01-02T14:57:58Z",
    }
    assert paper.abstract.startswith("We derive the frequencies of hot Jupiters (HJs)")
    assert "Gould & Morgan (2003)" in paper.abstract  # &amp; decoded
    assert "V_max<17.5" in paper.abstract  # &lt; decoded
    assert not paper.has_code  # a .ps.gz on a university site is not a code repository


def test_old_format_with_per_element_namespaces_and_old_style_ids() -> None:
    result = load(OLD_FEED)
    ids = [paper.arxiv_id for paper in result.papers]
    assert ids[:2] == ["1201.4869", "cond-mat/0412498"]
    assert sum("/" in arxiv_id for arxiv_id in ids) == 4
    assert "0807.2873" in ids  # a 4-digit new-style number from 2008
    assert all(paper.doi and paper.venue for paper in result.papers)
    assert sum(len(paper.categories) > 1 for paper in result.papers) == 7

    luttinger = by_id(result, "1201.4869")
    assert luttinger.title == "A Luttinger Liquid Core Inside Helium-4 Filled Nanopores"
    assert luttinger.authors == ("Adrian Del Maestro",)
    assert luttinger.doi == "10.1142/S021797921244002X"
    assert luttinger.venue == "Int. J. Mod. Phys. B, 26, 1244002 (2012)"
    assert luttinger.category == "cond-mat.mes-hall"
    assert luttinger.categories == ("cond-mat.mes-hall", "cond-mat.other")
    assert luttinger.url == "http://arxiv.org/abs/1201.4869v1"
    assert luttinger.extra["pdf_url"] == "http://arxiv.org/pdf/1201.4869v1"
    assert luttinger.extra["comment"] == "26 pages, 10 figures"
    # The summary's hard line breaks are gone: one paragraph.
    assert "superfluid which supports flow without viscosity" in luttinger.abstract

    melting = by_id(result, "cond-mat/0412498")
    assert melting.authors == ("Adrian Del Maestro", "Subir Sachdev")
    assert melting.doi == "10.1103/PhysRevB.71.184511"
    assert melting.venue == "Physical Review B 71, 184511 (2005)"
    assert melting.date == "2004-12-19"
    assert '"p x p" density wave ordering' in melting.abstract
    assert "(p >= 3, integer)" in melting.abstract

    assert any("$\\delta$" in paper.abstract for paper in result.papers)  # TeX kept for render


def test_current_format_search_results_count_their_fields() -> None:
    result = load(SEARCH_FEED)
    assert sum(bool(paper.doi) for paper in result.papers) == 32
    assert sum(bool(paper.venue) for paper in result.papers) == 18
    assert sum(len(paper.categories) > 1 for paper in result.papers) == 46
    assert sum("/" in paper.arxiv_id for paper in result.papers) == 3
    affiliated = [paper for paper in result.papers if paper.affiliations]
    assert [paper.affiliations for paper in affiliated] == [("LRI", "IBISC")]
    assert affiliated[0].authors[0] == "Marie-Claude Gaudel"

    first = result.papers[0]
    assert first.arxiv_id == "2202.12139"
    assert first.categories == ("cs.SE", "cs.LG")
    assert first.doi == "10.1109/ICSTW55395.2022.00035"
    assert first.venue.startswith("Artificial Intelligence in Software Testing @ 2022 IEEE")

    active = by_id(result, "2005.14124")
    assert active.extra["version"] == "2"
    assert active.categories == ("cs.SE", "cs.CR", "cs.LG")
    assert active.extra["updated"] == "2020-07-16T08:15:48Z" and active.date == "2020-05-28"


def test_non_ascii_text_recorded_as_mojibake_is_repaired() -> None:
    # The recorded 2026 body is UTF-8 that was decoded as Latin-1 once ("RamÃ\xadrez").
    result = load(SEARCH_FEED)
    names = {name for paper in result.papers for name in paper.authors}
    assert {"Aurora Ramírez", "José Raúl Romero", "Katharina Götz"} <= names
    assert not any("Ã" in name or "Î" in name for name in names)
    titles = {paper.title for paper in result.papers}
    assert "$ω$Test: WebView-Oriented Testing for Android Applications" in titles
    assert all("Ã" not in paper.abstract for paper in result.papers)


def test_repair_leaves_genuine_text_alone() -> None:
    assert arxiv_atom._repair_mojibake("Ramírez") == "Ramírez"
    assert arxiv_atom._repair_mojibake("Gödel, Escher, Bach — π") == "Gödel, Escher, Bach — π"
    assert arxiv_atom._repair_mojibake("RamÃ\xadrez") == "Ramírez"


def test_code_repository_in_a_comment_becomes_code_url() -> None:
    result = load(SEARCH_FEED)
    with_code = [paper for paper in result.papers if paper.has_code]
    assert [paper.code_url for paper in with_code] == [
        "https://github.com/ydecastro/super-resolution-testing"
    ]


# --- sniffing -----------------------------------------------------------------------


def test_looks_like_rejects_other_inputs() -> None:
    assert not arxiv_atom.looks_like(SAMPLE_PROFILE.read_text(encoding="utf-8"))
    assert not arxiv_atom.looks_like("@article{key, title={<feed>}}")
    blog = '<feed xmlns="http://www.w3.org/2005/Atom"><id>https://blog.example/</id></feed>'
    assert not arxiv_atom.looks_like(blog)
    assert arxiv_atom.looks_like(feed())


# --- built inputs: errors and broken entries ------------------------------------------


def test_billion_laughs_is_refused_before_parsing() -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        + "".join(
            f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'
            for n in range(1, 10)
        )
        + ']>\n<feed xmlns="http://www.w3.org/2005/Atom">&lol9;</feed>\n'
    )
    started = time.perf_counter()
    with pytest.raises(FormatError, match="DTD") as caught:
        arxiv_atom.parse(bomb)
    assert time.perf_counter() - started < 0.5
    assert caught.value.line == 2


def test_entity_declaration_without_doctype_keyword_case_is_refused() -> None:
    with pytest.raises(FormatError):
        arxiv_atom.parse("<!doctype feed>" + feed(entry()))


def test_api_error_feed_reports_its_summary() -> None:
    error = (
        "  <entry>\n"
        "    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.1234v1234</id>\n"
        "    <title>Error</title>\n"
        "    <summary>incorrect id format for 1234.1234v1234</summary>\n"
        "    <updated>2026-05-11T00:00:00-04:00</updated>\n"
        "    <author><name>arXiv api core</name></author>\n"
        "  </entry>\n"
    )
    with pytest.raises(arxiv_atom.ApiErrorFeed, match=r"incorrect id format for 1234\.1234v1234"):
        arxiv_atom.parse(feed(error))


def test_a_paper_titled_error_is_still_a_paper() -> None:
    result = arxiv_atom.parse(feed(entry(title="Error")))
    assert [paper.title for paper in result.papers] == ["Error"]


def test_broken_entries_are_warnings_with_lines_and_the_rest_imports() -> None:
    text = feed(entry(), entry(arxiv_id=""), entry(title=""), entry(arxiv_id="2301.00002"))
    result = arxiv_atom.parse(text)
    assert [paper.arxiv_id for paper in result.papers] == ["2301.12345", "2301.00002"]
    assert [w.message for w in result.warnings] == [
        "entry 2 has no arXiv id; skipped",
        "entry 3 (2301.12345) has no title; skipped",
    ]
    lines = text.split("\n")
    for warning in result.warnings:
        assert warning.line is not None and lines[warning.line - 1].strip() == "<entry>"
    assert result.papers[1].collections == {"arXiv import": 4}


def test_entry_with_a_foreign_id_is_a_warning() -> None:
    foreign = entry().replace("http://arxiv.org/abs/2301.12345v2", "urn:uuid:1234")
    result = arxiv_atom.parse(feed(foreign, entry()))
    assert len(result.papers) == 1
    assert "no arXiv id 'urn:uuid:1234'" in result.warnings[0].message


def test_a_feed_of_only_broken_entries_is_a_format_error() -> None:
    with pytest.raises(FormatError, match="no readable arXiv entries"):
        arxiv_atom.parse(feed(entry(title=""), entry(title="")))


def test_an_empty_feed_is_an_empty_result() -> None:
    # arXiv answers an id it does not have with a feed without entries.
    result = arxiv_atom.parse(feed())
    assert result.papers == [] and result.warnings == []


@pytest.mark.parametrize(
    "text",
    ["", "not xml at all", "<feed", "<html><body>502 Bad Gateway</body></html>", "<a>\ud800</a>"],
)
def test_not_an_atom_feed_is_a_format_error(text: str) -> None:
    with pytest.raises(FormatError):
        arxiv_atom.parse(text)


def test_malformed_xml_reports_its_line() -> None:
    with pytest.raises(FormatError, match="not well-formed XML") as caught:
        arxiv_atom.parse(feed(entry()).replace("</title>", "</titel>", 1))
    assert caught.value.line == 4


def test_fields_are_cleaned_of_escapes_and_doi_falls_back_to_the_link() -> None:
    extra = (
        '    <link title="doi" href="http://dx.doi.org/10.1103/PhysRevB.71.1" rel="related"/>\n'
        '    <link href="javascript:alert(1)" rel="alternate"/>\n'
        '    <arxiv:primary_category term="cs.LG"/>\n'
        '    <category term="stat.ML"/><category term="cs.LG"/><category term="stat.ML"/>\n'
        "    <published>not a date</published>\n"
    )
    # XML 1.0 refuses ESC even as &#27;, but allows C1 controls and bidi overrides.
    text = feed(entry(title="Evil\x9b2J &#x9b;31m title\u202e", extra=extra))
    text = text.replace("    <published>2023-01-29T10:00:00Z</published>\n", "")
    (paper,) = arxiv_atom.parse(text).papers
    assert paper.title == "Evil title"
    assert paper.doi == "10.1103/PhysRevB.71.1"
    assert paper.url == ""
    assert paper.categories == ("cs.LG", "stat.ML")
    assert paper.date == "" and paper.date_precision is None


# --- robustness ---------------------------------------------------------------------


@pytest.mark.parametrize("path", [OLD_FEED, ONE_ID_FEED, SEARCH_FEED])
def test_truncated_real_files_fail_cleanly(path: Path) -> None:
    text = read(path)
    for end in range(0, len(text), max(1, len(text) // 97)):
        with pytest.raises(FormatError):
            arxiv_atom.parse(text[:end])


_XML_PIECES = st.sampled_from(
    [
        "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:arxiv='http://arxiv.org/schemas/atom'>",
        "</feed>",
        "<entry>",
        "</entry>",
        "<id>http://arxiv.org/abs/2301.12345v1</id>",
        "<id>http://arxiv.org/api/errors#x</id>",
        "<title>Error</title>",
        "<title>",
        "</title>",
        "<summary>",
        "</summary>",
        "<author><name>A</name><arxiv:affiliation>X</arxiv:affiliation></author>",
        "<published>2023-02-30T00:00:00Z</published>",
        "<link href='https://arxiv.org/abs/1' rel='alternate'/>",
        "<category term='cs.LG'/>",
        "&amp;",
        "&bogus;",
        "<!DOCTYPE x>",
        "<![CDATA[x]]>",
        "<?xml version='1.0'?>",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_XML_PIECES, st.text(max_size=20)), max_size=25))
def test_any_text_parses_or_is_a_format_error(pieces: list[str]) -> None:
    text = "".join(pieces)
    try:
        result = arxiv_atom.parse(text)
    except FormatError:
        return
    for paper in result.papers:
        assert paper.title == clean_line(paper.title)
        assert paper.arxiv_id


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_title_text_parses_or_is_a_format_error(title: str) -> None:
    try:
        result = arxiv_atom.parse(feed(entry(title=title)))
    except FormatError:
        return
    for paper in result.papers:
        assert paper.title and paper.title == clean_line(paper.title)
