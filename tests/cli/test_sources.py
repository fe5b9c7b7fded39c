"""``follow``, ``fetch`` and ``enrich`` as a user runs them, against a local arXiv stand-in."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from store.formats import arxiv_atom
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


def counts(line: str) -> dict[str, int]:
    """The import summary's counts that these tests look at (the line may say more)."""
    found = {word: int(n) for word, n in re.findall(r"([a-z]+) ([0-9]+)", line)}
    return {key: found[key] for key in ("added", "updated", "unchanged", "warnings")}


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
    assert again.returncode == 2
    assert again.stderr == "paper-reader: follow add: a followed query named 'icl' exists already\n"

    # ``--db`` may come after the action too.
    after = subprocess.run(
        [sys.executable, "-m", "tui.cli", "follow", "list", "--db", str(db_path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=child_env(),
    )
    assert after.stdout == shown.stdout

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
    assert first.stdout.startswith("testing: ")
    assert counts(first.stdout) == {"added": 80, "updated": 0, "unchanged": 0, "warnings": 0}
    assert len(stand_in.requests) == 3  # 30 + 30 + 20: the server gives less than asked
    assert len(listed(db_path, "collection:testing")) == 80
    assert len(listed(db_path, "is:new")) == 80
    papers = listed(db_path)
    cli(db_path, stand_in.url, "mark", "read", str(papers[0]["id"]))

    stand_in.followed = entries  # ten newer submissions
    stand_in.requests.clear()
    second = cli(db_path, stand_in.url, "fetch")
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("testing: ")
    assert counts(second.stdout) == {"added": 10, "updated": 0, "unchanged": 0, "warnings": 0}
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

    # Forgetting the query keeps its papers.
    assert cli(db_path, down, "follow", "remove", "testing").returncode == 0
    assert len(listed(db_path, "collection:testing")) == 90
    assert cli(db_path, down, "fetch", "testing").returncode == 1


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
    assert done.stdout.startswith("t: ")
    assert counts(done.stdout) == {"added": 5, "updated": 0, "unchanged": 0, "warnings": 0}


def test_fetch_with_nothing_followed_or_an_unknown_name(db_path: Path, stand_in: StandIn) -> None:
    nothing = cli(db_path, stand_in.url, "fetch")
    assert nothing.returncode == 0
    assert "no followed queries" in nothing.stderr
    unknown = cli(db_path, stand_in.url, "fetch", "nope")
    assert unknown.returncode == 1
    assert unknown.stderr == "paper-reader: no followed query named 'nope'\n"
    assert stand_in.requests == []


# --- enrich ---------------------------------------------------------------------------

NEAR_MISS_BIB = """@article{jia2011mutation,
  title = {Mutation Testing},
  author = {Jia, Yue and Harman, Mark},
  year = {2011}
}
"""


def test_enrich_the_sample_profile(db_path: Path, stand_in: StandIn, tmp_path: Path) -> None:
    from tests.arxiv_stand_in import JASON_LEE_7

    stand_in.searchable = entries_of(JASON_LEE_7) + entries_of(TESTING_100)
    bib = tmp_path / "near-miss.bib"
    bib.write_text(NEAR_MISS_BIB, encoding="utf-8")
    profile = str(ROOT / "sample_data" / "jason-d-lee-profile.txt")
    assert cli(db_path, stand_in.url, "import", profile, str(bib)).returncode == 0
    for args in (
        ("star", "Giannou2023Looped"),
        ("mark", "read", "Lee2014Proximal"),
        ("tag", "He2023REST", "+speculative"),
        ("note", "Liu2024BitDelta", "1-bit deltas"),
    ):
        assert cli(db_path, stand_in.url, *args).returncode == 0
    marks_before = {
        r["id"]: (r["status"], r["starred"], r["tags"], r["note"]) for r in listed(db_path)
    }

    dry = cli(db_path, stand_in.url, "enrich", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout == "enriched 7, not found 44, ambiguous 0\n"
    assert listed(db_path, "has:arxiv") == []

    before = store_files(db_path)
    stand_in.requests.clear()
    done = cli(db_path, stand_in.url, "enrich", "--verbose")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "enriched 7, not found 44, ambiguous 0"
    assert "Giannou2023Looped: arXiv:2301.13196: filled authors, authors_truncated, url, " in (
        "\n".join(lines)
    )
    assert "jia2011mutation: not found" in lines
    assert len(stand_in.requests) <= 10
    # arXiv's phrase search did offer near misses for "Mutation Testing"; none was taken.
    asked = [q for q in stand_in.requests if 'ti:"mutation testing"' in q["search_query"]]
    assert len(asked) == 1
    answer = stand_in.answer({"search_query": 'ti:"mutation testing"', "max_results": "100"})[1]
    assert len(arxiv_atom.parse(answer).papers) >= 3
    near = [r for r in listed(db_path) if r["id"] == "jia2011mutation"]
    assert (near[0]["arxiv_id"], near[0]["url"], near[0]["authors"]) == (
        "",
        "",
        ["Yue Jia", "Mark Harman"],
    )

    records = {r["id"]: r for r in listed(db_path)}
    assert records["Giannou2023Looped"]["arxiv_id"] == "2301.13196"
    assert records["Giannou2023Looped"]["authors"] == [
        "Angeliki Giannou",
        "Shashank Rajput",
        "Jy-yong Sohn",
        "Kangwook Lee",
        "Jason D. Lee",
        "Dimitris Papailiopoulos",
    ]
    assert records["Giannou2023Looped"]["authors_truncated"] is False
    assert records["Lee2014Proximal"]["doi"] == "10.1137/130921428"
    assert len([r for r in records.values() if r["arxiv_id"]]) == 7
    assert {
        r["id"]: (r["status"], r["starred"], r["tags"], r["note"]) for r in records.values()
    } == marks_before
    shown = cli(db_path, stand_in.url, "show", "Giannou2023Looped").stdout
    assert "Link: https://arxiv.org/abs/2301.13196" in shown.splitlines()

    undone = cli(db_path, stand_in.url, "enrich", "--undo")
    assert undone.returncode == 0, undone.stderr
    assert undone.stdout.startswith("undid the enrichment of 20")
    assert undone.stdout.rstrip().endswith(": 7 restored")
    assert listed(db_path, "has:arxiv") == []
    for name in ("library.json", "library.state.json"):
        assert store_files(db_path)[name] != b""
    assert {
        r["id"]: (r["status"], r["starred"], r["tags"], r["note"]) for r in listed(db_path)
    } == marks_before
    # Nothing of the store went missing (abstracts parts are renamed per generation).
    kept = {name for name in before if not name.startswith("library.abstracts.")}
    assert kept <= store_files(db_path).keys()


def test_enrich_json_and_a_query(db_path: Path, stand_in: StandIn) -> None:
    from tests.arxiv_stand_in import JASON_LEE_7

    stand_in.searchable = entries_of(JASON_LEE_7)
    profile = str(ROOT / "sample_data" / "jason-d-lee-profile.txt")
    cli(db_path, stand_in.url, "import", profile)
    done = cli(db_path, stand_in.url, "enrich", "--json", "title:proximal")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["enriched"], report["not_found"], report["requests"]) == (1, 0, 1)
    (entry,) = report["papers"]
    assert (entry["id"], entry["outcome"], entry["arxiv_ids"]) == (
        "Lee2014Proximal",
        "enriched",
        ["1206.1623"],
    )
    assert "doi" in entry["fields"]


def test_enrich_with_the_api_down_fails_cleanly(db_path: Path, stand_in: StandIn) -> None:
    profile = str(ROOT / "sample_data" / "jason-d-lee-profile.txt")
    cli(db_path, stand_in.url, "import", profile)
    before = store_files(db_path)
    down = closed_port_url()
    failed = cli(db_path, down, "enrich")
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert len(failed.stderr.splitlines()) == 1
    assert failed.stderr.startswith(f"paper-reader: cannot reach the arXiv API at {down}: ")
    assert store_files(db_path) == before
    nothing = cli(db_path, down, "enrich", "--undo")
    assert (nothing.returncode, nothing.stderr) == (1, "paper-reader: no enrichment to undo\n")
