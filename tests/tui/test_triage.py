"""Triage: the paper keys of the list work on the paper shown; space pages the abstract."""

from __future__ import annotations

from store.library import Library
from store.model import ReadingStatus
from tests.tui.contrast import screen_lines
from tests.tui.test_reader import drive
from tui.screens.triage import TriageScreen


def test_paper_keys_work_in_triage(sample_library: Library) -> None:
    seen: dict[str, str] = {}

    async def script(app, pilot) -> None:
        await pilot.press("T")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        seen["first"] = screen.shown_paper_id()
        footer = screen_lines(app.export_screenshot())[-1]
        assert "space Page" in footer and "? Help" in footer
        await pilot.resize_terminal(50, 14)  # a long abstract: more than a screen
        await pilot.pause()
        await pilot.press("space")
        assert screen.query_one("#triage-body").scroll_y > 0
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard.startswith("https://")
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard.startswith("@")
        await pilot.press("C")  # the first paper has a code link
        await pilot.pause()
        assert "github.com" in app.clipboard
        await pilot.press("t", *"triaged", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        await pilot.press("n", *"read the appendix", "escape")
        await pilot.pause()
        await pilot.press("r")
        assert screen.shown_paper_id() != seen["first"]

    drive(sample_library, script)
    state = Library(sample_library.path).state(seen["first"])
    assert state.tags == ("triaged",)
    assert state.note == "read the appendix"
    assert state.status is ReadingStatus.READ


def test_O_sorts_what_is_left_to_triage(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("T")
        await pilot.pause()
        screen = app.screen
        await pilot.press("x")
        await pilot.press("O")
        assert "by title" in str(screen.query_one("#triage-progress").content)
        ahead = [app.library.get(i).title.casefold() for i in screen.queue[1:]]
        assert ahead == sorted(ahead)
        assert app.library.state(screen.queue[0]).status is ReadingStatus.SKIPPED

    drive(sample_library, script)


def test_q_in_triage_goes_back_to_the_list(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("T")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, TriageScreen)

    drive(sample_library, script)


def test_z_in_triage_undoes_the_decision_it_steps_back_over_not_a_later_tag(
    sample_library: Library,
) -> None:
    seen: dict[str, str] = {}

    async def script(app, pilot) -> None:
        await pilot.press("T")
        await pilot.pause()
        screen = app.screen
        seen["first"] = screen.queue[0]
        seen["second"] = screen.queue[1]
        await pilot.press("r")  # the first paper read; the second is shown
        await pilot.press("t", *"later", "enter")  # a tag on the second, after the decision
        await pilot.pause()
        await pilot.press("z")  # back to the first paper
        await app.writes_settled()
        assert screen.shown_paper_id() == seen["first"]

    drive(sample_library, script)
    reopened = Library(sample_library.path)
    assert reopened.state(seen["first"]).status is ReadingStatus.UNREAD
    assert reopened.state(seen["second"]).tags == ("later",)
