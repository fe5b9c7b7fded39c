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
