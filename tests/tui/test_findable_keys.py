"""Keys a newcomer can find: the footer at any width, the palette, the help."""

from __future__ import annotations

import pytest

from store.library import Library
from tests.tui.contrast import screen_lines
from tests.tui.test_reader import drive
from tui.screens.help import HelpScreen
from tui.screens.paper import PaperScreen


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (40, 12), (120, 40)])
def test_the_footer_always_keeps_help(sample_library: Library, size: tuple[int, int]) -> None:
    async def script(app, pilot) -> None:
        footer = screen_lines(app.export_screenshot())[-1]
        assert "? Help" in footer, footer
        assert "^p palette" in footer or size[0] < 60, footer
        if size[0] >= 80:
            for key in ("r Read", "x Skip", "/ Search", "q Quit"):
                assert key in footer, footer
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PaperScreen)
        footer = screen_lines(app.export_screenshot())[-1]
        assert "? Help" in footer, footer

    drive(sample_library, script, size=size)


def test_the_palette_offers_every_key_with_its_human_name(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        for title in (
            "Statistics",
            "Undo",
            "Filters",
            "Copy code link",
            "Open link",
            "Select",
            "Help",
            "Unread",
            "Read paper",
            "Quit",
        ):
            assert title in commands, title
        assert "Move to the next paper after r, x, s: turn off" in commands
        assert commands["More like this"] == "key: m"
        assert commands["Search"] == "key: /"
        assert commands["Help"] == "key: ?"
        assert commands["Down"] == "key: j / ↓"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Statistics")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        from tui.screens.stats import StatsScreen

        assert isinstance(app.screen, StatsScreen)

    drive(sample_library, script)


def test_help_scrolls_and_explains_the_search_syntax(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(screen_lines(app.export_screenshot()))
        assert "Search syntax" in text and "author:lee" in text
        body = app.screen.query_one("#help-body")
        assert body.max_scroll_y > 0
        await pilot.press("j", "j")
        assert body.scroll_y == 2
        await pilot.press("space")
        assert body.scroll_y > 2
        await pilot.press("b", "k", "k")
        assert body.scroll_y == 0
        body.scroll_end(animate=False)
        await pilot.pause()
        text = "\n".join(screen_lines(app.export_screenshot()))
        assert "Everywhere" in text
        await pilot.press("q")  # closes help, does not quit
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, HelpScreen)

    drive(sample_library, script, size=(80, 24))


def test_statistics_scroll_with_j_and_k(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("S")
        await pilot.pause()
        body = app.screen.query_one("#stats-body")
        assert body.max_scroll_y > 0
        await pilot.press("j", "j")
        assert body.scroll_y == 2
        await pilot.press("k")
        assert body.scroll_y == 1
        plot = app.screen.query_one("#plot-years")
        assert plot.size.width >= 20  # the plot keeps room beside the numbers

    drive(sample_library, script, size=(80, 24))
