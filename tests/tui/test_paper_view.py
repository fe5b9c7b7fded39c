"""Reading at 80×24: the abstract on the main screen, and the full-screen paper view."""

from __future__ import annotations

import pytest

from store.library import Library
from store.model import ReadingStatus
from tests.tui.contrast import screen_lines
from tests.tui.test_reader import current_id, drive, paper_list
from tui.render import render_abstract
from tui.screens.main import MainScreen
from tui.screens.paper import PaperScreen
from tui.widgets.abstract_view import AbstractView


def _screen_text(app) -> str:
    return "\n".join(screen_lines(app.export_screenshot()))


def _abstract_start(app, words: int = 6) -> str:
    paper = app.library.complete(paper_list(app).current)
    return " ".join(render_abstract(paper).split()[:words])


def test_the_abstract_starts_on_the_main_screen_at_80x24(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("j")
        await pilot.pause()
        assert paper_list(app).size.height == 8
        shown = " ".join(_screen_text(app).split())
        assert _abstract_start(app) in shown
        # the empty note is a one-line hint until n opens it
        assert app.screen.query_one("#notes").size.height == 1
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.query_one("#notes").size.height > 3

    drive(sample_library, script, size=(80, 24))


def test_an_empty_note_takes_little_room_at_120x40(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        notes = app.screen.query_one("#notes")
        assert notes.outer_size.height <= 3
        assert app.screen.query_one("#abstract").outer_size.height >= 15

    drive(sample_library, script)


def test_brackets_page_the_abstract_from_the_list(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("j")
        await pilot.pause()
        view = app.screen.query_one(AbstractView)
        assert view.scroll_y == 0
        await pilot.press("right_square_bracket")
        assert view.scroll_y > 0
        assert app.focused is paper_list(app)
        await pilot.press("left_square_bracket")
        assert view.scroll_y == 0

    drive(sample_library, script, size=(80, 24))


def test_enter_opens_the_paper_view_where_keys_act_and_page(sample_library: Library) -> None:
    seen: dict[str, str] = {}

    async def script(app, pilot) -> None:
        await pilot.press("j")
        seen["first"] = current_id(app)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PaperScreen)
        body = screen.query_one("#paper-body")
        await pilot.press("space")
        assert body.scroll_y > 0
        await pilot.press("b")
        assert body.scroll_y == 0
        await pilot.press("j")
        assert body.scroll_y == 1
        await pilot.press("r")
        assert app.library.state(seen["first"]).status is ReadingStatus.READ
        await pilot.press("J")
        seen["second"] = screen.paper_id
        assert seen["second"] != seen["first"]
        assert screen.main.paper_list.current.id == seen["second"]  # the list follows
        await pilot.press("s", "K")
        assert screen.paper_id == seen["first"]
        await pilot.press("q")  # back to the list, not out of the app
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.is_running
        assert current_id(app) == seen["first"]

    drive(sample_library, script, size=(80, 24))
    reopened = Library(sample_library.path)
    assert reopened.state(seen["first"]).status is ReadingStatus.READ
    assert reopened.state(seen["second"]).starred


def test_a_note_written_in_the_paper_view_is_saved(sample_library: Library) -> None:
    seen: dict[str, str] = {}

    async def script(app, pilot) -> None:
        seen["id"] = current_id(app)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("n", *"worth a re-read", "escape")
        await pilot.pause()
        assert "worth a re-read" in _screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)

    drive(sample_library, script)
    assert Library(sample_library.path).state(seen["id"]).note == "worth a re-read"


def test_the_paper_view_shows_abstract_text_at_40x12(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        abstract = " ".join(render_abstract(app.library.complete(paper_list(app).current)).split())
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        shown = " ".join(_screen_text(app).split())
        words = shown.split()
        # at least eight words in a row from the abstract are on screen
        assert any(" ".join(words[i : i + 8]) in abstract for i in range(len(words) - 8)), shown

    drive(sample_library, script, size=(40, 12))


def test_enter_in_the_search_bar_only_leaves_it(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("slash", *"lean", "enter")
        assert isinstance(app.screen, MainScreen)
        assert app.focused is paper_list(app)
        await pilot.press("enter")
        assert isinstance(app.screen, PaperScreen)

    drive(sample_library, script)


@pytest.mark.parametrize("size", [(40, 12), (80, 24), (120, 40)])
def test_the_list_has_no_horizontal_scrollbar(sample_library: Library, size) -> None:
    async def script(app, pilot) -> None:
        papers = paper_list(app)
        assert papers.max_scroll_y > 0  # it overflows: the vertical scrollbar shows
        assert papers.max_scroll_x == 0
        assert not papers.show_horizontal_scrollbar
        assert papers.virtual_size.width == papers.scrollable_content_region.width

    drive(sample_library, script, size=size)


def test_the_author_column_keeps_et_al() -> None:
    from store.model import Paper
    from tui.widgets.paper_list import author_label

    def paper(*authors: str, truncated: bool = False) -> Paper:
        return Paper(id="x", title="t", authors=authors, authors_truncated=truncated)

    assert author_label(paper("Yuanhe Zhang", "Yuekai Sun"), 16) == "Zhang et al."
    assert author_label(paper("Yuanhe Zhang", "Yuekai Sun"), 26) == "Zhang et al."
    assert author_label(paper("Zhang, Yuanhe", truncated=True), 14) == "Zhang et al."
    assert author_label(paper("Juno Kim"), 12) == "Juno Kim"
    assert author_label(paper("Ramanathan Krishnamurthy"), 12) == "Krishnamurthy"  # then cut
    assert author_label(paper("Ramanathan Krishnamurthy", "B"), 12) == "Kris… et al."


def test_searched_words_are_highlighted_in_titles_and_the_abstract(
    sample_library: Library,
) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("slash", *"lean -survey author:zhang", "enter")
        await pilot.pause()
        row = list(paper_list(app).render_line(0))
        marked = [s.text for s in row if s.style and s.style.underline]
        assert marked and all(t.casefold() == "lean" for t in marked), row
        body = app.screen.query_one("#abstract", AbstractView).content
        spans = [body.plain[s.start : s.end] for s in body.spans if "underline" in str(s.style)]
        assert spans and all(t.casefold() == "lean" for t in spans), spans

    drive(sample_library, script)
