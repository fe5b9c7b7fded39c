"""The CSL-JSON importer and exporter, pinned against a Zotero and a Better CSL JSON export."""

from __future__ import annotations

import contextlib
import datetime
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.errors import FormatError
from store.formats import csl_json, json_export, profile, ris
from store.model import DatePrecision, ImportResult, Paper
from store.text import clean_line

REALDATA = Path(__file__).resolve().parents[1] / "data"
BETTER = REALDATA / "csljson" / "better-csl-json-glaciology-thesis-88-items.json"
ZOTERO = REALDATA / "csljson" / "zotero-csl-json-armenian-studies-250-items.json"
RIS_FILES = sorted((REALDATA / "ris").glob("*.ris"))
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "jason-d-lee-profile.txt"


# What a CSL-JSON round trip must keep of every paper.
ROUND_TRIP_FIELDS = ("id", "title", "authors", "date", "date_precision", "venue", "doi", "url")
ROUND_TRIP_FIELDS += ("abstract",)


def parse_file(path: Path) -> ImportResult:
    return csl_json.parse(path.read_text(encoding="utf-8"), source=str(path))


def parse_items(*items: Any) -> ImportResult:
    return csl_json.parse(json.dumps(list(items)))


def only_paper(item: dict[str, Any]) -> Paper:
    result = parse_items(item)
    assert len(result.papers) == 1
    return result.papers[0]


def by_id(result: ImportResult, paper_id: str) -> Paper:
    return next(paper for paper in result.papers if paper.id == paper_id)


def round_trip(papers: list[Paper]) -> list[Paper]:
    return csl_json.parse(csl_json.dump(papers)).papers


def kept(paper: Paper) -> tuple[Any, ...]:
    return tuple(getattr(paper, name) for name in ROUND_TRIP_FIELDS)


# --- the real files ------------------------------------------------------------------------


def test_better_csl_json_keeps_citation_keys_and_every_item() -> None:
    result = parse_file(BETTER)
    assert len(result.papers) == 88
    assert result.warnings == []
    assert result.keep_ids
    raw = json.loads(BETTER.read_text(encoding="utf-8"))
    assert [paper.id for paper in result.papers] == [item["citation-key"] for item in raw]
    assert result.collection is not None
    assert result.collection.name == BETTER.stem
    assert [paper.collections for paper in result.papers] == [
        {BETTER.stem: rank} for rank in range(1, 89)
    ]
    assert sum(bool(paper.doi) for paper in result.papers) == 62
    assert sum(bool(paper.url) for paper in result.papers) == 41
    assert sum(bool(paper.abstract) for paper in result.papers) == 11
    assert Counter(paper.date_precision for paper in result.papers) == {
        DatePrecision.YEAR: 64,
        DatePrecision.MONTH: 16,
        DatePrecision.DAY: 7,
        None: 1,
    }
    assert Counter(paper.kind for paper in result.papers) == {
        "article-journal": 79,
        "book": 7,
        "webpage": 1,
        "report": 1,
    }


def test_better_csl_json_fields_of_one_article() -> None:
    paper = by_id(parse_file(BETTER), "abrishambafAgriculturalIrrigationScheduling2020")
    assert paper.title == (
        "Agricultural irrigation scheduling for a crop management system considering water "
        "and energy use optimization"
    )
    assert paper.authors == ("Omid Abrishambaf", "Pedro Faria", "Luis Gomes", "Zita Vale")
    assert (paper.date, paper.date_precision) == ("2020-02-01", DatePrecision.DAY)
    assert paper.venue == "Energy Reports"
    assert paper.doi == "10.1016/j.egyr.2019.08.031"
    assert paper.url == "https://www.sciencedirect.com/science/article/pii/S2352484719306250"
    assert paper.abstract.startswith("Center pivot systems are widely used")
    assert paper.kind == "article-journal"
    assert paper.extra == {
        "volume": "6",
        "page": "133-139",
        "collection-title": (
            "The 6th International Conference on Energy and Environment Research - Energy and "
            "environment: challenges towards circular economy"
        ),
        "issn": "2352-4847",
        "language": "en",
    }


