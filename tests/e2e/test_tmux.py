"""The installed ``paper-reader`` in a real terminal (tmux): keys in, screen out.

Skipped only where tmux is missing. Each test runs its own tmux server on a
private socket so nothing leaks between tests or into the user's sessions.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_PROFILE

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _command() -> str:
    beside = Path(sys.executable).with_name("paper-reader")
    found = str(beside) if beside.exists() else shutil.which("paper-reader")
    assert found, "paper-reader is not installed"
    return found


class Terminal:
    """One tmux server with one window running paper-reader."""

    def __init__(self, socket: str, db: Path) -> None:
        self.socket = socket
        self.db = db

    def tmux(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20
        )
        if check and done.returncode != 0:
            raise AssertionError(f"tmux {args}: {done.stderr}")
        return done.stdout

    def start(self, width: int = 100, height: int = 30, extra: str = "") -> None:
        env = f"PAPER_READER_DB={self.db} PAPER_READER_CONFIG={self.db.parent}/settings.json"
        self.tmux(
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            str(width),
            "-y",
            str(height),
            f"env -u COLUMNS -u LINES TERM=xterm-256color {env} {_command()} {extra}; sleep 30",
        )
        self.tmux("set-option", "-s", "set-clipboard", "on")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "0", *keys)

    def literal(self, text: str) -> None:
        self.tmux("send-keys", "-t", "0", "-l", text)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "0")

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; screen was:\n{self.screen()}")

    def wait_gone(self, text: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text not in self.screen():
                return
            time.sleep(0.1)
        raise AssertionError(f"{text!r} is still on screen:\n{self.screen()}")

    def app_pid(self) -> int:
        shell = int(self.tmux("list-panes", "-t", "0", "-F", "#{pane_pid}").strip())
        out = subprocess.run(
            ["pgrep", "-f", "-P", str(shell), "paper-reader"], capture_output=True, text=True
        )
        pids = [int(p) for p in out.stdout.split()]
        assert pids, "paper-reader process not found"
        return pids[0]


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    db = tmp_path / "library.json"
    imported = subprocess.run(
        [_command(), "--db", str(db), "import", str(SAMPLE_PROFILE), "--as-of", "2026-11-28"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert imported.returncode == 0, imported.stderr
    term = Terminal(f"paper-reader-test-{os.getpid()}-{tmp_path.name}", db)
    yield term
    term.tmux("kill-server", check=False)


def cli(term: Terminal, *args: str) -> str:
    done = subprocess.run(
        [_command(), "--db", str(term.db), *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_fast_keys_act_on_the_paper_under_the_cursor(terminal: Terminal) -> None:
    order = [p["id"] for p in json.loads(cli(terminal, "list", "--json"))]
    terminal.start()
    terminal.wait_for("50 of 50")
    # One burst, as a fast typist sends it; each decision moves on to the next paper.
    terminal.keys("j", "r", "j", "x", "j", "s")
    terminal.wait_for("48 unread")
    terminal.keys("q")
    terminal.wait_gone("50 of 50")
    states = {p["id"]: p for p in json.loads(cli(terminal, "list", "--json"))}
    assert states[order[1]]["status"] == "read"
    assert states[order[3]]["status"] == "skipped"
    assert states[order[5]]["starred"] and states[order[5]]["status"] == "unread"
    for untouched in (0, 2, 4, 6):
        assert states[order[untouched]]["status"] == "unread"
        assert not states[order[untouched]]["starred"]


def test_mark_copy_and_quit(terminal: Terminal) -> None:
    terminal.start()
    terminal.wait_for("50 of 50")
    terminal.keys("j")
    terminal.keys("r")
    shown = terminal.wait_for("49 unread")
    assert "Fine-Tuning Dynamics" in shown or "Huang" in shown
    terminal.keys("g", "C")  # the first paper has a code link
    terminal.wait_for("Copied code link")
    buffer = terminal.tmux("show-buffer", check=False)
    assert "https://github.com/YuanheZ/LeanMarathon" in buffer
    terminal.keys("q")
    terminal.wait_gone("50 of 50")
    listed = cli(terminal, "list", "status:read")
    assert len(listed.splitlines()) == 1


def test_note_survives_hangup(terminal: Terminal) -> None:
    terminal.start()
    terminal.wait_for("50 of 50")
    terminal.keys("n")
    terminal.literal("kept across a dropped link")
    terminal.wait_for("kept across a dropped link")
    os.kill(terminal.app_pid(), signal.SIGHUP)
    deadline = time.monotonic() + 10
    note = ""
    while time.monotonic() < deadline:
        note = cli(terminal, "list", "has:note", "--json")
        if "kept across a dropped link" in note:
            break
        time.sleep(0.2)
    assert "kept across a dropped link" in note


def test_keys_typed_while_loading_are_not_misrouted(terminal: Terminal) -> None:
    terminal.start()
    terminal.literal("/quantum")  # typed at once, before the first paint
    shown = terminal.wait_for("quantum")
    assert "0 of 50" in terminal.wait_for("0 of 50")
    assert "50 of 50" not in shown


def repainted(term: Terminal, width: int, timeout: float = 10.0) -> list[str]:
    """The screen once the app has repainted its list for ``width`` columns.

    tmux cuts or pads the old picture at once. Narrowed to 40 columns, the
    app's own repaint cuts the first title with "…" (the old 80-column row,
    cut by tmux, holds no "…" in its first 40 cells); widened, its row is
    longer than the 40 columns the old picture had.
    """
    deadline = time.monotonic() + timeout
    while True:
        lines = term.screen().splitlines()
        rows = [line.rstrip() for line in lines if "LeanMarathon" in line]
        if any(("…" in row) if width <= 40 else len(row) > 40 for row in rows):
            return lines
        assert time.monotonic() < deadline, f"no {width}-column repaint:\n" + "\n".join(lines)
        time.sleep(0.1)


def test_works_at_80x24_and_survives_40x12(terminal: Terminal) -> None:
    order = [p["id"] for p in json.loads(cli(terminal, "list", "--json"))]
    terminal.start(80, 24)
    shown = terminal.wait_for("50 of 50")
    assert "LeanMarathon" in shown
    # 80x24: the start of the abstract is on screen, and the footer keeps help
    shown = terminal.wait_for("Long-horizon autoformalization")
    assert "? Help" in shown.splitlines()[-1] or "? Help" in shown
    terminal.tmux("resize-window", "-t", "0", "-x", "40", "-y", "12")
    lines = repainted(terminal, 40)
    assert len(lines) <= 12 and all(len(line) <= 40 for line in lines)
    assert any("50 of 50" in line for line in lines)  # the list header still shows
    terminal.keys("j", "r")  # keys still act at this size
    shown = terminal.wait_for("49 unread")
    assert all(len(line) <= 40 for line in shown.splitlines())
    terminal.keys("Enter")  # the paper view shows the abstract at 40x12
    terminal.wait_for("Paper 3 of 50")
    terminal.keys("Escape")
    terminal.tmux("resize-window", "-t", "0", "-x", "100", "-y", "30")
    lines = repainted(terminal, 100)
    assert any("50 of 50 · 49 unread" in line for line in lines)
    states = {p["id"]: p["status"] for p in json.loads(cli(terminal, "list", "--json"))}
    assert states[order[1]] == "read" and states[order[0]] == "unread"


def test_file_argument_imports_then_opens_and_hostile_text_stays_text(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(
        "Mallory\n\nLG\n\n2 Papers\n\n"
        "LGJan 2, 2024\n[bold]Bold[/] and [@click=app.quit]quit[/] \x1b[2Jcleared\n\n"
        "Eve [link=file:///etc/passwd]x[/link], Bob\n\n"
        "Abstract with \x1b]52;c;cHduZWQ=\x07 an OSC write and [/] a bare close tag.\n\n"
        "LGJan 1, 2024\nPlain second paper\n\nAlice\n\nNothing odd.\n"
    )
    term = Terminal(f"paper-reader-test-{os.getpid()}-file", tmp_path / "new" / "library.json")
    try:
        term.start(extra=str(hostile))
        shown = term.wait_for("2 of 2")
        assert "[bold]Bold[/] and [@click=app.quit]" in shown  # the list row, literal
        # the abstract pane follows the list's first paint; its title is literal too
        shown = term.wait_for("[@click=app.quit]quit[/]")
        assert "cleared" in shown and "Plain second paper" in shown
        term.keys("enter")  # the paper view: a click-action in its title must not run
        shown = term.wait_for("Paper 1 of 2")
        assert "[@click=app.quit]quit[/]" in shown and "[/] a bare close tag" in shown
        term.keys("escape")
        term.wait_for("2 of 2")
        assert term.tmux("show-buffer", check=False) == ""  # the title's OSC 52 never ran
        term.keys("enter", "c")  # a click-action in a title must not run; the app still acts
        term.wait_for("Copied")
        buffers = term.tmux("list-buffers", "-F", "#{buffer_sample}").splitlines()
        assert len(buffers) == 1 and buffers[0].startswith("https://arxiv.org/search/")
    finally:
        term.tmux("kill-server", check=False)


def test_file_argument_opens_filtered_to_the_imported_collection(terminal: Terminal) -> None:
    before = len(json.loads(cli(terminal, "list", "--json")))
    bib = (
        Path(__file__).parents[1]
        / "data"
        / "bibtex"
        / "zotero7-export-arxiv-misc-windows-paths.bib"
    )
    terminal.start(width=120, extra=str(bib))
    # only the 9 papers of the file, under a chip naming its collection
    shown = terminal.wait_for(f"9 of {before + 9:,}")
    assert "collection:zotero7-export-arxiv-misc-windows-paths ×" in shown
    shown = terminal.wait_for("Imported")  # the notification of the import summary
    assert "added 9" in shown
    terminal.keys("escape")  # esc on the list clears the chip: the whole library again
    shown = terminal.wait_for(f"{before + 9:,} of {before + 9:,}")
    assert "collection:zotero7" not in shown


def _lean_matches(term: Terminal) -> list[dict[str, object]]:
    found = json.loads(cli(term, "list", "lean", "--json"))
    assert len(found) >= 2
    return found


def test_a_burst_after_enter_marks_the_second_match(terminal: Terminal) -> None:
    lean = _lean_matches(terminal)
    terminal.start(80, 24)
    terminal.wait_for("50 of 50")
    terminal.keys("/", "l", "e", "a", "n", "Enter", "j", "r")  # one burst, as over SSH
    shown = terminal.wait_for(f"{len(lean)} of 50 · {len(lean) - 1} unread")
    assert "leanjr" not in shown
    terminal.keys("q")
    terminal.wait_gone("of 50")
    states = {p["id"]: p["status"] for p in json.loads(cli(terminal, "list", "--json"))}
    assert states[lean[1]["id"]] == "read"
    assert states[lean[0]["id"]] == "unread"


def test_a_burst_typed_while_starting_is_not_misrouted(terminal: Terminal) -> None:
    lean = _lean_matches(terminal)
    terminal.start(80, 24)
    terminal.keys("/", "l", "e", "a", "n", "Enter", "j", "r")  # before the first paint
    terminal.wait_for(f"{len(lean)} of 50 · {len(lean) - 1} unread")
    terminal.keys("q")
    terminal.wait_gone("of 50")
    states = {p["id"]: p["status"] for p in json.loads(cli(terminal, "list", "--json"))}
    assert states[lean[1]["id"]] == "read"
