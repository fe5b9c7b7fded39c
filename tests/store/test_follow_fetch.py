"""Followed arXiv queries and ``fetch``, against a stand-in replaying real Atom entries."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import arxiv_api
from store.errors import PaperReaderError, StoreError
from store.fetching import fetch_all, fetch_follow
from store.follows import Follow, Follows
from store.formats import arxiv_atom
from store.library import Library
from store.model import ImportResult, ReadingStatus
from store.query import parse as parse_query
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

ROOT = Path(__file__).resolve().parents[2]
NO_PACE = arxiv_api.Pacer(0)


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    yield from serve()


@pytest.fixture
def entries() -> list[str]:
    """The 100 real entries of a recorded response, newest submission first."""
    return newest_first(entries_of(TESTING_100))


def counts(summary: object) -> dict[str, int]:
    """The import summary's counts that these tests look at (the line may say more)."""
    found = {word: int(n) for word, n in re.findall(r"([a-z]+) ([0-9]+)", str(summary))}
    return {key: found[key] for key in ("added", "updated", "unchanged", "warnings")}


def store_files(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(db.parent.iterdir()) if p.is_file()}


def ids_in(library: Library, collection: str) -> set[str]:
    return {p.arxiv_id for p in library.papers() if collection in p.collections}


# --- follows --------------------------------------------------------------------------


def test_follows_are_kept_beside_the_store_and_survive_a_reopen(db_path: Path) -> None:
    follows = Follows(db_path)
    follows.add("icl", 'cat:cs.LG AND abs:"in-context learning"', now="2026-12-01T10:00:00Z")
    follows.add("lee", "au:Lee_Jason_D", now="2026-12-01T10:01:00Z")
    assert follows.path == db_path.with_name("library.follows.json")

    again = Follows(db_path)
    assert [(f.name, f.query) for f in again.all()] == [
        ("icl", 'cat:cs.LG AND abs:"in-context learning"'),
        ("lee", "au:Lee_Jason_D"),
    ]
    assert again.remove("icl").query.startswith("cat:cs.LG")
    assert [f.name for f in Follows(db_path).all()] == ["lee"]
    # Every write keeps the previous file as a backup, like the state.
    assert db_path.with_name("library.follows.json.bak").exists()


@pytest.mark.parametrize(
    ("name", "query", "message"),
    [
        ("", "au:x", "needs a name"),
        ("-x", "au:x", "cannot start with '-'"),
        ("a\x1b[31mb", "au:x", "not a follow name"),
        ("ok", "  ", "cannot be empty"),
        ("ok", 'abs:"open', "unbalanced quotes"),
        ("ok", "(cat:cs.LG OR cat:cs.AI", "unbalanced parentheses"),
        ("ok", "cat:cs.LG)", "unbalanced parentheses"),
    ],
)
def test_a_bad_follow_is_refused_with_a_reason(
    db_path: Path, name: str, query: str, message: str
) -> None:
    with pytest.raises(PaperReaderError, match=message):
        Follows(db_path).add(name, query, now="")
    assert not db_path.with_name("library.follows.json").exists()


def test_a_name_is_followed_once(db_path: Path) -> None:
    follows = Follows(db_path)
    follows.add("lee", "au:Lee_Jason_D", now="")
    with pytest.raises(PaperReaderError, match="exists already"):
        follows.add("lee", "au:Other", now="")
    with pytest.raises(PaperReaderError, match="no followed query named 'nope'"):
        follows.remove("nope")


def test_a_damaged_follows_file_is_reported_never_read_as_empty(db_path: Path) -> None:
    follows = Follows(db_path)
    follows.add("lee", "au:Lee_Jason_D", now="")
    follows.add("icl", "abs:icl", now="")
    follows.path.write_text('{"version": 1, "follows": [{"name": "lee"', encoding="utf-8")
    with pytest.raises(StoreError, match=r"library\.follows\.json: the file is damaged"):
        follows.all()
    with pytest.raises(StoreError, match="damaged"):
        follows.add("new", "au:x", now="")
    follows.path.unlink()  # lost, while its backup is there
    with pytest.raises(StoreError, match=r"the file is missing.*`paper-reader restore`"):
        follows.all()