def test_better_csl_json_names_dates_and_odd_values() -> None:
    result = parse_file(BETTER)
    names = {name for paper in result.papers for name in paper.authors}
    assert {"Meteoblue", "WMO", "Thirion", "ShiChang"} <= names  # literal names
    assert "Patricia de Rosnay" in names  # dropping-particle
    year_month = [p for p in result.papers if p.date_precision is DatePrecision.MONTH]
    assert all(paper.date.endswith("-01") for paper in year_month)
    # A DOI with angle brackets is a DOI, not markup.
    assert any(
        paper.doi == "10.1175/1520-0469(1967)024<0241:TEOTAW>2.0.CO;2" for paper in result.papers
    )
    assert any(paper.extra.get("page") == "1527 - 1532" for paper in result.papers)
    notes = [paper.extra["note"] for paper in result.papers if "note" in paper.extra]
    assert len(notes) == 1 and "\n" in notes[0]
    undated = next(paper for paper in result.papers if paper.date_precision is None)
    assert (undated.id, undated.date, undated.kind) == ("2007IngvarTveiten", "", "webpage")


def test_zotero_native_export_uri_ids_string_years_and_armenian_names() -> None:
    result = parse_file(ZOTERO)
    papers = result.papers
    assert len(papers) == 250
    assert result.warnings == []
    assert result.keep_ids
    assert all(paper.id == "" for paper in papers)  # zotero.org URIs are not citation keys
    assert all(paper.date_precision is DatePrecision.YEAR for paper in papers)
    assert sum(bool(paper.url) for paper in papers) == 216
    assert not any(paper.doi or paper.abstract for paper in papers)
    assert Counter(paper.kind for paper in papers) == {
        "book": 212,
        "article-journal": 20,
        "chapter": 18,
    }

    first = papers[0]
    assert first.title == "Քննություն Մովսես Կաղանկատվացու [Study of Movses Kałankatvac‘i]"
    # The CSL family name "Ադոնց [Adonc῾]" keeps its words joined (store.text.family_name).
    assert first.authors == ("Նիկողայոս [Nikołayos] Ադոնց\u00a0[Adonc῾]",)
    assert (first.date, first.date_precision) == ("2006-01-01", DatePrecision.YEAR)
    assert first.venue.startswith("Նիկողայոս Ադոնց. Երկեր․ Բ․")
    assert first.kind == "chapter"
    assert first.extra["editor"] == "Պ․Հ․ [P. H.] Հովհաննիսյան\u00a0[Hovhannisyan]"
    assert first.extra["publisher-place"] == "Երևան [Yerevan]"
    assert first.extra["page"] == "360-483"
    assert first.extra["note"].startswith("This is a translated and expanded version")


def test_looks_like_accepts_both_real_files() -> None:
    for path in (BETTER, ZOTERO):
        text = path.read_text(encoding="utf-8")
        assert csl_json.looks_like(text)
        assert csl_json.looks_like("\ufeff" + text)


# --- broken items and broken files ---------------------------------------------------------


def test_broken_items_in_better_csl_json_are_warnings_with_index_and_line() -> None:
    lines = BETTER.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "["  # then item N on line N + 1
    lines[3] = "  42,"  # item 3
    fifth = json.loads(lines[5].strip().rstrip(","))
    del fifth["title"]
    lines[5] = "  " + json.dumps(fifth) + ","  # item 5
    result = csl_json.parse("\n".join(lines))
    assert len(result.papers) == 86
    assert [(w.line, w.message) for w in result.warnings] == [
        (4, "item 3 is not an object; skipped"),
        (6, f"item 5 ({fifth['citation-key']}) has no title; skipped"),
    ]
    # Ranks keep each item's position in the file.
    ranks = [paper.collections["CSL-JSON import"] for paper in result.papers]
    assert ranks[:4] == [1, 2, 4, 6]


def test_untitled_item_in_zotero_export_is_a_warning_at_its_opening_brace() -> None:
    lines = ZOTERO.read_text(encoding="utf-8").split("\n")
    starts = [number for number, line in enumerate(lines, start=1) if line == "\t{"]
    third_start = starts[2]
    title_at = next(
        n for n in range(third_start, starts[3]) if lines[n - 1].startswith('\t\t"title"')
    )
    del lines[title_at - 1]
    result = csl_json.parse("\n".join(lines))
    assert len(result.papers) == 249
    assert [(w.line, w.message) for w in result.warnings] == [
        (third_start, "item 3 has no title; skipped")
    ]


