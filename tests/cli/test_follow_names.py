"""A follow's name is its collection's name: refused when ``collection:NAME`` would not be it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.arxiv_stand_in import TESTING_100, StandIn, entries_of, newest_first, serve
from tests.cli.test_sources import cli, listed, store_files
from tests.conftest import SAMPLE_PROFILE

UNUSED = "http://127.0.0.1:9/unused"


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    yield from serve()


def _refused(db: Path, name: str, query: str = "au:Lee_Jason_D") -> str:
    """Run ``follow add``; assert it is refused as a usage error, one line, nothing written."""
    before = store_files(db) if db.parent.exists() else {}
    done = cli(db, UNUSED, "follow", "add", "--", name, query)  # "--": a name may start with "-"
    assert done.returncode == 2, (name, done.stdout, done.stderr)
    assert done.stdout == ""
    assert done.stderr.startswith("paper-reader: follow add: ")
    assert done.stderr.count("\n") == 1, done.stderr
    assert (store_files(db) if db.parent.exists() else {}) == before
    return done.stderr


def test_the_name_of_a_collection_of_imported_papers_is_refused(db_path: Path) -> None:
    assert cli(db_path, UNUSED, "import", str(SAMPLE_PROFILE)).returncode == 0
    for name in ("Jason D. Lee", "jason d. lee", "JASON D. LEE"):
        line = _refused(db_path, name)
        assert "'Jason D. Lee' is already a collection of imported papers" in line
        assert str(SAMPLE_PROFILE) in line and "choose another name" in line
    assert not db_path.with_name("library.follows.json").exists()
    # A name that only contains the collection's is another collection.
    added = cli(db_path, UNUSED, "follow", "add", "Jason D. Lee arXiv", "au:Lee_Jason_D")
    assert added.returncode == 0, added.stderr


@pytest.mark.parametrize(
    ("name", "query", "why"),
    [
        ("", "au:x", "needs a name"),
        ("   ", "au:x", "needs a name"),
        ('say "hi"', "au:x", "double quote"),
        ('"icl"', "au:x", "double quote"),
        ("-icl", "au:x", "cannot start with '-'"),
        ("two\nlines", "au:x", "one line of printable text"),
        ("icl", "", "cannot be empty"),
        ("icl", "   ", "cannot be empty"),
        ("icl", 'abs:"open', "unbalanced quotes"),
    ],
)
def test_names_and_queries_that_cannot_work_are_refused(
    db_path: Path, name: str, query: str, why: str
) -> None:
    assert why in _refused(db_path, name, query)
    assert not db_path.with_name("library.follows.json").exists()


@pytest.mark.parametrize("name", ["icl", "my icl", "Lee–Jason", "café ☕", "cs.LG:new", "a-b_c"])
def test_an_accepted_name_lists_its_papers_with_collection_name(
    db_path: Path, stand_in: StandIn, name: str
) -> None:
    stand_in.followed = newest_first(entries_of(TESTING_100))[:4]
    added = cli(db_path, stand_in.url, "follow", "add", name, "all:testing")
    assert added.returncode == 0, added.stderr
    fetched = cli(db_path, stand_in.url, "fetch")
    assert fetched.returncode == 0, fetched.stderr
    term = f'collection:"{name}"' if " " in name else f"collection:{name}"
    assert len(listed(db_path, term)) == 4
    assert len(listed(db_path, f"-{term}")) == 0


def test_a_follow_added_again_after_remove_finds_its_own_collection(
    db_path: Path, stand_in: StandIn
) -> None:
    stand_in.followed = newest_first(entries_of(TESTING_100))[:3]
    assert cli(db_path, stand_in.url, "follow", "add", "testing", "all:testing").returncode == 0
    assert cli(db_path, stand_in.url, "fetch").returncode == 0
    assert cli(db_path, stand_in.url, "follow", "remove", "testing").returncode == 0
    # Another query would mix its papers with the old one's: refused.
    assert "'testing' is already a collection" in _refused(db_path, "testing", "all:other")
    again = cli(db_path, stand_in.url, "follow", "add", "testing", "all:testing")
    assert again.returncode == 0, again.stderr
    records = json.loads(cli(db_path, UNUSED, "follow", "list", "--json").stdout)
    assert [(r["name"], r["papers"]) for r in records] == [("testing", 3)]
