"""Ranking in the reader: ``O`` to interest, ``m`` for more like this, triage and why lines.

A real store holds two real bibliographies far apart in topic (a
machine-learning thesis, psychology with abstracts); the user read six papers
of the first and skipped six of the second. The psychology papers are the
newer: date order puts them first.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from store.importing import import_files
from store.library import Library
from store.model import ReadingStatus
from tests.conftest import REALDATA
from tests.tui.test_reader import current_id, drive, paper_list, wait_until
from tui.screens.main import MainScreen
from tui.screens.paper import PaperScreen
from tui.screens.triage import TriageScreen
from tui.widgets.text_pager import TextPager

LIKED = REALDATA / "bibtex" / "ml-phd-thesis-millidge-813-entries.bib"
SKIPPED = REALDATA / "bibtex" / "zotero-export-psychology-abstract-url-file-584.bib"
DECISIONS = 6
FIT_TIMEOUT_S = 60.0  # the first fit builds the features in a child process


@pytest.fixture(scope="module")
def decided_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two files imported, six papers of each decided on (built once, copied per test)."""
    folder = tmp_path_factory.mktemp("decided") / "store"
    library = Library(folder / "library.json")
    import_files(library, [str(LIKED), str(SKIPPED)])
    for stem, status in (
        (LIKED.stem, ReadingStatus.READ),
        (SKIPPED.stem, ReadingStatus.SKIPPED),
    ):
        ids = [p.id for p in library.papers() if list(p.collections) == [stem]]
        step = len(ids) // DECISIONS
        library.set_status(ids[::step][:DECISIONS], status)
    library.close()
    return folder


@pytest.fixture
def decided(decided_store: Path, tmp_path: Path) -> Library:
    folder = tmp_path / "store"
    shutil.copytree(decided_store, folder)
    return Library(folder / "library.json")


def _from(library: Library, paper_ids: list[str], path: Path) -> int:
    return sum(list(library.get(i).collections) == [path.stem] for i in paper_ids)


async def _go_to_first_liked(app: Any, pilot: Any) -> str:
    """Put the cursor on the first paper of the kind the user reads; its id."""
    listed = paper_list(app).papers
    at = next(i for i, p in enumerate(listed) if list(p.collections) == [LIKED.stem])
    for _ in range(at):
        await pilot.press("j")
    return current_id(app)


def _header(app: Any) -> str:
    return str(app.screen.query_one("#list-header", Static).content)


async def _sort_by_interest(app: Any, pilot: Any) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    await pilot.press("O", "O", "O", "O")  # date → title → added → rank → interest
    assert screen.sort == "interest" and "by interest" in _header(app)
    await wait_until(pilot, lambda: screen.interest is not None, "a model", FIT_TIMEOUT_S)
    await pilot.pause()
    return screen


def test_O_to_interest_lists_the_kind_the_user_reads_first(decided: Library) -> None:
    async def script(app: Any, pilot: Any) -> None:
        by_date = [p.id for p in paper_list(app).papers[:20]]
        screen = await _sort_by_interest(app, pilot)
        assert screen.interest is not None and screen.interest.trained
        top = [p.id for p in paper_list(app).papers[:20]]
        assert _from(decided, top, LIKED) >= 18 > _from(decided, by_date, LIKED)
        assert "by interest" in _header(app) and "ranking…" not in _header(app)
        assert current_id(app) == by_date[0]  # as for every sort: the cursor keeps its paper

    drive(decided, script)