def test_truncated_file_is_a_format_error_at_the_last_line() -> None:
    text = BETTER.read_text(encoding="utf-8")
    cut = text[: len(text) // 2]
    with pytest.raises(FormatError) as caught:
        csl_json.parse(cut)
    assert caught.value.line == cut.count("\n") + 1
    assert caught.value.message.startswith("not valid JSON")


def test_syntax_error_reports_its_line() -> None:
    lines = BETTER.read_text(encoding="utf-8").split("\n")
    lines[10] = lines[10].replace('{"id"', '{"id" "', 1)  # item 10, on line 11
    with pytest.raises(FormatError) as caught:
        csl_json.parse("\n".join(lines))
    assert caught.value.line == 11


@pytest.mark.parametrize("path", [BETTER, ZOTERO], ids=["better", "zotero"])
def test_truncated_real_files_never_raise_anything_but_format_error(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    step = max(1, len(text) // 40)
    for end in range(0, len(text), step):
        with contextlib.suppress(FormatError):
            csl_json.parse(text[:end])


def test_items_object_and_single_item_are_read() -> None:
    item = {"type": "book", "title": "Alone", "id": "alone"}
    assert [p.title for p in csl_json.parse(json.dumps({"items": [item]})).papers] == ["Alone"]
    assert [p.id for p in csl_json.parse(json.dumps(item)).papers] == ["alone"]


def test_item_lines_are_unknown_inside_an_items_object() -> None:
    result = csl_json.parse(json.dumps({"items": [{"title": "A"}, {"type": "book"}]}))
    assert [(w.line, w.message) for w in result.warnings] == [
        (None, "item 2 has no title; skipped")
    ]


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1}',
        "[1, 2, 3]",
        '[{"name": "x"}]',
        "[]",
        '"just a string"',
        "42",
        json_export.dump([Paper(id="a", title="Own export")], {}, []),
    ],
)
def test_json_that_is_not_csl_is_a_format_error(text: str) -> None:
    assert not csl_json.looks_like(text)
    with pytest.raises(FormatError):
        csl_json.parse(text)


def test_only_broken_items_is_a_format_error_naming_the_first() -> None:
    with pytest.raises(FormatError) as caught:
        csl_json.parse('[\n{"type": "book"},\n{"type": "book"}\n]')
    assert caught.value.line == 2
    assert "item 1 has no title" in caught.value.message


@pytest.mark.parametrize("text", ["", "not json at all", "[{", "TY  - JOUR\nER  - \n"])
def test_invalid_json_is_a_format_error(text: str) -> None:
    assert not csl_json.looks_like(text)
    with pytest.raises(FormatError) as caught:
        csl_json.parse(text)
    assert caught.value.line is not None


def test_looks_like_rejects_other_formats() -> None:
    assert not csl_json.looks_like(SAMPLE.read_text(encoding="utf-8"))
    assert not csl_json.looks_like('[{"type": "unknown-thing", "title": "x"}]')
    assert csl_json.looks_like('{"items": [{"type": "book", "title": "x"}]}')


# --- field mapping -------------------------------------------------------------------------


def test_names_in_every_csl_form() -> None:
    paper = only_paper(
        {
            "type": "book",
            "title": "Names",
            "author": [
                {"given": "Ludwig", "non-dropping-particle": "van", "family": "Beethoven"},
                {"given": "Patricia", "dropping-particle": "de", "family": "Rosnay"},
                {"given": "Martin Luther", "family": "King", "suffix": "Jr."},
                {"literal": "World Meteorological Organization"},
                {"family": "Plato"},
                "A Plain String",
                {"given": "Wei", "family": "Wang"},
                {"given": "Wei", "family": "Wang"},
                {"nothing": "here"},
                {"literal": "others"},
            ],
        }
    )
    assert paper.authors == (
        "Ludwig van Beethoven",
        "Patricia de Rosnay",
        "Martin Luther King, Jr.",  # the suffix after a comma: the surname stays "King"
        "World Meteorological Organization",
        "Plato",
        "A Plain String",
        "Wei Wang",
        "Wei Wang",
    )
    assert paper.authors_truncated


