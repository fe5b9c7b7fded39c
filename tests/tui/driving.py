"""Running the real reader through a script, with every notification it made."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from store.library import Library
from tui.app import PaperReaderApp, make_app

SIZE = (120, 40)


def drive_noting(
    library: Library, script: Callable[[PaperReaderApp, Any, list[str]], Awaitable[None]]
) -> list[str]:
    """Run the reader on ``library`` through ``script``; returns every notification."""
    app = make_app(library)
    said: list[str] = []
    notify = app.notify

    def recording_notify(message: str, *args: Any, **kwargs: Any) -> None:
        said.append(message)
        notify(message, *args, **kwargs)

    app.notify = recording_notify  # type: ignore[method-assign]

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await script(app, pilot, said)

    asyncio.run(main())
    return said