def test_a_follows_file_lost_after_its_first_write_is_damage_too(db_path: Path) -> None:
    """The first write keeps a copy: a lost file is never taken for one never written."""
    follows = Follows(db_path)
    follows.add("lee", "au:Lee_Jason_D", now="")
    follows.path.unlink()
    with pytest.raises(StoreError, match="the file is missing"):
        follows.all()
    with pytest.raises(StoreError, match="the file is missing"):
        follows.add("icl", "abs:icl", now="")
    assert not follows.path.exists()


# --- fetch ----------------------------------------------------------------------------


def test_the_first_fetch_pages_through_the_newest_papers(
    db_path: Path, stand_in: StandIn, entries: list[str]
) -> None:
    stand_in.followed = entries
    stand_in.page_cap = 20  # the server returns fewer per page than asked
    library = Library(db_path)
    follow = Follow("testing", "all:testing")

    report = fetch_follow(library, follow, max_papers=50, base_url=stand_in.url, pacer=NO_PACE)

    assert counts(report.summary) == {"added": 50, "updated": 0, "unchanged": 0, "warnings": 0}
    assert report.requests == 3
    starts = [(q["start"], q["max_results"]) for q in stand_in.requests]
    assert starts == [("0", "50"), ("20", "30"), ("40", "10")]
    for request in stand_in.requests:
        assert request["search_query"] == "all:testing"
        assert (request["sortBy"], request["sortOrder"]) == ("submittedDate", "descending")
    newest = {arxiv_id_of(entry) for entry in entries[:50]}
    assert ids_in(library, "testing") == newest
    # Ranks follow the feed: the newest submission is first in the collection.
    first = min(library.papers(), key=lambda p: p.collections["testing"])
    assert first.arxiv_id == arxiv_id_of(entries[0])
    assert sorted(report.new_ids) == sorted(p.id for p in library.papers())
    assert all(library.state(pid).is_new for pid in report.new_ids)


def test_a_server_that_ignores_start_does_not_loop(
    db_path: Path, stand_in: StandIn, entries: list[str]
) -> None:
    stand_in.followed = entries[:30]
    answer = stand_in.answer
    stand_in.answer = lambda query: answer({**query, "start": "0"})  # type: ignore[method-assign]
    library = Library(db_path)
    report = fetch_follow(
        library, Follow("t", "all:testing"), page_size=20, base_url=stand_in.url, pacer=NO_PACE
    )
    assert counts(report.summary)["added"] == 20
    assert len(stand_in.requests) == 2  # the second page repeated the first: stop


def test_a_second_fetch_takes_only_what_is_new(
    db_path: Path, stand_in: StandIn, entries: list[str]
) -> None:
    stand_in.followed = entries[5:]  # the five newest are not submitted yet
    library = Library(db_path)
    follow = Follow("testing", "all:testing")
    fetch_follow(library, follow, max_papers=40, base_url=stand_in.url, pacer=NO_PACE)
    first_ids = {p.id for p in library.papers()}
    library.mark_seen(first_ids)
    library.set_status([sorted(first_ids)[0]], ReadingStatus.READ)

    stand_in.followed = entries  # five new submissions arrive on top
    stand_in.requests.clear()
    report = fetch_follow(library, follow, max_papers=40, base_url=stand_in.url, pacer=NO_PACE)

    assert counts(report.summary) == {"added": 5, "updated": 0, "unchanged": 0, "warnings": 0}
    assert len(stand_in.requests) == 1
    assert ids_in(library, "testing") == {arxiv_id_of(e) for e in entries[:45]}
    new = library.search(parse_query("is:new"))
    assert {p.arxiv_id for p in new} == {arxiv_id_of(e) for e in entries[:5]}
    assert library.state(sorted(first_ids)[0]).status is ReadingStatus.READ

    stand_in.requests.clear()
    before = store_files(db_path)
    nothing = fetch_follow(library, follow, base_url=stand_in.url, pacer=NO_PACE)
    assert counts(nothing.summary) == {"added": 0, "updated": 0, "unchanged": 0, "warnings": 0}
    assert len(stand_in.requests) == 1
    assert store_files(db_path) == before


