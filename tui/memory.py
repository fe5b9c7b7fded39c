"""The reader's one memory policy: long-lived objects are kept out of the GC's sight."""

from __future__ import annotations

import gc


def keep_out_of_gc() -> None:
    """Move everything alive now (the loaded library, its search caches) out of the GC's sight.

    Those objects live as long as the reader; without this, each full collection
    walks all of them again — seconds of stall at 100,000 papers.
    """
    gc.freeze()
