"""A 10 MB abstract in the paper view and in triage: shown, paged, left like any other."""

from __future__ import annotations

import pytest

from store.library import Library
from store.model import ImportResult, Paper
from tests.tui.contrast import screen_lines
from tests.tui.test_abstract_pane import HUGE_ID, huge_abstract
from tests.tui.test_reader import current_id, drive, wait_until
from tui.screens.main import MainScreen
from tui.screens.paper import PaperScreen
from tui.screens.triage import TriageScreen
from tui.widgets.text_pager import WINDOW, TextPager


@pytest.fixture
def huge_library(sample_library: Library) -> tuple[Library, str]:
    """The sample library and, newest of all, a paper with a 10 MB abstract."""
    raw = huge_abstract()
    paper = Paper(
        id=HUGE_ID,
        title="A Paper With a Huge Abstract",
        abstract=raw,
        authors=("Jane Doe",),
        date="2027-01-01",
    )
    sample_library.import_result(ImportResult([paper], keep_ids=True))
    return sample_library, raw


def _screen(app) -> str:
    return "\n".join(screen_lines(app.export_screenshot()))


async def _page_through(app, pilot, pager: TextPager, raw: str) -> None:
    """The start shows; keys page; G reaches the end, g the start again."""
    await wait_until(pilot, lambda: "HUGESTART" in pager.content.plain, "the start", 5)
    assert "HUGESTART" in _screen(app)
    assert len(pager.content.plain) < 3 * WINDOW  # a window, not ten megabytes
    assert "more characters" in pager.content.plain
    await pilot.press("space")
    assert pager.scroll_y > 0
    await pilot.press("b")
    assert pager.scroll_y == 0
    await pilot.press("j", "j", "k")
    assert pager.scroll_y == 1
    await pilot.press("G")
    await pilot.pause()
    assert pager.window[1] == len(raw)
    assert raw[-40:] in pager.content.plain
    assert raw.split()[-1] in _screen(app)
    assert pager.scroll_y == pager.max_scroll_y
    await pilot.press("g")
    await pilot.pause()
    assert pager.window[0] == 0 and pager.scroll_y == 0
    assert "HUGESTART" in _screen(app)


def test_a_ten_megabyte_abstract_in_the_paper_view(huge_library: tuple[Library, str]) -> None:
    library, raw = huge_library

    async def script(app, pilot) -> None:
        assert current_id(app) == HUGE_ID
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PaperScreen)
        await _page_through(app, pilot, screen.query_one(TextPager), raw)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)

    drive(library, script)


def test_reading_on_past_a_window_shows_the_next_and_back_the_one_before(
    huge_library: tuple[Library, str],
) -> None:
    library, raw = huge_library

    async def script(app, pilot) -> None:
        await pilot.press("enter")
        await pilot.pause()
        pager = app.screen.query_one(TextPager)
        await wait_until(pilot, lambda: "HUGESTART" in pager.content.plain, "the start", 5)
        first_end = pager.window[1]
        for _ in range(100):  # a window is a few hundred lines
            await pilot.press("space")
            if pager.window[0]:
                break
        assert pager.window[0] == first_end
        # The text goes on at the top of the screen where the first window ended.
        shown = _screen(app)
        assert f"{first_end:,} characters before" in shown
        assert " ".join(raw[first_end:].split()[:3]) in " ".join(shown.split())
        await pilot.press("k")
        assert pager.window == (0, first_end)
        assert " ".join(raw[:first_end].split()[-3:]) in " ".join(_screen(app).split())

    drive(library, script)


def test_a_ten_megabyte_abstract_in_triage(huge_library: tuple[Library, str]) -> None:
    library, raw = huge_library

    async def script(app, pilot) -> None:
        await pilot.press("T")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        assert screen.shown_paper_id() == HUGE_ID
        await _page_through(app, pilot, screen.query_one(TextPager), raw)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)

    drive(library, script)
