"""Keys typed ahead reach the widget they were meant for.

A key that moves focus (``enter`` leaving the search bar) runs as a priority
binding, while the app is still reading keys; the keys typed before it may
still be waiting in the search bar's queue, and the search they make in the
screen's. Awaiting these helpers in the binding holds the keys typed after it
until the earlier ones have done their work.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual.message_pump import MessagePump

# A search of a large library finishes in a worker; keys typed after ``enter``
# wait for it at most this long, then act on what the list shows.
SEARCH_WAIT_S = 10.0


async def settled(*pumps: MessagePump) -> None:
    """Wait until each pump, in turn, has handled what was queued to it before."""
    for pump in pumps:
        done = asyncio.Event()
        if pump.call_later(done.set):
            await done.wait()


async def until(condition: Callable[[], bool], timeout: float = SEARCH_WAIT_S) -> None:
    """Wait (letting the app run) until ``condition()`` holds or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.005)
