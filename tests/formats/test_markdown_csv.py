"""The Markdown reading list and the CSV table: content, round trip, hostile text."""

from __future__ import annotations

import csv
import html as html_module
import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from store.formats import arxiv_atom, csv_export, markdown
from store.links import paper_link
from store.model import DatePrecision, Paper, ReadingStatus, UserState
from store.rendered import title_text

REALDATA = Path(__file__).resolve().parents[1] / "data"
Shelf = tuple[list[Paper], dict[str, UserState]]
SEARCH_FEED = REALDATA / "arxiv" / "arxiv-api-2026-search-testing-100-entries.xml"

HOSTILE_TITLES = [
    "[click me](javascript:alert(1))",
    "![pixel](https://evil.example/track.png)",
    "<script>alert(1)</script> and <img src=x onerror=alert(1)>",
    "**bold** _em_ `code` ~~gone~~ [ref]: https://evil.example",
    "Trailing backslash \\",
    "&lt;b&gt;entity&lt;/b&gt; &#91;x&#93;(https://evil.example)",
]


def paper(pid: str, title: str, **fields: object) -> Paper:
    values: dict[str, object] = {
        "authors": ("Ada Lovelace", "Charles Babbage"),
        "date": "2024-03-08",
        "date_precision": DatePrecision.DAY,
    }
    values.update(fields)
    return Paper(id=pid, title=title, **values)  # type: ignore[arg-type]


@pytest.fixture
def shelf() -> Shelf:
    papers = [
        paper("Lovelace2024Engines", "Analytical Engines", arxiv_id="2403.01234"),
        paper(
            "Noether2023Symmetry",
            "Symmetry and Conservation",
            authors=("Emmy Noether", "B", "C", "D"),
            doi="10.1000/xyz(1)",
            date="2023-01-01",
        ),
        paper("Turing2022Machines", "On Machines", url="https://example.org/machines", date=""),
        paper("Hopper2021Compilers", "Compilers", authors=(), authors_truncated=False),
        paper(
            "Shannon2020Info", "Information", authors=("Claude Shannon",), authors_truncated=True
        ),
    ]
    states = {
        "Lovelace2024Engines": UserState(
            status=ReadingStatus.READING,
            starred=True,
            tags=("engines", "history"),
            note="Key idea: *notes* are Markdown.\n\n- first point\n- second point\n",
        ),
        "Noether2023Symmetry": UserState(status=ReadingStatus.READ, tags=("physics",)),
        "Turing2022Machines": UserState(),
        "Hopper2021Compilers": UserState(status=ReadingStatus.READ, starred=True),
        # Shannon has no state at all: unread.
    }
    return papers, states


def render(text: str) -> str:
    return str(MarkdownIt("commonmark").enable("strikethrough").render(text))


# --- Markdown ----------------------------------------------------------------------


def test_markdown_groups_by_status_in_order_and_skips_empty(shelf: Shelf) -> None:
    papers, states = shelf
    text = markdown.dump(papers, states)
    headings = re.findall(r"^## .*$", text, flags=re.MULTILINE)
    assert headings == ["## Reading (1)", "## Unread (2)", "## Read (2)"]
    assert text.startswith("# Reading list\n")
    assert text.endswith("\n") and not text.endswith("\n\n")
    unread = text.split("## Unread (2)")[1].split("## Read (2)")[0]
    assert unread.index("On Machines") < unread.index("Information")


def test_markdown_items_link_star_authors_year_and_tags(shelf: Shelf) -> None:
    papers, states = shelf
    text = markdown.dump(papers, states)
    assert (
        "- ★ [Analytical Engines](<https://arxiv.org/abs/2403.01234>)"
        " — Ada Lovelace, Charles Babbage (2024) · tags: engines, history"
    ) in text
    assert (
        "- [Symmetry and Conservation](<https://doi.org/10.1000/xyz(1)>)"
        " — Emmy Noether, B, C et al. (2023) · tags: physics"
    ) in text
    assert (
        "- [On Machines](<https://example.org/machines>) — Ada Lovelace, Charles Babbage\n" in text
    )
    assert (
        "- ★ [Compilers](<https://arxiv.org/search/?query=%22Compilers%22&searchtype=title>)"
        in (text)
    )
    assert "— Claude Shannon et al. (2024)" in text


def test_markdown_note_is_a_quote_inside_its_item(shelf: Shelf) -> None:
    papers, states = shelf
    text = markdown.dump(papers, states)
    assert (
        "  > Key idea: *notes* are Markdown.\n  >\n  > - first point\n  > - second point\n" in text
    )
    html = render(text)
    # The note renders as Markdown (emphasis, a list) inside the first item's quote.
    assert re.search(
        r"<li>\s*<p>★ <a href=\"https://arxiv.org/abs/2403.01234\">Analytical Engines</a>.*?"
        r"<blockquote>\s*<p>Key idea: <em>notes</em> are Markdown.</p>\s*<ul>",
        html,
        flags=re.DOTALL,
    )


