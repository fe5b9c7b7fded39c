"""A crash at every file-system step of a write, made certain rather than left to timing.

Random SIGKILLs (test_crash_safety.py) mostly land between writes. Here a
forked child runs one write and dies with ``os._exit`` (no cleanup, no
``finally``: like SIGKILL) at step k of it — before or after each open for
writing, halfway through each ``write()``, before or after each fsync, link,
copy, unlink and rename — for every k until the write completes. After each
death the parent checks the store holds the state before or after the
change, whole, and that the last good backup is still beside it.
"""

from __future__ import annotations

import builtins
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench.generate import profile_dump
from store.formats import decode_input, parse_text
from store.library import Library, restore_from_backups
from store.model import ImportResult
from tests.conftest import AS_OF, SAMPLE_PROFILE
from tests.reliability.conftest import rewrite_as_legacy

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")

CRASHED = 137
_MAX_STEPS = 200


class _Steps:
    """Counts file-system steps in the child and dies at the chosen one."""

    def __init__(self, crash_at: int, folder: Path) -> None:
        self.crash_at = crash_at
        self.folder = str(folder)
        self.count = 0

    def step(self) -> None:
        if self.count == self.crash_at:
            os._exit(CRASHED)
        self.count += 1

    def wrap(self, func: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            self.step()
            result = func(*args, **kwargs)
            self.step()
            return result

        return wrapped

    def open(self, real_open: Callable[..., Any]) -> Callable[..., Any]:
        steps = self

        class Handle:
            """A file opened for writing whose every write can be cut in half."""

            def __init__(self, handle: Any) -> None:
                self._handle = handle

            def write(self, data: bytes) -> int:
                half = len(data) // 2
                steps.step()
                self._handle.write(data[:half])
                self._handle.flush()
                steps.step()  # dies with half the bytes on disk
                return half + int(self._handle.write(data[half:]))

            def __getattr__(self, name: str) -> Any:
                return getattr(self._handle, name)

            def __enter__(self) -> Handle:
                return self

            def __exit__(self, *exc: object) -> None:
                self._handle.close()

        def opener(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            handle = real_open(file, mode, *args, **kwargs)
            writing = any(flag in mode for flag in "wax+")
            if writing and str(file).startswith(steps.folder):
                steps.step()
                return Handle(handle)
            return handle

        return opener


def _crash_at(step: int, folder: Path, action: Callable[[], None]) -> bool:
    """Run ``action`` in a forked child that dies at ``step``; True when it died."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            steps = _Steps(step, folder)
            for name in ("fsync", "replace", "link", "unlink", "rename"):
                setattr(os, name, steps.wrap(getattr(os, name)))
            shutil.copyfile = steps.wrap(shutil.copyfile)
            builtins.open = steps.open(builtins.open)
            action()
        except BaseException:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    assert code in (0, CRASHED), f"the child failed at step {step} (exit {code})"
    return code == CRASHED


def _crash_everywhere(
    db: Path, action: Callable[[], None], check: Callable[[Library], str]
) -> set[str]:
    """Crash ``action`` at each step in turn on a fresh copy; the outcomes seen."""
    pristine = db.parent.with_name("pristine")
    shutil.copytree(db.parent, pristine)
    outcomes: set[str] = set()
    for step in range(_MAX_STEPS):
        shutil.rmtree(db.parent)
        shutil.copytree(pristine, db.parent)
        sys.stdout.flush()
        died = _crash_at(step, db.parent, action)
        outcomes.add(check(Library(db)))  # opens, whole, and old or new
        if not died:
            return outcomes | {f"completed after {step} steps"}
    raise AssertionError(f"the write did not finish within {_MAX_STEPS} steps")


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """An import stamps the time: the same in the crashed child and in the finished copy."""
    monkeypatch.setattr("store.clock.now_iso", lambda: "2026-12-01T09:00:00Z")


@pytest.fixture
def store_with_backup(db_path: Path) -> Path:
    """A store imported twice (so a backup exists) with a note on one paper."""
    library = Library(db_path)
    result = parse_text(decode_input(SAMPLE_PROFILE.read_bytes()), as_of=AS_OF)
    library.import_result(result, source=str(SAMPLE_PROFILE))
    library.set_note("Zhang2026LeanMarathon", "old note")
    library.import_result(result, source=str(SAMPLE_PROFILE), collection="again")
    assert db_path.with_name("library.json.bak").exists()
    assert db_path.with_name("library.state.json.bak").exists()
    return db_path


def test_crash_at_every_step_of_a_note_write(store_with_backup: Path) -> None:
    db = store_with_backup

    def action() -> None:
        Library(db).set_note("Zhang2026LeanMarathon", "new note, a good deal longer")

    def check(library: Library) -> str:
        note = library.state("Zhang2026LeanMarathon").note
        assert note in ("old note", "new note, a good deal longer")
        assert len(library) == 50
        return note

    outcomes = _crash_everywhere(db, action, check)
    assert {"old note", "new note, a good deal longer"} <= outcomes


def _snapshot(library: Library) -> tuple[object, ...]:
    """Everything a user reads from a store: papers with abstracts, collections, states."""
    papers = library.complete_all(library.papers())
    states = {paper.id: library.state(paper.id) for paper in papers}
    return (papers, library.collections(), states)


def _snapshot_of(db: Path) -> tuple[object, ...]:
    return _snapshot(Library(db))


def _crash_every_step_of_an_import(db: Path, result: ImportResult) -> set[str]:
    """Crash an import at each step; the store is exactly the old or the new one."""
    old = _snapshot_of(db) if db.exists() else None
    backup = db.with_name(db.name + ".bak")
    older = _snapshot_of(backup)[0] if backup.exists() else None
    finished = db.parent.with_name("finished")
    shutil.copytree(db.parent, finished)
    Library(finished / db.name).import_result(result, source="generated")
    new = _snapshot_of(finished / db.name)

    def action() -> None:
        Library(db).import_result(result, source="generated")

    def check(library: Library) -> str:
        snapshot = _snapshot(library)  # loads every abstract the catalogue names
        assert snapshot in (old, new) or (old is None and len(library) == 0)
        # the store is healthy as it stands: restore finds nothing to do
        assert restore_from_backups(db) == ["nothing is damaged"]
        if backup.exists():  # whole, with the abstracts it names: the last or the one before
            assert _snapshot(Library(backup))[0] in (older, old[0] if old else None)
        return "new" if snapshot == new else "old"

    return _crash_everywhere(db, action, check)


def test_crash_at_every_step_of_an_import(store_with_backup: Path) -> None:
    """40 new papers, and every abstract already stored revised: all of it, or none."""
    sample = parse_text(decode_input(SAMPLE_PROFILE.read_bytes()), as_of=AS_OF)
    revised = [p.with_changes(abstract=f"Revised: {p.abstract}") for p in sample.papers]
    extra = parse_text(profile_dump(40, seed=3), "profile", as_of=AS_OF).papers
    result = ImportResult(papers=revised + extra, collection=sample.collection)
    outcomes = _crash_every_step_of_an_import(store_with_backup, result)
    assert {"old", "new"} <= outcomes


def test_crash_at_every_step_of_a_first_import(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    result = parse_text(decode_input(SAMPLE_PROFILE.read_bytes()), as_of=AS_OF)
    outcomes = _crash_every_step_of_an_import(db_path, result)
    assert {"old", "new"} <= outcomes


def test_crash_at_every_step_of_an_import_into_an_old_store(store_with_backup: Path) -> None:
    """The first import into a store written before generations moves it over, crash or not."""
    rewrite_as_legacy(store_with_backup, state=True)
    extra = parse_text(profile_dump(4, seed=3), "profile", as_of=AS_OF)
    outcomes = _crash_every_step_of_an_import(store_with_backup, extra)
    assert {"old", "new"} <= outcomes
