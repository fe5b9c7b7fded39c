"""``F``, ``E`` and the "new" marker in the reader, against a local arXiv stand-in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from store import arxiv_api
from store.follows import Follows
from store.library import Library
from store.query import parse as parse_query
from tests.arxiv_stand_in import (
    JASON_LEE_7,
    TESTING_100,
    StandIn,
    entries_of,
    newest_first,
    serve,
)
from tui.app import make_app
from tui.screens import sources_keys
from tui.widgets.paper_list import NEW_MARK, PaperList

SIZE = (120, 40)


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    for fake in serve():
        monkeypatch.setenv(arxiv_api.API_URL_ENV, fake.url)
        monkeypatch.setenv(arxiv_api.DELAY_ENV, "0")
        yield fake


async def settle(pilot: Any) -> None:
    """Wait for the workers, then for what they handed back to the UI thread."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def row_text(app: Any, index: int) -> str:
    papers = app.screen.query_one(PaperList)
    return "".join(segment.text for segment in papers.render_line(index - papers.scroll_offset.y))


def test_f_fetches_and_new_papers_are_marked_until_seen(
    sample_library: Library, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources_keys, "SEEN_AFTER_S", 0.2)
    stand_in.followed = newest_first(entries_of(TESTING_100))[:3]
    Follows(sample_library.path).add("testing", "all:testing", now="")
    app = make_app(sample_library)
    seen: dict[str, Any] = {}

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("F")
            await settle(pilot)
            seen["notes"] = [n.message for n in app._notifications]
            papers = app.screen.query_one(PaperList)
            new = [i for i, p in enumerate(papers.papers) if app.library.state(p.id).is_new]
            seen["new_rows"] = [row_text(app, i) for i in new]
            # The cursor passes over the first new paper and rests on the second.
            await pilot.press(*["j"] * new[0])
            await pilot.press(*["j"] * (new[1] - new[0]))
            seen["rested"] = papers.papers[new[1]].id
            await asyncio.sleep(0.4)
            await pilot.pause()

    asyncio.run(main())
    assert any(note.startswith("Fetched 3 new papers: testing +3") for note in seen["notes"])
    assert len(seen["new_rows"]) == 3
    assert all(row.lstrip(" ▌").startswith(NEW_MARK) for row in seen["new_rows"])
    reopened = Library(sample_library.path)
    still_new = {p.id for p in reopened.search(parse_query("is:new"))}
    assert seen["rested"] not in still_new
    assert len(still_new) == 2  # passing over a paper is not looking at it


def test_e_enriches_the_current_paper_and_z_takes_it_back(
    sample_library: Library, stand_in: StandIn
) -> None:
    stand_in.searchable = entries_of(JASON_LEE_7)
    app = make_app(sample_library)
    seen: dict[str, Any] = {}

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("slash", *"looped", "enter")
            await pilot.pause()
            current = app.screen.query_one(PaperList).current
            assert current is not None
            seen["current"] = current.id
            await pilot.press("E")
            await settle(pilot)
            seen["after_e"] = Library(sample_library.path).get(seen["current"]).arxiv_id
            seen["notes"] = [n.message for n in app._notifications]
            await pilot.press("z")
            await settle(pilot)

    asyncio.run(main())
    assert seen["current"] == "Giannou2023Looped"
    assert seen["after_e"] == "2301.13196"
    assert any("enriched 1, not found 0, ambiguous 0" in note for note in seen["notes"])
    undone = Library(sample_library.path).get("Giannou2023Looped")
    assert (undone.arxiv_id, undone.authors_truncated) == ("", True)
    assert len(stand_in.requests) == 1


def _progress_line(app: Any) -> str | None:
    """The progress line's text (what, bar, percentage, count), or None when it is not shown."""
    from tui.widgets.sources_progress import SourcesProgress

    found = list(app.screen.query(SourcesProgress))
    if not found:
        return None
    shown = [w for w in found[0].walk_children() if not w.children and w.display]
    return " ".join("".join(s.text for s in w.render_line(0)).strip() for w in shown)


async def _wait_for(pilot: Any, ready: Any, timeout_s: float = 20.0) -> None:
    for _ in range(int(timeout_s / 0.05)):
        if ready():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out")


def test_f_shows_a_progress_bar_while_fetching_and_none_after(
    sample_library: Library, stand_in: StandIn
) -> None:
    stand_in.followed = newest_first(entries_of(TESTING_100))[:30]
    stand_in.page_cap = 10  # three pages
    stand_in.latency_s = 0.4  # each page takes a while: the bar can be seen
    Follows(sample_library.path).add("testing", "all:testing", now="")
    Follows(sample_library.path).add("other", "all:other", now="")
    app = make_app(sample_library)
    seen: dict[str, Any] = {}

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert _progress_line(app) is None
            await pilot.press("F")
            await pilot.pause()
            seen["started"] = _progress_line(app)
            await _wait_for(pilot, lambda: "10/200 papers" in (_progress_line(app) or ""))
            seen["first page"] = _progress_line(app)
            await settle(pilot)
            seen["after"] = _progress_line(app)
            seen["notes"] = [n.message for n in app._notifications]

    asyncio.run(main())
    assert seen["started"] is not None and "Fetching testing" in seen["started"]
    assert "Fetching testing (1 of 2)" in seen["first page"]
    assert "5%" in seen["first page"]  # 10 of at most 200
    assert seen["after"] is None
    assert "Fetched 30 new papers: testing +30, other +0" in seen["notes"]


def test_e_shows_its_progress_and_a_damaged_log_refuses_before_asking_arxiv(
    sample_library: Library, stand_in: StandIn
) -> None:
    stand_in.searchable = entries_of(JASON_LEE_7)
    stand_in.latency_s = 0.4
    app = make_app(sample_library)
    seen: dict[str, Any] = {}

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("slash", *"looped", "enter")  # a paper arXiv has
            await pilot.pause()
            await pilot.press("E")
            await _wait_for(pilot, lambda: _progress_line(app) is not None)
            seen["during"] = _progress_line(app)
            await settle(pilot)
            seen["after"] = _progress_line(app)
            log = sample_library.path.with_name("library.enrichments.json")
            log.write_text("{", encoding="utf-8")
            requests = len(stand_in.requests)
            await pilot.press("slash", "escape")  # the whole library again
            await settle(pilot)
            await pilot.press("j", "E")  # another paper, not linked yet
            await settle(pilot)
            seen["asked"] = len(stand_in.requests) - requests
            seen["notes"] = [n.message for n in app._notifications]

    asyncio.run(main())
    assert seen["during"] is not None and "Enriching 1 paper" in seen["during"]
    assert seen["after"] is None
    assert any(note.startswith("Enriched: enriched 1,") for note in seen["notes"])
    assert seen["asked"] == 0
    assert any(
        "library.enrichments.json: the file is damaged" in note and "paper-reader restore" in note
        for note in seen["notes"]
    )


def test_a_lost_follows_file_is_reported_when_the_reader_opens(sample_library: Library) -> None:
    follows = Follows(sample_library.path)
    follows.add("testing", "all:testing", now="")
    follows.path.unlink()
    app = make_app(sample_library)
    seen: dict[str, Any] = {}

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.pause()
            seen["notes"] = [(n.message, n.severity) for n in app._notifications]

    asyncio.run(main())
    ((message, severity),) = seen["notes"]
    assert severity == "error"
    assert message.startswith(f"{follows.path}: the file is missing")
    assert "`paper-reader restore`" in message
    assert not follows.path.exists()  # reported, never started anew
