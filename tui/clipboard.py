"""The one copy path of the app: the terminal's OSC 52, and the system clipboard.

A reader copying a link usually runs the app over SSH, often inside tmux or
screen. The only thing that reaches the clipboard of the user's own machine
from there is the terminal's OSC 52 escape sequence, so that is always sent
(through Textual's ``App.copy_to_clipboard``). Multiplexers swallow escape
sequences they do not understand, so inside tmux or screen the same sequence is
also sent wrapped for passthrough. pyperclip is tried only where a local
display exists, because over SSH it would fill the remote machine's clipboard,
or fail. Nothing here can confirm that a terminal honoured OSC 52, so the
outcome names what was attempted rather than promising success.
"""

from __future__ import annotations

import base64
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from textual.app import App

# Terminals are reported to drop larger OSC 52 payloads (and some stall on
# them); 100 kB of base64 holds about 75 kB of text, far beyond any link or
# BibTeX entry.
OSC52_LIMIT = 100_000
# GNU screen (4.2.1 onwards) truncates a DCS string beyond 768 bytes.
SCREEN_DCS_LIMIT = 768
# How long a stuck clipboard tool (xclip waiting on a dead X server) may hold
# up the copy before we stop waiting for it.
PYPERCLIP_TIMEOUT = 2.0

_OSC52_OPEN = "\x1b]52;c;"
_OSC52_CLOSE = "\a"
_DCS_OPEN = "\x1bP"
_STRING_TERMINATOR = "\x1b\\"


@dataclass(frozen=True)
class CopyOutcome:
    """What a copy attempted, for the notification shown to the user.

    Attributes:
        methods: The mechanisms used, in order, e.g. ``("terminal (OSC 52)",
            "tmux passthrough", "system clipboard")``.
        too_large: The payload was over ``OSC52_LIMIT``, so no terminal
            sequence was sent.
    """

    methods: tuple[str, ...]
    too_large: bool

    def describe(self) -> str:
        """A short phrase for the notification, e.g. ``via terminal (OSC 52)``."""
        if self.methods:
            via = "via " + ", ".join(self.methods)
            return f"{via} (too large for the terminal)" if self.too_large else via
        if self.too_large:
            return "nowhere: too large for the terminal and no system clipboard"
        return "nowhere: no clipboard available"


def osc52(text: str) -> str:
    """The OSC 52 sequence that sets the terminal's clipboard to ``text``.

    Args:
        text: What to copy.

    Returns:
        ``ESC ] 52 ; c ; <base64 of the UTF-8 text> BEL``, the same sequence
        ``App.copy_to_clipboard`` writes.
    """
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"{_OSC52_OPEN}{payload}{_OSC52_CLOSE}"


def wrap_tmux(seq: str) -> str:
    """Wrap an escape sequence in tmux's DCS passthrough.

    tmux forwards the inner sequence to the outer terminal only with
    ``set -g allow-passthrough on`` (tmux 3.3 and later); every ESC inside
    must be doubled so that tmux does not read it as the end of the wrapper.

    Args:
        seq: The sequence for the outer terminal, e.g. from ``osc52``.

    Returns:
        ``ESC P tmux; <seq with ESC doubled> ESC \\``.
    """
    return f"{_DCS_OPEN}tmux;{seq.replace(chr(27), chr(27) * 2)}{_STRING_TERMINATOR}"


def wrap_screen(seq: str) -> str:
    """Wrap an escape sequence in GNU screen's DCS passthrough, chunked.

    screen caps a DCS string at ``SCREEN_DCS_LIMIT`` bytes, so the sequence
    is cut into pieces that each fit once wrapped; screen passes the pieces
    on one after another and the terminal sees the sequence whole. The input
    is an ASCII escape sequence (what ``osc52`` returns), so characters and
    bytes coincide.

    Args:
        seq: The sequence for the outer terminal, e.g. from ``osc52``.

    Returns:
        The concatenation of ``ESC P <chunk> ESC \\`` for each chunk.
    """
    chunk_size = SCREEN_DCS_LIMIT - len(_DCS_OPEN) - len(_STRING_TERMINATOR)
    return "".join(
        f"{_DCS_OPEN}{seq[start : start + chunk_size]}{_STRING_TERMINATOR}"
        for start in range(0, len(seq), chunk_size)
    )


