"""Small JSON files of user data kept beside the store: the follows, the enrichment log.

They are not part of the catalogue (a saved query is not a paper) but are
the user's all the same, so they get the store's guarantees: each write is
atomic and keeps the previous file as ``.bak``, a read-modify-write holds a
lock of its own (``<file>.lock``) so two processes never lose each other's
change, and a damaged or vanished file is reported with its path, never
read as empty. All their file IO goes through this module.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from filelock import FileLock, Timeout

from store.atomic import ensure_folder, write_atomically
from store.errors import StoreError
from store.layout import backup_path, companion_path

_LOCK_TIMEOUT_S = 10.0


def side_path(store_path: Path, role: str) -> Path:
    """The file for ``role`` beside the store: ``library.json`` → ``library.follows.json``."""
    return companion_path(store_path, role)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the lock of one side file around a read-modify-write.

    Raises:
        StoreError: Another process holds it too long, or it cannot be made.
    """
    ensure_folder(path)
    lock_path = path.with_name(path.name + ".lock")
    try:
        with FileLock(str(lock_path), timeout=_LOCK_TIMEOUT_S):
            yield
    except Timeout as err:
        raise StoreError(f"{lock_path}: the file is busy in another process") from err
    except OSError as err:
        if err.filename is None or str(err.filename) != str(lock_path):
            raise
        raise StoreError(f"{lock_path}: cannot lock the file ({err.strerror})") from err


def read_json(path: Path) -> dict[str, Any] | None:
    """The file's JSON object, or None when it was never written.

    Raises:
        StoreError: The file is unreadable, not a JSON object, or missing
            while its backup is there (it existed, so losing it is damage).
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        backup = backup_path(path)
        if backup.exists():
            raise StoreError(
                f"{path}: the file is missing but its last good copy {backup} is there; "
                f"rename that copy to {path.name} to bring it back"
            ) from None
        return None
    except OSError as err:
        raise StoreError(f"{path}: cannot read ({err.strerror})") from err
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise StoreError(_damaged(path, f"not valid JSON: {err}")) from None
    if not isinstance(data, dict):
        raise StoreError(_damaged(path, "not a JSON object"))
    return data


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Replace the file with ``data``, atomically, keeping the previous file as ``.bak``.

    Raises:
        StoreError: The file cannot be written; the old one is then untouched.
    """
    raw = orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
    write_atomically(path, raw, backup=backup_path(path))


def damaged(path: Path, what: str) -> StoreError:
    """The error for a side file whose content makes no sense (a bad record)."""
    return StoreError(_damaged(path, what))


def _damaged(path: Path, what: str) -> str:
    message = f"{path}: the file is damaged ({what}); it was left as it is"
    backup = backup_path(path)
    if backup.exists():
        message += f"; the last good copy is {backup}"
    return message
