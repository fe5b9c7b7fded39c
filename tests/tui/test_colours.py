"""Every text cell readable in every built-in theme (WCAG contrast from the rendered screen)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from textual.app import App
from textual.geometry import Region

from store.library import Library
from tests.tui.contrast import Cell, contrast_ratio, text_cells
from tui.app import make_app
from tui.colours import readable_variables
from tui.widgets.paper_list import PaperList

# The ANSI themes draw in the terminal's own palette, unknown here.
THEMES = [name for name in App().available_themes if not name.startswith("ansi")]
MINIMUM = 4.5


@dataclass
class Shot:
    """The text cells of one screenshot and where the list's rows are."""

    cells: list[Cell]
    list_region: Region

    def row(self, index: int) -> list[Cell]:
        """The cells of the list's row ``index`` (the list is scrolled to the top)."""
        region = self.list_region
        line = region.y + index
        return [c for c in self.cells if c.line == line and region.x <= c.column < region.right]


def _screens_in_every_theme(library: Library, size: tuple[int, int]) -> dict[str, Shot]:
    """The main screen in each theme: row 1 starred under the cursor, rows 2-3 selected."""
    app = make_app(library)
    shots: dict[str, Shot] = {}

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.press("j", "s", "space", "space", "k", "k", "k")
            paper_list = app.screen.query_one(PaperList)
            assert paper_list.cursor == 1 and len(paper_list.selected) == 2
            assert paper_list.scroll_offset.y == 0
            for theme in THEMES:
                app.theme = theme
                await pilot.pause()
                shots[theme] = Shot(text_cells(app.export_screenshot()), paper_list.region)

    asyncio.run(main())
    return shots


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_every_text_cell_is_readable_in_every_theme(
    sample_library: Library, size: tuple[int, int]
) -> None:
    failures = []
    for theme, shot in _screens_in_every_theme(sample_library, size).items():
        cells = shot.cells
        assert len(cells) > 500, f"{theme}: the screen shows almost no text"
        faint = [c for c in cells if c.contrast < MINIMUM]
        if faint:
            worst = min(faint, key=lambda c: c.contrast)
            failures.append(
                f"{theme}: {len(faint)} cells below {MINIMUM}:1, worst {worst.contrast:.2f} "
                f"({worst.char!r} {worst.foreground} on {worst.background} at "
                f"line {worst.line}, column {worst.column})"
            )
        stars = [c for c in shot.row(1) if c.char == "★"]
        assert stars, f"{theme}: no ★ on the starred row under the cursor"
    assert not failures, "\n".join(failures)


def test_selection_is_a_tint_not_a_flood(sample_library: Library) -> None:
    for theme, shot in _screens_in_every_theme(sample_library, (120, 40)).items():
        plain, selected = shot.row(5), shot.row(2)
        assert selected and plain
        shift = contrast_ratio(selected[5].background, plain[5].background)
        assert 1.02 < shift < 2.5, f"{theme}: selection background {shift:.2f}:1 from a row's"


def test_muted_theme_colours_are_made_readable() -> None:
    variables = {
        "background": "#fdf6e3",
        "surface": "#eee8d5",
        "panel": "#eee8d5",
        "boost": "#00000010",
        "text-muted": "auto 38%",
        "foreground": "#93a1a1",
    }
    fixed = readable_variables(variables)
    for name in ("text-muted", "foreground"):
        for ground in ("background", "surface"):
            assert contrast_ratio(fixed[name], fixed[ground]) >= MINIMUM, (name, ground)
    assert (
        readable_variables({"background": "ansi_default", "text-muted": "x"})["text-muted"] == "x"
    )


@pytest.mark.parametrize(
    "keys",
    [
        # a chip in the header, a highlighted search word, the filter pane focused
        ["slash", *"learning", "enter", "f", "enter"],
        # the paper view, a note being written, the help over it
        ["enter", "n", *"a note", "escape", "question_mark"],
        ["T", "space"],  # triage
    ],
    ids=["search-and-filters", "paper-view-and-help", "triage"],
)
def test_other_screens_are_readable_in_every_theme(sample_library: Library, keys) -> None:
    app = make_app(sample_library)
    failures: list[str] = []

    async def main() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press(*keys)
            await pilot.pause()
            for theme in THEMES:
                app.theme = theme
                await pilot.pause()
                cells = text_cells(app.export_screenshot())
                faint = [c for c in cells if c.contrast < MINIMUM]
                if faint:
                    worst = min(faint, key=lambda c: c.contrast)
                    failures.append(
                        f"{theme}: {len(faint)} cells, worst {worst.contrast:.2f} "
                        f"({worst.char!r} {worst.foreground} on {worst.background} "
                        f"at {worst.line},{worst.column})"
                    )

    asyncio.run(main())
    assert not failures, "\n".join(failures)
