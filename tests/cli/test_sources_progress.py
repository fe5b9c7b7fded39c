"""``fetch`` and ``enrich`` draw a progress bar on a terminal, and nothing more when piped."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.arxiv_stand_in import TESTING_100, StandIn, entries_of, newest_first, serve
from tests.cli.test_sources import cli
from tests.conftest import ROOT, child_env
from tui.cli.progress import DelayedBar

# Slow enough between pages that the bar (shown after a second of work) appears.
PACED = "1.1"
# Brackets a markup reader would take for a style: a follow's name is shown as typed.
NAME = "[bold]icl[/bold]"


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    yield from serve()


def _fetch(db: Path, api: str, *, stderr_on_terminal: bool) -> tuple[int, str, str]:
    """``paper-reader fetch`` paced as arXiv is: (exit code, stdout, stderr as shown)."""
    env = {**child_env(), "PAPER_READER_ARXIV_API": api, "PAPER_READER_ARXIV_DELAY": PACED}
    args = [sys.executable, "-m", "tui.cli", "--db", str(db), "fetch", "--max", "30"]
    if not stderr_on_terminal:
        done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
        return done.returncode, done.stdout, done.stderr
    terminal, child_side = pty.openpty()
    shown = bytearray()

    def read() -> None:
        while True:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # the child closed its side
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        child = subprocess.run(
            args, stdout=subprocess.PIPE, stderr=child_side, cwd=ROOT, env=env, timeout=60
        )
    finally:
        os.close(child_side)
    reader.join(timeout=10)
    os.close(terminal)
    return child.returncode, child.stdout.decode(), shown.decode("utf-8", "replace")


def test_fetch_draws_a_bar_on_a_terminal_and_wipes_it(tmp_path: Path, stand_in: StandIn) -> None:
    stand_in.followed = newest_first(entries_of(TESTING_100))[:30]
    stand_in.page_cap = 10  # three pages, 1.1 s apart
    db = tmp_path / "terminal" / "library.json"
    assert cli(db, stand_in.url, "follow", "add", NAME, "all:testing").returncode == 0
    code, out, shown = _fetch(db, stand_in.url, stderr_on_terminal=True)
    assert code == 0, shown
    assert out.startswith(f"{NAME}: added 30")
    assert f"fetch {NAME}" in shown  # the name as typed, not styled
    assert "20/30" in shown and "30/30" in shown
    assert "0/?" not in shown  # the first frame already shows the pages received
    assert shown.endswith("\x1b[1A\x1b[2K"), shown[-80:]  # wiped before the summary


def test_fetch_prints_nothing_extra_when_piped(tmp_path: Path, stand_in: StandIn) -> None:
    stand_in.followed = newest_first(entries_of(TESTING_100))[:30]
    stand_in.page_cap = 10
    db = tmp_path / "piped" / "library.json"
    assert cli(db, stand_in.url, "follow", "add", NAME, "all:testing").returncode == 0
    code, out, err = _fetch(db, stand_in.url, stderr_on_terminal=False)
    assert (code, err) == (0, "")
    assert out.splitlines() == [out.splitlines()[0]] and out.startswith(f"{NAME}: added 30")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_enrich_bar_counts_requests_without_a_rate() -> None:
    now = [0.0]
    screen = _Terminal()
    bar = DelayedBar("enrich: arXiv requests", screen, clock=lambda: now[0], unit=None)
    bar.report(1, 4)
    now[0] += 3.1
    bar.report(2, 4)
    drawn = screen.getvalue()
    assert "enrich: arXiv requests" in drawn and "2/4" in drawn and "50%" in drawn
    assert "/s" not in drawn
    bar.close()
