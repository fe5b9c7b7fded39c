"""The repository's import transaction: generations on disk, and no write from a stale view."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from store.errors import StoreError
from store.library import Library
from store.model import ImportResult, Paper
from store.repository import Repository
from store.tinydb_files import SCHEMA_VERSION, part_chunks
from tests.reliability.conftest import store_files


def _paper(title: str) -> ImportResult:
    return ImportResult([Paper(id="", title=title, date="2024-01-01", abstract=f"On {title}.")])


def _part_names(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.glob("library.abstracts.*"))


def test_only_the_catalogue_and_its_backup_keep_their_abstracts(db_path: Path) -> None:
    library = Library(db_path)
    for n, title in enumerate(("Apples", "Bananas", "Cherries"), start=1):
        library.import_result(_paper(title))
        kept = [f"library.abstracts.{g}.0.json" for g in (n - 1, n) if g]
        assert _part_names(db_path) == kept
    reopened = Library(db_path)
    assert sorted(reopened.abstract(p.id) for p in reopened.papers()) == [
        "On Apples.",
        "On Bananas.",
        "On Cherries.",
    ]


def test_a_repository_that_missed_another_import_refuses_to_write(db_path: Path) -> None:
    Library(db_path).import_result(_paper("Apples"))
    stale = Repository(db_path)
    catalogue = stale.load_catalogue()
    Library(db_path).import_result(_paper("Bananas"))  # another process
    before = store_files(db_path.parent)
    with pytest.raises(StoreError, match="refresh before writing"), stale.locked():
        stale.save_library(catalogue.papers, catalogue.collections, {})
    assert store_files(db_path.parent) == before
    assert len(Library(db_path)) == 2


@pytest.mark.parametrize("count", [0, 1, 255, 256, 257, 1000])
def test_an_abstracts_part_written_in_pieces_is_the_json_of_the_whole_table(count: int) -> None:
    texts = {
        f"Paper{i}": ("Ünïcode abstract — θ ∈ ℝ, 𝒪(n) " if i % 3 else "plain abstract ") * (i % 7)
        + str(i)
        for i in range(count)
    }
    whole = orjson.dumps(
        {
            "meta": {"schema": {"version": SCHEMA_VERSION}},
            "abstracts": {pid: {"text": text} for pid, text in texts.items()},
        }
    )
    assert b"".join(part_chunks(texts)) == whole
