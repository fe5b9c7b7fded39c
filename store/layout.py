"""Where each file of a store lives, and which of them a store cannot do without.

A store is named after its catalogue, ``library.json``; everything else sits
beside it, named after it:

* ``library.abstracts.<generation>.<n>.json``: the abstracts, in parts. Each
  import writes a new generation and the catalogue names it, so the parts a
  catalogue reads never change under it. A store written before generations
  (``library.abstracts.<n>.json``) still reads: its catalogue names no
  generation;
* ``library.state.json``: the reading state (status, star, tags, note);
* ``library.json.bak``, ``library.state.json.bak``: the catalogue and the
  state as they were before the last import (the ``.bak`` catalogue names
  its own generation of abstracts, which stays on disk with it);
* ``library.state.json.bak.YYYY-MM-DD``: the state before the first write of
  each of the last seven days;
* ``library.follows.json``, ``library.enrichments.json``: the side files of
  user data (see :mod:`store.sidefiles`), each with a ``.bak`` (the file
  before its last write) and daily copies like the state's;
* ``library.json.lock``: the write lock.

The essential files are the catalogue, the abstracts parts it names and the
companions in :data:`ESSENTIAL_COMPANIONS`: a missing one is damage, never
an empty library.
"""

from __future__ import annotations

import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from store.errors import StoreError

PAPERS_PER_ABSTRACT_PART = 10_000
# The catalogue's meta table lists the companions it was written with, and a
# store that lists one cannot open without it. A new essential file written
# with the catalogue is one more name here: created empty with the next
# import, required from then on. User data written on its own (the follows,
# the enrichment log) are side files instead (store.sidefiles).
ESSENTIAL_COMPANIONS: tuple[str, ...] = ("state",)
DAILY_BACKUPS = 7
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, slots=True)
class AbstractParts:
    """Which abstracts files a catalogue reads: ``count`` parts of one generation.

    ``generation`` is None for a store written before generations (parts
    named ``library.abstracts.<n>.json``); ``count`` 0 means the abstracts
    are inline in the catalogue (schema 1) or there are none.
    """

    count: int = 0
    generation: int | None = None

    def paths(self, catalogue: Path) -> list[Path]:
        """The parts' files for the catalogue at ``catalogue`` (a ``.bak`` too).

        A catalogue without generation reads the parts beside it with its own
        tail: ``library.json.bak`` reads ``library.abstracts.0.json.bak``.
        """
        base, tail = _store_name(catalogue)
        if self.generation is None:
            legacy = (companion_path(base, f"abstracts.{n}") for n in range(self.count))
            return [part.with_name(part.name + tail) for part in legacy]
        return [abstract_part_path(base, self.generation, n) for n in range(self.count)]

    def as_meta(self) -> dict[str, int]:
        """The catalogue's ``meta.abstracts`` record."""
        meta = {"parts": self.count}
        if self.generation is not None:
            meta["generation"] = self.generation
        return meta


def _store_name(catalogue: Path) -> tuple[Path, str]:
    """(the catalogue's own path, the tail it carries): ``x.json.bak`` → (``x.json``, ``.bak``)."""
    if catalogue.name.endswith(".bak"):
        return catalogue.with_name(catalogue.name[: -len(".bak")]), ".bak"
    return catalogue, ""


def companion_path(path: Path, role: str) -> Path:
    """A file beside the store named after it: ``library.json`` → ``library.state.json``."""
    suffix = path.suffix or ".json"
    return path.with_name(f"{path.stem}.{role}{suffix}")


def backup_path(path: Path) -> Path:
    """Where the copy of a store file from before the last import is kept: ``*.bak``."""
    return path.with_name(path.name + ".bak")


def daily_backup_path(path: Path, day: str) -> Path:
    """The file as it was before the first write of ``day`` (``YYYY-MM-DD``)."""
    return path.with_name(f"{path.name}.bak.{day}")


def daily_backups(path: Path) -> list[Path]:
    """The file's daily backups present, oldest first."""
    prefix = path.name + ".bak."
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    days = sorted(
        name[len(prefix) :]
        for name in names
        if name.startswith(prefix) and _DAY.fullmatch(name[len(prefix) :])
    )
    return [daily_backup_path(path, day) for day in days]


def abstract_part_path(path: Path, generation: int, number: int) -> Path:
    """Part ``number`` of generation ``generation``: ``library.abstracts.3.0.json``."""
    return companion_path(path, f"abstracts.{generation}.{number}")


def abstract_part_of(paper_id: str, count: int) -> int:
    """Which of ``count`` parts holds this paper's abstract (stable across runs)."""
    return zlib.crc32(paper_id.encode("utf-8", "replace")) % count


