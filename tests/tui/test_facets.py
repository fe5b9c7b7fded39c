"""Facets you can see: chips in the header, f to reach them, esc to clear them, O to sort."""

from __future__ import annotations

from store.library import Library
from store.model import ReadingStatus
from tests.tui.test_reader import drive, paper_list
from tui.app import make_app
from tui.widgets.abstract_view import AbstractView
from tui.widgets.filter_panel import FilterPanel


def _header(app) -> str:
    return str(app.screen.query_one("#list-header").content)


def test_f_reaches_the_filters_and_chosen_values_show_as_chips(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        panel = app.screen.query_one(FilterPanel)
        assert app.screen.has_class("-filters-hidden")
        await pilot.press("f")
        assert not app.screen.has_class("-filters-hidden")
        assert app.focused is panel
        await pilot.pause()
        # j/k move from "unread" over reading, read, skipped (Category is a heading) to LG
        await pilot.press("j", "j", "j", "j", "k", "j")
        await pilot.press("space")
        await pilot.pause()
        assert "cat:LG ×" in _header(app)
        assert len(paper_list(app).papers) == 41
        await pilot.press("f")  # a second f hides the pane and returns to the list
        assert app.screen.has_class("-filters-hidden")
        assert app.focused is paper_list(app)
        await pilot.press("space")  # a selection
        await pilot.press("escape")  # clears the selection first
        assert not paper_list(app).selected
        assert "cat:LG ×" in _header(app)
        await pilot.press("escape")  # then the facets
        assert "×" not in _header(app)
        assert len(paper_list(app).papers) == 50

    drive(sample_library, script, size=(80, 24))


def test_O_cycles_the_sort_order_shown_in_the_header(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        assert _header(app).endswith("by date")
        await pilot.press("O")
        assert _header(app).endswith("by title")
        titles = [p.title.casefold() for p in paper_list(app).papers]
        assert titles == sorted(titles)
        await pilot.press("O", "O")
        assert _header(app).endswith("by rank")
        # Interest next: with no decisions the model cannot be trained, which
        # is known once its worker is back; the list then keeps date order.
        await pilot.press("O")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert _header(app).endswith("by date")
        assert any("kept date order" in n.message for n in app._notifications)

    drive(sample_library, script)


def test_the_reader_can_open_filtered_to_an_imported_collection(sample_library: Library) -> None:
    name = sample_library.collections()[0].name
    app = make_app(sample_library, collections=[name], notice="hostile.txt: added 2 [b]x[/b]")

    async def main() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert f"collection:{name} ×" in _header(app)
            notices = [n.message for n in app._notifications]
            assert "hostile.txt: added 2 [b]x[/b]" in notices
            await pilot.press("escape")
            assert "×" not in _header(app)

    import asyncio

    asyncio.run(main())


def test_an_empty_result_says_what_to_do(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("slash", *"nosuchwordanywhere", "enter")
        await pilot.pause()
        body = str(app.screen.query_one("#abstract", AbstractView).content)
        assert "No paper matches" in body and "/ edits the search" in body

    drive(sample_library, script)


def test_a_malformed_query_marks_the_result_as_stale(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("slash", *'cat:LG "open')
        assert "last good result" in _header(app)
        await pilot.press('"')
        assert "last good result" not in _header(app)

    drive(sample_library, script)


def test_facets_still_filter_by_status(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("r")
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("j", "j", "enter")  # Status: unread, reading, read
        await pilot.pause()
        assert "status:read ×" in _header(app)
        assert [app.library.state(p.id).status for p in paper_list(app).papers] == [
            ReadingStatus.READ
        ]

    drive(sample_library, script)
