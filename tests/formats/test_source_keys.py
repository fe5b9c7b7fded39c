"""Every importer reports each paper's own key and line, and what it skipped.

The identity rules and the import summary read these: a key is how a
re-import finds its paper again, a line is how a notice points at an entry,
and papers + skipped must add up to the entries an independent count finds.
"""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from store.formats import decode_input, parse_text
from store.model import ImportResult

DATA = Path(__file__).parent.parent / "data"
BIBTEX_FILES = sorted((DATA / "bibtex").glob("*.bib"))
RIS_FILES = sorted((DATA / "ris").glob("*.ris"))
CSL_FILES = sorted((DATA / "csljson").glob("*.json"))
ARXIV_FILES = sorted((DATA / "arxiv").glob("*.xml"))
SAMPLE_PROFILE = Path(__file__).parent.parent.parent / "sample_data"

# An independent reading of BibTeX: a line starting "@type{" or "@type(" opens an entry.
_BIB_START = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]\w*)[ \t]*[{(][ \t]*([^,\s]*)", re.MULTILINE)
_NOT_ENTRIES = {"string", "preamble", "comment"}


def _read(path: Path) -> str:
    return decode_input(path.read_bytes())


def _assert_parallel(result: ImportResult) -> None:
    assert len(result.source_keys) == len(result.lines) == len(result.papers)


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


@pytest.mark.parametrize("path", BIBTEX_FILES, ids=lambda path: path.name)
def test_bibtex_keys_lines_and_counts_match_an_independent_count(path: Path) -> None:
    text = _read(path)
    starts = [m for m in _BIB_START.finditer(text) if m[1].lower() not in _NOT_ENTRIES]
    result = parse_text(text, "bibtex", source=str(path))
    _assert_parallel(result)
    assert len(result.papers) + result.skipped == len(starts)
    if result.skipped == 0:
        assert result.source_keys == [m[2] for m in starts]
        assert result.lines == [_line_of(text, m.start()) for m in starts]
    assert result.source_keys == [paper.id for paper in result.papers]


def test_bibtex_skipped_entries_are_counted_and_warned_with_their_line() -> None:
    text = (
        "@string{ jr = {Journal} }\n"  # 1
        "@article{good1, title = {One}, journal = jr}\n"  # 2
        "@article{broken, title = {Two\n"  # 3: never closed until the next entry
        "@article{good1, title = {Same key again}}\n"  # 4
        "@misc{good2, title = {Three}}\n"  # 5
    )
    result = parse_text(text, "bibtex")
    _assert_parallel(result)
    starts = [m for m in _BIB_START.finditer(text) if m[1].lower() not in _NOT_ENTRIES]
    assert len(result.papers) + result.skipped == len(starts) == 4
    assert result.source_keys == ["good1", "good2"]
    assert result.lines == [2, 5]
    assert result.skipped == 2
    assert [warning.line for warning in result.warnings] == [3, 4]


@pytest.mark.parametrize("path", RIS_FILES, ids=lambda path: path.name)
def test_ris_counts_match_the_record_starts(path: Path) -> None:
    text = _read(path)
    normalised = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    starts = [m.start() for m in re.finditer(r"^TY  -", normalised, re.MULTILINE)]
    result = parse_text(text, "ris", source=str(path))
    _assert_parallel(result)
    assert len(result.papers) + result.skipped == len(starts)
    assert result.lines == [_line_of(normalised, start) for start in starts]
    # These exports carry no ID tag: the key is empty, never invented.
    assert set(result.source_keys) == {""}


def test_ris_id_tag_is_the_source_key_and_untitled_records_are_skipped() -> None:
    text = (
        "TY  - JOUR\nID  - smith2020\nTI  - A title\nER  - \n\n"
        "TY  - JOUR\nID  - notitle\nAU  - Doe, J.\nER  - \n\n"
        "TY  - JOUR\nTI  - No key here\nER  - \n"
    )
    result = parse_text(text, "ris")
    _assert_parallel(result)
    assert result.source_keys == ["smith2020", ""]
    assert result.lines == [1, 11]
    assert result.skipped == 1
    assert [warning.line for warning in result.warnings] == [6]


@pytest.mark.parametrize("path", CSL_FILES, ids=lambda path: path.name)
def test_csl_keys_are_citation_key_else_id_and_lines_are_the_item_braces(path: Path) -> None:
    text = _read(path)
    items = orjson.loads(text)
    result = parse_text(text, "csljson", source=str(path))
    _assert_parallel(result)
    assert len(result.papers) + result.skipped == len(items)
    assert result.source_keys == [str(item.get("citation-key") or item["id"]) for item in items]
    lines = text.split("\n")
    for line in result.lines:
        assert line is not None
        assert lines[line - 1].lstrip().startswith("{")


def test_csl_numeric_id_is_a_string_key_and_skipped_items_are_counted() -> None:
    text = (
        "[\n"
        '  {"id": 7, "type": "book", "title": "Seven"},\n'
        '  {"id": "x", "type": "book"},\n'
        '  {"id": "y", "citation-key": "Key2020", "type": "book", "title": "Y"}\n'
        "]\n"
    )
    result = parse_text(text, "csljson")
    _assert_parallel(result)
    assert result.source_keys == ["7", "Key2020"]
    assert result.lines == [2, 4]
    assert result.skipped == 1
    assert [warning.line for warning in result.warnings] == [3]


@pytest.mark.parametrize("path", ARXIV_FILES, ids=lambda path: path.name)
def test_arxiv_feeds_have_empty_keys_and_entry_lines(path: Path) -> None:
    text = _read(path)
    result = parse_text(text, "arxiv", source=str(path))
    _assert_parallel(result)
    starts = [m.start() for m in re.finditer(r"<entry[\s>]", text)]
    assert len(result.papers) + result.skipped == len(starts)
    assert set(result.source_keys) <= {""}
    assert result.skipped == 0
    assert result.lines == [_line_of(text, start) for start in starts]


def test_profile_entries_have_empty_keys_and_header_lines() -> None:
    path = next(SAMPLE_PROFILE.glob("*.txt"))
    text = _read(path)
    result = parse_text(text, "profile", source=str(path))
    _assert_parallel(result)
    assert set(result.source_keys) == {""}
    lines = text.splitlines()
    for paper, line in zip(result.papers, result.lines, strict=True):
        assert line is not None
        assert lines[line].strip() == paper.title  # the title follows its header line