def abstract_part_count(paper_count: int) -> int:
    """How many parts the abstracts of ``paper_count`` papers are split into."""
    return max(
        -(-paper_count // PAPERS_PER_ABSTRACT_PART),
        # Halves from 5,000 papers on: reading one part is the reader's
        # memory peak at that size (84 instead of 98 MB at 10,000).
        2 if paper_count > PAPERS_PER_ABSTRACT_PART // 2 else 1,
    )


@dataclass(frozen=True, slots=True)
class PartFile:
    """An abstracts part found beside the catalogue."""

    path: Path
    generation: int | None  # None: named before generations
    number: int
    is_backup: bool  # a pre-generation ``.bak`` part


def part_files(path: Path) -> list[PartFile]:
    """Every abstracts part file beside the catalogue at ``path`` (any generation)."""
    suffix = path.suffix or ".json"
    pattern = re.compile(
        re.escape(f"{path.stem}.abstracts.")
        + r"(?:([0-9]+)\.)?([0-9]+)"
        + re.escape(suffix)
        + r"(\.bak)?"
    )
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    found = []
    for name in names:
        match = pattern.fullmatch(name)
        if match is None or (match.group(1) is not None and match.group(3)):
            continue
        generation = int(match.group(1)) if match.group(1) is not None else None
        found.append(
            PartFile(path.parent / name, generation, int(match.group(2)), bool(match.group(3)))
        )
    return sorted(found, key=lambda f: (f.generation or -1, f.is_backup, f.number))


def essential_companions(path: Path) -> list[tuple[str, Path]]:
    """(role, path) of each companion file a store written today cannot do without.

    None for a catalogue's backup opened on its own (``--db library.json.bak``,
    to look into it): its companions are the store's.
    """
    if _store_name(path)[1]:
        return []
    return [(role, companion_path(path, role)) for role in ESSENTIAL_COMPANIONS]


def is_store_leftover(path: Path, name: str) -> bool:
    """True for a ``.tmp`` file a writer of the store at ``path`` left behind.

    Only the files written under the store's lock: the catalogue, its
    companions and its abstracts parts, with their backups. The side files
    of user data (follows, enrichment log) have locks of their own, and the
    caches none: their ``.tmp`` may be a live writer's.
    """
    if not name.endswith(".tmp"):
        return False
    own = (
        path.name + ".",
        f"{path.stem}.abstracts.",
        *(companion.name + "." for _role, companion in essential_companions(path)),
    )
    return name.startswith(own)


def backups_of(path: Path) -> list[Path]:
    """Every backup of the state or a side file present, newest first (by when it was taken)."""
    candidates = [*daily_backups(path), backup_path(path)]
    stamped = []
    for order, candidate in enumerate(candidates):
        try:
            # Copies made within one clock tick share an mtime: the later day wins.
            stamped.append((candidate.stat().st_mtime_ns, order, candidate))
        except OSError:
            continue
    return [candidate for *_key, candidate in sorted(stamped, reverse=True)]


def _role_of(path: Path) -> str:
    if ".abstracts." in path.name:
        return "abstracts"
    if path.name.endswith(".state.json"):
        return "state"
    return "catalogue"


def _catalogue_of_part(part: Path) -> Path:
    stem = part.name.split(".abstracts.", 1)[0]
    return part.with_name(stem + (part.suffix if part.suffix != ".bak" else ".json"))


def way_back(path: Path) -> str:
    """How to get a damaged or missing essential file back, in one clause."""
    role = _role_of(path)
    if role == "state":
        backups = backups_of(path)
        fresh = "`paper-reader restore --empty-state` starts with no reading state on purpose"
        if backups:
            return f"`paper-reader restore` puts back the last good copy ({backups[0]}), or {fresh}"
        return f"no backup of it exists; {fresh}"
    catalogue = _catalogue_of_part(path) if role == "abstracts" else path
    backup = backup_path(catalogue)
    if not backup.exists():
        if role == "catalogue" and not catalogue.exists():
            return (
                f"no backup of it exists ({backup}); `paper-reader restore --empty-state` "
                "starts a new store, keeping the reading state aside"
            )
        return f"no backup of it exists ({backup})"
    if role == "abstracts":
        return (
            f"`paper-reader restore` puts back {catalogue.name} and its abstracts as they were "
            f"before the last import (from {backup})"
        )
    return f"the last good copy is {backup}, and `paper-reader restore` puts it back"


class DamagedFileError(StoreError):
    """A store file that cannot be read: ``path`` and ``what`` is wrong with it."""

    def __init__(self, path: Path, what: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.what = what


def damaged(path: Path, what: str) -> DamagedFileError:
    """The error for a damaged file: its path, what is wrong, and the way back."""
    message = f"{path}: the store is damaged ({what}); it was left as it is; {way_back(path)}"
    return DamagedFileError(path, what, message)


def missing(path: Path, why_expected: str) -> DamagedFileError:
    """The error for a missing essential file: why it is expected, and the way back."""
    what = f"the file is missing; {why_expected}"
    message = f"{path}: the store is damaged ({what}); nothing was written; {way_back(path)}"
    return DamagedFileError(path, what, message)