def test_fetched_papers_merge_with_the_store_by_arxiv_id(
    db_path: Path, stand_in: StandIn, entries: list[str]
) -> None:
    library = Library(db_path)
    known = arxiv_atom.parse(TESTING_100.read_text(encoding="utf-8"), source="x").papers
    held = next(p for p in known if p.arxiv_id == arxiv_id_of(entries[2]))
    library.import_result(ImportResult(papers=[held]), collection="reading list")
    (paper,) = library.papers()
    library.set_status([paper.id], ReadingStatus.READING)
    library.change_tags([paper.id], add=["keep"])

    stand_in.followed = entries[:4]
    report = fetch_follow(library, Follow("t", "all:testing"), base_url=stand_in.url, pacer=NO_PACE)

    assert counts(report.summary) == {"added": 3, "updated": 1, "unchanged": 0, "warnings": 0}
    merged = library.get(paper.id)
    assert set(merged.collections) == {"reading list", "t"}
    assert paper.id not in report.new_ids  # the user had it already: not new
    state = library.state(paper.id)
    assert (state.status, state.tags, state.is_new) == (ReadingStatus.READING, ("keep",), False)


def test_new_ends_when_the_paper_is_seen_or_decided(
    db_path: Path, stand_in: StandIn, entries: list[str]
) -> None:
    stand_in.followed = entries[:3]
    library = Library(db_path)
    report = fetch_follow(library, Follow("t", "all:testing"), base_url=stand_in.url, pacer=NO_PACE)
    first, second, third = report.new_ids
    library.mark_seen([first])
    library.set_status([second], ReadingStatus.SKIPPED)
    assert [p.id for p in library.search(parse_query("is:new"))] == [third]
    assert len(library.search(parse_query("-is:new"))) == 2
    # Written through: another process sees the same.
    assert [p.id for p in Library(db_path).search(parse_query("is:new"))] == [third]


def test_an_http_500_lands_nothing(db_path: Path, stand_in: StandIn, entries: list[str]) -> None:
    library = Library(db_path)
    stand_in.followed = entries[10:20]
    fetch_follow(library, Follow("t", "all:testing"), base_url=stand_in.url, pacer=NO_PACE)
    before = store_files(db_path)
    stand_in.followed = entries[:20]  # ten new ones on top
    stand_in.page_cap = 5
    # The second page fails: the first page must not land alone.
    stand_in.replies = [None, Reply(500)]
    with pytest.raises(PaperReaderError) as caught:
        fetch_follow(library, Follow("t", "all:testing"), base_url=stand_in.url, pacer=NO_PACE)
    assert str(caught.value) == (
        f"cannot reach the arXiv API at {stand_in.url}: HTTP 500 Internal Server Error"
    )
    assert store_files(db_path) == before


def test_a_503_is_retried_after_its_retry_after(stand_in: StandIn, entries: list[str]) -> None:
    stand_in.followed = entries[:3]
    stand_in.replies = [Reply(503, headers={"Retry-After": "7"}), Reply(429)]
    paced: list[float] = []
    retried: list[float] = []
    document = arxiv_api.query(
        [("search_query", "all:testing")],
        base_url=stand_in.url,
        pacer=arxiv_api.Pacer(2.0, sleep=paced.append),
        sleep=retried.append,
    )
    assert len(arxiv_atom.parse(document).papers) == 3
    assert len(stand_in.requests) == 3
    # 7 s as asked; then, with no Retry-After, a pause growing from the pace (2 s).
    assert retried == [7.0, 4.0]
    assert len(paced) == 2  # each retry is a request like any other: paced too


def test_a_503_that_persists_gives_up_after_three_retries(stand_in: StandIn) -> None:
    stand_in.replies = [Reply(503, headers={"Retry-After": "0"}) for _ in range(5)]
    with pytest.raises(PaperReaderError) as caught:
        arxiv_api.query([("search_query", "x")], base_url=stand_in.url, pacer=NO_PACE)
    assert str(caught.value) == (
        f"cannot reach the arXiv API at {stand_in.url}: "
        "HTTP 503 Service Unavailable (still after 3 retries)"
    )
    assert len(stand_in.requests) == 4


