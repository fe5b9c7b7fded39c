"""Keys typed in one burst (as they arrive over SSH) reach the widget they were meant for."""

from __future__ import annotations

import asyncio

from textual import events

from store.library import Library
from store.model import ReadingStatus
from store.query import parse
from tests.tui.test_reader import drive, paper_list
from tui.screens.main import MainScreen

_CHARACTERS = {"slash": "/", "enter": "\r", "escape": "\x1b", "space": " "}


async def burst(app, pilot, *keys: str) -> None:
    """Queue every key before the app reads the first, then let it work."""
    for key in keys:
        app.post_message(events.Key(key, _CHARACTERS.get(key, key)))
    for _ in range(3):
        await pilot.pause(0.1)


def _matches(library: Library, query: str) -> list[str]:
    return [p.id for p in library.search(parse(query))]


def test_a_burst_after_enter_acts_on_the_search_result(sample_library: Library) -> None:
    lean = _matches(sample_library, "lean")
    assert len(lean) >= 2

    async def script(app, pilot) -> None:
        await burst(app, pilot, "slash", *"lean", "enter", "j", "r")
        assert app.screen.query_one("#search").value == "lean"
        assert isinstance(app.screen, MainScreen)  # enter only left the search bar
        assert app.focused is paper_list(app)
        assert [p.id for p in paper_list(app).papers] == lean

    drive(sample_library, script)
    reopened = Library(sample_library.path)
    assert reopened.state(lean[1]).status is ReadingStatus.READ
    assert reopened.state(lean[0]).status is ReadingStatus.UNREAD


def test_a_burst_after_escape_acts_on_the_whole_list(sample_library: Library) -> None:
    everything = _matches(sample_library, "")

    async def script(app, pilot) -> None:
        await burst(app, pilot, "slash", *"lean", "escape", "j", "j", "x")
        assert app.screen.query_one("#search").value == ""
        assert len(paper_list(app).papers) == len(everything)

    drive(sample_library, script)
    assert Library(sample_library.path).state(everything[2]).status is ReadingStatus.SKIPPED


def test_a_burst_after_leaving_the_note_moves_the_list(sample_library: Library) -> None:
    everything = _matches(sample_library, "")

    async def script(app, pilot) -> None:
        await burst(app, pilot, "n", *"key idea", "escape", "j", "s")
        assert app.focused is paper_list(app)

    drive(sample_library, script)
    reopened = Library(sample_library.path)
    assert reopened.state(everything[0]).note == "key idea"
    assert reopened.state(everything[1]).starred


def test_the_burst_waits_for_a_background_search(sample_library: Library, monkeypatch) -> None:
    """In a large library the search finishes in a worker; the keys wait for it."""
    import tui.screens.main as main_module

    monkeypatch.setattr(main_module, "FULL_TEXT_INLINE_LIMIT", 10)
    monkeypatch.setattr(main_module, "TITLES_INLINE_LIMIT", 0)
    lean = _matches(sample_library, "lean")

    async def script(app, pilot) -> None:
        await burst(app, pilot, "slash", *"lean", "enter", "j", "r")
        await asyncio.sleep(0)

    drive(sample_library, script)
    assert Library(sample_library.path).state(lean[1]).status is ReadingStatus.READ


def test_a_selection_typed_after_a_decision_is_kept(sample_library: Library) -> None:
    everything = _matches(sample_library, "")

    async def script(app, pilot) -> None:
        await burst(app, pilot, "j", "s", "space", "space")
        assert paper_list(app).selected == {everything[2], everything[3]}

    drive(sample_library, script)
    assert Library(sample_library.path).state(everything[1]).starred


def test_undo_of_a_bulk_change_counts_every_paper(sample_library: Library) -> None:
    everything = _matches(sample_library, "")

    async def script(app, pilot) -> None:
        await burst(app, pilot, "space", "space", "space", "r", "z")
        messages = [n.message for n in app._notifications]
        assert "Marked read: 3 papers" in messages
        assert "Undone: Marked read (3 papers)" in messages

    drive(sample_library, script)
    reopened = Library(sample_library.path)
    assert all(reopened.state(i).status is ReadingStatus.UNREAD for i in everything[:3])


def test_deciding_in_an_unread_list_moves_to_the_next_unread_paper(
    sample_library: Library,
) -> None:
    everything = _matches(sample_library, "")

    async def script(app, pilot) -> None:
        await burst(app, pilot, "slash", *"status:unread", "enter", "j", "j", "r", "x")
        # papers 2 and 3 left the list; the cursor is on what was paper 4
        assert paper_list(app).current.id == everything[4]
        assert len(paper_list(app).papers) == len(everything) - 2

    drive(sample_library, script)
    reopened = Library(sample_library.path)
    assert reopened.state(everything[2]).status is ReadingStatus.READ
    assert reopened.state(everything[3]).status is ReadingStatus.SKIPPED
