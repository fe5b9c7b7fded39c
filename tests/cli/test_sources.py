"""``follow``, ``fetch`` and ``enrich`` as a user runs them, against a local arXiv stand-in."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.arxiv_stand_in import (
    TESTING_100,
    Reply,
    StandIn,
    arxiv_id_of,
    closed_port_url,
    entries_of,
    newest_first,
    serve,
)
from tests.conftest import ROOT, child_env


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    yield from serve()


def cli(db: Path, api: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``paper-reader --db DB ARGS`` with the API at ``api`` and no pacing delay."""
    env = {**child_env(), "PAPER_READER_ARXIV_API": api, "PAPER_READER_ARXIV_DELAY": "0"}
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
    )


def listed(db: Path, *query: str) -> list[dict[str, object]]:
    done = cli(db, "http://127.0.0.1:9/unused", "list", "--json", *query)
    assert done.returncode == 0, done.stderr
    records: list[dict[str, object]] = json.loads(done.stdout)
    return records


def store_files(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(db.parent.iterdir()) if p.is_file()}


# --- follow ---------------------------------------------------------------------------


def test_follow_add_list_remove(db_path: Path, stand_in: StandIn) -> None:
    added = cli(db_path, stand_in.url, "follow", "add", "icl", 'cat:cs.LG AND abs:"in-context"')
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines()[0] == 'following icl: cat:cs.LG AND abs:"in-context"'
    # An unquoted query is the words after the name.
    words = cli(db_path, stand_in.url, "follow", "add", "lee", "au:Lee_Jason_D", "AND", "cat:cs.LG")
    assert words.returncode == 0, words.stderr

    shown = cli(db_path, stand_in.url, "follow", "list")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        'icl\tcat:cs.LG AND abs:"in-context"\tnever fetched\t0 papers',
        "lee\tau:Lee_Jason_D AND cat:cs.LG\tnever fetched\t0 papers",
    ]
    again = cli(db_path, stand_in.url, "follow", "add", "icl", "au:x")
    assert again.returncode == 1
    assert again.stderr == "paper-reader: a followed query named 'icl' exists already\n"

    removed = cli(db_path, stand_in.url, "follow", "remove", "icl")
    assert removed.returncode == 0, removed.stderr
    records = json.loads(cli(db_path, stand_in.url, "follow", "list", "--json").stdout)
    assert [r["name"] for r in records] == ["lee"]
    assert stand_in.requests == []  # following asks arXiv nothing


def test_fetch_twice_then_with_the_server_gone(db_path: Path, stand_in: StandIn) -> None:
    entries = newest_first(entries_of(TESTING_100))
    stand_in.followed = entries[10:]
    stand_in.page_cap = 30
    assert cli(db_path, stand_in.url, "follow", "add", "testing", "all:testing").returncode == 0

    first = cli(db_path, stand_in.url, "fetch", "--max", "80")
    assert first.returncode == 0, first.stderr
    assert first.stdout == "testing: added 80, updated 0, unchanged 0, warnings 0\n"
    assert len(stand_in.requests) == 3  # 30 + 30 + 20: the server gives less than asked
    assert len(listed(db_path, "collection:testing")) == 80
    assert len(listed(db_path, "is:new")) == 80
    papers = listed(db_path)
    cli(db_path, stand_in.url, "mark", "read", str(papers[0]["id"]))

    stand_in.followed = entries  # ten newer submissions
    stand_in.requests.clear()
    second = cli(db_path, stand_in.url, "fetch")
    assert second.returncode == 0, second.stderr
    assert second.stdout == "testing: added 10, updated 0, unchanged 0, warnings 0\n"
    assert len(stand_in.requests) == 1
    # New: the ten that arrived and the 79 of the first fetch not yet decided.
    new = {r["arxiv_id"] for r in listed(db_path, "is:new")}
    assert new == {arxiv_id_of(e) for e in entries[:90]} - {papers[0]["arxiv_id"]}
    assert len(listed(db_path, "collection:testing")) == 90
    assert listed(db_path, "status:read")[0]["id"] == papers[0]["id"]

    follow_line = cli(db_path, stand_in.url, "follow", "list").stdout
    name, query, fetched, count = follow_line.rstrip("\n").split("\t")
    assert (name, query, count) == ("testing", "all:testing", "90 papers")
    assert fetched.startswith("last fetch 20")

    before = store_files(db_path)
    down = closed_port_url()
    failed = cli(db_path, down, "fetch")
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert len(failed.stderr.splitlines()) == 1
    assert failed.stderr.startswith(f"paper-reader: cannot reach the arXiv API at {down}: ")
    assert store_files(db_path) == before


def test_fetch_reports_http_errors_and_retries_a_503(db_path: Path, stand_in: StandIn) -> None:
    stand_in.followed = newest_first(entries_of(TESTING_100))[:5]
    cli(db_path, stand_in.url, "follow", "add", "t", "all:testing")
    stand_in.replies = [Reply(500)]
    failed = cli(db_path, stand_in.url, "fetch", "t")
    assert failed.returncode == 1
    assert failed.stderr == (
        f"paper-reader: cannot reach the arXiv API at {stand_in.url}: "
        "HTTP 500 Internal Server Error\n"
    )
    assert not db_path.exists()

    stand_in.replies = [Reply(503, headers={"Retry-After": "1"})]
    done = cli(db_path, stand_in.url, "fetch", "t")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "t: added 5, updated 0, unchanged 0, warnings 0\n"


def test_fetch_with_nothing_followed_or_an_unknown_name(db_path: Path, stand_in: StandIn) -> None:
    nothing = cli(db_path, stand_in.url, "fetch")
    assert nothing.returncode == 0
    assert "no followed queries" in nothing.stderr
    unknown = cli(db_path, stand_in.url, "fetch", "nope")
    assert unknown.returncode == 1
    assert unknown.stderr == "paper-reader: no followed query named 'nope'\n"
    assert stand_in.requests == []
