"""The reader never waits for the store's lock: keys act at once, writes land in order after.

Another process (a child holding ``<store>.lock`` with flock, as a script
would) keeps the store busy while keys are pressed. The screen must show each
change at once, the disk (read by a fresh :class:`Library`) must get every
write after the lock is released, in the order the keys were pressed, and a
write that cannot be made must be said and taken off the screen.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from textual.widgets import Static

from store.library import Library
from store.model import ReadingStatus
from tests.lock_holder import held_lock
from tests.tui.driving import drive_noting as drive
from tui.app import PaperReaderApp
from tui.widgets.paper_list import PaperList

HOLD_S = 3.0


def papers(app: PaperReaderApp) -> PaperList:
    return app.screen.query_one(PaperList)


def row(app: PaperReaderApp, index: int) -> str:
    """The text of list row ``index`` as painted (the list is scrolled to the top)."""
    return papers(app).render_line(index).text


def header(app: PaperReaderApp) -> str:
    return str(app.screen.query_one("#list-header", Static).content)


def on_disk(library: Library, paper_id: str) -> tuple[ReadingStatus, bool]:
    state = Library(library.path).state(paper_id)
    return state.status, state.starred


async def released(holder: Any) -> None:
    """Wait, without blocking the app, until the holding process has let go."""
    await asyncio.to_thread(holder.wait)


def test_j_and_r_act_at_once_while_another_process_holds_the_lock(
    sample_library: Library,
) -> None:
    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        order = [p.id for p in papers(app).papers]
        read = ReadingStatus.READ
        with held_lock(sample_library.path, HOLD_S) as holder:
            started = time.monotonic()
            await pilot.press("j", "r")
            assert time.monotonic() - started < 1.5  # the keys did not wait for the lock
            assert papers(app).current is not None
            assert papers(app).current.id == order[2]  # j, then r moved on
            assert read.symbol in row(app, 1)  # the row shows it read
            assert ReadingStatus.UNREAD.symbol not in row(app, 1)
            assert "49 unread" in header(app)
            await pilot.press("j")  # the cursor still moves
            assert papers(app).current.id == order[3]
            assert app.writer.busy
            assert on_disk(sample_library, order[1]) == (ReadingStatus.UNREAD, False)
            await released(holder)
        await app.writes_settled()
        assert on_disk(sample_library, order[1]) == (read, False)
        assert read.symbol in row(app, 1)
        assert not any("Not saved" in line for line in said)

    drive(sample_library, script)


def test_a_write_that_fails_is_said_and_taken_off_the_row(sample_library: Library) -> None:
    # Waits a third of a second for the lock instead of ten.
    impatient = Library(sample_library.path, lock_timeout=0.3)

    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        first = papers(app).papers[0]
        with held_lock(sample_library.path, HOLD_S):
            await pilot.press("r")
            assert ReadingStatus.READ.symbol in row(app, 0)
            assert "49 unread" in header(app)
            await app.writes_settled()  # the lock times out meanwhile
            assert ReadingStatus.READ.symbol not in row(app, 0)  # reverted
            assert ReadingStatus.UNREAD.symbol in row(app, 0)
            assert "50 unread" in header(app)
            assert app.library.state(first.id).status is ReadingStatus.UNREAD
            failure = [line for line in said if line.startswith("Not saved")]
            assert len(failure) == 1
            assert "Marked read" in failure[0] and first.title[:30] in failure[0]
            assert "busy in another process" in failure[0]
            await pilot.press("z")  # nothing was written, so there is nothing to undo
            assert said[-1] == "Nothing to undo"
        assert on_disk(sample_library, first.id) == (ReadingStatus.UNREAD, False)
        assert app.writer.untold() == []  # it was said on screen: nothing for stderr

    drive(impatient, script)


def test_writes_to_one_paper_land_in_the_order_of_the_keys(sample_library: Library) -> None:
    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        app.toggle_advance()  # stay on the paper
        paper_id = papers(app).papers[0].id
        with held_lock(sample_library.path, HOLD_S) as holder:
            # read, unread again, star, skip, read: each decided from what the row shows
            await pilot.press("r", "r", "s", "x", "r")
            assert app.library.state(paper_id).status is ReadingStatus.READ
            assert app.library.state(paper_id).starred
            await released(holder)
        await app.writes_settled()
        assert on_disk(sample_library, paper_id) == (ReadingStatus.READ, True)

    drive(sample_library, script)


def test_r_r_s_leaves_what_the_last_key_says(sample_library: Library) -> None:
    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        app.toggle_advance()
        paper_id = papers(app).papers[0].id
        with held_lock(sample_library.path, HOLD_S) as holder:
            await pilot.press("r", "r", "s")
            await released(holder)
        await app.writes_settled()
        assert on_disk(sample_library, paper_id) == (ReadingStatus.UNREAD, True)

    drive(sample_library, script)


def test_z_pressed_before_the_write_lands_undoes_it(sample_library: Library) -> None:
    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        paper_id = papers(app).papers[0].id
        with held_lock(sample_library.path, HOLD_S) as holder:
            await pilot.press("s")
            assert "★" in row(app, 0) or app.library.state(paper_id).starred
            await pilot.press("z")
            assert not app.library.state(paper_id).starred  # shown undone at once
            await released(holder)
        await app.writes_settled()
        assert on_disk(sample_library, paper_id) == (ReadingStatus.UNREAD, False)
        assert said[-1] == "Undone: Starred (1 paper)"

    drive(sample_library, script)


def test_quit_waits_for_the_lock_and_the_write_lands(sample_library: Library) -> None:
    seen: dict[str, Any] = {}

    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        seen["id"] = papers(app).papers[0].id
        with held_lock(sample_library.path, HOLD_S) as holder:
            await pilot.press("n", *"written while busy")
            await app.action_quit()  # queues the note, then waits for the lock
            await pilot.pause(1.0)
            assert app.return_code is None  # still waiting: leaving now would lose the note
            assert "Saving…" in said
            assert Library(sample_library.path).state(seen["id"]).note == ""
            await released(holder)
        await app.workers.wait_for_complete()
        assert app.return_code == 0  # the reader left once the note was written

    drive(sample_library, script)
    assert Library(sample_library.path).state(seen["id"]).note == "written while busy"


def test_triage_decisions_and_the_paper_view_keys_are_written_after_the_lock(
    sample_library: Library,
) -> None:
    seen: dict[str, str] = {}

    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        with held_lock(sample_library.path, HOLD_S) as holder:
            await pilot.press("T")
            await pilot.pause()
            seen["first"] = app.screen.queue[0]  # type: ignore[attr-defined]
            seen["second"] = app.screen.queue[1]  # type: ignore[attr-defined]
            started = time.monotonic()
            await pilot.press("r", "s", "escape")
            await pilot.press("G", "enter")  # the paper view of the last paper
            await pilot.pause()
            seen["viewed"] = app.screen.paper_id  # type: ignore[attr-defined]
            assert seen["viewed"] not in (seen["first"], seen["second"])
            await pilot.press("x", "escape")
            assert time.monotonic() - started < 2.0
            assert app.library.state(seen["viewed"]).status is ReadingStatus.SKIPPED
            await released(holder)
        await app.writes_settled()

    drive(sample_library, script)
    reopened = Library(sample_library.path)
    assert reopened.state(seen["first"]).status is ReadingStatus.READ
    assert reopened.state(seen["second"]).starred
    assert reopened.state(seen["viewed"]).status is ReadingStatus.SKIPPED


def test_a_write_failing_while_quitting_is_kept_for_stderr(sample_library: Library) -> None:
    impatient = Library(sample_library.path, lock_timeout=0.3)
    seen: dict[str, Any] = {}

    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        seen["title"] = papers(app).papers[0].title
        with held_lock(sample_library.path, HOLD_S):
            await pilot.press("r")
            await app.action_quit()
            await app.workers.wait_for_complete()
        seen["unsaved"] = app.unsaved()

    drive(impatient, script)
    [line] = seen["unsaved"]  # what run_reader prints once the screen has closed
    assert line.startswith("Marked read (") and seen["title"][:30] in line
    assert "busy in another process" in line


def test_z_before_a_write_fails_has_nothing_to_undo(sample_library: Library) -> None:
    impatient = Library(sample_library.path, lock_timeout=0.3)

    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        first = papers(app).papers[0]
        with held_lock(sample_library.path, HOLD_S):
            await pilot.press("r", "z")  # z is queued behind the write that will fail
            assert app.library.state(first.id).status is ReadingStatus.UNREAD  # undone at once
            await app.writes_settled()
        assert any(line.startswith("Not saved: Marked read") for line in said)
        assert said[-1] == "Nothing to undo: Marked read changed nothing on disk"
        assert ReadingStatus.UNREAD.symbol in row(app, 0)
        assert on_disk(sample_library, first.id) == (ReadingStatus.UNREAD, False)

    drive(impatient, script)


def test_z_in_triage_after_a_failed_decision_leaves_the_decision_before_it(
    sample_library: Library,
) -> None:
    impatient = Library(sample_library.path, lock_timeout=0.3)
    seen: dict[str, str] = {}

    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        await pilot.press("T")
        await pilot.pause()
        seen["first"] = app.screen.queue[0]  # type: ignore[attr-defined]
        await pilot.press("r")
        await app.writes_settled()
        with held_lock(sample_library.path, HOLD_S):
            await pilot.press("r")  # the second paper: its write times out
            await app.writes_settled()
        assert any(line.startswith("Not saved: Triage: read") for line in said)
        await pilot.press("z")  # back to the second paper, whose decision never landed
        await app.writes_settled()
        assert app.library.state(seen["first"]).status is ReadingStatus.READ

    drive(impatient, script)
    # The first paper's decision was not the one z stepped back over.
    assert on_disk(sample_library, seen["first"]) == (ReadingStatus.READ, False)


Steps = Callable[[PaperReaderApp, Any, list[str]], Awaitable[None]]


def first_papers_note_after(library: Library, steps: Steps) -> str:
    """Run ``steps`` in a reader whose writes give up after 0.3 s; the first paper's note."""
    seen: dict[str, str] = {}

    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        seen["id"] = papers(app).papers[0].id
        await steps(app, pilot, said)

    drive(Library(library.path, lock_timeout=0.3), script)
    return Library(library.path).state(seen["id"]).note


