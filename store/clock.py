"""The one clock every stamp in the store reads (``added_at``, status changes, fetches).

Callers look it up as ``clock.now_iso()`` rather than binding the name, so a
test freezes every stamp by patching this one attribute.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now_iso() -> str:
    """The current UTC time, to the second, as stored in ``added_at`` and friends."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
