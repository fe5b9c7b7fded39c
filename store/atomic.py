"""Crash-safe file IO: a file is replaced whole or not at all.

Every store file is written the same way: the bytes go to ``<name>.tmp``,
that file is fsynced, renamed over ``<name>``, and the folder is fsynced so
the rename itself survives a power cut. A crash at any instant leaves the old
file or the new one, and a failure (full disk, read-only folder) leaves the
old file in force and no ``.tmp`` behind.

:func:`stage` and :func:`commit` are the two halves of :func:`write_atomically`,
for a caller that must do something between them (an import keeps its
backups after the new catalogue is safely on disk and before it replaces the
old one).

Caches beside the store (:func:`write_cache`) are written by any process
without the store's lock, each to a temporary name of its own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from store.errors import StoreError


def ensure_folder(path: Path) -> None:
    """Create the folder that will hold ``path``, or say clearly why it cannot be."""
    folder = path.parent
    for ancestor in (folder, *folder.parents):
        if ancestor.exists():
            if not ancestor.is_dir():
                raise StoreError(f"{path}: cannot create the store: {ancestor} is a file")
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"{folder}: cannot create the store folder ({err.strerror})") from err


def file_ancestor_error(path: Path) -> StoreError:
    """The error for a store path that runs through a file (``notes.txt/library.json``)."""
    for ancestor in path.parents:
        if ancestor.exists() and not ancestor.is_dir():
            return StoreError(f"{path}: cannot open the store: {ancestor} is a file")
    return StoreError(f"{path}: cannot open the store (a part of the path is not a folder)")


def staging_path(path: Path) -> Path:
    """The temporary name a new ``path`` is written under before the rename."""
    return path.with_name(path.name + ".tmp")


def fsync_folder(folder: Path) -> None:
    """Persist a rename in ``folder`` (not possible on every platform)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _hard_link(source: Path, target: Path) -> bool:
    """Link ``target`` to ``source``; False where the file system cannot."""
    try:
        os.link(source, target)
    except OSError:
        return False
    return True


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def copy_atomically(source: Path, target: Path, *, link: bool = False) -> None:
    """Make ``target`` a copy of ``source``, whole or not at all.

    The copy is staged under a temporary name, fsynced and renamed, so a
    crash or a full disk never leaves a half-written ``target``, and the
    previous ``target`` survives a failure. With ``link``, a hard link stands
    in for the copy where possible (free even for a large catalogue); only
    right for a file whose name is about to be replaced, so that the two
    names do not keep sharing one file that damage in place would hit twice.
    """
    staging = staging_path(target)
    _remove_quietly(staging)
    try:
        if not (link and _hard_link(source, staging)):
            shutil.copyfile(source, staging)
            shutil.copymode(source, staging)  # a private store keeps private backups
            with open(staging, "rb+") as handle:
                os.fsync(handle.fileno())
        os.replace(staging, target)
    except BaseException:
        _remove_quietly(staging)
        raise
    fsync_folder(target.parent)


def stage(path: Path, raw: bytes | Iterable[bytes]) -> Path:
    """Write ``raw`` to ``path``'s temporary name and fsync it; returns that name.

    ``raw`` may be the bytes or their consecutive pieces, written as they are
    made (a large file then never exists whole in memory).

    A file the user made read-only is not written (a rename would otherwise
    replace it regardless), and the new file keeps the old one's permissions
    (a ``chmod 600`` stays private). On failure nothing is left behind.
    """
    ensure_folder(path)
    tmp = staging_path(path)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    except OSError as err:
        raise StoreError(f"{path}: cannot write the store ({err.strerror})") from err
    if mode is not None and not os.access(path, os.W_OK):
        raise StoreError(f"{path}: cannot write the store (the file is read-only)")
    try:
        try:
            with open(tmp, "wb") as handle:
                if mode is not None and hasattr(os, "fchmod"):
                    os.fchmod(handle.fileno(), mode)
                if isinstance(raw, bytes):
                    handle.write(raw)
                else:
                    for piece in raw:
                        handle.write(piece)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            _remove_quietly(tmp)
            raise
    except OSError as err:
        raise StoreError(f"{path}: cannot write the store ({err.strerror})") from err
    return tmp


def commit(tmp: Path, path: Path) -> None:
    """Rename a staged file over ``path`` and make the rename durable."""
    try:
        try:
            os.replace(tmp, path)
        except BaseException:
            _remove_quietly(tmp)
            raise
    except OSError as err:
        raise StoreError(f"{path}: cannot write the store ({err.strerror})") from err
    fsync_folder(path.parent)


def discard(tmp: Path) -> None:
    """Drop a staged file that will not be committed."""
    _remove_quietly(tmp)


def write_atomically(
    path: Path, raw: bytes | Iterable[bytes], *, backup: Path | None = None
) -> None:
    """Replace ``path`` with ``raw`` so a crash leaves the old or the new file, whole.

    ``raw`` may be the bytes or their pieces, as :func:`stage` takes them.

    With ``backup``, the old file stays reachable under that name (a hard
    link where possible: the old name is replaced next, so the two never
    share a file for long). On any failure (read-only folder, full disk) the
    old file is untouched and no temporary file is left behind.
    """
    tmp = stage(path, raw)
    try:
        if backup is not None and path.exists():
            copy_atomically(path, backup, link=True)
    except BaseException as err:
        discard(tmp)
        if isinstance(err, OSError):
            raise StoreError(f"{path}: cannot write the store ({err.strerror})") from err
        raise
    commit(tmp, path)


def keep_aside(path: Path, aside: Path) -> None:
    """Keep ``path``'s current content under ``aside`` too, without a moment where it is gone.

    A hard link where possible, else a copy: the original name stays in
    place for readers until a restore replaces it atomically.
    """
    if not _hard_link(path, aside):
        copy_atomically(path, aside)
    fsync_folder(aside.parent)


def unused_name(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``...: the first name nothing holds yet."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}-{number}")
    return candidate


def write_cache(path: Path, write: Callable[[BinaryIO], object], *, durable: bool = False) -> bool:
    """Write a derived cache file (rendered titles, features, full text): False when it cannot.

    ``write`` fills the file. Two processes (or two threads) may build a
    cache at once, so each writes to a name of its own, then renames it into
    place. ``durable``: flushed to disk before the rename, for a cache read
    in place of the store's own files. A failure leaves no temporary file.
    """
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as out:
            write(out)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        os.replace(tmp, path)
    except (OSError, UnicodeError):
        with contextlib.suppress(OSError):
            tmp.unlink()
        return False
    return True