def local_clipboard_available(env: Mapping[str, str], platform: str) -> bool:
    """Whether a system clipboard on the user's own screen is likely reachable.

    Over SSH a display may still be set (X forwarding), but the clipboard it
    reaches is rarely the one the user pastes from, and pyperclip would
    touch the remote machine; OSC 52 is the right path there.

    Args:
        env: The environment, usually ``os.environ``.
        platform: ``sys.platform``.

    Returns:
        True for a local X11/Wayland session, macOS or Windows; False over SSH.
    """
    if env.get("SSH_TTY") or env.get("SSH_CONNECTION"):
        return False
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return True
    return platform in ("darwin", "win32")


def copy(
    app: App[Any],
    text: str,
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> CopyOutcome:
    """Copy ``text`` to every clipboard that may reach the user.

    Within the size guard, the terminal gets OSC 52 (which tmux with
    ``set-clipboard on`` also picks up) and, inside tmux or screen, the
    passthrough-wrapped form too. Over the guard, no terminal sequence is
    sent at all. Then, where a local display exists, pyperclip is tried in a
    thread with a timeout, since clipboard tools can hang.

    Args:
        app: The running app, whose driver writes to the terminal.
        text: What to copy.
        env: The environment; ``os.environ`` when omitted.
        platform: The platform; ``sys.platform`` when omitted.

    Returns:
        The mechanisms attempted, for the notification.
    """
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    methods: list[str] = []
    sequence = osc52(text)
    too_large = len(sequence) - len(_OSC52_OPEN) - len(_OSC52_CLOSE) > OSC52_LIMIT
    if not too_large:
        app.copy_to_clipboard(text)
        methods.append("terminal (OSC 52)")
        passthrough = _multiplexer_passthrough(env, sequence)
        if passthrough is not None and _write_raw(app, passthrough[1]):
            methods.append(passthrough[0])
    if local_clipboard_available(env, platform) and _copy_with_pyperclip(text):
        methods.append("system clipboard")
    return CopyOutcome(methods=tuple(methods), too_large=too_large)


def _multiplexer_passthrough(env: Mapping[str, str], sequence: str) -> tuple[str, str] | None:
    """The label and wrapped sequence for the multiplexer we run in, if any."""
    if "TMUX" in env:
        return "tmux passthrough", wrap_tmux(sequence)
    # tmux sets TERM=screen* too, which is why it is recognised first.
    if "STY" in env or env.get("TERM", "").startswith("screen"):
        return "screen passthrough", wrap_screen(sequence)
    return None


def _write_raw(app: App[Any], data: str) -> bool:
    # Textual has no public API for writing raw bytes to the terminal: its
    # renderer owns the screen, and copy_to_clipboard only sends the bare
    # OSC 52. The driver is what copy_to_clipboard itself writes through, so
    # the wrapped forms go the same way; without a driver (app not running)
    # there is no terminal to write to.
    driver = getattr(app, "_driver", None)
    if driver is None:
        return False
    driver.write(data)
    return True


def _copy_with_pyperclip(text: str) -> bool:
    """Set the system clipboard through pyperclip; False if it fails or hangs."""
    import pyperclip  # imported here: pyperclip probes for tools, only worth it when used

    succeeded = threading.Event()

    def attempt() -> None:
        try:
            pyperclip.copy(text)
        except Exception:  # PyperclipException, or a tool that crashed
            return
        succeeded.set()

    worker = threading.Thread(target=attempt, name="pyperclip-copy", daemon=True)
    worker.start()
    worker.join(PYPERCLIP_TIMEOUT)
    return succeeded.is_set()
