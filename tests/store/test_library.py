"""The store's API against a real TinyDB store in a temp folder."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from store.errors import StoreError, UnknownPaperError
from store.formats import decode_input, parse_text
from store.library import Library
from store.merging import merge_papers
from store.model import ImportResult, Paper, ReadingStatus
from store.query import parse as parse_query
from tests.conftest import AS_OF, SAMPLE_PROFILE


def _sample_result() -> ImportResult:
    return parse_text(decode_input(SAMPLE_PROFILE.read_bytes()), as_of=AS_OF)


def test_import_assigns_citation_keys_and_keeps_page_rank(sample_library: Library) -> None:
    assert len(sample_library) == 50
    first = sample_library.get("Zhang2026LeanMarathon")
    assert first.collections == {"Jason D. Lee": 1}
    assert first.added_at.endswith("Z")
    ranks = sorted(min(p.collections.values()) for p in sample_library.papers())
    assert ranks == list(range(1, 51))
    collection = sample_library.collections()[0]
    assert collection.name == "Jason D. Lee"
    assert collection.declared_count == 158


def test_reimport_is_idempotent_and_keeps_user_state(sample_library: Library) -> None:
    pid = "Zhang2026LeanMarathon"
    sample_library.set_status([pid], ReadingStatus.READ)
    sample_library.set_starred([pid], True)
    sample_library.change_tags([pid], add=["lean", "agents"])
    sample_library.set_note(pid, "Blueprint = proof skeleton.")
    catalogue_before = sample_library.path.read_bytes()

    summary = sample_library.import_result(_sample_result(), source=str(SAMPLE_PROFILE))

    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 50)
    assert sample_library.path.read_bytes() == catalogue_before  # nothing rewritten
    reopened = Library(sample_library.path)
    assert len(reopened) == 50
    state = reopened.state(pid)
    assert state.status is ReadingStatus.READ and state.starred
    assert state.tags == ("lean", "agents")
    assert state.note == "Blueprint = proof skeleton."


def test_key_collisions_get_suffixes(db_path: Path) -> None:
    library = Library(db_path)
    papers = [
        Paper(
            id="",
            title=f"Sharp bounds for problem {n}",
            authors=("Ann Lee",),
            date="2024-01-0" + str(n),
        )
        for n in (1, 2, 3)
    ]
    library.import_result(ImportResult(papers))
    assert sorted(p.id for p in library.papers()) == [
        "Lee2024Sharp",
        "Lee2024Sharpa",
        "Lee2024Sharpb",
    ]


def test_duplicates_found_by_arxiv_id_doi_and_title(db_path: Path) -> None:
    library = Library(db_path)
    library.import_result(
        ImportResult(
            [
                Paper(
                    id="",
                    title="Attention is all you need",
                    authors=("Ashish Vaswani",),
                    arxiv_id="1706.03762",
                    date="2017-06-12",
                ),
                Paper(
                    id="",
                    title="Deep residual learning",
                    authors=("Kaiming He",),
                    doi="10.1109/CVPR.2016.90",
                    date="2016-06-01",
                ),
                Paper(
                    id="",
                    title="A paper found by its title",
                    authors=("Ada Lovelace",),
                    date="2020-01-01",
                ),
            ]
        )
    )
    again = ImportResult(
        [
            # the arXiv API revises titles between versions: its id is enough
            Paper(
                id="",
                title="Attention Is All You Need (v5)",
                arxiv_id="arXiv:1706.03762v5",
                origin="arxiv",
            ),
            Paper(
                id="", title="Deep Residual Learning", doi="https://doi.org/10.1109/cvpr.2016.90"
            ),
            Paper(
                id="",
                title="A Paper Found By Its Title!",
                authors=("Lovelace, Ada",),
                date="2021-05-05",
                venue="ICML",
            ),
        ]
    )
    summary = library.import_result(again)
    # another source fills gaps (the venue) but renames nothing
    # the venue is filled in, and the record learns that the arXiv API described it
    assert (summary.added, summary.merged, summary.updated, summary.unchanged) == (0, 0, 2, 1)
    assert len(library) == 3
    assert library.search(parse_query("title:attention"))[0].title == "Attention is all you need"
    merged = library.search(parse_query("title:found"))[0]
    assert merged.venue == "ICML"


def test_weak_evidence_keeps_papers_apart(db_path: Path) -> None:
    library = Library(db_path)
    library.import_result(
        ImportResult(
            [
                Paper(id="", title="Attention is all you need", arxiv_id="1706.03762"),
                Paper(id="", title="Deep residual learning", doi="10.1109/CVPR.2016.90"),
                Paper(id="", title="A paper found by its title", date="2020-01-01"),
            ]
        )
    )
    summary = library.import_result(
        ImportResult(
            [
                # a user file with the same arXiv id but another title: two records
                Paper(id="", title="Transformers revisited", arxiv_id="1706.03762"),
                Paper(id="", title="ResNet", doi="10.1109/cvpr.2016.90"),
                # no authors on either side: a title and a year are not enough
                Paper(id="", title="A Paper Found By Its Title!", date="2020-05-05"),
            ]
        )
    )
    assert (summary.added, summary.merged, summary.updated, summary.unchanged) == (3, 0, 0, 0)
    assert len(library) == 6
    notices = [str(w) for w in summary.warnings]
    assert len(notices) == 2
    assert any("arXiv id 1706.03762" in n and "both kept" in n for n in notices)
    assert any("DOI 10.1109/cvpr.2016.90" in n for n in notices)


def test_merge_fills_gaps_and_never_erases() -> None:
    existing = Paper(
        id="K",
        title="T",
        authors=("A", "B", "C"),
        authors_truncated=False,
        abstract="long",
        collections={"one": 3},
    )
    incoming = Paper(
        id="",
        title="T",
        authors=("A",),
        authors_truncated=True,
        doi="10.1/x",
        collections={"two": 1},
    )
    merged = merge_papers(existing, incoming)
    assert merged.authors == ("A", "B", "C") and not merged.authors_truncated
    assert merged.abstract == "long" and merged.doi == "10.1/x"
    assert merged.collections == {"one": 3, "two": 1}
    assert merged.id == "K"


def test_state_changes_write_only_the_small_state_file(sample_library: Library) -> None:
    catalogue = sample_library.path
    before = catalogue.stat().st_mtime_ns, catalogue.read_bytes()
    sample_library.set_status(["Zhang2026LeanMarathon"], ReadingStatus.SKIPPED)
    assert (catalogue.stat().st_mtime_ns, catalogue.read_bytes()) == before
    state_file = catalogue.with_name("library.state.json")
    data = json.loads(state_file.read_text())
    assert data["state"]["Zhang2026LeanMarathon"]["status"] == "skipped"
    assert len(data["state"]) == 1


def test_undo_restores_previous_states(sample_library: Library) -> None:
    ids = ["Zhang2026LeanMarathon", "Huang2026Fine"]
    sample_library.set_status(ids[:1], ReadingStatus.READ)
    skipped = sample_library.set_status(ids, ReadingStatus.SKIPPED)
    sample_library.undo(skipped)
    assert sample_library.state(ids[0]).status is ReadingStatus.READ
    assert sample_library.state(ids[1]).status is ReadingStatus.UNREAD
    assert Library(sample_library.path).state(ids[1]).status is ReadingStatus.UNREAD


def test_unknown_id_changes_nothing(sample_library: Library) -> None:
    with pytest.raises(UnknownPaperError):
        sample_library.set_status(
            ["Zhang2026LeanMarathon", "Nobody1999Nothing"], ReadingStatus.READ
        )
    assert sample_library.state("Zhang2026LeanMarathon").status is ReadingStatus.UNREAD


def test_two_handles_see_each_others_changes(sample_library: Library) -> None:
    other = Library(sample_library.path)
    other.set_status(["Zhang2026LeanMarathon"], ReadingStatus.READ)
    sample_library.set_starred(["Huang2026Fine"], True)  # must not lose the other's write
    fresh = Library(sample_library.path)
    assert fresh.state("Zhang2026LeanMarathon").status is ReadingStatus.READ
    assert fresh.state("Huang2026Fine").starred
    assert sample_library.state("Zhang2026LeanMarathon").status is ReadingStatus.READ


def test_damaged_store_is_reported_not_replaced(sample_library: Library) -> None:
    path = sample_library.path
    path.write_text('{"papers": {"1": ')
    with pytest.raises(StoreError, match="damaged") as err:
        Library(path)
    assert str(path) in str(err.value)
    assert path.read_text() == '{"papers": {"1": '


def test_import_keeps_a_backup_of_the_previous_catalogue(sample_library: Library) -> None:
    before = sample_library.path.read_bytes()
    extra = replace(
        sample_library.get("Zhang2026LeanMarathon"), id="", title="Another paper entirely"
    )
    sample_library.import_result(ImportResult([extra]))
    backup = sample_library.path.with_name("library.json.bak")
    assert backup.read_bytes() == before


def test_newer_schema_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_text('{"meta": {"schema": {"version": 99}}, "papers": {}}')
    with pytest.raises(StoreError, match="newer"):
        Library(db_path)


def test_nothing_is_created_by_reading(db_path: Path) -> None:
    library = Library(db_path)
    assert len(library) == 0 and library.search(parse_query("")) == []
    assert not db_path.parent.exists()


def test_reimport_keeps_short_titled_papers_single(db_path: Path) -> None:
    library = Library(db_path)
    result = ImportResult(
        [Paper(id="gardner2006a", title="Spite", authors=("Andy Gardner",), date="2006-01-01")],
        keep_ids=True,
    )
    library.import_result(result)
    summary = library.import_result(result)
    assert (summary.added, summary.unchanged) == (0, 1)
    assert [p.id for p in library.papers()] == ["gardner2006a"]
