"""The order of every atomic write, recorded at the system calls and asserted.

A kill test cannot see a missing fsync: the page cache survives a killed
process, only a power cut loses it. So the calls themselves are recorded —
each ``fsync`` (with the path and the bytes the file held at that moment) and
each ``rename``/``replace`` — and for every file the store or the reader
writes, the order must be: the temporary file written whole and fsynced, then
renamed over the target, then the target's folder fsynced (so the rename
itself survives a power cut). Only ``os`` functions are watched, never
private helpers, so the test holds however the writers are organised.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from store.formats import decode_input, parse_text
from store.library import Library, restore_from_backups
from store.model import ImportResult, Paper, ReadingStatus
from tests.conftest import AS_OF, SAMPLE_PROFILE

# Backups are copies (or links) of files already on disk, and moving a damaged
# file aside writes nothing: neither is a write to check here.
_NOT_A_WRITE = re.compile(r"\.bak(\.|$)|\.damaged-|\.before-restore-")

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="names open files through /proc (Linux)"
)


@dataclass(frozen=True)
class Call:
    """One recorded call: ``fsync`` of ``path`` (holding ``data``), or a rename."""

    name: str
    path: str
    target: str = ""
    data: bytes | None = None


class Calls:
    """Records fsync and rename calls made through the ``os`` module."""

    def __init__(self) -> None:
        self.log: list[Call] = []

    def fsync(self, real: Callable[[int], None]) -> Callable[[int], None]:
        def recorded(fd: int) -> None:
            path = os.readlink(f"/proc/self/fd/{fd}")
            data = None
            if stat.S_ISREG(os.fstat(fd).st_mode):
                with open(path, "rb") as handle:
                    data = handle.read()
            real(fd)
            self.log.append(Call("fsync", path, data=data))

        return recorded

    def rename(self, real: Callable[..., None], name: str) -> Callable[..., None]:
        def recorded(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            real(src, dst, *args, **kwargs)
            data = Path(dst).read_bytes() if os.path.isfile(dst) else None
            self.log.append(Call(name, os.path.realpath(src), os.path.realpath(dst), data))

        return recorded

    def written(self) -> set[str]:
        """Every file renamed into place: the writes (backups and moves aside left out)."""
        return {
            call.target
            for call in self.log
            if call.name in ("replace", "rename") and not _NOT_A_WRITE.search(call.target)
        }

    def assert_every_write_atomic(self) -> set[str]:
        """Check each write; returns the names of the files written."""
        written = self.written()
        for target in written:
            self.assert_written_atomically(Path(target))
        return {os.path.basename(target) for target in written}

    def assert_written_atomically(self, target: Path) -> None:
        """The last write of ``target``: temp fsynced whole → renamed → folder fsynced."""
        target_path = os.path.realpath(target)
        renames = [
            i
            for i, call in enumerate(self.log)
            if call.name in ("replace", "rename") and call.target == target_path
        ]
        assert renames, f"{target} was never renamed into place: {self._summary()}"
        last = renames[-1]
        temp = self.log[last].path
        assert temp != target_path
        assert os.path.dirname(temp) == os.path.dirname(target_path), "temp in another folder"
        landed = self.log[last].data
        synced = [
            i
            for i, call in enumerate(self.log[:last])
            if call.name == "fsync" and call.path == temp and call.data == landed
        ]
        assert synced, f"{temp} was not fsynced with its final bytes before the rename"
        earlier = renames[-2] if len(renames) > 1 else -1
        assert synced[-1] > earlier, f"the fsync of {temp} belongs to an earlier write"
        folder_synced = [
            i
            for i, call in enumerate(self.log[last + 1 :], start=last + 1)
            if call.name == "fsync" and call.path == os.path.dirname(target_path)
        ]
        assert folder_synced, f"the folder of {target} was not fsynced after the rename"

    def _summary(self) -> list[tuple[str, str, str]]:
        return [(c.name, c.path, c.target) for c in self.log]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    recorder = Calls()
    monkeypatch.setattr(os, "fsync", recorder.fsync(os.fsync))
    monkeypatch.setattr(os, "replace", recorder.rename(os.replace, "replace"))
    monkeypatch.setattr(os, "rename", recorder.rename(os.rename, "rename"))
    yield recorder


def _parts(names: set[str]) -> list[str]:
    return [name for name in names if ".abstracts." in name]


def _many_papers(count: int) -> ImportResult:
    return ImportResult(
        [
            Paper(
                id="",
                title=f"Generated paper number {n}",
                authors=(f"Author {n}",),
                abstract=f"Abstract of paper {n}.",
                date="2024-01-01",
            )
            for n in range(count)
        ]
    )


def test_first_import_writes_catalogue_and_parts_atomically(db_path: Path, calls: Calls) -> None:
    result = parse_text(decode_input(SAMPLE_PROFILE.read_bytes()), as_of=AS_OF)
    Library(db_path).import_result(result, source=str(SAMPLE_PROFILE))
    written = calls.assert_every_write_atomic()
    assert db_path.name in written and _parts(written)


def test_import_into_a_store_rewrites_every_file_atomically(
    sample_library: Library, calls: Calls
) -> None:
    """A second import: over existing files, with backups taken, into several parts."""
    sample_library.set_status(["Zhang2026LeanMarathon"], ReadingStatus.READ)
    calls.log.clear()
    sample_library.import_result(_many_papers(5_001))
    written = calls.assert_every_write_atomic()
    assert sample_library.path.name in written and len(_parts(written)) >= 2


def test_state_change_is_written_atomically(sample_library: Library, calls: Calls) -> None:
    paper = "Zhang2026LeanMarathon"
    changes: list[Callable[[], object]] = [
        lambda: sample_library.set_status([paper], ReadingStatus.READ),
        lambda: sample_library.set_starred([paper], True),
        lambda: sample_library.change_tags([paper], add=["x"]),
        lambda: sample_library.set_note(paper, "note"),
        lambda: sample_library.set_status([paper], ReadingStatus.UNREAD),
    ]
    for change in changes:
        calls.log.clear()
        change()
        assert "library.state.json" in calls.assert_every_write_atomic()


def test_restore_puts_files_back_atomically(sample_library: Library, calls: Calls) -> None:
    sample_library.set_starred(["Zhang2026LeanMarathon"], True)
    sample_library.import_result(_many_papers(3))  # leaves .bak copies of every file
    sample_library.path.write_text("{ damaged")
    calls.log.clear()
    restore_from_backups(sample_library.path)
    assert sample_library.path.name in calls.assert_every_write_atomic()


def test_settings_are_written_atomically(calls: Calls) -> None:
    from tui.settings import load_settings, save_setting, settings_path

    save_setting("theme", "textual-light")
    save_setting("theme", "nord")
    assert load_settings()["theme"] == "nord"
    assert settings_path().name in calls.assert_every_write_atomic()


def test_the_recorder_sees_a_missing_fsync(tmp_path: Path, calls: Calls) -> None:
    """The check fails for a plain write-and-rename, so passing it means something."""
    target = tmp_path / "file.json"
    tmp = tmp_path / "file.json.tmp"
    tmp.write_bytes(b"{}")
    os.replace(tmp, target)
    with pytest.raises(AssertionError, match="not fsynced"):
        calls.assert_written_atomically(target)


def test_the_recorder_sees_a_missing_folder_fsync(tmp_path: Path, calls: Calls) -> None:
    target = tmp_path / "file.json"
    tmp = tmp_path / "file.json.tmp"
    with open(tmp, "wb") as handle:
        handle.write(b"{}")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    with pytest.raises(AssertionError, match="folder"):
        calls.assert_written_atomically(target)
