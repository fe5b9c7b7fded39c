"""Abstracts live in their own TinyDB file: opening a library does not parse them.

These tests read the real files a real import wrote, because the point of the
layout is what is on disk: the catalogue small enough to open fast, nothing
lost, old (version-1) stores still readable and moved over on the next import.
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from store import layout
from store.formats import decode_input, parse_text
from store.library import Library, restore_from_backups
from store.model import ImportResult, Paper
from store.query import parse as parse_query
from store.tinydb_files import SCHEMA_VERSION, abstract_parts_of
from tests.conftest import AS_OF, SAMPLE_PROFILE

LEAN = "Zhang2026LeanMarathon"


def _part_paths(db_path: Path) -> list[Path]:
    """The abstracts parts the catalogue on disk names."""
    catalogue = json.loads(db_path.read_text(encoding="utf-8"))
    return abstract_parts_of(catalogue, db_path).paths(db_path)


def _abstracts_path(db_path: Path) -> Path:
    (only,) = _part_paths(db_path)
    return only


def test_catalogue_holds_no_abstracts_and_no_default_fields(sample_library: Library) -> None:
    catalogue = json.loads(sample_library.path.read_text(encoding="utf-8"))
    records = catalogue["papers"].values()
    assert all("abstract" not in record for record in records)
    lean = catalogue["papers"][LEAN]
    assert "doi" not in lean and "extra" not in lean  # empty: left out, filled back on load
    abstracts = json.loads(_abstracts_path(sample_library.path).read_text(encoding="utf-8"))
    assert abstracts["abstracts"][LEAN]["text"].startswith("Long-horizon autoformalization")
    with_text = sum(1 for record in abstracts["abstracts"].values() if record["text"])
    assert with_text == len(abstracts["abstracts"]) == 50


def test_reopened_library_reads_abstracts_on_first_use(sample_library: Library) -> None:
    reopened = Library(sample_library.path)
    assert not reopened.abstracts_loaded
    paper = reopened.get(LEAN)
    assert paper.abstract == ""  # the catalogue copy carries none
    assert reopened.complete(paper).abstract.startswith("Long-horizon autoformalization")
    assert reopened.abstracts_loaded
    assert reopened.complete(paper) == sample_library.complete(sample_library.get(LEAN))


def test_words_match_abstracts_after_reopening(sample_library: Library) -> None:
    reopened = Library(sample_library.path)
    found = reopened.search(parse_query("blueprint"))  # in that abstract only
    assert [paper.id for paper in found] == [LEAN]
    assert reopened.search(parse_query("blueprint"), abstracts=False) == []
    assert len(reopened.search(parse_query("has:abstract"))) == 50
    assert reopened.search(parse_query("-has:abstract")) == []


def test_reimport_that_corrects_an_abstract_is_an_update(sample_library: Library) -> None:
    result = parse_text(decode_input(SAMPLE_PROFILE.read_bytes()), as_of=AS_OF)
    papers = [
        paper.with_changes(abstract="A corrected abstract.") if i == 0 else paper
        for i, paper in enumerate(result.papers)
    ]
    first_id = sample_library.search(parse_query(""), sort="rank")[0].id
    summary = sample_library.import_result(
        ImportResult(papers=papers, collection=result.collection), source=str(SAMPLE_PROFILE)
    )
    assert (summary.added, summary.updated, summary.unchanged) == (0, 1, 49)
    assert Library(sample_library.path).abstract(first_id) == "A corrected abstract."


def _write_version_1_store(db_path: Path) -> None:
    """A store as paper-reader 0.1 wrote it: abstracts inside the catalogue."""
    paper = Paper(
        id="Old2020Store",
        title="An old store",
        authors=("Ada Lovelace",),
        abstract="Inline abstract about engines.",
        date="2020-01-01",
    )
    record = paper.to_dict()
    record["date_precision"] = None
    document = {
        "meta": {"schema": {"version": 1}},
        "papers": {paper.id: record},
        "collections": {},
    }
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db_path.write_bytes(orjson.dumps(document))


def test_version_1_store_reads_and_moves_over_on_next_import(db_path: Path) -> None:
    _write_version_1_store(db_path)
    library = Library(db_path)
    assert library.abstract("Old2020Store") == "Inline abstract about engines."
    assert [p.id for p in library.search(parse_query("engines"))] == ["Old2020Store"]

    new = Paper(id="", title="A new paper", authors=("Bo Li",), abstract="Fresh text.")
    library.import_result(ImportResult(papers=[new]))

    catalogue = json.loads(db_path.read_text(encoding="utf-8"))
    assert catalogue["meta"]["schema"]["version"] == SCHEMA_VERSION
    assert all("abstract" not in record for record in catalogue["papers"].values())
    reopened = Library(db_path)
    assert reopened.abstract("Old2020Store") == "Inline abstract about engines."
    new_id = next(p.id for p in reopened.papers() if p.title == "A new paper")
    assert reopened.abstract(new_id) == "Fresh text."


def test_another_process_changing_abstracts_is_picked_up(sample_library: Library) -> None:
    reader = Library(sample_library.path)
    assert reader.abstract(LEAN).startswith("Long-horizon")
    result = parse_text(decode_input(SAMPLE_PROFILE.read_bytes()), as_of=AS_OF)
    papers = [
        p.with_changes(abstract="Rewritten elsewhere.") if p.title.startswith("LeanMarathon") else p
        for p in result.papers
    ]
    sample_library.import_result(
        ImportResult(papers=papers, collection=result.collection), source=str(SAMPLE_PROFILE)
    )
    assert reader.refresh()
    assert reader.abstract(LEAN) == "Rewritten elsewhere."
    assert [p.id for p in reader.search(parse_query("rewritten"))] == [LEAN]


def test_restore_brings_back_the_abstracts_too(sample_library: Library) -> None:
    result = parse_text(decode_input(SAMPLE_PROFILE.read_bytes()), as_of=AS_OF)
    papers = [p.with_changes(abstract="Damaged later.") for p in result.papers]
    sample_library.import_result(
        ImportResult(papers=papers, collection=result.collection), source=str(SAMPLE_PROFILE)
    )
    assert Library(sample_library.path).abstract(LEAN) == "Damaged later."
    assert restore_from_backups(sample_library.path) == ["nothing is damaged"]
    assert Library(sample_library.path).abstract(LEAN) == "Damaged later."
    done = restore_from_backups(sample_library.path, force=True)  # back on purpose
    assert any("with its abstracts" in line for line in done)
    assert Library(sample_library.path).abstract(LEAN).startswith("Long-horizon")


def test_a_large_library_splits_its_abstracts_into_parts(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ten papers a part stands in for ten thousand: the same code path, 50 papers.
    monkeypatch.setattr(layout, "PAPERS_PER_ABSTRACT_PART", 10)
    library = Library(db_path)
    library.import_result(
        parse_text(decode_input(SAMPLE_PROFILE.read_bytes()), as_of=AS_OF),
        source=str(SAMPLE_PROFILE),
    )
    parts = _part_paths(db_path)
    assert [part.name for part in parts] == [f"library.abstracts.1.{n}.json" for n in range(5)]
    sizes = [len(json.loads(part.read_text(encoding="utf-8"))["abstracts"]) for part in parts]
    assert sum(sizes) == 50 and all(sizes)
    reopened = Library(db_path)
    assert reopened.abstract(LEAN).startswith("Long-horizon autoformalization")
    assert [p.id for p in reopened.search(parse_query("blueprint"))] == [LEAN]
    assert len(reopened.search(parse_query("has:abstract"))) == 50

    # another import rewrites every part, so the backups are one consistent set
    result = parse_text(decode_input(SAMPLE_PROFILE.read_bytes()), as_of=AS_OF)
    papers = [p.with_changes(abstract=f"Changed {p.title}") for p in result.papers]
    library.import_result(
        ImportResult(papers=papers, collection=result.collection), source=str(SAMPLE_PROFILE)
    )
    assert reopened.refresh()
    assert reopened.abstract(LEAN).startswith("Changed LeanMarathon")
    assert [p.name for p in _part_paths(db_path)] == [
        f"library.abstracts.2.{n}.json" for n in range(5)
    ]
    restore_from_backups(db_path, force=True)
    restored = Library(db_path)
    assert all(not restored.abstract(p.id).startswith("Changed") for p in restored.papers())
    assert restored.abstract(LEAN).startswith("Long-horizon autoformalization")


def _paper(title: str, abstract: str = "") -> Paper:
    return Paper(id="", title=title, authors=("Ada Byron",), date="2020-01-01", abstract=abstract)


def test_restore_after_an_import_without_abstracts_keeps_the_earlier_ones(db_path: Path) -> None:
    library = Library(db_path)
    library.import_result(ImportResult(papers=[_paper("Paper about apples", "Apples.")]))
    library.import_result(ImportResult(papers=[_paper("Paper about bananas", "Bananas.")]))
    library.import_result(ImportResult(papers=[_paper("Paper about cherries")]))  # no abstract
    restore_from_backups(db_path, force=True)  # undoes the cherries import only
    restored = Library(db_path)
    titles = {p.title: restored.abstract(p.id) for p in restored.papers()}
    assert titles == {"Paper about apples": "Apples.", "Paper about bananas": "Bananas."}


# Their keys (Byron2020Apples, Byron2020Figs) fall into different parts of two.
_FIRST = ("Apples", "Figs")


def test_a_part_left_over_by_restore_never_shadows_the_catalogues_own(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(layout, "PAPERS_PER_ABSTRACT_PART", 4)
    library = Library(db_path)
    first = [_paper(f"{fruit} in the orchard", f"old {n}") for n, fruit in enumerate(_FIRST)]
    library.import_result(ImportResult(papers=first), collection="mine")  # one part
    corrected = [_paper(f"{fruit} in the orchard", f"new {n}") for n, fruit in enumerate(_FIRST)]
    more = [_paper(f"Second paper number {n}", f"more {n}") for n in range(2)]
    library.import_result(ImportResult(papers=corrected + more), collection="mine")  # two parts now
    parts = _part_paths(db_path)
    assert len(parts) == 2
    # the leftover part really holds a newer abstract of one of the first papers
    leftover = json.loads(parts[1].read_text(encoding="utf-8"))["abstracts"].values()
    assert any(record["text"].startswith("new") for record in leftover)
    restore_from_backups(db_path, force=True)  # back to one part; the two are moved aside
    assert len(list(db_path.parent.glob("library.abstracts.2.*.json.before-restore-*"))) == 2
    restored = Library(db_path)
    assert sorted(restored.abstract(p.id) for p in restored.papers()) == ["old 0", "old 1"]
    again = [_paper(f"{fruit} in the orchard", f"again {n}") for n, fruit in enumerate(_FIRST)]
    restored.import_result(ImportResult(papers=again), collection="mine")  # same list
    reread = Library(db_path)
    assert sorted(reread.abstract(p.id) for p in reread.papers()) == ["again 0", "again 1"]
