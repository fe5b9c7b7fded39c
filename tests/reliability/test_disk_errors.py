"""Read-only stores, full disks and missing folders: one clear line, no partial files.

Tests run as root in CI, where ``chmod`` stops nothing; there the failures are
simulated in-process (the calls a read-only folder or a full disk would fail
are made to fail the same way). The real ``chmod`` versions run for other
users.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from store.errors import StoreError
from store.library import Library
from store.model import ImportResult, Paper
from tests.conftest import ROOT, SAMPLE_PROFILE, child_env, run_cli
from tests.reliability.conftest import cli_in_process, store_files

NOTED = "Zhang2026LeanMarathon"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _new_paper() -> ImportResult:
    return ImportResult([Paper(id="", title="A paper that needs room", date="2024-01-01")])


@pytest.fixture
def store(sample_library: Library) -> Path:
    """The sample store with a note, imported twice so a backup exists."""
    sample_library.set_note(NOTED, "old note")
    sample_library.import_result(_new_paper(), source="again")
    return sample_library.path


class FullDisk:
    """Writes into ``folder`` fail with ENOSPC once ``room`` bytes were written.

    The failing write puts what still fits on disk first, as a real one does.
    """

    def __init__(self, folder: Path, room: int) -> None:
        self.folder, self.room = str(folder), room
        self.writes: list[int] = []  # the size of each write, in order

    def wrap_open(self, real_open: Callable[..., Any]) -> Callable[..., Any]:
        disk = self

        class Handle:
            def __init__(self, handle: Any) -> None:
                self._handle = handle

            def write(self, data: bytes) -> int:
                disk.writes.append(len(data))
                fits = max(0, min(len(data), disk.room))
                self._handle.write(data[:fits])
                disk.room -= fits
                if fits < len(data):
                    self._handle.flush()
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                return fits

            def __getattr__(self, name: str) -> Any:
                return getattr(self._handle, name)

            def __enter__(self) -> Handle:
                return self

            def __exit__(self, *exc: object) -> None:
                self._handle.close()

        def opener(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            handle = real_open(file, mode, *args, **kwargs)
            if any(flag in mode for flag in "wax+") and str(file).startswith(disk.folder):
                return Handle(handle)
            return handle

        return opener


@pytest.fixture
def full_disk(store: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FullDisk]:
    disk = FullDisk(store.parent, room=0)
    opener = disk.wrap_open(builtins.open)
    monkeypatch.setattr(builtins, "open", opener)
    monkeypatch.setattr(io, "open", opener)
    monkeypatch.setattr(shutil, "_USE_CP_SENDFILE", False)  # copies go through write()
    yield disk
    monkeypatch.undo()


def test_full_disk_on_a_note_write(store: Path, full_disk: FullDisk) -> None:
    library = Library(store)
    full_disk.room = 200
    before = store_files(store.parent)
    with pytest.raises(StoreError) as caught:
        library.set_note(NOTED, "a long note " * 1000)
    message = str(caught.value)
    assert "library.state.json" in message and "No space left on device" in message
    assert library.state(NOTED).note == "old note"
    code, _out, err = cli_in_process(store, "note", NOTED, "another long note " * 1000)
    assert code == 1 and err.count("\n") == 1 and "No space left" in err
    assert store_files(store.parent) == before
    assert _leftovers(store.parent) == []
    full_disk.room = 10**9  # room again: the same write now lands
    library.set_note(NOTED, "a long note " * 1000)
    assert Library(store).state(NOTED).note.startswith("a long note")


def test_full_disk_while_keeping_the_backup_of_an_import(
    store: Path, full_disk: FullDisk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No room for the copy of the previous catalogue: the import stops, all intact."""

    def no_links(*_args: object) -> None:
        raise OSError(errno.EPERM, "links not supported here")

    monkeypatch.setattr(os, "link", no_links)
    catalogue_size = store.stat().st_size
    full_disk.room = catalogue_size + catalogue_size // 2  # the new file fits, the copy not
    before = store_files(store.parent)
    library = Library(store)
    with pytest.raises(StoreError, match="No space left on device"):
        library.import_result(
            ImportResult([Paper(id="", title="One more paper", date="2025-01-01")])
        )
    assert store_files(store.parent) == before
    assert _leftovers(store.parent) == []
    assert len(Library(store)) == 51


def _in_force(folder: Path) -> dict[str, bytes]:
    """The files the library reads (not its backups, not files kept aside)."""
    return {
        name: data
        for name, data in store_files(folder).items()
        if name.endswith(".json") and ".bak" not in name
    }


def _many_papers() -> ImportResult:
    return ImportResult(
        [
            Paper(
                id="",
                title=f"Paper {n} that needs room",
                date="2024-01-01",
                abstract="Words. " * 80,
            )
            for n in range(30)
        ]
    )