def test_a_retry_after_of_an_hour_is_not_waited_for(stand_in: StandIn) -> None:
    stand_in.replies = [Reply(429, headers={"Retry-After": "3600"})]
    with pytest.raises(PaperReaderError, match="asked to wait 3600 s"):
        arxiv_api.query([("search_query", "x")], base_url=stand_in.url, pacer=NO_PACE)


def test_a_closed_port_fails_cleanly(db_path: Path, entries: list[str]) -> None:
    library = Library(db_path)
    url = closed_port_url()
    with pytest.raises(PaperReaderError) as caught:
        fetch_follow(library, Follow("t", "all:testing"), base_url=url, pacer=NO_PACE)
    assert str(caught.value).startswith(f"cannot reach the arXiv API at {url}: ")
    assert "\n" not in str(caught.value)
    assert not db_path.exists()


def test_fetch_all_records_each_fetch_and_stops_at_a_failure(
    db_path: Path, stand_in: StandIn, entries: list[str]
) -> None:
    follows = Follows(db_path)
    follows.add("one", "all:testing", now="")
    follows.add("two", "all:other", now="")
    stand_in.followed = entries[:4]
    stand_in.replies = [None, Reply(500)]
    library = Library(db_path)
    landed: list[str] = []
    with pytest.raises(PaperReaderError, match="HTTP 500"):
        fetch_all(
            library,
            follows,
            base_url=stand_in.url,
            pacer=NO_PACE,
            on_report=lambda r: landed.append(r.follow),
        )
    assert landed == ["one"]
    one, two = follows.all()
    assert (one.fetched_at != "", one.last_added) == (True, 4)
    assert (two.fetched_at, two.last_added) == ("", 0)


# --- pacing ---------------------------------------------------------------------------


def test_the_delay_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(arxiv_api.DELAY_ENV, raising=False)
    assert arxiv_api.request_delay() == 3.0
    monkeypatch.setenv(arxiv_api.DELAY_ENV, "0")
    assert arxiv_api.Pacer.shared().path is None  # no waiting, no file
    monkeypatch.setenv(arxiv_api.DELAY_ENV, "0.5")
    assert arxiv_api.request_delay() == 0.5
    for bad in ("soon", "-1", "nan", "inf"):
        monkeypatch.setenv(arxiv_api.DELAY_ENV, bad)
        with pytest.raises(PaperReaderError, match="PAPER_READER_ARXIV_DELAY must be"):
            arxiv_api.request_delay()


def test_two_pacers_sharing_a_file_take_turns(tmp_path: Path) -> None:
    now = [1000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pace = tmp_path / "arxiv.pace"
    one = arxiv_api.Pacer(3.0, path=pace, sleep=sleep, clock=lambda: now[0])
    other = arxiv_api.Pacer(3.0, path=pace, sleep=sleep, clock=lambda: now[0])
    one.wait()
    now[0] += 1.0
    other.wait()  # another process, 1 s after the first request
    assert slept == [2.0]
    one.wait()
    assert slept == [2.0, 3.0]


_CHILD = """
import sys
from store import arxiv_api
pacer = arxiv_api.Pacer(float(sys.argv[3]), path=__import__("pathlib").Path(sys.argv[2]))
arxiv_api.query([("search_query", "all:x")], base_url=sys.argv[1], pacer=pacer)
"""


def test_processes_share_the_pace(tmp_path: Path, stand_in: StandIn) -> None:
    pace = tmp_path / "arxiv.pace"
    stamps: list[float] = []
    answer = stand_in.answer

    def timed(query: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        stamps.append(time.monotonic())
        return answer(query)

    stand_in.answer = timed  # type: ignore[method-assign]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, stand_in.url, str(pace), "0.8"], cwd=ROOT, env=env
        )
        for _ in range(3)
    ]
    assert [child.wait(timeout=60) for child in children] == [0, 0, 0]
    stamps.sort()
    assert len(stamps) == 3
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= 0.7, gaps


def test_the_user_agent_names_paper_reader(stand_in: StandIn) -> None:
    arxiv_api.query([("search_query", "all:x")], base_url=stand_in.url, pacer=NO_PACE)
    assert stand_in.user_agents[0].startswith("paper-reader/")
