"""Taking the store's backups as it is written; :mod:`store.backups` brings them back.

* before each import, the state (``library.state.json.bak``; the catalogue
  keeps its own, see :mod:`store.repository`);
* before the first write of a day, a copy of the file as it is
  (``<file>.bak.YYYY-MM-DD``, the last seven days): the state, and the side
  files of user data (the follows, the enrichment log), so that what was
  written between imports, or days ago, can be brought back.
"""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

from store.atomic import copy_atomically
from store.errors import StoreError
from store.layout import DAILY_BACKUPS, backup_path, daily_backup_path, daily_backups


def today() -> str:
    """The local date that names today's backups (tests replace it)."""
    return date.today().isoformat()


def keep_state_backup(state_path: Path) -> None:
    """Keep the state as ``library.state.json.bak`` (before an import; the lock is held)."""
    if not state_path.exists():
        return
    target = backup_path(state_path)
    try:
        copy_atomically(state_path, target)
    except OSError as err:
        raise StoreError(f"{target}: cannot keep a backup ({err.strerror})") from err


def keep_daily_backup(path: Path) -> None:
    """Before the first write of a day, keep the file as it is (the last seven days).

    Called with the file's lock held and after it was read successfully, so
    the copy is a good one. A copy, not a link: the backup must not share a
    file with the original that damage in place would hit twice.
    """
    target = daily_backup_path(path, today())
    if target.exists() or not path.exists():
        return
    try:
        copy_atomically(path, target)
    except OSError as err:
        raise StoreError(f"{target}: cannot keep a backup ({err.strerror})") from err
    for old in daily_backups(path)[:-DAILY_BACKUPS]:
        with contextlib.suppress(OSError):
            old.unlink()
