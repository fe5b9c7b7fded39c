"""The full text: abstracts folded into one buffer (a cache file in a large library).

Searching the buffer must find exactly what matching each paper's own text
finds (real bibliographies with accents and non-Latin scripts, and texts
made to catch a match that runs from one abstract into the next), and the
abstracts read back from it must be the ones imported, byte for byte.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

import store.full_text
import store.library_data
from store.errors import SearchCancelled
from store.formats import parse_text
from store.full_text import FullText, cache_path, fold_abstract
from store.library import Library
from store.model import ReadingStatus
from store.query import normalise
from store.query import parse as parse_query
from tests.conftest import sample_and_bibtex
from tests.store.test_search_index import QUERIES

# Abstracts whose ends meet words that start the next, letters that fold to
# two (ß), dotted capitals (İ), accents written both ways, and other scripts.
TRICKY = [
    ("Edge One", "gradient"),
    ("Edge Two", "descent into madness"),
    ("Straße", "Die Straße nach Österreich ist LANG."),
    ("Istanbul", "İstanbul and Iğdır, ISTANBUL"),
    ("Cafe", "Cafe\u0301 au lait and café noir"),
    ("Greek", "Η κατάβαση κλίσης (ΚΑΤΆΒΑΣΗ) συγκλίνει"),
    ("Spaces", "  leading   and trailing\tspaces\nwrap here  "),
    ("Ends", "ends with descent"),
    ("Starts", "gradient starts this one"),
    ("Cjk", "勾配降下法は収束する"),
]
TRICKY_QUERIES = [
    '"gradient descent"',
    '"descent gradient"',
    "descent",
    '"madness straße"',
    "strasse",
    "STRASSE",
    "österreich",
    "osterreich",
    "istanbul",
    "iğdır",
    "igdir",
    "café",
    "cafe",
    '"au lait"',
    "κατάβαση",
    "καταβαση",
    '"leading and trailing spaces wrap here"',
    '"here ends"',
    "勾配",
    "収束する",
    "abstract:lang.",
    '-"gradient"',
    "has:abstract",
    "-has:abstract",
    "abstract:gradient -abstract:starts",
    "gradient -descent",
]


def _bib(entries: list[tuple[str, str]]) -> str:
    return "".join(
        f"@article{{t{i}, title={{{title}}}, author={{Zed Wombatson}}, year={{{2000 + i}}},"
        f" abstract={{{abstract}}}}}\n"
        for i, (title, abstract) in enumerate(entries)
    )


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("full_text") / "library.json"
    library = sample_and_bibtex(
        path,
        "ml-phd-thesis-millidge-813-entries.bib",
        "indology-iast-utf8-and-latex-accents.bib",
        "zotero-export-psychology-abstract-url-file-584.bib",
    )
    library.import_result(parse_text(_bib(TRICKY), source="tricky.bib"))
    ids = [paper.id for paper in library.papers()]
    library.set_status(ids[::3], ReadingStatus.READ)
    return path


@pytest.fixture
def in_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Libraries of any size keep their full text in a cache file."""
    monkeypatch.setattr(store.full_text, "MIN_PAPERS_FOR_FILE", 0)


def _one_by_one(library: Library, text: str, sort: str) -> list[str]:
    query = parse_query(text)
    return [
        paper.id
        for paper in library.search(parse_query(""), sort=sort)
        if query.matches(library.complete(paper), library.state(paper.id))
    ]


def _copy(store_path: Path, into: Path) -> Path:
    for file in store_path.parent.glob("library.*json"):
        (into / file.name).write_bytes(file.read_bytes())
    return into / store_path.name


@pytest.mark.parametrize("sort", ["date", "title"])
@pytest.mark.parametrize("mode", ["memory", "file", "child"])
def test_the_buffer_finds_what_each_paper_s_own_text_finds(
    store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sort: str, mode: str
) -> None:
    if mode != "memory":
        monkeypatch.setattr(store.full_text, "MIN_PAPERS_FOR_FILE", 0)
    path = _copy(store_path, tmp_path)
    expected_by = Library(path)  # each paper's text as imported, matched one by one
    library = Library(path)
    if mode == "file":
        library.abstract("x")  # abstracts in memory: the file is written from them
    elif mode == "child":
        library.load_abstracts()  # as the reader does: a child writes the file
        assert library.abstracts_loaded and library._abstracts is None
    library.prepare_search(sort)
    assert library.full_text().mapped == (mode != "memory")
    assert cache_path(path).exists() == (mode != "memory")
    for text in [*QUERIES, *TRICKY_QUERIES]:
        expected = _one_by_one(expected_by, text, sort)
        found = library.search(parse_query(text), sort=sort)
        assert [p.id for p in found] == expected, text
    # narrowing a result, and a plain list, give the same as searching anew
    within = library.search(parse_query("learning"), sort=sort)
    as_list = list(within)
    for text in ("learning theory", "learning -the", "learning has:abstract"):
        expected = _one_by_one(expected_by, text, sort)
        assert [p.id for p in library.search(parse_query(text), sort, within=within)] == expected
        assert [p.id for p in library.search(parse_query(text), sort, within=as_list)] == expected
    assert (library._abstracts is None) == (mode == "child")  # never read in this process


