"""The reader driven by keys through Textual's pilot; assertions on the store."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from store.library import Library
from store.model import ReadingStatus
from tui.app import PaperReaderApp, make_app
from tui.screens.main import MainScreen
from tui.widgets.abstract_view import AbstractView
from tui.widgets.paper_list import PaperList
from tui.widgets.text_pager import TextPager

SIZE = (120, 40)


def drive(
    library: Library,
    script: Callable[[PaperReaderApp, object], Awaitable[None]],
    size: tuple[int, int] = SIZE,
) -> PaperReaderApp:
    app = make_app(library)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await script(app, pilot)

    asyncio.run(main())
    return app


def paper_list(app: PaperReaderApp) -> PaperList:
    return app.screen.query_one(PaperList)


def current_id(app: PaperReaderApp) -> str:
    paper = paper_list(app).current
    assert paper is not None
    return paper.id


async def wait_until(
    pilot: Any, condition: Callable[[], bool], what: str, timeout: float = 5.0
) -> None:
    """Let the app run until ``condition()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await pilot.pause(0.02)


def test_keys_mark_star_and_undo(sample_library: Library) -> None:
    seen: dict[str, str] = {}

    async def script(app, pilot) -> None:
        await pilot.press("j", "j")
        seen["read"] = current_id(app)
        await pilot.press("r")  # decides, and moves on to the next paper
        assert paper_list(app).cursor == 3
        seen["skipped"] = current_id(app)
        await pilot.press("x")
        seen["starred"] = current_id(app)
        await pilot.press("s")
        assert app.library.state(seen["starred"]).starred
        await pilot.press("z")  # undo the star
        assert not app.library.state(seen["starred"]).starred
        await pilot.press("k", "s")  # and star it again

    drive(sample_library, script)
    reopened = Library(sample_library.path)
    assert reopened.state(seen["read"]).status is ReadingStatus.READ
    assert reopened.state(seen["skipped"]).status is ReadingStatus.SKIPPED
    assert reopened.state(seen["starred"]).starred


def test_r_toggles_back_to_unread(sample_library: Library) -> None:
    steps(sample_library, [("r", ReadingStatus.READ, False), ("r", ReadingStatus.UNREAD, False)])


def test_each_state_key_is_persisted_at_each_step(sample_library: Library) -> None:
    read, unread, skipped = ReadingStatus.READ, ReadingStatus.UNREAD, ReadingStatus.SKIPPED
    steps(
        sample_library,
        [
            ("x", skipped, False),
            ("u", unread, False),
            ("s", unread, True),
            ("r", read, True),
            ("s", read, False),
            ("x", skipped, False),
            ("r", read, False),
            ("u", unread, False),
        ],
    )


def steps(library: Library, expected: list[tuple[str, ReadingStatus, bool]]) -> None:
    """Press each key on the first paper; after each, the store (read afresh) shows its effect."""

    def shows(paper_id: str, status: ReadingStatus, starred: bool) -> Callable[[], bool]:
        def check() -> bool:
            state = Library(library.path).state(paper_id)
            return (state.status, state.starred) == (status, starred)

        return check

    async def script(app: PaperReaderApp, pilot: Any) -> None:
        await pilot.press("g")
        target = current_id(app)
        assert shows(target, ReadingStatus.UNREAD, False)()
        for key, status, starred in expected:
            await pilot.press("g", key)  # g: a decision may move the cursor on
            await wait_until(pilot, shows(target, status, starred), f"{key}: {status}, {starred}")

    drive(library, script)


def test_a_decision_moves_on_and_r_toggles_back(sample_library: Library) -> None:
    first: list[str] = []

    async def script(app, pilot) -> None:
        first.append(current_id(app))
        await pilot.press("r")
        await app.writes_settled()
        assert Library(sample_library.path).state(first[0]).status is ReadingStatus.READ
        await pilot.press("k", "r")
        assert current_id(app) != first[0]  # moved on again

    drive(sample_library, script)
    assert Library(sample_library.path).state(first[0]).status is ReadingStatus.UNREAD


