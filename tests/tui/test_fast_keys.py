"""Keys typed faster than a screen closes go where the user meant them.

Textual gives a key to the focused widget's own queue and reads the next one
at once, so two keys typed together both went to the paper view: the first
closed it and the second, a ``q`` meant for the list (quit), was lost.
"""

from __future__ import annotations

import asyncio

import pytest
from textual import events

from store.library import Library
from tui.app import make_app
from tui.screens.main import MainScreen
from tui.widgets.paper_list import PaperList


def typed_together(library: Library, opening: str, keys: list[str]) -> tuple[int | None, str, int]:
    """Open a screen with ``opening``, then send ``keys`` in one burst, as a fast typist does."""
    app = make_app(library)
    seen: dict[str, str] = {}

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press(opening)
            await pilot.pause()
            seen["opened"] = type(app.screen).__name__
            for key in keys:  # all queued before the first is handled
                app.post_message(events.Key(key, key if len(key) == 1 else None))
            await pilot.pause(0.3)
            seen["left_on"] = type(app.screen).__name__
            seen["cursor"] = str(app.screen.query_one(PaperList).cursor)

    asyncio.run(main())
    assert seen["opened"] != MainScreen.__name__
    return app.return_code, seen.get("left_on", ""), int(seen.get("cursor", "-1"))


@pytest.mark.parametrize(
    ("opening", "keys"),
    [
        ("enter", ["q", "q"]),  # the paper view, then the list quits
        ("enter", ["escape", "q"]),
        ("T", ["q", "q"]),  # triage
        ("S", ["S", "q"]),  # statistics
        ("question_mark", ["q", "q"]),  # help
    ],
)
def test_a_key_that_closes_a_screen_lets_the_next_key_reach_the_list(
    sample_library: Library, opening: str, keys: list[str]
) -> None:
    code, _, _ = typed_together(sample_library, opening, keys)
    assert code == 0  # the second key quit from the list


def test_closing_the_paper_view_and_moving_on_in_one_burst_moves_the_list(
    sample_library: Library,
) -> None:
    code, left_on, cursor = typed_together(sample_library, "enter", ["escape", "j"])
    assert code is None and left_on == MainScreen.__name__
    assert cursor == 1  # the j moved the list's cursor from the first paper