def test_the_tricky_texts_match_as_folding_says(store_path: Path, in_file: None) -> None:
    library = Library(store_path)
    titles = {
        "gradient": ["Starts", "Edge One"],
        '"gradient descent"': [],
        "strasse": ["Straße"],
        "istanbul": ["Istanbul"],  # İ is I with a dot above: the dot goes
        "iğdır": ["Istanbul"],
        "igdir": [],  # ı is a letter of its own, not i with a mark
        "cafe": ["Cafe"],
        "καταβαση": ["Greek"],
        '"here ends"': [],
        '"leading and trailing spaces wrap here"': ["Spaces"],
        "収束": ["Cjk"],
    }
    for text, wanted in titles.items():
        found = library.search(parse_query(f"{text} author:wombatson"), sort="date")
        assert [p.title for p in found] == wanted, text


def test_abstracts_read_back_are_those_imported(store_path: Path, in_file: None) -> None:
    as_imported = Library(store_path)
    originals = dict(as_imported._abstract_map())
    library = Library(store_path)
    library.load_abstracts()
    assert library._abstracts is None  # mapped, never parsed here
    full = library.full_text()
    assert dict(full) == originals
    for paper in library.papers():
        assert library.complete(paper) == as_imported.complete(paper)
        text = originals.get(paper.id, "")
        slot = full.slots.get(paper.id)
        assert (full.folded_text(slot) if slot is not None else "") == normalise(text)
    assert [p.abstract for p in library.complete_all(library.papers())] == [
        p.abstract for p in as_imported.complete_all(as_imported.papers())
    ]
    # a later process reads them from the file made earlier, without parsing a part
    later = Library(store_path)
    assert [later.abstract(p.id) for p in later.papers()] == [
        originals.get(p.id, "") for p in later.papers()
    ]
    assert later._abstracts is None


def test_fold_abstract_is_normalise() -> None:
    for _title, text in TRICKY:
        assert fold_abstract(text) == normalise(text)
        assert "\x1f" not in fold_abstract(text)


def test_a_stale_or_damaged_cache_is_made_again(
    store_path: Path, tmp_path: Path, in_file: None
) -> None:
    path = _copy(store_path, tmp_path)
    library = Library(path)
    assert not library.search(parse_query("quokka"))
    cache = cache_path(path)
    made = cache.stat().st_mtime_ns
    library.import_result(
        parse_text("@article{q, title={Q}, abstract={Quokka hops}}\n", source="q.bib")
    )
    assert [p.title for p in library.search(parse_query("quokka"))] == ["Q"]
    assert cache.stat().st_mtime_ns != made  # the new parts made a new file
    whole = cache.read_bytes()
    for damaged in (whole[: len(whole) // 2], b"", whole[:-3] + b"xyz", b"\x00" * len(whole)):
        cache.write_bytes(damaged)
        again = Library(path)
        assert [p.title for p in again.search(parse_query("quokka hops"))] == ["Q"]
        assert FullText.open(cache, "anything") is None
    # another process's cache of other parts is not taken for this one's
    other = Library(path)
    stamp = store.full_text.signature(other._abstract_parts.paths(path))
    assert stamp is not None and FullText.open(cache, stamp) is not None
    assert FullText.open(cache, stamp + "x") is None


def test_a_search_of_the_file_whose_caller_gave_up_stops(store_path: Path, in_file: None) -> None:
    library = Library(store_path)
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 1

    # a library of over 4096 papers is searched in pieces, with a look between
    many = [paper for _ in range(6) for paper in library.search(parse_query(""))]
    with pytest.raises(SearchCancelled):
        library.search(parse_query("gradient"), within=many, stop=stop)
    assert len(asked) == 2


def test_a_killed_writer_s_leftover_goes_when_the_cache_is_next_written(
    store_path: Path, tmp_path: Path, in_file: None
) -> None:
    path = _copy(store_path, tmp_path)
    cache = cache_path(path)
    old = cache.with_name(f"{cache.name}.123-456.tmp")
    recent = cache.with_name(f"{cache.name}.789-1.tmp")  # perhaps another process's, writing
    for leftover in (old, recent):
        leftover.write_bytes(b"half a cache")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    Library(path).full_text()
    assert cache.exists() and not old.exists() and recent.exists()


def test_when_no_child_can_write_the_cache_this_process_does(
    store_path: Path, tmp_path: Path, in_file: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _copy(store_path, tmp_path)
    monkeypatch.setattr(store.library_data, "build_in_child", lambda *args: False)
    library = Library(path)
    assert library.full_text().mapped and cache_path(path).exists()
    expected_by = Library(path)
    for text in ("gradient", "strasse", '"gradient descent"'):
        found = [p.id for p in library.search(parse_query(text), sort="title")]
        assert found == _one_by_one(expected_by, text, "title"), text


def test_the_child_writes_nothing_for_parts_that_are_gone(store_path: Path, tmp_path: Path) -> None:
    path = _copy(store_path, tmp_path)
    library = Library(path)
    parts = library._abstract_parts
    assert store.full_text.build_in_child(path, parts, [])
    assert store.full_text.signature(parts.paths(path)) is not None
    gone = replace(parts, generation=(parts.generation or 0) + 7)
    cache_path(path).unlink()
    assert not store.full_text.build_in_child(path, gone, [])
    assert not cache_path(path).exists()