def test_decisions_stay_put_when_moving_on_is_turned_off(sample_library: Library) -> None:
    first: list[str] = []

    async def script(app, pilot) -> None:
        first.append(current_id(app))
        app.toggle_advance()
        await pilot.press("r", "s")
        assert current_id(app) == first[0]

    drive(sample_library, script)
    state = Library(sample_library.path).state(first[0])
    assert state.status is ReadingStatus.READ and state.starred

    async def remembered(app, pilot) -> None:
        assert not app.advance_on_decision
        await pilot.press("x")
        assert current_id(app) == first[0]

    drive(sample_library, remembered)


def test_bulk_selection_and_undo(sample_library: Library) -> None:
    picked: list[str] = []

    async def script(app, pilot) -> None:
        for _ in range(3):
            picked.append(current_id(app))
            await pilot.press("space")
        await pilot.press("x")
        assert all(app.library.state(i).status is ReadingStatus.SKIPPED for i in picked)
        await pilot.press("z")

    drive(sample_library, script)
    reopened = Library(sample_library.path)
    assert all(reopened.state(i).status is ReadingStatus.UNREAD for i in picked)


def test_search_filters_live_and_enter_keeps_it(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("slash", *"cat:CL")
        assert len(paper_list(app).papers) == 3
        await pilot.press("enter")
        assert app.focused is paper_list(app)
        assert len(paper_list(app).papers) == 3
        await pilot.press("slash", "escape")
        assert len(paper_list(app).papers) == 50

    drive(sample_library, script)


def test_malformed_query_shows_inline_message(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("slash", *"cat:LG")
        assert len(paper_list(app).papers) == 41
        await pilot.press(*' "open')
        error = app.screen.query_one("#search-error")
        assert error.display
        assert "unclosed" in str(error.render())
        assert len(paper_list(app).papers) == 41  # the last good result stays
        await pilot.press('"')
        assert not error.display

    drive(sample_library, script)


def test_typing_q_in_search_does_not_quit(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("slash", *"quantum")
        assert app.is_running
        assert app.screen.query_one("#search").value == "quantum"

    drive(sample_library, script)


def test_note_is_saved_on_leaving_the_editor(sample_library: Library) -> None:
    target: list[str] = []

    async def script(app, pilot) -> None:
        target.append(current_id(app))
        await pilot.press("n", *"Read *this*", "escape")
        assert app.focused is paper_list(app)

    drive(sample_library, script)
    assert Library(sample_library.path).state(target[0]).note == "Read *this*"


def test_note_is_saved_on_quit(sample_library: Library) -> None:
    target: list[str] = []

    async def script(app, pilot) -> None:
        target.append(current_id(app))
        await pilot.press("n", *"unsaved words")
        await app.action_quit()

    drive(sample_library, script)
    assert Library(sample_library.path).state(target[0]).note == "unsaved words"


def test_copy_link_reaches_the_app_clipboard(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("c")
        assert app.clipboard.startswith("https://arxiv.org/search/?query=")
        await pilot.press("C")
        assert app.clipboard == "https://github.com/YuanheZ/LeanMarathon"
        await pilot.press("y")
        assert app.clipboard.startswith("@misc{Zhang2026LeanMarathon,")

    drive(sample_library, script)


def test_open_without_display_copies_instead(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("o")
        await pilot.pause()
        assert app.clipboard.startswith("https://")
        messages = [n.message for n in app._notifications]
        assert any("No display" in m for m in messages)

    drive(sample_library, script)


def test_tag_dialog_adds_and_removes(sample_library: Library) -> None:
    target: list[str] = []

    async def script(app, pilot) -> None:
        target.append(current_id(app))
        await pilot.press("t", *"theory todo", "enter")
        await pilot.press("t", *"-todo", "enter")

    drive(sample_library, script)
    assert Library(sample_library.path).state(target[0]).tags == ("theory",)


def test_facet_selection_narrows_the_list(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.chosen["category"] = frozenset({"GT"})
        screen.apply_filters()
        assert [p.category for p in paper_list(app).papers] == ["GT"]
        header = str(screen.query_one("#list-header").render())
        assert header.startswith("1 of 50")

    drive(sample_library, script)


def test_triage_decides_one_paper_per_key(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        order = [p.id for p in paper_list(app).papers]
        await pilot.press("T")
        await pilot.pause()
        shown = app.screen.query_one(TextPager).content
        assert app.library.get(order[0]).title in shown.plain
        assert "paper 1 of 50 · 50 left" in str(app.screen.query_one("#triage-progress").content)
        await pilot.press("r", "x", "s", "l")
        assert "paper 5 of 50 · 46 left" in str(app.screen.query_one("#triage-progress").content)
        assert app.library.get(order[4]).title in app.screen.query_one(TextPager).content.plain
        await pilot.press("escape")
        assert app.library.state(order[0]).status is ReadingStatus.READ
        assert app.library.state(order[1]).status is ReadingStatus.SKIPPED
        assert app.library.state(order[2]).starred
        assert app.library.state(order[2]).status is ReadingStatus.UNREAD
        assert app.library.state(order[3]).is_default

    drive(sample_library, script)


def test_help_lists_bindings(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("question_mark")
        text = " ".join(str(s.content) for s in app.screen.query(".help-section"))
        for description in ("Copy link", "Copy BibTeX", "Triage", "Undo", "Skip"):
            assert description in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)

    drive(sample_library, script)


def test_stats_screen_opens(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("S")
        await pilot.pause()
        assert "50 papers" in str(app.screen.query_one("#stats-summary").render())
        await pilot.press("escape")

    drive(sample_library, script)


def test_small_and_resized_terminals(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        assert app.screen.has_class("-narrow")
        assert app.screen.has_class("-filters-hidden")
        await pilot.press("f")
        assert not app.screen.has_class("-filters-hidden")
        await pilot.resize_terminal(40, 12)
        await pilot.press("f", "j", "k")
        await pilot.pause()
        papers = paper_list(app)
        assert papers.size.width > 20 and papers.size.height >= 2
        row = "".join(segment.text for segment in papers.render_line(0))
        assert "LeanMarathon" in row
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not app.screen.has_class("-narrow")
        assert app.screen.query_one("#abstract").size.height > 10

    drive(sample_library, script, size=(80, 24))


def test_outside_changes_are_picked_up(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        first = current_id(app)
        Library(sample_library.path).set_status([first], ReadingStatus.READ)  # another process

        def header() -> str:
            return str(app.screen.query_one("#list-header").render())

        await wait_until(pilot, lambda: "49 unread" in header(), "the header counts 49 unread")
        row = "".join(segment.text for segment in paper_list(app).render_line(0))
        assert "✓" in row[:4]

    drive(sample_library, script)


def test_hostile_titles_are_shown_literally(db_path) -> None:
    from store.model import ImportResult, Paper

    library = Library(db_path)
    hostile = [
        "[bold]Bold[/] and [/]",
        "[@click=app.quit]click me[/]",
        "[link=file:///etc/passwd]x[/link] and …[/",
        "[type=x, v={'a[0]'}]",
    ]
    library.import_result(
        ImportResult(
            [
                Paper(id="", title=t, abstract=t, authors=(f"Author {i}",), date=f"202{i}-01-01")
                for i, t in enumerate(hostile)
            ]
        )
    )

    async def script(app, pilot) -> None:
        papers = paper_list(app)
        assert sorted(p.title for p in papers.papers) == sorted(hostile)
        for y, paper in enumerate(papers.papers):
            row = "".join(segment.text for segment in papers.render_line(y))
            assert paper.title[:20] in row  # the row shows the text itself
            papers.cursor = y
            await pilot.pause()
            body = app.screen.query_one("#abstract", AbstractView).content
            assert body.plain.count(paper.title) == 2  # title and abstract, literally
            # Markup read as markup would style part of the text: no style starts
            # or ends inside the title or the abstract.
            start = body.plain.find(paper.title)
            while start != -1:
                end = start + len(paper.title)
                for span in body.spans:
                    assert not start < span.start < end and not start < span.end < end, span
                start = body.plain.find(paper.title, end)
        await pilot.click(PaperList)
        assert app.is_running

    drive(library, script)


def test_first_run_imports_the_sample_and_says_so(db_path) -> None:
    from tui.app import import_sample_collection

    library = Library(db_path)
    welcome = import_sample_collection(library)
    assert len(library) == 50
    assert "paper-reader import FILE" in welcome
    app = make_app(library, welcome=welcome)

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert any("sample collection" in n.message for n in app._notifications)

    asyncio.run(main())


def test_theme_choice_is_remembered(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        app.theme = "textual-light"
        await pilot.pause()

    drive(sample_library, script)

    async def check(app, pilot) -> None:
        assert app.theme == "textual-light"

    drive(sample_library, check)


def test_command_palette_offers_the_reader_keys(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("Copy link", "Triage", "Read", "Star", "Search"):
            assert title in titles
        from textual.command import CommandList

        from tui.screens.triage import TriageScreen

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Triage")

        def found() -> bool:
            commands = app.screen.query(CommandList)
            return bool(commands) and commands.first().option_count > 0

        await wait_until(pilot, found, "the palette lists the Triage command")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TriageScreen), "triage opens")

    drive(sample_library, script)


def test_rendered_details_never_carry_control_characters() -> None:
    from store.model import Paper, UserState
    from tui.render import paper_details

    paper = Paper(
        id="X",
        title="A\x1b[2Jtitle\x9b with [bold]markup[/]",
        authors=("Ev\x1b]52;c;aGk=\x07il",),
        abstract="line\x1b[31m red \x07bell",
    )
    text = paper_details(paper, UserState())
    plain = text.plain
    assert not any(ch in plain for ch in "\x1b\x9b\x07")
    assert "[bold]markup[/]" in plain
    assert not text.spans or all(span.style for span in text.spans)


def test_large_library_searches_abstracts_in_a_worker(sample_library: Library, monkeypatch) -> None:
    import tui.screens.main as main_screen

    monkeypatch.setattr(main_screen, "FULL_TEXT_INLINE_LIMIT", 10)
    monkeypatch.setattr(main_screen, "TITLES_INLINE_LIMIT", 0)  # titles in the worker too
    word = "blueprint"  # in LeanMarathon's abstract only, not in any title or author

    async def script(app, pilot) -> None:
        await pilot.press("slash", *word)
        await app.workers.wait_for_complete()
        await pilot.pause()
        titles = [p.title for p in paper_list(app).papers]
        assert len(titles) == 1 and titles[0].startswith("LeanMarathon")
        assert "searching" not in str(app.screen.query_one("#list-header").render())

    drive(sample_library, script)


def test_a_fuller_result_keeps_the_cursor_on_the_top_row(
    sample_library: Library, monkeypatch
) -> None:
    """Titles first, then abstracts: papers found only in abstracts may sort above."""
    import tui.screens.main as main_screen
    from store.query import parse

    monkeypatch.setattr(main_screen, "FULL_TEXT_INLINE_LIMIT", 10)
    word = "learning"
    quick = sample_library.search(parse(word), abstracts=False)
    full = sample_library.search(parse(word))
    assert full[0].id != quick[0].id  # the abstracts pass puts another paper first

    async def script(app, pilot) -> None:
        await pilot.press("slash", *word)
        await app.workers.wait_for_complete()
        await pilot.pause()
        listed = paper_list(app)
        assert [p.id for p in listed.papers] == [p.id for p in full]
        assert listed.cursor == 0 and listed.current.id == full[0].id

    drive(sample_library, script)


@pytest.mark.parametrize("titles_inline", [0, 10_000])
def test_typing_in_a_large_library_narrows_each_pass_correctly(
    sample_library: Library, monkeypatch, titles_inline: int
) -> None:
    """Titles narrow the last titles pass (here or in a worker); abstracts the last result."""
    import tui.screens.main as main_screen
    from store.query import parse

    monkeypatch.setattr(main_screen, "FULL_TEXT_INLINE_LIMIT", 10)
    monkeypatch.setattr(main_screen, "TITLES_INLINE_LIMIT", titles_inline)

    async def script(app, pilot) -> None:
        await pilot.press("slash")
        for text in ("lea", "learn", "learning", "learning g"):
            await pilot.press(*text[len(app.screen.query_obj.text) :])
            expected = [p.id for p in app.library.search(parse(text))]
            # The abstracts pass may start a frame after the titles pass: wait for the
            # result to settle (a wrong narrowing settles on another list and fails).
            await wait_until(
                pilot,
                lambda expected=expected: [p.id for p in paper_list(app).papers] == expected,
                text,
            )
            await app.workers.wait_for_complete()
            assert [p.id for p in paper_list(app).papers] == expected, text

    drive(sample_library, script)


def test_clearing_a_search_keeps_the_found_paper_under_the_cursor(
    sample_library: Library,
) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("slash", *"matrix sensing")
        await pilot.pause()
        found = paper_list(app).current
        assert found is not None and "Matrix Sensing" in found.title
        await pilot.press("escape")  # clears the query, back to the whole library
        await pilot.pause()
        listed = paper_list(app)
        assert len(listed.papers) == 50
        assert listed.current.id == found.id and listed.cursor > 0

    drive(sample_library, script)


def test_typing_narrows_the_previous_result(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        await pilot.press("slash", *"lea")
        first = len(paper_list(app).papers)
        await pilot.press(*"rning")
        narrowed = [p.id for p in paper_list(app).papers]
        from store.query import parse

        expected = [p.id for p in app.library.search(parse("learning"))]
        assert narrowed == expected and len(narrowed) <= first

    drive(sample_library, script)


def test_triage_undo_after_a_decision_that_changed_nothing(sample_library: Library) -> None:
    async def script(app, pilot) -> None:
        order = [p.id for p in paper_list(app).papers]
        await pilot.press("j", "r")  # an unrelated change, earlier in the history
        app.library.set_starred([order[0]], True)
        await pilot.press("g", "T", "s", "z")  # star an already starred paper, then undo
        await pilot.pause()
        assert app.library.state(order[1]).status is ReadingStatus.READ  # untouched
        assert app.library.state(order[0]).starred
        assert "paper 1 of" in str(app.screen.query_one("#triage-progress").content)

    drive(sample_library, script)


def test_statistics_tables_show_categories_literally(db_path) -> None:
    from store.model import ImportResult, Paper

    library = Library(db_path)
    library.import_result(
        ImportResult([Paper(id="", title="Evil", category="[reverse]EVIL[/]", date="2020-01-01")])
    )

    async def script(app, pilot) -> None:
        await pilot.press("S")
        await pilot.pause()
        from rich.console import Console

        console = Console(width=100, record=True)
        for static in app.screen.query(".stats-numbers"):
            console.print(static.content)
        assert "[reverse]EVIL[/]" in console.export_text()

    drive(library, script)


def test_rows_fit_the_list_exactly(sample_library: Library) -> None:
    from rich.cells import cell_len

    async def script(app, pilot) -> None:
        for size in ((120, 40), (80, 24), (50, 12)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            papers = paper_list(app)
            width = papers.scrollable_content_region.width
            for y in range(3):
                text = "".join(segment.text for segment in papers.render_line(y))
                assert cell_len(text) == width  # not one cell under the scrollbar
                if len(app.library.get(papers.papers[y].id).title) > width:
                    assert "…" in text  # cut titles say so

    drive(sample_library, script)
