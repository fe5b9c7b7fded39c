"""The copy path: escape sequences byte for byte, and copy() in a real headless app.

Under ``App.run_test`` Textual's headless driver drops what is written to it,
so a recorder stands in for its ``write``: the tests see exactly what a
terminal would have received.
"""

from __future__ import annotations

import asyncio
import base64
import threading
from collections.abc import Mapping

import pyperclip
import pytest
from textual.app import App
from textual.drivers.headless_driver import HeadlessDriver

from tui import clipboard
from tui.clipboard import (
    OSC52_LIMIT,
    SCREEN_DCS_LIMIT,
    CopyOutcome,
    local_clipboard_available,
    osc52,
    wrap_screen,
    wrap_tmux,
)

LINK = "https://arxiv.org/abs/2401.00001"
BIBTEX = "@article{lee2023,\n  title = {Gradient Descent — Zoë's Theorem},\n}"

# -- the escape sequences --------------------------------------------------------


def _payload(sequence: str) -> str:
    assert sequence.startswith("\x1b]52;c;")
    assert sequence.endswith("\a")
    return sequence[len("\x1b]52;c;") : -1]


@pytest.mark.parametrize("text", [LINK, BIBTEX, "", "ünïcødé ≍ ℝ 🙂"])
def test_osc52_carries_the_utf8_text_as_base64(text: str) -> None:
    assert base64.b64decode(_payload(osc52(text))).decode("utf-8") == text


def test_osc52_matches_what_textual_writes() -> None:
    encoded = base64.b64encode(LINK.encode()).decode()
    assert osc52(LINK) == f"\x1b]52;c;{encoded}\a"


def test_tmux_wrapping_doubles_every_escape() -> None:
    sequence = osc52(LINK)
    wrapped = wrap_tmux(sequence)
    assert wrapped.startswith("\x1bPtmux;")
    assert wrapped.endswith("\x1b\\")
    inner = wrapped[len("\x1bPtmux;") : -len("\x1b\\")]
    assert inner == sequence.replace("\x1b", "\x1b\x1b")
    assert inner.count("\x1b") == 2 * sequence.count("\x1b")


@pytest.mark.parametrize("size", [0, 10, 763, 764, 765, 5_000, 100_000])
def test_screen_wrapping_chunks_fit_screens_limit_and_reassemble(size: int) -> None:
    sequence = osc52("x" * size)
    wrapped = wrap_screen(sequence)
    chunks = wrapped.split("\x1b\\")
    assert chunks[-1] == ""  # the wrapped form ends with a terminator
    chunks = chunks[:-1]
    assert all(chunk.startswith("\x1bP") for chunk in chunks)
    assert all(len((chunk + "\x1b\\").encode()) <= SCREEN_DCS_LIMIT for chunk in chunks)
    assert "".join(chunk[len("\x1bP") :] for chunk in chunks) == sequence


