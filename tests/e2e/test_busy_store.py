"""The installed reader in tmux while another process holds the store's lock.

Keys keep working; quitting or a dropped terminal waits for the lock, and the
changes are on disk before the process exits.
"""

from __future__ import annotations

import json
import os
import signal
import time

from store.library import Library
from store.model import ReadingStatus
from tests.e2e.test_tmux import Terminal, cli, terminal  # noqa: F401  (terminal: a fixture)
from tests.lock_holder import held_lock


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_exit(pid: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while alive(pid):
        assert time.monotonic() < deadline, "paper-reader did not exit"
        time.sleep(0.1)


def test_quit_while_the_lock_is_held_writes_before_exiting(terminal: Terminal) -> None:  # noqa: F811
    order = [p["id"] for p in json.loads(cli(terminal, "list", "--json"))]
    terminal.start()
    terminal.wait_for("50 of 50")
    pid = terminal.app_pid()
    with held_lock(terminal.db, 5.0) as holder:
        terminal.keys("j", "r")
        terminal.wait_for("49 unread")  # shown at once, though not written
        terminal.keys("q")
        terminal.wait_for("Saving")
        time.sleep(1.0)
        assert alive(pid)  # waiting for the lock, not gone without the write
        assert Library(terminal.db).state(order[1]).status is ReadingStatus.UNREAD
        holder.wait()
    wait_exit(pid)
    assert Library(terminal.db).state(order[1]).status is ReadingStatus.READ


def test_a_note_typed_before_a_hangup_lands_once_the_lock_is_free(terminal: Terminal) -> None:  # noqa: F811
    terminal.start()
    terminal.wait_for("50 of 50")
    pid = terminal.app_pid()
    with held_lock(terminal.db, 5.0) as holder:
        terminal.keys("n")
        terminal.literal("kept through a busy store")
        terminal.wait_for("kept through a busy store")
        os.kill(pid, signal.SIGHUP)
        time.sleep(3.0)  # longer than the 2 s the exit itself is given
        assert alive(pid)
        holder.wait()
    wait_exit(pid)
    assert "kept through a busy store" in cli(terminal, "list", "has:note", "--json")
