"""The store writer on its own: one thread, writes in the order given, every outcome reported."""

from __future__ import annotations

import threading
import time

from tui.store_writer import Failure, StoreWriter


def test_writes_run_in_order_off_the_calling_thread() -> None:
    writer = StoreWriter()
    done: list[int] = []
    threads: set[int] = set()
    gate = threading.Event()

    def write(n: int) -> int:
        gate.wait(5)  # the first write is slow (a held lock): the others queue behind it
        threads.add(threading.get_ident())
        return n

    for n in range(20):
        writer.submit(f"write {n}", lambda n=n: write(n), done.append, lambda f, e: None)
    assert writer.busy and done == []  # submitting never waits for a write
    gate.set()
    assert writer.wait(5)
    assert done == list(range(20))
    assert threads and threading.get_ident() not in threads and len(threads) == 1
    assert not writer.busy


def test_a_failure_is_reported_kept_until_told_and_later_writes_still_run() -> None:
    writer = StoreWriter()
    failures: list[tuple[Failure, Exception]] = []
    landed: list[str] = []

    def fails() -> str:
        raise OSError("disk full")

    writer.submit(
        "Marked read (A paper)", fails, landed.append, lambda f, e: failures.append((f, e))
    )
    writer.submit("Starred (B)", lambda: "B", landed.append, lambda f, e: failures.append((f, e)))
    assert writer.wait(5)
    assert landed == ["B"]
    [(failure, error)] = failures
    assert isinstance(error, OSError)
    assert str(failure) == "Marked read (A paper): disk full"
    assert writer.untold() == [failure]  # printed on exit unless the screen said it
    writer.told(failure)
    assert writer.untold() == []


def test_wait_times_out_while_a_write_is_stuck() -> None:
    writer = StoreWriter()
    gate = threading.Event()
    writer.submit("slow", lambda: gate.wait(5), lambda r: None, lambda f, e: None)
    started = time.monotonic()
    assert not writer.wait(0.2)
    assert time.monotonic() - started < 2
    gate.set()
    assert writer.wait(5)


def test_failures_once_ending_stay_untold_even_when_shown() -> None:
    writer = StoreWriter()
    shown: list[Failure] = []

    def fails() -> None:
        raise OSError("read-only file system")

    writer.ending()  # the reader is quitting: a notice now would not be seen
    writer.submit("Note (A paper)", fails, lambda r: None, lambda f, e: shown.append(f))
    assert writer.wait(5)
    writer.told(shown[0])
    assert [str(f) for f in writer.untold()] == ["Note (A paper): read-only file system"]