@pytest.mark.parametrize(
    ("env", "platform", "available"),
    [
        ({}, "linux", False),
        ({"DISPLAY": ":0"}, "linux", True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({"DISPLAY": ""}, "linux", False),
        ({}, "darwin", True),
        ({}, "win32", True),
        ({"DISPLAY": ":0", "SSH_TTY": "/dev/pts/1"}, "linux", False),
        ({"DISPLAY": "localhost:10.0", "SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22"}, "linux", False),
        ({"SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22"}, "darwin", False),
    ],
)
def test_local_clipboard_only_with_a_local_display(
    env: dict[str, str], platform: str, available: bool
) -> None:
    assert local_clipboard_available(env, platform) is available


def test_outcome_description_names_the_methods() -> None:
    outcome = CopyOutcome(methods=("terminal (OSC 52)", "tmux passthrough"), too_large=False)
    assert outcome.describe() == "via terminal (OSC 52), tmux passthrough"
    assert "too large" in CopyOutcome(methods=(), too_large=True).describe()


# -- copy() in a running app -------------------------------------------------------


@pytest.fixture
def terminal_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Everything the app writes to its (headless) terminal."""
    writes: list[str] = []
    monkeypatch.setattr(HeadlessDriver, "write", lambda self, data: writes.append(data))
    return writes


@pytest.fixture
def pyperclip_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Texts handed to pyperclip, which records instead of touching a clipboard."""
    calls: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", calls.append)
    return calls


def copy_in_app(
    text: str, env: Mapping[str, str], platform: str = "linux"
) -> tuple[clipboard.CopyOutcome, App[None]]:
    app: App[None] = App()
    outcomes: list[clipboard.CopyOutcome] = []

    async def main() -> None:
        async with app.run_test() as pilot:
            outcomes.append(clipboard.copy(app, text, env=env, platform=platform))
            await pilot.pause()

    asyncio.run(main())
    return outcomes[0], app


def test_copy_sends_osc52_and_sets_the_app_clipboard(
    terminal_writes: list[str], pyperclip_calls: list[str]
) -> None:
    outcome, app = copy_in_app(LINK, env={})
    assert app.clipboard == LINK
    assert outcome == CopyOutcome(methods=("terminal (OSC 52)",), too_large=False)
    assert terminal_writes.count(osc52(LINK)) == 1
    assert pyperclip_calls == []  # no display on linux: pyperclip is not tried


def test_copy_inside_tmux_also_writes_the_passthrough_form(
    terminal_writes: list[str], pyperclip_calls: list[str]
) -> None:
    outcome, app = copy_in_app(BIBTEX, env={"TMUX": "/tmp/x", "TERM": "screen-256color"})
    assert app.clipboard == BIBTEX
    assert outcome.methods == ("terminal (OSC 52)", "tmux passthrough")
    assert osc52(BIBTEX) in terminal_writes
    assert wrap_tmux(osc52(BIBTEX)) in terminal_writes
    assert wrap_screen(osc52(BIBTEX)) not in terminal_writes


@pytest.mark.parametrize("env", [{"STY": "4242.pts-1.host"}, {"TERM": "screen.xterm-256color"}])
def test_copy_inside_screen_writes_the_chunked_form(
    env: dict[str, str], terminal_writes: list[str], pyperclip_calls: list[str]
) -> None:
    outcome, _ = copy_in_app(LINK, env=env)
    assert outcome.methods == ("terminal (OSC 52)", "screen passthrough")
    assert wrap_screen(osc52(LINK)) in terminal_writes


def test_copy_over_the_size_guard_sends_nothing_to_the_terminal(
    terminal_writes: list[str], pyperclip_calls: list[str]
) -> None:
    huge = "x" * (OSC52_LIMIT * 3 // 4 + 3)  # base64 just over the limit
    outcome, app = copy_in_app(huge, env={"TMUX": "/tmp/x"})
    assert outcome == CopyOutcome(methods=(), too_large=True)
    assert not any(write.startswith(("\x1b]52", "\x1bP")) for write in terminal_writes)
    assert app.clipboard == ""


def test_copy_at_the_size_guard_still_goes_out(
    terminal_writes: list[str], pyperclip_calls: list[str]
) -> None:
    largest = "x" * (OSC52_LIMIT * 3 // 4)  # exactly OSC52_LIMIT bytes of base64
    outcome, _ = copy_in_app(largest, env={})
    assert not outcome.too_large
    assert osc52(largest) in terminal_writes


def test_copy_uses_pyperclip_where_a_display_exists(
    terminal_writes: list[str], pyperclip_calls: list[str]
) -> None:
    outcome, _ = copy_in_app(LINK, env={"DISPLAY": ":0"})
    assert pyperclip_calls == [LINK]
    assert outcome.methods == ("terminal (OSC 52)", "system clipboard")
    assert outcome.describe() == "via terminal (OSC 52), system clipboard"


def test_copy_skips_pyperclip_over_ssh(
    terminal_writes: list[str], pyperclip_calls: list[str]
) -> None:
    outcome, _ = copy_in_app(LINK, env={"DISPLAY": "localhost:10.0", "SSH_TTY": "/dev/pts/3"})
    assert pyperclip_calls == []
    assert "system clipboard" not in outcome.methods


def test_a_failing_pyperclip_is_not_a_crash(
    terminal_writes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_mechanism(text: str) -> None:
        raise pyperclip.PyperclipException("could not find a copy/paste mechanism")

    monkeypatch.setattr(pyperclip, "copy", no_mechanism)
    outcome, app = copy_in_app(LINK, env={"DISPLAY": ":0"})
    assert app.clipboard == LINK
    assert outcome.methods == ("terminal (OSC 52)",)


def test_a_hanging_pyperclip_is_abandoned(
    terminal_writes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    monkeypatch.setattr(pyperclip, "copy", lambda text: release.wait(5))
    monkeypatch.setattr(clipboard, "PYPERCLIP_TIMEOUT", 0.05)
    try:
        outcome, _ = copy_in_app(LINK, env={}, platform="darwin")
    finally:
        release.set()
    assert outcome.methods == ("terminal (OSC 52)",)
