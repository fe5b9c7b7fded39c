"""Every store file is written temp → fsync → rename → fsync of the folder, in that order.

A missing fsync cannot be seen by killing processes (the page cache survives
them); only a power cut shows it. So the calls are recorded here, as the
operating system sees them, and their order is asserted for every writer:
the catalogue, the abstracts parts, the state, the state's backups and the
catalogue's backup.
"""

from __future__ import annotations

import builtins
import io
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from store import keeping
from store.library import Library
from store.model import ImportResult, Paper

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads open files' paths from /proc"
)
NOTED = "Zhang2026LeanMarathon"
Event = tuple[str, ...]


class Recorder:
    """Records writes, fsyncs, links and renames under one folder, in order."""

    def __init__(self, folder: Path) -> None:
        self.folder = str(folder)
        self.events: list[Event] = []

    def _mine(self, path: object) -> bool:
        return str(path).startswith(self.folder)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real_open, real_fsync = builtins.open, os.fsync
        real_replace, real_rename, real_link = os.replace, os.rename, os.link
        recorder = self

        class Handle:
            def __init__(self, handle: Any, path: str) -> None:
                self._handle, self._path = handle, path

            def write(self, data: bytes) -> int:
                recorder.events.append(("write", self._path))
                return int(self._handle.write(data))

            def __getattr__(self, name: str) -> Any:
                return getattr(self._handle, name)

            def __enter__(self) -> Handle:
                return self

            def __exit__(self, *exc: object) -> None:
                self._handle.close()

        def opener(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            handle = real_open(file, mode, *args, **kwargs)
            if any(flag in mode for flag in "wax+") and self._mine(file):
                self.events.append(("open", str(file)))
                return Handle(handle, str(file))
            return handle

        def fsync(fd: int) -> None:
            path = os.readlink(f"/proc/self/fd/{fd}")
            real_fsync(fd)
            if self._mine(path):
                self.events.append(("fsync", path))

        def recorded(kind: str, real: Callable[..., None]) -> Callable[..., None]:
            def call(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
                real(src, dst, *args, **kwargs)
                if self._mine(dst):
                    self.events.append((kind, str(src), str(dst)))

            return call

        monkeypatch.setattr(builtins, "open", opener)
        monkeypatch.setattr(io, "open", opener)
        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", recorded("replace", real_replace))
        monkeypatch.setattr(os, "rename", recorded("rename", real_rename))
        monkeypatch.setattr(os, "link", recorded("link", real_link))
        monkeypatch.setattr(shutil, "_USE_CP_SENDFILE", False)  # copies go through write()

    def replaced(self) -> list[str]:
        """Every file that was replaced (renamed into place), in order."""
        return [event[2] for event in self.events if event[0] in ("replace", "rename")]

    def assert_atomic(self, target: Path) -> None:
        """``target`` was last replaced by: temp written, fsynced, renamed, folder fsynced."""
        tmp, events = f"{target}.tmp", self.events
        renames = [
            i for i, e in enumerate(events) if e[0] in ("replace", "rename") and e[2] == str(target)
        ]
        assert renames, f"{target.name} was never renamed into place"
        renamed = renames[-1]
        assert events[renamed][1] == tmp, f"{target.name} was not renamed from its temp file"
        earlier = [i for i in renames[:-1] if events[i][1] == tmp]
        opened = next(
            i for i in range(earlier[-1] if earlier else 0, renamed) if events[i] == ("open", tmp)
        )
        writes = [i for i in range(opened, renamed) if events[i] == ("write", tmp)]
        synced = [i for i in range(opened, renamed) if events[i] == ("fsync", tmp)]
        assert writes, f"{target.name}: nothing written to the temp file"
        assert synced and synced[-1] > writes[-1], f"{target.name}: temp file not fsynced"
        assert self._folder_synced_after(renamed, target), f"{target.name}: folder not fsynced"

    def _folder_synced_after(self, renamed: int, target: Path) -> bool:
        """The folder was fsynced after event ``renamed``, before another file was written."""
        for event in self.events[renamed + 1 :]:
            if event == ("fsync", str(target.parent)):
                return True
            if event[0] == "open":
                return False
        return False

    def assert_linked(self, source: Path, target: Path) -> None:
        """``target`` became a hard link of ``source`` by link → rename → folder fsynced."""
        tmp = f"{target}.tmp"
        linked = self.events.index(("link", str(source), tmp))
        renamed = self.events.index(("replace", tmp, str(target)), linked)
        assert self._folder_synced_after(renamed, target), f"{target.name}: folder not fsynced"


@pytest.fixture
def recorder(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    db_path.parent.mkdir(parents=True)
    recording = Recorder(db_path.parent)
    recording.install(monkeypatch)
    monkeypatch.setattr(keeping, "today", lambda: "2026-12-01")
    return recording


def _paper(title: str) -> ImportResult:
    return ImportResult([Paper(id="", title=title, date="2024-01-01", abstract=f"About {title}.")])


def _parts(db: Path) -> list[Path]:
    return sorted(db.parent.glob("library.abstracts.*.json"))


def test_a_first_import_writes_each_file_atomically(db_path: Path, recorder: Recorder) -> None:
    Library(db_path).import_result(_paper("First paper"))
    (part,) = _parts(db_path)
    state = db_path.with_name("library.state.json")
    assert sorted(recorder.replaced()) == sorted(map(str, (db_path, part, state)))
    for target in (db_path, part, state):
        recorder.assert_atomic(target)


def test_an_import_over_a_library_writes_and_backs_up_atomically(
    db_path: Path, recorder: Recorder
) -> None:
    library = Library(db_path)
    library.import_result(_paper("First paper"))
    library.set_note(library.papers()[0].id, "a note")
    recorder.events.clear()
    library.import_result(_paper("Second paper"))
    (old_part, new_part) = _parts(db_path)
    assert ".1.0." in old_part.name and ".2.0." in new_part.name
    state = db_path.with_name("library.state.json")
    for target in (db_path, new_part, state.with_name("library.state.json.bak")):
        recorder.assert_atomic(target)
    recorder.assert_linked(db_path, db_path.with_name("library.json.bak"))
    assert str(old_part) not in recorder.replaced()  # the backup's parts are never rewritten


def test_a_state_write_and_its_daily_backup_are_atomic(
    db_path: Path, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = Library(db_path)
    library.import_result(_paper("First paper"))
    paper_id = library.papers()[0].id
    library.set_note(paper_id, "on the first")
    monkeypatch.setattr(keeping, "today", lambda: "2026-12-02")
    recorder.events.clear()
    library.set_note(paper_id, "on the second")
    state = db_path.with_name("library.state.json")
    daily = db_path.with_name("library.state.json.bak.2026-12-02")
    assert recorder.replaced() == [str(daily), str(state)]  # the backup first
    recorder.assert_atomic(daily)
    recorder.assert_atomic(state)