async def quit_and_wait(app: PaperReaderApp) -> None:
    await app.action_quit()
    await app.workers.wait_for_complete()


def test_a_note_that_could_not_be_saved_stays_in_the_editor_and_is_saved_on_quit(
    sample_library: Library,
) -> None:
    async def steps(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        with held_lock(sample_library.path, HOLD_S):
            await pilot.press("n", *"words typed while busy", "escape")
            await app.writes_settled()  # the save times out
            await pilot.pause()
        assert any(line.startswith("Not saved: Note") for line in said)
        # The failure is said, and the words are still there to be saved again.
        assert app.screen.notes.text == "words typed while busy"  # type: ignore[attr-defined]
        await quit_and_wait(app)

    assert first_papers_note_after(sample_library, steps) == "words typed while busy"


def test_a_note_of_the_paper_view_that_could_not_be_saved_stays_in_its_editor(
    sample_library: Library,
) -> None:
    async def steps(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        await pilot.press("enter")
        await pilot.pause()
        with held_lock(sample_library.path, HOLD_S):
            await pilot.press("n", *"paper view words", "escape")
            await app.writes_settled()
            await pilot.pause()
        assert any(line.startswith("Not saved: Note") for line in said)
        await pilot.press("n")  # opening the editor again shows the words, not the disk
        assert app.screen.note_editor().text == "paper view words"  # type: ignore[attr-defined]
        await pilot.press("escape", "escape")  # leaving the paper saves them
        await app.writes_settled()

    assert first_papers_note_after(sample_library, steps) == "paper view words"


def test_a_note_whose_save_failed_after_moving_on_is_shown_again_and_saved_on_quit(
    sample_library: Library,
) -> None:
    async def steps(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        with held_lock(sample_library.path, HOLD_S):
            # The words are saved on moving to the next paper, and that save fails.
            await pilot.press("n", *"words of a busy morning", "escape", "j", "j")
            await app.writes_settled()
            await pilot.pause()
            assert any(line.startswith("Not saved: Note") for line in said)
            assert app.screen.notes.text != "words of a busy morning"  # type: ignore[attr-defined]
            await pilot.press("k", "k")  # back on the paper: its words, not the disk's
            await pilot.pause()
            assert app.screen.notes.text == "words of a busy morning"  # type: ignore[attr-defined]
            await pilot.press("j")  # moving on again tries to save them, and fails again
            await app.writes_settled()
            await pilot.pause()
        await quit_and_wait(app)  # the lock is free now: quitting saves them

    assert first_papers_note_after(sample_library, steps) == "words of a busy morning"


def test_a_failed_note_save_does_not_bring_back_words_the_user_replaced(
    sample_library: Library,
) -> None:
    async def steps(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        with held_lock(sample_library.path, HOLD_S):
            await pilot.press("n", *"first draft", "escape", "j")
            await app.writes_settled()
            await pilot.pause()
        # The lock is free: the user comes back, replaces the words, moves on.
        await pilot.press("k", "n", "ctrl+a", *"second", "escape", "j")
        await app.writes_settled()
        await pilot.pause()
        await quit_and_wait(app)

    note = first_papers_note_after(sample_library, steps)
    assert "second" in note and note != "first draft"
