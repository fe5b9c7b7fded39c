"""Keys are found, not listed: paper keys reach handlers through one table; help and
the palette walk the screens for the widgets that own keys."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import Static

from store.library import Library
from tui.app import PaperReaderApp, make_app
from tui.keys import help_title, key_owners, own_bindings, titled_screens
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.widgets.paper_list import PaperList

_REQUEST = re.compile(r"request\('(\w+)'\)")


def requested_actions() -> set[str]:
    """The names the list's ``request('…')`` bindings hand to the screen."""
    names = set()
    for binding in PaperList.BINDINGS:
        assert isinstance(binding, Binding)
        match = _REQUEST.fullmatch(binding.action)
        if match:
            names.add(match.group(1))
    return names


def drive(
    library: Library, script: Callable[[PaperReaderApp, Pilot[None]], Awaitable[None]]
) -> None:
    app = make_app(library)

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await script(app, pilot)

    asyncio.run(main())


def help_text(app: PaperReaderApp) -> str:
    return "\n".join(
        str(section.content)
        for section in app.screen.query(".help-section").exclude(".help-guide").results(Static)
    )


def test_every_paper_key_has_a_handler_and_every_handler_a_key(sample_library: Library) -> None:
    actions: set[str] = set()

    async def script(app: PaperReaderApp, pilot: Pilot[None]) -> None:
        assert isinstance(app.screen, MainScreen)
        actions.update(app.screen.paper_actions)

    drive(sample_library, script)
    assert requested_actions() >= {"toggle_read", "skip", "unread", "star", "copy_link"}
    assert actions == requested_actions()


def test_every_owner_of_keys_has_a_help_title(sample_library: Library) -> None:
    async def script(app: PaperReaderApp, pilot: Pilot[None]) -> None:
        owners = [type(node) for node in key_owners(app.screen)]
        assert [help_title(owner) for owner in owners] == [
            "Paper list",
            "Reader",
            "Filters",  # j/k/space/enter inside the filter pane
            "Search bar",
            "Note editor",
        ]
        for owner in [*owners, *titled_screens(), type(app)]:
            assert help_title(owner) != owner.__name__, f"{owner.__name__} has no HELP_TITLE"

    drive(sample_library, script)


class _Pane(Static):
    """A pane with a key of its own, as a future feature would add."""

    HELP_TITLE = "Pager"
    BINDINGS = [Binding("ctrl+e", "noop", "Scroll the pager", id="pager.down")]


def test_a_new_pane_with_keys_is_in_help_and_palette_without_a_list(
    sample_library: Library,
) -> None:
    async def script(app: PaperReaderApp, pilot: Pilot[None]) -> None:
        await app.screen.mount(_Pane("pager"))
        assert own_bindings(_Pane)[0].description == "Scroll the pager"
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Scroll the pager" in titles
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "Pager" in help_text(app) and "Scroll the pager" in help_text(app)

    drive(sample_library, script)


def test_help_over_triage_puts_its_keys_first_and_keeps_the_rest(
    sample_library: Library,
) -> None:
    async def script(app: PaperReaderApp, pilot: Pilot[None]) -> None:
        from tui.screens.triage import TriageScreen

        assert isinstance(app.screen, MainScreen)
        await pilot.press("T")
        assert isinstance(app.screen, TriageScreen)
        await pilot.press("question_mark")
        text = help_text(app)
        assert text.startswith("Triage")
        for title in ("Paper list", "Reader", "Search bar", "Note editor", "Everywhere"):
            assert title in text
        assert "Star & keep" in text

    drive(sample_library, script)