@pytest.mark.parametrize(
    ("issued", "date", "precision"),
    [
        ({"date-parts": [[2006]]}, "2006-01-01", DatePrecision.YEAR),
        ({"date-parts": [["2006"]]}, "2006-01-01", DatePrecision.YEAR),
        ({"date-parts": [[2006, 5]]}, "2006-05-01", DatePrecision.MONTH),
        ({"date-parts": [["2006", "05", "02"]]}, "2006-05-02", DatePrecision.DAY),
        ({"date-parts": [[2006, 5, 2], [2006, 6, 1]]}, "2006-05-02", DatePrecision.DAY),
        ({"date-parts": [[2006, 21]]}, "2006-01-01", DatePrecision.YEAR),  # a season
        ({"date-parts": [[2023, 2, 30]]}, "2023-02-01", DatePrecision.MONTH),
        ({"date-parts": [[]], "raw": "2019-07-03"}, "2019-07-03", DatePrecision.DAY),
        ({"raw": "2019/07"}, "2019-07-01", DatePrecision.MONTH),
        ({"literal": "Spring 1998"}, "1998-01-01", DatePrecision.YEAR),
        ({"year": 1999, "month": 12}, "1999-12-01", DatePrecision.MONTH),
        ("2001-09-11", "2001-09-11", DatePrecision.DAY),
        (2010, "2010-01-01", DatePrecision.YEAR),
        ({"date-parts": [[True]]}, "", None),
        ({"date-parts": [["²⁰⁰⁶"]]}, "", None),
        ({"date-parts": [[-44]]}, "", None),
        ({"literal": "n.d."}, "", None),
    ],
)
def test_dates(issued: Any, date: str, precision: DatePrecision | None) -> None:
    paper = only_paper({"type": "book", "title": "Dated", "issued": issued})
    assert (paper.date, paper.date_precision) == (date, precision)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"citation-key": "smith2020", "id": "http://zotero.org/x"}, "smith2020"),
        ({"id": "doe2021deep"}, "doe2021deep"),
        ({"id": "ITEM-1"}, "ITEM-1"),
        ({"id": "http://zotero.org/groups/1/items/ABC"}, ""),
        ({"id": "12345"}, ""),
        ({"id": 12345}, ""),
        ({"id": "has space"}, ""),
        ({"citation-key": "", "id": "fallback2020"}, "fallback2020"),
    ],
)
def test_ids_are_plain_citation_keys_only(item: dict[str, Any], expected: str) -> None:
    assert only_paper({"type": "book", "title": "Keyed", **item}).id == expected


def test_markup_urls_dois_and_controls() -> None:
    paper = only_paper(
        {
            "type": "article-journal",
            "title": 'Genes of <i>Drosophila</i> and <span class="nocase">x < y</span>\x1b[2J',
            "container-title": "J. <b>Bold</b>",
            "URL": "javascript:alert(1)",
            "DOI": "https://doi.org/10.1000/ABC.def",
            "abstract": "Line one\r\nline two\x07",
            "volume": 12,
            "page": ["not", "a", "scalar"],
        }
    )
    assert paper.title == "Genes of Drosophila and x < y"
    assert paper.venue == "J. Bold"
    assert paper.url == ""
    assert paper.doi == "10.1000/ABC.def"
    assert paper.abstract == "Line one\nline two"
    assert paper.extra == {"volume": "12"}


def test_arxiv_preprint_from_zotero() -> None:
    paper = only_paper(
        {
            "type": "article",
            "title": "A preprint",
            "publisher": "arXiv",
            "number": "arXiv:2506.04695",
            "URL": "http://arxiv.org/abs/2506.04695",
        }
    )
    assert paper.arxiv_id == "2506.04695"
    assert only_paper({"type": "report", "title": "R", "number": "2506.04695"}).arxiv_id == ""


# --- export --------------------------------------------------------------------------------


def dumped(*papers: Paper) -> list[dict[str, Any]]:
    text = csl_json.dump(list(papers))
    assert text.endswith("\n")
    items = json.loads(text)
    assert isinstance(items, list)
    return items


def test_dump_arxiv_preprint_for_pandoc() -> None:
    paper = Paper(
        id="Lee2024Deep",
        title="Deep things",
        authors=("Jason D. Lee", "Ada Lovelace"),
        date="2024-03-05",
        date_precision=DatePrecision.DAY,
        arxiv_id="2403.01234",
        url="https://arxiv.org/abs/2403.01234",
        abstract="We show.",
    )
    assert dumped(paper) == [
        {
            "id": "Lee2024Deep",
            "type": "article",
            "title": "Deep things",
            "author": [
                {"family": "Lee", "given": "Jason D."},
                {"family": "Lovelace", "given": "Ada"},
            ],
            "issued": {"date-parts": [[2024, 3, 5]]},
            "publisher": "arXiv",
            "number": "arXiv:2403.01234",
            "URL": "https://arxiv.org/abs/2403.01234",
            "abstract": "We show.",
        }
    ]