def test_a_decision_refits_without_moving_the_rows(decided: Library) -> None:
    async def script(app: Any, pilot: Any) -> None:
        screen = await _sort_by_interest(app, pilot)
        first_model = screen.interest
        await pilot.press("j")  # on the second row
        before = [p.id for p in paper_list(app).papers]
        decided_id = current_id(app)
        await pilot.press("x")  # skipped: the list keeps it (no status filter)
        await wait_until(
            pilot, lambda: screen._fresh_interest is not None, "a refit", FIT_TIMEOUT_S
        )
        assert screen.interest is first_model  # not applied under the cursor
        assert [p.id for p in paper_list(app).papers] == before
        assert decided.state(decided_id).status is ReadingStatus.SKIPPED
        await pilot.press("slash", "a", "enter")  # the next query takes the new model
        await pilot.pause()
        assert screen.interest is not first_model and screen._fresh_interest is None

    drive(decided, script)


def test_untrained_model_says_why_and_keeps_date_order(sample_library: Library) -> None:
    async def script(app: Any, pilot: Any) -> None:
        screen = app.screen
        by_date = [p.id for p in paper_list(app).papers]
        await pilot.press("O", "O", "O", "O")
        await wait_until(pilot, lambda: not screen.interest_waiting, "a model", FIT_TIMEOUT_S)
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("0 decisions so far, 5 needed; kept date order" in m for m in said), said
        assert screen.sort == "date" and "by date" in _header(app)
        assert [p.id for p in paper_list(app).papers] == by_date
        await pilot.press("T")  # no model to order by: date order, and O says why
        await pilot.pause()
        triage = app.screen
        assert isinstance(triage, TriageScreen) and triage.sort == "date"
        queue = list(triage.queue)
        await pilot.press("O", "O", "O", "O")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert sum("5 needed; kept date order" in m for m in said) == 2, said
        assert triage.sort == "date" and triage.queue == queue

    drive(sample_library, script)


def test_m_lists_papers_like_this_one_and_esc_goes_back(decided: Library) -> None:
    async def script(app: Any, pilot: Any) -> None:
        screen = app.screen
        listed = paper_list(app).papers
        origin = await _go_to_first_liked(app, pilot)
        await pilot.press("m")
        await wait_until(pilot, lambda: screen.like is not None, "like", FIT_TIMEOUT_S)
        await pilot.pause()
        near = [p.id for p in paper_list(app).papers]
        assert origin not in near and len(near) < len(listed)
        assert _from(decided, near[:10], LIKED) >= 8
        assert f"like:{origin} ×" in _header(app)
        await pilot.press("escape")
        await pilot.pause()
        assert screen.like is None and f"like:{origin}" not in _header(app)
        assert [p.id for p in paper_list(app).papers] == [p.id for p in listed]
        assert current_id(app) == origin

    drive(decided, script)


def test_triage_offers_interest_order_and_the_paper_view_says_why(decided: Library) -> None:
    async def script(app: Any, pilot: Any) -> None:
        screen = app.screen
        await wait_until(
            pilot, lambda: screen.known_interest is not None, "the model fitted on opening", 60
        )
        await _go_to_first_liked(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PaperScreen)
        assert "Why: " in app.screen.query_one(TextPager).content.plain
        await pilot.press("escape", "T")
        await pilot.pause()
        triage = app.screen
        assert isinstance(triage, TriageScreen)
        assert _from(decided, triage.queue[:20], LIKED) >= 18
        assert "by interest" in str(triage.query_one("#triage-progress", Static).content)
        shown = triage.query_one(TextPager).content.plain
        assert shown.startswith("Why: ")
        await pilot.press("O")  # interest → date
        ahead = [decided.get(i).date for i in triage.queue]
        assert ahead == sorted(ahead, reverse=True)

    drive(decided, script)


def test_opening_without_enough_decisions_builds_no_model(sample_library: Library) -> None:
    """A reader opened by someone who has decided nothing pays nothing for ranking."""
    from store.features import cache_path
    from tui.screens.interest import FIT_AFTER_OPEN_S

    async def script(app: Any, pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.pause(FIT_AFTER_OPEN_S + 0.5)
        await app.workers.wait_for_complete()
        assert screen.latest_interest is None
        assert not cache_path(sample_library.path).exists()

    drive(sample_library, script)
