"""How the reader looks, pinned as SVG snapshots at a fixed terminal size.

Update deliberately with ``pytest --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from store.library import Library
from tui.app import make_app

SIZE = (120, 40)
# A starred paper under the cursor with the two below it selected.
MARKED = ["j", "s", "space", "space", "k", "k", "k"]


async def _light(pilot: Pilot[None]) -> None:
    pilot.app.theme = "catppuccin-latte"


def test_main_screen(snap_compare, sample_library: Library) -> None:
    assert snap_compare(make_app(sample_library), terminal_size=SIZE)


def test_main_screen_80x24(snap_compare, sample_library: Library) -> None:
    assert snap_compare(make_app(sample_library), terminal_size=(80, 24))


def test_main_screen_light_theme(snap_compare, sample_library: Library) -> None:
    app = make_app(sample_library)
    assert snap_compare(app, terminal_size=SIZE, press=MARKED, run_before=_light)


def test_main_screen_light_theme_80x24(snap_compare, sample_library: Library) -> None:
    app = make_app(sample_library)
    assert snap_compare(app, terminal_size=(80, 24), press=MARKED, run_before=_light)


def test_main_screen_marked_80x24(snap_compare, sample_library: Library) -> None:
    assert snap_compare(make_app(sample_library), terminal_size=(80, 24), press=MARKED)


def test_paper_view_80x24(snap_compare, sample_library: Library) -> None:
    assert snap_compare(make_app(sample_library), terminal_size=(80, 24), press=["j", "enter"])


def test_help_screen(snap_compare, sample_library: Library) -> None:
    assert snap_compare(make_app(sample_library), terminal_size=SIZE, press=["question_mark"])


def test_statistics_screen(snap_compare, sample_library: Library) -> None:
    assert snap_compare(make_app(sample_library), terminal_size=SIZE, press=["S"])


def test_empty_library(snap_compare, db_path: Path) -> None:
    assert snap_compare(make_app(Library(db_path)), terminal_size=SIZE)


def test_search_with_an_error(snap_compare, sample_library: Library) -> None:
    keys = ["slash", *'cat:LG "open']
    assert snap_compare(make_app(sample_library), terminal_size=SIZE, press=keys)