@pytest.mark.parametrize(
    ("kind", "venue", "arxiv_id", "expected"),
    [
        ("JOUR", "Nature", "", "article-journal"),
        ("CONF", "Proc. X", "", "paper-conference"),
        ("CHAP", "A Book", "", "chapter"),
        ("inproceedings", "NeurIPS", "", "paper-conference"),
        ("article", "JMLR", "", "article-journal"),  # BibTeX's journal article
        ("Article", "JMLR", "", "article-journal"),
        ("InProceedings", "ICML", "", "paper-conference"),
        ("article", "", "", "article"),
        ("misc", "", "2401.00001", "article"),
        ("phdthesis", "", "", "thesis"),
        ("book", "", "", "book"),
        ("chapter", "X", "", "chapter"),
        ("", "Nature", "", "article-journal"),
        ("", "", "", "article"),
        ("JOUR", "Phys. Rev.", "2401.00001", "article-journal"),
        ("no-such-kind", "", "", "article"),
    ],
)
def test_dump_maps_every_format_kind_to_a_csl_type(
    kind: str, venue: str, arxiv_id: str, expected: str
) -> None:
    (item,) = dumped(Paper(id="k", title="T", kind=kind, venue=venue, arxiv_id=arxiv_id))
    assert item["type"] == expected
    assert ("publisher" in item) == (expected == "article" and bool(arxiv_id))


@pytest.mark.parametrize(
    ("date", "precision", "parts"),
    [
        ("2024-03-05", DatePrecision.DAY, [2024, 3, 5]),
        ("2024-03-01", DatePrecision.MONTH, [2024, 3]),
        ("2024-01-01", DatePrecision.YEAR, [2024]),
        ("2024-03-05", None, [2024, 3, 5]),
        ("", None, None),
        ("garbage", DatePrecision.DAY, None),
    ],
)
def test_dump_date_parts_follow_the_precision(
    date: str, precision: DatePrecision | None, parts: list[int] | None
) -> None:
    (item,) = dumped(Paper(id="k", title="T", date=date, date_precision=precision))
    assert item.get("issued") == ({"date-parts": [parts]} if parts else None)


