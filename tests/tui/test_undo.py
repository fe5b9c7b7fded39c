"""`z` in the reader and in triage: only the reader's own change goes back.

Another process (the real command line, in a child process) writes between
the change and the undo; its writes must survive, and the notification must
say what was and was not undone.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from store.library import Library
from store.model import ReadingStatus
from store.undo import UndoOutcome
from tests.conftest import run_cli
from tests.tui.driving import drive_noting as drive
from tui.app import PaperReaderApp
from tui.history import describe
from tui.widgets.paper_list import PaperList


def current_id(app: PaperReaderApp) -> str:
    paper = app.screen.query_one(PaperList).current
    assert paper is not None
    return paper.id


def cli(library: Library, *args: str) -> None:
    """The other shell: ``paper-reader ARGS`` in its own process."""
    done = run_cli(library.path, *args)
    assert done.returncode == 0, done.stderr


def test_undo_takes_back_the_star_and_keeps_the_other_process_changes(
    sample_library: Library,
) -> None:
    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        paper_id = current_id(app)
        await pilot.press("s")
        await app.writes_settled()  # the star is on disk before the other shell writes
        cli(sample_library, "mark", "reading", paper_id)
        cli(sample_library, "tag", paper_id, "+x")
        await pilot.press("z")
        await app.writes_settled()  # the undo is written, and what it did is said
        await pilot.pause()
        state = Library(sample_library.path).state(paper_id)
        assert not state.starred
        assert state.status is ReadingStatus.READING
        assert state.tags == ("x",)
        assert said[-1] == "Undone: Starred (1 paper)"

    drive(sample_library, script)


def test_a_status_changed_elsewhere_is_not_undone_and_the_reader_says_so(
    sample_library: Library,
) -> None:
    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        paper_id = current_id(app)
        await pilot.press("r")
        await app.writes_settled()
        cli(sample_library, "mark", "skipped", paper_id)
        await pilot.press("z")
        await app.writes_settled()  # the undo is written, and what it did is said
        await pilot.pause()
        assert Library(sample_library.path).state(paper_id).status is ReadingStatus.SKIPPED
        assert app.library.state(paper_id).status is ReadingStatus.SKIPPED
        assert said[-1] == "Marked read: changed elsewhere since; not undone"

    drive(sample_library, script)


def test_bulk_counts_match_between_the_change_and_its_undo(sample_library: Library) -> None:
    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        picked: list[str] = []
        for _ in range(3):
            picked.append(current_id(app))
            await pilot.press("space")
        app.library.set_status(picked[1:2], ReadingStatus.READ)  # one is read already
        await pilot.press("r")
        assert said[-1] == "Marked read: 2 papers (1 already)"
        await pilot.press("z")
        await app.writes_settled()  # the undo is written, and what it did is said
        await pilot.pause()
        assert said[-1] == "Undone: Marked read (2 papers)"
        statuses = [Library(sample_library.path).state(i).status for i in picked]
        assert statuses == [ReadingStatus.UNREAD, ReadingStatus.READ, ReadingStatus.UNREAD]

    drive(sample_library, script)


def test_bulk_undo_leaves_the_paper_changed_elsewhere(sample_library: Library) -> None:
    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        picked: list[str] = []
        for _ in range(3):
            picked.append(current_id(app))
            await pilot.press("space")
        await pilot.press("x")
        assert said[-1] == "Skipped: 3 papers"
        await app.writes_settled()
        cli(sample_library, "mark", "read", picked[0])
        await pilot.press("z")
        await app.writes_settled()  # the undo is written, and what it did is said
        await pilot.pause()
        assert said[-1] == (
            "Undone: Skipped (2 papers); 1 paper changed elsewhere since, not undone there"
        )
        statuses = [Library(sample_library.path).state(i).status for i in picked]
        assert statuses == [ReadingStatus.READ, ReadingStatus.UNREAD, ReadingStatus.UNREAD]

    drive(sample_library, script)


def test_triage_undo_keeps_a_change_made_elsewhere(sample_library: Library) -> None:
    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        await pilot.press("T")
        await pilot.pause()
        first = app.screen.queue[0]  # type: ignore[attr-defined]
        await pilot.press("s")  # star and keep
        await app.writes_settled()
        cli(sample_library, "unstar", first)
        cli(sample_library, "mark", "reading", first)
        await pilot.press("z")
        await app.writes_settled()  # the undo is written, and what it did is said
        await pilot.pause()
        assert said[-1] == "Triage: star: changed elsewhere since; not undone"
        assert "paper 1 of" in str(app.screen.query_one("#triage-progress", Static).content)
        state = Library(sample_library.path).state(first)
        assert (state.starred, state.status) == (False, ReadingStatus.READING)

        await pilot.press("x")  # skip it, then undo with nobody writing in between
        await pilot.press("z")
        await app.writes_settled()  # the undo is written, and what it did is said
        await pilot.pause()
        assert said[-1] == "Undone: Triage: skipped (1 paper)"
        assert Library(sample_library.path).state(first).status is ReadingStatus.READING

    drive(sample_library, script)


def test_a_note_edit_undoes_as_one_change(sample_library: Library) -> None:
    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        paper_id = current_id(app)
        await pilot.press("n", *"before", "escape")  # a first edit
        await pilot.pause()
        await pilot.press("n", "end", *" one")  # a second edit, saved in two bursts
        await pilot.pause(0.8)
        await pilot.press(*" two", "escape")
        await pilot.pause()
        await app.writes_settled()
        assert Library(sample_library.path).state(paper_id).note == "before one two"
        await pilot.press("z")
        await app.writes_settled()  # the undo is written, and what it did is said
        await pilot.pause()
        assert Library(sample_library.path).state(paper_id).note == "before"
        assert said[-1] == "Undone: Note edited (1 paper)"

    drive(sample_library, script)


def test_the_undo_message_counts_papers() -> None:
    assert describe("Starred", UndoOutcome(undone=3)) == "Undone: Starred (3 papers)"
    assert describe("Starred", UndoOutcome(left=2)) == (
        "Starred: 2 papers changed elsewhere since; not undone"
    )
    assert describe("Tagged", UndoOutcome(undone=1, partly=1)) == (
        "Undone: Tagged (2 papers); 1 paper changed elsewhere since, not undone there"
    )
