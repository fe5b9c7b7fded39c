"""The reader's store writes, run one at a time in the order given, off the UI thread.

A write waits for the store's file lock (another process may hold it for
seconds); the UI thread never does, so keys keep working meanwhile. Every
write lands, in order: there is one thread and one queue, so a later change
to a paper never lands before an earlier one, and an undo queued after a
change runs after it. No Textual here: callers say what to do with each
result (the reader posts a message to its screen).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Failure:
    """A write that did not happen: what it was, and why."""

    what: str
    error: str

    def __str__(self) -> str:
        return f"{self.what}: {self.error}"


@dataclass(frozen=True, slots=True)
class _Job:
    what: str
    write: Callable[[], Any]
    landed: Callable[[Any], object]
    failed: Callable[[Failure, Exception], object]


class StoreWriter:
    """One thread applying writes in the order they were submitted.

    ``landed`` and ``failed`` run on the writer thread: they must only hand
    the result over (post a message), never touch the UI, and not raise.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._idle = threading.Condition()
        self._unfinished = 0
        # Failures nobody has told the user about yet (the reader prints them on exit).
        self._untold: list[Failure] = []
        self._ending = False

    def submit(
        self,
        what: str,
        write: Callable[[], T],
        landed: Callable[[T], object],
        failed: Callable[[Failure, Exception], object],
    ) -> None:
        """Queue ``write`` (``what``: the change, as the user would name it).

        ``landed(result)`` or ``failed(failure, error)`` follows on the writer thread.
        """
        with self._idle:
            self._unfinished += 1
        self._jobs.put(_Job(what, write, landed, failed))
        self._start()

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                # A daemon, so that a write stuck on a dead disk cannot keep the
                # process alive for ever; the reader waits for the queue to
                # empty (:meth:`wait`) before it exits.
                self._thread = threading.Thread(target=self._run, name="store-writer", daemon=True)
                self._thread.start()

    @property
    def busy(self) -> bool:
        """True while a write is queued or under way."""
        with self._idle:
            return self._unfinished > 0

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every write submitted so far has landed or failed; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout)

    def told(self, failure: Failure) -> None:
        """The user has been told about ``failure`` (ignored once :meth:`ending`)."""
        with self._idle:
            if failure in self._untold and not self._ending:
                self._untold.remove(failure)

    def ending(self) -> None:
        """The program is ending: failures from now on stay untold, whatever the screen shows.

        A notice shown as the screen closes is not seen; the reader prints
        them after it has closed.
        """
        with self._idle:
            self._ending = True

    def untold(self) -> list[Failure]:
        """Failures the user has not been told about, oldest first."""
        with self._idle:
            return list(self._untold)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                self._do(job)
            finally:
                with self._idle:
                    self._unfinished -= 1
                    self._idle.notify_all()

    def _do(self, job: _Job) -> None:
        try:
            result = job.write()
        except Exception as err:  # every failure is reported, none stops the writer
            failure = Failure(job.what, str(err) or type(err).__name__)
            with self._idle:
                self._untold.append(failure)
            job.failed(failure, err)
            return
        job.landed(result)
