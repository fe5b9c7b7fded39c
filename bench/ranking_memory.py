"""The reader's memory while a ranking is in use, measured in the reader itself.

``python -m bench.ranking --reader-memory --sizes 100000``: the installed
``paper-reader`` runs in tmux at 120×40 on a synthetic store (see
:func:`bench.ranking.synthetic_store`; its features are built once,
beforehand), and its ``/proc/PID/status`` is read (VmRSS now, VmHWM the
peak so far) at each step of a session:

1. opened, the background loading done (a store with 30 decisions: the
   reader fits a model ~2 s after opening);
2. after a search typed with ``/`` (a word most abstracts hold);
3. after ``O`` three times, through the title, date added and rank orders
   (each costs the reader memory of its own, ranking or not);
4. after ``O`` to "interest", once the list is ordered by it;
5. after ``m`` ("more like this") on the top paper.

The same session on a store without decisions (the same catalogue and
features, hard-linked; no state) is the baseline: there nothing ranks before
``O``, which then only says why not.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

WIDTH, HEIGHT = 120, 40
_QUIET_S = 3.0  # RSS unchanged (±1 MB) this long: the background work is done
_TIMEOUT_S = 180.0


def _reader() -> list[str]:
    beside = Path(sys.executable).with_name("paper-reader")
    found = str(beside) if beside.exists() else shutil.which("paper-reader")
    return [found] if found else [sys.executable, "-m", "tui.cli"]


class Session:
    """One reader in its own tmux server (killed on :meth:`close`)."""

    def __init__(self, db: Path) -> None:
        self.socket = f"bench-ranking-{os.getpid()}-{time.monotonic_ns()}"
        command = " ".join(
            ["exec env -u COLUMNS -u LINES TERM=xterm-256color", *_reader(), "--db", str(db)]
        )
        self._tmux("new-session", "-d", "-x", str(WIDTH), "-y", str(HEIGHT), command)
        self.pid = int(self._tmux("display-message", "-p", "-t", "0", "#{pane_pid}").strip())

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def screen(self) -> str:
        """What the terminal shows now."""
        return self._tmux("capture-pane", "-p", "-t", "0")

    def keys(self, *keys: str) -> None:
        """Press these keys (tmux names: ``Enter``, ``/``); ``-l`` types text literally."""
        self._tmux("send-keys", "-t", "0", *keys)

    def memory(self) -> tuple[float, float]:
        """The reader's RSS now and its peak so far, MB."""
        fields = dict(
            line.split(":", 1) for line in Path(f"/proc/{self.pid}/status").read_text().splitlines()
        )
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

    def wait_for(self, ready: Callable[[str], bool], what: str) -> float:
        """Seconds until the screen satisfies ``ready``, then until the RSS is quiet."""
        start = time.monotonic()
        while not ready(self.screen()):
            if time.monotonic() - start > _TIMEOUT_S:
                raise TimeoutError(f"the reader never showed {what}:\n{self.screen()}")
            time.sleep(0.05)
        shown = time.monotonic() - start
        last, since = self.memory()[0], time.monotonic()
        while time.monotonic() - since < _QUIET_S:
            time.sleep(0.25)
            now = self.memory()[0]
            if abs(now - last) > 1.0:
                last, since = now, time.monotonic()
        return shown

    def close(self) -> None:
        """Stop the reader and its tmux server."""
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)


def _header(screen: str) -> str:
    return next((line for line in screen.splitlines() if " unread" in line), "")


def _shows(text: str) -> Callable[[str], bool]:
    return lambda screen: text in _header(screen)


def session_memory(db: Path, word: str, papers: int) -> dict[str, float]:
    """RSS and peak RSS (MB) of the reader on ``db`` after each step of the session."""
    row: dict[str, float] = {}
    session = Session(db)
    try:
        total = f"of {papers:,}"
        row["open_s"] = session.wait_for(lambda s: total in _header(s), "the list")
        time.sleep(3.0)  # the fit after opening starts 2 s in
        session.wait_for(lambda s: "ranking…" not in s, "quiet")
        row["open_rss_mb"], row["open_peak_mb"] = session.memory()
        session.keys("/")
        session.keys("-l", word)
        session.keys("Enter")
        row["search_s"] = session.wait_for(
            lambda s: total in _header(s) and "searching" not in _header(s), "the results"
        )
        row["search_rss_mb"], row["search_peak_mb"] = session.memory()
        for sort in ("title", "date added", "rank"):  # every sort has its own memory
            session.keys("O")
            session.wait_for(_shows(f"by {sort}"), sort)
        row["sorts_rss_mb"], row["sorts_peak_mb"] = session.memory()
        session.keys("O")
        row["interest_s"] = session.wait_for(
            lambda s: "by interest" in _header(s) or "kept date order" in s, "interest"
        )
        row["interest_rss_mb"], row["interest_peak_mb"] = session.memory()
        session.keys("m")
        row["like_s"] = session.wait_for(lambda s: "like:" in _header(s), "more like this")
        row["like_rss_mb"], row["like_peak_mb"] = session.memory()
    finally:
        session.close()
    return row


def undecided_copy(db: Path) -> Path:
    """The same catalogue and features (hard links) with every decision taken back."""
    copy = db.parent.with_name(f"{db.parent.name}-undecided") / db.name
    if copy.parent.exists():
        shutil.rmtree(copy.parent)
    copy.parent.mkdir(parents=True)
    for path in db.parent.iterdir():
        if path.name.endswith(".lock"):
            continue
        if ".state." in path.name:  # written by ``mark`` below: a copy of its own
            shutil.copy2(path, copy.parent / path.name)
        else:
            os.link(path, copy.parent / path.name)
    decided = []
    for status in ("read", "reading", "skipped"):
        listed = _cli(copy, "list", f"status:{status}", "--json")
        decided += [paper["id"] for paper in json.loads(listed)]
    if decided:
        _cli(copy, "mark", "unread", *decided)
    return copy


def _cli(db: Path, *args: str) -> str:
    done = subprocess.run(
        [*_reader(), "--db", str(db), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def reader_memory(db: Path, word: str, papers: int) -> dict[str, float]:
    """The session on the store as it is (30 decisions) and on its undecided copy."""
    _cli(db, "list", "--sort", "interest", "--limit", "1")  # the reader's own code builds them
    row: dict[str, float] = {"papers": papers, "load_average": os.getloadavg()[0]}
    for name, store in (("undecided", undecided_copy(db)), ("decided", db)):
        for key, value in session_memory(store, word, papers).items():
            row[f"{name}_{key}"] = value
    return row
