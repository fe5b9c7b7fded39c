"""The abstract pane: a cursor move repaints it alone; a huge abstract never blocks."""

from __future__ import annotations

import random
import time

from store.library import Library
from store.model import ImportResult, Paper
from tests.tui.test_reader import current_id, drive, paper_list, wait_until
from tui.widgets.abstract_view import AbstractView
from tui.widgets.long_text import render_piece, safe_cut
from tui.widgets.notes_pane import NotesPane

HUGE_ID = "huge2027"
WORDS = ["memory", "capacity", "$d \\times d$", "{\\em sharp}", "\\emph{listwise}", "of"]


def huge_abstract(size: int = 10_000_000) -> str:
    """``size`` characters of LaTeX-laden text, marked at its start."""
    rng = random.Random(7)
    words = ["HUGESTART"] + [rng.choice(WORDS) for _ in range(size // 6)]
    return " ".join(words)[:size].rsplit(" ", 1)[0]


async def _rendered_ahead(app, pilot) -> None:
    """Wait until the render-ahead of the current paper's neighbours is done."""

    def idle() -> bool:
        return not any(w.group == "prefetch" and not w.is_finished for w in app.workers)

    await pilot.pause()
    await wait_until(pilot, idle, "rendered ahead")


def test_a_cursor_move_lays_nothing_out(sample_library: Library) -> None:
    """Only the list's rows and the pane repaint: the screen keeps its layout."""
    layouts: list[int] = []

    async def script(app, pilot) -> None:
        screen = app.screen
        view = screen.query_one(AbstractView)
        # The start's own layouts (the screen resumed, focus settled) come first,
        # and the store's files as the fixture left them are taken as read (the
        # screen's poll for outside changes would count facets again).
        await wait_until(pilot, lambda: view.shown_id == current_id(app), "first abstract")
        await _rendered_ahead(app, pilot)
        app.library.refresh()
        original = screen._refresh_layout

        def counted(*args, **kwargs) -> None:
            layouts.append(1)
            original(*args, **kwargs)

        screen._refresh_layout = counted
        titles = set()
        for _ in range(6):
            await pilot.press("j")
            await pilot.pause()
            await wait_until(pilot, lambda: view.shown_id == current_id(app), "abstract shown")
            titles.add(view.content.plain.split("\n", 1)[0])
        assert len(titles) == 6  # the pane did follow the cursor
        assert layouts == []

    drive(sample_library, script)


def test_a_paper_rendered_ahead_shows_in_the_frame_that_moves_the_cursor(
    sample_library: Library,
) -> None:
    """No frame shows the cursor on a paper and the pane on the one before."""
    frames: list[tuple[str, str | None]] = []

    async def script(app, pilot) -> None:
        view = app.screen.query_one(AbstractView)
        display = app._display

        def recorded(screen, update) -> None:
            if update is not None and screen is app.screen:
                frames.append((current_id(app), view.shown_id))
            display(screen, update)

        app._display = recorded
        for _ in range(6):
            await _rendered_ahead(app, pilot)
            frames.clear()
            await pilot.press("j")
            await wait_until(pilot, lambda: view.shown_id == current_id(app), "abstract shown")
            await pilot.pause()
            assert frames, "the move was painted"
            assert all(cursor == shown for cursor, shown in frames), frames

    drive(sample_library, script)


def test_a_cursor_move_between_papers_without_notes_leaves_the_note_pane_alone(
    sample_library: Library,
) -> None:
    """No screen cell of the note pane is sent again when the note stays empty."""
    written: list[tuple[int, int, int]] = []  # (row, first column, end column)

    async def script(app, pilot) -> None:
        notes = app.screen.query_one(NotesPane)
        view = app.screen.query_one(AbstractView)
        await wait_until(pilot, lambda: view.shown_id == current_id(app), "first abstract")
        await _rendered_ahead(app, pilot)
        display = app._display

        def recorded(screen, update) -> None:
            written.extend(getattr(update, "spans", ()))
            display(screen, update)

        app._display = recorded
        for _ in range(4):
            await pilot.press("j")
            await wait_until(pilot, lambda: view.shown_id == current_id(app), "abstract shown")
            await pilot.pause()
            assert notes.paper_id == current_id(app)
        region = notes.region
        assert written, "the moves were painted"
        assert [
            (y, x1, x2)
            for y, x1, x2 in written
            if region.y <= y < region.bottom and x1 < region.right and x2 > region.x
        ] == []

    drive(sample_library, script)


def test_words_undone_in_one_papers_note_never_reach_the_next(sample_library: Library) -> None:
    """Typing then deleting in an empty note leaves no undo step for the next paper."""
    ids: list[str] = []

    async def script(app, pilot) -> None:
        await pilot.press("n", *"oops", *["backspace"] * 4, "escape", "j")
        ids.append(current_id(app))
        await pilot.press("n", "ctrl+z", "escape")
        assert app.screen.query_one(NotesPane).text == ""

    drive(sample_library, script)
    assert Library(sample_library.path).state(ids[0]).note == ""


def test_a_ten_megabyte_abstract_shows_its_start_and_keys_still_work(
    sample_library: Library,
) -> None:
    raw = huge_abstract()
    sample_library.import_result(
        ImportResult(
            [
                Paper(
                    id=HUGE_ID,
                    title="A Paper With a Huge Abstract",
                    abstract=raw,
                    authors=("Jane Doe",),
                    date="2027-01-01",
                )
            ],
            keep_ids=True,
        )
    )
    started = time.monotonic()

    async def script(app, pilot) -> None:
        view = app.screen.query_one(AbstractView)
        await wait_until(pilot, lambda: "HUGESTART" in view.content.plain, "abstract", 2.0)
        assert time.monotonic() - started < 2.0
        assert current_id(app) == HUGE_ID  # the newest paper, listed first
        assert "more characters" in view.content.plain
        assert len(view.content.plain) < 100_000  # a slice, not ten megabytes
        # Its LaTeX is rendered (in a worker) shortly after.
        await wait_until(pilot, lambda: "d × d" in view.content.plain, "LaTeX rendered", 5.0)
        # Paging to the end of the slice shows more of the abstract.
        shown = len(view.content.plain)
        for _ in range(40):
            await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: len(view.content.plain) > shown, "more shown", 5.0)
        assert view.scroll_y > 0
        # A key still moves the cursor, and the next paper's abstract shows.
        pressed = time.monotonic()
        await pilot.press("j")
        await wait_until(pilot, lambda: view.shown_id == current_id(app) != HUGE_ID, "next")
        assert time.monotonic() - pressed < 1.0
        assert "HUGESTART" not in view.content.plain
        assert paper_list(app).cursor == 1

    drive(sample_library, script)


def test_pieces_are_cut_outside_braces_and_math() -> None:
    raw = "intro " + "{\\em a b} $x y$ " * 2_000
    start = 0
    rendered = []
    while start < len(raw):
        end = safe_cut(raw, start, 100)
        assert end > start
        piece = raw[start:end]
        assert piece.count("{") == piece.count("}")
        assert piece.count("$") % 2 == 0
        rendered.append(render_piece(raw, start, end))
        start = end
    assert "$" not in "".join(rendered)  # every math group rendered whole


def test_every_cell_of_the_abstract_carries_the_themes_background(sample_library: Library) -> None:
    """Lines without styled spans too: unstyled cells show the terminal's own colours."""

    async def script(app, pilot) -> None:
        app.theme = "textual-light"
        view = app.screen.query_one(AbstractView)
        await pilot.press("j")
        await wait_until(pilot, lambda: view.shown_id == current_id(app), "abstract shown")
        await pilot.pause()
        background = view.rich_style.bgcolor
        assert background is not None
        lines = [view.render_line(y) for y in range(view.size.height)]
        unpainted = [
            segment.text
            for line in lines
            for segment in line
            if segment.style is None or segment.style.bgcolor != background
        ]
        assert unpainted == []

    drive(sample_library, script)