def test_dump_extra_fields_and_name_forms() -> None:
    paper = Paper(
        id="k",
        title="T",
        authors=(
            "World Health Organization",
            "Plato",
            "Ludwig van Beethoven",
            "Martin Luther King, Jr.",
            "Lee, Jason",
            "Նիկողայոս [Nikołayos] Ադոնց\u00a0[Adonc῾]",
            "Cristina Garduño\u00a0Freeman",
            "Hans van\u00a0der\u00a0Berg, Jr.",
        ),
        extra={
            "pages": "10--20",
            "address": "Oslo",
            "issn": "1234-5678",
            "keywords": "a; b",
            "archive_location": "WOS:1",
            "editor": "Doe, Jane and Roe, Richard",
            "unknown-key": "dropped",
        },
    )
    (item,) = dumped(paper)
    assert item["author"] == [
        {"literal": "World Health Organization"},
        {"literal": "Plato"},
        {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
        {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
        {"family": "Lee", "given": "Jason"},
        {"family": "Ադոնց [Adonc῾]", "given": "Նիկողայոս [Nikołayos]"},
        {"family": "Garduño Freeman", "given": "Cristina"},
        {"family": "van der Berg", "given": "Hans", "suffix": "Jr."},
    ]
    assert item["page"] == "10-20"
    assert item["publisher-place"] == "Oslo"
    assert item["ISSN"] == "1234-5678"
    assert item["keyword"] == "a; b"
    assert item["archive_location"] == "WOS:1"
    assert item["editor"] == [
        {"family": "Doe", "given": "Jane"},
        {"family": "Roe", "given": "Richard"},
    ]
    assert "unknown-key" not in json.dumps(item)


# --- round trips ---------------------------------------------------------------------------


def _real_papers(name: str) -> list[Paper]:
    if name == "profile":
        text = SAMPLE.read_text(encoding="utf-8")
        papers = profile.parse(text, as_of=datetime.date(2026, 11, 28)).papers
    elif name.endswith(".ris"):
        papers = ris.parse((REALDATA / "ris" / name).read_text(encoding="utf-8-sig")).papers
    else:
        papers = csl_json.parse((REALDATA / "csljson" / name).read_text(encoding="utf-8")).papers
    return [
        paper.with_changes(id=paper.id or f"paper{index}") for index, paper in enumerate(papers)
    ]


@pytest.mark.parametrize(
    "name",
    [
        "profile",
        *(pytest.param(path.name) for path in RIS_FILES),
        pytest.param(BETTER.name),
        pytest.param(ZOTERO.name),
    ],
)
def test_round_trip_keeps_what_citations_need(name: str) -> None:
    papers = _real_papers(name)
    back = round_trip(papers)
    assert [kept(paper) for paper in back] == [kept(paper) for paper in papers]


@pytest.mark.parametrize("path", [BETTER, ZOTERO], ids=["better", "zotero"])
def test_round_trip_of_csl_papers_is_complete(path: Path) -> None:
    papers = _real_papers(path.name)
    back = round_trip(papers)
    assert [(p.kind, p.extra, p.authors_truncated) for p in back] == [
        (p.kind, p.extra, p.authors_truncated) for p in papers
    ]


_WORD = st.text(
    st.characters(codec="utf-8", exclude_categories=("C", "Z"), exclude_characters=",<"),
    min_size=1,
    max_size=8,
)
_NAME = (
    st.lists(_WORD, min_size=1, max_size=4)
    .map(" ".join)
    .filter(lambda name: name.lower() not in {"others", "et al", "et al."})
)


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(min_size=1, max_size=40).map(clean_line).filter(lambda t: t and "<" not in t),
    authors=st.lists(_NAME, max_size=5),
    date=st.dates(min_value=datetime.date(1, 1, 1)),
    precision=st.sampled_from(list(DatePrecision)),
    abstract=st.text(max_size=60),
)
def test_round_trip_property(
    title: str,
    authors: list[str],
    date: datetime.date,
    precision: DatePrecision,
    abstract: str,
) -> None:
    if precision is not DatePrecision.DAY:
        date = date.replace(day=1)
    if precision is DatePrecision.YEAR:
        date = date.replace(month=1)
    paper = Paper(
        id="key",
        title=title,
        authors=tuple(authors),
        date=date.isoformat(),
        date_precision=precision,
        abstract=csl_json.parse(json.dumps([{"title": "x", "abstract": abstract}]))
        .papers[0]
        .abstract,
    )
    (back,) = round_trip([paper])
    assert kept(back) == kept(paper)


# --- properties ----------------------------------------------------------------------------

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)
_CSL_KEY = st.sampled_from(
    [
        "id",
        "citation-key",
        "type",
        "title",
        "author",
        "editor",
        "issued",
        "DOI",
        "URL",
        "container-title",
        "abstract",
        "note",
        "volume",
        "number",
        "keyword",
    ]
)
_NAME_VALUE = st.dictionaries(
    st.sampled_from(["given", "family", "literal", "suffix", "non-dropping-particle"]), _JSON
)
_ITEM = st.dictionaries(
    _CSL_KEY,
    st.one_of(
        _JSON,
        st.lists(_NAME_VALUE, max_size=3),
        st.fixed_dictionaries({"date-parts": st.lists(st.lists(_JSON, max_size=3), max_size=2)}),
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(st.one_of(_ITEM, _JSON), max_size=5), _JSON))
def test_any_json_parses_or_is_a_format_error(document: Any) -> None:
    text = json.dumps(document)
    try:
        result = csl_json.parse(text)
    except FormatError:
        return
    for paper in result.papers:
        assert paper.title and paper.title == clean_line(paper.title)
        assert not paper.url or paper.url.startswith(("http://", "https://"))
    json.loads(csl_json.dump(result.papers))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_parses_or_is_a_format_error(text: str) -> None:
    csl_json.looks_like(text)
    with contextlib.suppress(FormatError):
        csl_json.parse(text)


def test_deep_nesting_is_a_format_error() -> None:
    with pytest.raises(FormatError):
        csl_json.parse("[" * 5000 + "]" * 5000)
    assert not csl_json.looks_like("[" * 5000)
