"""``restore``: bring the store's backups back.

Backups kept (see :mod:`store.layout` for the names, :mod:`store.keeping`
and :mod:`store.sidefiles` for when they are taken):

* before each import, the catalogue (``library.json.bak``, which names its
  own abstracts generation, kept on disk with it) and the state
  (``library.state.json.bak``): together, the store as it was before the
  last import;
* before the first state write of a day, the state
  (``library.state.json.bak.YYYY-MM-DD``, the last seven days), so notes
  written between imports can be brought back;
* for each side file of user data (the follows, the enrichment log), the
  file before its last write (``.bak``) and daily copies like the state's.

:func:`restore` acts only on what is damaged or missing, one unit at a time:
the catalogue with the abstracts parts it names (they belong together),
each companion file (the state) and each side file (a missing one whose
backups are there is damage: it existed). A healthy unit is never replaced
by an older backup. ``force`` rolls a healthy store back on purpose;
``empty_state`` starts a new reading state on purpose. Every file replaced
is kept beside the store (``*.damaged-<time>`` or ``*.before-restore-<time>``).
Everything is checked before anything is written.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from store import enrich_log, follows, sidefiles
from store.atomic import (
    copy_atomically,
    fsync_folder,
    keep_aside,
    unused_name,
    write_atomically,
)
from store.errors import StoreError
from store.layout import (
    AbstractParts,
    DamagedFileError,
    backup_path,
    backups_of,
    companion_path,
    essential_companions,
    part_files,
)
from store.locking import holding, store_lock
from store.tinydb_files import (
    abstract_parts_of,
    abstracts_of,
    check_schema,
    collections_of,
    companions_of,
    empty_file,
    papers_of,
    read_file,
    states_of,
)

NOTHING_DAMAGED = "nothing is damaged"


# Each side file of user data, and the reader that tells a good copy of it.
_SIDE_FILES: tuple[tuple[str, Callable[[Path], object]], ...] = (
    (follows.FILE_ROLE, follows.read_follows),
    (enrich_log.FILE_ROLE, enrich_log.read_runs),
)


def side_files(path: Path) -> list[tuple[Path, Callable[[Path], object]]]:
    """Each side file of the store at ``path`` with its reader (none for a ``.bak`` catalogue)."""
    if not essential_companions(path):
        return []
    return [(sidefiles.side_path(path, role), read) for role, read in _SIDE_FILES]


@dataclass(frozen=True, slots=True)
class _CatalogueSet:
    """A readable catalogue and the abstracts parts it names."""

    path: Path
    parts: AbstractParts
    companions: tuple[str, ...]

    def part_paths(self) -> list[Path]:
        return self.parts.paths(self.path)


def _read_catalogue_set(catalogue: Path) -> _CatalogueSet:
    """Read a catalogue and every part it names; :class:`DamagedFileError` when one fails."""
    tables = read_file(catalogue)
    if tables is None:
        raise DamagedFileError(catalogue, "missing", f"{catalogue}: missing")
    papers_of(tables, catalogue)
    collections_of(tables, catalogue)
    parts = abstract_parts_of(tables, catalogue)
    for part in parts.paths(catalogue):
        part_tables = read_file(part)
        if part_tables is None:
            what = f"missing; {catalogue.name} names it"
            raise DamagedFileError(part, what, f"{part}: {what}")
        abstracts_of(part_tables, part)
    return _CatalogueSet(catalogue, parts, companions_of(tables))


def _check_companion(role: str, path: Path) -> bool:
    """True when the companion file exists and reads whole; raises when damaged."""
    tables = read_file(path)
    if tables is None:
        return False
    if role == "state":
        states_of(tables, path)
    else:
        check_schema(tables, path)
    return True


def _companion_backups(role: str, path: Path) -> list[Path]:
    if role == "state":
        return backups_of(path)
    return [backup_path(path)] if backup_path(path).exists() else []


def _state_holds_records(path: Path) -> bool:
    with contextlib.suppress(StoreError):
        tables = read_file(companion_path(path, "state"))
        return bool(tables and tables.get("state"))
    return False


@dataclass
class _Health:
    """What is damaged in a store: the catalogue set, and companions by role."""

    catalogue: _CatalogueSet | None = None
    catalogue_damage: str | None = None
    companion_damage: dict[str, str] = field(default_factory=dict)
    side_damage: dict[Path, str] = field(default_factory=dict)


def _assess(path: Path) -> _Health:
    health = _Health()
    if path.exists():
        try:
            health.catalogue = _read_catalogue_set(path)
        except DamagedFileError as err:
            health.catalogue_damage = f"{err.path}: {err.what}"
    elif backup_path(path).exists() or _state_holds_records(path):
        health.catalogue_damage = f"{path}: missing"
    for role, companion in essential_companions(path):
        try:
            present = _check_companion(role, companion)
        except DamagedFileError as err:
            health.companion_damage[role] = f"{companion}: {err.what}"
            continue
        if present:
            continue
        if health.catalogue is not None:
            expected = role in health.catalogue.companions
        else:
            expected = bool(_companion_backups(role, companion))
        if expected:
            health.companion_damage[role] = f"{companion}: missing"
    for side, read in side_files(path):
        try:
            read(side)  # a missing file whose backups are there is damaged too
        except DamagedFileError as err:
            health.side_damage[side] = f"{side}: {err.what}"
    return health


@dataclass
class _Plan:
    """The steps of a restore, checked before any of them runs."""

    stamp: str
    steps: list[tuple[str, Callable[[], None]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def keep(self, path: Path, why: str) -> None:
        """Keep ``path`` beside the store before it is replaced."""
        aside = unused_name(path.with_name(f"{path.name}.{why}-{self.stamp}"))
        self.steps.append((f"kept {path} as {aside}", lambda: keep_aside(path, aside)))

    def move(self, path: Path, why: str, what: str) -> None:
        """Move ``path`` (which nothing will name any more) aside."""
        aside = unused_name(path.with_name(f"{path.name}.{why}-{self.stamp}"))
        self.steps.append((f"moved {path} ({what}) aside to {aside}", lambda: _move(path, aside)))

    def copy(self, backup: Path, target: Path, note: str = "") -> None:
        """Put ``backup`` in place of ``target``."""
        line = f"restored {target} from {backup}{note}"
        self.steps.append((line, lambda: copy_atomically(backup, target)))

    def empty(self, target: Path) -> None:
        """Start ``target`` with no records."""
        line = f"started {target} with no reading state"
        self.steps.append((line, lambda: write_atomically(target, empty_file())))

    def run(self) -> list[str]:
        done = []
        for line, step in self.steps:
            try:
                step()
            except OSError as err:
                raise StoreError(f"restore stopped before: {line} ({err.strerror})") from err
            done.append(line)
        return done + self.notes


def _move(path: Path, aside: Path) -> None:
    os.replace(path, aside)
    fsync_folder(path.parent)


def _usable_catalogue_backup(path: Path, what: str) -> _CatalogueSet:
    backup = backup_path(path)
    if not backup.exists():
        raise StoreError(f"{what}; no backup to restore ({backup} does not exist)")
    try:
        return _read_catalogue_set(backup)
    except DamagedFileError as err:
        raise StoreError(f"{backup}: the backup cannot be used either ({err.what})") from None


def _plan_catalogue(plan: _Plan, path: Path, backup: _CatalogueSet, why: str) -> None:
    """Put the catalogue and its abstracts back from ``backup`` (``library.json.bak``)."""
    keep = set(backup.part_paths())
    note = ""
    if backup.parts.generation is None:
        # Written before generations: its parts have .bak copies of their own.
        for source, target in zip(backup.part_paths(), backup.parts.paths(path), strict=True):
            if target.exists():
                plan.keep(target, why)
            plan.copy(source, target)
            keep.add(target)
    elif backup.parts.count:
        note = f" (with its abstracts, {backup.parts.count} part(s) of generation"
        note += f" {backup.parts.generation}, already in place)"
    if path.exists():
        plan.keep(path, why)
    plan.copy(backup.path, path, note)
    for part in part_files(path):
        if part.path not in keep:
            plan.move(part.path, why, "abstracts no catalogue names after the restore")


def _put_back_newest(
    plan: _Plan,
    target: Path,
    candidates: Iterable[Path],
    check: Callable[[Path], object],
    what: str,
    advice: str,
) -> None:
    """Plan putting back the first of ``candidates`` that ``check`` reads whole."""
    problems = []
    for candidate in candidates:
        try:
            check(candidate)
        except DamagedFileError as err:
            problems.append(f"{candidate}: {err.what}")
            continue
        if target.exists():
            plan.keep(target, "damaged")
        plan.copy(candidate, target)
        return
    tried = f" ({'; '.join(problems)})" if problems else ""
    raise StoreError(f"{what}; no usable backup of it{tried}{advice}")


def _plan_companion(plan: _Plan, role: str, companion: Path, what: str) -> None:
    advice = (
        "; `paper-reader restore --empty-state` starts with no reading state on purpose"
        if role == "state"
        else ""
    )
    _put_back_newest(
        plan,
        companion,
        _companion_backups(role, companion),
        lambda candidate: _check_companion(role, candidate),
        what,
        advice,
    )


def _plan_side_file(plan: _Plan, side: Path, read: Callable[[Path], object], what: str) -> None:
    """Put back the newest backup of a side file that reads whole."""
    _put_back_newest(
        plan, side, backups_of(side), read, what, "; move it aside to start without it"
    )


def restore(path: Path, *, force: bool = False, empty_state: bool = False) -> list[str]:
    """Bring back what is damaged or missing; one line per thing done.

    On a healthy store nothing changes and the one line is
    :data:`NOTHING_DAMAGED`. ``force`` rolls back to the store as it was
    before the last import (catalogue, its abstracts and the state), the
    current files kept as ``*.before-restore-<time>``. ``empty_state`` sets
    the state aside and starts an empty one (damaged files are restored as
    usual). A damaged side file (follows, enrichment log) is restored in
    every case; a healthy one is never rolled back. Raises
    :class:`StoreError`, with nothing written, when a needed backup is
    missing or damaged too.
    """
    if force and empty_state:
        raise StoreError("restore: --force and --empty-state cannot be used together")
    if not path.parent.is_dir():
        return [NOTHING_DAMAGED]
    plan = _Plan(time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
    state = companion_path(path, "state")
    with holding(store_lock(path), path):
        health = _assess(path)
        if force:
            backup = _usable_catalogue_backup(path, f"{path}: nothing to roll back to")
            _plan_catalogue(plan, path, backup, "before-restore")
            state_backup = backup_path(state)
            if state_backup.exists():
                try:
                    _check_companion("state", state_backup)
                except DamagedFileError as err:
                    raise StoreError(
                        f"{state_backup}: the backup cannot be used either ({err.what})"
                    ) from None
                if state.exists():
                    plan.keep(state, "before-restore")
                plan.copy(state_backup, state)
            else:
                plan.notes.append(f"{state}: no copy from before the last import; left as it is")
        else:
            # A lost catalogue with no backup, known only from the state's
            # records: setting the state aside makes the store a new one.
            starts_over = empty_state and not path.exists() and not backup_path(path).exists()
            if health.catalogue_damage is not None and not starts_over:
                backup = _usable_catalogue_backup(path, health.catalogue_damage)
                _plan_catalogue(plan, path, backup, "damaged")
            for role, companion in essential_companions(path):
                what = health.companion_damage.get(role)
                if what is not None and not (role == "state" and empty_state):
                    _plan_companion(plan, role, companion, what)
        # No side file's lock is needed: a writer refuses a damaged or lost
        # side file, so none can write it before it is restored.
        for side, read in side_files(path):
            what = health.side_damage.get(side)
            if what is not None:
                _plan_side_file(plan, side, read, what)
        if empty_state:
            if state.exists():
                damaged = "state" in health.companion_damage
                plan.keep(state, "damaged" if damaged else "before-restore")
            plan.empty(state)
        if not plan.steps:
            return [NOTHING_DAMAGED]
        return plan.run()