@pytest.mark.parametrize("links", [True, False], ids=["links", "no links"])
def test_full_disk_at_every_write_of_an_import(
    store: Path,
    full_disk: FullDisk,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    links: bool,
) -> None:
    """Out of room at each write of an import: the previous files stay in force, no strays.

    The writes are counted on a first, complete import; then the disk is
    made to fill up at the start and in the middle of each of them in turn.
    """
    if not links:
        monkeypatch.setattr(os, "link", _no_links)
    pristine = tmp_path / "pristine"
    full_disk.room = 10**9
    shutil.copytree(store.parent, pristine)

    def fresh_store() -> None:
        full_disk.room = 10**9
        shutil.rmtree(store.parent)
        shutil.copytree(pristine, store.parent)

    full_disk.writes = []
    Library(store).import_result(_many_papers(), source="more")
    sizes = full_disk.writes
    assert len(Library(store)) == 81
    offsets = [sum(sizes[:i]) for i in range(len(sizes))]
    rooms = sorted({*offsets, *(o + size // 2 for o, size in zip(offsets, sizes, strict=True))})
    for room in rooms:
        fresh_store()
        before = store_files(store.parent)
        library = Library(store)
        full_disk.room = room
        with pytest.raises(StoreError, match="No space left on device"):
            library.import_result(_many_papers(), source="more")
        full_disk.room = 10**9
        after = store_files(store.parent)
        assert _in_force(store.parent) == _in_force(pristine), room
        assert set(after) == set(before), room  # no stray part, no .tmp
        if links:  # nothing had to be copied: the backups are untouched too
            assert after == before, room
        reopened = Library(store)
        assert len(reopened) == 51 and reopened.state(NOTED).note == "old note"
        assert library.abstract(NOTED).startswith("Long-horizon")
    assert len(sizes) >= 3  # the part, the catalogue and the state's backup were each cut


def test_fsync_failing_at_each_step_of_an_import(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Delayed allocation reports a full disk at fsync: at any of them, old or new store."""
    pristine = tmp_path / "pristine"
    shutil.copytree(store.parent, pristine)
    real_fsync = os.fsync
    calls = 0
    fail_at = -1

    def fsync(fd: int) -> None:
        nonlocal calls
        calls += 1
        if calls - 1 == fail_at:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    Library(store).import_result(_many_papers(), source="more")
    total, outcomes = calls, set()
    for fail_at in range(total):
        shutil.rmtree(store.parent)
        shutil.copytree(pristine, store.parent)
        calls = 0
        try:
            Library(store).import_result(_many_papers(), source="more")
        except StoreError as err:
            assert "No space left on device" in str(err)
            assert _in_force(store.parent) == _in_force(pristine), fail_at
            assert _names(store.parent) == _names(pristine), fail_at  # no strays
            assert len(Library(store)) == 51
            outcomes.add("old")
        else:  # only a folder's fsync failed, which a rename survives
            assert len(Library(store)) == 81
            outcomes.add("new")
        assert _leftovers(store.parent) == []
    assert outcomes == {"old", "new"} and total >= 4


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _no_links(*_args: object) -> None:
    raise OSError(errno.EPERM, "links not supported here")


def test_fsync_failure_leaves_the_old_file(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Delayed allocation reports a full disk at fsync: still all or nothing."""
    library = Library(store)
    before = store_files(store.parent)

    def failing_fsync(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(StoreError, match="No space left on device"):
        library.set_status([NOTED], "read")  # type: ignore[arg-type]
    monkeypatch.undo()
    assert store_files(store.parent) == before
    assert _leftovers(store.parent) == []


def _deny_writes_in(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a 0o555 folder does for a normal user: no new files, no renames into it."""
    real_open, real_os_open, real_replace = builtins.open, os.open, os.replace

    def denied(path: object) -> OSError:
        return PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    def guarded_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        creating = any(f in mode for f in "wax+") and not os.path.exists(file)
        if creating and str(file).startswith(str(folder)):
            raise denied(file)
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT and str(path).startswith(str(folder)) and not os.path.exists(path):
            raise denied(path)
        return real_os_open(path, flags, *args, **kwargs)

    def guarded_replace(src: Any, dst: Any) -> None:
        if str(dst).startswith(str(folder)):
            raise denied(dst)
        real_replace(src, dst)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)
    monkeypatch.setattr(os, "replace", guarded_replace)


def test_read_only_folder_simulated(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = store_files(store.parent)
    _deny_writes_in(store.parent, monkeypatch)
    code, _out, err = cli_in_process(store, "mark", "read", NOTED)
    monkeypatch.undo()
    assert code == 1 and err.count("\n") == 1, err
    assert "library.state.json" in err and "Permission denied" in err
    assert store_files(store.parent) == before and _leftovers(store.parent) == []


def test_lock_refused_is_one_line(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from filelock import FileLock

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(FileLock, "acquire", refuse)
    code, _out, err = cli_in_process(store, "star", NOTED)
    assert code == 1 and err.count("\n") == 1
    assert "cannot lock the store (Permission denied)" in err and ".lock" in err


def test_read_only_file_is_not_replaced(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``chmod 444 library.state.json``: a rename would replace it anyway; we refuse."""
    state = store.with_name("library.state.json")
    state.chmod(0o444)
    if IS_ROOT:  # root may write anything: let the check see what a user would
        real_access = os.access
        monkeypatch.setattr(
            os, "access", lambda p, m, **kw: Path(p) != state and real_access(p, m, **kw)
        )
    before = store_files(store.parent)
    code, _out, err = cli_in_process(store, "note", NOTED, "new")
    assert code == 1 and err.count("\n") == 1
    assert f"{state}: cannot write the store (the file is read-only)" in err
    assert store_files(store.parent) == before


def test_permissions_of_the_store_survive_a_write(store: Path) -> None:
    state = store.with_name("library.state.json")
    state.chmod(0o600)
    store.chmod(0o600)
    library = Library(store)
    library.set_note(NOTED, "private")
    library.import_result(ImportResult([Paper(id="", title="Private too", date="2020-01-01")]))
    for path in (state, store, store.with_name("library.state.json.bak")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


NOBODY = 65534


def _cli_as_unprivileged(store: Path, *args: str) -> tuple[int, str, str]:
    """The CLI run by a user that permissions apply to.

    Root ignores chmod, so as root the command runs in a child process as
    ``nobody`` (whose view of the store the test prepares); otherwise in-process.
    """
    if not IS_ROOT:
        return cli_in_process(store, *args)
    # The interpreter lives under /root, which nobody may not enter: start as
    # root, load the program, then drop to nobody before it touches the store.
    drop_then_run = (
        "import os, sys, importlib.metadata, tui.cli, store.library, store.formats\n"
        "tui.cli.build_parser()\n"
        f"os.setgroups([]); os.setgid({NOBODY}); os.setuid({NOBODY})\n"
        "sys.exit(tui.cli.main(sys.argv[1:]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", drop_then_run, "--db", str(store), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=child_env(),
    )
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def unprivileged_store(store: Path) -> Iterator[Path]:
    """The store in a folder the unprivileged user owns (as root: a copy for nobody)."""
    if not IS_ROOT:
        yield store
        return
    folder = Path(tempfile.mkdtemp(prefix="paper-reader-nobody-"))
    try:
        for path in store.parent.iterdir():
            if path.is_file():
                shutil.copy2(path, folder / path.name)
        for path in (folder, *folder.iterdir()):
            os.chown(path, NOBODY, NOBODY)
        folder.chmod(0o755)
        yield folder / store.name
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_read_only_folder_for_real(unprivileged_store: Path) -> None:
    store = unprivileged_store
    before = store_files(store.parent)
    store.parent.chmod(0o555)
    try:
        code, _out, err = _cli_as_unprivileged(store, "mark", "read", NOTED)
        assert code == 1 and err.count("\n") == 1, err
        assert "Permission denied" in err and str(store.parent) in err
        assert _leftovers(store.parent) == []
    finally:
        store.parent.chmod(0o755)
    assert store_files(store.parent) == before


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_unreadable_store_for_real(unprivileged_store: Path) -> None:
    store = unprivileged_store
    store.chmod(0o000)
    try:
        code, _out, err = _cli_as_unprivileged(store, "list")
    finally:
        store.chmod(0o644)
    assert code == 1 and err.count("\n") == 1, err
    assert f"{store}: cannot read the store (Permission denied)" in err


def test_missing_folders_are_created_for_writes(tmp_path: Path) -> None:
    db = tmp_path / "not" / "yet" / "there" / "library.json"
    assert cli_in_process(db, "list")[0] == 0 and not (tmp_path / "not").exists()
    code, out, err = cli_in_process(db, "import", str(SAMPLE_PROFILE), "--as-of", "2026-11-28")
    assert code == 0, err
    assert "added 50" in out and len(Library(db)) == 50


def test_a_file_where_the_folder_should_be_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder")
    for db in (blocker / "library.json", blocker / "deeper" / "library.json"):
        for args in (["import", str(SAMPLE_PROFILE)], ["list"], ["mark", "read", "X"]):
            done = run_cli(db, *args) if args[0] == "import" else None
            code, _out, err = (
                (done.returncode, done.stdout, done.stderr) if done else cli_in_process(db, *args)
            )
            assert code == 1 and err.count("\n") == 1, err
            assert f"{blocker} is a file" in err, err
            assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert blocker.read_text() == "not a folder"
