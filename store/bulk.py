"""Building many objects at once, without the garbage collector's help.

Loading or importing 100,000 papers allocates millions of objects, none of
them garbage; each allocation burst sets off a full collection that walks
everything built so far, which made an import a quarter slower. Collection is
only postponed: whatever cycles a parser leaves are collected once it resumes
(process-wide, so a worker's pass postpones it for the UI thread too, briefly).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Collect no garbage inside the block (re-entrant; restores the previous setting)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
