"""One rule each for the author line, the year of a date and a web link."""

from __future__ import annotations

import pytest

from store.formats.markdown import escape
from store.links import is_web_url
from store.model import Paper, year_of
from store.names import author_line


def paper(*authors: str, truncated: bool = False) -> Paper:
    return Paper(id="p", title="T", authors=authors, authors_truncated=truncated)


def test_the_author_line_lists_every_author_by_default() -> None:
    assert author_line(paper("Ada", "Bo", "Cy", "Di")) == "Ada, Bo, Cy, Di"


def test_authors_past_the_limit_become_et_al() -> None:
    assert author_line(paper("Ada", "Bo", "Cy", "Di"), 3) == "Ada, Bo, Cy et al."
    assert author_line(paper("Ada", "Bo", "Cy"), 3) == "Ada, Bo, Cy"
    assert author_line(paper("Ada", "Bo"), 1) == "Ada et al."
    assert author_line(paper("Ada"), 1) == "Ada"


def test_a_list_the_source_cut_short_ends_in_et_al() -> None:
    assert author_line(paper("Ada", truncated=True)) == "Ada et al."
    assert author_line(paper("Ada", truncated=True), 3) == "Ada et al."


def test_an_anonymous_work_has_an_empty_author_line() -> None:
    assert author_line(paper()) == ""
    assert author_line(paper(truncated=True), 1) == ""


def test_names_are_written_by_the_caller_and_empty_ones_passed_over() -> None:
    assert author_line(paper("A*b", "\x1b", "C_d"), 3, name=escape) == r"A\*b, C\_d"


@pytest.mark.parametrize(
    ("date", "year"),
    [
        ("2024-06-03", 2024),
        ("2024", 2024),
        ("0999-01-01", 999),
        ("", None),
        ("99", None),
        ("²⁰²⁴-01-01", None),
        ("２０２４", None),
        ("n.d.", None),
    ],
)
def test_the_year_of_a_date_is_four_ascii_digits_or_none(date: str, year: int | None) -> None:
    assert year_of(date) == year
    assert Paper(id="p", title="T", date=date).year == year


@pytest.mark.parametrize(
    "url",
    ["https://arxiv.org/abs/1706.03762", "http://example.org/a?b=1&c=2", "HTTPS://Example.org/"],
)
def test_plain_web_urls_pass_both_tests(url: str) -> None:
    assert is_web_url(url)
    assert is_web_url(url, openable=False)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "https://",
        "https:///path-without-host",
        "https://example.org/a b",
        "https://example.org/\tx",
    ],
)
def test_no_scheme_but_http_and_no_whitespace_ever(url: str) -> None:
    assert not is_web_url(url)
    assert not is_web_url(url, openable=False)


@pytest.mark.parametrize(
    "url", ["https://en.wikipedia.org/wiki/Hilbert's_problems", "https://example.org/a;b|c$d"]
)
def test_an_imported_link_may_need_quoting_before_it_is_opened(url: str) -> None:
    assert is_web_url(url, openable=False)
    assert not is_web_url(url)
