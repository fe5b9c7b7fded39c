"""The store's write lock: ``<store>.lock`` beside it, taken with flock(2).

Every writer (an import, a state change, a restore) holds it, so scripts and
other tools that take the same lock never interleave with paper-reader.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from store.atomic import ensure_folder
from store.errors import StoreError

LOCK_TIMEOUT_S = 10.0


class StoreBusy(StoreError):
    """Another process held the store's lock for longer than a write would wait."""


def lock_path(path: Path) -> Path:
    """The lock file of the store at ``path``: ``library.json.lock``."""
    return path.with_name(path.name + ".lock")


def store_lock(path: Path, timeout: float = LOCK_TIMEOUT_S) -> FileLock:
    """The (re-entrant, not yet held) lock of the store at ``path``.

    Re-entrant per thread: two threads of one process exclude each other as
    two processes do. ``timeout``: seconds to wait for another holder.
    """
    return FileLock(str(lock_path(path)), timeout=timeout)


@contextlib.contextmanager
def holding(lock: FileLock, path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold ``lock`` of the store at ``path`` (its folder is created if missing).

    ``timeout``: seconds to wait instead of the lock's own (0: do not wait).
    Raises :class:`StoreBusy` when another holder keeps it that long.
    """
    ensure_folder(path)
    where = lock_path(path)
    try:
        lock.acquire(timeout=timeout)
    except Timeout as err:
        raise StoreBusy(f"{where}: the store is busy in another process") from err
    except OSError as err:
        raise StoreError(f"{where}: cannot lock the store ({err.strerror})") from err
    try:
        yield
    finally:
        lock.release()
