"""A hang-up (the SSH link dropped) keeps the note being typed, whatever the loop was doing.

The SIGHUP handler runs between two bytecodes of the event loop's thread. If
that thread is inside the library's lock at that instant (previewing a key's
change), a handler that took the lock itself would wait for ever, and the
alarm would end the process with the note unsaved.
"""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

from store.library import Library
from tests.tui.driving import drive_noting as drive
from tui.app import PaperReaderApp, hang_up_handler
from tui.widgets.paper_list import PaperList


def test_a_hang_up_inside_the_librarys_lock_saves_the_note_and_closes(
    sample_library: Library,
) -> None:
    seen: dict[str, Any] = {"alarms": []}

    async def script(app: PaperReaderApp, pilot: Any, said: list[str]) -> None:
        seen["id"] = app.screen.query_one(PaperList).papers[0].id
        await pilot.press("n", *"words of a dropped link")
        hang_up = hang_up_handler(app, alarm=seen["alarms"].append)
        # The loop's thread holds the lock, as while a change is previewed.
        # (A handler that waits for it is let go after 5 s, so that it fails.)
        lock, guard = sample_library._shown_lock, threading.Lock()
        let_go: list[bool] = []

        def release_once() -> None:
            with guard:
                if not let_go:
                    let_go.append(True)
                    lock.release()

        lock.acquire()
        threading.Timer(5.0, release_once).start()
        started = time.monotonic()
        hang_up(signal.SIGHUP, None)
        took = time.monotonic() - started
        release_once()
        assert took < 1.0  # the handler did not wait for the lock
        assert seen["alarms"] == [2]  # a dead terminal cannot hang the exit
        assert app.hung_up
        await pilot.pause()
        await app.writes_settled()

    drive(sample_library, script)
    assert Library(sample_library.path).state(seen["id"]).note == "words of a dropped link"
