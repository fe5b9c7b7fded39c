"""Every paper key of the list reaches a handler on the screen, found by name in one table."""

from __future__ import annotations

import asyncio
import re

from textual.binding import Binding

from store.library import Library
from tui.app import make_app
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


def test_every_paper_key_has_a_handler_and_every_handler_a_key(sample_library: Library) -> None:
    app = make_app(sample_library)
    actions: set[str] = set()

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)
            actions.update(app.screen.paper_actions)

    asyncio.run(main())
    assert requested_actions() >= {"toggle_read", "skip", "unread", "star", "copy_link"}
    assert actions == requested_actions()
