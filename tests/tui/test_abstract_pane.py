"""The abstract pane: a cursor move repaints it alone; a huge abstract never blocks."""

from __future__ import annotations

import random
import time

from store.library import Library
from store.model import ImportResult, Paper
from tests.tui.test_reader import current_id, drive, paper_list, wait_until
from tui.widgets.abstract_view import AbstractView
from tui.widgets.long_text import render_piece, safe_cut

HUGE_ID = "huge2027"
WORDS = ["memory", "capacity", "$d \\times d$", "{\\em sharp}", "\\emph{listwise}", "of"]


def huge_abstract(size: int = 10_000_000) -> str:
    """``size`` characters of LaTeX-laden text, marked at its start."""
    rng = random.Random(7)
    words = ["HUGESTART"] + [rng.choice(WORDS) for _ in range(size // 6)]
    return " ".join(words)[:size].rsplit(" ", 1)[0]


def test_a_cursor_move_lays_nothing_out(sample_library: Library) -> None:
    """Only the list's rows and the pane repaint: the screen keeps its layout."""
    layouts: list[int] = []

    async def script(app, pilot) -> None:
        screen = app.screen
        original = screen._refresh_layout

        def counted(*args, **kwargs) -> None:
            layouts.append(1)
            original(*args, **kwargs)

        screen._refresh_layout = counted
        view = screen.query_one(AbstractView)
        titles = set()
        for _ in range(6):
            await pilot.press("j")
            await pilot.pause()
            await wait_until(pilot, lambda: view.shown_id == current_id(app), "abstract shown")
            titles.add(view.content.plain.split("\n", 1)[0])
        assert len(titles) == 6  # the pane did follow the cursor
        assert layouts == []

    drive(sample_library, script)


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
