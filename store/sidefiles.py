"""Small JSON files of user data kept beside the store: the follows, the enrichment log.

They are not part of the catalogue (a saved query is not a paper) but are
the user's all the same, so they get the store's guarantees: each write is
atomic and keeps the previous file as ``.bak`` (the first write keeps the
file itself, so that its loss is always noticed) and, before the first
write of a day, a daily copy like the state's; a read-modify-write holds a
lock of its own (``<file>.lock``) so two processes never lose each other's
change; and a damaged file, or a vanished one whose backups are there, is
reported with its path and the way out (``paper-reader restore``, see
:mod:`store.backups`), never read as empty. All their file IO goes through
this module.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from filelock import FileLock, Timeout

from store.atomic import copy_atomically, ensure_folder, write_atomically
from store.errors import StoreError
from store.keeping import keep_daily_backup
from store.layout import DamagedFileError, backup_path, backups_of, companion_path

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
        DamagedFileError: The file is not a JSON object, or it is missing
            while a backup of it is there (it existed, so losing it is damage).
        StoreError: The file cannot be read.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if backups_of(path):
            raise missing(path) from None
        return None
    except OSError as err:
        raise StoreError(f"{path}: cannot read ({err.strerror})") from err
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise damaged(path, f"not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise damaged(path, "not a JSON object")
    return data


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Replace the file with ``data``, atomically, keeping the previous file as ``.bak``.

    Call it with the file's lock held and after the file was read whole, so
    that the backups taken here are good copies.

    Raises:
        StoreError: The file cannot be written; the old one is then untouched.
    """
    raw = orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
    backup = backup_path(path)
    keep_daily_backup(path)
    write_atomically(path, raw, backup=backup)
    if not backup.exists():
        # The first write: a copy (not a link, which damage in place would hit
        # twice) is what tells a lost file from one never written.
        try:
            copy_atomically(path, backup)
        except OSError as err:
            raise StoreError(f"{backup}: cannot keep a backup ({err.strerror})") from err


def damaged(path: Path, what: str) -> DamagedFileError:
    """The error for a side file whose content makes no sense, with the way out."""
    message = f"{path}: the file is damaged ({what}); it was left as it is; {way_back(path)}"
    return DamagedFileError(path, what, message)


def missing(path: Path) -> DamagedFileError:
    """The error for a side file that vanished while its backups are there."""
    what = "the file is missing; its backups show it existed"
    message = f"{path}: {what}; nothing was written; {way_back(path)}"
    return DamagedFileError(path, what, message)


def way_back(path: Path) -> str:
    """How to get a damaged or missing side file back, in one clause."""
    backups = backups_of(path)
    if backups:
        return f"`paper-reader restore` puts back the last good copy ({backups[0]})"
    return f"no backup of it exists; move it aside to start without it ({path.name})"