def test_markdown_renders_one_link_per_paper_to_its_paper_link(shelf: Shelf) -> None:
    papers, states = shelf
    html = render(markdown.dump(papers, states))
    hrefs = re.findall(r'<a href="([^"]*)"', html)
    assert len(hrefs) == len(papers)
    assert hrefs[0] == "https://arxiv.org/abs/2403.01234"


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_titles_stay_inert(title: str) -> None:
    hostile = paper("Evil2024", title, authors=("*Mallory* [x](https://evil.example)",))
    state = UserState(tags=("<b>tag</b>", "_t_"))
    text = markdown.dump([hostile], {"Evil2024": state})
    html = render(text)
    assert html.count("<a href=") == 1
    assert "evil.example/track" not in html.split('<a href="')[1].split('"')[0]
    for tag in ("<em>", "<strong>", "<code>", "<img", "<script", "<b>", "<del>"):
        assert tag not in html, (tag, html)
    # The visible text is the title as the reader shows it, every character intact.
    link_text = re.search(r"<a href=\"[^\"]*\">(.*?)</a>", html, flags=re.DOTALL)
    assert link_text is not None
    assert html_module.unescape(link_text.group(1)) == title_text(title)


def test_hostile_urls_cannot_break_out_of_the_link() -> None:
    tricky = paper("Doi2024", "Doi", doi="10.1000/a> [x](https://evil.example) <b\nc")
    html = render(markdown.dump([tricky], {}))
    assert html.count("<a href=") == 1
    assert "<b" not in html.replace("<blockquote", "")


def test_markdown_of_nothing() -> None:
    assert markdown.dump([], {}) == "# Reading list\n\nNo papers.\n"


def test_markdown_of_real_papers_links_each_one() -> None:
    result = arxiv_atom.parse(SEARCH_FEED.read_text(encoding="utf-8"))
    papers = [p.with_changes(id=f"P{i}") for i, p in enumerate(result.papers)]
    html = render(markdown.dump(papers, {}))
    hrefs = re.findall(r'<a href="([^"]*)"', html)
    assert hrefs == [paper_link(p) for p in papers]


# --- CSV ---------------------------------------------------------------------------


def read_back(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_header_and_rows_round_trip(shelf: Shelf) -> None:
    papers, states = shelf
    rows = read_back(csv_export.dump(papers, states))
    assert list(rows[0]) == list(csv_export.COLUMNS)
    assert len(rows) == len(papers)
    first = rows[0]
    assert first == {
        "id": "Lovelace2024Engines",
        "title": "Analytical Engines",
        "title_text": "Analytical Engines",
        "authors": "Ada Lovelace; Charles Babbage",
        "year": "2024",
        "date": "2024-03-08",
        "category": "",
        "venue": "",
        "doi": "",
        "arxiv_id": "2403.01234",
        "url": "",
        "code_url": "",
        "status": "reading",
        "starred": "true",
        "tags": "engines; history",
        "note": "Key idea: *notes* are Markdown.\n\n- first point\n- second point\n",
    }
    assert rows[2]["year"] == "" and rows[2]["url"] == "https://example.org/machines"
    assert rows[4]["status"] == "unread" and rows[4]["starred"] == "false"


def test_csv_round_trips_real_papers() -> None:
    result = arxiv_atom.parse(SEARCH_FEED.read_text(encoding="utf-8"))
    papers = [p.with_changes(id=f"P{i}") for i, p in enumerate(result.papers)]
    rows = read_back(csv_export.dump(papers, {}))
    assert len(rows) == 100
    for paper, row in zip(papers, rows, strict=True):
        assert row == {
            column: csv_export.neutralise(value)
            for column, value in csv_export.row(paper, UserState()).items()
        }
        assert row["title"] == paper.title and row["doi"] == paper.doi
        assert row["authors"].split("; ") == list(paper.authors)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("https://evil.example","x")', '\'=HYPERLINK("https://evil.example","x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("safe = fine", "safe = fine"),
    ],
)
def test_csv_neutralises_formulas_in_every_column(value: str, cell: str) -> None:
    hostile = Paper(id="x", title=value, authors=(value, "B"), venue=value)
    state = UserState(tags=(value,), note=value)
    (row,) = read_back(csv_export.dump([hostile], {"x": state}))
    assert row["title"] == row["venue"] == row["tags"] == row["note"] == cell
    assert row["authors"] == csv_export.neutralise(f"{value}; B")


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(),
    note=st.text(),
    tags=st.lists(st.text(alphabet=st.characters(blacklist_characters=";"), min_size=1)),
)
def test_csv_round_trips_any_text(title: str, note: str, tags: list[str]) -> None:
    text_paper = Paper(id='id,with"quote', title=title)
    state = UserState(tags=tuple(tags), note=note)
    (row,) = read_back(csv_export.dump([text_paper], {text_paper.id: state}))
    assert row["id"] == text_paper.id
    assert row["title"] == csv_export.neutralise(title)
    assert row["note"] == csv_export.neutralise(note)
    assert row["tags"] == csv_export.neutralise("; ".join(tags))
    assert row["title"].removeprefix("'") == title or title.startswith("'")
